/* Command-line parsing: a tokenizer that undoes GRUB's quoting, and the
 * table of the hypervisor's own options. */
#include "core/cmdline.h"

#include "core/log.h"
#include "lib/string.h"

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

bool cmdline_next_token(const char **cursor, char *out, size_t out_size, bool *truncated)
{
	const char *p = *cursor;
	bool quoted = false;
	size_t n = 0;

	*truncated = false;
	while (is_space(*p))
		p++;
	if (!*p) {
		*cursor = p;
		return false;
	}
	for (; *p && (quoted || !is_space(*p)); p++) {
		char c = *p;

		if (c == '"') {
			quoted = !quoted;
			continue;
		}
		if (c == '\\' && p[1])
			c = *++p;
		if (n + 1 < out_size)
			out[n++] = c;
		else
			*truncated = true;
	}
	out[n] = '\0';
	*cursor = p;
	return true;
}

#define WATCHDOG_MS_MAX 86400000u /* a day */
/* Shorter slices cost exits (under Bochs ~850 instructions each); longer
 * ones make guests wait their turn for up to a second. */
#define SLICE_US_MIN 100u
#define SLICE_US_MAX 1000000u
#define SLICE_US_DEFAULT 10000u

/* A decimal number in [0, max]; false on anything else. */
static bool parse_uint(const char *s, unsigned int max, unsigned int *out)
{
	uint64_t v = 0;

	if (!s || !*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		v = v * 10 + (uint64_t)(*s - '0');
		if (v > max)
			return false;
	}
	*out = (unsigned int)v;
	return true;
}

static const char *strchr_or_end(const char *s, char c)
{
	while (*s && *s != c)
		s++;
	return s;
}

struct name_value {
	const char *name;
	int value;
};

static const struct name_value loglevels[] = {
	{ "error", LOG_ERROR }, { "warn", LOG_WARN }, { "info", LOG_INFO }, { "debug", LOG_DEBUG },
	{ "0", LOG_ERROR },     { "1", LOG_WARN },    { "2", LOG_INFO },    { "3", LOG_DEBUG },
};

static const struct name_value consoles[] = {
	{ "com1", 1 }, { "com2", 2 }, { "com3", 3 }, { "com4", 4 },
	{ "ttyS0", 1 }, { "ttyS1", 2 }, { "ttyS2", 3 }, { "ttyS3", 4 },
};

static const struct name_value selftests[] = {
	{ "pf", SELFTEST_PAGE_FAULT },	  { "wx", SELFTEST_WRITE_TEXT },
	{ "nx", SELFTEST_EXEC_DATA },	  { "stack", SELFTEST_STACK_GUARD },
	{ "ud", SELFTEST_INVALID_OPCODE }, { "panic", SELFTEST_PANIC },
};

static bool lookup(const struct name_value *table, size_t n, const char *name, int *value)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(table[i].name, name) == 0) {
			*value = table[i].value;
			return true;
		}
	}
	return false;
}

/* Apply one key=value option; returns the reason when it is not accepted. */
static const char *apply_option(const char *key, size_t key_len, const char *value,
				struct hv_options *opts)
{
	int v;

#define KEY_IS(k) (key_len == sizeof(k) - 1 && strncmp(key, k, key_len) == 0)
	if (KEY_IS("loglevel")) {
		if (!value || !lookup(loglevels, ARRAY_SIZE(loglevels), value, &v))
			return "expected error, warn, info, debug or 0-3";
		opts->loglevel = v;
	} else if (KEY_IS("console")) {
		if (!value || !lookup(consoles, ARRAY_SIZE(consoles), value, &v))
			return "expected com1-com4 or ttyS0-ttyS3";
		opts->console = (unsigned int)v;
	} else if (KEY_IS("sched_slice_us")) {
		unsigned int us;

		if (!parse_uint(value, SLICE_US_MAX, &us) || us < SLICE_US_MIN)
			return "expected microseconds, 100 to 1000000";
		opts->sched_slice_us = us;
	} else if (KEY_IS("watchdog_ms")) {
		if (!parse_uint(value, WATCHDOG_MS_MAX, &opts->watchdog_ms))
			return "expected milliseconds, 0 to 86400000";
	} else if (KEY_IS("memcheck") || KEY_IS("bench")) {
		if (value)
			return "this option takes no value";
		*(KEY_IS("bench") ? &opts->bench : &opts->memcheck) = true;
	} else if (KEY_IS("selftest")) {
		if (!value || !lookup(selftests, ARRAY_SIZE(selftests), value, &v))
			return "expected pf, wx, nx, stack, ud or panic";
		opts->selftest = (enum selftest)v;
	} else {
		return "unknown option";
	}
#undef KEY_IS
	return NULL;
}

void cmdline_defaults(struct hv_options *opts)
{
	opts->loglevel = LOG_INFO;
	opts->console = 1;
	opts->selftest = SELFTEST_NONE;
	opts->memcheck = false;
	opts->bench = false;
	opts->watchdog_ms = 0;
	opts->sched_slice_us = SLICE_US_DEFAULT;
}

int cmdline_parse(const char *cmdline, struct hv_options *opts, cmdline_report_fn report,
		  void *ctx)
{
	char token[CMDLINE_TOKEN_MAX];
	bool truncated;
	int errors = 0;

	while (cmdline_next_token(&cmdline, token, sizeof(token), &truncated)) {
		const char *eq = strchr_or_end(token, '=');
		const char *why;

		if (truncated)
			why = "option too long";
		else
			why = apply_option(token, (size_t)(eq - token), *eq ? eq + 1 : NULL, opts);
		if (why) {
			report(token, why, ctx);
			errors++;
		}
	}
	return errors;
}
