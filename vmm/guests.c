/* The guests of this boot, from their GRUB modules to the summary. */
#include "vmm/guests.h"

#include "core/log.h"
#include "lib/format.h"
#include "lib/hash.h"
#include "lib/string.h"
#include "mm/layout.h"
#include "mm/mm.h"
#include "vmm/sched.h"
#include "vmm/vm.h"
#include "vmm/vuart.h"
#include "vmm/vmx.h"

static uint64_t text_hash(void)
{
	return hash_fnv1a64(_text_start, (size_t)(_text_end - _text_start));
}

static uint64_t ram_hash(const struct vm *vm)
{
	return hash_fnv1a64(phys_to_virt(vm->ram_hpa), vm->ram_size);
}

/* Turn the module list into guests: each module's options parsed, names
 * checked across modules, then each guest image loaded. */
static size_t create_guests(const struct boot_info *bi, struct guest_config *cfgs,
			    struct vm *vms)
{
	size_t n = bi->module_count, nvms = 0;

	for (size_t i = 0; i < n; i++) {
		guest_config_parse(bi->modules[i].cmdline, &cfgs[i]);
		guest_config_default_name(&cfgs[i], (unsigned int)i);
	}
	guest_configs_check_unique(cfgs, n);
	for (size_t i = 0; i < n; i++) {
		struct vm *vm;

		if (cfgs[i].is_data) {
			if (cfgs[i].refused)
				log_error("module %zu (data for %s) refused: %s", i,
					  cfgs[i].for_name, cfgs[i].error);
			continue;
		}
		vm = &vms[nvms++];
		vm->cfg = cfgs[i];
		vm->name = vm->cfg.name;
		vm->index = (unsigned int)i;
		if (cfgs[i].refused)
			vm_refuse(vm, "%s", cfgs[i].error);
		else
			vm_create(vm, &bi->modules[i], bi, cfgs, n);
	}
	return nvms;
}

static void print_exit_stats(const struct vm *vm)
{
	const struct vcpu *v = &vm->vcpus[0];
	char line[200];
	size_t len = 0;

	for (unsigned int r = 0; r < EXIT_REASON_COUNT && len + 40 < sizeof(line); r++)
		if (v->exit_counts[r])
			len += (size_t)fmt_snprintf(line + len, sizeof(line) - len, "%s%s %lu",
						    len ? ", " : "", vmx_exit_reason_name(r),
						    v->exit_counts[r]);
	line[len] = '\0';
	vm_log(vm, "%lu VM exits: %s", v->exits, len ? line : "none");
}

static void print_summary(const struct vm *vms, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (vms[i].state == VM_EXITED)
			console_printf("guest %s exited %u\n", vms[i].name, vms[i].exit_status);
		else
			console_printf("guest %s stopped: %s\n", vms[i].name, vms[i].stop_reason);
	}
}

static void verify_memory(const struct vm *vms, size_t n, uint64_t text_before)
{
	size_t checked = 0;
	bool ok = text_hash() == text_before;

	for (size_t i = 0; i < n; i++) {
		if (!vms[i].ram_hpa || vms[i].state == VM_REFUSED)
			continue;
		checked++;
		if (ram_hash(&vms[i]) != vms[i].memcheck_hash) {
			log_error("memcheck: guest %s's memory changed after it ended", vms[i].name);
			ok = false;
		}
	}
	if (text_hash() != text_before)
		log_error("memcheck: the hypervisor's .text changed");
	if (ok)
		log_info("hv: memcheck: .text unchanged, %zu guests' memory unchanged since they "
			 "ended",
			 checked);
}

static bool memcheck;

/* A guest has ended: its last partial line, its statistics, and with
 * memcheck the fingerprint of its RAM as it left it. */
static void guest_ended(struct vm *vm)
{
	vuart_flush(vm);
	print_exit_stats(vm);
	if (memcheck)
		vm->memcheck_hash = ram_hash(vm);
}

void guests_run(const struct boot_info *bi, const struct hv_options *opts)
{
	struct guest_config *cfgs = kzalloc(bi->module_count * sizeof(*cfgs));
	struct vm *vms = kzalloc(bi->module_count * sizeof(*vms));
	uint64_t text_before;
	size_t n;

	if (!cfgs || !vms)
		panic("guests: out of heap memory for %zu modules", bi->module_count);
	memcheck = opts->memcheck;
	text_before = memcheck ? text_hash() : 0;
	n = create_guests(bi, cfgs, vms);
	for (size_t i = 0; i < n; i++)
		vms[i].watchdog_ms = opts->watchdog_ms;
	sched_run(vms, n, opts->sched_slice_us, guest_ended);
	if (memcheck)
		verify_memory(vms, n, text_before);
	print_summary(vms, n);
	for (size_t i = 0; i < n; i++)
		vm_destroy(&vms[i]);
	kfree(vms);
	kfree(cfgs);
}
