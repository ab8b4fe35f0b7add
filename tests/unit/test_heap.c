/* Heap: alignment, splitting, coalescing, exhaustion and bad frees. */
#include <stdlib.h>

#include "mm/heap.h"
#include "test.h"

#define ARENA_SIZE (64 * 1024)
#define HEADER 16 /* block header: size and magic */

struct arena {
	struct heap h;
	unsigned char *mem;
};

static void setup(struct arena *a)
{
	a->mem = malloc(ARENA_SIZE);
	CHECK(heap_init(&a->h, a->mem, ARENA_SIZE));
}

static struct heap_stats stats(const struct arena *a)
{
	struct heap_stats st;

	heap_get_stats(&a->h, &st);
	return st;
}

TEST(heap_alignment_and_no_overlap)
{
	struct arena a;
	unsigned char *p[64];

	setup(&a);
	for (size_t i = 0; i < ARRAY_SIZE(p); i++) {
		p[i] = heap_alloc(&a.h, i + 1);
		CHECK(p[i] != NULL);
		CHECK_EQ((uintptr_t)p[i] % HEAP_ALIGN, 0);
		memset(p[i], (int)i, i + 1);
	}
	for (size_t i = 0; i < ARRAY_SIZE(p); i++) {
		for (size_t j = 0; j <= i; j++)
			CHECK_EQ(p[i][j], i);
	}
	CHECK_EQ(stats(&a).live_allocs, ARRAY_SIZE(p));
	for (size_t i = 0; i < ARRAY_SIZE(p); i++)
		CHECK_EQ(heap_free(&a.h, p[i]), HEAP_OK);
	CHECK_EQ(stats(&a).free_blocks, 1);
	free(a.mem);
}

TEST(heap_unaligned_region)
{
	struct heap h;
	unsigned char *mem = malloc(1024);
	void *p;

	CHECK(heap_init(&h, mem + 3, 1000));
	p = heap_alloc(&h, 1);
	CHECK_EQ((uintptr_t)p % HEAP_ALIGN, 0);
	CHECK((unsigned char *)p >= mem + 3);
	CHECK_EQ(heap_free(&h, p), HEAP_OK);
	CHECK(!heap_init(&h, mem + 1, 20)); /* no room for one block */
	free(mem);
}

TEST(heap_split)
{
	struct arena a;
	struct heap_stats st;
	void *p;

	setup(&a);
	CHECK_EQ(stats(&a).total_bytes, ARENA_SIZE);
	p = heap_alloc(&a.h, 40);
	st = stats(&a);
	CHECK_EQ(st.free_blocks, 1);
	CHECK_EQ(st.free_bytes, ARENA_SIZE - (48 + HEADER));
	CHECK_EQ(st.largest_free, ARENA_SIZE - (48 + HEADER) - HEADER);
	CHECK_EQ(heap_free(&a.h, p), HEAP_OK);
	free(a.mem);
}

TEST(heap_coalesce_back_to_one_block)
{
	struct arena a;
	void *p1, *p2, *p3, *p4;

	setup(&a);
	p1 = heap_alloc(&a.h, 100);
	p2 = heap_alloc(&a.h, 200);
	p3 = heap_alloc(&a.h, 300);
	p4 = heap_alloc(&a.h, 400);
	CHECK_EQ(heap_free(&a.h, p1), HEAP_OK);
	CHECK_EQ(heap_free(&a.h, p3), HEAP_OK);
	CHECK_EQ(stats(&a).free_blocks, 3); /* p1, p3, the tail */
	CHECK_EQ(heap_free(&a.h, p2), HEAP_OK); /* joins p1 and p3 */
	CHECK_EQ(stats(&a).free_blocks, 2);
	CHECK_EQ(heap_free(&a.h, p4), HEAP_OK); /* joins everything */
	CHECK_EQ(stats(&a).free_blocks, 1);
	CHECK_EQ(stats(&a).free_bytes, ARENA_SIZE);
	CHECK_EQ(stats(&a).live_allocs, 0);
	free(a.mem);
}

TEST(heap_first_fit_reuses_hole)
{
	struct arena a;
	void *p1, *p2, *p3;

	setup(&a);
	p1 = heap_alloc(&a.h, 64);
	p2 = heap_alloc(&a.h, 64);
	CHECK_EQ(heap_free(&a.h, p1), HEAP_OK);
	p3 = heap_alloc(&a.h, 48);
	CHECK(p3 == p1);
	CHECK_EQ(heap_free(&a.h, p2), HEAP_OK);
	CHECK_EQ(heap_free(&a.h, p3), HEAP_OK);
	free(a.mem);
}

TEST(heap_exhaustion)
{
	struct arena a;
	void *p[ARENA_SIZE / 64];
	size_t n = 0, largest;

	setup(&a);
	CHECK(heap_alloc(&a.h, 0) == NULL);
	CHECK(heap_alloc(&a.h, ARENA_SIZE) == NULL);
	CHECK(heap_alloc(&a.h, SIZE_MAX) == NULL);
	while (n < ARRAY_SIZE(p) && (p[n] = heap_alloc(&a.h, 48)) != NULL)
		n++;
	CHECK_EQ(n, ARENA_SIZE / 64);
	CHECK(heap_alloc(&a.h, 1) == NULL);
	CHECK_EQ(stats(&a).free_bytes, 0);
	while (n)
		CHECK_EQ(heap_free(&a.h, p[--n]), HEAP_OK);
	largest = stats(&a).largest_free;
	CHECK_EQ(largest, ARENA_SIZE - HEADER);
	CHECK(heap_alloc(&a.h, largest + 1) == NULL);
	p[0] = heap_alloc(&a.h, largest);
	CHECK(p[0] != NULL);
	CHECK_EQ(heap_free(&a.h, p[0]), HEAP_OK);
	free(a.mem);
}

TEST(heap_double_free_and_bad_pointers)
{
	struct arena a;
	unsigned char *p1, *p2, *p3;
	int local;

	setup(&a);
	p1 = heap_alloc(&a.h, 64);
	p2 = heap_alloc(&a.h, 64);
	p3 = heap_alloc(&a.h, 64);
	memset(p2, 0, 64);
	CHECK_EQ(heap_free(&a.h, NULL), HEAP_OK);
	CHECK_EQ(heap_free(&a.h, &local), HEAP_ERR_BAD_POINTER);
	CHECK_EQ(heap_free(&a.h, p2 + 1), HEAP_ERR_BAD_POINTER);
	CHECK_EQ(heap_free(&a.h, p2 + 32), HEAP_ERR_BAD_POINTER);
	CHECK_EQ(heap_free(&a.h, a.mem), HEAP_ERR_BAD_POINTER);
	CHECK_EQ(heap_free(&a.h, p1), HEAP_OK);
	CHECK_EQ(heap_free(&a.h, p1), HEAP_ERR_DOUBLE_FREE);
	CHECK_EQ(heap_free(&a.h, p2), HEAP_OK); /* merged into p1's block */
	CHECK_EQ(heap_free(&a.h, p2), HEAP_ERR_DOUBLE_FREE);
	CHECK_EQ(stats(&a).live_allocs, 1);
	CHECK_EQ(heap_free(&a.h, p3), HEAP_OK);
	CHECK_EQ(heap_free(&a.h, p3), HEAP_ERR_DOUBLE_FREE);
	CHECK_STR(heap_status_str(HEAP_ERR_DOUBLE_FREE), "double free");
	free(a.mem);
}
