#include "core/cmdline.h"
#include "core/log.h"
#include "test.h"

struct reports {
	int count;
	char last_token[CMDLINE_TOKEN_MAX];
	char last_why[128];
};

static void record(const char *token, const char *why, void *ctx)
{
	struct reports *r = ctx;

	r->count++;
	snprintf(r->last_token, sizeof(r->last_token), "%s", token);
	snprintf(r->last_why, sizeof(r->last_why), "%s", why);
}

TEST(cmdline_tokenizer_quotes_and_escapes)
{
	const char *p = "  a \"b c\" \"cmdline=x y\" d\\ e \"q\\\"t\" end\\";
	char tok[64];
	bool trunc;

	CHECK(cmdline_next_token(&p, tok, sizeof(tok), &trunc));
	CHECK_STR(tok, "a");
	CHECK(cmdline_next_token(&p, tok, sizeof(tok), &trunc));
	CHECK_STR(tok, "b c");
	CHECK(cmdline_next_token(&p, tok, sizeof(tok), &trunc));
	CHECK_STR(tok, "cmdline=x y");
	CHECK(cmdline_next_token(&p, tok, sizeof(tok), &trunc));
	CHECK_STR(tok, "d e");
	CHECK(cmdline_next_token(&p, tok, sizeof(tok), &trunc));
	CHECK_STR(tok, "q\"t");
	CHECK(cmdline_next_token(&p, tok, sizeof(tok), &trunc));
	CHECK_STR(tok, "end\\");
	CHECK(!cmdline_next_token(&p, tok, sizeof(tok), &trunc));
}

TEST(cmdline_tokenizer_truncates)
{
	const char *p = "abcdefgh next";
	char tok[4];
	bool trunc;

	CHECK(cmdline_next_token(&p, tok, sizeof(tok), &trunc));
	CHECK_STR(tok, "abc");
	CHECK(trunc);
	CHECK(cmdline_next_token(&p, tok, sizeof(tok), &trunc));
	CHECK_STR(tok, "nex");
}

TEST(cmdline_known_options)
{
	struct hv_options o;
	struct reports r = { 0 };

	cmdline_defaults(&o);
	CHECK_EQ(o.loglevel, LOG_INFO);
	CHECK_EQ(o.console, 1);
	CHECK_EQ(cmdline_parse("loglevel=debug console=com2 selftest=pf", &o, record, &r), 0);
	CHECK_EQ(o.loglevel, LOG_DEBUG);
	CHECK_EQ(o.console, 2);
	CHECK_EQ(o.selftest, SELFTEST_PAGE_FAULT);
	CHECK_EQ(cmdline_parse("loglevel=0 console=ttyS0 selftest=stack", &o, record, &r), 0);
	CHECK_EQ(o.loglevel, LOG_ERROR);
	CHECK_EQ(o.console, 1);
	CHECK_EQ(o.selftest, SELFTEST_STACK_GUARD);
	CHECK_EQ(r.count, 0);
}

TEST(cmdline_empty)
{
	struct hv_options o;
	struct reports r = { 0 };

	cmdline_defaults(&o);
	CHECK_EQ(cmdline_parse("", &o, record, &r), 0);
	CHECK_EQ(cmdline_parse("   ", &o, record, &r), 0);
	CHECK_EQ(o.loglevel, LOG_INFO);
}

TEST(cmdline_reports_unknown_and_bad)
{
	struct hv_options o;
	struct reports r = { 0 };

	cmdline_defaults(&o);
	CHECK_EQ(cmdline_parse("bogus=1", &o, record, &r), 1);
	CHECK_STR(r.last_token, "bogus=1");
	CHECK_STR(r.last_why, "unknown option");
	CHECK_EQ(cmdline_parse("loglevel=loud", &o, record, &r), 1);
	CHECK_STR(r.last_token, "loglevel=loud");
	CHECK_EQ(o.loglevel, LOG_INFO);
	CHECK_EQ(cmdline_parse("loglevel", &o, record, &r), 1);
	CHECK_EQ(cmdline_parse("loglevelx=1 selftest=boom console=com9", &o, record, &r), 3);
	CHECK_STR(r.last_token, "console=com9");
	CHECK_EQ(r.count, 6);
	CHECK_EQ(o.console, 1);
	CHECK_EQ(o.selftest, SELFTEST_NONE);
}

TEST(cmdline_memcheck_flag)
{
	struct hv_options o;
	struct reports r = { 0 };

	cmdline_defaults(&o);
	CHECK(!o.memcheck);
	CHECK_EQ(cmdline_parse("memcheck", &o, record, &r), 0);
	CHECK(o.memcheck);
	CHECK_EQ(cmdline_parse("memcheck=1", &o, record, &r), 1);
	CHECK_STR(r.last_why, "this option takes no value");
	CHECK(!o.bench);
	CHECK_EQ(cmdline_parse("bench", &o, record, &r), 0);
	CHECK(o.bench);
}

TEST(cmdline_watchdog_ms)
{
	struct hv_options o;
	struct reports r = { 0 };

	cmdline_defaults(&o);
	CHECK_EQ(o.watchdog_ms, 0);
	CHECK_EQ(cmdline_parse("watchdog_ms=250", &o, record, &r), 0);
	CHECK_EQ(o.watchdog_ms, 250);
	CHECK_EQ(cmdline_parse("watchdog_ms=86400001", &o, record, &r), 1);
	CHECK_EQ(cmdline_parse("watchdog_ms=12a", &o, record, &r), 1);
	CHECK_EQ(cmdline_parse("watchdog_ms=", &o, record, &r), 1);
	CHECK_EQ(cmdline_parse("watchdog_ms", &o, record, &r), 1);
	CHECK_STR(r.last_why, "expected milliseconds, 0 to 86400000");
	CHECK_EQ(o.watchdog_ms, 250);
}

TEST(cmdline_sched_slice_us)
{
	struct hv_options o;
	struct reports r = { 0 };

	cmdline_defaults(&o);
	CHECK_EQ(o.sched_slice_us, 10000);
	CHECK_EQ(cmdline_parse("sched_slice_us=2000", &o, record, &r), 0);
	CHECK_EQ(o.sched_slice_us, 2000);
	CHECK_EQ(cmdline_parse("sched_slice_us=99", &o, record, &r), 1);
	CHECK_EQ(o.sched_slice_us, 2000);
	CHECK_EQ(cmdline_parse("sched_slice_us=1000001", &o, record, &r), 1);
	CHECK_STR(r.last_why, "expected microseconds, 100 to 1000000");
}
