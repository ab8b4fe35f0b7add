/* A small, complete-enough printf engine. It never writes past size and
 * never reads past the format string's terminator. */
#include "lib/format.h"

#include "lib/string.h"

#define FLAG_LEFT BIT(0)
#define FLAG_ZERO BIT(1)
#define FLAG_PLUS BIT(2)
#define FLAG_SPACE BIT(3)
#define FLAG_ALT BIT(4)

struct out {
	char *buf;
	size_t size;
	size_t len;
};

struct spec {
	unsigned int flags;
	int width;
	int precision; /* -1: none */
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void pad(struct out *o, char c, int n)
{
	while (n-- > 0)
		put(o, c);
}

static void put_str(struct out *o, const struct spec *sp, const char *s)
{
	size_t len;

	if (!s)
		s = "(null)";
	len = sp->precision >= 0 ? strnlen(s, (size_t)sp->precision) : strlen(s);
	if (!(sp->flags & FLAG_LEFT))
		pad(o, ' ', sp->width - (int)len);
	for (size_t i = 0; i < len; i++)
		put(o, s[i]);
	if (sp->flags & FLAG_LEFT)
		pad(o, ' ', sp->width - (int)len);
}

/* Integer output: sign or prefix, zero padding from precision or the 0 flag,
 * then the digits; padded left or right to the field width. */
static void put_num(struct out *o, const struct spec *sp, unsigned long long v, bool negative,
		    unsigned int base, bool upper)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, zeros, total;
	const char *prefix = "";

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	if (sp->precision == 0 && n == 1 && tmp[0] == '0')
		n = 0;

	if (negative)
		prefix = "-";
	else if (sp->flags & FLAG_PLUS)
		prefix = "+";
	else if (sp->flags & FLAG_SPACE)
		prefix = " ";
	else if ((sp->flags & FLAG_ALT) && base == 16)
		prefix = upper ? "0X" : "0x";
	else if ((sp->flags & FLAG_ALT) && base == 8 && (n == 0 || tmp[n - 1] != '0'))
		prefix = "0";

	zeros = sp->precision > n ? sp->precision - n : 0;
	total = (int)strlen(prefix) + zeros + n;
	if ((sp->flags & FLAG_ZERO) && !(sp->flags & FLAG_LEFT) && sp->precision < 0 &&
	    sp->width > total) {
		zeros += sp->width - total;
		total = sp->width;
	}
	if (!(sp->flags & FLAG_LEFT))
		pad(o, ' ', sp->width - total);
	while (*prefix)
		put(o, *prefix++);
	pad(o, '0', zeros);
	while (n)
		put(o, tmp[--n]);
	if (sp->flags & FLAG_LEFT)
		pad(o, ' ', sp->width - total);
}

enum length { LEN_INT, LEN_CHAR, LEN_SHORT, LEN_LONG, LEN_LLONG, LEN_SIZE };

static const char *parse_length(const char *f, enum length *len)
{
	*len = LEN_INT;
	if (f[0] == 'h' && f[1] == 'h')
		return *len = LEN_CHAR, f + 2;
	if (f[0] == 'h')
		return *len = LEN_SHORT, f + 1;
	if (f[0] == 'l' && f[1] == 'l')
		return *len = LEN_LLONG, f + 2;
	if (f[0] == 'l' || f[0] == 'j')
		return *len = LEN_LONG, f + 1;
	if (f[0] == 'z' || f[0] == 't')
		return *len = LEN_SIZE, f + 1;
	return f;
}

static unsigned long long arg_unsigned(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_CHAR:
		return (unsigned char)va_arg(*ap, unsigned int);
	case LEN_SHORT:
		return (unsigned short)va_arg(*ap, unsigned int);
	case LEN_LONG:
		return va_arg(*ap, unsigned long);
	case LEN_LLONG:
		return va_arg(*ap, unsigned long long);
	case LEN_SIZE:
		return va_arg(*ap, size_t);
	default:
		return va_arg(*ap, unsigned int);
	}
}

static long long arg_signed(va_list *ap, enum length len)
{
	switch (len) {
	case LEN_CHAR:
		return (signed char)va_arg(*ap, int);
	case LEN_SHORT:
		return (short)va_arg(*ap, int);
	case LEN_LONG:
		return va_arg(*ap, long);
	case LEN_LLONG:
		return va_arg(*ap, long long);
	case LEN_SIZE:
		return (long long)va_arg(*ap, size_t);
	default:
		return va_arg(*ap, int);
	}
}

static const char *parse_int_or_star(const char *f, int *val, va_list *ap)
{
	if (*f == '*') {
		*val = va_arg(*ap, int);
		return f + 1;
	}
	*val = 0;
	while (*f >= '0' && *f <= '9')
		*val = *val * 10 + (*f++ - '0');
	return f;
}

static const char *parse_spec(const char *f, struct spec *sp, va_list *ap)
{
	sp->flags = 0;
	for (;; f++) {
		if (*f == '-')
			sp->flags |= FLAG_LEFT;
		else if (*f == '0')
			sp->flags |= FLAG_ZERO;
		else if (*f == '+')
			sp->flags |= FLAG_PLUS;
		else if (*f == ' ')
			sp->flags |= FLAG_SPACE;
		else if (*f == '#')
			sp->flags |= FLAG_ALT;
		else
			break;
	}
	f = parse_int_or_star(f, &sp->width, ap);
	if (sp->width < 0) {
		sp->flags |= FLAG_LEFT;
		sp->width = -sp->width;
	}
	sp->precision = -1;
	if (*f == '.') {
		f = parse_int_or_star(f + 1, &sp->precision, ap);
		if (sp->precision < 0)
			sp->precision = -1;
	}
	return f;
}

static void convert(struct out *o, struct spec *sp, char conv, enum length len, va_list *ap)
{
	long long s;

	switch (conv) {
	case 'd':
	case 'i':
		s = arg_signed(ap, len);
		put_num(o, sp, s < 0 ? 0ULL - (unsigned long long)s : (unsigned long long)s, s < 0,
			10, false);
		break;
	case 'u':
		put_num(o, sp, arg_unsigned(ap, len), false, 10, false);
		break;
	case 'x':
	case 'X':
		put_num(o, sp, arg_unsigned(ap, len), false, 16, conv == 'X');
		break;
	case 'o':
		put_num(o, sp, arg_unsigned(ap, len), false, 8, false);
		break;
	case 'p':
		sp->flags |= FLAG_ALT;
		put_num(o, sp, (uintptr_t)va_arg(*ap, void *), false, 16, false);
		break;
	case 'c': {
		char c[2] = { (char)va_arg(*ap, int), '\0' };

		sp->precision = 1;
		if (c[0] == '\0') {
			put(o, '\0');
			break;
		}
		put_str(o, sp, c);
		break;
	}
	case 's':
		put_str(o, sp, va_arg(*ap, const char *));
		break;
	default: /* unknown conversion: show it rather than guess */
		put(o, '%');
		put(o, conv);
		break;
	}
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap_in)
{
	struct out o = { buf, size, 0 };
	va_list ap;

	va_copy(ap, ap_in);
	while (*fmt) {
		struct spec sp;
		enum length len;

		if (*fmt != '%') {
			put(&o, *fmt++);
			continue;
		}
		fmt = parse_spec(fmt + 1, &sp, &ap);
		fmt = parse_length(fmt, &len);
		if (*fmt == '\0')
			break;
		if (*fmt == '%')
			put(&o, '%');
		else
			convert(&o, &sp, *fmt, len, &ap);
		fmt++;
	}
	va_end(ap);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
