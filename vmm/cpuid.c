/* CPUID as guests see it: the real CPU's answers, minus what the hypervisor
 * does not virtualize (VMX, SMX, MONITOR, the PMU, features whose VMCS
 * controls are off), plus the virtual local APIC (x2APIC, TSC-deadline),
 * the hypervisor leaves and the TSC frequency in leaves
 * 0x15/0x16, which Linux trusts over its own calibration. */
#include "arch/x86/cpu.h"
#include "drivers/tsc.h"
#include "vmm/exit.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"
#include "vmm/vmcs.h"
#include "vmm/vmx_ops.h"

#define LEAF_FEATURES 0x1
#define LEAF_POWER 0x6
#define LEAF_EXT_FEATURES 0x7
#define LEAF_PMU 0xa
#define LEAF_XSAVE 0xd
#define LEAF_SGX 0x12
#define LEAF_PT 0x14
#define LEAF_TSC 0x15
#define LEAF_FREQ 0x16
#define LEAF_HV_BASE 0x40000000
#define LEAF_HV_VERSION 0x40000001
#define LEAF_HV_LAST 0x4fffffff
#define LEAF_EXT_BASE 0x80000000
#define LEAF_EXT_FEATURES_8 0x80000001

/* Leaf 1 */
#define ECX_MONITOR BIT(3)
#define ECX_SMX BIT(6)
#define ECX_PDCM BIT(15)
#define ECX_OSXSAVE BIT(27)
#define EDX_MCE BIT(7)
#define EDX_APIC BIT(9)
#define EDX_MCA BIT(14)
#define EDX_ACPI BIT(22) /* thermal monitor MSRs */
/* Leaf 7.0 */
#define EBX7_TSC_ADJUST BIT(1) /* no IA32_TSC_ADJUST MSR for guests */
#define EBX7_SGX BIT(2)
#define EBX7_MPX BIT(14)
/* AVX-512 (F, DQ, IFMA, PF, ER, CD, BW, VL): its state is not offered */
#define EBX7_AVX512 (BIT(16) | BIT(17) | BIT(21) | BIT(26) | BIT(27) | BIT(28) | BIT(30) | BIT(31))
#define ECX7_AVX512 (BIT(1) | BIT(6) | BIT(11) | BIT(12) | BIT(14))
#define EDX7_AVX512 (BIT(2) | BIT(3) | BIT(8) | BIT(23))
#define EBX7_INVPCID BIT(10)
#define EBX7_PT BIT(25)
#define ECX7_WAITPKG BIT(5)
/* Leaf 0xD.1 */
#define EAX_D1_XSAVES BIT(3)
/* Leaf 0x80000001 */
#define EDX8_RDTSCP BIT(27)


/* "hvhypervisor" in EBX, ECX, EDX */
#define HV_SIGNATURE_EBX 0x79687668u
#define HV_SIGNATURE_ECX 0x76726570u
#define HV_SIGNATURE_EDX 0x726f7369u

static void filter_features(struct cpuid_regs *r)
{
	r->ecx &= ~(uint32_t)(CPUID1_ECX_VMX | ECX_SMX | ECX_MONITOR | ECX_PDCM | ECX_OSXSAVE);
	/* Every vCPU has a virtual local APIC with x2APIC and TSC-deadline. */
	r->ecx |= CPUID1_ECX_HYPERVISOR | CPUID1_ECX_X2APIC | CPUID1_ECX_TSC_DEADLINE;
	r->edx |= EDX_APIC;
	/* No machine-check or thermal MSRs for guests. */
	r->edx &= ~(uint32_t)(EDX_MCE | EDX_MCA | EDX_ACPI);
	/* OSXSAVE mirrors the guest's CR4, not ours. */
	if (vmcs_guest_cr4() & CR4_OSXSAVE)
		r->ecx |= ECX_OSXSAVE;
}

static void hypervisor_leaf(uint32_t leaf, struct cpuid_regs *r)
{
	*r = (struct cpuid_regs){ 0 };
	if (leaf == LEAF_HV_BASE)
		*r = (struct cpuid_regs){ LEAF_HV_VERSION, HV_SIGNATURE_EBX, HV_SIGNATURE_ECX,
					  HV_SIGNATURE_EDX };
	else if (leaf == LEAF_HV_VERSION)
		r->eax = HV_VERSION_CODE;
}

static uint32_t max_basic_leaf;

void cpuid_init(void)
{
	max_basic_leaf = cpuid_max_leaf();
}

/* Leaf 0xD for the components guests get (GUEST_XCR0_MASK): sizes from
 * the components' own sub-leaves, so the totals match (SDM Vol. 1 13.2). */
#define XSAVE_LEGACY_AND_HEADER 576
#define XSAVE_SUBLEAF_FIRST_COMPONENT 2

static uint32_t xsave_size(uint64_t xcr0)
{
	uint32_t size = XSAVE_LEGACY_AND_HEADER;

	for (uint32_t c = XSAVE_SUBLEAF_FIRST_COMPONENT; c < 64; c++) {
		if (xcr0 & BIT(c)) {
			struct cpuid_regs r = cpuid(LEAF_XSAVE, c);

			size = MAX(size, r.ebx + r.eax);
		}
	}
	return size;
}

static void xsave_leaf(const struct vcpu *vcpu, uint32_t subleaf, struct cpuid_regs *r)
{
	uint64_t offered = (((uint64_t)r->edx << 32) | r->eax) & GUEST_XCR0_MASK;

	if (subleaf == 0) {
		r->eax = (uint32_t)offered;
		r->edx = 0;
		r->ebx = xsave_size(vcpu->xcr0 & offered);
		r->ecx = xsave_size(offered);
	} else if (subleaf == 1) {
		r->eax &= ~(uint32_t)EAX_D1_XSAVES;
		r->ebx = xsave_size(vcpu->xcr0);
		r->ecx = r->edx = 0;
	} else if (subleaf >= 64 || !(GUEST_XCR0_MASK & BIT(subleaf))) {
		*r = (struct cpuid_regs){ 0 };
	}
}

static struct cpuid_regs tsc_leaf(uint32_t leaf)
{
	uint32_t mhz = (uint32_t)(tsc_hz() / 1000000);

	if (leaf == LEAF_TSC)
		return (struct cpuid_regs){ 1, 1, (uint32_t)tsc_hz(), 0 };
	return (struct cpuid_regs){ mhz, mhz, 0, 0 };
}

/* The real answer, filtered. The common case (a leaf the CPU has) comes
 * first: CPUID is the exit guests take most while they boot. */
static struct cpuid_regs filter_leaf(const struct vcpu *vcpu, uint32_t leaf, uint32_t subleaf,
				     struct cpuid_regs r)
{
	switch (leaf) {
	case 0:
		r.eax = MAX(max_basic_leaf, (uint32_t)LEAF_FREQ);
		break;
	case LEAF_FEATURES:
		filter_features(&r);
		break;
	case LEAF_EXT_FEATURES:
		if (subleaf == 0) {
			r.ebx &= ~(uint32_t)(EBX7_TSC_ADJUST | EBX7_SGX | EBX7_MPX | EBX7_INVPCID |
					     EBX7_PT | EBX7_AVX512);
			r.ecx &= ~(uint32_t)(ECX7_WAITPKG | ECX7_AVX512);
			r.edx &= ~(uint32_t)EDX7_AVX512;
		}
		break;
	case LEAF_XSAVE:
		xsave_leaf(vcpu, subleaf, &r);
		break;
	case LEAF_POWER: /* no thermal or APERF/MPERF MSRs for guests */
	case LEAF_PMU:
	case LEAF_SGX:
	case LEAF_PT:
		r = (struct cpuid_regs){ 0 };
		break;
	case LEAF_TSC:
	case LEAF_FREQ:
		r = tsc_leaf(leaf);
		break;
	case LEAF_EXT_FEATURES_8:
		r.edx &= ~(uint32_t)EDX8_RDTSCP;
		break;
	default:
		break;
	}
	return r;
}

static struct cpuid_regs guest_cpuid(const struct vcpu *vcpu, uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_regs r = { 0 };

	if (leaf <= max_basic_leaf || leaf >= LEAF_EXT_BASE)
		return filter_leaf(vcpu, leaf, subleaf, cpuid(leaf, subleaf));
	if (leaf == LEAF_TSC || leaf == LEAF_FREQ)
		return tsc_leaf(leaf);
	if (leaf >= LEAF_HV_BASE && leaf <= LEAF_HV_LAST)
		hypervisor_leaf(leaf, &r);
	return r;
}

void exit_cpuid(struct vcpu *vcpu, uint64_t qualification)
{
	struct cpuid_regs r = guest_cpuid(vcpu, (uint32_t)vcpu->regs.gpr[GPR_RAX],
					  (uint32_t)vcpu->regs.gpr[GPR_RCX]);

	(void)qualification;
	/* CPUID writes EAX-EDX and zeroes their upper halves. */
	vcpu->regs.gpr[GPR_RAX] = r.eax;
	vcpu->regs.gpr[GPR_RBX] = r.ebx;
	vcpu->regs.gpr[GPR_RCX] = r.ecx;
	vcpu->regs.gpr[GPR_RDX] = r.edx;
	vcpu_skip_instruction(vcpu);
}
