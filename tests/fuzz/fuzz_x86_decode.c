/* libFuzzer target for vmm/x86_decode.c (tests/fuzz/README.md). The input
 * is the instruction bytes, decoded in every mode; the input buffer is
 * exactly as long as the input, so AddressSanitizer catches any read past
 * avail. Each invariant that fails aborts with its line. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vmm/x86_decode.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define REQUIRE(cond)                                                              \
	do {                                                                       \
		if (!(cond)) {                                                     \
			fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                   \
		}                                                                  \
	} while (0)

#define GPR_COUNT 16
#define HIGH_BYTE_REGS 4 /* AH, CH, DH, BH: reg 0-3 */

static bool valid_size(unsigned int n)
{
	return n == 1 || n == 2 || n == 4 || n == 8;
}

static uint64_t mask_of(unsigned int size)
{
	return size >= 8 ? ~0ULL : (1ULL << (size * 8)) - 1;
}

static void check_fields(const struct x86_insn *in, size_t size)
{
	REQUIRE(in->length >= 1 && in->length <= size && in->length <= X86_MAX_INSN_LEN);
	REQUIRE(valid_size(in->opsize) && valid_size(in->dst_size));
	REQUIRE(in->reg < GPR_COUNT);
	REQUIRE(!in->high_byte || (in->reg < HIGH_BYTE_REGS && in->opsize == 1));
	REQUIRE(!in->has_imm || (in->is_write && in->reg == 0));
	REQUIRE(in->ext == X86_EXT_NONE || in->ext == X86_EXT_ZERO || in->ext == X86_EXT_SIGN);
	if (in->ext == X86_EXT_NONE)
		REQUIRE(in->dst_size == in->opsize);
	else
		REQUIRE(!in->is_write && in->opsize <= 2 && in->dst_size >= in->opsize);
}

static bool same_insn(const struct x86_insn *a, const struct x86_insn *b)
{
	return a->length == b->length && a->opsize == b->opsize && a->is_write == b->is_write &&
	       a->has_imm == b->has_imm && a->imm == b->imm && a->reg == b->reg &&
	       a->high_byte == b->high_byte && a->ext == b->ext && a->dst_size == b->dst_size;
}

/* The instruction must decode the same from exactly its own bytes, and be
 * reported truncated when cut shorter. */
static void check_prefix_property(const uint8_t *data, enum x86_mode mode,
				  const struct x86_insn *in)
{
	struct x86_insn again;

	REQUIRE(x86_decode(data, in->length, mode, &again) == X86_OK);
	REQUIRE(same_insn(&again, in));
	for (size_t n = 0; n < in->length; n++)
		REQUIRE(x86_decode(data, n, mode, &again) == X86_ERR_TRUNCATED);
}

/* The register values the helpers are fed: from the input when it is long enough. */
static uint64_t pick(const uint8_t *data, size_t size, size_t at, uint64_t fallback)
{
	uint64_t v = fallback;

	if (size >= at + sizeof(v))
		memcpy(&v, data + at, sizeof(v));
	return v;
}

static void check_helpers(const struct x86_insn *in, uint64_t old, uint64_t mem)
{
	uint64_t merged = x86_merge_read(in, old, mem);
	uint64_t stored = x86_write_value(in, old);
	uint64_t dst_mask = mask_of(in->dst_size);

	REQUIRE((stored & ~mask_of(in->opsize)) == 0);
	if (in->is_write)
		REQUIRE(merged == old);
	else if (in->high_byte)
		REQUIRE((merged & ~0xff00ULL) == (old & ~0xff00ULL) &&
			((merged >> 8) & 0xff) == (mem & 0xff));
	else if (in->dst_size >= 4)
		REQUIRE((merged & ~dst_mask) == 0);
	else
		REQUIRE((merged & ~dst_mask) == (old & ~dst_mask));
	if (!in->is_write && !in->high_byte && in->ext != X86_EXT_SIGN)
		REQUIRE((merged & dst_mask) == (mem & mask_of(in->opsize)));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum x86_mode modes[] = { X86_MODE_16, X86_MODE_32, X86_MODE_64 };
	uint64_t old = pick(data, size, 0, 0x1122334455667788ULL);
	uint64_t mem = pick(data, size, sizeof(old), 0x8899aabbccddeeffULL);

	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		struct x86_insn in;
		int st = x86_decode(data, size, modes[i], &in);

		if (st == X86_ERR_TRUNCATED)
			REQUIRE(size < X86_MAX_INSN_LEN);
		if (st != X86_OK) {
			REQUIRE(st == X86_ERR_TRUNCATED || st == X86_ERR_UNSUPPORTED ||
				st == X86_ERR_INVALID);
			continue;
		}
		check_fields(&in, size);
		check_prefix_property(data, modes[i], &in);
		check_helpers(&in, old, mem);
	}
	return 0;
}
