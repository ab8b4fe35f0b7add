/* A small unit-test harness for the pure logic, run natively on the build
 * host under AddressSanitizer and UBSan. Tests register themselves through a
 * constructor; tests/unit/main.c runs them all. */
#ifndef TEST_H
#define TEST_H

#include <stdio.h>
#include <string.h>

struct test_case {
	const char *name;
	void (*fn)(void);
	struct test_case *next;
};

void test_register(struct test_case *tc);
void test_fail(const char *file, int line, const char *expr);
void test_fail_fmt(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define TEST(name)                                                         \
	static void test_##name(void);                                     \
	static struct test_case test_case_##name = { #name, test_##name, 0 }; \
	__attribute__((constructor)) static void test_reg_##name(void)     \
	{                                                                  \
		test_register(&test_case_##name);                          \
	}                                                                  \
	static void test_##name(void)

#define CHECK(expr)                                              \
	do {                                                     \
		if (!(expr))                                     \
			test_fail(__FILE__, __LINE__, #expr);    \
	} while (0)

#define CHECK_EQ(a, b)                                                          \
	do {                                                                    \
		unsigned long long va_ = (unsigned long long)(a);               \
		unsigned long long vb_ = (unsigned long long)(b);               \
		if (va_ != vb_)                                                 \
			test_fail_fmt(__FILE__, __LINE__, "%s == %s (0x%llx != 0x%llx)", \
				      #a, #b, va_, vb_);                         \
	} while (0)

#define CHECK_STR(a, b)                                                         \
	do {                                                                    \
		const char *sa_ = (a), *sb_ = (b);                              \
		if (strcmp(sa_, sb_) != 0)                                      \
			test_fail_fmt(__FILE__, __LINE__, "%s == %s (\"%s\" != \"%s\")", \
				      #a, #b, sa_, sb_);                         \
	} while (0)

#endif
