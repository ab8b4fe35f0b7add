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

void exit_vmcall(struct vcpu *vcpu, uint64_t qualification)
{
	uint64_t *r = vcpu->regs.gpr;
	int64_t ret;

	(void)qualification;
	switch (r[GPR_RAX]) {
	case HC_VERSION:
		ret = HV_VERSION_CODE;
		break;
	case HC_CONSOLE_WRITE:
		ret = hc_console_write(vcpu, r[GPR_RDI], r[GPR_RSI]);
		break;
	case HC_EXIT:
		vm_exit(vcpu->vm, (uint32_t)r[GPR_RDI]);
		return;
	default:
		ret = HC_ENOSYS;
		break;
	}
	r[GPR_RAX] = (uint64_t)ret;
	vcpu_skip_instruction(vcpu);
}
