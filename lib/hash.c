#include "lib/hash.h"

#define FNV_OFFSET_BASIS 0xcbf29ce484222325ULL
#define FNV_PRIME 0x100000001b3ULL

uint64_t hash_fnv1a64(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t h = FNV_OFFSET_BASIS;

	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * FNV_PRIME;
	return h;
}
