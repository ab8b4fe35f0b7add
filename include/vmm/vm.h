/* A guest: its configuration, memory, EPT, devices and vCPUs. */
#ifndef VMM_VM_H
#define VMM_VM_H

#include "boot/bootinfo.h"
#include "compiler.h"
#include "vmm/ept.h"
#include "vmm/guest_config.h"
#include "vmm/vcpu.h"
#include "vmm/vpic.h"
#include "vmm/vpit.h"
#include "vmm/vrtc.h"
#include "vmm/vuart.h"

#define VM_MAX_VCPUS 1
#define VM_STOP_REASON_MAX 192

/* The states in which a guest is done come last: vm_done() is one compare
 * on every VM exit. */
enum vm_state {
	VM_LOADING, /* being created */
	VM_READY,   /* loaded, not yet run */
	VM_RUNNING,
	VM_EXITED,  /* ended itself with a status */
	VM_STOPPED, /* stopped by the hypervisor: see stop_reason */
	VM_REFUSED, /* never ran: its configuration or image was rejected */
};

struct vm {
	struct guest_config cfg;
	const char *name; /* cfg.name */
	unsigned int index; /* module order */
	enum vm_state state;
	uint32_t exit_status;
	char stop_reason[VM_STOP_REASON_MAX];
	uint64_t ram_hpa; /* guest RAM: one contiguous, aligned host range */
	uint64_t ram_size;
	struct ept ept;
	struct vcpu vcpus[VM_MAX_VCPUS];
	unsigned int nr_vcpus;
	struct vpic pic;
	struct vpit pit;
	struct vrtc rtc;
	struct vuart com1;
	uint8_t *ports_logged; /* one bit per port: "not emulated" said once */
	uint64_t memcheck_hash; /* of its RAM when it ended (memcheck) */
	unsigned int watchdog_ms; /* stop it after this much CPU time; 0: never */
};

/* Refuse vm before it runs, with a reason for its summary line. */
void vm_refuse(struct vm *vm, const char *fmt, ...) __printf(2, 3);
/* Load the image of module mod (and its data modules) into a new VM. */
void vm_create(struct vm *vm, const struct boot_module *mod, const struct boot_info *bi,
	       const struct guest_config *cfgs, size_t ncfgs);
/* End the guest: it asked to exit, or the hypervisor stops it. */
void vm_exit(struct vm *vm, uint32_t status);
void vm_stop(struct vm *vm, const char *fmt, ...) __printf(2, 3);
static inline bool vm_done(const struct vm *vm)
{
	return vm->state >= VM_EXITED;
}
void vm_destroy(struct vm *vm);

/* Host pointer to [gpa, gpa + len) of guest RAM, or NULL if any of it lies
 * outside RAM (overflow-safe): the only way the hypervisor touches guest
 * memory on a guest's behalf. */
void *vm_gpa_to_hva(const struct vm *vm, uint64_t gpa, uint64_t len);

/* One line about the guest ("hv: guest NAME: ..."), at info level;
 * vm_warn for what a user must see at any log level (crash reports). */
void vm_log(const struct vm *vm, const char *fmt, ...) __printf(2, 3);
void vm_warn(const struct vm *vm, const char *fmt, ...) __printf(2, 3);

#endif
