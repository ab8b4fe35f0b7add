/* XSETBV: with CR4.OSXSAVE set, XCR0 takes the values a real CPU accepts
 * and the invalid ones raise #GP, judged against CPUID 0xD as the guest sees
 * it. Without XSAVE in CPUID, CR4.OSXSAVE itself must refuse to be set. */
#include "guest.h"

#define XCR0_X87 (1UL << 0)
#define XCR0_SSE (1UL << 1)
#define XCR0_AVX (1UL << 2)

static void check_xcr0(uint64_t value, bool valid, const char *name)
{
	int fault = xsetbv_safe(0, value);

	if (valid)
		check(fault == NO_FAULT && xgetbv(0) == value, name, "%s, XCR0 reads 0x%lx", fault_name(fault),
		      xgetbv(0));
	else
		check(fault == X86_GP, name, "got %s", fault_name(fault));
}

void guest_main(void)
{
	struct cpuid r1 = cpuid(1, 0), xd;
	unsigned long cr4 = read_cr4();
	uint64_t supported;
	int fault, bit;

	if (!(r1.ecx & (1U << 26))) {
		print("CPUID.1:ECX.XSAVE is 0\n");
		fault = write_cr4_safe(cr4 | CR4_OSXSAVE);
		check(fault == X86_GP, "CR4.OSXSAVE refused without XSAVE", "got %s", fault_name(fault));
		return;
	}
	fault = write_cr4_safe(cr4 | CR4_OSXSAVE);
	if (!check(fault == NO_FAULT && (read_cr4() & CR4_OSXSAVE), "CR4.OSXSAVE sets", "%s, CR4 0x%lx",
		   fault_name(fault), read_cr4()))
		return;
	/* CPUID reflects the guest's CR4, not hv's. */
	check(cpuid(1, 0).ecx & (1U << 27), "CPUID.1:ECX.OSXSAVE follows CR4.OSXSAVE", "ECX 0x%x", cpuid(1, 0).ecx);

	xd = cpuid(0xd, 0);
	supported = (uint64_t)xd.edx << 32 | xd.eax;
	print("XCR0 0x%lx at start, CPUID 0xd supports 0x%lx\n", xgetbv(0), supported);

	check_xcr0(XCR0_X87 | XCR0_SSE, true, "XCR0 = 3 (x87, SSE) accepted");
	if (supported & XCR0_AVX)
		check_xcr0(XCR0_X87 | XCR0_SSE | XCR0_AVX, true, "XCR0 = 7 (x87, SSE, AVX) accepted");
	check_xcr0(XCR0_SSE, false, "XCR0 without x87 raises #GP");
	check_xcr0(XCR0_X87 | XCR0_AVX, false, "XCR0 with AVX but not SSE raises #GP");
	bit = 0;
	while (bit < 63 && (supported & (1UL << bit)))
		bit++;
	print("bit %d is not supported\n", bit);
	check_xcr0(XCR0_X87 | XCR0_SSE | 1UL << bit, false, "XCR0 with an unsupported bit raises #GP");
	fault = xsetbv_safe(1, XCR0_X87);
	check(fault == X86_GP, "XSETBV to XCR1 raises #GP", "got %s", fault_name(fault));
	check(xgetbv(0) == (XCR0_X87 | XCR0_SSE | (supported & XCR0_AVX)), "XCR0 unchanged by refused writes",
	      "XCR0 0x%lx", xgetbv(0));
}
