#include "lib/hash.h"
#include "test.h"

TEST(hash_fnv1a64_known_values)
{
	/* Reference values of FNV-1a 64 (the algorithm's published test vectors). */
	CHECK_EQ(hash_fnv1a64("", 0), 0xcbf29ce484222325ULL);
	CHECK_EQ(hash_fnv1a64("a", 1), 0xaf63dc4c8601ec8cULL);
	CHECK_EQ(hash_fnv1a64("foobar", 6), 0x85944171f73967e8ULL);
}
