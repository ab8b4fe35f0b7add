/* The multiboot (v1) information, built and then read back the way a guest
 * would: following its guest-physical pointers. */
#include "vmm/guest_config.h"
#include "vmm/mb1_info.h"
#include "test.h"

#define BASE_GPA 0x9000ull /* where the buffer would land in guest RAM */
#define BUF_SIZE 1024

static unsigned char buf[BUF_SIZE];

/* A guest pointer back into buf. */
static const void *at(uint32_t gpa, size_t len)
{
	CHECK(gpa >= BASE_GPA && gpa - BASE_GPA + len <= BUF_SIZE);
	return buf + (gpa - BASE_GPA);
}

static struct mb1_info info_of(void)
{
	struct mb1_info info;

	memcpy(&info, buf, sizeof(info));
	return info;
}

static struct mb1_mmap_entry mmap_entry(const struct mb1_info *info, size_t i)
{
	struct mb1_mmap_entry e;

	memcpy(&e, at(info->mmap_addr + (uint32_t)(i * sizeof(e)), sizeof(e)), sizeof(e));
	return e;
}

static void check_mmap_entry(const struct mb1_info *info, size_t i, uint64_t base,
			     uint64_t length, uint32_t type)
{
	struct mb1_mmap_entry e = mmap_entry(info, i);

	CHECK_EQ(e.size, 20);
	CHECK_EQ(e.base_addr, base);
	CHECK_EQ(e.length, length);
	CHECK_EQ(e.type, type);
}

static void check_zero_beyond_filled(const struct mb1_info *info)
{
	CHECK_EQ(info->boot_device, 0);
	for (size_t i = 0; i < ARRAY_SIZE(info->syms); i++)
		CHECK_EQ(info->syms[i], 0);
	CHECK_EQ(info->drives_length, 0);
	CHECK_EQ(info->drives_addr, 0);
	CHECK_EQ(info->config_table, 0);
	CHECK_EQ(info->boot_loader_name, 0);
	CHECK_EQ(info->apm_table, 0);
	CHECK_EQ(info->vbe_control_info, 0);
	CHECK_EQ(info->vbe_mode, 0);
	CHECK_EQ(info->framebuffer_addr, 0);
	CHECK_EQ(info->framebuffer_type, 0);
}

TEST(mb1_info_16m_guest_with_modules)
{
	const uint64_t ram = 16 * MiB;
	const struct mb1_module mods[] = {
		{ 0x200000, 0x201234, "initrd rootfs" },
		{ 0x300000, 0x300000, NULL },
	};
	struct mb1_info info;
	struct mb1_module_entry m;
	size_t used;

	memset(buf, 0xA5, sizeof(buf));
	used = mb1_build_info(buf, sizeof(buf), BASE_GPA, ram, "console=ttyS0 quiet", mods, 2);
	CHECK(used > sizeof(info));
	info = info_of();

	CHECK_EQ(info.flags, MB1_INFO_MEMORY | MB1_INFO_CMDLINE | MB1_INFO_MODS | MB1_INFO_MEM_MAP);
	CHECK_EQ(info.mem_lower, 639);
	CHECK_EQ(info.mem_upper, (ram - GUEST_STATE_AREA_SIZE - 1 * MiB) / KiB);
	check_zero_beyond_filled(&info);

	CHECK_EQ(info.mmap_length, 4 * sizeof(struct mb1_mmap_entry));
	CHECK_EQ(info.mmap_addr % 4, 0);
	check_mmap_entry(&info, 0, 0, 0x9FC00, MB1_MMAP_AVAILABLE);
	check_mmap_entry(&info, 1, 0x9FC00, 0x100000 - 0x9FC00, MB1_MMAP_RESERVED);
	check_mmap_entry(&info, 2, 0x100000, ram - GUEST_STATE_AREA_SIZE - 0x100000,
			 MB1_MMAP_AVAILABLE);
	check_mmap_entry(&info, 3, ram - GUEST_STATE_AREA_SIZE, GUEST_STATE_AREA_SIZE,
			 MB1_MMAP_RESERVED);

	CHECK_STR(at(info.cmdline, 20), "console=ttyS0 quiet");

	CHECK_EQ(info.mods_count, 2);
	CHECK_EQ(info.mods_addr % 4, 0);
	memcpy(&m, at(info.mods_addr, sizeof(m)), sizeof(m));
	CHECK_EQ(m.mod_start, 0x200000);
	CHECK_EQ(m.mod_end, 0x201234);
	CHECK_EQ(m.reserved, 0);
	CHECK_STR(at(m.string, 14), "initrd rootfs");
	memcpy(&m, at(info.mods_addr + (uint32_t)sizeof(m), sizeof(m)), sizeof(m));
	CHECK_EQ(m.mod_start, 0x300000);
	CHECK_EQ(m.mod_end, 0x300000);
	CHECK_STR(at(m.string, 1), "");

	/* Everything lies within the bytes reported used, and they are all needed. */
	CHECK_EQ(used, sizeof(info) + 4 * sizeof(struct mb1_mmap_entry) +
			       2 * sizeof(struct mb1_module_entry) + 20 + 14 + 1);
	CHECK_EQ(mb1_build_info(buf, used, BASE_GPA, ram, "console=ttyS0 quiet", mods, 2), used);
	CHECK_EQ(mb1_build_info(buf, used - 1, BASE_GPA, ram, "console=ttyS0 quiet", mods, 2), 0);
}

TEST(mb1_info_without_cmdline_or_modules)
{
	struct mb1_info info;
	size_t used = mb1_build_info(buf, sizeof(buf), BASE_GPA, 2 * MiB, NULL, NULL, 0);

	CHECK_EQ(used, sizeof(info) + 4 * sizeof(struct mb1_mmap_entry));
	info = info_of();
	CHECK_EQ(info.flags, MB1_INFO_MEMORY | MB1_INFO_MODS | MB1_INFO_MEM_MAP);
	CHECK_EQ(info.cmdline, 0);
	CHECK_EQ(info.mods_count, 0);
	CHECK_EQ(info.mem_upper, (1 * MiB - GUEST_STATE_AREA_SIZE) / KiB);

	used = mb1_build_info(buf, sizeof(buf), BASE_GPA, 2 * MiB, "", NULL, 0);
	info = info_of();
	CHECK(info.flags & MB1_INFO_CMDLINE);
	CHECK_STR(at(info.cmdline, 1), "");
}

TEST(mb1_info_smallest_guests)
{
	struct mb1_info info;

	/* 1 MiB: the entry state takes the top of the legacy hole; no high RAM. */
	CHECK(mb1_build_info(buf, sizeof(buf), BASE_GPA, 1 * MiB, NULL, NULL, 0));
	info = info_of();
	CHECK_EQ(info.mem_lower, 639);
	CHECK_EQ(info.mem_upper, 0);
	CHECK_EQ(info.mmap_length, 3 * sizeof(struct mb1_mmap_entry));
	check_mmap_entry(&info, 0, 0, 0x9FC00, MB1_MMAP_AVAILABLE);
	check_mmap_entry(&info, 1, 0x9FC00, 0xF0000 - 0x9FC00, MB1_MMAP_RESERVED);
	check_mmap_entry(&info, 2, 0xF0000, GUEST_STATE_AREA_SIZE, MB1_MMAP_RESERVED);

	/* 1 MiB + 64 KiB: high RAM is empty and left out. */
	CHECK(mb1_build_info(buf, sizeof(buf), BASE_GPA, 1 * MiB + GUEST_STATE_AREA_SIZE, NULL,
			     NULL, 0));
	info = info_of();
	CHECK_EQ(info.mem_upper, 0);
	CHECK_EQ(info.mmap_length, 3 * sizeof(struct mb1_mmap_entry));
	check_mmap_entry(&info, 1, 0x9FC00, 0x100000 - 0x9FC00, MB1_MMAP_RESERVED);
	check_mmap_entry(&info, 2, 0x100000, GUEST_STATE_AREA_SIZE, MB1_MMAP_RESERVED);

	CHECK_EQ(mb1_build_info(buf, sizeof(buf), BASE_GPA, 1 * MiB - 4 * KiB, NULL, NULL, 0), 0);
}

TEST(mb1_info_large_guest)
{
	struct mb1_info info;
	const uint64_t ram = 64 * GiB;

	CHECK(mb1_build_info(buf, sizeof(buf), BASE_GPA, ram, NULL, NULL, 0));
	info = info_of();
	CHECK_EQ(info.mem_upper, (ram - GUEST_STATE_AREA_SIZE - 1 * MiB) / KiB);
	check_mmap_entry(&info, 2, 0x100000, ram - GUEST_STATE_AREA_SIZE - 0x100000,
			 MB1_MMAP_AVAILABLE);
	check_mmap_entry(&info, 3, ram - GUEST_STATE_AREA_SIZE, GUEST_STATE_AREA_SIZE,
			 MB1_MMAP_RESERVED);
}

TEST(mb1_info_refuses_addresses_above_4g)
{
	const struct mb1_module high = { 0xFFFFF000ull, 0x100000000ull, "x" };
	const struct mb1_module backwards = { 0x2000, 0x1000, "x" };
	const struct mb1_module top = { 0xFFFFF000ull, 0xFFFFFFFFull, "x" };

	CHECK_EQ(mb1_build_info(buf, sizeof(buf), BASE_GPA, 8 * GiB, NULL, &high, 1), 0);
	CHECK_EQ(mb1_build_info(buf, sizeof(buf), BASE_GPA, 8 * GiB, NULL, &backwards, 1), 0);
	CHECK(mb1_build_info(buf, sizeof(buf), BASE_GPA, 8 * GiB, NULL, &top, 1));
	CHECK_EQ(mb1_build_info(buf, sizeof(buf), 4 * GiB, 8 * GiB, NULL, NULL, 0), 0);
	/* The info must end at or below 4 GiB: 212 bytes fit below it exactly. */
	CHECK_EQ(mb1_build_info(buf, sizeof(buf), 4 * GiB - 212, 8 * GiB, NULL, NULL, 0), 212);
	CHECK_EQ(mb1_build_info(buf, sizeof(buf), 4 * GiB - 211, 8 * GiB, NULL, NULL, 0), 0);
}

TEST(mb1_info_buffer_too_small)
{
	CHECK_EQ(mb1_build_info(buf, 0, BASE_GPA, 16 * MiB, NULL, NULL, 0), 0);
	CHECK_EQ(mb1_build_info(buf, sizeof(struct mb1_info), BASE_GPA, 16 * MiB, NULL, NULL, 0),
		 0);
	CHECK_EQ(mb1_build_info(buf, sizeof(buf), BASE_GPA, 16 * MiB, NULL,
				(const struct mb1_module *)buf, SIZE_MAX / 8),
		 0);
}
