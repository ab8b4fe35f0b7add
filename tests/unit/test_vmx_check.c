#include "arch/x86/cpu.h"
#include "arch/x86/msr.h"
#include "vmm/vmx_check.h"
#include "vmm/vmx_defs.h"
#include "test.h"

/* Capability values as Bochs reports them */
#define CR0_FIXED0 0x80000021UL /* PE, NE, PG */
#define CR0_FIXED1 0xffffffffUL
#define CR4_FIXED0 0x2000UL /* VMXE */
#define CR4_FIXED1 0x3727ffUL
#define MISC_ACTIVITY (VMX_MISC_ACTIVITY_HLT | VMX_MISC_ACTIVITY_SHUTDOWN | \
		       VMX_MISC_ACTIVITY_WAIT_SIPI)
#define NONCANONICAL 0x0000800000000000UL
#define AR_LONG_CODE 0xa09bu   /* G, L, P, S, type 11 */
#define AR_FLAT_CODE32 0xc09bu /* G, D, P, S, type 11 */
#define AR_FLAT_DATA 0xc093u   /* G, B, P, S, type 3 */
#define AR_REAL_CODE 0x9bu
#define AR_REAL_DATA 0x93u
#define AR_TSS_BUSY 0x8bu
#define AR_LDT 0x82u
#define SEL_TI 0x4u
#define INJECT(type, vector) (INTR_INFO_VALID | (type) << INTR_INFO_TYPE_SHIFT | (vector))

static struct vmx_check_result res;

static void set_seg(struct vmx_guest_state *gs, enum vmx_seg s, uint16_t sel, uint64_t base,
		    uint32_t limit, uint32_t ar)
{
	gs->seg[s] = (struct vmx_segment){ sel, base, limit, ar };
}

static void set_data_segs(struct vmx_guest_state *gs, uint16_t sel, uint32_t limit, uint32_t ar)
{
	static const enum vmx_seg data[] = { VMX_SEG_ES, VMX_SEG_SS, VMX_SEG_DS, VMX_SEG_FS,
					     VMX_SEG_GS };

	for (size_t i = 0; i < ARRAY_SIZE(data); i++)
		set_seg(gs, data[i], sel, 0, limit, ar);
}

static void set_common(struct vmx_guest_state *gs)
{
	gs->cr0_fixed0 = CR0_FIXED0;
	gs->cr0_fixed1 = CR0_FIXED1;
	gs->cr4_fixed0 = CR4_FIXED0;
	gs->cr4_fixed1 = CR4_FIXED1;
	gs->vmx_misc = MISC_ACTIVITY;
	gs->phys_width = 39;
	gs->linear_width = 48;
	gs->dr7 = 0x400;
	gs->pat = 0x0007040600070406UL;
	gs->rflags = RFLAGS_FIXED1;
	gs->link_pointer = VMCS_LINK_POINTER_NONE;
	gs->entry_ctls = ENTRY_CTL_LOAD_DEBUG_CONTROLS | ENTRY_CTL_LOAD_PAT | ENTRY_CTL_LOAD_EFER;
	gs->proc2_ctls = PROC2_ENABLE_EPT;
	set_seg(gs, VMX_SEG_LDTR, 0, 0, 0, AR_UNUSABLE);
}

/* A 64-bit kernel entered like Linux's startup_64 */
static struct vmx_guest_state long_mode(void)
{
	struct vmx_guest_state gs = { 0 };

	set_common(&gs);
	gs.cr0 = CR0_PE | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
	gs.cr3 = 0x1000;
	gs.cr4 = CR4_PAE | CR4_VMXE;
	gs.efer = EFER_LME | EFER_LMA;
	gs.entry_ctls |= ENTRY_CTL_IA32E_MODE;
	set_seg(&gs, VMX_SEG_CS, 0x10, 0, 0xffffffff, AR_LONG_CODE);
	set_data_segs(&gs, 0x18, 0xffffffff, AR_FLAT_DATA);
	set_seg(&gs, VMX_SEG_TR, 0x20, 0, 0x67, AR_TSS_BUSY);
	gs.gdtr_base = 0x2000;
	gs.gdtr_limit = 0x37;
	gs.idtr_limit = 0xfff;
	gs.rip = 0x1000000;
	return gs;
}

/* The BIOS handing over to a boot sector, with unrestricted guest */
static struct vmx_guest_state real_mode(void)
{
	struct vmx_guest_state gs = { 0 };

	set_common(&gs);
	gs.cr0 = CR0_ET | CR0_NE;
	gs.cr4 = CR4_VMXE;
	gs.proc2_ctls |= PROC2_UNRESTRICTED_GUEST;
	set_seg(&gs, VMX_SEG_CS, 0, 0, 0xffff, AR_REAL_CODE);
	set_data_segs(&gs, 0, 0xffff, AR_REAL_DATA);
	set_seg(&gs, VMX_SEG_TR, 0, 0, 0xffff, AR_TSS_BUSY);
	gs.gdtr_limit = 0xffff;
	gs.idtr_limit = 0x3ff;
	gs.rip = 0x7c00;
	return gs;
}

/* Flat 32-bit protected mode with paging, as a multiboot kernel sets up */
static struct vmx_guest_state prot32(void)
{
	struct vmx_guest_state gs = { 0 };

	set_common(&gs);
	gs.cr0 = CR0_PE | CR0_ET | CR0_NE | CR0_PG;
	gs.cr3 = 0x3000;
	gs.cr4 = CR4_VMXE;
	set_seg(&gs, VMX_SEG_CS, 0x08, 0, 0xffffffff, AR_FLAT_CODE32);
	set_data_segs(&gs, 0x10, 0xffffffff, AR_FLAT_DATA);
	set_seg(&gs, VMX_SEG_TR, 0x18, 0x5000, 0x67, AR_TSS_BUSY);
	gs.gdtr_base = 0x4000;
	gs.gdtr_limit = 0x1f;
	gs.idtr_limit = 0x7ff;
	gs.rip = 0x100000;
	gs.rflags |= RFLAGS_IF;
	return gs;
}

/* Virtual-8086 mode under 32-bit protected mode */
static struct vmx_guest_state v86(void)
{
	struct vmx_guest_state gs = prot32();
	static const enum vmx_seg segs[] = { VMX_SEG_ES, VMX_SEG_CS, VMX_SEG_SS,
					     VMX_SEG_DS, VMX_SEG_FS, VMX_SEG_GS };

	for (size_t i = 0; i < ARRAY_SIZE(segs); i++)
		set_seg(&gs, segs[i], 0x1234, 0x12340, 0xffff, 0xf3);
	gs.rflags |= RFLAGS_VM;
	gs.rip = 0x100;
	return gs;
}

static void dump(void)
{
	for (unsigned int i = 0; i < res.count && i < VMX_CHECK_MAX_FAILURES; i++)
		fprintf(stderr, "    %s: %s\n", res.fail[i].name, res.fail[i].why);
}

static void expect_ok(const char *file, int line, const struct vmx_guest_state *gs)
{
	if (!vmx_check_guest_state(gs, &res) || res.count != 0) {
		test_fail_fmt(file, line, "expected no failure, got %u", res.count);
		dump();
	}
}

/* The check fails with a failure on field name whose reason contains
 * phrase; with only, it is the one failure. */
static void expect(const char *file, int line, const struct vmx_guest_state *gs, bool only,
		   const char *name, const char *phrase)
{
	bool found = false;

	if (vmx_check_guest_state(gs, &res))
		test_fail_fmt(file, line, "expected failure, got none");
	for (unsigned int i = 0; i < res.count && i < VMX_CHECK_MAX_FAILURES; i++) {
		found |= !strcmp(res.fail[i].name, name) && strstr(res.fail[i].why, phrase);
		if (strlen(res.fail[i].why) >= VMX_CHECK_WHY_SIZE - 1)
			test_fail_fmt(file, line, "message cut: %s", res.fail[i].why);
	}
	if (!found || (only && res.count != 1)) {
		test_fail_fmt(file, line, "expected %s\"%s: ...%s...\", got %u failures",
			      only ? "only " : "", name, phrase, res.count);
		dump();
	}
}

#define EXPECT_OK(gs) expect_ok(__FILE__, __LINE__, &(gs))
#define EXPECT_ONE(gs, name, phrase) expect(__FILE__, __LINE__, &(gs), true, name, phrase)
#define EXPECT_ANY(gs, name, phrase) expect(__FILE__, __LINE__, &(gs), false, name, phrase)

TEST(vmx_check_valid_states)
{
	struct vmx_guest_state gs = long_mode();

	EXPECT_OK(gs);
	gs = real_mode();
	EXPECT_OK(gs);
	gs = prot32();
	EXPECT_OK(gs);
	gs = v86();
	EXPECT_OK(gs);
	gs = long_mode(); /* ring 3 */
	gs.seg[VMX_SEG_CS] = (struct vmx_segment){ 0x2b, 0, 0xffffffff, AR_LONG_CODE | 3 << 5 };
	gs.seg[VMX_SEG_SS] = (struct vmx_segment){ 0x23, 0, 0xffffffff, AR_FLAT_DATA | 3 << 5 };
	EXPECT_OK(gs);
}

TEST(vmx_check_message_format)
{
	struct vmx_guest_state gs = long_mode();

	gs.cr0 &= ~CR0_NE;
	CHECK(!vmx_check_guest_state(&gs, &res));
	CHECK_EQ(res.count, 1);
	CHECK_EQ(res.fail[0].field, GUEST_CR0);
	CHECK_STR(res.fail[0].name, "GUEST_CR0");
	CHECK_STR(res.fail[0].why, "bit 5 (NE) must be 1 (IA32_VMX_CR0_FIXED0 = 0x80000021)");

	gs = prot32();
	gs.seg[VMX_SEG_TR].ar = 0x89;
	CHECK(!vmx_check_guest_state(&gs, &res));
	CHECK_STR(res.fail[0].name, "GUEST_TR_AR");
	CHECK_STR(res.fail[0].why,
		  "TR type must be 3 (16-bit busy TSS, not in IA-32e mode) or 11 (busy TSS), is 9");
}

TEST(vmx_check_reports_all_in_sdm_order)
{
	struct vmx_guest_state gs = long_mode();

	gs.cr0 &= ~CR0_NE;
	gs.link_pointer = 0;
	gs.rflags = 0;
	gs.seg[VMX_SEG_TR].selector |= 4;
	CHECK(!vmx_check_guest_state(&gs, &res));
	CHECK_EQ(res.count, 4);
	CHECK_STR(res.fail[0].name, "GUEST_CR0");
	CHECK_STR(res.fail[1].name, "GUEST_TR_SELECTOR");
	CHECK_STR(res.fail[2].name, "GUEST_RFLAGS");
	CHECK_STR(res.fail[3].name, "GUEST_VMCS_LINK_POINTER");

	/* More failures than slots: all counted, the first ones kept */
	gs.cr0 = 1UL << 40;
	gs.cr4 = 0;
	CHECK(!vmx_check_guest_state(&gs, &res));
	CHECK(res.count > VMX_CHECK_MAX_FAILURES);
	CHECK_STR(res.fail[0].why, "bit 0 (PE) must be 1 (IA32_VMX_CR0_FIXED0 = 0x80000021)");
	CHECK_STR(res.fail[VMX_CHECK_MAX_FAILURES - 1].name, "GUEST_TR_SELECTOR");
}

TEST(vmx_check_field_names)
{
	CHECK_STR(vmx_check_field_name(GUEST_IA32_SYSENTER_EIP), "GUEST_IA32_SYSENTER_EIP");
	CHECK_STR(vmx_check_field_name(GUEST_PDPTE3), "GUEST_PDPTE3");
	CHECK_STR(vmx_check_field_name(HOST_RIP), "?");
}

TEST(vmx_check_cr0_fixed_bits)
{
	struct vmx_guest_state gs = long_mode();

	gs.cr0 |= 1UL << 40;
	EXPECT_ONE(gs, "GUEST_CR0", "bit 40 must be 0 (IA32_VMX_CR0_FIXED1 = 0xffffffff)");

	gs = prot32();
	gs.cr0 &= ~CR0_PG;
	EXPECT_ONE(gs, "GUEST_CR0", "bit 31 (PG) must be 1 (IA32_VMX_CR0_FIXED0");

	/* NW and CD are never checked */
	gs = prot32();
	gs.cr0_fixed1 &= ~(CR0_NW | CR0_CD);
	gs.cr0 |= CR0_CD | CR0_NW;
	EXPECT_OK(gs);
}

TEST(vmx_check_cr0_unrestricted_pe_pg)
{
	struct vmx_guest_state gs = real_mode();

	gs.cr0 |= CR0_PE; /* unpaged protected mode */
	gs.seg[VMX_SEG_CS].selector = 0x08;
	EXPECT_OK(gs);
	gs.cr0 = CR0_ET | CR0_NE | CR0_PG;
	EXPECT_ONE(gs, "GUEST_CR0", "PG (bit 31) is 1, so PE (bit 0) must be 1");
}

TEST(vmx_check_cr4_fixed_bits)
{
	struct vmx_guest_state gs = long_mode();

	gs.cr4 &= ~CR4_VMXE;
	EXPECT_ONE(gs, "GUEST_CR4", "bit 13 (VMXE) must be 1 (IA32_VMX_CR4_FIXED0 = 0x2000)");
	gs = long_mode();
	gs.cr4 |= BIT(12);
	EXPECT_ONE(gs, "GUEST_CR4", "bit 12 (LA57) must be 0 (IA32_VMX_CR4_FIXED1 = 0x3727ff)");
}

TEST(vmx_check_cr4_cet_needs_wp)
{
	struct vmx_guest_state gs = long_mode();

	gs.cr4_fixed1 |= CR4_CET;
	gs.cr4 |= CR4_CET;
	EXPECT_OK(gs);
	gs.cr0 &= ~CR0_WP;
	EXPECT_ONE(gs, "GUEST_CR0", "CR4.CET is 1, so WP (bit 16) must be 1");
}

TEST(vmx_check_ia32e_needs_pg_and_pae)
{
	struct vmx_guest_state gs = long_mode();

	gs.proc2_ctls |= PROC2_UNRESTRICTED_GUEST; /* so FIXED0 does not demand PG */
	gs.cr0 &= ~CR0_PG;
	EXPECT_ONE(gs, "GUEST_CR0", "PG (bit 31) must be 1 with IA-32e mode guest");
	gs = long_mode();
	gs.cr4 &= ~CR4_PAE;
	EXPECT_ONE(gs, "GUEST_CR4", "PAE (bit 5) must be 1 with IA-32e mode guest");
}

TEST(vmx_check_pcide_needs_ia32e)
{
	struct vmx_guest_state gs = long_mode();

	gs.cr4 |= CR4_PCIDE;
	EXPECT_OK(gs);
	gs = prot32();
	gs.cr4 |= CR4_PCIDE;
	EXPECT_ONE(gs, "GUEST_CR4", "PCIDE (bit 17) must be 0 without IA-32e mode guest");
}

TEST(vmx_check_cr3_physical_width)
{
	struct vmx_guest_state gs = long_mode();

	gs.cr3 = (1UL << 39) - 0x1000;
	EXPECT_OK(gs);
	gs.cr3 = 1UL << 39;
	EXPECT_ONE(gs, "GUEST_CR3", "bits 63:39 must be 0");
}

TEST(vmx_check_debug_controls)
{
	struct vmx_guest_state gs = long_mode();

	gs.dr7 = 1UL << 32;
	EXPECT_ONE(gs, "GUEST_DR7", "bits 63:32 must be 0 with load debug controls");
	gs = long_mode();
	gs.debugctl = 1UL << 16;
	EXPECT_ONE(gs, "GUEST_IA32_DEBUGCTL", "reserved bits 0x10000 must be 0");
	/* Not loaded, not checked */
	gs.dr7 = 1UL << 32;
	gs.entry_ctls &= ~ENTRY_CTL_LOAD_DEBUG_CONTROLS;
	EXPECT_OK(gs);
}

TEST(vmx_check_sysenter_canonical)
{
	struct vmx_guest_state gs = long_mode();

	gs.sysenter_esp = 0xffff800000001000UL;
	EXPECT_OK(gs);
	gs.sysenter_esp = NONCANONICAL;
	EXPECT_ONE(gs, "GUEST_IA32_SYSENTER_ESP", "must be canonical, is 0x800000000000");
	gs = long_mode();
	gs.sysenter_eip = NONCANONICAL;
	EXPECT_ONE(gs, "GUEST_IA32_SYSENTER_EIP", "must be canonical");
}

TEST(vmx_check_pat)
{
	struct vmx_guest_state gs = long_mode();

	gs.pat = 0x0007040600070206UL;
	EXPECT_ONE(gs, "GUEST_IA32_PAT", "PA1 has memory type 2");
	gs.pat = 0x0807040600070406UL;
	EXPECT_ONE(gs, "GUEST_IA32_PAT", "PA7 has memory type 8");
	gs.entry_ctls &= ~ENTRY_CTL_LOAD_PAT;
	EXPECT_OK(gs);
}

TEST(vmx_check_efer)
{
	struct vmx_guest_state gs = long_mode();

	gs.efer |= BIT(9);
	EXPECT_ONE(gs, "GUEST_IA32_EFER", "reserved bits 0x200 must be 0");
	gs = long_mode();
	gs.efer &= ~EFER_LMA;
	EXPECT_ANY(gs, "GUEST_IA32_EFER", "LMA (bit 10) must equal IA-32e mode guest (1)");
	gs = prot32();
	gs.efer = EFER_LME;
	EXPECT_ONE(gs, "GUEST_IA32_EFER", "LME (bit 8) must equal LMA (bit 10) when CR0.PG is 1");
	/* LME without PG: about to enter long mode */
	gs.cr0 &= ~CR0_PG;
	gs.proc2_ctls |= PROC2_UNRESTRICTED_GUEST;
	EXPECT_OK(gs);
}

TEST(vmx_check_selectors)
{
	struct vmx_guest_state gs = long_mode();

	gs.seg[VMX_SEG_TR].selector |= SEL_TI;
	EXPECT_ONE(gs, "GUEST_TR_SELECTOR", "TI (bit 2) must be 0");
	gs = long_mode();
	set_seg(&gs, VMX_SEG_LDTR, 0x2c, 0x8000, 0xffff, AR_LDT);
	EXPECT_ONE(gs, "GUEST_LDTR_SELECTOR", "TI (bit 2) must be 0 when LDTR is usable");
	gs.seg[VMX_SEG_LDTR].ar |= AR_UNUSABLE;
	EXPECT_OK(gs);
	gs = long_mode();
	gs.seg[VMX_SEG_SS].selector = 0x1b;
	EXPECT_ANY(gs, "GUEST_SS_SELECTOR", "SS RPL (3) must equal CS RPL (0)");
	gs.proc2_ctls |= PROC2_UNRESTRICTED_GUEST;
	EXPECT_OK(gs);
}

TEST(vmx_check_v86_segments)
{
	struct vmx_guest_state gs = v86();

	gs.seg[VMX_SEG_DS].base = 0x12345;
	EXPECT_ONE(gs, "GUEST_DS_BASE", "DS base must be selector << 4 = 0x12340");
	gs = v86();
	gs.seg[VMX_SEG_SS].limit = 0xfffff;
	EXPECT_ONE(gs, "GUEST_SS_LIMIT", "SS limit must be 0xffff in virtual-8086 mode");
	gs = v86();
	gs.seg[VMX_SEG_CS].ar = 0xfb;
	EXPECT_ONE(gs, "GUEST_CS_AR", "CS access rights must be 0xf3 in virtual-8086 mode");
}

TEST(vmx_check_bases)
{
	struct vmx_guest_state gs = long_mode();

	gs.seg[VMX_SEG_FS].base = 0xffff800000000000UL;
	gs.seg[VMX_SEG_GS].base = 0x00007ffffffff000UL;
	EXPECT_OK(gs);
	gs.seg[VMX_SEG_TR].base = NONCANONICAL;
	EXPECT_ONE(gs, "GUEST_TR_BASE", "TR base must be canonical");
	gs = long_mode();
	gs.seg[VMX_SEG_GS].base = 0x0001000000000000UL;
	EXPECT_ONE(gs, "GUEST_GS_BASE", "GS base must be canonical");
	gs = long_mode();
	gs.seg[VMX_SEG_LDTR].base = NONCANONICAL; /* unusable: not checked */
	EXPECT_OK(gs);
	gs = long_mode();
	gs.seg[VMX_SEG_CS].base = 1UL << 32;
	EXPECT_ONE(gs, "GUEST_CS_BASE", "CS base bits 63:32 must be 0");
	gs = long_mode();
	gs.seg[VMX_SEG_ES].base = 1UL << 32;
	EXPECT_ONE(gs, "GUEST_ES_BASE", "ES base bits 63:32 must be 0");
	gs.seg[VMX_SEG_ES].ar = AR_UNUSABLE;
	EXPECT_OK(gs);
}

TEST(vmx_check_cs_type)
{
	struct vmx_guest_state gs = long_mode();

	gs.seg[VMX_SEG_CS].ar = 0xa093;
	EXPECT_ONE(gs, "GUEST_CS_AR", "CS type must be 9, 11, 13 or 15 (accessed code), is 3");
	gs = long_mode();
	gs.seg[VMX_SEG_CS].ar = 0xa09a; /* not accessed */
	EXPECT_ONE(gs, "GUEST_CS_AR", "is 10");
	gs = real_mode();
	gs.seg[VMX_SEG_CS].ar = AR_REAL_DATA; /* type 3: unrestricted guest only */
	EXPECT_OK(gs);
	gs.seg[VMX_SEG_CS].ar = 0xf3;
	EXPECT_ANY(gs, "GUEST_CS_AR", "CS DPL must be 0 when CS type is 3, is 3");
	gs.seg[VMX_SEG_CS].ar = 0x91;
	EXPECT_ONE(gs, "GUEST_CS_AR", "or 3 (unrestricted guest), is 1");
}

TEST(vmx_check_cs_dpl)
{
	struct vmx_guest_state gs = long_mode();

	gs.seg[VMX_SEG_CS].ar = AR_LONG_CODE | 3 << AR_DPL_SHIFT;
	EXPECT_ONE(gs, "GUEST_CS_AR", "CS DPL (3) must equal SS DPL (0) for non-conforming code");
	gs = prot32();
	gs.seg[VMX_SEG_CS].ar = 0xc09f; /* conforming, DPL 0 */
	EXPECT_OK(gs);
	gs.seg[VMX_SEG_CS].ar = 0xc0ff;
	EXPECT_ONE(gs, "GUEST_CS_AR", "CS DPL (3) must not exceed SS DPL (0) for conforming code");
}

TEST(vmx_check_ss_type_and_dpl)
{
	struct vmx_guest_state gs = long_mode();

	gs.seg[VMX_SEG_SS].ar = 0xc09b;
	EXPECT_ONE(gs, "GUEST_SS_AR", "SS type must be 3 or 7 (read/write accessed data), is 11");
	gs.seg[VMX_SEG_SS].ar = 0xc097; /* expand-down */
	EXPECT_OK(gs);
	gs.seg[VMX_SEG_SS].ar = AR_FLAT_DATA | 3 << AR_DPL_SHIFT;
	EXPECT_ANY(gs, "GUEST_SS_AR", "SS DPL (3) must equal the SS selector's RPL (0)");
	/* The DPL rule holds for an unusable SS too: it is the CPL */
	gs.seg[VMX_SEG_SS].ar |= AR_UNUSABLE;
	EXPECT_ANY(gs, "GUEST_SS_AR", "SS DPL (3) must equal the SS selector's RPL (0)");
	gs = real_mode();
	gs.seg[VMX_SEG_SS].ar = 0xf3;
	EXPECT_ANY(gs, "GUEST_SS_AR", "SS DPL must be 0 when CR0.PE is 0, is 3");
}

TEST(vmx_check_data_segments)
{
	struct vmx_guest_state gs = long_mode();

	gs.seg[VMX_SEG_DS].selector = 0x1b;
	EXPECT_ONE(gs, "GUEST_DS_AR", "DS DPL (0) must not be below the selector's RPL (3)");
	gs.proc2_ctls |= PROC2_UNRESTRICTED_GUEST;
	EXPECT_OK(gs);
	gs = long_mode();
	gs.seg[VMX_SEG_DS].ar = 0xc092;
	EXPECT_ONE(gs, "GUEST_DS_AR", "DS type must have bit 0 (accessed) set, is 2");
	gs = long_mode();
	gs.seg[VMX_SEG_ES].ar = 0xc099;
	EXPECT_ONE(gs, "GUEST_ES_AR", "ES type 9 is execute-only code");
	gs.seg[VMX_SEG_ES].ar = 0xc09b; /* readable code is fine */
	EXPECT_OK(gs);
	gs.seg[VMX_SEG_ES].ar = 0xc083;
	EXPECT_ONE(gs, "GUEST_ES_AR", "ES S (bit 4) must be 1");
	gs.seg[VMX_SEG_ES].ar = AR_UNUSABLE | 0x83; /* unusable: not checked */
	EXPECT_OK(gs);
	gs = long_mode();
	gs.seg[VMX_SEG_GS].ar = 0xc013;
	EXPECT_ONE(gs, "GUEST_GS_AR", "GS P (bit 7) must be 1");
}

TEST(vmx_check_ar_reserved_and_granularity)
{
	struct vmx_guest_state gs = long_mode();

	gs.seg[VMX_SEG_FS].ar |= 0x100;
	EXPECT_ONE(gs, "GUEST_FS_AR", "FS access rights bits 11:8 must be 0");
	gs = long_mode();
	gs.seg[VMX_SEG_GS].ar |= 1u << 17;
	EXPECT_ONE(gs, "GUEST_GS_AR", "GS access rights bits 31:17 must be 0");
	gs = long_mode();
	gs.seg[VMX_SEG_ES].limit = 0x000ff000;
	EXPECT_ONE(gs, "GUEST_ES_AR", "ES G must be 0: limit 0xff000 has a 0 in bits 11:0");
	gs = long_mode();
	gs.seg[VMX_SEG_DS].ar &= ~AR_G;
	gs.seg[VMX_SEG_DS].limit = 0x00100fff;
	EXPECT_ONE(gs, "GUEST_DS_AR", "DS G must be 1: limit 0x100fff has a 1 in bits 31:20");
	gs.seg[VMX_SEG_DS].limit = 0x000fffff; /* either G fits */
	EXPECT_OK(gs);
}

TEST(vmx_check_cs_l_and_db)
{
	struct vmx_guest_state gs = long_mode();

	gs.seg[VMX_SEG_CS].ar |= AR_DB;
	EXPECT_ONE(gs, "GUEST_CS_AR", "CS L and D/B must not both be 1 with IA-32e mode guest");
	gs.seg[VMX_SEG_CS].ar &= ~AR_L; /* compatibility mode */
	EXPECT_OK(gs);
}

TEST(vmx_check_tr)
{
	struct vmx_guest_state gs = long_mode();

	gs.seg[VMX_SEG_TR].ar = 0x83;
	EXPECT_ONE(gs, "GUEST_TR_AR", "TR type must be 11 (64-bit busy TSS) in IA-32e mode, is 3");
	gs = prot32();
	gs.seg[VMX_SEG_TR].ar = 0x83; /* 16-bit busy TSS */
	EXPECT_OK(gs);
	gs = long_mode();
	gs.seg[VMX_SEG_TR].ar = 0x9b;
	EXPECT_ONE(gs, "GUEST_TR_AR", "TR S (bit 4) must be 0");
	gs.seg[VMX_SEG_TR].ar = 0x0b;
	EXPECT_ONE(gs, "GUEST_TR_AR", "TR P (bit 7) must be 1");
	gs.seg[VMX_SEG_TR].ar = AR_TSS_BUSY | AR_UNUSABLE;
	EXPECT_ONE(gs, "GUEST_TR_AR", "TR must be usable");
	gs.seg[VMX_SEG_TR].ar = AR_TSS_BUSY | AR_G;
	EXPECT_ONE(gs, "GUEST_TR_AR", "TR G must be 0: limit 0x67");
}

TEST(vmx_check_ldtr)
{
	struct vmx_guest_state gs = long_mode();

	set_seg(&gs, VMX_SEG_LDTR, 0x28, 0x8000, 0xffff, AR_LDT);
	EXPECT_OK(gs);
	gs.seg[VMX_SEG_LDTR].ar = 0x83;
	EXPECT_ONE(gs, "GUEST_LDTR_AR", "LDTR type must be 2 (LDT) when usable, is 3");
	gs.seg[VMX_SEG_LDTR].ar = 0x92;
	EXPECT_ONE(gs, "GUEST_LDTR_AR", "LDTR S (bit 4) must be 0");
	gs.seg[VMX_SEG_LDTR].ar = AR_LDT;
	gs.seg[VMX_SEG_LDTR].base = NONCANONICAL;
	EXPECT_ONE(gs, "GUEST_LDTR_BASE", "LDTR base must be canonical");
}

TEST(vmx_check_descriptor_tables)
{
	struct vmx_guest_state gs = long_mode();

	gs.gdtr_base = NONCANONICAL;
	EXPECT_ONE(gs, "GUEST_GDTR_BASE", "must be canonical");
	gs = long_mode();
	gs.idtr_base = NONCANONICAL;
	EXPECT_ONE(gs, "GUEST_IDTR_BASE", "must be canonical");
	gs = long_mode();
	gs.gdtr_limit = 0x10000;
	EXPECT_ONE(gs, "GUEST_GDTR_LIMIT", "bits 31:16 must be 0, is 0x10000");
	gs = long_mode();
	gs.idtr_limit = 0x10000;
	EXPECT_ONE(gs, "GUEST_IDTR_LIMIT", "bits 31:16 must be 0");
}

TEST(vmx_check_rip)
{
	struct vmx_guest_state gs = long_mode();

	/* Bits 63:48 equal suffices: a non-canonical RIP faults in the guest */
	gs.rip = NONCANONICAL;
	EXPECT_OK(gs);
	gs.rip = 0xffffffff81000000UL;
	EXPECT_OK(gs);
	gs.rip = 0x0001000000000000UL;
	EXPECT_ONE(gs, "GUEST_RIP", "bits 63:48 must be all 0 or all 1 in 64-bit mode");
	gs = long_mode();
	gs.seg[VMX_SEG_CS].ar = AR_FLAT_CODE32; /* compatibility mode */
	gs.rip = 1UL << 32;
	EXPECT_ONE(gs, "GUEST_RIP",
		   "bits 63:32 must be 0 outside 64-bit mode (IA-32e mode guest 1, CS.L 0)");
	gs = prot32();
	gs.rip = 1UL << 32;
	EXPECT_ONE(gs, "GUEST_RIP", "(IA-32e mode guest 0, CS.L 0)");
}

TEST(vmx_check_rflags)
{
	struct vmx_guest_state gs = long_mode();

	gs.rflags |= BIT(15);
	EXPECT_ONE(gs, "GUEST_RFLAGS", "reserved bits 63:22, 15, 5 and 3 must be 0");
	gs.rflags = BIT(22) | RFLAGS_FIXED1;
	EXPECT_ONE(gs, "GUEST_RFLAGS", "reserved bits");
	gs.rflags = 0;
	EXPECT_ONE(gs, "GUEST_RFLAGS", "bit 1 must be 1, RFLAGS is 0x0");
	gs = long_mode();
	gs.rflags |= RFLAGS_VM;
	EXPECT_ONE(gs, "GUEST_RFLAGS", "VM (bit 17) must be 0 with IA-32e mode guest");
	gs = real_mode();
	gs.rflags |= RFLAGS_VM;
	EXPECT_ONE(gs, "GUEST_RFLAGS", "VM (bit 17) must be 0 when CR0.PE is 0");
	gs = long_mode();
	gs.entry_intr_info = INJECT(INTR_TYPE_EXTERNAL, 0x20);
	EXPECT_ONE(gs, "GUEST_RFLAGS", "IF (bit 9) must be 1 when injecting an external interrupt");
	gs.rflags |= RFLAGS_IF;
	EXPECT_OK(gs);
}

TEST(vmx_check_activity_state)
{
	struct vmx_guest_state gs = long_mode();

	gs.activity = ACTIVITY_HLT;
	EXPECT_OK(gs);
	gs.activity = 4;
	EXPECT_ONE(gs, "GUEST_ACTIVITY_STATE", "must be 0 (active) or a state IA32_VMX_MISC");
	gs.activity = ACTIVITY_WAIT_SIPI;
	gs.vmx_misc = VMX_MISC_ACTIVITY_HLT;
	EXPECT_ONE(gs, "GUEST_ACTIVITY_STATE", "(0x40) supports, is 3");

	gs = long_mode();
	gs.seg[VMX_SEG_CS] = (struct vmx_segment){ 0x2b, 0, 0xffffffff, AR_LONG_CODE | 3 << 5 };
	gs.seg[VMX_SEG_SS] = (struct vmx_segment){ 0x23, 0, 0xffffffff, AR_FLAT_DATA | 3 << 5 };
	gs.activity = ACTIVITY_HLT;
	EXPECT_ONE(gs, "GUEST_ACTIVITY_STATE", "HLT requires SS DPL 0, SS DPL is 3");

	gs = long_mode();
	gs.rflags |= RFLAGS_IF;
	gs.interruptibility = INTERRUPTIBILITY_STI;
	gs.activity = ACTIVITY_HLT;
	EXPECT_ONE(gs, "GUEST_ACTIVITY_STATE", "must be active (0) with blocking by STI or MOV SS");
}

TEST(vmx_check_activity_and_injection)
{
	struct vmx_guest_state gs = long_mode();

	gs.rflags |= RFLAGS_IF;
	gs.activity = ACTIVITY_HLT;
	gs.entry_intr_info = INJECT(INTR_TYPE_EXTERNAL, 0x20);
	EXPECT_OK(gs);
	gs.entry_intr_info = INJECT(INTR_TYPE_HW_EXCEPTION, 18);
	EXPECT_OK(gs);
	gs.entry_intr_info = INJECT(INTR_TYPE_OTHER_EVENT, 0);
	EXPECT_OK(gs);
	gs.entry_intr_info = INJECT(INTR_TYPE_HW_EXCEPTION, 13) | INTR_INFO_DELIVER_ERROR_CODE;
	EXPECT_ONE(gs, "GUEST_ACTIVITY_STATE",
		   "the HLT state does not accept the injected event (type 3, vector 13)");
	gs.activity = ACTIVITY_SHUTDOWN;
	gs.entry_intr_info = INJECT(INTR_TYPE_NMI, 2);
	EXPECT_OK(gs);
	gs.entry_intr_info = INJECT(INTR_TYPE_EXTERNAL, 0x20);
	EXPECT_ONE(gs, "GUEST_ACTIVITY_STATE", "the shutdown state does not accept");
	gs.activity = ACTIVITY_WAIT_SIPI;
	gs.entry_intr_info = INJECT(INTR_TYPE_NMI, 2);
	EXPECT_ONE(gs, "GUEST_ACTIVITY_STATE", "the wait-for-SIPI state does not accept");
}

TEST(vmx_check_interruptibility)
{
	struct vmx_guest_state gs = long_mode();

	gs.rflags |= RFLAGS_IF;
	gs.interruptibility = 1u << 5;
	EXPECT_ONE(gs, "GUEST_INTERRUPTIBILITY", "bits 31:5 must be 0, is 0x20");
	gs.interruptibility = INTERRUPTIBILITY_STI | INTERRUPTIBILITY_MOV_SS;
	EXPECT_ONE(gs, "GUEST_INTERRUPTIBILITY", "must not both be 1, is 0x3");
	gs.interruptibility = INTERRUPTIBILITY_SMI;
	EXPECT_ONE(gs, "GUEST_INTERRUPTIBILITY", "bit 2 (blocking by SMI) must be 0 outside SMM");
	gs.interruptibility = INTERRUPTIBILITY_ENCLAVE | INTERRUPTIBILITY_MOV_SS;
	EXPECT_ONE(gs, "GUEST_INTERRUPTIBILITY", "with bit 4 (enclave interruption)");

	gs.interruptibility = INTERRUPTIBILITY_STI;
	EXPECT_OK(gs);
	gs.rflags &= ~RFLAGS_IF;
	EXPECT_ONE(gs, "GUEST_INTERRUPTIBILITY", "blocking by STI (bit 0) requires RFLAGS.IF 1");
}

TEST(vmx_check_interruptibility_and_injection)
{
	struct vmx_guest_state gs = long_mode();

	gs.rflags |= RFLAGS_IF;
	gs.interruptibility = INTERRUPTIBILITY_MOV_SS;
	gs.entry_intr_info = INJECT(INTR_TYPE_EXTERNAL, 0x20);
	EXPECT_ONE(gs, "GUEST_INTERRUPTIBILITY",
		   "must be 0 when injecting an external interrupt, is 0x2");
	gs.entry_intr_info = INJECT(INTR_TYPE_NMI, 2);
	EXPECT_ONE(gs, "GUEST_INTERRUPTIBILITY",
		   "bit 1 (blocking by MOV SS) must be 0 when injecting an NMI");
	gs.interruptibility = INTERRUPTIBILITY_NMI;
	EXPECT_OK(gs);
	gs.pin_ctls = PIN_NMI_EXITING | PIN_VIRTUAL_NMIS;
	EXPECT_ONE(gs, "GUEST_INTERRUPTIBILITY", "bit 3 (blocking by NMI) must be 0");
}

TEST(vmx_check_pending_debug_exceptions)
{
	struct vmx_guest_state gs = long_mode();

	gs.pending_dbg = BIT(4);
	EXPECT_ONE(gs, "GUEST_PENDING_DBG_EXCEPTIONS", "bits 11:4, 13, 15 and 63:17 must be 0");
	gs.pending_dbg = BIT(15);
	EXPECT_ONE(gs, "GUEST_PENDING_DBG_EXCEPTIONS", "is 0x8000");

	/* Single-stepping over STI: BS must say so */
	gs = long_mode();
	gs.rflags |= RFLAGS_IF | RFLAGS_TF;
	gs.interruptibility = INTERRUPTIBILITY_STI;
	EXPECT_ONE(gs, "GUEST_PENDING_DBG_EXCEPTIONS", "BS (bit 14) must be 1");
	gs.pending_dbg = PENDING_DBG_BS;
	EXPECT_OK(gs);
	gs.debugctl = DEBUGCTL_BTF;
	EXPECT_ONE(gs, "GUEST_PENDING_DBG_EXCEPTIONS",
		   "BS (bit 14) must be 0 when blocking by STI/MOV SS or in HLT with RFLAGS.TF 1 "
		   "and DEBUGCTL.BTF 1");
	gs = long_mode();
	gs.activity = ACTIVITY_HLT;
	gs.pending_dbg = PENDING_DBG_BS;
	EXPECT_ONE(gs, "GUEST_PENDING_DBG_EXCEPTIONS", "BS (bit 14) must be 0");
	gs.activity = ACTIVITY_ACTIVE; /* no blocking, no HLT: BS is free */
	EXPECT_OK(gs);
}

TEST(vmx_check_pending_debug_rtm)
{
	struct vmx_guest_state gs = long_mode();

	gs.pending_dbg = PENDING_DBG_RTM | PENDING_DBG_ENABLED_BP;
	EXPECT_OK(gs);
	gs.pending_dbg = PENDING_DBG_RTM | PENDING_DBG_ENABLED_BP | BIT(0);
	EXPECT_ONE(gs, "GUEST_PENDING_DBG_EXCEPTIONS", "with RTM (bit 16) set, bit 12 must be 1");
	gs.pending_dbg = PENDING_DBG_RTM;
	EXPECT_ONE(gs, "GUEST_PENDING_DBG_EXCEPTIONS", "with RTM (bit 16) set");
	gs.pending_dbg = PENDING_DBG_RTM | PENDING_DBG_ENABLED_BP;
	gs.interruptibility = INTERRUPTIBILITY_MOV_SS;
	EXPECT_ONE(gs, "GUEST_PENDING_DBG_EXCEPTIONS", "RTM (bit 16) must be 0 with blocking by MOV SS");
}

TEST(vmx_check_link_pointer)
{
	struct vmx_guest_state gs = long_mode();

	gs.link_pointer = 0;
	EXPECT_ONE(gs, "GUEST_VMCS_LINK_POINTER", "must be 0xffffffffffffffff");
}

TEST(vmx_check_pdptes)
{
	struct vmx_guest_state gs = prot32();

	gs.cr4 |= CR4_PAE;
	gs.pdpte[0] = 0x10001;
	gs.pdpte[2] = 0xff6; /* not present: not checked */
	EXPECT_OK(gs);
	gs.pdpte[1] = 0x20001 | BIT(1);
	EXPECT_ONE(gs, "GUEST_PDPTE1", "reserved bits 0x2 set");
	gs.pdpte[1] = 0x20001 | BIT(63);
	EXPECT_ONE(gs, "GUEST_PDPTE1", "reserved bits 0x8000000000000000 set (2:1, 8:5, 63:39)");
	gs.pdpte[1] = 0x20001 | 1UL << 39;
	EXPECT_ONE(gs, "GUEST_PDPTE1", "is 0x8000020001");
	/* Without EPT they come from memory through CR3: not ours to check */
	gs.proc2_ctls &= ~PROC2_ENABLE_EPT;
	EXPECT_OK(gs);
}
