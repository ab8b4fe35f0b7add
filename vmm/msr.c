/* MSR policy. A guest reads and writes directly the MSRs that are its own
 * state (segment bases, SYSCALL/SYSENTER, PAT: the VMCS or vcpu_load/put
 * switch them), reads a few harmless ones, and gets the rest emulated or
 * refused with #GP, as a CPU without that MSR would. */
#include "vmm/msr_policy.h"

#include "arch/x86/cpu.h"
#include "arch/x86/msr.h"
#include "lib/string.h"
#include "vmm/exit.h"
#include "vmm/lapic.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"
#include "vmm/vmx_ops.h"

#define BITMAP_READ_LOW 0x000
#define BITMAP_READ_HIGH 0x400
#define BITMAP_WRITE_LOW 0x800
#define BITMAP_WRITE_HIGH 0xc00
#define MSR_HIGH_BASE 0xc0000000u
#define MSR_RANGE_SIZE 0x2000u

#define EFER_GUEST_WRITABLE (EFER_SCE | EFER_LME | EFER_NXE)

static const uint32_t guest_owned[] = {
	MSR_FS_BASE, MSR_GS_BASE, MSR_KERNEL_GS_BASE, MSR_STAR, MSR_LSTAR, MSR_CSTAR, MSR_SFMASK,
	MSR_IA32_SYSENTER_CS, MSR_IA32_SYSENTER_ESP, MSR_IA32_SYSENTER_EIP, MSR_IA32_PAT,
};

/* Reading these tells the guest nothing about the host or other guests. */
static const uint32_t read_only[] = { MSR_IA32_TSC, MSR_IA32_EFER };

static void allow(uint8_t *bitmap, uint32_t msr, bool write)
{
	uint32_t base = msr >= MSR_HIGH_BASE ? MSR_HIGH_BASE : 0;
	uint32_t off = write ? (base ? BITMAP_WRITE_HIGH : BITMAP_WRITE_LOW) :
			       (base ? BITMAP_READ_HIGH : BITMAP_READ_LOW);
	uint32_t bit = msr - base;

	bitmap[off + bit / 8] &= (uint8_t)~(1u << (bit % 8));
}

void msr_policy_build_bitmap(uint8_t *bitmap)
{
	memset(bitmap, 0xff, 4 * (MSR_RANGE_SIZE / 8));
	for (size_t i = 0; i < ARRAY_SIZE(guest_owned); i++) {
		allow(bitmap, guest_owned[i], false);
		allow(bitmap, guest_owned[i], true);
	}
	for (size_t i = 0; i < ARRAY_SIZE(read_only); i++)
		allow(bitmap, read_only[i], false);
}

/* MSRs every Intel CPU has that kernels read without checking, answered
 * with what a plain CPU would say (SDM Vol. 4 table 2-2). */
#define MISC_ENABLE_FAST_STRINGS BIT(0)
#define MISC_ENABLE_BTS_UNAVAILABLE BIT(11)
#define MISC_ENABLE_PEBS_UNAVAILABLE BIT(12)
/* A revision past the TSC-deadline errata Linux checks for (it would
 * otherwise switch off the TSC-deadline timer we provide). */
#define MICROCODE_REVISION 0xffffffffULL
#define MTRR_DEF_TYPE_ENABLE BIT(11)
#define MTRR_TYPE_WB 6
#define BIOS_SIGN_ID_REVISION_SHIFT 32

static bool cpu_info_rdmsr(uint32_t msr, uint64_t *value)
{
	switch (msr) {
	case MSR_IA32_MISC_ENABLE:
		*value = MISC_ENABLE_FAST_STRINGS | MISC_ENABLE_BTS_UNAVAILABLE |
			 MISC_ENABLE_PEBS_UNAVAILABLE;
		return true;
	case MSR_IA32_BIOS_SIGN_ID:
		*value = MICROCODE_REVISION << BIOS_SIGN_ID_REVISION_SHIFT;
		return true;
	case MSR_IA32_PLATFORM_ID:
	case MSR_IA32_MTRRCAP: /* no variable or fixed MTRRs to program */
		*value = 0;
		return true;
	case MSR_IA32_MTRR_DEF_TYPE: /* MTRRs on, everything write-back: EPT's type */
		*value = MTRR_DEF_TYPE_ENABLE | MTRR_TYPE_WB;
		return true;
	default:
		return false;
	}
}

static void refuse(struct vcpu *vcpu, const char *op, uint32_t msr)
{
	vm_log(vcpu->vm, "%s of MSR 0x%x not allowed: #GP injected", op, msr);
	vcpu_inject_exception(vcpu, VECTOR_GP, true, 0);
}

void exit_rdmsr(struct vcpu *vcpu, uint64_t qualification)
{
	uint32_t msr = (uint32_t)vcpu->regs.gpr[GPR_RCX];
	uint64_t value;
	bool fault;

	(void)qualification;
	if (!cpu_info_rdmsr(msr, &value) && (!lapic_rdmsr(vcpu, msr, &value, &fault) || fault)) {
		refuse(vcpu, "RDMSR", msr);
		return;
	}
	vcpu->regs.gpr[GPR_RAX] = (uint32_t)value;
	vcpu->regs.gpr[GPR_RDX] = value >> 32;
	vcpu_skip_instruction(vcpu);
}

/* EFER: LMA follows CR0.PG and LME (the CPU sets it), the rest must be bits
 * we let guests use. */
static bool write_efer(uint64_t value)
{
	uint64_t lma = vmcs_read(GUEST_IA32_EFER) & EFER_LMA;

	if (value & ~(EFER_GUEST_WRITABLE | EFER_LMA))
		return false;
	vmcs_write(GUEST_IA32_EFER, (value & EFER_GUEST_WRITABLE) | lma);
	return true;
}

void exit_wrmsr(struct vcpu *vcpu, uint64_t qualification)
{
	uint32_t msr = (uint32_t)vcpu->regs.gpr[GPR_RCX];
	uint64_t value = (vcpu->regs.gpr[GPR_RDX] << 32) | (uint32_t)vcpu->regs.gpr[GPR_RAX];
	bool ok, fault;

	(void)qualification;
	if (msr == MSR_IA32_EFER)
		ok = write_efer(value);
	else if (msr == MSR_IA32_BIOS_SIGN_ID || msr == MSR_IA32_MISC_ENABLE ||
		 msr == MSR_IA32_MTRR_DEF_TYPE)
		ok = true; /* a microcode-revision probe; the others stay as they read */
	else
		ok = lapic_wrmsr(vcpu, msr, value, &fault) && !fault;
	if (!ok) {
		refuse(vcpu, "WRMSR", msr);
		return;
	}
	vcpu_skip_instruction(vcpu);
}
