/* Reaches past its RAM: the first access (a read of the first byte beyond
 * mem=) must stop this guest with an EPT violation naming that address; the
 * write after it is there in case the read got through. */
#include "guest.h"

void guest_main(void)
{
	volatile uint8_t *beyond = (volatile uint8_t *)ram_size();
	uint8_t v;

	print("reading GPA %p, the first byte beyond RAM\n", (void *)beyond);
	v = *beyond;
	check(false, "a read beyond RAM stops the guest", "it read 0x%x", v);
	print("writing GPA %p\n", (void *)beyond);
	*beyond = 0x5a;
	check(false, "a write beyond RAM stops the guest", "the write went through");
}
