/* First-fit heap with an address-ordered free list, split on allocation and
 * merge with both neighbours on free. */
#include "mm/heap.h"

struct heap_block {
	size_t size; /* the whole block, header included; a multiple of HEAP_ALIGN */
	uint64_t magic; /* BLOCK_USED or BLOCK_FREE */
	struct heap_block *next_free; /* only while free: overlays the payload */
};

#define HEADER_SIZE offsetof(struct heap_block, next_free)
#define MIN_BLOCK ALIGN_UP(sizeof(struct heap_block), HEAP_ALIGN)
/* Magic numbers tell a real header from a stray pointer. */
#define BLOCK_USED 0xa110ca7edb10c000ULL
#define BLOCK_FREE 0xf4eeb10cf4eeb10cULL

_Static_assert(HEADER_SIZE % HEAP_ALIGN == 0, "payloads stay aligned");

static void *payload(struct heap_block *b)
{
	return (char *)b + HEADER_SIZE;
}

static uintptr_t block_end(const struct heap_block *b)
{
	return (uintptr_t)b + b->size;
}

bool heap_init(struct heap *h, void *base, size_t size)
{
	uintptr_t start = ALIGN_UP((uintptr_t)base, HEAP_ALIGN);
	uintptr_t end = ALIGN_DOWN((uintptr_t)base + size, HEAP_ALIGN);
	struct heap_block *b = (struct heap_block *)start;

	if (end < start || end - start < MIN_BLOCK)
		return false;
	h->start = start;
	h->end = end;
	h->live_allocs = 0;
	b->size = end - start;
	b->magic = BLOCK_FREE;
	b->next_free = NULL;
	h->free_list = b;
	return true;
}

void *heap_alloc(struct heap *h, size_t size)
{
	size_t need;

	if (!size || size > h->end - h->start)
		return NULL;
	need = MAX(ALIGN_UP(size, HEAP_ALIGN) + HEADER_SIZE, MIN_BLOCK);
	for (struct heap_block **link = &h->free_list; *link; link = &(*link)->next_free) {
		struct heap_block *b = *link;

		if (b->size < need)
			continue;
		if (b->size - need >= MIN_BLOCK) {
			struct heap_block *rest = (struct heap_block *)((uintptr_t)b + need);

			rest->size = b->size - need;
			rest->magic = BLOCK_FREE;
			rest->next_free = b->next_free;
			b->size = need;
			*link = rest;
		} else {
			*link = b->next_free;
		}
		b->magic = BLOCK_USED;
		h->live_allocs++;
		return payload(b);
	}
	return NULL;
}

static bool in_free_block(const struct heap *h, uintptr_t addr)
{
	for (const struct heap_block *b = h->free_list; b; b = b->next_free) {
		if (addr >= (uintptr_t)b && addr < block_end(b))
			return true;
	}
	return false;
}

/* Absorb the free block that directly follows b, if there is one. */
static void merge_with_next(struct heap_block *b)
{
	struct heap_block *next = b->next_free;

	if (!next || block_end(b) != (uintptr_t)next)
		return;
	b->size += next->size;
	b->next_free = next->next_free;
	next->magic = 0; /* a stale header must not pass for a live one */
}

static void insert_free(struct heap *h, struct heap_block *b)
{
	struct heap_block *prev = NULL;

	for (struct heap_block *f = h->free_list; f && f < b; f = f->next_free)
		prev = f;
	b->magic = BLOCK_FREE;
	b->next_free = prev ? prev->next_free : h->free_list;
	if (prev)
		prev->next_free = b;
	else
		h->free_list = b;
	merge_with_next(b);
	if (prev)
		merge_with_next(prev);
}

enum heap_status heap_free(struct heap *h, void *p)
{
	uintptr_t addr = (uintptr_t)p;
	struct heap_block *b = (struct heap_block *)(addr - HEADER_SIZE);

	if (!p)
		return HEAP_OK;
	if (addr < h->start + HEADER_SIZE || addr >= h->end || !IS_ALIGNED(addr, HEAP_ALIGN))
		return HEAP_ERR_BAD_POINTER;
	if (in_free_block(h, addr))
		return HEAP_ERR_DOUBLE_FREE;
	if (b->magic != BLOCK_USED || b->size < MIN_BLOCK || b->size > h->end - (uintptr_t)b)
		return HEAP_ERR_BAD_POINTER;
	insert_free(h, b);
	h->live_allocs--;
	return HEAP_OK;
}

void heap_get_stats(const struct heap *h, struct heap_stats *st)
{
	size_t largest = 0;

	st->total_bytes = h->end - h->start;
	st->free_bytes = 0;
	st->free_blocks = 0;
	for (const struct heap_block *b = h->free_list; b; b = b->next_free) {
		st->free_bytes += b->size;
		st->free_blocks++;
		largest = MAX(largest, b->size);
	}
	st->largest_free = largest ? largest - HEADER_SIZE : 0;
	st->live_allocs = h->live_allocs;
}

const char *heap_status_str(enum heap_status st)
{
	switch (st) {
	case HEAP_OK:
		return "ok";
	case HEAP_ERR_BAD_POINTER:
		return "not a heap pointer";
	case HEAP_ERR_DOUBLE_FREE:
		return "double free";
	}
	return "unknown error";
}
