/* The multiboot (v1) boot information for guests (include/vmm/mb1_info.h).
 *
 * Buffer layout: struct mb1_info, the memory map, the module list, then the
 * command line and module strings. The caller aligns base_gpa; every part
 * here starts 4-byte aligned relative to it (116 and 24 and 16 are). */
#include "vmm/mb1_info.h"

#include "lib/string.h"
#include "vmm/guest_config.h"

/* A guest's RAM as a PC presents it: low RAM up to the conventional EBDA,
 * the legacy hole up to 1 MiB, high RAM, and the entry-state area on top. */
#define LOW_RAM_END 0x9FC00u
#define HIGH_RAM_START (1 * MiB)
#define MB1_ADDR_LIMIT (4 * GiB) /* the info holds 32-bit addresses */
#define MB1_MAX_REGIONS 4

struct region {
	uint64_t base;
	uint64_t end;
	uint32_t type; /* MB1_MMAP_* */
};

/* Appends to the caller's buffer; once something does not fit, nothing
 * more is written and overflow stays set. */
struct writer {
	unsigned char *buf;
	size_t len;
	size_t used;
	bool overflow;
};

/* Append n bytes (zeros when src is NULL); returns their offset. */
static size_t put(struct writer *w, const void *src, size_t n)
{
	size_t off = w->used;

	if (w->overflow || n > w->len - w->used) {
		w->overflow = true;
		return 0;
	}
	if (src)
		memcpy(w->buf + off, src, n);
	else
		memset(w->buf + off, 0, n);
	w->used += n;
	return off;
}

static size_t put_string(struct writer *w, const char *s)
{
	return put(w, s, strlen(s) + 1);
}

/* The non-empty parts of the guest's RAM layout, in address order. */
static size_t guest_regions(uint64_t ram_size, struct region out[MB1_MAX_REGIONS])
{
	uint64_t limit = guest_image_limit(ram_size);
	const struct region all[MB1_MAX_REGIONS] = {
		{ 0, MIN(LOW_RAM_END, limit), MB1_MMAP_AVAILABLE },
		{ LOW_RAM_END, MIN(HIGH_RAM_START, limit), MB1_MMAP_RESERVED },
		{ HIGH_RAM_START, limit, MB1_MMAP_AVAILABLE },
		{ limit, ram_size, MB1_MMAP_RESERVED },
	};
	size_t n = 0;

	for (size_t i = 0; i < MB1_MAX_REGIONS; i++) {
		if (all[i].end > all[i].base)
			out[n++] = all[i];
	}
	return n;
}

/* KiB of usable RAM in the region starting at base, 0 if there is none. */
static uint32_t usable_kib_at(const struct region *r, size_t n, uint64_t base)
{
	for (size_t i = 0; i < n; i++) {
		if (r[i].base == base && r[i].type == MB1_MMAP_AVAILABLE)
			return (uint32_t)((r[i].end - r[i].base) / KiB);
	}
	return 0;
}

static size_t put_mmap(struct writer *w, const struct region *r, size_t n)
{
	size_t first = w->used;

	for (size_t i = 0; i < n; i++) {
		struct mb1_mmap_entry e = {
			.size = sizeof(e) - sizeof(e.size),
			.base_addr = r[i].base,
			.length = r[i].end - r[i].base,
			.type = r[i].type,
		};

		put(w, &e, sizeof(e));
	}
	return first;
}

static bool below_4g(uint64_t addr)
{
	return addr <= MB1_ADDR_LIMIT - 1;
}

/* The module table, then each module's string; false when a module lies
 * at or above 4 GiB. */
static bool put_modules(struct writer *w, uint64_t base_gpa, const struct mb1_module *mods,
			size_t nmods, size_t *table_off)
{
	if (nmods > w->len / sizeof(struct mb1_module_entry)) {
		w->overflow = true;
		return true;
	}
	*table_off = put(w, NULL, nmods * sizeof(struct mb1_module_entry));
	for (size_t i = 0; i < nmods; i++) {
		size_t str_off = put_string(w, mods[i].string ? mods[i].string : "");
		struct mb1_module_entry e = {
			.mod_start = (uint32_t)mods[i].start,
			.mod_end = (uint32_t)mods[i].end,
			.string = (uint32_t)(base_gpa + str_off),
		};

		if (!below_4g(mods[i].start) || !below_4g(mods[i].end) ||
		    mods[i].end < mods[i].start)
			return false;
		if (!w->overflow)
			memcpy(w->buf + *table_off + i * sizeof(e), &e, sizeof(e));
	}
	return true;
}

size_t mb1_build_info(void *buf, size_t buflen, uint64_t base_gpa, uint64_t ram_size,
		      const char *cmdline, const struct mb1_module *mods, size_t nmods)
{
	struct writer w = { buf, buflen, 0, false };
	struct mb1_info info = { .flags = MB1_INFO_MEMORY | MB1_INFO_MODS | MB1_INFO_MEM_MAP };
	struct region regions[MB1_MAX_REGIONS];
	size_t nregions, mods_off = 0;

	if (ram_size < GUEST_MEM_MIN || !below_4g(base_gpa))
		return 0;
	nregions = guest_regions(ram_size, regions);
	info.mem_lower = usable_kib_at(regions, nregions, 0);
	info.mem_upper = usable_kib_at(regions, nregions, HIGH_RAM_START);

	put(&w, NULL, sizeof(info));
	info.mmap_addr = (uint32_t)(base_gpa + put_mmap(&w, regions, nregions));
	info.mmap_length = (uint32_t)(nregions * sizeof(struct mb1_mmap_entry));
	if (cmdline) {
		info.flags |= MB1_INFO_CMDLINE;
		info.cmdline = (uint32_t)(base_gpa + put_string(&w, cmdline));
	}
	if (!put_modules(&w, base_gpa, mods, nmods, &mods_off))
		return 0;
	info.mods_count = (uint32_t)nmods;
	info.mods_addr = (uint32_t)(base_gpa + mods_off);

	/* Only now are the offsets final; the end check makes the casts exact. */
	if (w.overflow || w.used > MB1_ADDR_LIMIT - base_gpa)
		return 0;
	memcpy(buf, &info, sizeof(info));
	return w.used;
}
