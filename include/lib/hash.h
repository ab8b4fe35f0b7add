/* FNV-1a, 64-bit: a cheap fingerprint of memory (not a cryptographic hash). */
#ifndef LIB_HASH_H
#define LIB_HASH_H

#include "compiler.h"

uint64_t hash_fnv1a64(const void *data, size_t len);

#endif
