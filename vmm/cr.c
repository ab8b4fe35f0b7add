/* Control-register accesses. The guest/host masks give us the CR0 and CR4
 * bits VMX fixes (CR0.NE, CR4.VMXE, unsupported bits); a write touching
 * them exits here. The guest reads back what it wrote (the read shadow),
 * while the real register keeps what VMX needs (SDM Vol. 3C 26.3, 28.3). */
#include "arch/x86/cpu.h"
#include "arch/x86/msr.h"
#include "vmm/exit.h"
#include "vmm/irq.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"
#include "vmm/vmcs.h"
#include "vmm/vmx_defs.h"
#include "vmm/vmx_ops.h"

#define CR0_LMSW_BITS (CR0_PE | CR0_MP | CR0_EM | CR0_TS)
#define CR_UPPER_RESERVED 0xffffffff00000000ULL
#define CR8_TPR_MASK 0xfULL
#define CR8_TPR_SHIFT 4

/* A CR0 write that exits and toggles PG with EFER.LME set enters or leaves
 * IA-32e mode: do what the CPU would, EFER.LMA and the entry control that
 * mirrors it (SDM Vol. 3A 10.8.5, Vol. 3C 25.8.1). */
static void follow_long_mode(uint64_t old_cr0, uint64_t new_cr0)
{
	uint64_t efer = vmcs_read(GUEST_IA32_EFER), entry = vmcs_read(VMCS_ENTRY_CTLS);

	if (!(efer & EFER_LME) || !((old_cr0 ^ new_cr0) & CR0_PG))
		return;
	if (new_cr0 & CR0_PG) {
		efer |= EFER_LMA;
		entry |= ENTRY_CTL_IA32E_MODE;
	} else {
		efer &= ~EFER_LMA;
		entry &= ~(uint64_t)ENTRY_CTL_IA32E_MODE;
	}
	vmcs_write(GUEST_IA32_EFER, efer);
	vmcs_write(VMCS_ENTRY_CTLS, entry);
}

/* MOV to CR0: the checks a CPU makes before it faults (SDM Vol. 3A 2.5). */
static bool guest_write_cr0(uint64_t value)
{
	if ((value & CR_UPPER_RESERVED) || ((value & CR0_PG) && !(value & CR0_PE)) ||
	    ((value & CR0_NW) && !(value & CR0_CD)))
		return false;
	follow_long_mode(vmcs_guest_cr0(), value);
	vmcs_write(VMCS_CR0_READ_SHADOW, value);
	vmcs_write(GUEST_CR0, vmcs_cr0_real(value));
	return true;
}

/* MOV to CR4: bits this CPU lacks, and VMXE (guests get no VMX), #GP. */
static bool guest_write_cr4(uint64_t value)
{
	if (value & vmcs_cr4_host_owned())
		return false;
	vmcs_write(VMCS_CR4_READ_SHADOW, value);
	vmcs_write(GUEST_CR4, vmcs_cr4_real(value));
	return true;
}

static bool mov_to_cr(struct vcpu *vcpu, unsigned int cr, uint64_t value)
{
	switch (cr) {
	case 0:
		return guest_write_cr0(value);
	case 3:
		vmcs_write(GUEST_CR3, value);
		return true;
	case 4:
		return guest_write_cr4(value);
	case 8:
		/* CR8 is TPR[7:4] of the vCPU's local APIC (SDM Vol. 3A 11.8.6). */
		if (value & ~CR8_TPR_MASK)
			return false;
		vlapic_write(&vcpu->lapic, VLAPIC_REG_TPR, (uint32_t)value << CR8_TPR_SHIFT, rdtsc());
		irq_mark_dirty(vcpu);
		return true;
	default:
		return false;
	}
}

static uint64_t mov_from_cr(struct vcpu *vcpu, unsigned int cr)
{
	uint32_t tpr = 0;

	if (cr == 3)
		return vmcs_read(GUEST_CR3);
	vlapic_read(&vcpu->lapic, VLAPIC_REG_TPR, &tpr, rdtsc());
	return tpr >> CR8_TPR_SHIFT;
}

void exit_cr_access(struct vcpu *vcpu, uint64_t qual)
{
	unsigned int cr = qual & CR_QUAL_NUMBER_MASK;
	unsigned int type = (qual >> CR_QUAL_TYPE_SHIFT) & CR_QUAL_TYPE_MASK;
	enum gpr reg = (enum gpr)((qual >> CR_QUAL_GPR_SHIFT) & CR_QUAL_GPR_MASK);
	uint64_t cr0 = vmcs_guest_cr0();
	bool ok = true;

	switch (type) {
	case CR_QUAL_TYPE_MOV_TO:
		ok = mov_to_cr(vcpu, cr, vcpu_gpr(vcpu, reg));
		break;
	case CR_QUAL_TYPE_MOV_FROM:
		vcpu_set_gpr(vcpu, reg, mov_from_cr(vcpu, cr));
		break;
	case CR_QUAL_TYPE_CLTS:
		ok = guest_write_cr0(cr0 & ~CR0_TS);
		break;
	default: /* LMSW: sets PE but never clears it */
		ok = guest_write_cr0((cr0 & ~(CR0_LMSW_BITS & ~CR0_PE)) |
			       ((qual >> CR_QUAL_LMSW_SHIFT) & CR0_LMSW_BITS));
		break;
	}
	if (!ok) {
		vcpu_inject_exception(vcpu, VECTOR_GP, true, 0);
		return;
	}
	vcpu_skip_instruction(vcpu);
}
