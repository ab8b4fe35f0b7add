/* MMIO instruction decoder: a table of encodings (as gcc 12 and clang 14
 * emit them for volatile accesses, and every prefix and addressing form),
 * each also checked truncated at every length and followed by junk;
 * refused forms; and the register merge and store-value rules. */
#include "test.h"
#include "vmm/vcpu.h"
#include "vmm/x86_decode.h"

#define M16 X86_MODE_16
#define M32 X86_MODE_32
#define M64 X86_MODE_64

/* The instruction bytes and their count. */
#define B(...) .bytes = { __VA_ARGS__ }, .len = sizeof((uint8_t[]){ __VA_ARGS__ })

struct decode_case {
	const char *name;
	enum x86_mode mode;
	uint8_t bytes[X86_MAX_INSN_LEN];
	size_t len;
	uint8_t size; /* opsize */
	bool write;
	uint8_t reg;
	bool high;
	bool has_imm;
	uint64_t imm;
	enum x86_ext ext;
	uint8_t dst; /* dst_size when ext */
};

static const struct decode_case cases[] = {
	/* gcc -O2 x86-64: *(volatile uint32_t *)p = v; v = *p; with displacement */
	{ "gcc st32 [rdi]", M64, B(0x89, 0x37), .size = 4, .write = true, .reg = GPR_RSI },
	{ "gcc ld32 [rdi]", M64, B(0x8b, 0x07), .size = 4, .reg = GPR_RAX },
	{ "gcc st32 [rdi+0xc0]", M64, B(0x89, 0xb7, 0xc0, 0, 0, 0), .size = 4, .write = true,
	  .reg = GPR_RSI },
	{ "gcc ld32 [rdi+0x300]", M64, B(0x8b, 0x87, 0x00, 0x03, 0, 0), .size = 4, .reg = GPR_RAX },
	{ "gcc movl $0,[rdi+0xb0]", M64, B(0xc7, 0x87, 0xb0, 0, 0, 0, 0, 0, 0, 0), .size = 4,
	  .write = true, .has_imm = true, .imm = 0 },
	{ "gcc movabs eax,[moffs64]", M64, B(0xa1, 0x20, 0x00, 0xe0, 0xfe, 0, 0, 0, 0), .size = 4,
	  .reg = GPR_RAX },
	{ "gcc movabs [moffs64],eax", M64, B(0xa3, 0xb0, 0x00, 0xe0, 0xfe, 0, 0, 0, 0), .size = 4,
	  .write = true, .reg = GPR_RAX },
	{ "gcc ld32 [rip+d32]", M64, B(0x8b, 0x05, 0x20, 0, 0, 0), .size = 4, .reg = GPR_RAX },
	{ "gcc st32 [rip+d32]", M64, B(0x89, 0x3d, 0xb0, 0, 0, 0), .size = 4, .write = true,
	  .reg = GPR_RDI },
	{ "gcc movzbl [rdi]", M64, B(0x0f, 0xb6, 0x07), .size = 1, .reg = GPR_RAX,
	  .ext = X86_EXT_ZERO, .dst = 4 },
	{ "gcc st8 sil (REX 40)", M64, B(0x40, 0x88, 0x37), .size = 1, .write = true,
	  .reg = GPR_RSI },
	{ "gcc movzwl [rdi]", M64, B(0x0f, 0xb7, 0x07), .size = 2, .reg = GPR_RAX,
	  .ext = X86_EXT_ZERO, .dst = 4 },
	{ "gcc st16 si", M64, B(0x66, 0x89, 0x37), .size = 2, .write = true, .reg = GPR_RSI },
	{ "gcc movsbl [rdi]", M64, B(0x0f, 0xbe, 0x07), .size = 1, .reg = GPR_RAX,
	  .ext = X86_EXT_SIGN, .dst = 4 },
	{ "gcc movswq [rdi]", M64, B(0x48, 0x0f, 0xbf, 0x07), .size = 2, .reg = GPR_RAX,
	  .ext = X86_EXT_SIGN, .dst = 8 },
	{ "gcc ld64 [rdi]", M64, B(0x48, 0x8b, 0x07), .size = 8, .reg = GPR_RAX },
	{ "gcc movq $-1,[rdi]", M64, B(0x48, 0xc7, 0x07, 0xff, 0xff, 0xff, 0xff), .size = 8,
	  .write = true, .has_imm = true, .imm = 0xffffffffffffffffULL },
	/* clang -O2 x86-64 */
	{ "clang st32 [rdi+rsi*4]", M64, B(0x89, 0x14, 0xb7), .size = 4, .write = true,
	  .reg = GPR_RDX },
	{ "clang ld32 [rdi+rsi*4]", M64, B(0x8b, 0x04, 0xb7), .size = 4, .reg = GPR_RAX },
	{ "clang ld32 [rax+0x20]", M64, B(0x8b, 0x40, 0x20), .size = 4, .reg = GPR_RAX },
	{ "clang ld8 al", M64, B(0x8a, 0x07), .size = 1, .reg = GPR_RAX },
	{ "clang st32 [rcx+0x80]", M64, B(0x89, 0x81, 0x80, 0, 0, 0), .size = 4, .write = true,
	  .reg = GPR_RAX },
	/* high registers, SIB, absolute disp32 */
	{ "st32 r9d,[r8]", M64, B(0x45, 0x89, 0x08), .size = 4, .write = true, .reg = GPR_R9 },
	{ "ld32 eax,[r12] (SIB)", M64, B(0x41, 0x8b, 0x04, 0x24), .size = 4, .reg = GPR_RAX },
	{ "ld32 r14d,[r13+0x10]", M64, B(0x45, 0x8b, 0x75, 0x10), .size = 4, .reg = GPR_R14 },
	{ "st32 r15d,[r11+r10*4+0x300]", M64, B(0x47, 0x89, 0xbc, 0x93, 0x00, 0x03, 0, 0),
	  .size = 4, .write = true, .reg = GPR_R15 },
	{ "ld32 r8d,[rip+0x20]", M64, B(0x44, 0x8b, 0x05, 0x20, 0, 0, 0), .size = 4,
	  .reg = GPR_R8 },
	{ "movl imm32,[r9+0xb0]", M64,
	  B(0x41, 0xc7, 0x81, 0xb0, 0, 0, 0, 0x78, 0x56, 0x34, 0x12), .size = 4, .write = true,
	  .has_imm = true, .imm = 0x12345678 },
	{ "ld32 [abs disp32] (SIB no base)", M64, B(0x8b, 0x04, 0x25, 0x00, 0x00, 0xe0, 0xfe),
	  .size = 4, .reg = GPR_RAX },
	{ "ld32 [rax*1+disp32]", M64, B(0x8b, 0x04, 0x05, 0x00, 0x00, 0xe0, 0xfe), .size = 4,
	  .reg = GPR_RAX },
	{ "ld32 ecx,[eax+0x80] (67)", M64, B(0x67, 0x8b, 0x88, 0x80, 0, 0, 0), .size = 4,
	  .reg = GPR_RCX },
	{ "ld32 fs:[abs]", M64, B(0x64, 0x8b, 0x04, 0x25, 0x10, 0, 0, 0), .size = 4,
	  .reg = GPR_RAX },
	{ "gs st32 ebx,[rax]", M64, B(0x65, 0x89, 0x18), .size = 4, .write = true,
	  .reg = GPR_RBX },
	{ "movabs rax,[moffs64]", M64, B(0x48, 0xa1, 0x00, 0x03, 0xe0, 0xfe, 0, 0, 0, 0),
	  .size = 8, .reg = GPR_RAX },
	{ "movabs [moffs64],al", M64, B(0xa2, 0x00, 0x03, 0xe0, 0xfe, 0, 0, 0, 0), .size = 1,
	  .write = true, .reg = GPR_RAX },
	{ "mov al,[moffs64]", M64, B(0xa0, 0x00, 0x03, 0xe0, 0xfe, 0, 0, 0, 0), .size = 1,
	  .reg = GPR_RAX },
	{ "mov ax,[moffs32] (66 67)", M64, B(0x66, 0x67, 0xa1, 0x20, 0x00, 0xe0, 0xfe), .size = 2,
	  .reg = GPR_RAX },
	{ "mov [moffs64],ax (REX.B ignored)", M64, B(0x66, 0x41, 0xa3, 1, 2, 3, 4, 5, 6, 7, 8),
	  .size = 2, .write = true, .reg = GPR_RAX },
	/* byte registers: AH..BH without REX, SPL..DIL and R8B.. with it */
	{ "st8 ah,[rdi]", M64, B(0x88, 0x27), .size = 1, .write = true, .reg = GPR_RAX,
	  .high = true },
	{ "ld8 bh,[rbx]", M64, B(0x8a, 0x3b), .size = 1, .reg = GPR_RBX, .high = true },
	{ "st8 dil,[rax]", M64, B(0x40, 0x88, 0x38), .size = 1, .write = true, .reg = GPR_RDI },
	{ "ld8 r10b,[r8]", M64, B(0x45, 0x8a, 0x10), .size = 1, .reg = GPR_R10 },
	{ "ld8 spl,[rax] (REX.W)", M64, B(0x48, 0x8a, 0x20), .size = 1, .reg = GPR_RSP },
	{ "movzbl r9d,[r14]", M64, B(0x45, 0x0f, 0xb6, 0x0e), .size = 1, .reg = GPR_R9,
	  .ext = X86_EXT_ZERO, .dst = 4 },
	{ "movzbl esp,[rax] (no high byte)", M64, B(0x0f, 0xb6, 0x20), .size = 1, .reg = GPR_RSP,
	  .ext = X86_EXT_ZERO, .dst = 4 },
	{ "movswq r12,[r15+2]", M64, B(0x4d, 0x0f, 0xbf, 0x67, 0x02), .size = 2, .reg = GPR_R12,
	  .ext = X86_EXT_SIGN, .dst = 8 },
	{ "movzwq (REX.W) ", M64, B(0x48, 0x0f, 0xb7, 0x07), .size = 2, .reg = GPR_RAX,
	  .ext = X86_EXT_ZERO, .dst = 8 },
	{ "movsbw (66)", M64, B(0x66, 0x0f, 0xbe, 0x07), .size = 1, .reg = GPR_RAX,
	  .ext = X86_EXT_SIGN, .dst = 2 },
	{ "movb $imm8,[rdi] with high-reg REX", M64, B(0x41, 0xc6, 0x07, 0x80), .size = 1,
	  .write = true, .has_imm = true, .imm = 0x80 },
	{ "movw $imm16,[rdi]", M64, B(0x66, 0xc7, 0x07, 0xef, 0xbe), .size = 2, .write = true,
	  .has_imm = true, .imm = 0xbeef },
	{ "movq $imm32 positive", M64, B(0x48, 0xc7, 0x07, 0x00, 0x00, 0x00, 0x7f), .size = 8,
	  .write = true, .has_imm = true, .imm = 0x7f000000 },
	{ "movq $imm32 sign-extended", M64, B(0x48, 0xc7, 0x07, 0x00, 0x00, 0x00, 0x80), .size = 8,
	  .write = true, .has_imm = true, .imm = 0xffffffff80000000ULL },
	/* REX placement (SDM Vol. 2A 2.2.1): 66 after REX cancels it, last REX counts, REX.W beats 66 */
	{ "REX then 66: REX ignored", M64, B(0x48, 0x66, 0x89, 0x07), .size = 2, .write = true,
	  .reg = GPR_RAX },
	{ "two REX: last counts", M64, B(0x48, 0x44, 0x89, 0x07), .size = 4, .write = true,
	  .reg = GPR_R8 },
	{ "66 then REX.W: 64-bit", M64, B(0x66, 0x48, 0x89, 0x07), .size = 8, .write = true,
	  .reg = GPR_RAX },
	{ "REX.R with sib and disp8", M64, B(0x4c, 0x89, 0x7c, 0x24, 0x08), .size = 8,
	  .write = true, .reg = GPR_R15 },
	{ "every segment override", M64, B(0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65, 0x89, 0x07),
	  .size = 4, .write = true, .reg = GPR_RAX },
	{ "15 bytes exactly", M64,
	  B(0x66, 0x66, 0x66, 0x48, 0xc7, 0x84, 0x24, 1, 2, 3, 4, 5, 6, 7, 8), .size = 8,
	  .write = true, .has_imm = true, .imm = 0x08070605 },

	/* 32-bit protected mode: gcc and clang -m32 */
	{ "m32 st32 [eax]", M32, B(0x89, 0x10), .size = 4, .write = true, .reg = GPR_RDX },
	{ "m32 ld32 [eax+0x300]", M32, B(0x8b, 0x80, 0x00, 0x03, 0, 0), .size = 4, .reg = GPR_RAX },
	{ "m32 movl $0,[eax+0xb0]", M32, B(0xc7, 0x80, 0xb0, 0, 0, 0, 0, 0, 0, 0), .size = 4,
	  .write = true, .has_imm = true },
	{ "m32 ld32 [moffs32]", M32, B(0xa1, 0x20, 0x00, 0xe0, 0xfe), .size = 4, .reg = GPR_RAX },
	{ "m32 st32 [moffs32]", M32, B(0xa3, 0xb0, 0x00, 0xe0, 0xfe), .size = 4, .write = true,
	  .reg = GPR_RAX },
	{ "m32 st8 dl", M32, B(0x88, 0x10), .size = 1, .write = true, .reg = GPR_RDX },
	{ "m32 st16 dx", M32, B(0x66, 0x89, 0x10), .size = 2, .write = true, .reg = GPR_RDX },
	{ "m32 movswl", M32, B(0x0f, 0xbf, 0x00), .size = 2, .reg = GPR_RAX, .ext = X86_EXT_SIGN,
	  .dst = 4 },
	{ "m32 clang st32 [edx+ecx*4]", M32, B(0x89, 0x04, 0x8a), .size = 4, .write = true,
	  .reg = GPR_RAX },
	{ "m32 [disp32] no base", M32, B(0x89, 0x0d, 0xb0, 0x00, 0xe0, 0xfe), .size = 4,
	  .write = true, .reg = GPR_RCX },
	{ "m32 [disp32+eax*4]", M32, B(0x8b, 0x1c, 0x85, 0x20, 0x00, 0xe0, 0xfe), .size = 4,
	  .reg = GPR_RBX },
	{ "m32 [esp+0x10]", M32, B(0x8b, 0x44, 0x24, 0x10), .size = 4, .reg = GPR_RAX },
	{ "m32 [ebp+esi*2+disp32] 16-bit", M32, B(0x66, 0x8b, 0x94, 0x75, 0x78, 0x56, 0x34, 0x12),
	  .size = 2, .reg = GPR_RDX },
	{ "m32 67: [bx] 16-bit addressing", M32, B(0x67, 0x66, 0x89, 0x2f), .size = 2,
	  .write = true, .reg = GPR_RBP },
	{ "m32 gs movb $-1", M32, B(0x65, 0xc6, 0x00, 0xff), .size = 1, .write = true,
	  .has_imm = true, .imm = 0xff },
	{ "m32 movw $imm16", M32, B(0x66, 0xc7, 0x01, 0xef, 0xbe), .size = 2, .write = true,
	  .has_imm = true, .imm = 0xbeef },
	{ "m32 66 moffs32", M32, B(0x66, 0xa1, 0x34, 0x12, 0, 0), .size = 2, .reg = GPR_RAX },
	{ "m32 67 moffs16", M32, B(0x67, 0xa1, 0x34, 0x12), .size = 4, .reg = GPR_RAX },

	/* 16-bit code: real-mode forms and gcc/clang -m16 (67 66 prefixed) */
	{ "m16 st16 [bx+si+0x10]", M16, B(0x89, 0x40, 0x10), .size = 2, .write = true,
	  .reg = GPR_RAX },
	{ "m16 ld16 [bp+0]", M16, B(0x8b, 0x46, 0x00), .size = 2, .reg = GPR_RAX },
	{ "m16 ld16 [moffs16]", M16, B(0xa1, 0x34, 0x12), .size = 2, .reg = GPR_RAX },
	{ "m16 st16 [disp16]", M16, B(0x89, 0x06, 0x34, 0x12), .size = 2, .write = true,
	  .reg = GPR_RAX },
	{ "m16 movw $imm16,[di+0x300]", M16, B(0xc7, 0x85, 0x00, 0x03, 0x34, 0x12), .size = 2,
	  .write = true, .has_imm = true, .imm = 0x1234 },
	{ "m16 movb $imm8,[si]", M16, B(0xc6, 0x04, 0x5a), .size = 1, .write = true,
	  .has_imm = true, .imm = 0x5a },
	{ "m16 es ld8 cl,[di]", M16, B(0x26, 0x8a, 0x0d), .size = 1, .reg = GPR_RCX },
	{ "m16 st8 ch,[bx]", M16, B(0x88, 0x2f), .size = 1, .write = true, .reg = GPR_RCX,
	  .high = true },
	{ "m16 fs st32 [moffs16]", M16, B(0x66, 0x64, 0xa3, 0x30, 0x00), .size = 4, .write = true,
	  .reg = GPR_RAX },
	{ "m16 67 66 ld32 [eax+disp32]", M16, B(0x67, 0x66, 0x8b, 0x90, 0x20, 0x00, 0xe0, 0xfe),
	  .size = 4, .reg = GPR_RDX },
	{ "m16 67 66 movl $imm32,[ebx]", M16, B(0x67, 0x66, 0xc7, 0x03, 0x44, 0x33, 0x22, 0x11),
	  .size = 4, .write = true, .has_imm = true, .imm = 0x11223344 },
	{ "m16 gcc st32 [eax]", M16, B(0x67, 0x66, 0x89, 0x10), .size = 4, .write = true,
	  .reg = GPR_RDX },
	{ "m16 gcc 67 66 movzbl", M16, B(0x67, 0x66, 0x0f, 0xb6, 0x00), .size = 1, .reg = GPR_RAX,
	  .ext = X86_EXT_ZERO, .dst = 4 },
	{ "m16 movzbw", M16, B(0x0f, 0xb6, 0x07), .size = 1, .reg = GPR_RAX, .ext = X86_EXT_ZERO,
	  .dst = 2 },
	{ "m16 67 SIB [esp]", M16, B(0x67, 0x8b, 0x04, 0x24), .size = 2, .reg = GPR_RAX },
	{ "m16 67 SIB no base", M16, B(0x67, 0x8b, 0x04, 0x25, 0x20, 0x00, 0xe0, 0xfe), .size = 2,
	  .reg = GPR_RAX },
	{ "m16 66 moffs16", M16, B(0x66, 0xa1, 0x20, 0x00), .size = 4, .reg = GPR_RAX },
	{ "m16 67 66 moffs32", M16, B(0x67, 0x66, 0xa1, 0x20, 0x00, 0xe0, 0xfe), .size = 4,
	  .reg = GPR_RAX },
};

static void check_insn(const struct decode_case *c, const struct x86_insn *in)
{
	uint8_t dst = c->ext == X86_EXT_NONE ? c->size : c->dst;

	if (in->length != c->len || in->opsize != c->size || in->is_write != c->write ||
	    in->reg != c->reg || in->high_byte != c->high || in->has_imm != c->has_imm ||
	    (c->has_imm && in->imm != c->imm) || in->ext != c->ext || in->dst_size != dst)
		test_fail_fmt(__FILE__, __LINE__,
			      "%s: len %u size %u write %d reg %u high %d imm %d/0x%llx ext %d dst %u",
			      c->name, in->length, in->opsize, in->is_write, in->reg, in->high_byte,
			      in->has_imm, (unsigned long long)in->imm, in->ext, in->dst_size);
}

/* Whole, followed by junk, and cut short at every length. */
static void check_case(const struct decode_case *c)
{
	uint8_t buf[2 * X86_MAX_INSN_LEN];
	struct x86_insn in;
	int st;

	memset(buf, 0x8b, sizeof(buf));
	memcpy(buf, c->bytes, c->len);
	st = x86_decode(c->bytes, c->len, c->mode, &in);
	if (st != X86_OK) {
		test_fail_fmt(__FILE__, __LINE__, "%s: status %d", c->name, st);
		return;
	}
	check_insn(c, &in);
	st = x86_decode(buf, sizeof(buf), c->mode, &in);
	if (st != X86_OK || in.length != c->len)
		test_fail_fmt(__FILE__, __LINE__, "%s + junk: status %d", c->name, st);
	for (size_t n = 0; n < c->len; n++) {
		st = x86_decode(c->bytes, n, c->mode, &in);
		if (st != X86_ERR_TRUNCATED)
			test_fail_fmt(__FILE__, __LINE__, "%s cut to %zu: status %d", c->name, n, st);
	}
}

TEST(x86_decode_table)
{
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		check_case(&cases[i]);
}

TEST(x86_decode_48_is_dec_outside_64bit_mode)
{
	struct x86_insn in;

	/* 48 is DEC EAX in 32-bit code: not a prefix, not supported */
	CHECK_EQ(x86_decode((const uint8_t[]){ 0x48, 0x89, 0x07 }, 3, M32, &in), X86_ERR_UNSUPPORTED);
	CHECK_EQ(x86_decode((const uint8_t[]){ 0x48, 0x89, 0x07 }, 3, M16, &in), X86_ERR_UNSUPPORTED);
}

struct reject_case {
	const char *name;
	enum x86_mode mode;
	uint8_t bytes[X86_MAX_INSN_LEN];
	size_t len;
	int status;
};

static const struct reject_case rejects[] = {
	{ "mov reg,reg (mod 11)", M64, B(0x89, 0xc0), X86_ERR_INVALID },
	{ "mov reg,reg 8A", M32, B(0x8a, 0xc1), X86_ERR_INVALID },
	{ "movzx reg,reg", M64, B(0x0f, 0xb6, 0xc0), X86_ERR_INVALID },
	{ "mov reg,imm via C7 mod 11", M64, B(0xc7, 0xc0, 1, 2, 3, 4), X86_ERR_INVALID },
	{ "C7 /1", M64, B(0xc7, 0x08, 1, 2, 3, 4), X86_ERR_INVALID },
	{ "C6 /7 (XABORT group)", M64, B(0xc6, 0x38, 1), X86_ERR_INVALID },
	{ "LOCK mov", M64, B(0xf0, 0x89, 0x07), X86_ERR_INVALID },
	{ "LOCK after REX", M64, B(0x48, 0xf0, 0x89, 0x07), X86_ERR_INVALID },
	{ "REP mov", M64, B(0xf3, 0x89, 0x07), X86_ERR_UNSUPPORTED },
	{ "REPNE mov", M32, B(0xf2, 0x8b, 0x07), X86_ERR_UNSUPPORTED },
	{ "XCHG", M64, B(0x87, 0x07), X86_ERR_UNSUPPORTED },
	{ "ADD", M64, B(0x01, 0x07), X86_ERR_UNSUPPORTED },
	{ "MOVS", M64, B(0xa5), X86_ERR_UNSUPPORTED },
	{ "MOV r, imm (B8)", M64, B(0xb8, 1, 2, 3, 4), X86_ERR_UNSUPPORTED },
	{ "0F 0B (UD2)", M64, B(0x0f, 0x0b), X86_ERR_UNSUPPORTED },
	{ "VEX (C5)", M64, B(0xc5, 0xf8, 0x77), X86_ERR_UNSUPPORTED },
	{ "REX only", M64, B(0x48), X86_ERR_TRUNCATED },
	{ "empty", M64, .len = 0, .status = X86_ERR_TRUNCATED },
	{ "16 bytes: too long", M64,
	  B(0x66, 0x66, 0x66, 0x66, 0x66, 0x48, 0xc7, 0x84, 0x24, 1, 2, 3, 4, 5, 6), X86_ERR_INVALID },
	{ "15 prefixes", M32,
	  B(0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66, 0x66),
	  X86_ERR_INVALID },
};

TEST(x86_decode_rejects)
{
	for (size_t i = 0; i < ARRAY_SIZE(rejects); i++) {
		const struct reject_case *r = &rejects[i];
		struct x86_insn in = { .length = 0xaa };
		int st = x86_decode(r->bytes, r->len, r->mode, &in);

		if (st != r->status || in.length != 0xaa)
			test_fail_fmt(__FILE__, __LINE__, "%s: status %d, want %d", r->name, st,
				      r->status);
	}
}

TEST(x86_decode_reads_no_more_than_avail)
{
	/* the instruction wants 6 bytes; only 3 are given, the rest must not be looked at */
	uint8_t bytes[] = { 0x89, 0xb7, 0xc0 };
	struct x86_insn in;

	CHECK_EQ(x86_decode(bytes, sizeof(bytes), M64, &in), X86_ERR_TRUNCATED);
	CHECK_EQ(x86_decode(NULL, 0, M64, &in), X86_ERR_TRUNCATED);
}

static struct x86_insn decoded(const uint8_t *bytes, size_t len, enum x86_mode mode)
{
	struct x86_insn in = { 0 };

	CHECK_EQ(x86_decode(bytes, len, mode, &in), X86_OK);
	return in;
}

#define DECODE(mode, ...) decoded((const uint8_t[]){ __VA_ARGS__ }, \
				  sizeof((uint8_t[]){ __VA_ARGS__ }), mode)

#define OLD 0x1122334455667788ULL
#define MEM 0xf0e0d0c0b0a09080ULL

TEST(x86_merge_read_rules)
{
	struct x86_insn in;

	in = DECODE(M64, 0x8b, 0x07); /* mov eax,[rdi]: zero-extends */
	CHECK_EQ(x86_merge_read(&in, OLD, MEM), 0xb0a09080ULL);
	in = DECODE(M32, 0x8b, 0x07); /* upper half undefined outside 64-bit mode: zeroed */
	CHECK_EQ(x86_merge_read(&in, OLD, MEM), 0xb0a09080ULL);
	in = DECODE(M64, 0x48, 0x8b, 0x07);
	CHECK_EQ(x86_merge_read(&in, OLD, MEM), MEM);
	in = DECODE(M64, 0x66, 0x8b, 0x07); /* 16 bits: rest kept */
	CHECK_EQ(x86_merge_read(&in, OLD, MEM), 0x1122334455669080ULL);
	in = DECODE(M64, 0x8a, 0x07); /* al */
	CHECK_EQ(x86_merge_read(&in, OLD, MEM), 0x1122334455667780ULL);
	in = DECODE(M64, 0x8a, 0x27); /* ah */
	CHECK_EQ(x86_merge_read(&in, OLD, MEM), 0x1122334455668088ULL);
	in = DECODE(M64, 0x40, 0x8a, 0x27); /* spl */
	CHECK_EQ(x86_merge_read(&in, OLD, MEM), 0x1122334455667780ULL);
	in = DECODE(M64, 0x0f, 0xb6, 0x07); /* movzbl */
	CHECK_EQ(x86_merge_read(&in, OLD, MEM), 0x80);
	in = DECODE(M64, 0x0f, 0xbe, 0x07); /* movsbl */
	CHECK_EQ(x86_merge_read(&in, OLD, MEM), 0xffffff80ULL);
	in = DECODE(M64, 0x48, 0x0f, 0xbe, 0x07); /* movsbq */
	CHECK_EQ(x86_merge_read(&in, OLD, MEM), 0xffffffffffffff80ULL);
	in = DECODE(M64, 0x66, 0x0f, 0xbe, 0x07); /* movsbw: upper 48 kept */
	CHECK_EQ(x86_merge_read(&in, OLD, MEM), 0x112233445566ff80ULL);
	in = DECODE(M64, 0x48, 0x0f, 0xbf, 0x07); /* movswq */
	CHECK_EQ(x86_merge_read(&in, OLD, MEM), 0xffffffffffff9080ULL);
	in = DECODE(M64, 0x0f, 0xbf, 0x07); /* movswl, positive */
	CHECK_EQ(x86_merge_read(&in, OLD, 0x7fff), 0x7fff);
	in = DECODE(M64, 0x48, 0x0f, 0xb7, 0x07); /* movzwq */
	CHECK_EQ(x86_merge_read(&in, OLD, MEM), 0x9080);
	in = DECODE(M16, 0x0f, 0xb6, 0x07); /* movzbw in real mode */
	CHECK_EQ(x86_merge_read(&in, OLD, MEM), 0x1122334455660080ULL);
	in = DECODE(M64, 0xa0, 1, 2, 3, 4, 5, 6, 7, 8); /* mov al,[moffs] */
	CHECK_EQ(x86_merge_read(&in, OLD, MEM), 0x1122334455667780ULL);
	in = DECODE(M64, 0x89, 0x07); /* a write leaves the register alone */
	CHECK_EQ(x86_merge_read(&in, OLD, MEM), OLD);
}

TEST(x86_write_value_rules)
{
	struct x86_insn in;

	in = DECODE(M64, 0x89, 0x07);
	CHECK_EQ(x86_write_value(&in, OLD), 0x55667788ULL);
	in = DECODE(M64, 0x48, 0x89, 0x07);
	CHECK_EQ(x86_write_value(&in, OLD), OLD);
	in = DECODE(M64, 0x66, 0x89, 0x07);
	CHECK_EQ(x86_write_value(&in, OLD), 0x7788);
	in = DECODE(M64, 0x88, 0x07); /* al */
	CHECK_EQ(x86_write_value(&in, OLD), 0x88);
	in = DECODE(M64, 0x88, 0x27); /* ah */
	CHECK_EQ(x86_write_value(&in, OLD), 0x77);
	in = DECODE(M64, 0xc6, 0x07, 0xfe);
	CHECK_EQ(x86_write_value(&in, OLD), 0xfe);
	in = DECODE(M64, 0x66, 0xc7, 0x07, 0xef, 0xbe);
	CHECK_EQ(x86_write_value(&in, OLD), 0xbeef);
	in = DECODE(M64, 0xc7, 0x07, 0x00, 0x00, 0x00, 0x80);
	CHECK_EQ(x86_write_value(&in, OLD), 0x80000000ULL);
	in = DECODE(M64, 0x48, 0xc7, 0x07, 0x00, 0x00, 0x00, 0x80);
	CHECK_EQ(x86_write_value(&in, OLD), 0xffffffff80000000ULL);
	in = DECODE(M32, 0xa3, 1, 2, 3, 4); /* mov [moffs],eax */
	CHECK_EQ(x86_write_value(&in, OLD), 0x55667788ULL);
}
