/* Leveled logging to the serial console. One line per call; lines longer
 * than LOG_LINE_MAX are cut and marked. */
#include "core/log.h"

#include "core/machine.h"
#include "drivers/serial.h"
#include "lib/format.h"
#include "lib/string.h"

#define LOG_LINE_MAX 512

static enum log_level current_level = LOG_INFO;

static const char *const level_prefix[] = {
	[LOG_ERROR] = "ERROR: ",
	[LOG_WARN] = "WARN: ",
	[LOG_INFO] = "",
	[LOG_DEBUG] = "debug: ",
};

void log_set_level(enum log_level level)
{
	current_level = level;
}

enum log_level log_get_level(void)
{
	return current_level;
}

void console_vprintf(const char *fmt, va_list ap)
{
	char line[LOG_LINE_MAX];
	int n = fmt_vsnprintf(line, sizeof(line), fmt, ap);

	if (n >= (int)sizeof(line)) {
		static const char cut[] = "...\n";

		memcpy(line + sizeof(line) - sizeof(cut), cut, sizeof(cut));
		n = sizeof(line) - 1;
	}
	serial_write(line, (size_t)n);
}

void console_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	console_vprintf(fmt, ap);
	va_end(ap);
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	va_list ap;

	if (level > current_level)
		return;
	va_start(ap, fmt);
	fmt_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	console_printf("%s%s\n", level_prefix[level], line);
}

void panic(const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	va_list ap;

	__asm__ volatile("cli");
	va_start(ap, fmt);
	fmt_vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	console_printf("PANIC: %s\n", line);
	machine_stop(STOP_PANIC);
}
