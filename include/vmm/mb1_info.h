/* Multiboot (version 1, spec 0.6.96) for guests: the OS image header that
 * marks a multiboot kernel, and the boot information structure the
 * hypervisor builds for it in guest RAM. Pure logic. */
#ifndef VMM_MB1_INFO_H
#define VMM_MB1_INFO_H

#include "compiler.h"

/* The OS image header (spec 3.1): 4-byte aligned within the first 8 KiB. */
#define MB1_HEADER_MAGIC 0x1BADB002u
#define MB1_HEADER_SEARCH 8192u
#define MB1_HEADER_ALIGN 4u
#define MB1_HEADER_PAGE_ALIGN (1u << 0)  /* modules must be page aligned */
#define MB1_HEADER_MEMORY_INFO (1u << 1) /* wants mem_* (and mmap_*) */
#define MB1_HEADER_VIDEO_MODE (1u << 2)  /* wants a video mode table */
#define MB1_HEADER_AOUT_KLUDGE (1u << 16) /* load addresses in the header */
#define MB1_HEADER_REQUIRED_MASK 0xFFFFu /* bits a loader must understand */

struct mb1_header {
	uint32_t magic;
	uint32_t flags;
	uint32_t checksum; /* magic + flags + checksum == 0 (mod 2^32) */
} __packed;

/* EAX at entry to a multiboot kernel; EBX holds the info's address. */
#define MB1_BOOTLOADER_MAGIC 0x2BADB002u

/* mb1_info.flags: which fields are valid (spec 3.3). */
#define MB1_INFO_MEMORY (1u << 0)
#define MB1_INFO_CMDLINE (1u << 2)
#define MB1_INFO_MODS (1u << 3)
#define MB1_INFO_MEM_MAP (1u << 6)

#define MB1_MMAP_AVAILABLE 1u
#define MB1_MMAP_RESERVED 2u

/* The boot information structure (spec 3.3), all 116 bytes. */
struct mb1_info {
	uint32_t flags;
	uint32_t mem_lower; /* KiB of RAM from 0 */
	uint32_t mem_upper; /* KiB of RAM from 1 MiB */
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count;
	uint32_t mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length;
	uint32_t mmap_addr;
	uint32_t drives_length;
	uint32_t drives_addr;
	uint32_t config_table;
	uint32_t boot_loader_name;
	uint32_t apm_table;
	uint32_t vbe_control_info;
	uint32_t vbe_mode_info;
	uint16_t vbe_mode;
	uint16_t vbe_interface_seg;
	uint16_t vbe_interface_off;
	uint16_t vbe_interface_len;
	uint64_t framebuffer_addr;
	uint32_t framebuffer_pitch;
	uint32_t framebuffer_width;
	uint32_t framebuffer_height;
	uint8_t framebuffer_bpp;
	uint8_t framebuffer_type;
	uint8_t color_info[6];
} __packed;

/* One memory map entry; size counts the bytes after the size field and
 * mmap_addr points at the first entry's size field. */
struct mb1_mmap_entry {
	uint32_t size;
	uint64_t base_addr;
	uint64_t length;
	uint32_t type; /* MB1_MMAP_* */
} __packed;

/* One module list entry: [mod_start, mod_end) and its string. */
struct mb1_module_entry {
	uint32_t mod_start;
	uint32_t mod_end;
	uint32_t string;
	uint32_t reserved;
} __packed;

_Static_assert(sizeof(struct mb1_header) == 12, "multiboot header is 12 bytes");
_Static_assert(sizeof(struct mb1_info) == 116, "multiboot info is 116 bytes");
_Static_assert(sizeof(struct mb1_mmap_entry) == 24, "multiboot mmap entry is 24 bytes");
_Static_assert(sizeof(struct mb1_module_entry) == 16, "multiboot module entry is 16 bytes");

/* A data module the caller has already copied into guest RAM. */
struct mb1_module {
	uint64_t start;     /* guest-physical, inclusive */
	uint64_t end;       /* guest-physical, exclusive */
	const char *string; /* NULL: "" */
};

/* Build the boot information for a guest with ram_size bytes of RAM into
 * buf, to be copied to guest-physical base_gpa (the value for EBX): the
 * info structure, the memory map, the module list, then the strings; every
 * pointer inside is guest-physical. cmdline NULL leaves MB1_INFO_CMDLINE
 * clear. Returns the bytes used, or 0 when they exceed buflen or an
 * address lies at or above 4 GiB. */
size_t mb1_build_info(void *buf, size_t buflen, uint64_t base_gpa, uint64_t ram_size,
		      const char *cmdline, const struct mb1_module *mods, size_t nmods);

#endif
