/* Guest loaders. Every offset and size from the image is checked by
 * vmm/image.c before anything is copied; the copies go through
 * vm_gpa_to_hva(), which refuses anything outside the guest's RAM. */
#include "vmm/loader.h"

#include "core/log.h"
#include "lib/string.h"
#include "mm/layout.h"
#include "vmm/bzimage.h"
#include "vmm/image.h"
#include "vmm/mb1_info.h"
#include "vmm/vm.h"

#define MAX_SEGMENTS 16
#define MAX_DATA_MODULES 8

static const char *const mode_names[] = {
	[GUEST_ENTRY_LONG] = "64-bit long mode",
	[GUEST_ENTRY_PROTECTED] = "32-bit protected mode",
	[GUEST_ENTRY_REAL] = "16-bit real mode",
};

static enum guest_entry default_mode(enum image_kind kind)
{
	switch (kind) {
	case IMAGE_ELF64:
		return GUEST_ENTRY_LONG;
	case IMAGE_ELF32:
	case IMAGE_ELF32_MULTIBOOT:
		return GUEST_ENTRY_PROTECTED;
	default:
		return GUEST_ENTRY_REAL;
	}
}

static bool copy_in(struct vm *vm, uint64_t gpa, const void *src, uint64_t len)
{
	void *dst = vm_gpa_to_hva(vm, gpa, len);

	if (!dst)
		return false;
	memcpy(dst, src, len);
	return true;
}

/* Copy the PT_LOAD segments (the rest of each memsz is already zero). */
static bool load_elf(struct vm *vm, const uint8_t *data, size_t size, uint64_t *entry,
		     uint64_t *image_end)
{
	struct image_segment segs[MAX_SEGMENTS];
	size_t count;
	char err[128];

	if (image_elf_segments(data, size, vm->ram_size, segs, MAX_SEGMENTS, &count, entry, err,
			       sizeof(err))) {
		vm_refuse(vm, "%s", err);
		return false;
	}
	*image_end = 0;
	for (size_t i = 0; i < count; i++) {
		if (!copy_in(vm, segs[i].gpa, data + segs[i].file_offset, segs[i].filesz)) {
			vm_refuse(vm, "segment %zu does not fit its RAM", i);
			return false;
		}
		*image_end = MAX(*image_end, segs[i].gpa + segs[i].memsz);
	}
	return true;
}

static bool load_raw(struct vm *vm, const uint8_t *data, size_t size, uint64_t *entry,
		     uint64_t *image_end)
{
	if (!image_raw_fits(size, vm->ram_size)) {
		vm_refuse(vm, "a %zu-byte raw image at 0x%x does not fit in mem=%lu KiB", size,
			  IMAGE_RAW_LOAD_GPA, vm->ram_size / KiB);
		return false;
	}
	copy_in(vm, IMAGE_RAW_LOAD_GPA, data, size);
	*entry = IMAGE_RAW_LOAD_GPA;
	*image_end = IMAGE_RAW_LOAD_GPA + size;
	return true;
}

/* The guest's for=NAME data modules, page-aligned after its image, then
 * the multiboot information in the entry-state area (EBX points to it). */
static bool setup_multiboot(struct vm *vm, const struct boot_info *bi,
			    const struct guest_config *cfgs, size_t ncfgs, uint64_t image_end,
			    struct entry_state *st)
{
	struct mb1_module mods[MAX_DATA_MODULES];
	uint64_t gpa = ALIGN_UP(image_end, PAGE_SIZE), info_gpa;
	size_t n = 0, used;

	for (size_t i = 0; i < ncfgs && i < bi->module_count; i++) {
		const struct boot_module *m = &bi->modules[i];
		uint64_t len = m->end - m->start;

		if (!cfgs[i].is_data || cfgs[i].refused || cfgs[i].owner != vm->index)
			continue;
		if (n == MAX_DATA_MODULES || gpa + len > guest_image_limit(vm->ram_size) ||
		    !copy_in(vm, gpa, phys_to_virt(m->start), len)) {
			vm_refuse(vm, "its data module %zu does not fit in mem=%lu KiB", i,
				  vm->ram_size / KiB);
			return false;
		}
		mods[n++] = (struct mb1_module){ gpa, gpa + len, cfgs[i].cmdline };
		gpa = ALIGN_UP(gpa + len, PAGE_SIZE);
	}
	info_gpa = guest_image_limit(vm->ram_size) + ES_BOOT_INFO;
	used = mb1_build_info(vm_gpa_to_hva(vm, info_gpa, ES_BOOT_INFO_SIZE), ES_BOOT_INFO_SIZE,
			      info_gpa, vm->ram_size, vm->cfg.cmdline, mods, n);
	if (!used) {
		vm_refuse(vm, "its multiboot information does not fit");
		return false;
	}
	st->rax = MB1_BOOTLOADER_MAGIC;
	st->rbx = info_gpa;
	vm_log(vm, "multiboot kernel: information at 0x%lx, %zu module%s", info_gpa, n,
	       n == 1 ? "" : "s");
	return true;
}

/* The first data module (for=NAME) of this guest: a Linux initrd. */
static const struct boot_module *data_module_of(const struct vm *vm, const struct boot_info *bi,
						const struct guest_config *cfgs, size_t ncfgs)
{
	for (size_t i = 0; i < ncfgs && i < bi->module_count; i++)
		if (cfgs[i].is_data && !cfgs[i].refused && cfgs[i].owner == vm->index)
			return &bi->modules[i];
	return NULL;
}

/* A Linux bzImage by the 64-bit boot protocol: protected-mode kernel at its
 * preferred address, initrd at the top of RAM, zero page and command line
 * low; entered at startup_64 with RSI pointing at the zero page, in the
 * long-mode entry state (its GDT is the one the protocol asks for). */
static bool load_linux(struct vm *vm, const uint8_t *data, size_t size,
		       const struct boot_info *bi, const struct guest_config *cfgs, size_t ncfgs,
		       struct entry_state *st)
{
	const struct boot_module *initrd = data_module_of(vm, bi, cfgs, ncfgs);
	uint64_t initrd_size = initrd ? initrd->end - initrd->start : 0;
	uint64_t limit = guest_image_limit(vm->ram_size);
	size_t cmdline_len = strlen(vm->cfg.cmdline);
	struct bzimage_info info;
	struct bzimage_layout l;
	char err[128];

	if (!bzimage_parse(data, size, &info, err, sizeof(err)) ||
	    !bzimage_plan(&info, limit, initrd_size, cmdline_len, &l, err, sizeof(err))) {
		vm_refuse(vm, "%s", err);
		return false;
	}
	copy_in(vm, l.kernel, data + info.kernel_offset, info.kernel_size);
	if (initrd)
		copy_in(vm, l.initrd, phys_to_virt(initrd->start), initrd_size);
	copy_in(vm, l.cmdline, vm->cfg.cmdline, cmdline_len + 1);
	bzimage_build_params(vm_gpa_to_hva(vm, l.params, BZ_ZERO_PAGE_SIZE), data, &info, &l,
			     initrd_size, limit, vm->ram_size);
	entry_state_build(vm, GUEST_ENTRY_LONG, l.kernel + BZ_ENTRY_64_OFFSET, st);
	st->rsi = l.params;
	vm_log(vm, "Linux bzImage (boot protocol %u.%02u), kernel at 0x%lx, %lu KiB initrd at "
		   "0x%lx, mem %lu MiB, cmdline '%s'",
	       info.version >> 8, info.version & 0xff, l.kernel, initrd_size / KiB, l.initrd,
	       vm->ram_size / MiB, vm->cfg.cmdline);
	return true;
}

bool loader_load(struct vm *vm, const struct boot_module *mod, const struct boot_info *bi,
		 const struct guest_config *cfgs, size_t ncfgs, struct entry_state *st)
{
	const uint8_t *data = phys_to_virt(mod->start);
	size_t size = mod->end - mod->start;
	enum image_kind kind = image_identify(data, size);
	enum guest_entry mode = vm->cfg.entry != GUEST_ENTRY_AUTO ? vm->cfg.entry :
								    default_mode(kind);
	bool elf = kind == IMAGE_ELF64 || kind == IMAGE_ELF32 || kind == IMAGE_ELF32_MULTIBOOT;
	uint64_t entry, image_end;

	if (kind == IMAGE_BZIMAGE)
		return load_linux(vm, data, size, bi, cfgs, ncfgs, st);
	if (kind == IMAGE_ELF_UNSUPPORTED) {
		vm_refuse(vm, "an ELF image for another machine or byte order");
		return false;
	}
	if (!(elf ? load_elf(vm, data, size, &entry, &image_end) :
		    load_raw(vm, data, size, &entry, &image_end)))
		return false;
	entry_state_build(vm, mode, entry, st);
	if (kind == IMAGE_ELF32_MULTIBOOT && mode == GUEST_ENTRY_PROTECTED &&
	    !setup_multiboot(vm, bi, cfgs, ncfgs, image_end, st))
		return false;
	vm_log(vm, "%s image, entered in %s at 0x%lx, mem %lu KiB", image_kind_name(kind),
	       mode_names[mode], entry, vm->ram_size / KiB);
	return true;
}
