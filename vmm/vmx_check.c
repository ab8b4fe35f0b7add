/* The VM-entry checks on the guest-state area, Intel SDM Vol. 3C 27.3.1
 * (26.3.1 in older editions), one function per subsection. Each failure
 * names the VMCS field and the rule with the values seen. Left out, as hv
 * uses none of what they check: the checks that need memory (a VMCS link
 * pointer other than ~0, PDPTEs loaded through CR3 without EPT), SMM, and the
 * MSRs hv never loads on entry (IA32_PERF_GLOBAL_CTRL, IA32_BNDCFGS,
 * IA32_RTIT_CTL, the CET and PKRS MSRs). */
#include "vmm/vmx_check.h"

#include <stdarg.h>

#include "arch/x86/cpu.h"
#include "arch/x86/msr.h"
#include "lib/format.h"
#include "vmm/vmx_defs.h"

/* bits hi..lo of a 64-bit value */
#define BITS(hi, lo) ((~0UL >> (63 - (hi))) & (~0UL << (lo)))

#define SEL_RPL_MASK 0x3u
#define SEL_TI (1u << 2)
#define AR_DPL_MASK 0x3u
#define AR_TYPE_ACCESSED 0x1u
#define AR_TYPE_READABLE 0x2u /* code segments */
#define AR_TYPE_CONFORMING 0x4u /* code segments */
#define AR_TYPE_CODE 0x8u
#define AR_TYPE_DATA_RW_EXPAND_DOWN_ACCESSED 0x7u
#define AR_TYPE_LAST_NONCONFORMING 11u /* types 0-11: data or non-conforming code */
#define AR_RESERVED_LOW ((uint32_t)BITS(11, 8))
#define AR_RESERVED_HIGH ((uint32_t)BITS(31, 17))
#define LIMIT_LOW_12 ((uint32_t)BITS(11, 0))
#define LIMIT_HIGH_12 ((uint32_t)BITS(31, 20))
#define V86_SEG_SHIFT 4
#define V86_LIMIT 0xffffu
#define V86_AR (AR_P | (3u << AR_DPL_SHIFT) | AR_S | AR_TYPE_DATA_RW_ACCESSED) /* 0xf3, DPL 3 */
#define DESC_TABLE_LIMIT_RESERVED ((uint32_t)BITS(31, 16))

/* IA32_DEBUGCTL bits reserved on every processor (SDM Vol. 4 table 2-2):
 * bits 5:3 and 63:16. Bit 2 is bus-lock detection on recent processors. */
#define DEBUGCTL_RESERVED (BITS(5, 3) | BITS(63, 16))
#define EFER_RESERVED (~(EFER_SCE | EFER_LME | EFER_LMA | EFER_NXE))
#define RFLAGS_RESERVED (BITS(63, 22) | BIT(15) | BIT(5) | BIT(3))
#define INTERRUPTIBILITY_RESERVED ((uint32_t)BITS(31, 5))
#define PENDING_DBG_RESERVED (BITS(11, 4) | BIT(13) | BIT(15) | BITS(63, 17))
#define PDPTE_P BIT(0)
#define PDPTE_RESERVED_LOW (BITS(2, 1) | BITS(8, 5))

/* IA32_PAT memory types (SDM Vol. 3A 13.12.2); 2 and 3 are reserved */
enum { PAT_UC = 0, PAT_WC = 1, PAT_WT = 4, PAT_WP = 5, PAT_WB = 6, PAT_UC_MINUS = 7 };
#define PAT_ENTRIES 8
#define PAT_ENTRY_BITS 8
#define PAT_ENTRY_MASK 0xffu
#define PAT_VALID_TYPES \
	(BIT(PAT_UC) | BIT(PAT_WC) | BIT(PAT_WT) | BIT(PAT_WP) | BIT(PAT_WB) | BIT(PAT_UC_MINUS))

#define VECTOR_DB 1u
#define VECTOR_MC 18u
#define VECTOR_MTF 0u /* "other event" 0: pending MTF VM exit */

#define FIELD(f) { f, #f }
/* The fields the checks report on */
static const struct {
	enum vmcs_field field;
	const char *name;
} field_names[] = {
	FIELD(GUEST_ES_SELECTOR), FIELD(GUEST_CS_SELECTOR), FIELD(GUEST_SS_SELECTOR),
	FIELD(GUEST_DS_SELECTOR), FIELD(GUEST_FS_SELECTOR), FIELD(GUEST_GS_SELECTOR),
	FIELD(GUEST_LDTR_SELECTOR), FIELD(GUEST_TR_SELECTOR),
	FIELD(GUEST_VMCS_LINK_POINTER), FIELD(GUEST_IA32_DEBUGCTL), FIELD(GUEST_IA32_PAT),
	FIELD(GUEST_IA32_EFER), FIELD(GUEST_PDPTE0), FIELD(GUEST_PDPTE1), FIELD(GUEST_PDPTE2),
	FIELD(GUEST_PDPTE3),
	FIELD(GUEST_ES_LIMIT), FIELD(GUEST_CS_LIMIT), FIELD(GUEST_SS_LIMIT), FIELD(GUEST_DS_LIMIT),
	FIELD(GUEST_FS_LIMIT), FIELD(GUEST_GS_LIMIT), FIELD(GUEST_LDTR_LIMIT),
	FIELD(GUEST_TR_LIMIT), FIELD(GUEST_GDTR_LIMIT), FIELD(GUEST_IDTR_LIMIT),
	FIELD(GUEST_ES_AR), FIELD(GUEST_CS_AR), FIELD(GUEST_SS_AR), FIELD(GUEST_DS_AR),
	FIELD(GUEST_FS_AR), FIELD(GUEST_GS_AR), FIELD(GUEST_LDTR_AR), FIELD(GUEST_TR_AR),
	FIELD(GUEST_INTERRUPTIBILITY), FIELD(GUEST_ACTIVITY_STATE),
	FIELD(GUEST_CR0), FIELD(GUEST_CR3), FIELD(GUEST_CR4),
	FIELD(GUEST_ES_BASE), FIELD(GUEST_CS_BASE), FIELD(GUEST_SS_BASE), FIELD(GUEST_DS_BASE),
	FIELD(GUEST_FS_BASE), FIELD(GUEST_GS_BASE), FIELD(GUEST_LDTR_BASE), FIELD(GUEST_TR_BASE),
	FIELD(GUEST_GDTR_BASE), FIELD(GUEST_IDTR_BASE), FIELD(GUEST_DR7), FIELD(GUEST_RIP),
	FIELD(GUEST_RFLAGS), FIELD(GUEST_PENDING_DBG_EXCEPTIONS),
	FIELD(GUEST_IA32_SYSENTER_ESP), FIELD(GUEST_IA32_SYSENTER_EIP),
};
#undef FIELD

static const char *const seg_names[VMX_SEG_COUNT] = {
	[VMX_SEG_ES] = "ES", [VMX_SEG_CS] = "CS", [VMX_SEG_SS] = "SS", [VMX_SEG_DS] = "DS",
	[VMX_SEG_FS] = "FS", [VMX_SEG_GS] = "GS", [VMX_SEG_LDTR] = "LDTR", [VMX_SEG_TR] = "TR",
};

static const char *const cr0_bit_names[32] = {
	[0] = "PE", [1] = "MP", [2] = "EM", [3] = "TS", [4] = "ET", [5] = "NE",
	[16] = "WP", [18] = "AM", [29] = "NW", [30] = "CD", [31] = "PG",
};

static const char *const cr4_bit_names[32] = {
	"VME", "PVI", "TSD", "DE", "PSE", "PAE", "MCE", "PGE", "PCE", "OSFXSR", "OSXMMEXCPT",
	"UMIP", "LA57", "VMXE", "SMXE", [16] = "FSGSBASE", "PCIDE", "OSXSAVE", "KL", "SMEP",
	"SMAP", "PKE", "CET", "PKS", "UINTR",
};

static const char *const activity_names[] = {
	[ACTIVITY_ACTIVE] = "active", [ACTIVITY_HLT] = "HLT",
	[ACTIVITY_SHUTDOWN] = "shutdown", [ACTIVITY_WAIT_SIPI] = "wait-for-SIPI",
};

/* The data segments (SS, DS, ES, FS, GS) share their checks with CS. */
static const enum vmx_seg code_data_segs[] = {
	VMX_SEG_CS, VMX_SEG_SS, VMX_SEG_DS, VMX_SEG_ES, VMX_SEG_FS, VMX_SEG_GS,
};

struct ctx {
	const struct vmx_guest_state *gs;
	struct vmx_check_result *res;
	bool ia32e;        /* "IA-32e mode guest" VM-entry control */
	bool unrestricted; /* "unrestricted guest" VM-execution control */
	bool v86;          /* the guest will be in virtual-8086 mode */
};

const char *vmx_check_field_name(enum vmcs_field field)
{
	for (size_t i = 0; i < ARRAY_SIZE(field_names); i++)
		if (field_names[i].field == field)
			return field_names[i].name;
	return "?";
}

static __printf(3, 4) void fail(struct ctx *c, enum vmcs_field field, const char *fmt, ...)
{
	struct vmx_check_result *r = c->res;

	if (r->count < VMX_CHECK_MAX_FAILURES) {
		struct vmx_check_failure *f = &r->fail[r->count];
		va_list ap;

		f->field = field;
		f->name = vmx_check_field_name(field);
		va_start(ap, fmt);
		fmt_vsnprintf(f->why, sizeof(f->why), fmt, ap);
		va_end(ap);
	}
	r->count++;
}

/* Are bits 63:from all equal? */
static bool upper_bits_same(uint64_t v, unsigned int from)
{
	uint64_t top = v >> from;

	return top == 0 || top == ~0UL >> from;
}

static bool canonical(const struct ctx *c, uint64_t addr)
{
	return upper_bits_same(addr, c->gs->linear_width - 1);
}

static const struct vmx_segment *seg(const struct ctx *c, enum vmx_seg s)
{
	return &c->gs->seg[s];
}

static bool usable(const struct ctx *c, enum vmx_seg s)
{
	return !(seg(c, s)->ar & AR_UNUSABLE);
}

static unsigned int ar_type(uint32_t ar)
{
	return ar & AR_TYPE_MASK;
}

static unsigned int ar_dpl(uint32_t ar)
{
	return (ar >> AR_DPL_SHIFT) & AR_DPL_MASK;
}

static unsigned int rpl(uint16_t selector)
{
	return selector & SEL_RPL_MASK;
}

static bool injecting(const struct ctx *c)
{
	return c->gs->entry_intr_info & INTR_INFO_VALID;
}

static unsigned int injected_type(const struct ctx *c)
{
	return (c->gs->entry_intr_info >> INTR_INFO_TYPE_SHIFT) & INTR_INFO_TYPE_MASK;
}

static unsigned int injected_vector(const struct ctx *c)
{
	return c->gs->entry_intr_info & INTR_INFO_VECTOR_MASK;
}

static bool injecting_type(const struct ctx *c, unsigned int type)
{
	return injecting(c) && injected_type(c) == type;
}

/* "bit 5 (NE)", or "bit 40" for a bit without a name */
static const char *bit_label(char *buf, size_t size, const char *const names[32], unsigned int bit)
{
	if (bit < 32 && names[bit])
		fmt_snprintf(buf, size, "bit %u (%s)", bit, names[bit]);
	else
		fmt_snprintf(buf, size, "bit %u", bit);
	return buf;
}

struct fixed_reg {
	enum vmcs_field field;
	const char *const *bit_names;
	const char *fixed0_msr, *fixed1_msr;
	uint64_t fixed0, fixed1;
};

/* SDM Vol. 3C 24.8: a bit set in FIXED0 must be 1, a bit clear in FIXED1
 * must be 0. The bits in unchecked are exempt. */
static void check_fixed_bits(struct ctx *c, const struct fixed_reg *r, uint64_t val,
			     uint64_t unchecked)
{
	uint64_t must_be_1 = r->fixed0 & ~val & ~unchecked;
	uint64_t must_be_0 = ~r->fixed1 & val & ~unchecked;
	char label[24];

	for (unsigned int bit = 0; bit < 64; bit++) {
		if (must_be_1 & BIT(bit))
			fail(c, r->field, "%s must be 1 (%s = 0x%lx)",
			     bit_label(label, sizeof(label), r->bit_names, bit), r->fixed0_msr,
			     r->fixed0);
		if (must_be_0 & BIT(bit))
			fail(c, r->field, "%s must be 0 (%s = 0x%lx)",
			     bit_label(label, sizeof(label), r->bit_names, bit), r->fixed1_msr,
			     r->fixed1);
	}
}

/* SDM 27.3.1.1: CR0, CR4 and CR3 */
static void check_control_regs(struct ctx *c)
{
	const struct vmx_guest_state *gs = c->gs;
	const struct fixed_reg cr0 = { GUEST_CR0, cr0_bit_names, "IA32_VMX_CR0_FIXED0",
				       "IA32_VMX_CR0_FIXED1", gs->cr0_fixed0, gs->cr0_fixed1 };
	const struct fixed_reg cr4 = { GUEST_CR4, cr4_bit_names, "IA32_VMX_CR4_FIXED0",
				       "IA32_VMX_CR4_FIXED1", gs->cr4_fixed0, gs->cr4_fixed1 };
	/* NW and CD are never checked: VM entry does not load them. */
	uint64_t cr0_unchecked = CR0_NW | CR0_CD | (c->unrestricted ? CR0_PE | CR0_PG : 0);
	uint64_t cr3_reserved = ~0UL << gs->phys_width;

	check_fixed_bits(c, &cr0, gs->cr0, cr0_unchecked);
	if ((gs->cr0 & CR0_PG) && !(gs->cr0 & CR0_PE))
		fail(c, GUEST_CR0, "PG (bit 31) is 1, so PE (bit 0) must be 1, CR0 is 0x%lx",
		     gs->cr0);
	check_fixed_bits(c, &cr4, gs->cr4, 0);
	if ((gs->cr4 & CR4_CET) && !(gs->cr0 & CR0_WP))
		fail(c, GUEST_CR0, "CR4.CET is 1, so WP (bit 16) must be 1, CR0 is 0x%lx", gs->cr0);
	if (c->ia32e && !(gs->cr0 & CR0_PG))
		fail(c, GUEST_CR0, "PG (bit 31) must be 1 with IA-32e mode guest, CR0 is 0x%lx",
		     gs->cr0);
	if (c->ia32e && !(gs->cr4 & CR4_PAE))
		fail(c, GUEST_CR4, "PAE (bit 5) must be 1 with IA-32e mode guest, CR4 is 0x%lx",
		     gs->cr4);
	if (!c->ia32e && (gs->cr4 & CR4_PCIDE))
		fail(c, GUEST_CR4,
		     "PCIDE (bit 17) must be 0 without IA-32e mode guest, CR4 is 0x%lx", gs->cr4);
	if (gs->cr3 & cr3_reserved)
		fail(c, GUEST_CR3,
		     "bits 63:%u must be 0 (beyond the physical-address width), CR3 is 0x%lx",
		     gs->phys_width, gs->cr3);
}

/* SDM 27.3.1.1: DR7 and the MSR fields */
static void check_debug_and_msrs(struct ctx *c)
{
	const struct vmx_guest_state *gs = c->gs;

	if (gs->entry_ctls & ENTRY_CTL_LOAD_DEBUG_CONTROLS) {
		if (gs->debugctl & DEBUGCTL_RESERVED)
			fail(c, GUEST_IA32_DEBUGCTL,
			     "reserved bits 0x%lx must be 0 with load debug controls, is 0x%lx",
			     gs->debugctl & DEBUGCTL_RESERVED, gs->debugctl);
		if (gs->dr7 >> 32)
			fail(c, GUEST_DR7,
			     "bits 63:32 must be 0 with load debug controls, DR7 is 0x%lx", gs->dr7);
	}
	if (!canonical(c, gs->sysenter_esp))
		fail(c, GUEST_IA32_SYSENTER_ESP, "must be canonical, is 0x%lx", gs->sysenter_esp);
	if (!canonical(c, gs->sysenter_eip))
		fail(c, GUEST_IA32_SYSENTER_EIP, "must be canonical, is 0x%lx", gs->sysenter_eip);
	if (gs->entry_ctls & ENTRY_CTL_LOAD_PAT) {
		for (unsigned int i = 0; i < PAT_ENTRIES; i++) {
			unsigned int type = (gs->pat >> (i * PAT_ENTRY_BITS)) & PAT_ENTRY_MASK;

			if (type > PAT_UC_MINUS || !(PAT_VALID_TYPES & BIT(type)))
				fail(c, GUEST_IA32_PAT,
				     "PA%u has memory type %u; valid are 0 (UC), 1 (WC), 4 (WT), "
				     "5 (WP), 6 (WB), 7 (UC-); PAT is 0x%lx",
				     i, type, gs->pat);
		}
	}
	if (gs->entry_ctls & ENTRY_CTL_LOAD_EFER) {
		bool lma = gs->efer & EFER_LMA, lme = gs->efer & EFER_LME;

		if (gs->efer & EFER_RESERVED)
			fail(c, GUEST_IA32_EFER, "reserved bits 0x%lx must be 0, EFER is 0x%lx",
			     gs->efer & EFER_RESERVED, gs->efer);
		if (lma != c->ia32e)
			fail(c, GUEST_IA32_EFER,
			     "LMA (bit 10) must equal IA-32e mode guest (%d), EFER is 0x%lx",
			     c->ia32e, gs->efer);
		if ((gs->cr0 & CR0_PG) && lme != lma)
			fail(c, GUEST_IA32_EFER,
			     "LME (bit 8) must equal LMA (bit 10) when CR0.PG is 1, EFER is 0x%lx",
			     gs->efer);
	}
}

/* SDM 27.3.1.2, selector fields */
static void check_selectors(struct ctx *c)
{
	const struct vmx_segment *tr = seg(c, VMX_SEG_TR), *ldtr = seg(c, VMX_SEG_LDTR);
	const struct vmx_segment *cs = seg(c, VMX_SEG_CS), *ss = seg(c, VMX_SEG_SS);

	if (tr->selector & SEL_TI)
		fail(c, GUEST_TR_SELECTOR, "TI (bit 2) must be 0, selector is 0x%x", tr->selector);
	if (usable(c, VMX_SEG_LDTR) && (ldtr->selector & SEL_TI))
		fail(c, GUEST_LDTR_SELECTOR, "TI (bit 2) must be 0 when LDTR is usable, selector is 0x%x",
		     ldtr->selector);
	if (!c->v86 && !c->unrestricted && rpl(ss->selector) != rpl(cs->selector))
		fail(c, GUEST_SS_SELECTOR,
		     "SS RPL (%u) must equal CS RPL (%u) without unrestricted guest, SS is 0x%x, "
		     "CS is 0x%x",
		     rpl(ss->selector), rpl(cs->selector), ss->selector, cs->selector);
}

/* SDM 27.3.1.2, base-address fields */
static void check_bases(struct ctx *c)
{
	static const enum vmx_seg canonical_segs[] = { VMX_SEG_TR, VMX_SEG_FS, VMX_SEG_GS,
						       VMX_SEG_LDTR };
	static const enum vmx_seg low_segs[] = { VMX_SEG_CS, VMX_SEG_SS, VMX_SEG_DS, VMX_SEG_ES };

	if (c->v86) {
		for (size_t i = 0; i < ARRAY_SIZE(code_data_segs); i++) {
			enum vmx_seg s = code_data_segs[i];
			uint64_t want = (uint64_t)seg(c, s)->selector << V86_SEG_SHIFT;

			if (seg(c, s)->base != want)
				fail(c, vmx_seg_field(GUEST_ES_BASE, s),
				     "%s base must be selector << 4 = 0x%lx in virtual-8086 mode, "
				     "is 0x%lx",
				     seg_names[s], want, seg(c, s)->base);
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(canonical_segs); i++) {
		enum vmx_seg s = canonical_segs[i];

		if ((s != VMX_SEG_LDTR || usable(c, s)) && !canonical(c, seg(c, s)->base))
			fail(c, vmx_seg_field(GUEST_ES_BASE, s), "%s base must be canonical, is 0x%lx",
			     seg_names[s], seg(c, s)->base);
	}
	for (size_t i = 0; i < ARRAY_SIZE(low_segs); i++) {
		enum vmx_seg s = low_segs[i];

		if ((s == VMX_SEG_CS || usable(c, s)) && (seg(c, s)->base >> 32))
			fail(c, vmx_seg_field(GUEST_ES_BASE, s),
			     "%s base bits 63:32 must be 0, base is 0x%lx", seg_names[s],
			     seg(c, s)->base);
	}
}

/* SDM 27.3.1.2, limit and access rights in virtual-8086 mode */
static void check_v86_segments(struct ctx *c)
{
	for (size_t i = 0; i < ARRAY_SIZE(code_data_segs); i++) {
		enum vmx_seg s = code_data_segs[i];

		if (seg(c, s)->limit != V86_LIMIT)
			fail(c, vmx_seg_field(GUEST_ES_LIMIT, s),
			     "%s limit must be 0x%x in virtual-8086 mode, is 0x%x", seg_names[s],
			     V86_LIMIT, seg(c, s)->limit);
		if (seg(c, s)->ar != V86_AR)
			fail(c, vmx_seg_field(GUEST_ES_AR, s),
			     "%s access rights must be 0x%x in virtual-8086 mode, are 0x%x",
			     seg_names[s], V86_AR, seg(c, s)->ar);
	}
}

static void check_cs_type_dpl(struct ctx *c)
{
	uint32_t ar = seg(c, VMX_SEG_CS)->ar;
	unsigned int type = ar_type(ar), dpl = ar_dpl(ar);
	unsigned int ss_dpl = ar_dpl(seg(c, VMX_SEG_SS)->ar);
	bool code = (type & AR_TYPE_CODE) && (type & AR_TYPE_ACCESSED);

	if (c->unrestricted && type == AR_TYPE_DATA_RW_ACCESSED) {
		if (dpl != 0)
			fail(c, GUEST_CS_AR, "CS DPL must be 0 when CS type is 3, is %u", dpl);
	} else if (!code) {
		fail(c, GUEST_CS_AR, "CS type must be 9, 11, 13 or 15 (accessed code)%s, is %u",
		     c->unrestricted ? " or 3 (unrestricted guest)" : "", type);
	} else if (!(type & AR_TYPE_CONFORMING) && dpl != ss_dpl) {
		fail(c, GUEST_CS_AR,
		     "CS DPL (%u) must equal SS DPL (%u) for non-conforming code (type %u)", dpl,
		     ss_dpl, type);
	} else if ((type & AR_TYPE_CONFORMING) && dpl > ss_dpl) {
		fail(c, GUEST_CS_AR,
		     "CS DPL (%u) must not exceed SS DPL (%u) for conforming code (type %u)", dpl,
		     ss_dpl, type);
	}
}

static void check_ss_type_dpl(struct ctx *c)
{
	const struct vmx_segment *ss = seg(c, VMX_SEG_SS);
	unsigned int type = ar_type(ss->ar), dpl = ar_dpl(ss->ar);
	bool cs_type3 = ar_type(seg(c, VMX_SEG_CS)->ar) == AR_TYPE_DATA_RW_ACCESSED;

	if (usable(c, VMX_SEG_SS) && type != AR_TYPE_DATA_RW_ACCESSED &&
	    type != AR_TYPE_DATA_RW_EXPAND_DOWN_ACCESSED)
		fail(c, GUEST_SS_AR, "SS type must be 3 or 7 (read/write accessed data), is %u",
		     type);
	/* The DPL rules apply even to an unusable SS: its DPL is the CPL. */
	if (!c->unrestricted && dpl != rpl(ss->selector))
		fail(c, GUEST_SS_AR, "SS DPL (%u) must equal the SS selector's RPL (%u)", dpl,
		     rpl(ss->selector));
	if ((cs_type3 || !(c->gs->cr0 & CR0_PE)) && dpl != 0)
		fail(c, GUEST_SS_AR, "SS DPL must be 0 when %s, is %u",
		     cs_type3 ? "CS type is 3" : "CR0.PE is 0", dpl);
}

static void check_data_type_dpl(struct ctx *c, enum vmx_seg s)
{
	const struct vmx_segment *sg = seg(c, s);
	unsigned int type = ar_type(sg->ar), dpl = ar_dpl(sg->ar);
	enum vmcs_field f = vmx_seg_field(GUEST_ES_AR, s);

	if (!(type & AR_TYPE_ACCESSED))
		fail(c, f, "%s type must have bit 0 (accessed) set, is %u", seg_names[s], type);
	if ((type & AR_TYPE_CODE) && !(type & AR_TYPE_READABLE))
		fail(c, f, "%s type %u is execute-only code; it must be readable (bit 1)",
		     seg_names[s], type);
	if (!c->unrestricted && type <= AR_TYPE_LAST_NONCONFORMING && dpl < rpl(sg->selector))
		fail(c, f, "%s DPL (%u) must not be below the selector's RPL (%u) for type %u",
		     seg_names[s], dpl, rpl(sg->selector), type);
}

/* Bits 11:8, G against the limit, bits 31:17: common to every segment. */
static void check_ar_reserved_and_g(struct ctx *c, enum vmx_seg s)
{
	const struct vmx_segment *sg = seg(c, s);
	enum vmcs_field f = vmx_seg_field(GUEST_ES_AR, s);

	if (sg->ar & AR_RESERVED_LOW)
		fail(c, f, "%s access rights bits 11:8 must be 0, are 0x%x", seg_names[s], sg->ar);
	if ((sg->limit & LIMIT_LOW_12) != LIMIT_LOW_12 && (sg->ar & AR_G))
		fail(c, f, "%s G must be 0: limit 0x%x has a 0 in bits 11:0, AR is 0x%x",
		     seg_names[s], sg->limit, sg->ar);
	if ((sg->limit & LIMIT_HIGH_12) && !(sg->ar & AR_G))
		fail(c, f, "%s G must be 1: limit 0x%x has a 1 in bits 31:20, AR is 0x%x",
		     seg_names[s], sg->limit, sg->ar);
	if (sg->ar & AR_RESERVED_HIGH)
		fail(c, f, "%s access rights bits 31:17 must be 0, are 0x%x", seg_names[s], sg->ar);
}

static void check_s_p(struct ctx *c, enum vmx_seg s, bool system)
{
	uint32_t ar = seg(c, s)->ar;
	enum vmcs_field f = vmx_seg_field(GUEST_ES_AR, s);

	if (!(ar & AR_S) != system)
		fail(c, f, "%s S (bit 4) must be %d, AR is 0x%x", seg_names[s], !system, ar);
	if (!(ar & AR_P))
		fail(c, f, "%s P (bit 7) must be 1, AR is 0x%x", seg_names[s], ar);
}

/* SDM 27.3.1.2, access rights of CS, SS, DS, ES, FS, GS outside
 * virtual-8086 mode. The checks apply to CS and to the usable others. */
static void check_code_data_ar(struct ctx *c)
{
	for (size_t i = 0; i < ARRAY_SIZE(code_data_segs); i++) {
		enum vmx_seg s = code_data_segs[i];
		uint32_t ar = seg(c, s)->ar;

		if (s == VMX_SEG_SS)
			check_ss_type_dpl(c);
		if (s != VMX_SEG_CS && !usable(c, s))
			continue;
		if (s == VMX_SEG_CS)
			check_cs_type_dpl(c);
		else if (s != VMX_SEG_SS)
			check_data_type_dpl(c, s);
		check_s_p(c, s, false);
		if (s == VMX_SEG_CS && c->ia32e && (ar & AR_L) && (ar & AR_DB))
			fail(c, GUEST_CS_AR,
			     "CS L and D/B must not both be 1 with IA-32e mode guest, AR is 0x%x", ar);
		check_ar_reserved_and_g(c, s);
	}
}

/* SDM 27.3.1.2, TR and LDTR access rights */
static void check_system_segments_ar(struct ctx *c)
{
	uint32_t tr_ar = seg(c, VMX_SEG_TR)->ar, ldtr_ar = seg(c, VMX_SEG_LDTR)->ar;

	if (c->ia32e && ar_type(tr_ar) != AR_TYPE_TSS_BUSY)
		fail(c, GUEST_TR_AR, "TR type must be 11 (64-bit busy TSS) in IA-32e mode, is %u",
		     ar_type(tr_ar));
	if (!c->ia32e && ar_type(tr_ar) != AR_TYPE_TSS_BUSY &&
	    ar_type(tr_ar) != AR_TYPE_TSS16_BUSY)
		fail(c, GUEST_TR_AR,
		     "TR type must be 3 (16-bit busy TSS, not in IA-32e mode) or 11 (busy TSS), "
		     "is %u",
		     ar_type(tr_ar));
	check_s_p(c, VMX_SEG_TR, true);
	if (tr_ar & AR_UNUSABLE)
		fail(c, GUEST_TR_AR, "TR must be usable (bit 16 must be 0), AR is 0x%x", tr_ar);
	check_ar_reserved_and_g(c, VMX_SEG_TR);

	if (!usable(c, VMX_SEG_LDTR))
		return;
	if (ar_type(ldtr_ar) != AR_TYPE_LDT)
		fail(c, GUEST_LDTR_AR, "LDTR type must be 2 (LDT) when usable, is %u",
		     ar_type(ldtr_ar));
	check_s_p(c, VMX_SEG_LDTR, true);
	check_ar_reserved_and_g(c, VMX_SEG_LDTR);
}

/* SDM 27.3.1.2: segment registers */
static void check_segments(struct ctx *c)
{
	check_selectors(c);
	check_bases(c);
	if (c->v86)
		check_v86_segments(c);
	else
		check_code_data_ar(c);
	check_system_segments_ar(c);
}

/* SDM 27.3.1.3: GDTR and IDTR */
static void check_descriptor_tables(struct ctx *c)
{
	const struct vmx_guest_state *gs = c->gs;

	if (!canonical(c, gs->gdtr_base))
		fail(c, GUEST_GDTR_BASE, "must be canonical, is 0x%lx", gs->gdtr_base);
	if (!canonical(c, gs->idtr_base))
		fail(c, GUEST_IDTR_BASE, "must be canonical, is 0x%lx", gs->idtr_base);
	if (gs->gdtr_limit & DESC_TABLE_LIMIT_RESERVED)
		fail(c, GUEST_GDTR_LIMIT, "bits 31:16 must be 0, is 0x%x", gs->gdtr_limit);
	if (gs->idtr_limit & DESC_TABLE_LIMIT_RESERVED)
		fail(c, GUEST_IDTR_LIMIT, "bits 31:16 must be 0, is 0x%x", gs->idtr_limit);
}

/* SDM 27.3.1.4: RIP and RFLAGS */
static void check_rip_rflags(struct ctx *c)
{
	const struct vmx_guest_state *gs = c->gs;
	bool cs_l = seg(c, VMX_SEG_CS)->ar & AR_L;

	if (!(c->ia32e && cs_l) && (gs->rip >> 32))
		fail(c, GUEST_RIP,
		     "bits 63:32 must be 0 outside 64-bit mode (IA-32e mode guest %d, CS.L %d), "
		     "RIP is 0x%lx",
		     c->ia32e, cs_l, gs->rip);
	/* Only bits 63:N, not 63:N-1: a non-canonical RIP faults in the guest. */
	if (c->ia32e && cs_l && !upper_bits_same(gs->rip, gs->linear_width))
		fail(c, GUEST_RIP, "bits 63:%u must be all 0 or all 1 in 64-bit mode, RIP is 0x%lx",
		     gs->linear_width, gs->rip);

	if (gs->rflags & RFLAGS_RESERVED)
		fail(c, GUEST_RFLAGS, "reserved bits 63:22, 15, 5 and 3 must be 0, RFLAGS is 0x%lx",
		     gs->rflags);
	if (!(gs->rflags & RFLAGS_FIXED1))
		fail(c, GUEST_RFLAGS, "bit 1 must be 1, RFLAGS is 0x%lx", gs->rflags);
	if ((gs->rflags & RFLAGS_VM) && (c->ia32e || !(gs->cr0 & CR0_PE)))
		fail(c, GUEST_RFLAGS, "VM (bit 17) must be 0 %s, RFLAGS is 0x%lx",
		     c->ia32e ? "with IA-32e mode guest" : "when CR0.PE is 0", gs->rflags);
	if (injecting_type(c, INTR_TYPE_EXTERNAL) && !(gs->rflags & RFLAGS_IF))
		fail(c, GUEST_RFLAGS,
		     "IF (bit 9) must be 1 when injecting an external interrupt, RFLAGS is 0x%lx",
		     gs->rflags);
}

static bool activity_supported(const struct ctx *c, uint32_t activity)
{
	static const uint64_t misc_bit[] = {
		[ACTIVITY_HLT] = VMX_MISC_ACTIVITY_HLT,
		[ACTIVITY_SHUTDOWN] = VMX_MISC_ACTIVITY_SHUTDOWN,
		[ACTIVITY_WAIT_SIPI] = VMX_MISC_ACTIVITY_WAIT_SIPI,
	};

	if (activity == ACTIVITY_ACTIVE)
		return true;
	return activity < ARRAY_SIZE(misc_bit) && (c->gs->vmx_misc & misc_bit[activity]);
}

/* May an event of this type and vector be injected into this activity
 * state? */
static bool injection_allowed(uint32_t activity, unsigned int type, unsigned int vector)
{
	switch (activity) {
	case ACTIVITY_ACTIVE:
		return true;
	case ACTIVITY_HLT:
		return type == INTR_TYPE_EXTERNAL || type == INTR_TYPE_NMI ||
		       (type == INTR_TYPE_HW_EXCEPTION &&
			(vector == VECTOR_DB || vector == VECTOR_MC)) ||
		       (type == INTR_TYPE_OTHER_EVENT && vector == VECTOR_MTF);
	case ACTIVITY_SHUTDOWN:
		return type == INTR_TYPE_NMI ||
		       (type == INTR_TYPE_HW_EXCEPTION && vector == VECTOR_MC);
	default:
		return false;
	}
}

/* SDM 27.3.1.5: activity state */
static void check_activity(struct ctx *c)
{
	uint32_t act = c->gs->activity;
	unsigned int ss_dpl = ar_dpl(seg(c, VMX_SEG_SS)->ar);

	if (!activity_supported(c, act)) {
		fail(c, GUEST_ACTIVITY_STATE,
		     "must be 0 (active) or a state IA32_VMX_MISC (0x%lx) supports, is %u",
		     c->gs->vmx_misc, act);
		return;
	}
	if (act == ACTIVITY_HLT && ss_dpl != 0)
		fail(c, GUEST_ACTIVITY_STATE, "HLT requires SS DPL 0, SS DPL is %u", ss_dpl);
	if (act != ACTIVITY_ACTIVE &&
	    (c->gs->interruptibility & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS)))
		fail(c, GUEST_ACTIVITY_STATE,
		     "must be active (0) with blocking by STI or MOV SS, is %u (%s)", act,
		     activity_names[act]);
	if (injecting(c) && !injection_allowed(act, injected_type(c), injected_vector(c)))
		fail(c, GUEST_ACTIVITY_STATE,
		     "the %s state does not accept the injected event (type %u, vector %u)",
		     activity_names[act], injected_type(c), injected_vector(c));
}

/* SDM 27.3.1.5: interruptibility state */
static void check_interruptibility(struct ctx *c)
{
	uint32_t intr = c->gs->interruptibility;
	bool sti = intr & INTERRUPTIBILITY_STI, mov_ss = intr & INTERRUPTIBILITY_MOV_SS;

	if (intr & INTERRUPTIBILITY_RESERVED)
		fail(c, GUEST_INTERRUPTIBILITY, "bits 31:5 must be 0, is 0x%x", intr);
	if (sti && mov_ss)
		fail(c, GUEST_INTERRUPTIBILITY,
		     "blocking by STI and by MOV SS (bits 0 and 1) must not both be 1, is 0x%x",
		     intr);
	if (sti && !(c->gs->rflags & RFLAGS_IF))
		fail(c, GUEST_INTERRUPTIBILITY,
		     "blocking by STI (bit 0) requires RFLAGS.IF 1, RFLAGS is 0x%lx", c->gs->rflags);
	if (injecting_type(c, INTR_TYPE_EXTERNAL) && (sti || mov_ss))
		fail(c, GUEST_INTERRUPTIBILITY,
		     "bits 0 and 1 (blocking by STI, MOV SS) must be 0 when injecting an external "
		     "interrupt, is 0x%x",
		     intr);
	if (injecting_type(c, INTR_TYPE_NMI) && mov_ss)
		fail(c, GUEST_INTERRUPTIBILITY,
		     "bit 1 (blocking by MOV SS) must be 0 when injecting an NMI, is 0x%x", intr);
	if (intr & INTERRUPTIBILITY_SMI)
		fail(c, GUEST_INTERRUPTIBILITY,
		     "bit 2 (blocking by SMI) must be 0 outside SMM, is 0x%x", intr);
	if ((c->gs->pin_ctls & PIN_VIRTUAL_NMIS) && injecting_type(c, INTR_TYPE_NMI) &&
	    (intr & INTERRUPTIBILITY_NMI))
		fail(c, GUEST_INTERRUPTIBILITY,
		     "bit 3 (blocking by NMI) must be 0 when injecting an NMI with virtual NMIs, "
		     "is 0x%x",
		     intr);
	if ((intr & INTERRUPTIBILITY_ENCLAVE) && mov_ss)
		fail(c, GUEST_INTERRUPTIBILITY,
		     "bit 1 (blocking by MOV SS) must be 0 with bit 4 (enclave interruption), "
		     "is 0x%x",
		     intr);
}

/* SDM 27.3.1.5: pending debug exceptions */
static void check_pending_dbg(struct ctx *c)
{
	const struct vmx_guest_state *gs = c->gs;
	uint64_t pd = gs->pending_dbg;
	bool blocking = gs->interruptibility & (INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS);
	bool single_step = (gs->rflags & RFLAGS_TF) && !(gs->debugctl & DEBUGCTL_BTF);

	if (pd & PENDING_DBG_RESERVED)
		fail(c, GUEST_PENDING_DBG_EXCEPTIONS,
		     "bits 11:4, 13, 15 and 63:17 must be 0, is 0x%lx", pd);
	if ((blocking || gs->activity == ACTIVITY_HLT) && single_step != !!(pd & PENDING_DBG_BS))
		fail(c, GUEST_PENDING_DBG_EXCEPTIONS,
		     "BS (bit 14) must be %d when blocking by STI/MOV SS or in HLT with "
		     "RFLAGS.TF %d and DEBUGCTL.BTF %d, is 0x%lx",
		     single_step, !!(gs->rflags & RFLAGS_TF), !!(gs->debugctl & DEBUGCTL_BTF), pd);
	if (!(pd & PENDING_DBG_RTM))
		return;
	if ((pd & (PENDING_DBG_BP_MASK | PENDING_DBG_BS)) || !(pd & PENDING_DBG_ENABLED_BP))
		fail(c, GUEST_PENDING_DBG_EXCEPTIONS,
		     "with RTM (bit 16) set, bit 12 must be 1 and bits 3:0 and 14 must be 0, is "
		     "0x%lx",
		     pd);
	if (gs->interruptibility & INTERRUPTIBILITY_MOV_SS)
		fail(c, GUEST_PENDING_DBG_EXCEPTIONS,
		     "RTM (bit 16) must be 0 with blocking by MOV SS, is 0x%lx", pd);
}

/* SDM 27.3.1.5: VMCS link pointer. hv does not use VMCS shadowing, so the
 * pointer must be ~0 (anything else must reference a valid shadow VMCS). */
static void check_link_pointer(struct ctx *c)
{
	if (c->gs->link_pointer != VMCS_LINK_POINTER_NONE)
		fail(c, GUEST_VMCS_LINK_POINTER,
		     "must be 0xffffffffffffffff (hv uses no VMCS shadowing), is 0x%lx",
		     c->gs->link_pointer);
}

/* SDM 27.3.1.6: with PAE paging and EPT, the PDPTE fields are checked like
 * a MOV to CR3 checks the PDPTEs: a present one has no reserved bit set. */
static void check_pdptes(struct ctx *c)
{
	const struct vmx_guest_state *gs = c->gs;
	uint64_t reserved = PDPTE_RESERVED_LOW | ~0UL << gs->phys_width;

	if (!(gs->cr0 & CR0_PG) || !(gs->cr4 & CR4_PAE) || c->ia32e ||
	    !(gs->proc2_ctls & PROC2_ENABLE_EPT))
		return;
	for (unsigned int i = 0; i < ARRAY_SIZE(gs->pdpte); i++) {
		uint64_t e = gs->pdpte[i];

		if ((e & PDPTE_P) && (e & reserved))
			fail(c, (enum vmcs_field)(GUEST_PDPTE0 + 2 * i),
			     "present PDPTE with reserved bits 0x%lx set (2:1, 8:5, 63:%u), is 0x%lx",
			     e & reserved, gs->phys_width, e);
	}
}

bool vmx_check_guest_state(const struct vmx_guest_state *gs, struct vmx_check_result *res)
{
	struct ctx c = {
		.gs = gs,
		.res = res,
		.ia32e = gs->entry_ctls & ENTRY_CTL_IA32E_MODE,
		.unrestricted = gs->proc2_ctls & PROC2_UNRESTRICTED_GUEST,
		/* RFLAGS.VM with IA-32e mode or CR0.PE 0 fails the RFLAGS check;
		 * the segments are then checked as outside virtual-8086 mode so
		 * that the report is not flooded with consequences. */
		.v86 = (gs->rflags & RFLAGS_VM) && (gs->cr0 & CR0_PE) &&
		       !(gs->entry_ctls & ENTRY_CTL_IA32E_MODE),
	};

	res->count = 0;
	check_control_regs(&c);
	check_debug_and_msrs(&c);
	check_segments(&c);
	check_descriptor_tables(&c);
	check_rip_rflags(&c);
	check_activity(&c);
	check_interruptibility(&c);
	check_pending_dbg(&c);
	check_link_pointer(&c);
	check_pdptes(&c);
	return res->count == 0;
}
