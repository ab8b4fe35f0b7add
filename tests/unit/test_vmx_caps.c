#include "vmm/vmx_caps.h"
#include "vmm/vmx_defs.h"
#include "test.h"

/* allowed-0 in the low half, allowed-1 in the high half */
static uint64_t ctl(uint32_t must_be_one, uint32_t may_be_one)
{
	return ((uint64_t)may_be_one << 32) | must_be_one;
}

static struct vmx_msrs full_featured(void)
{
	struct vmx_msrs m = { 0 };

	m.basic = VMX_BASIC_TRUE_CONTROLS | ((uint64_t)VMX_MEMTYPE_WB << VMX_BASIC_MEMTYPE_SHIFT) |
		  ((uint64_t)4096 << VMX_BASIC_VMCS_SIZE_SHIFT) | 0x12;
	m.pinbased = ctl(0x16, 0x16 | PIN_PREEMPTION_TIMER);
	m.procbased = ctl(0x0401e172, 0xfff9fffe);
	m.procbased2 = ctl(0, PROC2_ENABLE_EPT | PROC2_ENABLE_VPID | PROC2_UNRESTRICTED_GUEST);
	m.misc = 5;
	m.ept_vpid = EPT_CAP_WALK_4 | EPT_CAP_MEMTYPE_WB | EPT_CAP_2M_PAGES | EPT_CAP_1G_PAGES |
		     EPT_CAP_INVEPT | EPT_CAP_AD_BITS | VPID_CAP_INVVPID;
	return m;
}

TEST(vmx_caps_full)
{
	struct vmx_msrs m = full_featured();
	struct vmx_caps c;

	vmx_caps_decode(&m, &c);
	CHECK_EQ(c.revision, 0x12);
	CHECK_EQ(c.vmcs_size, 4096);
	CHECK(c.vmcs_wb);
	CHECK(c.true_controls);
	CHECK(c.secondary && c.ept && c.vpid && c.unrestricted);
	CHECK(c.ept_walk4 && c.ept_wb && c.ept_2m && c.ept_1g && c.ept_ad && c.invept);
	CHECK(c.invvpid);
	CHECK(c.preemption_timer);
	CHECK_EQ(c.preemption_shift, 5);
}

TEST(vmx_caps_no_1g_no_ad)
{
	struct vmx_msrs m = full_featured();
	struct vmx_caps c;

	m.ept_vpid &= ~(EPT_CAP_1G_PAGES | EPT_CAP_AD_BITS);
	vmx_caps_decode(&m, &c);
	CHECK(c.ept && c.ept_2m);
	CHECK(!c.ept_1g);
	CHECK(!c.ept_ad);
}

TEST(vmx_caps_allowed0_is_not_allowed1)
{
	struct vmx_msrs m = full_featured();
	struct vmx_caps c;

	/* A bit in the must-be-one half only does not make it available. */
	m.procbased2 = ctl(PROC2_ENABLE_EPT, PROC2_ENABLE_VPID);
	vmx_caps_decode(&m, &c);
	CHECK(!c.ept);
	CHECK(c.vpid);
	CHECK(!c.unrestricted);
	CHECK(!c.ept_2m); /* EPT capability bits mean nothing without EPT */
}

TEST(vmx_caps_no_secondary_controls)
{
	struct vmx_msrs m = full_featured();
	struct vmx_caps c;

	m.procbased = ctl(0x0401e172, 0x7ff9fffe);
	m.pinbased = ctl(0x16, 0x3f);
	vmx_caps_decode(&m, &c);
	CHECK(!c.secondary && !c.ept && !c.vpid && !c.unrestricted);
	CHECK(!c.preemption_timer);
	CHECK_EQ(c.preemption_shift, 0);
}

TEST(vmx_caps_legacy_basic)
{
	struct vmx_msrs m = full_featured();
	struct vmx_caps c;

	m.basic = ((uint64_t)1024 << VMX_BASIC_VMCS_SIZE_SHIFT) | 7;
	vmx_caps_decode(&m, &c);
	CHECK(!c.true_controls);
	CHECK(!c.vmcs_wb);
	CHECK_EQ(c.vmcs_size, 1024);
	CHECK_EQ(c.revision, 7);
}

/* Capability MSRs as Bochs 2.7 reports them (hv loglevel=debug). */
TEST(vmx_caps_bochs_skylake_x)
{
	struct vmx_msrs m = {
		.basic = 0xd810000000002b, .pinbased = 0x7f00000016,
		.procbased = 0xf7f9fffe04006172, .procbased2 = 0x2177fff00000000,
		.exit = 0x7fffff00036dfb, .entry = 0xffff000011fb,
		.misc = 0x600401e0, .ept_vpid = 0xf0106334141,
	};
	struct vmx_caps c;

	vmx_caps_decode(&m, &c);
	CHECK_EQ(c.revision, 0x2b);
	CHECK(c.true_controls && c.vmcs_wb);
	CHECK(c.ept && c.vpid && c.unrestricted);
	CHECK(c.ept_walk4 && c.ept_wb && c.ept_2m && c.invept && c.invvpid);
	CHECK(c.invept_single && c.invvpid_single);
	CHECK(c.ept_1g);
	CHECK(c.ept_ad);
	CHECK(c.preemption_timer);
	CHECK_EQ(c.preemption_shift, 0);
}

TEST(vmx_caps_bochs_sandy_bridge)
{
	struct vmx_msrs m = {
		.basic = 0xd810000000002b, .pinbased = 0x7f00000016,
		.procbased = 0xf7f9fffe04006172, .procbased2 = 0xff00000000,
		.exit = 0x7fffff00036dfb, .entry = 0xffff000011fb,
		.misc = 0x401e0, .ept_vpid = 0xf0106114141,
	};
	struct vmx_caps c;

	vmx_caps_decode(&m, &c);
	CHECK(c.ept && c.vpid && c.unrestricted && c.ept_2m);
	CHECK(!c.ept_1g);
	CHECK(!c.ept_ad);
	CHECK(c.preemption_timer);
}

TEST(vmx_adjust_controls_by_capability)
{
	uint32_t missing;
	/* must be one: bits 1, 2; may be one: bits 0-7 */
	uint64_t cap = ctl(0x06, 0xff);

	CHECK_EQ(vmx_adjust_controls(cap, 0x01, 0, &missing), 0x07);
	CHECK_EQ(missing, 0);
	CHECK_EQ(vmx_adjust_controls(cap, 0x101, 0x200, &missing), 0x07);
	CHECK_EQ(missing, 0x100);
	CHECK_EQ(vmx_adjust_controls(cap, 0, 0x88, &missing), 0x8e);
	CHECK_EQ(missing, 0);
	/* Bochs Skylake-X: HLT exiting (bit 7) and secondary controls allowed */
	CHECK_EQ(vmx_adjust_controls(0xf7f9fffe04006172, PROC_HLT_EXITING | PROC_ACTIVATE_SECONDARY,
				     0, &missing),
		 0x840061f2u);
	CHECK_EQ(missing, 0);
}

TEST(vmx_feature_control_verdicts)
{
	uint64_t lock = 0;

	/* Bochs: locked, VMXON outside SMX allowed */
	CHECK_EQ(vmx_feature_control_verdict(0x5, &lock), FC_VMX_ALLOWED);
	/* firmware left it unlocked: we lock it with VMX on, keeping other bits */
	CHECK_EQ(vmx_feature_control_verdict(0x0, &lock), FC_LOCK_AND_ALLOW);
	CHECK_EQ(lock, 0x5);
	CHECK_EQ(vmx_feature_control_verdict(0x100002, &lock), FC_LOCK_AND_ALLOW);
	CHECK_EQ(lock, 0x100007);
	/* locked with VMX off (only inside SMX, or not at all): disabled */
	CHECK_EQ(vmx_feature_control_verdict(0x1, &lock), FC_VMX_DISABLED);
	CHECK_EQ(vmx_feature_control_verdict(0x3, &lock), FC_VMX_DISABLED);
}
