/* MSRs: the harmless ones work as on hardware; sensitive or unknown ones
 * raise #GP, which this guest's own IDT catches. */
#include "guest.h"

#define IA32_TSC 0x10
#define IA32_APIC_BASE 0x1b
#define APIC_BASE_ENABLE (1UL << 11)
#define IA32_FEATURE_CONTROL 0x3a
#define IA32_VMX_BASIC 0x480
#define IA32_VMX_LAST 0x491 /* IA32_VMX_VMFUNC */
#define IA32_PAT 0x277
#define IA32_EFER 0xc0000080
#define UNKNOWN_MSR 0x12345678

/* Writes a value, reads it back, restores the old one. */
static void check_read_write(uint32_t msr, uint64_t value, const char *name)
{
	uint64_t old = 0, now = 0;
	int f1 = rdmsr_safe(msr, &old);
	int f2 = wrmsr_safe(msr, value);
	int f3 = rdmsr_safe(msr, &now);
	int f4 = wrmsr_safe(msr, old);

	check(f1 == NO_FAULT && f2 == NO_FAULT && f3 == NO_FAULT && f4 == NO_FAULT && now == value, name,
	      "rdmsr %s, wrmsr %s, rdmsr %s (0x%lx, wrote 0x%lx), restore %s", fault_name(f1), fault_name(f2),
	      fault_name(f3), now, value, fault_name(f4));
}

static void check_gp(int fault, const char *name)
{
	check(fault == X86_GP, name, "got %s", fault_name(fault));
}

void guest_main(void)
{
	uint64_t v = 0, t1 = 0, t2 = 0, apic = 0;
	uint32_t msr;
	int fault;

	fault = rdmsr_safe(IA32_TSC, &t1);
	rdmsr_safe(IA32_TSC, &t2);
	check(fault == NO_FAULT && t2 > t1, "rdmsr IA32_TSC counts up", "%s, 0x%lx then 0x%lx", fault_name(fault), t1, t2);
	fault = rdmsr_safe(IA32_EFER, &v);
	check(fault == NO_FAULT, "rdmsr IA32_EFER", "%s", fault_name(fault));
	/* Entry 7 from UC (0x00) to WC (0x01): no mapping of this guest uses it. */
	check_read_write(IA32_PAT, 0x0107040600070406UL, "IA32_PAT write reads back");
	check_read_write(0xc0000100, 0x1000, "FS_BASE write reads back");
	check_read_write(0xc0000101, 0x2000, "GS_BASE write reads back");
	check_read_write(0xc0000102, 0x3000, "KERNEL_GS_BASE write reads back");
	check_read_write(0xc0000081, 0x0023001000000000UL, "STAR write reads back");
	check_read_write(0xc0000082, 0x101000, "LSTAR write reads back");
	check_read_write(0xc0000083, 0x102000, "CSTAR write reads back");
	check_read_write(0xc0000084, 0x47700, "SFMASK write reads back");
	check_read_write(0x174, 0x10, "SYSENTER_CS write reads back");
	check_read_write(0x175, 0x104000, "SYSENTER_ESP write reads back");
	check_read_write(0x176, 0x105000, "SYSENTER_EIP write reads back");

	check_gp(wrmsr_safe(IA32_FEATURE_CONTROL, 0x5), "wrmsr IA32_FEATURE_CONTROL raises #GP");
	msr = IA32_VMX_BASIC;
	while (msr <= IA32_VMX_LAST && (fault = rdmsr_safe(msr, &v)) == X86_GP)
		msr++;
	check(msr > IA32_VMX_LAST, "rdmsr IA32_VMX_* 0x480-0x491 raise #GP", "rdmsr 0x%x gave %s", msr,
	      fault_name(fault));
	check_gp(rdmsr_safe(UNKNOWN_MSR, &v), "rdmsr unknown 0x12345678 raises #GP");
	check_gp(wrmsr_safe(UNKNOWN_MSR, 0), "wrmsr unknown 0x12345678 raises #GP");
	fault = rdmsr_safe(IA32_APIC_BASE, &apic);
	check(fault == NO_FAULT && (apic & APIC_BASE_ENABLE), "rdmsr IA32_APIC_BASE, APIC enabled",
	      "%s, 0x%lx", fault_name(fault), apic);
	/* The APIC is virtual: turning it off and on again touches only ours
	 * (Bochs would never turn a real one back on). */
	{
		uint64_t off = 0, on = 0;
		bool ok = wrmsr_safe(IA32_APIC_BASE, apic & ~APIC_BASE_ENABLE) == NO_FAULT &&
			  rdmsr_safe(IA32_APIC_BASE, &off) == NO_FAULT &&
			  wrmsr_safe(IA32_APIC_BASE, apic) == NO_FAULT &&
			  rdmsr_safe(IA32_APIC_BASE, &on) == NO_FAULT;

		check(ok && !(off & APIC_BASE_ENABLE) && on == apic,
		      "IA32_APIC_BASE disables and re-enables the virtual APIC",
		      "off 0x%lx on 0x%lx", off, on);
	}
}
