/* Guest module command lines, written as GRUB passes them on: words joined
 * by single spaces, a word holding a space wrapped in double quotes, and a
 * backslash before every ", ' and \ inside a word. */
#include "vmm/guest_config.h"
#include "test.h"

static struct guest_config parse(const char *cmdline)
{
	struct guest_config c;

	memset(&c, 0xA5, sizeof(c)); /* parse must overwrite everything */
	CHECK_EQ(guest_config_parse(cmdline, &c), !c.refused);
	return c;
}

TEST(guest_config_minimal_guest)
{
	struct guest_config c = parse("name=a mem=16M");

	CHECK(!c.refused);
	CHECK(!c.is_data);
	CHECK_STR(c.name, "a");
	CHECK_EQ(c.mem, 16 * MiB);
	CHECK_EQ(c.entry, GUEST_ENTRY_AUTO);
	CHECK_STR(c.cmdline, "");
	CHECK_STR(c.error, "");
}

TEST(guest_config_quoted_cmdline)
{
	/* grub.cfg: module2 /g name=a mem=16M "cmdline=console=ttyS0 quiet" */
	struct guest_config c = parse("name=a mem=16M \"cmdline=console=ttyS0 quiet\"");

	CHECK(!c.refused);
	CHECK_STR(c.cmdline, "console=ttyS0 quiet");
}

TEST(guest_config_escaped_quotes_in_cmdline)
{
	/* grub.cfg: cmdline='say "hi" it'"'"'s a\b' */
	struct guest_config c =
		parse("name=q mem=1M \"cmdline=say \\\"hi\\\" it\\'s a\\\\b\"");

	CHECK(!c.refused);
	CHECK_STR(c.cmdline, "say \"hi\" it's a\\b");

	c = parse("name=q mem=1M cmdline=\\\"quoted\\\"");
	CHECK(!c.refused);
	CHECK_STR(c.cmdline, "\"quoted\"");
}

TEST(guest_config_empty_cmdline_option)
{
	struct guest_config c = parse("cmdline= name=e mem=1m");

	CHECK(!c.refused);
	CHECK_STR(c.cmdline, "");
	CHECK_EQ(c.mem, 1 * MiB);
}

TEST(guest_config_entry_modes)
{
	struct guest_config c = parse("name=b mem=2m entry=real");

	CHECK(!c.refused);
	CHECK_EQ(c.mem, 2 * MiB);
	CHECK_EQ(c.entry, GUEST_ENTRY_REAL);
	CHECK_EQ(parse("name=b mem=2M entry=long").entry, GUEST_ENTRY_LONG);
	CHECK_EQ(parse("name=b mem=2M entry=protected").entry, GUEST_ENTRY_PROTECTED);
	c = parse("name=b mem=2M entry=virtual");
	CHECK(c.refused);
	CHECK_STR(c.error, "entry=virtual: expected long, protected or real");
}

TEST(guest_config_mem_sizes)
{
	CHECK_EQ(parse("name=m mem=1048576").mem, 1 * MiB);
	CHECK_EQ(parse("name=m mem=4096k").mem, 4 * MiB);
	CHECK_EQ(parse("name=m mem=2048K").mem, 2 * MiB);
	CHECK_EQ(parse("name=m mem=1g").mem, 1 * GiB);
	CHECK_EQ(parse("name=m mem=64G").mem, 64 * GiB);
	CHECK_EQ(parse("name=m mem=65536M").mem, 64 * GiB);
	CHECK_EQ(parse("name=m mem=1028K").mem, 1028 * KiB);
}

TEST(guest_config_bad_mem)
{
	static const struct {
		const char *cmdline;
		const char *error;
	} cases[] = {
		{ "name=m mem=12Q", "mem=12Q: expected a size like 16M" },
		{ "name=m mem=", "mem=: expected a size like 16M" },
		{ "name=m mem=M", "mem=M: expected a size like 16M" },
		{ "name=m mem=16MB", "mem=16MB: expected a size like 16M" },
		{ "name=m mem=-1M", "mem=-1M: expected a size like 16M" },
		{ "name=m mem=0x100000", "mem=0x100000: expected a size like 16M" },
		{ "name=m mem=1000001", "mem=1000001 is less than 1 MiB (the top 64 KiB holds the "
					"entry state)" },
		{ "name=m mem=1048577", "mem=1048577 is not a multiple of 4 KiB" },
		{ "name=m mem=1025k", "mem=1025k is not a multiple of 4 KiB" },
		{ "name=m mem=0", "mem=0 is less than 1 MiB (the top 64 KiB holds the entry state)" },
		{ "name=m mem=65G", "mem=65G is more than 64 GiB" },
		{ "name=m mem=65537M", "mem=65537M is more than 64 GiB" },
		{ "name=m mem=68719476737", "mem=68719476737 is more than 64 GiB" },
		{ "name=m mem=18446744073709551616", "mem=18446744073709551616 is more than 64 GiB" },
		{ "name=m mem=99999999999999999999999G",
		  "mem=99999999999999999999999G is more than 64 GiB" },
		{ "name=m mem=17179869184G", "mem=17179869184G is more than 64 GiB" },
		{ "name=m mem", "option 'mem' needs a value (mem=...)" },
	};

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct guest_config c = parse(cases[i].cmdline);

		CHECK(c.refused);
		CHECK_STR(c.error, cases[i].error);
		CHECK_STR(c.name, "m"); /* still known for the summary line */
	}
}

TEST(guest_config_names)
{
	struct guest_config c = parse("name=Web_server-01 mem=1M");

	CHECK(!c.refused);
	CHECK_STR(c.name, "Web_server-01");
	c = parse("name=abcdefghijabcdefghijabcdefghij1 mem=1M"); /* 31 chars */
	CHECK(!c.refused);

	c = parse("name=abcdefghijabcdefghijabcdefghij12 mem=1M");
	CHECK(c.refused);
	CHECK_STR(c.error, "bad name 'abcdefghijabcdefghijabcdefghij12': 1-31 of [A-Za-z0-9_-]");
	CHECK_STR(c.name, "");

	c = parse("\"name=a b!\" mem=1M");
	CHECK(c.refused);
	CHECK_STR(c.error, "bad name 'a b!': 1-31 of [A-Za-z0-9_-]");

	c = parse("name= mem=1M");
	CHECK(c.refused);
	CHECK_STR(c.error, "bad name '': 1-31 of [A-Za-z0-9_-]");
}

TEST(guest_config_missing_and_unknown)
{
	struct guest_config c = parse("");

	CHECK(c.refused);
	CHECK_STR(c.error, "missing name=");

	c = parse("   ");
	CHECK_STR(c.error, "missing name=");

	c = parse("name=x");
	CHECK(c.refused);
	CHECK_STR(c.error, "missing mem=");

	c = parse("mem=1M");
	CHECK_STR(c.error, "missing name=");

	c = parse("name=x mem=1M foo=1 bar");
	CHECK(c.refused);
	CHECK_STR(c.error, "unknown option 'foo=1'");

	c = parse("name=x mem=1M Name=y");
	CHECK_STR(c.error, "unknown option 'Name=y'");

	c = parse("foo name=late mem=1M");
	CHECK_STR(c.error, "unknown option 'foo'");
	CHECK_STR(c.name, "late");
}

TEST(guest_config_duplicate_keys)
{
	struct guest_config c = parse("name=x mem=1M mem=2M");

	CHECK(c.refused);
	CHECK_STR(c.error, "option 'mem' given twice");
	CHECK_EQ(c.mem, 1 * MiB);

	c = parse("name=x name=y mem=1M");
	CHECK_STR(c.error, "option 'name' given twice");
	CHECK_STR(c.name, "x");

	c = parse("name=x mem=1M cmdline=a cmdline=b");
	CHECK_STR(c.error, "option 'cmdline' given twice");
}

TEST(guest_config_first_error_wins)
{
	struct guest_config c = parse("mem=3 name=x entry=bad foo");

	CHECK(c.refused);
	CHECK_STR(c.error, "mem=3 is less than 1 MiB (the top 64 KiB holds the entry state)");
	CHECK_STR(c.name, "x");
}

TEST(guest_config_too_long)
{
	char line[600];
	struct guest_config c;
	int n;

	/* cmdline= with 255 characters fits, 256 does not. */
	n = snprintf(line, sizeof(line), "name=l mem=1M cmdline=%0255d", 0);
	CHECK(n > 0 && (size_t)n < sizeof(line));
	c = parse(line);
	CHECK(!c.refused);
	CHECK_EQ(strlen(c.cmdline), 255);

	snprintf(line, sizeof(line), "name=l mem=1M cmdline=%0256d", 0);
	c = parse(line);
	CHECK(c.refused);
	CHECK_STR(c.error, "cmdline= is longer than 255 characters");

	snprintf(line, sizeof(line), "name=l mem=1M cmdline=%0400d", 0);
	c = parse(line);
	CHECK(c.refused);
	CHECK_STR(c.error, "option 'cmdline=0000000000000000...' is too long");
}

TEST(guest_config_data_modules)
{
	struct guest_config c = parse("for=linux");

	CHECK(!c.refused);
	CHECK(c.is_data);
	CHECK_STR(c.for_name, "linux");
	CHECK_STR(c.name, "");

	c = parse("\"cmdline=initrd rootfs\" for=linux");
	CHECK(!c.refused);
	CHECK(c.is_data);
	CHECK_STR(c.cmdline, "initrd rootfs");

	c = parse("name=x for=linux");
	CHECK(c.refused);
	CHECK(c.is_data);
	CHECK_STR(c.error, "name= is not allowed on a data module (for=linux)");

	c = parse("for=linux mem=1M entry=real");
	CHECK_STR(c.error, "mem= is not allowed on a data module (for=linux)");

	c = parse("for=a/b");
	CHECK(c.refused);
	CHECK(c.is_data);
	CHECK_STR(c.error, "bad for= name 'a/b': 1-31 of [A-Za-z0-9_-]");

	c = parse("for=a for=b");
	CHECK_STR(c.error, "option 'for' given twice");
}

TEST(guest_config_default_name)
{
	struct guest_config c = parse("mem=1M");

	guest_config_default_name(&c, 3);
	CHECK_STR(c.name, "module3");
	CHECK(c.placeholder_name);

	c = parse("name=keep mem=1M");
	guest_config_default_name(&c, 3);
	CHECK_STR(c.name, "keep");
	CHECK(!c.placeholder_name);
}

TEST(guest_configs_unique_names_and_owners)
{
	static const char *const lines[] = {
		"name=a mem=1M",       /* 0 */
		"for=a",               /* 1 */
		"name=b mem=bad",      /* 2: refused, but holds the name b */
		"name=a mem=2M",       /* 3: duplicate */
		"for=b cmdline=x",     /* 4: owner is the refused guest 2 */
		"for=nobody",          /* 5 */
		"mem=1M",              /* 6: no name: module6 */
		"name=module6 mem=1M", /* 7: not a duplicate of the placeholder */
		"name=b mem=1M",       /* 8: duplicate of a refused guest */
	};
	struct guest_config c[ARRAY_SIZE(lines)];

	for (size_t i = 0; i < ARRAY_SIZE(lines); i++) {
		c[i] = parse(lines[i]);
		guest_config_default_name(&c[i], (unsigned int)i);
	}
	guest_configs_check_unique(c, ARRAY_SIZE(c));

	CHECK(!c[0].refused);
	CHECK(!c[1].refused);
	CHECK_EQ(c[1].owner, 0);
	CHECK(c[2].refused);
	CHECK_STR(c[2].error, "mem=bad: expected a size like 16M");
	CHECK(c[3].refused);
	CHECK_STR(c[3].error, "duplicate name 'a'");
	CHECK(!c[4].refused);
	CHECK_EQ(c[4].owner, 2);
	CHECK(c[5].refused);
	CHECK_STR(c[5].error, "for=nobody: no guest named nobody");
	CHECK(c[6].refused);
	CHECK_STR(c[6].name, "module6");
	CHECK_STR(c[6].error, "missing name=");
	CHECK(!c[7].refused);
	CHECK(c[8].refused);
	CHECK_STR(c[8].error, "duplicate name 'b'");
}

TEST(guest_configs_data_module_names_no_guest_by_placeholder)
{
	struct guest_config c[2] = { parse("mem=1M"), parse("for=module0") };

	guest_config_default_name(&c[0], 0);
	guest_config_default_name(&c[1], 1);
	guest_configs_check_unique(c, 2);
	CHECK(c[1].refused);
	CHECK_STR(c[1].error, "for=module0: no guest named module0");
	CHECK_STR(c[1].name, "module1");
}

TEST(guest_config_break_state_test_option)
{
	struct guest_config c;

	CHECK(guest_config_parse("name=b mem=1M break_state=tr", &c));
	CHECK_EQ(c.break_state, GUEST_BREAK_TR);
	CHECK(guest_config_parse("name=b mem=1M break_state=link", &c));
	CHECK_EQ(c.break_state, GUEST_BREAK_LINK);
	CHECK(guest_config_parse("name=b mem=1M", &c));
	CHECK_EQ(c.break_state, GUEST_BREAK_NONE);
	CHECK(!guest_config_parse("name=b mem=1M break_state=cs", &c));
	CHECK_STR(c.error, "break_state=cs: expected tr, cr0, rflags or link");
}
