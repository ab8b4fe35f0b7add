/* CPUID as hv presents it: a hypervisor with its own leaves, no VMX, the
 * calibrated TSC rate, and features it does not enable hidden (and, where
 * the VMX control is off, really unusable). */
#include "guest.h"

#define BIT(n) (1U << (n))

static int try_rdtscp(void)
{
	fault_arm();
	__asm__ volatile("1: rdtscp\n2:\n\t" FIXUP("1b", "2b") : : : "rax", "rcx", "rdx", "memory");
	return fault_vector;
}

/* INVPCID type 2: invalidate everything, globals included; harmless here. */
static int try_invpcid(void)
{
	static const uint64_t descriptor[2];

	fault_arm();
	__asm__ volatile("1: invpcid %0, %1\n2:\n\t" FIXUP("1b", "2b") : : "m"(descriptor), "r"(2UL) : "memory");
	return fault_vector;
}

/* A CPUID bit and the instruction behind it must agree: hidden means #UD
 * (VMX raises #UD when the enabling control is off), shown means it runs. */
static void check_feature(const char *feature, const char *name, bool shown, int fault)
{
	print("%s %s by CPUID\n", feature, shown ? "offered" : "hidden");
	check(shown ? fault == NO_FAULT : fault == X86_UD, name,
	      "CPUID says %s but executing it gave %s", shown ? "offered" : "hidden", fault_name(fault));
}

/* The exit path's cost: Bochs's TSC counts retired instructions, so the
 * ticks of a CPUID round trip (guest loop included) are exact and the same
 * on every run. docs/performance.md has the budget's history. */
#define ROUND_TRIPS 1000
#define ROUND_TRIP_BUDGET 150

static void check_round_trip_cost(void)
{
	uint64_t t0 = rdtsc(), ticks;

	for (int i = 0; i < ROUND_TRIPS; i++)
		cpuid(0, 0);
	ticks = (rdtsc() - t0) / ROUND_TRIPS;
	check(ticks <= ROUND_TRIP_BUDGET, "CPUID round trip within 150 ticks",
	      "%lu ticks per round trip", ticks);
	print("CPUID round trip %lu ticks\n", ticks);
}

void guest_main(void)
{
	struct cpuid r0 = cpuid(0, 0), r1 = cpuid(1, 0), hv = cpuid(0x40000000, 0);
	struct cpuid ver = cpuid(0x40000001, 0), tsc = cpuid(0x15, 0), freq = cpuid(0x16, 0);
	struct cpuid ext = cpuid(0x80000000, 0), ext1 = cpuid(0x80000001, 0);
	struct cpuid l7 = cpuid(7, 0), xsave1 = cpuid(0xd, 1);
	char sig[13];

	check(r0.eax >= 0x16, "max basic leaf >= 0x16", "leaf 0 EAX 0x%x", r0.eax);
	check(r1.ecx & BIT(31), "leaf 1 ECX[31] hypervisor present", "ECX 0x%x", r1.ecx);
	check(!(r1.ecx & BIT(5)), "leaf 1 ECX[5] VMX hidden", "ECX 0x%x", r1.ecx);

	check(hv.eax == 0x40000001, "leaf 0x40000000 max hypervisor leaf 0x40000001", "EAX 0x%x", hv.eax);
	for (int i = 0; i < 4; i++) {
		sig[i] = (char)(hv.ebx >> 8 * i);
		sig[4 + i] = (char)(hv.ecx >> 8 * i);
		sig[8 + i] = (char)(hv.edx >> 8 * i);
	}
	sig[12] = '\0';
	check(hv.ebx == 0x79687668 && hv.ecx == 0x76726570 && hv.edx == 0x726f7369,
	      "leaf 0x40000000 signature hvhypervisor", "EBX 0x%x ECX 0x%x EDX 0x%x", hv.ebx, hv.ecx, hv.edx);
	print("hypervisor signature '%s', version 0x%x\n", sig, ver.eax);
	check(ver.eax == HV_VERSION_CODE, "leaf 0x40000001 version", "EAX 0x%x, expected 0x%x", ver.eax,
	      HV_VERSION_CODE);

	/* The boot case matches the figure against the calibration (Bochs: ~4 MHz). */
	print("leaf 0x15 TSC %u Hz, leaf 0x16 %u MHz\n", tsc.ecx, freq.eax);
	check(tsc.eax == 1 && tsc.ebx == 1 && tsc.ecx != 0, "leaf 0x15 ratio 1/1 and TSC Hz",
	      "EAX %u EBX %u ECX %u", tsc.eax, tsc.ebx, tsc.ecx);
	check(freq.eax == (tsc.ecx + 500000) / 1000000 || freq.eax == tsc.ecx / 1000000,
	      "leaf 0x16 MHz matches leaf 0x15", "leaf 0x16 EAX %u, leaf 0x15 ECX %u", freq.eax, tsc.ecx);

	if (check(ext.eax >= 0x80000001, "max extended leaf >= 0x80000001", "EAX 0x%x", ext.eax))
		check_feature("RDTSCP", "RDTSCP matches CPUID 0x80000001 EDX[27]", ext1.edx & BIT(27), try_rdtscp());
	check_feature("INVPCID", "INVPCID matches CPUID 7 EBX[10]", l7.ebx & BIT(10), try_invpcid());
	/* XSAVES needs CR4.OSXSAVE and a set-up XSS to execute; CPUID alone here. */
	check(!(xsave1.eax & BIT(3)), "leaf 0xd.1 EAX[3] XSAVES hidden", "EAX 0x%x", xsave1.eax);
	check_round_trip_cost();
}
