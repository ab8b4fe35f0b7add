/* What the hypervisor learns from its boot loader, in loader-neutral form.
 * Filled by boot/multiboot2.c; every later stage reads only this. */
#ifndef BOOT_BOOTINFO_H
#define BOOT_BOOTINFO_H

#include "compiler.h"

#define BOOT_MAX_MMAP 128
#define BOOT_MAX_MODULES 16
#define BOOT_CMDLINE_MAX 1024

enum mem_type {
	MEM_USABLE = 1,
	MEM_RESERVED = 2,
	MEM_ACPI_RECLAIMABLE = 3,
	MEM_ACPI_NVS = 4,
	MEM_BAD = 5,
};

struct mem_region {
	uint64_t base;
	uint64_t length;
	uint32_t type; /* enum mem_type; other values mean reserved */
};

struct boot_module {
	uint64_t start; /* physical, inclusive */
	uint64_t end;   /* physical, exclusive */
	char cmdline[256];
};

struct boot_info {
	uint64_t info_phys; /* where the loader's information lies */
	uint64_t info_size;
	char cmdline[BOOT_CMDLINE_MAX];
	char loader_name[64];
	size_t mmap_count;
	struct mem_region mmap[BOOT_MAX_MMAP];
	size_t module_count;
	struct boot_module modules[BOOT_MAX_MODULES];
	uint64_t rsdp_phys;   /* 0: none; points at a copy inside the info */
	uint32_t rsdp_revision; /* 0: ACPI 1.0 RSDP, 2: XSDP */
	uint64_t efi64_system_table; /* 0: not booted from 64-bit UEFI */
	uint32_t skipped_tags; /* unknown tags seen and skipped */
	bool truncated; /* more mmap entries or modules than we keep */
};

#endif
