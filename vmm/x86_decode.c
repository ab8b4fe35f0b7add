/* Decoding of the MOV forms that access MMIO (SDM Vol. 2A chapter 2,
 * "Instruction Format"): prefixes, opcode, ModRM, SIB, displacement and
 * immediate. The effective address is not computed (the EPT violation
 * reports it); only what is needed to complete the access and skip the
 * instruction is kept. */
#include "vmm/x86_decode.h"

/* Legacy prefixes (SDM Vol. 2A 2.1.1) */
#define PFX_LOCK 0xf0
#define PFX_REPNE 0xf2
#define PFX_REP 0xf3
#define PFX_OPSIZE 0x66
#define PFX_ADDRSIZE 0x67
#define PFX_ES 0x26
#define PFX_CS 0x2e
#define PFX_SS 0x36
#define PFX_DS 0x3e
#define PFX_FS 0x64
#define PFX_GS 0x65

/* REX, 64-bit mode only (SDM Vol. 2A 2.2.1). X and B extend the index and
 * base registers of the address, which the exit already reports. */
#define REX_MASK 0xf0
#define REX_BASE 0x40
#define REX_W 0x08
#define REX_R 0x04
#define REX_R_SHIFT 1 /* REX.R becomes bit 3 of the ModRM reg field */

#define OPCODE_ESCAPE 0x0f /* two-byte opcodes (SDM Vol. 2A 2.1.2) */

/* ModRM and SIB (SDM Vol. 2A 2.1.5, tables 2-1 to 2-3) */
#define MODRM_MOD(m) ((unsigned int)(m) >> 6)
#define MODRM_REG(m) (((unsigned int)(m) >> 3) & 7)
#define MODRM_RM(m) ((unsigned int)(m) & 7)
#define SIB_BASE(s) ((unsigned int)(s) & 7)
#define MOD_NO_DISP 0
#define MOD_DISP8 1
#define MOD_DISP_FULL 2 /* disp16 or disp32, as the address size */
#define MOD_REGISTER 3  /* register-direct: no memory operand */
#define RM_SIB 4        /* 32/64-bit addressing: a SIB byte follows */
#define BASE_NONE 5     /* rm or SIB base with mod 00: disp32, no base (rm: RIP-relative in 64-bit mode) */
#define RM16_DISP16 6   /* 16-bit addressing, mod 00: disp16, no base (table 2-1) */

#define REG_RAX 0 /* the accumulator, operand of A0-A3 */
#define REG_HIGH_BYTE_FIRST 4 /* byte registers 4-7 without REX: AH, CH, DH, BH */
#define HIGH_BYTE_SHIFT 8
#define IMM32_MAX 4 /* immediates are at most 32 bits, sign-extended with REX.W */

#define BYTE 1
#define WORD 2
#define DWORD 4
#define QWORD 8
#define BITS_PER_BYTE 8

/* Size of the memory operand: fixed, or the operand size. */
enum width { WIDTH_BYTE, WIDTH_WORD, WIDTH_OPERAND };

/* What is moved to or from memory. */
enum source {
	SRC_MODRM_REG, /* the register in ModRM.reg */
	SRC_IMM,       /* an immediate after the memory operand (ModRM.reg must be 0) */
	SRC_MOFFS_ACC, /* the accumulator, with a moffs address instead of ModRM */
};

struct form {
	bool two_byte; /* after OPCODE_ESCAPE */
	uint8_t opcode;
	uint8_t width;  /* enum width */
	uint8_t source; /* enum source */
	bool write;
	uint8_t ext; /* enum x86_ext */
};

/* SDM Vol. 2B: MOV, MOVZX, MOVSX */
static const struct form forms[] = {
	{ false, 0x88, WIDTH_BYTE, SRC_MODRM_REG, true, X86_EXT_NONE },     /* MOV r/m8, r8 */
	{ false, 0x89, WIDTH_OPERAND, SRC_MODRM_REG, true, X86_EXT_NONE },  /* MOV r/m, r */
	{ false, 0x8a, WIDTH_BYTE, SRC_MODRM_REG, false, X86_EXT_NONE },    /* MOV r8, r/m8 */
	{ false, 0x8b, WIDTH_OPERAND, SRC_MODRM_REG, false, X86_EXT_NONE }, /* MOV r, r/m */
	{ false, 0xa0, WIDTH_BYTE, SRC_MOFFS_ACC, false, X86_EXT_NONE },    /* MOV AL, moffs8 */
	{ false, 0xa1, WIDTH_OPERAND, SRC_MOFFS_ACC, false, X86_EXT_NONE }, /* MOV rAX, moffs */
	{ false, 0xa2, WIDTH_BYTE, SRC_MOFFS_ACC, true, X86_EXT_NONE },     /* MOV moffs8, AL */
	{ false, 0xa3, WIDTH_OPERAND, SRC_MOFFS_ACC, true, X86_EXT_NONE },  /* MOV moffs, rAX */
	{ false, 0xc6, WIDTH_BYTE, SRC_IMM, true, X86_EXT_NONE },           /* MOV r/m8, imm8 */
	{ false, 0xc7, WIDTH_OPERAND, SRC_IMM, true, X86_EXT_NONE },        /* MOV r/m, imm */
	{ true, 0xb6, WIDTH_BYTE, SRC_MODRM_REG, false, X86_EXT_ZERO },     /* MOVZX r, r/m8 */
	{ true, 0xb7, WIDTH_WORD, SRC_MODRM_REG, false, X86_EXT_ZERO },     /* MOVZX r, r/m16 */
	{ true, 0xbe, WIDTH_BYTE, SRC_MODRM_REG, false, X86_EXT_SIGN },     /* MOVSX r, r/m8 */
	{ true, 0xbf, WIDTH_WORD, SRC_MODRM_REG, false, X86_EXT_SIGN },     /* MOVSX r, r/m16 */
};

/* The instruction bytes being consumed. */
struct cursor {
	const uint8_t *bytes;
	size_t avail;
	size_t pos;
};

struct prefixes {
	bool opsize;
	bool addrsize;
	bool lock;
	bool rep; /* F2 or F3 */
	uint8_t rex; /* 0: none */
};

/* Can n more bytes be consumed? Past 15 bytes the instruction is invalid
 * (#GP, SDM Vol. 2A 2.3.11) however many were given. */
static int need(const struct cursor *c, size_t n)
{
	if (c->pos + n > X86_MAX_INSN_LEN)
		return X86_ERR_INVALID;
	if (c->pos + n > c->avail)
		return X86_ERR_TRUNCATED;
	return X86_OK;
}

static int fetch_u8(struct cursor *c, uint8_t *b)
{
	int st = need(c, 1);

	if (st == X86_OK)
		*b = c->bytes[c->pos++];
	return st;
}

/* n little-endian bytes, zero-extended. */
static int fetch_le(struct cursor *c, size_t n, uint64_t *v)
{
	int st = need(c, n);

	if (st != X86_OK)
		return st;
	*v = 0;
	for (size_t i = 0; i < n; i++)
		*v |= (uint64_t)c->bytes[c->pos + i] << (i * BITS_PER_BYTE);
	c->pos += n;
	return X86_OK;
}

static int skip(struct cursor *c, size_t n)
{
	int st = need(c, n);

	if (st == X86_OK)
		c->pos += n;
	return st;
}

/* Record b if it is a legacy prefix; false if it is not one. Segment
 * overrides change nothing here: the exit reports the guest-physical address. */
static bool note_legacy_prefix(struct prefixes *p, uint8_t b)
{
	switch (b) {
	case PFX_OPSIZE:
		p->opsize = true;
		return true;
	case PFX_ADDRSIZE:
		p->addrsize = true;
		return true;
	case PFX_LOCK:
		p->lock = true;
		return true;
	case PFX_REPNE:
	case PFX_REP:
		p->rep = true;
		return true;
	case PFX_ES:
	case PFX_CS:
	case PFX_SS:
	case PFX_DS:
	case PFX_FS:
	case PFX_GS:
		return true;
	default:
		return false;
	}
}

/* Consume the prefixes; *first is the first opcode byte. A REX counts only
 * right before the opcode: one followed by a legacy prefix is ignored, and
 * of several in a row the last one counts (SDM Vol. 2A 2.2.1). */
static int parse_prefixes(struct cursor *c, enum x86_mode mode, struct prefixes *p, uint8_t *first)
{
	for (;;) {
		uint8_t b;
		int st = fetch_u8(c, &b);

		if (st != X86_OK)
			return st;
		if (mode == X86_MODE_64 && (b & REX_MASK) == REX_BASE) {
			p->rex = b;
		} else if (note_legacy_prefix(p, b)) {
			p->rex = 0;
		} else {
			*first = b;
			return X86_OK;
		}
	}
}

static const struct form *find_form(bool two_byte, uint8_t opcode)
{
	for (size_t i = 0; i < ARRAY_SIZE(forms); i++)
		if (forms[i].two_byte == two_byte && forms[i].opcode == opcode)
			return &forms[i];
	return NULL;
}

static int parse_opcode(struct cursor *c, uint8_t first, const struct form **form)
{
	bool two_byte = first == OPCODE_ESCAPE;
	uint8_t opcode = first;

	if (two_byte) {
		int st = fetch_u8(c, &opcode);

		if (st != X86_OK)
			return st;
	}
	*form = find_form(two_byte, opcode);
	return *form ? X86_OK : X86_ERR_UNSUPPORTED;
}

/* SDM Vol. 1 3.6 and Vol. 2A 2.2.1.2: REX.W wins over 66. */
static uint8_t operand_size(enum x86_mode mode, const struct prefixes *p)
{
	bool default_32 = mode != X86_MODE_16;

	if (mode == X86_MODE_64 && (p->rex & REX_W))
		return QWORD;
	return default_32 != p->opsize ? DWORD : WORD;
}

/* SDM Vol. 1 3.6: 67 toggles 16/32 bits, or selects 32 in 64-bit mode. */
static uint8_t address_size(enum x86_mode mode, const struct prefixes *p)
{
	switch (mode) {
	case X86_MODE_16:
		return p->addrsize ? DWORD : WORD;
	case X86_MODE_32:
		return p->addrsize ? WORD : DWORD;
	default:
		return p->addrsize ? DWORD : QWORD;
	}
}

/* Displacement after ModRM with 16-bit addressing (SDM Vol. 2A table 2-1). */
static size_t disp_size16(unsigned int mod, unsigned int rm)
{
	if (mod == MOD_DISP8)
		return BYTE;
	if (mod == MOD_DISP_FULL || rm == RM16_DISP16)
		return WORD;
	return 0;
}

/* Displacement after ModRM/SIB with 32/64-bit addressing (SDM Vol. 2A
 * tables 2-2 and 2-3); base is ModRM.rm, or SIB.base with a SIB. REX.B
 * plays no part: r13 as a base still needs mod 01 (SDM Vol. 2A 2.2.1.2). */
static size_t disp_size32(unsigned int mod, unsigned int base)
{
	if (mod == MOD_DISP8)
		return BYTE;
	if (mod == MOD_DISP_FULL || base == BASE_NONE)
		return DWORD;
	return 0;
}

/* Consume the SIB and displacement of the memory operand described by modrm. */
static int skip_memory_operand(struct cursor *c, uint8_t modrm, uint8_t addr_size)
{
	unsigned int mod = MODRM_MOD(modrm), rm = MODRM_RM(modrm);
	uint8_t sib;
	int st;

	if (mod == MOD_REGISTER)
		return X86_ERR_INVALID;
	if (addr_size == WORD)
		return skip(c, disp_size16(mod, rm));
	if (rm != RM_SIB)
		return skip(c, disp_size32(mod, rm));
	st = fetch_u8(c, &sib);
	return st != X86_OK ? st : skip(c, disp_size32(mod, SIB_BASE(sib)));
}

/* The register in ModRM.reg; a byte register without any REX numbered
 * 4-7 is AH, CH, DH, BH (SDM Vol. 2A 2.2.1.2, table 3-1). */
static void set_modrm_reg(struct x86_insn *in, uint8_t modrm, const struct prefixes *p,
			  bool byte_reg)
{
	in->reg = (uint8_t)(MODRM_REG(modrm) | ((p->rex & REX_R) << REX_R_SHIFT));
	if (byte_reg && !p->rex && in->reg >= REG_HIGH_BYTE_FIRST) {
		in->high_byte = true;
		in->reg -= REG_HIGH_BYTE_FIRST;
	}
}

/* The immediate of C6/C7: as wide as the operand but at most 32 bits,
 * sign-extended to 64 with REX.W (SDM Vol. 2B MOV). */
static int fetch_imm(struct cursor *c, struct x86_insn *in)
{
	size_t size = MIN(in->opsize, IMM32_MAX);
	uint64_t sign = 1ULL << (size * BITS_PER_BYTE - 1);
	int st = fetch_le(c, size, &in->imm);

	if (st == X86_OK && in->opsize == QWORD)
		in->imm = (in->imm ^ sign) - sign;
	in->has_imm = true;
	return st;
}

/* Everything after the opcode: ModRM, SIB, displacement, immediate. */
static int parse_operands(struct cursor *c, const struct form *f, const struct prefixes *p,
			  uint8_t addr_size, struct x86_insn *in)
{
	uint8_t modrm;
	int st;

	if (f->source == SRC_MOFFS_ACC) {
		in->reg = REG_RAX;
		return skip(c, addr_size);
	}
	st = fetch_u8(c, &modrm);
	if (st == X86_OK)
		st = skip_memory_operand(c, modrm, addr_size);
	if (st != X86_OK)
		return st;
	if (f->source == SRC_MODRM_REG) {
		set_modrm_reg(in, modrm, p, f->width == WIDTH_BYTE && f->ext == X86_EXT_NONE);
		return X86_OK;
	}
	/* C6 and C7 are MOV only with /0 (SDM Vol. 2A A.4.2, group 11) */
	return MODRM_REG(modrm) ? X86_ERR_INVALID : fetch_imm(c, in);
}

static uint8_t memory_size(const struct form *f, uint8_t opsize)
{
	switch (f->width) {
	case WIDTH_BYTE:
		return BYTE;
	case WIDTH_WORD:
		return WORD;
	default:
		return opsize;
	}
}

int x86_decode(const uint8_t *bytes, size_t avail, enum x86_mode mode, struct x86_insn *out)
{
	struct cursor c = { bytes, avail, 0 };
	struct prefixes p = { 0 };
	struct x86_insn in = { 0 };
	const struct form *f;
	uint8_t first, opsize;
	int st;

	st = parse_prefixes(&c, mode, &p, &first);
	if (st == X86_OK)
		st = parse_opcode(&c, first, &f);
	if (st != X86_OK)
		return st;
	/* LOCK on a MOV is #UD (SDM Vol. 2B LOCK); REP/REPNE (or XACQUIRE/
	 * XRELEASE) are not expected on MMIO and refused. */
	if (p.lock)
		return X86_ERR_INVALID;
	if (p.rep)
		return X86_ERR_UNSUPPORTED;
	opsize = operand_size(mode, &p);
	in.opsize = memory_size(f, opsize);
	in.dst_size = f->ext == X86_EXT_NONE ? in.opsize : opsize;
	in.is_write = f->write;
	in.ext = (enum x86_ext)f->ext;
	st = parse_operands(&c, f, &p, address_size(mode, &p), &in);
	if (st != X86_OK)
		return st;
	in.length = (uint8_t)c.pos;
	*out = in;
	return X86_OK;
}

/* The low size bytes of v. */
static uint64_t low_bytes(uint64_t v, unsigned int size)
{
	if (size >= QWORD)
		return v;
	return v & ((1ULL << (size * BITS_PER_BYTE)) - 1);
}

static uint64_t sign_extend(uint64_t v, unsigned int size)
{
	uint64_t sign = 1ULL << (size * BITS_PER_BYTE - 1);

	return (low_bytes(v, size) ^ sign) - sign;
}

/* Write value to a size-byte register (SDM Vol. 1 3.4.1.1). */
static uint64_t write_register(uint64_t old, uint64_t value, unsigned int size, bool high_byte)
{
	uint64_t mask = low_bytes(~0ULL, size);

	if (high_byte)
		return (old & ~(mask << HIGH_BYTE_SHIFT)) | (low_bytes(value, BYTE) << HIGH_BYTE_SHIFT);
	if (size >= DWORD)
		return low_bytes(value, size);
	return (old & ~mask) | low_bytes(value, size);
}

uint64_t x86_merge_read(const struct x86_insn *in, uint64_t old_reg, uint64_t mem_value)
{
	uint64_t value = low_bytes(mem_value, in->opsize);

	if (in->is_write)
		return old_reg;
	if (in->ext == X86_EXT_SIGN)
		value = sign_extend(value, in->opsize);
	return write_register(old_reg, value, in->dst_size, in->high_byte);
}

uint64_t x86_write_value(const struct x86_insn *in, uint64_t reg_value)
{
	if (in->has_imm)
		return low_bytes(in->imm, in->opsize);
	if (in->high_byte)
		return low_bytes(reg_value >> HIGH_BYTE_SHIFT, BYTE);
	return low_bytes(reg_value, in->opsize);
}
