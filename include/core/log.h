/* The leveled logger and the panic path. */
#ifndef CORE_LOG_H
#define CORE_LOG_H

#include <stdarg.h>

#include "compiler.h"

enum log_level {
	LOG_ERROR = 0,
	LOG_WARN = 1,
	LOG_INFO = 2,
	LOG_DEBUG = 3,
};

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
void log_msg(enum log_level level, const char *fmt, ...) __printf(2, 3);
/* Raw console output, whatever the level (boot banners, dumps, FATAL lines). */
void console_printf(const char *fmt, ...) __printf(1, 2);
void console_vprintf(const char *fmt, va_list ap);

#define log_error(...) log_msg(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG, __VA_ARGS__)

/* Print "PANIC: ..." and stop the machine with a failure status. */
__noreturn void panic(const char *fmt, ...) __printf(1, 2);

#endif
