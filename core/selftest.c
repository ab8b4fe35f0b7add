/* Faults on purpose (selftest= on the command line), so the boot tests can
 * prove the exception dump, W^X and the stack guard pages. */
#include "core/selftest.h"

#include "core/log.h"

#define UNMAPPED_ADDRESS 0xdead0000UL /* lower half: nothing is mapped there */
#define RET_OPCODE 0xc3
#define RECURSION_LIMIT 100000 /* far deeper than any stack we have */

static uint8_t data_code[16] = { RET_OPCODE };

/* Each level keeps a page-sized frame alive across the recursive call, so
 * the recursion runs off the bottom of the stack into its guard page. */
static __attribute__((noinline)) unsigned int recurse(unsigned int depth)
{
	volatile uint8_t frame[512];

	frame[0] = (uint8_t)depth;
	if (depth == RECURSION_LIMIT)
		return depth;
	return recurse(depth + 1) + frame[0];
}

void selftest_run(enum selftest test)
{
	switch (test) {
	case SELFTEST_NONE:
		return;
	case SELFTEST_PAGE_FAULT:
		log_info("selftest: reading unmapped address 0x%lx", UNMAPPED_ADDRESS);
		(void)*(volatile uint64_t *)UNMAPPED_ADDRESS;
		break;
	case SELFTEST_WRITE_TEXT:
		log_info("selftest: writing to .text at %p", (void *)selftest_run);
		*(volatile uint8_t *)(uintptr_t)selftest_run = RET_OPCODE;
		break;
	case SELFTEST_EXEC_DATA:
		log_info("selftest: calling into .data at %p", (void *)data_code);
		((void (*)(void))(uintptr_t)data_code)();
		break;
	case SELFTEST_STACK_GUARD:
		log_info("selftest: recursing until the stack overflows");
		log_info("selftest: depth %u", recurse(0));
		break;
	case SELFTEST_INVALID_OPCODE:
		log_info("selftest: executing ud2");
		__builtin_trap();
	case SELFTEST_PANIC:
		panic("selftest: panic requested on the command line");
	}
	panic("selftest: fault %d did not fault", test);
}
