/* CR0 and CR4 through hv's read shadows: the guest reads back what it wrote
 * even where VMX forces a bit in the real register (CR0.NE, CR4.VMXE), and
 * CR4.VMXE cannot be set because VMX is not offered to guests. */
#include "guest.h"

static void check_cr0_bit(unsigned long bit, const char *name)
{
	unsigned long before = read_cr0(), cleared, set;

	write_cr0(before & ~bit);
	cleared = read_cr0();
	write_cr0(before | bit);
	set = read_cr0();
	write_cr0(before);
	check(cleared == (before & ~bit) && set == (before | bit), name, "CR0 0x%lx, cleared 0x%lx, set 0x%lx",
	      before, cleared, set);
}

void guest_main(void)
{
	unsigned long cr4 = read_cr4(), after;
	int fault;

	check_cr0_bit(CR0_NE, "CR0.NE clears and sets as written");
	check_cr0_bit(CR0_WP, "CR0.WP clears and sets as written");

	check(!(cr4 & CR4_VMXE), "CR4.VMXE reads 0", "CR4 0x%lx", cr4);
	fault = write_cr4_safe(cr4 | CR4_VMXE);
	after = read_cr4();
	check(fault == X86_GP, "setting CR4.VMXE raises #GP", "got %s", fault_name(fault));
	check(after == cr4, "CR4 unchanged after the refused write", "CR4 0x%lx, was 0x%lx", after, cr4);

	fault = write_cr4_safe(cr4 | CR4_OSXMMEXCPT);
	after = read_cr4();
	write_cr4_safe(cr4);
	check(fault == NO_FAULT && after == (cr4 | CR4_OSXMMEXCPT), "CR4.OSXMMEXCPT sets as written",
	      "%s, CR4 0x%lx", fault_name(fault), after);
	check(read_cr4() == cr4, "CR4.OSXMMEXCPT clears as written", "CR4 0x%lx, was 0x%lx", read_cr4(), cr4);
}
