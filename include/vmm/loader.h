/* Guest image loading (docs/guests.md): ELF64 in long mode, ELF32 in
 * protected mode (as a multiboot kernel when it has the header), anything
 * else as a real-mode boot sector at 0x7C00. */
#ifndef VMM_LOADER_H
#define VMM_LOADER_H

#include "boot/bootinfo.h"
#include "vmm/entry_state.h"
#include "vmm/guest_config.h"

struct vm;

/* Load module mod into vm's (zeroed) RAM and build its entry state. On
 * failure the guest is refused with the reason and false returned. */
bool loader_load(struct vm *vm, const struct boot_module *mod, const struct boot_info *bi,
		 const struct guest_config *cfgs, size_t ncfgs, struct entry_state *st);

#endif
