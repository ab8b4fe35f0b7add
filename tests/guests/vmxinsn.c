/* VMX is not offered to guests: every VMX instruction raises #UD. In VMX
 * non-root operation each one exits to hv unconditionally, so hv must inject
 * the #UD (VMFUNC with VM functions disabled raises #UD without an exit). */
#include "guest.h"

/* Operand memory for the instructions that take one: a VMCS-sized region
 * and an INVEPT/INVVPID descriptor. Nothing valid: it must not matter. */
static uint8_t region[4096] __attribute__((aligned(4096)));
static uint64_t descriptor[2];
static const uint64_t region_addr = 0x100000; /* a "physical address" operand */

#define VMX_TRY(fn, insn, ...)                                                                         \
	static int fn(void)                                                                             \
	{                                                                                               \
		fault_arm();                                                                            \
		__asm__ volatile("1: " insn "\n2:\n\t" FIXUP("1b", "2b") : : __VA_ARGS__ : "memory", "cc"); \
		return fault_vector;                                                                    \
	}

VMX_TRY(try_vmxon, "vmxon %0", "m"(region_addr))
VMX_TRY(try_vmxoff, "vmxoff", "i"(0))
VMX_TRY(try_vmptrld, "vmptrld %0", "m"(region_addr))
VMX_TRY(try_vmptrst, "vmptrst %0", "m"(region))
VMX_TRY(try_vmclear, "vmclear %0", "m"(region_addr))
VMX_TRY(try_vmread, "vmread %0, %%rax", "r"(0x4400UL)) /* VM-instruction error field */
VMX_TRY(try_vmwrite, "vmwrite %%rax, %0", "r"(0x681eUL), "a"(0UL)) /* guest RIP */
VMX_TRY(try_vmlaunch, "vmlaunch", "i"(0))
VMX_TRY(try_vmresume, "vmresume", "i"(0))
VMX_TRY(try_invept, "invept %0, %1", "m"(descriptor), "r"(2UL))
VMX_TRY(try_invvpid, "invvpid %0, %1", "m"(descriptor), "r"(2UL))
VMX_TRY(try_vmfunc, "vmfunc", "a"(0))

static const struct {
	const char *name;
	int (*run)(void);
} insns[] = {
	{ "VMXON raises #UD", try_vmxon },     { "VMXOFF raises #UD", try_vmxoff },
	{ "VMPTRLD raises #UD", try_vmptrld }, { "VMPTRST raises #UD", try_vmptrst },
	{ "VMCLEAR raises #UD", try_vmclear }, { "VMREAD raises #UD", try_vmread },
	{ "VMWRITE raises #UD", try_vmwrite }, { "VMLAUNCH raises #UD", try_vmlaunch },
	{ "VMRESUME raises #UD", try_vmresume }, { "INVEPT raises #UD", try_invept },
	{ "INVVPID raises #UD", try_invvpid }, { "VMFUNC raises #UD", try_vmfunc },
};

void guest_main(void)
{
	for (size_t i = 0; i < sizeof(insns) / sizeof(insns[0]); i++) {
		int fault = insns[i].run();

		check(fault == X86_UD, insns[i].name, "got %s", fault_name(fault));
	}
}
