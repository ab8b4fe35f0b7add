/* Output, checks and exit. Serial output goes through COM1's transmit
 * register, polling the line status register first as a driver for real
 * hardware would; hv answers "ready". */
#include <stdarg.h>

#include "guest.h"

static void putc_com1(char c)
{
	while (!(inb(COM1_LSR) & LSR_THR_EMPTY))
		;
	outb(COM1_THR, (uint8_t)c);
}

static void puts_com1(const char *s)
{
	while (*s)
		putc_com1(*s++);
}

/* Decimal by subtracting powers of ten: 32-bit guests have no 64-bit
 * division without libgcc. */
static void put_udec(unsigned long long v)
{
	static const unsigned long long pow10[] = {
		10000000000000000000ULL, 1000000000000000000ULL, 100000000000000000ULL, 10000000000000000ULL,
		1000000000000000ULL,     100000000000000ULL,     10000000000000ULL,     1000000000000ULL,
		100000000000ULL,         10000000000ULL,         1000000000ULL,         100000000ULL,
		10000000ULL,             1000000ULL,             100000ULL,             10000ULL,
		1000ULL,                 100ULL,                 10ULL,                 1ULL,
	};
	bool started = false;

	for (size_t i = 0; i < sizeof(pow10) / sizeof(pow10[0]); i++) {
		char digit = '0';

		while (v >= pow10[i]) {
			v -= pow10[i];
			digit++;
		}
		if (digit != '0' || started || pow10[i] == 1) {
			putc_com1(digit);
			started = true;
		}
	}
}

static void put_hex(unsigned long long v)
{
	int shift = 60;

	while (shift > 0 && !(v >> shift))
		shift -= 4;
	for (; shift >= 0; shift -= 4)
		putc_com1("0123456789abcdef"[(v >> shift) & 0xf]);
}

static void vprint(const char *fmt, va_list ap)
{
	for (; *fmt; fmt++) {
		int longs = 0;
		unsigned long long u;
		long long s;

		if (*fmt != '%') {
			putc_com1(*fmt);
			continue;
		}
		while (*++fmt == 'l')
			longs++;
		switch (*fmt) {
		case 's':
			puts_com1(va_arg(ap, const char *));
			break;
		case 'c':
			putc_com1((char)va_arg(ap, int));
			break;
		case 'd':
			s = longs == 0 ? va_arg(ap, int) : longs == 1 ? va_arg(ap, long) : va_arg(ap, long long);
			if (s < 0) {
				putc_com1('-');
				put_udec(-(unsigned long long)s);
			} else {
				put_udec((unsigned long long)s);
			}
			break;
		case 'u':
		case 'x':
			u = longs == 0 ? va_arg(ap, unsigned) : longs == 1 ? va_arg(ap, unsigned long)
									: va_arg(ap, unsigned long long);
			if (*fmt == 'u')
				put_udec(u);
			else
				put_hex(u);
			break;
		case 'p':
			puts_com1("0x");
			put_hex((uintptr_t)va_arg(ap, void *));
			break;
		case '%':
			putc_com1('%');
			break;
		default: /* a format this library lacks: show it rather than guess */
			putc_com1('%');
			if (!*fmt)
				return;
			putc_com1(*fmt);
		}
	}
}

void print(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprint(fmt, ap);
	va_end(ap);
}

static unsigned passed, failed;

bool check(bool ok, const char *name, const char *detail_fmt, ...)
{
	va_list ap;

	if (ok) {
		passed++;
		print("PASS %s\n", name);
		return true;
	}
	failed++;
	print("FAIL %s: ", name);
	va_start(ap, detail_fmt);
	vprint(detail_fmt, ap);
	va_end(ap);
	print("\n");
	return false;
}

void pass(const char *name)
{
	check(true, name, "%s", "");
}

unsigned summary(void)
{
	print("%u passed, %u failed\n", passed, failed);
	return failed;
}

void finish(void)
{
	guest_exit(summary());
}

void guest_exit(uint32_t status)
{
	outl(EXIT_PORT, status);
	for (;;)
		__asm__ volatile("cli; hlt");
}
