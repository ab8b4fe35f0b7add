/* An ELF32 multiboot (v1) kernel: hv enters it like a multiboot loader, with
 * the magic in EAX and EBX pointing at the information structure, which must
 * describe this guest's RAM, command line and data module exactly.
 * What it expects comes from tests/boot/cases/vmx-boot.case:
 *   module2 mb32.elf name=mb32 mem=8M "cmdline=console=ttyS0,115200 quiet \"quoted arg\""
 *   module2 mb32-data.bin for=mb32 */
#include "guest.h"

#define EXPECTED_MEM (8 * 1024 * 1024)
#define EXPECTED_CMDLINE "console=ttyS0,115200 quiet \"quoted arg\""
#define DATA_SIZE 5000 /* tests/guests/mb32-data.S */

#define MB_BOOTLOADER_MAGIC 0x2badb002
#define MB_INFO_MEM (1U << 0)
#define MB_INFO_CMDLINE (1U << 2)
#define MB_INFO_MODS (1U << 3)
#define MB_INFO_MMAP (1U << 6)
#define MB_MEMORY_AVAILABLE 1
#define MB_MEMORY_RESERVED 2

/* Multiboot specification 0.6.96, section 3.3. */
struct mb_info {
	uint32_t flags;
	uint32_t mem_lower, mem_upper; /* KiB below 640K, KiB from 1 MiB */
	uint32_t boot_device;
	uint32_t cmdline;
	uint32_t mods_count, mods_addr;
	uint32_t syms[4];
	uint32_t mmap_length, mmap_addr;
};

struct mb_module {
	uint32_t mod_start, mod_end; /* end: one past the last byte */
	uint32_t string, reserved;
};

/* "size" counts the bytes after itself: the next entry is size + 4 on. */
struct __attribute__((packed)) mb_mmap_entry {
	uint32_t size;
	uint64_t addr, len;
	uint32_t type;
};

extern char __image_start[], __image_end[];

void mb32_main(uint32_t magic, uint32_t info_addr);

static bool streq(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static bool overlaps(uint32_t start, uint32_t end, uint32_t start2, uint32_t end2)
{
	return start < end2 && start2 < end;
}

/* The map hv must give: conventional memory up to the EBDA, the legacy
 * hole, RAM from 1 MiB up to the entry area, and the entry area itself. */
static void check_mmap(const struct mb_info *info)
{
	static const struct {
		uint64_t addr, len;
		uint32_t type;
	} want[] = {
		{ 0, 0x9fc00, MB_MEMORY_AVAILABLE },
		{ 0x9fc00, 0x100000 - 0x9fc00, MB_MEMORY_RESERVED },
		{ 0x100000, EXPECTED_MEM - ENTRY_AREA_SIZE - 0x100000, MB_MEMORY_AVAILABLE },
		{ EXPECTED_MEM - ENTRY_AREA_SIZE, ENTRY_AREA_SIZE, MB_MEMORY_RESERVED },
	};
	uint32_t at = info->mmap_addr, end = info->mmap_addr + info->mmap_length;
	unsigned n = 0, bad = 0;

	while (at < end) {
		const struct mb_mmap_entry *e = (const struct mb_mmap_entry *)at;

		print("mmap 0x%llx-0x%llx type %u\n", e->addr, e->addr + e->len, e->type);
		if (n >= sizeof(want) / sizeof(want[0]) || e->addr != want[n].addr || e->len != want[n].len ||
		    e->type != want[n].type || e->size < 20)
			bad++;
		n++;
		at += e->size + 4;
	}
	check(bad == 0 && n == sizeof(want) / sizeof(want[0]),
	      "memory map: usable 0-0x9fc00, reserved to 1 MiB, usable to mem-64K, reserved top 64K",
	      "%u entries, %u differ from the expected 4", n, bad);
}

static void check_module(const struct mb_info *info)
{
	const struct mb_module *m = (const struct mb_module *)info->mods_addr;
	const uint8_t *data;
	unsigned bad = 0;

	if (!check(info->mods_count == 1, "one data module", "mods_count %u", info->mods_count))
		return;
	print("module 0x%x-0x%x '%s'\n", m->mod_start, m->mod_end, m->string ? (const char *)m->string : "");
	check(m->mod_end - m->mod_start == DATA_SIZE, "module size 5000 bytes", "size %u", m->mod_end - m->mod_start);
	if (!check(m->mod_start >= 0x100000 && m->mod_end <= EXPECTED_MEM - ENTRY_AREA_SIZE &&
			   !overlaps(m->mod_start, m->mod_end, (uintptr_t)__image_start, (uintptr_t)__image_end),
		   "module in usable RAM, clear of the kernel", "module 0x%x-0x%x, kernel %p-%p", m->mod_start,
		   m->mod_end, (void *)__image_start, (void *)__image_end))
		return;
	data = (const uint8_t *)m->mod_start;
	for (uint32_t i = 0; i < DATA_SIZE; i++)
		bad += data[i] != (uint8_t)(i * 7 + 3);
	check(bad == 0, "module bytes match mb32-data.bin", "%u bytes differ", bad);
}

void mb32_main(uint32_t magic, uint32_t info_addr)
{
	const struct mb_info *info = (const struct mb_info *)info_addr;
	const uint32_t want_flags = MB_INFO_MEM | MB_INFO_CMDLINE | MB_INFO_MODS | MB_INFO_MMAP;
	unsigned long cr0 = read_cr0();

	check(magic == MB_BOOTLOADER_MAGIC, "EAX holds 0x2badb002", "EAX 0x%x", magic);
	check((cr0 & (CR0_PE | CR0_PG)) == CR0_PE, "32-bit protected mode, paging off", "CR0 0x%lx", cr0);
	check(info_addr >= EXPECTED_MEM - ENTRY_AREA_SIZE && info_addr < EXPECTED_MEM,
	      "multiboot information in the top 64 KiB of RAM", "EBX 0x%x", info_addr);
	if (info_addr >= EXPECTED_MEM) /* reading it would only stop this guest */
		finish();
	if (!check((info->flags & want_flags) == want_flags, "flags: mem, cmdline, mods, mmap", "flags 0x%x",
		   info->flags))
		finish();
	check(info->mem_lower == 639, "mem_lower 639 KiB", "mem_lower %u", info->mem_lower);
	check(info->mem_upper == (EXPECTED_MEM - ENTRY_AREA_SIZE - 0x100000) / 1024, "mem_upper 8M-1M-64K in KiB",
	      "mem_upper %u", info->mem_upper);
	check_mmap(info);
	check(info->cmdline && streq((const char *)info->cmdline, EXPECTED_CMDLINE), "cmdline " EXPECTED_CMDLINE,
	      "cmdline '%s'", info->cmdline ? (const char *)info->cmdline : "(null)");
	check_module(info);
	finish();
}
