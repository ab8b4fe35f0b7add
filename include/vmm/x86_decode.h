/* Decoder for the memory-access instructions compilers emit for MMIO, so an
 * EPT violation on an emulated device page can be completed: the exit tells
 * the guest-physical address and read/write, the instruction tells the size,
 * the register or immediate and the length (SDM Vol. 2A chapter 2,
 * "Instruction Format"). Pure logic, unit-tested and fuzzed on the host.
 *
 * Forms: MOV 88/89/8A/8B (ModRM), MOV C6 /0 and C7 /0 (immediate), MOV
 * A0-A3 (accumulator <-> moffs), MOVZX 0F B6/B7, MOVSX 0F BE/BF, with
 * prefixes 66, 67, segment overrides and REX. LOCK, REP/REPNE and ModRM
 * register-direct forms are refused. */
#ifndef VMM_X86_DECODE_H
#define VMM_X86_DECODE_H

#include "compiler.h"

#define X86_MAX_INSN_LEN 15 /* SDM Vol. 2A 2.3.11 */

enum x86_mode {
	X86_MODE_16, /* real mode, or protected mode with CS.D = 0 */
	X86_MODE_32, /* protected or compatibility mode with CS.D = 1 */
	X86_MODE_64, /* 64-bit mode (CS.L = 1) */
};

enum x86_ext {
	X86_EXT_NONE,
	X86_EXT_ZERO, /* MOVZX */
	X86_EXT_SIGN, /* MOVSX */
};

struct x86_insn {
	uint8_t length;   /* bytes, prefixes included */
	uint8_t opsize;   /* bytes accessed in memory: 1, 2, 4 or 8 */
	bool is_write;    /* the instruction stores to memory */
	bool has_imm;     /* the stored value is imm, not a register */
	uint64_t imm;     /* C6/C7: the immediate, sign-extended to 64 bits for REX.W C7 */
	uint8_t reg;      /* the register operand, numbered as enum gpr (0 RAX .. 15 R15,
			   * the hardware encoding); 0 when has_imm */
	bool high_byte;   /* reg 0-3 means AH, CH, DH, BH */
	enum x86_ext ext;
	uint8_t dst_size; /* bytes of the register written by a read (opsize unless ext) */
};

enum x86_decode_status {
	X86_OK = 0,
	X86_ERR_TRUNCATED = -1,   /* fewer than 15 bytes were given and they ran out */
	X86_ERR_UNSUPPORTED = -2, /* a valid instruction this decoder does not handle */
	X86_ERR_INVALID = -3,     /* cannot have accessed memory: register-direct ModRM,
				   * LOCK on a MOV (#UD), longer than 15 bytes (#GP) */
};

/* Decode the instruction at bytes[0..avail) executed in mode; reads at most
 * min(avail, X86_MAX_INSN_LEN) bytes. Returns X86_OK or an x86_decode_status. */
int x86_decode(const uint8_t *bytes, size_t avail, enum x86_mode mode, struct x86_insn *out);

/* The new value of register in->reg after the read of mem_value (the bytes
 * at the address, little-endian, only the low opsize bytes are used) by a
 * decoded read: 8- and 16-bit results keep the rest of the register, 32-bit
 * results zero the upper half (SDM Vol. 1 3.4.1.1; outside 64-bit mode
 * those bits are undefined, so zeroing is correct there too), MOVZX/MOVSX
 * extend to dst_size first. For a write the register is unchanged. */
uint64_t x86_merge_read(const struct x86_insn *in, uint64_t old_reg, uint64_t mem_value);

/* The value a decoded write stores (in its low opsize bytes, the rest
 * zero): the immediate, or reg_value, the content of register in->reg. */
uint64_t x86_write_value(const struct x86_insn *in, uint64_t reg_value);

#endif
