#include <stdarg.h>

#include "lib/format.h"
#include "test.h"

static const char *fmt(const char *f, ...)
{
	static char buf[256];
	va_list ap;

	va_start(ap, f);
	fmt_vsnprintf(buf, sizeof(buf), f, ap);
	va_end(ap);
	return buf;
}

TEST(format_integers)
{
	CHECK_STR(fmt("%d %i %u", -42, 7, 3000000000u), "-42 7 3000000000");
	CHECK_STR(fmt("%ld", -9223372036854775807L - 1), "-9223372036854775808");
	CHECK_STR(fmt("%lu", 18446744073709551615UL), "18446744073709551615");
	CHECK_STR(fmt("%llx", 0xdeadbeefcafeULL), "deadbeefcafe");
	CHECK_STR(fmt("%X %o", 0xabcu, 8u), "ABC 10");
	CHECK_STR(fmt("%zu %zx", (size_t)12, (size_t)255), "12 ff");
	CHECK_STR(fmt("%hhu %hd", 257, 65535), "1 -1");
}

TEST(format_width_and_padding)
{
	CHECK_STR(fmt("[%5d]", 42), "[   42]");
	CHECK_STR(fmt("[%-5d]", 42), "[42   ]");
	CHECK_STR(fmt("[%05d]", -42), "[-0042]");
	CHECK_STR(fmt("[%016lx]", 0x1234UL), "[0000000000001234]");
	CHECK_STR(fmt("[%#x] [%#o]", 255u, 8u), "[0xff] [010]");
	CHECK_STR(fmt("[%#010x]", 255u), "[0x000000ff]");
	CHECK_STR(fmt("[%+d] [% d]", 5, 5), "[+5] [ 5]");
	CHECK_STR(fmt("[%.3d]", 7), "[007]");
	CHECK_STR(fmt("[%.0d]", 0), "[]");
	CHECK_STR(fmt("[%*d] [%-*d]", 4, 1, 4, 2), "[   1] [2   ]");
	CHECK_STR(fmt("[%-2d]", 12345), "[12345]");
}

TEST(format_strings_chars_pointers)
{
	CHECK_STR(fmt("%s|%8s|%-8s|", "ab", "cd", "ef"), "ab|      cd|ef      |");
	CHECK_STR(fmt("%.2s", "abcdef"), "ab");
	CHECK_STR(fmt("%.*s", 3, "abcdef"), "abc");
	CHECK_STR(fmt("%s", (char *)NULL), "(null)");
	CHECK_STR(fmt("%c%c", 'h', 'v'), "hv");
	CHECK_STR(fmt("%p", (void *)0xffffffff80001000UL), "0xffffffff80001000");
	CHECK_STR(fmt("%p", (void *)0), "0x0");
	CHECK_STR(fmt("100%%"), "100%");
	CHECK_STR(fmt("%q"), "%q");
}

TEST(format_truncation)
{
	char buf[8];
	int n = fmt_snprintf(buf, sizeof(buf), "%s", "hello, world");

	CHECK_EQ(n, 12);
	CHECK_STR(buf, "hello, ");
	n = fmt_snprintf(buf, 1, "%d", 12345);
	CHECK_EQ(n, 5);
	CHECK_STR(buf, "");
	CHECK_EQ(fmt_snprintf(NULL, 0, "%d", 123), 3);
	/* a format ending in the middle of a conversion stops cleanly */
	CHECK_STR(fmt("abc%l"), "abc");
}
