/* HLT with interrupts disabled can never wake up: hv stops the guest. */
#include "guest.h"

void guest_main(void)
{
	print("halting with interrupts disabled\n");
	__asm__ volatile("cli; hlt");
	check(false, "hlt with interrupts off stops the guest", "execution continued after hlt");
}
