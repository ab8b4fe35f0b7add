#include "table_pool.h"

#include <stdlib.h>
#include <string.h>

static uint64_t pool_alloc(void *ctx)
{
	struct table_pool *p = ctx;
	void *t;

	if (p->live >= p->limit)
		return 0;
	t = aligned_alloc(PT_SIZE_4K, PT_SIZE_4K);
	if (!t)
		return 0;
	memset(t, 0xa5, PT_SIZE_4K); /* callers must not rely on zeroed pages */
	p->live++;
	return (uint64_t)(uintptr_t)t;
}

static void pool_free(void *ctx, uint64_t phys)
{
	struct table_pool *p = ctx;

	p->live--;
	free((void *)(uintptr_t)phys);
}

static void *pool_p2v(void *ctx, uint64_t phys)
{
	(void)ctx;
	return (void *)(uintptr_t)phys;
}

void table_pool_init(struct table_pool *pool, struct pt_ops *ops, size_t limit)
{
	*pool = (struct table_pool){ 0, limit };
	*ops = (struct pt_ops){ pool_alloc, pool_free, pool_p2v, pool };
}
