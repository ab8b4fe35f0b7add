/* The hypervisor's own command line (the text after the kernel path on the
 * GRUB multiboot2 line). */
#ifndef CORE_CMDLINE_H
#define CORE_CMDLINE_H

#include "compiler.h"

#define CMDLINE_TOKEN_MAX 256

enum selftest {
	SELFTEST_NONE,
	SELFTEST_PAGE_FAULT,   /* selftest=pf: read an unmapped address */
	SELFTEST_WRITE_TEXT,   /* selftest=wx: write to .text (W^X) */
	SELFTEST_EXEC_DATA,    /* selftest=nx: jump into .data (W^X) */
	SELFTEST_STACK_GUARD,  /* selftest=stack: overflow into the guard page */
	SELFTEST_INVALID_OPCODE, /* selftest=ud: ud2 */
	SELFTEST_PANIC,        /* selftest=panic */
};

struct hv_options {
	int loglevel;        /* enum log_level */
	unsigned int console; /* COM port number, 1-4 */
	enum selftest selftest;
	bool memcheck; /* memcheck: verify .text and ended guests' memory at the end */
	bool bench;    /* bench: run make bench's loops on the bare CPU after the guests */
	unsigned int watchdog_ms; /* watchdog_ms=N: stop a guest after N ms of CPU; 0: never */
	unsigned int sched_slice_us; /* sched_slice_us=N: a vCPU's time slice */
};

/* Called once per option that is not understood: the whole token and why. */
typedef void (*cmdline_report_fn)(const char *token, const char *why, void *ctx);

void cmdline_defaults(struct hv_options *opts);
/* Parse cmdline into opts (which should hold the defaults). Returns the
 * number of options reported as unknown or invalid. */
int cmdline_parse(const char *cmdline, struct hv_options *opts, cmdline_report_fn report,
		  void *ctx);

/* Split off the next whitespace-separated token, honouring double quotes and
 * backslash escapes as GRUB writes them. Returns false at the end. A token
 * longer than out_size - 1 is truncated and *truncated set. */
bool cmdline_next_token(const char **cursor, char *out, size_t out_size, bool *truncated);

#endif
