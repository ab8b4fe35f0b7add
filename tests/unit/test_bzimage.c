#include <stdlib.h>

#include "test.h"
#include "vmm/bzimage.h"

#define IMG_SIZE (64 * 1024)
#define MiB_ (1024ULL * 1024)

static void put16(uint8_t *p, size_t off, uint16_t v) { memcpy(p + off, &v, 2); }
static void put32(uint8_t *p, size_t off, uint32_t v) { memcpy(p + off, &v, 4); }
static void put64(uint8_t *p, size_t off, uint64_t v) { memcpy(p + off, &v, 8); }

/* A setup header as Debian's 6.1 kernel has it (protocol 2.15). */
static uint8_t *make_image(void)
{
	uint8_t *p = calloc(1, IMG_SIZE);

	p[0x1f1] = 27;           /* setup_sects */
	put16(p, 0x1fe, 0xaa55);
	p[0x200] = 0xeb;
	p[0x201] = 0x6a;         /* header up to 0x26c */
	memcpy(p + 0x202, "HdrS", 4);
	put16(p, 0x206, 0x020f);
	p[0x211] = 0x01;         /* LOADED_HIGH */
	put32(p, 0x22c, 0x7fffffff);
	put32(p, 0x230, 0x200000);
	p[0x234] = 1;
	put16(p, 0x236, 0x7f);
	put32(p, 0x238, 2047);
	put64(p, 0x258, 0x1000000);
	put32(p, 0x260, 64 * MiB_);
	return p;
}

TEST(bzimage_parse_debian_like_header)
{
	uint8_t *p = make_image();
	struct bzimage_info bi;
	char err[128];

	CHECK(bzimage_parse(p, IMG_SIZE, &bi, err, sizeof(err)));
	CHECK_EQ(bi.version, 0x020f);
	CHECK_EQ(bi.kernel_offset, 28 * 512);
	CHECK_EQ(bi.kernel_size, IMG_SIZE - 28 * 512);
	CHECK_EQ(bi.pref_address, 0x1000000);
	CHECK_EQ(bi.init_size, 64 * MiB_);
	CHECK_EQ(bi.header_end, 0x26c);
	CHECK(bi.relocatable);
	free(p);
}

TEST(bzimage_parse_refusals)
{
	uint8_t *p = make_image();
	struct bzimage_info bi;
	char err[128];

	put16(p, 0x206, 0x0206);
	CHECK(!bzimage_parse(p, IMG_SIZE, &bi, err, sizeof(err)));
	CHECK_STR(err, "boot protocol 2.06 is too old: hv needs 2.12");
	put16(p, 0x206, 0x020f);
	put16(p, 0x236, 0);
	CHECK(!bzimage_parse(p, IMG_SIZE, &bi, err, sizeof(err)));
	CHECK_STR(err, "not a 64-bit bzImage (XLF_KERNEL_64 clear)");
	put16(p, 0x236, 1);
	memcpy(p + 0x202, "HdrX", 4);
	CHECK(!bzimage_parse(p, IMG_SIZE, &bi, err, sizeof(err)));
	memcpy(p + 0x202, "HdrS", 4);
	p[0x1f1] = 200; /* setup beyond the file */
	CHECK(!bzimage_parse(p, IMG_SIZE, &bi, err, sizeof(err)));
	CHECK(!bzimage_parse(p, 100, &bi, err, sizeof(err)));
	free(p);
}

TEST(bzimage_plan_and_zero_page)
{
	uint8_t *p = make_image();
	static uint8_t zp[BZ_ZERO_PAGE_SIZE];
	struct bzimage_info bi;
	struct bzimage_layout l;
	char err[128];
	uint64_t limit = 256 * MiB_ - 0x10000, e[3];
	uint32_t u;

	CHECK(bzimage_parse(p, IMG_SIZE, &bi, err, sizeof(err)));
	CHECK(bzimage_plan(&bi, limit, 3 * MiB_ + 5, 20, &l, err, sizeof(err)));
	CHECK_EQ(l.kernel, 0x1000000);
	CHECK_EQ(l.initrd % 4096, 0);
	CHECK(l.initrd + 3 * MiB_ + 5 <= limit);
	CHECK(l.initrd >= l.kernel + 64 * MiB_);
	bzimage_build_params(zp, p, &bi, &l, 3 * MiB_ + 5, limit, 256 * MiB_);
	CHECK(memcmp(zp + 0x202, "HdrS", 4) == 0);
	CHECK_EQ(zp[0x210], 0xff);
	memcpy(&u, zp + 0x228, 4);
	CHECK_EQ(u, l.cmdline);
	memcpy(&u, zp + 0x218, 4);
	CHECK_EQ(u, l.initrd);
	memcpy(&u, zp + 0x21c, 4);
	CHECK_EQ(u, 3 * MiB_ + 5);
	CHECK_EQ(zp[0x1e8], 4);
	memcpy(e, zp + 0x2d0 + 2 * 20, 16);
	CHECK_EQ(e[0], 0x100000);
	CHECK_EQ(e[1], limit - 0x100000);
	memcpy(&u, zp + 0x2d0 + 2 * 20 + 16, 4);
	CHECK_EQ(u, 1);
	memcpy(e, zp + 0x2d0 + 3 * 20, 16);
	CHECK_EQ(e[0], limit);
	CHECK_EQ(e[1], 0x10000);
	free(p);
}

TEST(bzimage_plan_refuses_small_ram)
{
	uint8_t *p = make_image();
	struct bzimage_info bi;
	struct bzimage_layout l;
	char err[128];

	CHECK(bzimage_parse(p, IMG_SIZE, &bi, err, sizeof(err)));
	CHECK(!bzimage_plan(&bi, 64 * MiB_, 0, 10, &l, err, sizeof(err)));
	CHECK_STR(err, "the kernel needs 64 MiB from 16 MiB to unpack: more than mem= has");
	CHECK(!bzimage_plan(&bi, 81 * MiB_, 2 * MiB_, 10, &l, err, sizeof(err)));
	CHECK(!bzimage_plan(&bi, 256 * MiB_, 0, 5000, &l, err, sizeof(err)));
	free(p);
}
