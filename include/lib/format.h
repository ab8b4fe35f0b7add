/* printf-style formatting into a buffer, for the logger and for tests.
 * Conversions: d i u x X o c s p %; flags - 0 + space #; width and precision
 * (also as *); length modifiers hh h l ll z t j. Output is always
 * NUL-terminated when size > 0; the return value is the length the full
 * output would have had, as with C's snprintf. */
#ifndef LIB_FORMAT_H
#define LIB_FORMAT_H

#include <stdarg.h>

#include "compiler.h"

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...) __printf(3, 4);

#endif
