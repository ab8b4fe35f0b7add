/* VMXON per CPU, VMCS region allocation and the VMX name tables. */
#include "vmm/vmx.h"

#include "arch/x86/cpu.h"
#include "arch/x86/fpu.h"
#include "arch/x86/percpu.h"
#include "core/log.h"
#include "lib/string.h"
#include "mm/layout.h"
#include "mm/mm.h"
#include "vmm/vmcs_fields.h"
#include "vmm/vmx_caps.h"
#include "vmm/vmx_ops.h"

#define CPUID1_ECX_XSAVE BIT(26)

uint64_t vmx_alloc_region(void)
{
	uint64_t phys = frame_alloc_page();

	if (!phys)
		return 0;
	memset(phys_to_virt(phys), 0, PAGE_SIZE);
	*(uint32_t *)phys_to_virt(phys) = vmx_caps()->revision;
	return phys;
}

void vmx_enable_cpu(void)
{
	const struct vmx_msrs *m = vmx_msrs();
	struct percpu *cpu = this_cpu();
	uint64_t cr0 = read_cr0(), cr4 = read_cr4() | CR4_VMXE;

	/* CR0 and CR4 must respect the FIXED MSRs in VMX operation (SDM Vol.
	 * 3C 24.8): GRUB leaves CR0.NE clear, for one. */
	write_cr0((cr0 | m->cr0_fixed0) & m->cr0_fixed1);
	/* Guests' XSETBV runs on the real CPU, which needs CR4.OSXSAVE; saving
	 * their SSE state needs OSFXSR. The host itself never uses either. */
	cr4 |= CR4_OSFXSR | CR4_OSXMMEXCPT;
	if (cpuid(1, 0).ecx & CPUID1_ECX_XSAVE)
		cr4 |= CR4_OSXSAVE;
	write_cr4((cr4 | m->cr4_fixed0) & m->cr4_fixed1);

	fpu_init();
	cpu->vmxon_region = vmx_alloc_region();
	if (!cpu->vmxon_region)
		panic("vmx: no memory for the VMXON region");
	if (!vmxon(cpu->vmxon_region))
		panic("vmx: VMXON failed on CPU %u (CR0 0x%lx, CR4 0x%lx)", cpu->cpu_id,
		      read_cr0(), read_cr4());
	log_info("vmx: VMX root operation on CPU %u, VMXON region at 0x%lx", cpu->cpu_id,
		 cpu->vmxon_region);
}

static const char *const exit_reason_names[EXIT_REASON_COUNT] = {
	[EXIT_EXCEPTION_NMI] = "exception or NMI",
	[EXIT_EXTERNAL_INTERRUPT] = "external interrupt",
	[EXIT_TRIPLE_FAULT] = "triple fault",
	[EXIT_INIT] = "INIT signal",
	[EXIT_SIPI] = "start-up IPI",
	[EXIT_IO_SMI] = "I/O SMI",
	[EXIT_OTHER_SMI] = "other SMI",
	[EXIT_INTERRUPT_WINDOW] = "interrupt window",
	[EXIT_NMI_WINDOW] = "NMI window",
	[EXIT_TASK_SWITCH] = "task switch",
	[EXIT_CPUID] = "CPUID",
	[EXIT_GETSEC] = "GETSEC",
	[EXIT_HLT] = "HLT",
	[EXIT_INVD] = "INVD",
	[EXIT_INVLPG] = "INVLPG",
	[EXIT_RDPMC] = "RDPMC",
	[EXIT_RDTSC] = "RDTSC",
	[EXIT_RSM] = "RSM",
	[EXIT_VMCALL] = "VMCALL",
	[EXIT_VMCLEAR] = "VMCLEAR",
	[EXIT_VMLAUNCH] = "VMLAUNCH",
	[EXIT_VMPTRLD] = "VMPTRLD",
	[EXIT_VMPTRST] = "VMPTRST",
	[EXIT_VMREAD] = "VMREAD",
	[EXIT_VMRESUME] = "VMRESUME",
	[EXIT_VMWRITE] = "VMWRITE",
	[EXIT_VMXOFF] = "VMXOFF",
	[EXIT_VMXON] = "VMXON",
	[EXIT_CR_ACCESS] = "control-register access",
	[EXIT_DR_ACCESS] = "debug-register access",
	[EXIT_IO_INSTRUCTION] = "I/O instruction",
	[EXIT_RDMSR] = "RDMSR",
	[EXIT_WRMSR] = "WRMSR",
	[EXIT_INVALID_GUEST_STATE] = "VM-entry failure: invalid guest state",
	[EXIT_MSR_LOADING] = "VM-entry failure: MSR loading",
	[EXIT_MWAIT] = "MWAIT",
	[EXIT_MONITOR_TRAP_FLAG] = "monitor trap flag",
	[EXIT_MONITOR] = "MONITOR",
	[EXIT_PAUSE] = "PAUSE",
	[EXIT_MACHINE_CHECK] = "VM-entry failure: machine check",
	[EXIT_TPR_BELOW_THRESHOLD] = "TPR below threshold",
	[EXIT_APIC_ACCESS] = "APIC access",
	[EXIT_VIRTUALIZED_EOI] = "virtualized EOI",
	[EXIT_GDTR_IDTR] = "GDTR/IDTR access",
	[EXIT_LDTR_TR] = "LDTR/TR access",
	[EXIT_EPT_VIOLATION] = "EPT violation",
	[EXIT_EPT_MISCONFIG] = "EPT misconfiguration",
	[EXIT_INVEPT] = "INVEPT",
	[EXIT_RDTSCP] = "RDTSCP",
	[EXIT_PREEMPTION_TIMER] = "VMX-preemption timer",
	[EXIT_INVVPID] = "INVVPID",
	[EXIT_WBINVD] = "WBINVD",
	[EXIT_XSETBV] = "XSETBV",
	[EXIT_APIC_WRITE] = "APIC write",
	[EXIT_RDRAND] = "RDRAND",
	[EXIT_INVPCID] = "INVPCID",
	[EXIT_VMFUNC] = "VMFUNC",
	[EXIT_ENCLS] = "ENCLS",
	[EXIT_RDSEED] = "RDSEED",
	[EXIT_PML_FULL] = "page-modification log full",
	[EXIT_XSAVES] = "XSAVES",
	[EXIT_XRSTORS] = "XRSTORS",
};

const char *vmx_exit_reason_name(uint32_t basic_reason)
{
	if (basic_reason < EXIT_REASON_COUNT && exit_reason_names[basic_reason])
		return exit_reason_names[basic_reason];
	return "unknown";
}

static const char *const instruction_error_names[VMERR_COUNT] = {
	[VMERR_VMCALL_IN_ROOT] = "VMCALL executed in VMX root operation",
	[VMERR_VMCLEAR_BAD_ADDRESS] = "VMCLEAR with invalid physical address",
	[VMERR_VMCLEAR_VMXON_POINTER] = "VMCLEAR with VMXON pointer",
	[VMERR_VMLAUNCH_NOT_CLEAR] = "VMLAUNCH with non-clear VMCS",
	[VMERR_VMRESUME_NOT_LAUNCHED] = "VMRESUME with non-launched VMCS",
	[VMERR_VMRESUME_AFTER_VMXOFF] = "VMRESUME after VMXOFF",
	[VMERR_ENTRY_BAD_CONTROLS] = "VM entry with invalid control field(s)",
	[VMERR_ENTRY_BAD_HOST_STATE] = "VM entry with invalid host-state field(s)",
	[VMERR_VMPTRLD_BAD_ADDRESS] = "VMPTRLD with invalid physical address",
	[VMERR_VMPTRLD_VMXON_POINTER] = "VMPTRLD with VMXON pointer",
	[VMERR_VMPTRLD_BAD_REVISION] = "VMPTRLD with incorrect VMCS revision identifier",
	[VMERR_UNSUPPORTED_FIELD] = "VMREAD/VMWRITE from/to unsupported VMCS component",
	[VMERR_VMWRITE_READ_ONLY] = "VMWRITE to read-only VMCS component",
	[VMERR_VMXON_IN_ROOT] = "VMXON executed in VMX root operation",
	[VMERR_ENTRY_BAD_EXECUTIVE_VMCS] = "VM entry with invalid executive-VMCS pointer",
	[VMERR_ENTRY_EVENTS_BLOCKED_BY_MOV_SS] = "VM entry with events blocked by MOV SS",
	[VMERR_INVALID_INVEPT_INVVPID_OPERAND] = "invalid operand to INVEPT/INVVPID",
};

const char *vmx_instruction_error_name(uint32_t error)
{
	if (error < VMERR_COUNT && instruction_error_names[error])
		return instruction_error_names[error];
	return "unknown VM-instruction error";
}
