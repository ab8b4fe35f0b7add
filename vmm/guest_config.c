/* Parsing of guest module command lines (include/vmm/guest_config.h). */
#include "vmm/guest_config.h"

#include "core/cmdline.h"
#include "lib/format.h"
#include "lib/string.h"

/* Where an option may appear, and whether a guest must have it. */
#define OPT_GUEST 1u    /* allowed on a guest image */
#define OPT_DATA 2u     /* allowed on a data module (for=) */
#define OPT_REQUIRED 4u /* a guest image must give it */

/* Room for the longest option: "cmdline=" and a full guest command line. */
#define OPTION_TOKEN_MAX (GUEST_CMDLINE_MAX + 16)
/* How much of an over-long option an error message quotes. */
#define OPTION_QUOTE_MAX 24

#define DECIMAL_BASE 10u

static void fail(struct guest_config *cfg, const char *fmt, ...) __printf(2, 3);

static void fail(struct guest_config *cfg, const char *fmt, ...)
{
	va_list ap;

	if (cfg->refused)
		return; /* the first problem is the one reported */
	cfg->refused = true;
	va_start(ap, fmt);
	fmt_vsnprintf(cfg->error, sizeof(cfg->error), fmt, ap);
	va_end(ap);
}

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

static bool valid_name(const char *s)
{
	size_t len = strnlen(s, GUEST_NAME_MAX);

	if (len == 0 || len >= GUEST_NAME_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (!is_name_char(s[i]))
			return false;
	}
	return true;
}

static void copy_string(char *dst, size_t size, const char *src)
{
	size_t len = strnlen(src, size - 1);

	memcpy(dst, src, len);
	dst[len] = '\0';
}

static void opt_name(struct guest_config *cfg, const char *value)
{
	if (!valid_name(value)) {
		fail(cfg, "bad name '%s': 1-31 of [A-Za-z0-9_-]", value);
		return;
	}
	copy_string(cfg->name, sizeof(cfg->name), value);
}

static void opt_for(struct guest_config *cfg, const char *value)
{
	if (!valid_name(value)) {
		fail(cfg, "bad for= name '%s': 1-31 of [A-Za-z0-9_-]", value);
		return;
	}
	copy_string(cfg->for_name, sizeof(cfg->for_name), value);
}

/* The shift of a size suffix (K, M, G in either case; none = bytes), or -1. */
static int size_suffix_shift(const char *suffix)
{
	if (suffix[0] == '\0')
		return 0;
	if (suffix[1] != '\0')
		return -1;
	switch (suffix[0]) {
	case 'k': case 'K': return 10;
	case 'm': case 'M': return 20;
	case 'g': case 'G': return 30;
	default: return -1;
	}
}

/* Parse "<digits>[KMG]" into bytes, refusing anything above limit (so no
 * step can overflow). Returns false on bad syntax; *too_big on overflow. */
static bool parse_size(const char *s, uint64_t limit, uint64_t *out, bool *too_big)
{
	uint64_t v = 0;
	const char *p = s;
	int shift;

	*too_big = false;
	for (; *p >= '0' && *p <= '9'; p++) {
		uint64_t digit = (uint64_t)(*p - '0');

		if (v > (limit - digit) / DECIMAL_BASE)
			*too_big = true;
		else
			v = v * DECIMAL_BASE + digit;
	}
	shift = size_suffix_shift(p);
	if (p == s || shift < 0)
		return false;
	if (v > limit >> shift)
		*too_big = true;
	*out = v << shift;
	return true;
}

static void opt_mem(struct guest_config *cfg, const char *value)
{
	uint64_t mem;
	bool too_big;

	if (!parse_size(value, GUEST_MEM_MAX, &mem, &too_big))
		fail(cfg, "mem=%s: expected a size like 16M", value);
	else if (too_big)
		fail(cfg, "mem=%s is more than 64 GiB", value);
	else if (mem < GUEST_MEM_MIN)
		fail(cfg, "mem=%s is less than 1 MiB (the top 64 KiB holds the entry state)",
		     value);
	else if (!IS_ALIGNED(mem, GUEST_MEM_ALIGN))
		fail(cfg, "mem=%s is not a multiple of 4 KiB", value);
	else
		cfg->mem = mem;
}

static void opt_entry(struct guest_config *cfg, const char *value)
{
	if (strcmp(value, "long") == 0)
		cfg->entry = GUEST_ENTRY_LONG;
	else if (strcmp(value, "protected") == 0)
		cfg->entry = GUEST_ENTRY_PROTECTED;
	else if (strcmp(value, "real") == 0)
		cfg->entry = GUEST_ENTRY_REAL;
	else
		fail(cfg, "entry=%s: expected long, protected or real", value);
}

static void opt_cmdline(struct guest_config *cfg, const char *value)
{
	if (strnlen(value, GUEST_CMDLINE_MAX) >= GUEST_CMDLINE_MAX) {
		fail(cfg, "cmdline= is longer than %d characters", GUEST_CMDLINE_MAX - 1);
		return;
	}
	copy_string(cfg->cmdline, sizeof(cfg->cmdline), value);
}

static void opt_break_state(struct guest_config *cfg, const char *value)
{
	static const char *const names[] = {
		[GUEST_BREAK_TR] = "tr", [GUEST_BREAK_CR0] = "cr0",
		[GUEST_BREAK_RFLAGS] = "rflags", [GUEST_BREAK_LINK] = "link",
	};

	for (size_t i = GUEST_BREAK_TR; i < ARRAY_SIZE(names); i++) {
		if (strcmp(value, names[i]) == 0) {
			cfg->break_state = (enum guest_break)i;
			return;
		}
	}
	fail(cfg, "break_state=%s: expected tr, cr0, rflags or link", value);
}

struct guest_option {
	const char *key;
	unsigned int flags; /* OPT_* */
	void (*apply)(struct guest_config *cfg, const char *value);
};

/* One line per option. */
static const struct guest_option options[] = {
	{ "name", OPT_GUEST | OPT_REQUIRED, opt_name },
	{ "mem", OPT_GUEST | OPT_REQUIRED, opt_mem },
	{ "entry", OPT_GUEST, opt_entry },
	{ "cmdline", OPT_GUEST | OPT_DATA, opt_cmdline },
	{ "for", OPT_DATA, opt_for },
	{ "break_state", OPT_GUEST, opt_break_state },
};

/* Options seen are tracked as a bit mask indexed by table position. */
_Static_assert(ARRAY_SIZE(options) <= 32, "options seen must fit in a uint32_t");

static const struct guest_option *find_option(const char *key, size_t key_len)
{
	for (size_t i = 0; i < ARRAY_SIZE(options); i++) {
		if (strlen(options[i].key) == key_len && strncmp(options[i].key, key, key_len) == 0)
			return &options[i];
	}
	return NULL;
}

static uint32_t option_bit(const struct guest_option *opt)
{
	return (uint32_t)1 << (opt - options);
}

/* Apply one token; returns the bit of the option it set, 0 if none. */
static uint32_t apply_token(struct guest_config *cfg, const char *token, uint32_t seen)
{
	const char *eq = token;
	const struct guest_option *opt;

	while (*eq && *eq != '=')
		eq++;
	opt = find_option(token, (size_t)(eq - token));
	if (!opt) {
		fail(cfg, "unknown option '%s'", token);
		return 0;
	}
	if (seen & option_bit(opt)) {
		fail(cfg, "option '%s' given twice", opt->key);
		return 0;
	}
	if (!*eq) {
		fail(cfg, "option '%s' needs a value (%s=...)", opt->key, opt->key);
		return option_bit(opt);
	}
	opt->apply(cfg, eq + 1);
	return option_bit(opt);
}

/* Options that must or must not be there, once the module's kind is known. */
static void check_presence(struct guest_config *cfg, uint32_t seen)
{
	for (size_t i = 0; i < ARRAY_SIZE(options); i++) {
		const struct guest_option *opt = &options[i];
		bool given = seen & option_bit(opt);

		if (cfg->is_data && given && !(opt->flags & OPT_DATA))
			fail(cfg, "%s= is not allowed on a data module (for=%s)", opt->key,
			     cfg->for_name);
		if (!cfg->is_data && !given && (opt->flags & OPT_REQUIRED))
			fail(cfg, "missing %s=", opt->key);
	}
}

bool guest_config_parse(const char *module_cmdline, struct guest_config *out)
{
	char token[OPTION_TOKEN_MAX];
	uint32_t seen = 0;
	bool truncated;

	*out = (struct guest_config){ .entry = GUEST_ENTRY_AUTO };
	while (cmdline_next_token(&module_cmdline, token, sizeof(token), &truncated)) {
		if (truncated)
			fail(out, "option '%.*s...' is too long", OPTION_QUOTE_MAX, token);
		else
			seen |= apply_token(out, token, seen);
	}
	out->is_data = seen & option_bit(find_option("for", sizeof("for") - 1));
	check_presence(out, seen);
	return !out->refused;
}

void guest_config_default_name(struct guest_config *cfg, unsigned int index)
{
	if (cfg->name[0])
		return;
	fmt_snprintf(cfg->name, sizeof(cfg->name), "module%u", index);
	cfg->placeholder_name = true;
}

/* The first guest image called name, or n when there is none. */
static size_t find_guest(const struct guest_config *cfgs, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		const struct guest_config *c = &cfgs[i];

		if (!c->is_data && !c->placeholder_name && strcmp(c->name, name) == 0)
			return i;
	}
	return n;
}

void guest_configs_check_unique(struct guest_config *cfgs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct guest_config *c = &cfgs[i];

		if (c->is_data) {
			if (!c->for_name[0])
				continue; /* a bad for= value, already refused */
			c->owner = find_guest(cfgs, n, c->for_name);
			if (c->owner == n)
				fail(c, "for=%s: no guest named %s", c->for_name, c->for_name);
		} else if (c->name[0] && !c->placeholder_name && find_guest(cfgs, n, c->name) < i) {
			fail(c, "duplicate name '%s'", c->name);
		}
	}
}
