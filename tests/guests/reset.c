/* Resets a PC's way, chosen by mem=: 2M port 0xCF9, 3M the keyboard
 * controller, 4M port 0x92. hv must end this guest, naming the reset, and
 * nothing may reach the real machine (the run goes on). */
#include "guest.h"

void guest_main(void)
{
	uint64_t mib = ram_size() >> 20;

	print("resetting through %s\n", mib == 2 ? "0xcf9" : mib == 3 ? "0x64" : "0x92");
	if (mib == 2)
		outb(0xcf9, 0x06);
	else if (mib == 3)
		outb(0x64, 0xfe);
	else
		outb(0x92, 0x01);
	check(false, "the reset ends the guest", "still running after the reset");
}
