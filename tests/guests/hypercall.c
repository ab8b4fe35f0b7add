/* Hypercalls (include/vmm/hypercall_abi.h): the version, console writes with
 * hv's bounds checks, unknown numbers, preserved registers, and HC_EXIT with
 * a status the boot case expects (42) instead of port 0xF4. */
#include "guest.h"

#define EXIT_STATUS 42

static const char hello[] = "hello through HC_CONSOLE_WRITE\n";
static const char part1[] = "one line from ";
static const char part2[] = "two console writes\n";

static void check_result(long got, long want, const char *name)
{
	check(got == want, name, "returned %ld, expected %ld", got, want);
}

/* Every register but RAX comes back unchanged. */
static void check_preserved(void)
{
	register uint64_t r8 __asm__("r8") = 0x8888, r9 __asm__("r9") = 0x9999;
	register uint64_t r10 __asm__("r10") = 0xaaaa, r11 __asm__("r11") = 0xbbbb;
	register uint64_t r12 __asm__("r12") = 0xcccc, r13 __asm__("r13") = 0xdddd;
	register uint64_t r14 __asm__("r14") = 0xeeee, r15 __asm__("r15") = 0xffff;
	uint64_t rax = HC_VERSION, rbx = 0xb0b0, rcx = 0xc0c0, rdx = 0xd0d0, rsi = 0x5151, rdi = 0xd1d1;

	__asm__ volatile("vmcall"
			 : "+a"(rax), "+b"(rbx), "+c"(rcx), "+d"(rdx), "+S"(rsi), "+D"(rdi), "+r"(r8), "+r"(r9),
			   "+r"(r10), "+r"(r11), "+r"(r12), "+r"(r13), "+r"(r14), "+r"(r15)
			 :
			 : "memory");
	check(rbx == 0xb0b0 && rcx == 0xc0c0 && rdx == 0xd0d0 && rsi == 0x5151 && rdi == 0xd1d1 && r8 == 0x8888 &&
		      r9 == 0x9999 && r10 == 0xaaaa && r11 == 0xbbbb && r12 == 0xcccc && r13 == 0xdddd &&
		      r14 == 0xeeee && r15 == 0xffff,
	      "VMCALL preserves all registers but RAX",
	      "RBX %lx RCX %lx RDX %lx RSI %lx RDI %lx R8 %lx R9 %lx R10 %lx R11 %lx R12 %lx R13 %lx R14 %lx R15 %lx",
	      rbx, rcx, rdx, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15);
}

static const char controls[] = "tab\there, escape \x1b[1m, bell \x07, CRLF\r\n";

void guest_main(void)
{
	uint64_t ram = ram_size();
	unsigned failed;

	check_result(hc_version(), HV_VERSION_CODE, "HC_VERSION");
	check_result(hc_console_write(hello, sizeof(hello) - 1), sizeof(hello) - 1, "HC_CONSOLE_WRITE");
	check_result(hc_console_write(part1, sizeof(part1) - 1) + hc_console_write(part2, sizeof(part2) - 1),
		     sizeof(part1) + sizeof(part2) - 2, "HC_CONSOLE_WRITE in two parts");
	check_result(hc_console_write(hello, 0), 0, "HC_CONSOLE_WRITE of 0 bytes");

	check_result(hypercall(HC_CONSOLE_WRITE, ram, 1, 0), HC_EFAULT, "HC_CONSOLE_WRITE at the end of RAM: EFAULT");
	check_result(hypercall(HC_CONSOLE_WRITE, ram - 8, 16, 0), HC_EFAULT,
		     "HC_CONSOLE_WRITE crossing the end of RAM: EFAULT");
	check_result(hypercall(HC_CONSOLE_WRITE, 0x100000000UL, 1, 0), HC_EFAULT,
		     "HC_CONSOLE_WRITE at 4 GiB: EFAULT");
	check_result(hypercall(HC_CONSOLE_WRITE, ~0UL - 7, 16, 0), HC_EFAULT,
		     "HC_CONSOLE_WRITE with gpa+len wrapping: EFAULT");
	check_result(hypercall(HC_CONSOLE_WRITE, (uintptr_t)hello, HC_CONSOLE_MAX + 1, 0), HC_EINVAL,
		     "HC_CONSOLE_WRITE longer than HC_CONSOLE_MAX: EINVAL");
	check_result(hypercall(0x7777, 0, 0, 0), HC_ENOSYS, "unknown hypercall 0x7777: ENOSYS");
	check_result(hypercall(1UL << 32 | HC_VERSION, 0, 0, 0), HC_ENOSYS,
		     "hypercall 0x100000000 (not HC_VERSION): ENOSYS");
	check_preserved();
	/* hv prints control bytes escaped and drops CR (docs/devices.md). */
	hc_console_write(controls, sizeof(controls) - 1);

	failed = summary();
	if (failed)
		guest_exit(failed);
	/* No newline: hv flushes the partial line when the guest ends. */
	print("leaving through HC_EXIT(%d) after a partial line", EXIT_STATUS);
	hc_exit(EXIT_STATUS);
	check(false, "HC_EXIT ends the guest", "HC_EXIT returned");
	finish();
}
