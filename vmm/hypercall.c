/* Hypercalls (docs/hypercalls.md, include/vmm/hypercall_abi.h). Guest
 * pointers are checked against the guest's RAM before use: a bad one is an
 * error code for the guest, never a fault in the hypervisor. */
#include "vmm/hypercall_abi.h"

#include "vmm/exit.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"
#include "vmm/vuart.h"


static int64_t hc_console_write(struct vcpu *vcpu, uint64_t gpa, uint64_t len)
{
	const char *text;

	if (len > HC_CONSOLE_MAX)
		return HC_EINVAL;
	text = vm_gpa_to_hva(vcpu->vm, gpa, len);
	if (!text)
		return HC_EFAULT;
	vuart_output(vcpu->vm, text, len);
	return (int64_t)len;
}

/* Outside 64-bit mode the upper halves of the registers are not the
 * guest's to set: only EAX, EDI, ESI and EDX count. */
static uint64_t arg_mask(void)
{
	bool long_mode = vmcs_read(GUEST_CS_AR) & AR_L;

	return long_mode ? UINT64_MAX : UINT32_MAX;
}

void exit_vmcall(struct vcpu *vcpu, uint64_t qualification)
{
	uint64_t *r = vcpu->regs.gpr;
	uint64_t mask = arg_mask();
	int64_t ret;

	(void)qualification;
	switch (r[GPR_RAX] & mask) {
	case HC_VERSION:
		ret = HV_VERSION_CODE;
		break;
	case HC_CONSOLE_WRITE:
		ret = hc_console_write(vcpu, r[GPR_RDI] & mask, r[GPR_RSI] & mask);
		break;
	case HC_EXIT:
		vm_exit(vcpu->vm, (uint32_t)r[GPR_RDI]);
		return;
	default:
		ret = HC_ENOSYS;
		break;
	}
	r[GPR_RAX] = (uint64_t)ret & mask;
	vcpu_skip_instruction(vcpu);
}
