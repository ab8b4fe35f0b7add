/* The x86 Linux boot protocol (Documentation/arch/x86/boot.rst in the
 * kernel sources): reading a bzImage's setup header and building the zero
 * page (struct boot_params) for its 64-bit entry point. Pure logic. */
#ifndef VMM_BZIMAGE_H
#define VMM_BZIMAGE_H

#include "compiler.h"

#define BZ_SETUP_HEADER_OFFSET 0x1f1
#define BZ_ZERO_PAGE_SIZE 4096
#define BZ_MIN_VERSION 0x020c /* 2.12: xloadflags, so XLF_KERNEL_64 can be checked */
#define BZ_ENTRY_64_OFFSET 0x200 /* startup_64 from the start of the protected-mode kernel */
#define BZ_E820_MAX 128

/* Where the loader puts things in guest-physical memory. */
struct bzimage_layout {
	uint64_t params;  /* the zero page */
	uint64_t cmdline;
	uint64_t kernel;  /* the protected-mode kernel; entry at kernel + BZ_ENTRY_64_OFFSET */
	uint64_t initrd;  /* 0: none */
};

struct bzimage_info {
	uint16_t version;
	uint32_t kernel_offset; /* of the protected-mode kernel in the file */
	uint32_t kernel_size;
	uint32_t init_size;     /* memory it needs from its load address while it unpacks */
	uint32_t kernel_alignment;
	bool relocatable;
	uint64_t pref_address;
	uint32_t initrd_addr_max;
	uint32_t cmdline_size;
	uint16_t xloadflags;
	uint32_t header_end;    /* bytes of setup header to copy, from 0x1f1 */
};

/* Check the setup header; false with a reason in err (e.g. "boot protocol
 * 2.06 is too old: hv needs 2.12"). */
bool bzimage_parse(const void *image, size_t size, struct bzimage_info *info, char *err,
		   size_t errlen);

/* Place zero page, command line, kernel and initrd in a guest with
 * ram_limit bytes usable from 0 (everything above is the hypervisor's
 * entry-state area); false with a reason when they do not fit. */
bool bzimage_plan(const struct bzimage_info *info, uint64_t ram_limit, uint64_t initrd_size,
		  size_t cmdline_len, struct bzimage_layout *layout, char *err, size_t errlen);

/* Fill the zero page: the image's setup header, loader fields, command
 * line and initrd pointers, and an e820 map of [0, ram_limit) usable
 * (less the legacy hole) and [ram_limit, ram_size) reserved. */
void bzimage_build_params(uint8_t *zero_page, const void *image, const struct bzimage_info *info,
			  const struct bzimage_layout *layout, uint64_t initrd_size,
			  uint64_t ram_limit, uint64_t ram_size);

#endif
