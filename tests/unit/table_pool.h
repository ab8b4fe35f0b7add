/* Page-table pages for the host tests: aligned malloc'd pages whose host
 * address serves as their "physical" address, with a cap to test running
 * out of memory. Shared by the page-table and EPT tests. */
#ifndef TABLE_POOL_H
#define TABLE_POOL_H

#include "mm/paging.h"

struct table_pool {
	size_t live;  /* tables allocated and not yet freed */
	size_t limit; /* fail allocations beyond this many live tables */
};

/* ops backed by pool, allowing at most limit live tables. */
void table_pool_init(struct table_pool *pool, struct pt_ops *ops, size_t limit);

#endif
