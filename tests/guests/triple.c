/* A triple fault ends this guest only: with an empty IDT, #UD cannot be
 * delivered, neither can the #GP that follows, nor the #DF. */
#include "guest.h"

void guest_main(void)
{
	struct descriptor_table empty = { 0, 0 };

	print("raising #UD with an empty IDT\n");
	__asm__ volatile("lidt %0; ud2" : : "m"(empty));
	check(false, "a triple fault stops the guest", "execution continued after ud2");
}
