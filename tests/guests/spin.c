/* Spins with interrupts disabled and never exits by itself: the
 * VMX-preemption timer still takes the CPU back at every slice, and hv's
 * watchdog_ms= stops it. */
#include "guest.h"

void guest_main(void)
{
	print("spinning with interrupts disabled\n");
	__asm__ volatile("cli; 1: jmp 1b");
}
