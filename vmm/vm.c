/* Guest lifecycle: memory, EPT, vCPU, running, ending. */
#include "vmm/vm.h"

#include "core/log.h"
#include "lib/format.h"
#include "lib/string.h"
#include "mm/layout.h"
#include "mm/mm.h"
#include "vmm/irq.h"
#include "vmm/loader.h"
#include "vmm/vmcs.h"
#include "vmm/vmx_caps.h"
#include "vmm/vmx_ops.h"

#define PORT_BITMAP_BYTES (65536 / 8)

static void vm_vlog(const struct vm *vm, enum log_level level, const char *fmt, va_list ap)
{
	char msg[256];

	fmt_vsnprintf(msg, sizeof(msg), fmt, ap);
	log_msg(level, "hv: guest %s: %s", vm->name, msg);
}

void vm_log(const struct vm *vm, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vm_vlog(vm, LOG_INFO, fmt, ap);
	va_end(ap);
}

void vm_warn(const struct vm *vm, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vm_vlog(vm, LOG_WARN, fmt, ap);
	va_end(ap);
}

static void set_reason(struct vm *vm, const char *prefix, const char *fmt, va_list ap)
{
	size_t n = strlen(prefix);

	memcpy(vm->stop_reason, prefix, n);
	fmt_vsnprintf(vm->stop_reason + n, sizeof(vm->stop_reason) - n, fmt, ap);
}

void vm_refuse(struct vm *vm, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	set_reason(vm, "refused: ", fmt, ap);
	va_end(ap);
	vm->state = VM_REFUSED;
	log_error("guest %s %s", vm->name, vm->stop_reason);
}

/* Its vCPUs leave the CPU at their next exit. */
static void mark_ended(struct vm *vm)
{
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		vm->vcpus[i].work |= VCPU_WORK_STOP;
}

void vm_stop(struct vm *vm, const char *fmt, ...)
{
	va_list ap;

	if (vm_done(vm))
		return;
	mark_ended(vm);
	va_start(ap, fmt);
	set_reason(vm, "", fmt, ap);
	va_end(ap);
	vm->state = VM_STOPPED;
	log_warn("guest %s stopped: %s", vm->name, vm->stop_reason);
}

void vm_exit(struct vm *vm, uint32_t status)
{
	if (vm_done(vm))
		return;
	mark_ended(vm);
	vm->state = VM_EXITED;
	vm->exit_status = status;
}

void *vm_gpa_to_hva(const struct vm *vm, uint64_t gpa, uint64_t len)
{
	if (gpa > vm->ram_size || len > vm->ram_size - gpa)
		return NULL;
	return phys_to_virt(vm->ram_hpa + gpa);
}

/* One contiguous host range, aligned so EPT can use large pages, zeroed so
 * nothing of the host or an earlier guest shows through. */
static bool alloc_ram(struct vm *vm)
{
	const struct vmx_caps *caps = vmx_caps();
	const uint64_t aligns[] = { caps->ept_1g ? HUGE_PAGE_SIZE : 0,
				    caps->ept_2m ? LARGE_PAGE_SIZE : 0, PAGE_SIZE };

	/* The largest alignment EPT can use that memory can still give. */
	for (size_t i = 0; i < ARRAY_SIZE(aligns) && !vm->ram_hpa; i++)
		if (aligns[i] && vm->ram_size >= aligns[i])
			vm->ram_hpa = frame_alloc_pages(vm->ram_size / PAGE_SIZE,
							aligns[i] / PAGE_SIZE);
	if (!vm->ram_hpa)
		return false;
	memset(phys_to_virt(vm->ram_hpa), 0, vm->ram_size);
	return true;
}

static bool map_ram(struct vm *vm)
{
	const struct vmx_caps *caps = vmx_caps();
	uint64_t max_page = caps->ept_1g ? PT_SIZE_1G : caps->ept_2m ? PT_SIZE_2M : PT_SIZE_4K;

	return ept_init(&vm->ept, &mm_frame_table_ops) == EPT_OK &&
	       ept_map(&vm->ept, 0, vm->ram_hpa, vm->ram_size, EPT_RWX, max_page) == EPT_OK;
}

void vm_create(struct vm *vm, const struct boot_module *mod, const struct boot_info *bi,
	       const struct guest_config *cfgs, size_t ncfgs)
{
	struct entry_state st;
	char why[128];

	vm->ram_size = vm->cfg.mem;
	/* Our EPT tables are write-back and four levels deep (EPTP). Without
	 * EPT at all, vmcs_setup() names every missing control instead. */
	if (vmx_caps()->ept && (!vmx_caps()->ept_wb || !vmx_caps()->ept_walk4)) {
		vm_refuse(vm, "this CPU's EPT lacks write-back or 4-level tables");
		return;
	}
	if (!alloc_ram(vm)) {
		vm_refuse(vm, "not enough free host memory for mem=%lu KiB", vm->ram_size / KiB);
		return;
	}
	if (!map_ram(vm)) {
		vm_refuse(vm, "out of memory for its EPT tables");
		return;
	}
	vm->ports_logged = kzalloc(PORT_BITMAP_BYTES);
	if (!vm->ports_logged) {
		vm_refuse(vm, "out of heap memory");
		return;
	}
	if (!loader_load(vm, mod, bi, cfgs, ncfgs, &st))
		return;
	vm->nr_vcpus = 1;
	if (!vcpu_create(vm, &vm->vcpus[0]))
		return;
	irq_devices_init(vm);
	vuart_init(vm);
	vm->vcpus[0].regs.gpr[GPR_RAX] = st.rax;
	vm->vcpus[0].regs.gpr[GPR_RBX] = st.rbx;
	vm->vcpus[0].regs.gpr[GPR_RDX] = st.rdx;
	vm->vcpus[0].regs.gpr[GPR_RSI] = st.rsi;
	if (!vmptrld(vm->vcpus[0].vmcs_phys)) {
		vm_refuse(vm, "VMPTRLD of its new VMCS failed");
		return;
	}
	if (!vmcs_setup(&vm->vcpus[0], &st, why, sizeof(why))) {
		vm_refuse(vm, "%s", why);
		return;
	}
	vm->state = VM_READY;
}

void vm_destroy(struct vm *vm)
{
	for (unsigned int i = 0; i < vm->nr_vcpus; i++)
		vcpu_destroy(&vm->vcpus[i]);
	if (vm->ept.root_phys)
		ept_destroy(&vm->ept);
	if (vm->ram_hpa)
		frame_free_pages(vm->ram_hpa, vm->ram_size / PAGE_SIZE);
	kfree(vm->ports_logged);
	vm->ram_hpa = 0;
	vm->ports_logged = NULL;
}
