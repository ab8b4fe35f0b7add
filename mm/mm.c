/* Kernel glue over the pure allocators: builds the frame allocator from the
 * boot memory map, replaces the boot stub's page tables with the final ones
 * (direct map of RAM, W^X image, nothing in the lower half) and sets up the
 * heap. Single CPU, called before interrupts are enabled: no locking. */
#include "mm/mm.h"

#include "arch/x86/cpu.h"
#include "core/log.h"
#include "lib/string.h"
#include "mm/frame.h"
#include "mm/heap.h"
#include "mm/layout.h"
#include "mm/paging.h"

_Static_assert(FRAME_SIZE == PAGE_SIZE, "frames are pages");
_Static_assert(PT_SIZE_4K == PAGE_SIZE && PT_SIZE_2M == LARGE_PAGE_SIZE &&
		       PT_SIZE_1G == HUGE_PAGE_SIZE,
	       "page sizes agree with layout.h");

/* Real-mode IVT, BIOS data, EBDA, VGA memory and option ROMs. */
#define LOW_RESERVED_END (1 * MiB)
/* The boot stub's direct map reaches only this far; until CR3 switches, the
 * bitmap and new page tables must lie below it. */
#define BOOT_MAP_LIMIT (4 * GiB)
/* The fixed-range MTRRs give the first MiB several memory types, and a large
 * page must not span two (SDM Vol. 3A 11.11.9): 4 KiB pages up to here. */
#define LOW_SMALL_PAGES_END LARGE_PAGE_SIZE
/* 64 TiB: PML4 slots 256-383, far below the image and the MMIO window. */
#define DIRECT_MAP_MAX (64 * 1024 * GiB)
#define HEAP_SIZE (1 * MiB)
#define MAX_BOOT_RESERVED (3 + BOOT_MAX_MODULES)

static struct frame_alloc frames;
static struct page_table host_pt;
static struct heap kheap;
static bool host_tables_live;
static uint64_t nx_flag; /* PTE_NX, or 0 where the bit is reserved */
static uint64_t mmio_used;

static void *direct_map_p2v(void *ctx, uint64_t phys)
{
	(void)ctx;
	return phys_to_virt(phys);
}

static uint64_t table_alloc(void *ctx)
{
	uint64_t phys = frame_alloc(&frames, 1, 1);

	(void)ctx;
	if (phys && !host_tables_live && phys + PAGE_SIZE > BOOT_MAP_LIMIT)
		panic("mm: page table frame 0x%lx is beyond the boot direct map", phys);
	return phys;
}

static void table_free(void *ctx, uint64_t phys)
{
	(void)ctx;
	frame_free_pages(phys, 1);
}

const struct pt_ops mm_frame_table_ops = {
	.alloc_table = table_alloc,
	.free_table = table_free,
	.phys_to_virt = direct_map_p2v,
};

/* ---- Frames ---- */

static size_t boot_reserved(const struct boot_info *bi, struct phys_range *out)
{
	/* Whichever is larger, so .bss is never handed out. */
	uint64_t image_end = MAX((uintptr_t)_image_phys_end, virt_to_phys(_bss_end));
	size_t n = 0;

	out[n++] = (struct phys_range){ 0, LOW_RESERVED_END };
	out[n++] = (struct phys_range){ (uintptr_t)_image_phys_start, image_end };
	/* The RSDP copy lies inside the info, so this covers it too. */
	out[n++] = (struct phys_range){ bi->info_phys, bi->info_phys + bi->info_size };
	for (size_t i = 0; i < MIN(bi->module_count, (size_t)BOOT_MAX_MODULES); i++)
		out[n++] = (struct phys_range){ bi->modules[i].start, bi->modules[i].end };
	return n;
}

static size_t mmap_count(const struct boot_info *bi)
{
	return MIN(bi->mmap_count, (size_t)BOOT_MAX_MMAP);
}

static size_t usable_region_count(const struct boot_info *bi)
{
	size_t n = 0;

	for (size_t i = 0; i < mmap_count(bi); i++)
		n += bi->mmap[i].type == MEM_USABLE && bi->mmap[i].length;
	return n;
}

static void init_frames(const struct boot_info *bi)
{
	struct phys_range reserved[MAX_BOOT_RESERVED];
	struct frame_init_args args = {
		.regions = bi->mmap,
		.region_count = mmap_count(bi),
		.reserved = reserved,
		.reserved_count = boot_reserved(bi, reserved),
		.bitmap_limit = BOOT_MAP_LIMIT,
		.phys_to_virt = direct_map_p2v,
	};

	switch (frame_init(&frames, &args)) {
	case FRAME_OK:
		break;
	case FRAME_ERR_NO_USABLE:
		panic("mm: the memory map (%zu entries) has no usable RAM", args.region_count);
	case FRAME_ERR_NO_ROOM:
		panic("mm: no free room below 4 GiB for the %lu KiB frame bitmap",
		      frames.bitmap_bytes / KiB);
	}
	log_info("mm: RAM %lu MiB usable in %zu regions (%zu memory map entries), %lu MiB free",
		 frame_usable_bytes(&frames) / MiB, usable_region_count(bi), args.region_count,
		 frame_free_bytes(&frames) / MiB);
}

/* ---- Host page tables ---- */

static const char *pt_status_str(enum pt_status st)
{
	switch (st) {
	case PT_OK:
		return "ok";
	case PT_ERR_NOMEM:
		return "out of frames for page tables";
	case PT_ERR_INVAL:
		return "bad arguments";
	case PT_ERR_EXISTS:
		return "already mapped";
	case PT_ERR_NOT_MAPPED:
		return "not mapped";
	}
	return "unknown error";
}

static void map_or_panic(const char *what, uint64_t va, uint64_t pa, uint64_t size,
			 uint64_t flags, uint64_t max_page)
{
	enum pt_status st = pt_map(&host_pt, va, pa, size, flags, max_page);

	if (st != PT_OK)
		panic("mm: cannot map %s 0x%lx-0x%lx: %s", what, va, va + size, pt_status_str(st));
}

/* The end of the highest RAM or ACPI region: what the direct map covers. */
static uint64_t direct_map_end(const struct boot_info *bi)
{
	uint64_t end = 0;

	for (size_t i = 0; i < mmap_count(bi); i++) {
		const struct mem_region *r = &bi->mmap[i];

		if (r->type == MEM_USABLE || r->type == MEM_ACPI_RECLAIMABLE ||
		    r->type == MEM_ACPI_NVS)
			end = MAX(end, r->base + r->length);
	}
	end = ALIGN_UP(end, LARGE_PAGE_SIZE);
	if (end > DIRECT_MAP_MAX)
		panic("mm: RAM up to 0x%lx is beyond the 64 TiB direct map", end);
	return end;
}

/* Extend the direct map from *cursor up to end. */
static void direct_map_to(uint64_t *cursor, uint64_t end, uint64_t flags, uint64_t max_page)
{
	if (end > *cursor) {
		map_or_panic("direct map", DIRECT_MAP_BASE + *cursor, *cursor, end - *cursor,
			     flags, max_page);
		*cursor = end;
	}
}

/* Map [0, end) at DIRECT_MAP_BASE, read-write and not executable, except
 * that the alias of .text and .rodata is read-only, so no address both
 * writes and executes kernel code. */
static void map_direct(uint64_t end, uint64_t max_page)
{
	uint64_t ro_start = virt_to_phys(_text_start);
	uint64_t ro_end = ALIGN_UP(virt_to_phys(_rodata_end), PAGE_SIZE);
	uint64_t cursor = 0;

	direct_map_to(&cursor, MIN(LOW_SMALL_PAGES_END, end), PTE_W | nx_flag, PAGE_SIZE);
	direct_map_to(&cursor, MIN(ro_start, end), PTE_W | nx_flag, max_page);
	direct_map_to(&cursor, MIN(ro_end, end), nx_flag, PAGE_SIZE);
	direct_map_to(&cursor, end, PTE_W | nx_flag, max_page);
}

static uint64_t map_section(const char *what, const void *start, const void *end,
			    uint64_t flags)
{
	uint64_t va = ALIGN_DOWN((uintptr_t)start, PAGE_SIZE);
	uint64_t size = ALIGN_UP((uintptr_t)end, PAGE_SIZE) - va;

	if ((uintptr_t)end <= (uintptr_t)start)
		return 0;
	map_or_panic(what, va, virt_to_phys((void *)(uintptr_t)va), size, flags, PAGE_SIZE);
	return size;
}

/* W^X with 4 KiB pages. Anything the linker put before .text (the multiboot
 * header, the 32-bit entry code) stays readable but neither writable nor
 * executable. */
static void map_image(void)
{
	uint64_t start = KERNEL_VMA + (uintptr_t)_image_phys_start;
	uint64_t end = ALIGN_UP((uintptr_t)_bss_end, PAGE_SIZE);
	uint64_t text, rodata, data;

	map_section("image head", (void *)(uintptr_t)start, _text_start, nx_flag);
	text = map_section(".text", _text_start, _text_end, 0);
	rodata = map_section(".rodata", _rodata_start, _rodata_end, nx_flag);
	data = map_section(".data/.bss", _data_start, _bss_end, PTE_W | nx_flag);
	log_info("mm: image 0x%lx-0x%lx (%lu KiB): text %lu KiB r-x, rodata %lu KiB r--, "
		 "data+bss %lu KiB rw-",
		 start, end, (end - start) / KiB, text / KiB, rodata / KiB, data / KiB);
}

/* The direct map's largest pages. If it has any 1 GiB page, it has the one
 * at 1 GiB: the image and its 4 KiB-mapped alias lie below. */
static const char *direct_map_page_name(void)
{
	uint64_t size = 0;

	pt_lookup(&host_pt, DIRECT_MAP_BASE + HUGE_PAGE_SIZE, NULL, NULL, &size);
	return size == HUGE_PAGE_SIZE ? "1G" : "2M";
}

static void build_host_tables(const struct boot_info *bi)
{
	uint64_t max_page = cpu_has_1g_pages() ? HUGE_PAGE_SIZE : LARGE_PAGE_SIZE;
	uint64_t end = direct_map_end(bi);

	/* Without NX the bit is reserved (SDM Vol. 3A 4.5): data stays executable. */
	nx_flag = cpu_has_nx() ? PTE_NX : 0;
	if (!nx_flag)
		log_warn("mm: the CPU has no NX bit: data pages stay executable");
	if (pt_init(&host_pt, &mm_frame_table_ops) != PT_OK)
		panic("mm: out of frames for the page-table root");
	map_direct(end, max_page);
	map_image();
	write_cr3(host_pt.root_phys);
	host_tables_live = true;
	log_info("mm: host page tables at 0x%lx, direct map 0x%lx-0x%lx (%s pages), W^X on",
		 host_pt.root_phys, DIRECT_MAP_BASE, DIRECT_MAP_BASE + end, direct_map_page_name());
}

/* ---- Heap ---- */

static void init_heap(void)
{
	uint64_t phys = frame_alloc(&frames, HEAP_SIZE / PAGE_SIZE, 1);
	void *base = phys_to_virt(phys);

	if (!phys || !heap_init(&kheap, base, HEAP_SIZE))
		panic("mm: out of frames for the %lu KiB heap", (uint64_t)HEAP_SIZE / KiB);
	log_info("mm: heap %lu KiB at %p", (uint64_t)HEAP_SIZE / KiB, base);
}

void mm_init(const struct boot_info *bi)
{
	init_frames(bi);
	build_host_tables(bi);
	init_heap();
}

/* ---- Public API ---- */

uint64_t frame_alloc_page(void)
{
	return frame_alloc(&frames, 1, 1);
}

uint64_t frame_alloc_pages(size_t count, size_t align_pages)
{
	return frame_alloc(&frames, count, align_pages);
}

void frame_free_pages(uint64_t phys, size_t count)
{
	if (!frame_free(&frames, phys, count))
		panic("mm: freeing %zu frames at 0x%lx that are not allocated", count, phys);
}

void *kmalloc(size_t size)
{
	return heap_alloc(&kheap, size);
}

void *kzalloc(size_t size)
{
	void *p = kmalloc(size);

	if (p)
		memset(p, 0, size);
	return p;
}

void kfree(void *p)
{
	enum heap_status st;

	if (!p)
		return;
	st = heap_free(&kheap, p);
	if (st != HEAP_OK)
		panic("mm: kfree(%p): %s", p, heap_status_str(st));
}

void mm_make_guard_page(void *va)
{
	uintptr_t v = (uintptr_t)va;
	enum pt_status st;

	if (!IS_ALIGNED(v, PAGE_SIZE) || v < (uintptr_t)_bss_start || v >= (uintptr_t)_bss_end)
		panic("mm: guard page %p is not a page of .bss", va);
	st = pt_unmap_page(&host_pt, v);
	if (st != PT_OK)
		panic("mm: cannot unmap guard page %p: %s", va, pt_status_str(st));
	invlpg(va);
}

/* A not-present entry is never cached, so making one present needs no TLB
 * flush (SDM Vol. 3A 4.10.4.3). */
void *mm_map_mmio(uint64_t phys, size_t size)
{
	uint64_t base = ALIGN_DOWN(phys, PAGE_SIZE);
	uint64_t len = ALIGN_UP(phys + size, PAGE_SIZE) - base;
	uint64_t va = MMIO_WINDOW_BASE + mmio_used;

	if (!host_tables_live)
		panic("mm: mm_map_mmio(0x%lx) before mm_init", phys);
	if (!size || len > MMIO_WINDOW_SIZE - mmio_used)
		panic("mm: cannot fit MMIO 0x%lx (+%zu) in the MMIO window", phys, size);
	map_or_panic("MMIO", va, base, len, PTE_W | PTE_PCD | PTE_PWT | nx_flag, PAGE_SIZE);
	mmio_used += len;
	return (void *)(uintptr_t)(va + (phys - base));
}

uint64_t mm_usable_bytes(void)
{
	return frame_usable_bytes(&frames);
}

uint64_t mm_free_bytes(void)
{
	return frame_free_bytes(&frames);
}
