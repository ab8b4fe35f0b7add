/* A small first-fit heap over one caller-given region. Every block starts
 * with a header; free blocks form a list in address order so that freeing
 * can merge a block with both neighbours. Pure logic, host-tested. */
#ifndef MM_HEAP_H
#define MM_HEAP_H

#include "compiler.h"

#define HEAP_ALIGN 16

struct heap_block;

struct heap {
	uintptr_t start; /* HEAP_ALIGN-aligned */
	uintptr_t end;
	struct heap_block *free_list; /* by address */
	size_t live_allocs;
};

struct heap_stats {
	size_t total_bytes; /* managed, headers included */
	size_t free_bytes; /* in free blocks, headers included */
	size_t free_blocks;
	size_t largest_free; /* largest request that can succeed */
	size_t live_allocs;
};

enum heap_status {
	HEAP_OK = 0,
	HEAP_ERR_BAD_POINTER = -1, /* not a pointer heap_alloc returned */
	HEAP_ERR_DOUBLE_FREE = -2, /* points into a free block */
};

/* Manage [base, base + size); returns false if that is too small to hold
 * even one block. */
bool heap_init(struct heap *h, void *base, size_t size);

/* HEAP_ALIGN-aligned; NULL when no free block is large enough or size is 0. */
void *heap_alloc(struct heap *h, size_t size);

/* NULL is accepted and ignored. On error nothing changes. */
enum heap_status heap_free(struct heap *h, void *p);

void heap_get_stats(const struct heap *h, struct heap_stats *st);

const char *heap_status_str(enum heap_status st);

#endif
