/* Runs every registered unit test and prints "unit: N passed, N failed". */
#include <stdarg.h>
#include <stdlib.h>

#include "test.h"

static struct test_case *tests_head;
static int current_failed;

void test_register(struct test_case *tc)
{
	tc->next = tests_head;
	tests_head = tc;
}

void test_fail(const char *file, int line, const char *expr)
{
	test_fail_fmt(file, line, "%s", expr);
}

void test_fail_fmt(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "  %s:%d: check failed: ", file, line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	current_failed = 1;
}

int main(int argc, char **argv)
{
	const char *only = argc > 1 ? argv[1] : NULL;
	int passed = 0, failed = 0;

	for (struct test_case *tc = tests_head; tc; tc = tc->next) {
		if (only && !strstr(tc->name, only))
			continue;
		current_failed = 0;
		tc->fn();
		if (current_failed) {
			printf("FAIL %s\n", tc->name);
			failed++;
		} else {
			passed++;
		}
	}
	printf("unit: %d passed, %d failed\n", passed, failed);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
