/* XSETBV: the guest's XCR0 is checked as the CPU would (SDM Vol. 1 13.3,
 * Vol. 2C XSETBV) and then set on the real CPU, where it stays while the
 * guest runs. */
#include "arch/x86/cpu.h"
#include "vmm/exit.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"
#include "vmm/vmcs.h"
#include "vmm/vmx_ops.h"

#define LEAF_XSAVE 0xd
#define XCR0_X87 BIT(0)
#define XCR0_SSE BIT(1)
#define XCR0_AVX BIT(2)
#define XCR0_BNDREGS BIT(3)
#define XCR0_BNDCSR BIT(4)
#define XCR0_AVX512 (BIT(5) | BIT(6) | BIT(7))

static uint64_t xcr0_supported(void)
{
	struct cpuid_regs r = cpuid(LEAF_XSAVE, 0);

	return (((uint64_t)r.edx << 32) | r.eax) & GUEST_XCR0_MASK;
}

static bool xcr0_valid(uint64_t v)
{
	if (!(v & XCR0_X87) || (v & ~xcr0_supported()))
		return false;
	if ((v & XCR0_AVX) && !(v & XCR0_SSE))
		return false;
	if (!!(v & XCR0_BNDREGS) != !!(v & XCR0_BNDCSR))
		return false;
	if ((v & XCR0_AVX512) && ((v & XCR0_AVX512) != XCR0_AVX512 || !(v & XCR0_AVX)))
		return false;
	return true;
}

void exit_xsetbv(struct vcpu *vcpu, uint64_t qualification)
{
	uint32_t xcr = (uint32_t)vcpu->regs.gpr[GPR_RCX];
	uint64_t v = (vcpu->regs.gpr[GPR_RDX] << 32) | (uint32_t)vcpu->regs.gpr[GPR_RAX];

	(void)qualification;
	if (!(vmcs_guest_cr4() & CR4_OSXSAVE)) {
		vcpu_inject_exception(vcpu, VECTOR_UD, false, 0);
		return;
	}
	if (xcr != 0 || !xcr0_valid(v)) {
		vcpu_inject_exception(vcpu, VECTOR_GP, true, 0);
		return;
	}
	xsetbv0(v);
	vcpu->xcr0 = v;
	vcpu_skip_instruction(vcpu);
}
