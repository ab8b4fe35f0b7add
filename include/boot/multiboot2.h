/* Multiboot2 boot information (Multiboot2 specification, section 3.6). */
#ifndef BOOT_MULTIBOOT2_H
#define BOOT_MULTIBOOT2_H

#include "boot/bootinfo.h"
#include "compiler.h"

#define MB2_BOOTLOADER_MAGIC 0x36d76289u
#define MB2_INFO_MAX_SIZE (1u << 20) /* sanity bound on total_size */

enum mb2_tag_type {
	MB2_TAG_END = 0,
	MB2_TAG_CMDLINE = 1,
	MB2_TAG_LOADER_NAME = 2,
	MB2_TAG_MODULE = 3,
	MB2_TAG_BASIC_MEMINFO = 4,
	MB2_TAG_MMAP = 6,
	MB2_TAG_EFI64 = 12,
	MB2_TAG_ACPI_OLD = 14,
	MB2_TAG_ACPI_NEW = 15,
};

struct mb2_info_header {
	uint32_t total_size;
	uint32_t reserved;
};

struct mb2_tag {
	uint32_t type;
	uint32_t size;
};

struct mb2_tag_module {
	struct mb2_tag tag;
	uint32_t mod_start;
	uint32_t mod_end;
	char cmdline[];
};

struct mb2_tag_mmap {
	struct mb2_tag tag;
	uint32_t entry_size;
	uint32_t entry_version;
};

struct mb2_mmap_entry {
	uint64_t base;
	uint64_t length;
	uint32_t type;
	uint32_t reserved;
};

struct mb2_tag_efi64 {
	struct mb2_tag tag;
	uint64_t pointer;
} __packed;

/* ACPI RSDP (ACPI 6.4, 5.2.5.3); revision 2 adds the XSDT fields. */
struct acpi_rsdp {
	char signature[8];
	uint8_t checksum;
	char oem_id[6];
	uint8_t revision;
	uint32_t rsdt_address;
	uint32_t length;
	uint64_t xsdt_address;
	uint8_t extended_checksum;
	uint8_t reserved[3];
} __packed;

_Static_assert(sizeof(struct mb2_info_header) == 8, "multiboot2 info header");
_Static_assert(sizeof(struct mb2_tag) == 8, "multiboot2 tag header");
_Static_assert(sizeof(struct mb2_tag_module) == 16, "multiboot2 module tag");
_Static_assert(sizeof(struct mb2_tag_mmap) == 16, "multiboot2 mmap tag");
_Static_assert(sizeof(struct mb2_mmap_entry) == 24, "multiboot2 mmap entry");
_Static_assert(sizeof(struct mb2_tag_efi64) == 16, "multiboot2 EFI64 tag");
_Static_assert(sizeof(struct acpi_rsdp) == 36, "ACPI RSDP");
#define ACPI_RSDP_V1_SIZE 20

enum mb2_error {
	MB2_OK = 0,
	MB2_ERR_MAGIC,
	MB2_ERR_ALIGN,
	MB2_ERR_TOTAL_SIZE,
	MB2_ERR_TAG_SIZE,
	MB2_ERR_NO_END_TAG,
	MB2_ERR_MMAP_ENTRY,
};

/* Parse the boot information at info (physically at info_phys), of which at
 * most avail bytes may be read. Fills bi; unknown tags are counted and
 * skipped, malformed ones rejected. */
enum mb2_error mb2_parse(uint32_t magic, const void *info, uint64_t info_phys, size_t avail,
			 struct boot_info *bi);
const char *mb2_strerror(enum mb2_error err);

#endif
