/* Linux boot protocol, 64-bit entry (Documentation/arch/x86/boot.rst). */
#include "vmm/bzimage.h"

#include "lib/format.h"
#include "lib/string.h"

/* Setup header fields, as offsets into the image and the zero page. */
#define OFF_SETUP_SECTS 0x1f1
#define OFF_BOOT_FLAG 0x1fe
#define OFF_JUMP 0x200
#define OFF_HEADER 0x202
#define OFF_VERSION 0x206
#define OFF_TYPE_OF_LOADER 0x210
#define OFF_LOADFLAGS 0x211
#define OFF_RAMDISK_IMAGE 0x218
#define OFF_RAMDISK_SIZE 0x21c
#define OFF_CMD_LINE_PTR 0x228
#define OFF_INITRD_ADDR_MAX 0x22c
#define OFF_KERNEL_ALIGNMENT 0x230
#define OFF_RELOCATABLE 0x234
#define OFF_XLOADFLAGS 0x236
#define OFF_CMDLINE_SIZE 0x238
#define OFF_PREF_ADDRESS 0x258
#define OFF_INIT_SIZE 0x260
/* boot_params fields outside the setup header */
#define OFF_E820_ENTRIES 0x1e8
#define OFF_E820_TABLE 0x2d0

#define BOOT_FLAG 0xaa55
#define HDRS_MAGIC 0x53726448 /* "HdrS" */
#define SECTOR 512
#define DEFAULT_SETUP_SECTS 4
#define LOADED_HIGH 0x01
#define XLF_KERNEL_64 0x01
#define LOADER_UNDEFINED 0xff /* no registered boot loader ID */

#define E820_RAM 1
#define E820_RESERVED 2
#define LEGACY_HOLE_START 0x9fc00 /* EBDA and video/BIOS area: never RAM */
#define LEGACY_HOLE_END 0x100000
#define ZERO_PAGE_GPA 0x10000
#define CMDLINE_GPA 0x11000
#define PAGE 0x1000
#define DEFAULT_KERNEL_ADDR 0x1000000 /* 16 MiB, where 64-bit kernels expect to be */

struct e820_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
} __packed;

_Static_assert(sizeof(struct e820_entry) == 20, "boot_params e820 entry");

static uint8_t u8_at(const uint8_t *p, size_t off)
{
	return p[off];
}

static uint16_t u16_at(const uint8_t *p, size_t off)
{
	uint16_t v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

static uint32_t u32_at(const uint8_t *p, size_t off)
{
	uint32_t v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

static uint64_t u64_at(const uint8_t *p, size_t off)
{
	uint64_t v;

	memcpy(&v, p + off, sizeof(v));
	return v;
}

bool bzimage_parse(const void *image, size_t size, struct bzimage_info *info, char *err,
		   size_t errlen)
{
	const uint8_t *p = image;
	uint32_t setup_sects;

	memset(info, 0, sizeof(*info));
	if (size < OFF_INIT_SIZE + sizeof(uint32_t) || u16_at(p, OFF_BOOT_FLAG) != BOOT_FLAG ||
	    u32_at(p, OFF_HEADER) != HDRS_MAGIC) {
		fmt_snprintf(err, errlen, "not a bzImage (no boot flag or HdrS header)");
		return false;
	}
	info->version = u16_at(p, OFF_VERSION);
	if (info->version < BZ_MIN_VERSION) {
		fmt_snprintf(err, errlen, "boot protocol %u.%02u is too old: hv needs 2.12",
			     info->version >> 8, info->version & 0xff);
		return false;
	}
	info->xloadflags = u16_at(p, OFF_XLOADFLAGS);
	if (!(info->xloadflags & XLF_KERNEL_64) || !(u8_at(p, OFF_LOADFLAGS) & LOADED_HIGH)) {
		fmt_snprintf(err, errlen, "not a 64-bit bzImage (XLF_KERNEL_64 clear)");
		return false;
	}
	setup_sects = u8_at(p, OFF_SETUP_SECTS) ? u8_at(p, OFF_SETUP_SECTS) : DEFAULT_SETUP_SECTS;
	info->kernel_offset = (setup_sects + 1) * SECTOR;
	if (info->kernel_offset >= size) {
		fmt_snprintf(err, errlen, "corrupt bzImage: %u setup sectors in a %zu-byte file",
			     setup_sects, size);
		return false;
	}
	info->kernel_size = (uint32_t)(size - info->kernel_offset);
	info->init_size = u32_at(p, OFF_INIT_SIZE);
	info->kernel_alignment = u32_at(p, OFF_KERNEL_ALIGNMENT);
	info->relocatable = u8_at(p, OFF_RELOCATABLE);
	info->pref_address = u64_at(p, OFF_PREF_ADDRESS);
	info->initrd_addr_max = u32_at(p, OFF_INITRD_ADDR_MAX);
	info->cmdline_size = u32_at(p, OFF_CMDLINE_SIZE);
	/* The header runs from 0x1f1 to the end its jump instruction skips. */
	info->header_end = OFF_HEADER + u8_at(p, OFF_JUMP + 1);
	if (info->init_size < info->kernel_size || info->header_end > BZ_ZERO_PAGE_SIZE ||
	    info->header_end > size || (info->kernel_alignment & (info->kernel_alignment - 1))) {
		fmt_snprintf(err, errlen, "corrupt bzImage setup header");
		return false;
	}
	return true;
}

bool bzimage_plan(const struct bzimage_info *info, uint64_t ram_limit, uint64_t initrd_size,
		  size_t cmdline_len, struct bzimage_layout *layout, char *err, size_t errlen)
{
	uint64_t kernel = info->pref_address ? info->pref_address : DEFAULT_KERNEL_ADDR;
	uint64_t kernel_end, initrd_top;

	if (info->relocatable && info->kernel_alignment)
		kernel = ALIGN_UP(kernel, (uint64_t)info->kernel_alignment);
	kernel_end = kernel + info->init_size;
	if (cmdline_len >= info->cmdline_size || cmdline_len >= kernel - CMDLINE_GPA) {
		fmt_snprintf(err, errlen, "a %zu-byte cmdline= is longer than the kernel takes (%u)",
			     cmdline_len, info->cmdline_size);
		return false;
	}
	if (kernel_end > ram_limit) {
		fmt_snprintf(err, errlen,
			     "the kernel needs %lu MiB from %lu MiB to unpack: more than mem= has",
			     (unsigned long)(info->init_size >> 20), (unsigned long)(kernel >> 20));
		return false;
	}
	layout->params = ZERO_PAGE_GPA;
	layout->cmdline = CMDLINE_GPA;
	layout->kernel = kernel;
	layout->initrd = 0;
	if (initrd_size) {
		initrd_top = MIN(ram_limit, (uint64_t)info->initrd_addr_max + 1);
		if (initrd_size > initrd_top || ALIGN_DOWN(initrd_top - initrd_size, PAGE) < kernel_end) {
			fmt_snprintf(err, errlen,
				     "the %lu KiB initrd does not fit between the kernel and the top "
				     "of mem=",
				     (unsigned long)(initrd_size >> 10));
			return false;
		}
		layout->initrd = ALIGN_DOWN(initrd_top - initrd_size, PAGE);
	}
	return true;
}

static void put_u32(uint8_t *p, size_t off, uint32_t v)
{
	memcpy(p + off, &v, sizeof(v));
}

static void add_e820(uint8_t *zp, uint64_t addr, uint64_t size, uint32_t type)
{
	struct e820_entry e = { addr, size, type };
	uint8_t n = zp[OFF_E820_ENTRIES];

	if (!size || n == BZ_E820_MAX)
		return;
	memcpy(zp + OFF_E820_TABLE + n * sizeof(e), &e, sizeof(e));
	zp[OFF_E820_ENTRIES] = (uint8_t)(n + 1);
}

void bzimage_build_params(uint8_t *zp, const void *image, const struct bzimage_info *info,
			  const struct bzimage_layout *layout, uint64_t initrd_size,
			  uint64_t ram_limit, uint64_t ram_size)
{
	memset(zp, 0, BZ_ZERO_PAGE_SIZE);
	memcpy(zp + OFF_SETUP_SECTS, (const uint8_t *)image + OFF_SETUP_SECTS,
	       info->header_end - OFF_SETUP_SECTS);
	zp[OFF_TYPE_OF_LOADER] = LOADER_UNDEFINED;
	put_u32(zp, OFF_CMD_LINE_PTR, (uint32_t)layout->cmdline);
	put_u32(zp, OFF_RAMDISK_IMAGE, (uint32_t)layout->initrd);
	put_u32(zp, OFF_RAMDISK_SIZE, layout->initrd ? (uint32_t)initrd_size : 0);
	add_e820(zp, 0, LEGACY_HOLE_START, E820_RAM);
	add_e820(zp, LEGACY_HOLE_START, LEGACY_HOLE_END - LEGACY_HOLE_START, E820_RESERVED);
	add_e820(zp, LEGACY_HOLE_END, ram_limit - LEGACY_HOLE_END, E820_RAM);
	add_e820(zp, ram_limit, ram_size - ram_limit, E820_RESERVED);
}
