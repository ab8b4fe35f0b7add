#include <stdlib.h>

#include "boot/multiboot2.h"
#include "test.h"

/* Builds a multiboot2 information structure in an 8-byte aligned buffer. */
struct builder {
	uint8_t *buf;
	size_t len;
};

static void b_init(struct builder *b)
{
	b->buf = aligned_alloc(8, 4096);
	memset(b->buf, 0xcc, 4096);
	b->len = sizeof(struct mb2_info_header);
}

static void *b_tag(struct builder *b, uint32_t type, uint32_t payload)
{
	struct mb2_tag *t = (void *)(b->buf + b->len);

	t->type = type;
	t->size = (uint32_t)sizeof(*t) + payload;
	b->len += (t->size + 7) & ~7u;
	return t + 1;
}

static void b_string(struct builder *b, uint32_t type, const char *s)
{
	memcpy(b_tag(b, type, (uint32_t)strlen(s) + 1), s, strlen(s) + 1);
}

static void b_module(struct builder *b, uint32_t start, uint32_t end, const char *cmd)
{
	uint32_t *p = b_tag(b, MB2_TAG_MODULE, 8 + (uint32_t)strlen(cmd) + 1);

	p[0] = start;
	p[1] = end;
	memcpy(p + 2, cmd, strlen(cmd) + 1);
}

static void b_mmap(struct builder *b, const struct mb2_mmap_entry *e, int n)
{
	uint32_t *p = b_tag(b, MB2_TAG_MMAP, 8 + n * (uint32_t)sizeof(*e));

	p[0] = sizeof(*e);
	p[1] = 0;
	memcpy(p + 2, e, n * sizeof(*e));
}

static size_t b_finish(struct builder *b)
{
	struct mb2_info_header *h = (void *)b->buf;

	b_tag(b, MB2_TAG_END, 0);
	h->total_size = (uint32_t)b->len;
	h->reserved = 0;
	return b->len;
}

static enum mb2_error parse(struct builder *b, size_t avail, struct boot_info *bi)
{
	return mb2_parse(MB2_BOOTLOADER_MAGIC, b->buf, (uintptr_t)b->buf, avail, bi);
}

TEST(mb2_full_information)
{
	static struct boot_info bi;
	struct builder b;
	struct mb2_mmap_entry mm[3] = {
		{ 0, 0x9fc00, MEM_USABLE, 0 },
		{ 0x100000, 0x7ee0000, MEM_USABLE, 0 },
		{ 0xfffc0000, 0x40000, MEM_RESERVED, 0 },
	};
	struct acpi_rsdp rsdp = { .signature = "RSD PTR ", .revision = 2 };
	uint64_t efi = 0x7fe1e018;

	b_init(&b);
	b_string(&b, MB2_TAG_CMDLINE, "loglevel=debug");
	b_string(&b, MB2_TAG_LOADER_NAME, "GRUB 2.06");
	b_tag(&b, 99, 13); /* unknown: skipped */
	b_module(&b, 0x300000, 0x301000, "name=a mem=1M");
	b_module(&b, 0x400000, 0x400100, "");
	b_mmap(&b, mm, 3);
	memcpy(b_tag(&b, MB2_TAG_ACPI_NEW, sizeof(rsdp)), &rsdp, sizeof(rsdp));
	memcpy(b_tag(&b, MB2_TAG_EFI64, sizeof(efi)), &efi, sizeof(efi));
	size_t len = b_finish(&b);

	CHECK_EQ(parse(&b, len, &bi), MB2_OK);
	CHECK_STR(bi.cmdline, "loglevel=debug");
	CHECK_STR(bi.loader_name, "GRUB 2.06");
	CHECK_EQ(bi.module_count, 2);
	CHECK_EQ(bi.modules[0].start, 0x300000);
	CHECK_EQ(bi.modules[0].end, 0x301000);
	CHECK_STR(bi.modules[0].cmdline, "name=a mem=1M");
	CHECK_STR(bi.modules[1].cmdline, "");
	CHECK_EQ(bi.mmap_count, 3);
	CHECK_EQ(bi.mmap[1].base, 0x100000);
	CHECK_EQ(bi.mmap[2].type, MEM_RESERVED);
	CHECK_EQ(bi.rsdp_revision, 2);
	CHECK(bi.rsdp_phys > (uintptr_t)b.buf && bi.rsdp_phys < (uintptr_t)b.buf + len);
	CHECK(memcmp((void *)(uintptr_t)bi.rsdp_phys, "RSD PTR ", 8) == 0);
	CHECK_EQ(bi.efi64_system_table, efi);
	CHECK_EQ(bi.skipped_tags, 1);
	CHECK_EQ(bi.info_size, len);
	CHECK(!bi.truncated);
	free(b.buf);
}

TEST(mb2_rejects_bad_headers)
{
	static struct boot_info bi;
	struct builder b;
	size_t len;

	b_init(&b);
	len = b_finish(&b);
	CHECK_EQ(mb2_parse(0x2badb002, b.buf, (uintptr_t)b.buf, len, &bi), MB2_ERR_MAGIC);
	CHECK_EQ(mb2_parse(MB2_BOOTLOADER_MAGIC, b.buf, (uintptr_t)b.buf + 4, len, &bi),
		 MB2_ERR_ALIGN);
	CHECK_EQ(parse(&b, len - 1, &bi), MB2_ERR_TOTAL_SIZE); /* exceeds what may be read */
	((struct mb2_info_header *)b.buf)->total_size = 8;
	CHECK_EQ(parse(&b, len, &bi), MB2_ERR_TOTAL_SIZE);
	free(b.buf);
}

TEST(mb2_rejects_bad_tags)
{
	static struct boot_info bi;
	struct builder b;
	struct mb2_tag *t;
	size_t len;

	/* a tag that claims to run past total_size */
	b_init(&b);
	b_string(&b, MB2_TAG_CMDLINE, "x");
	len = b_finish(&b);
	t = (void *)(b.buf + 8);
	t->size = 4000;
	CHECK_EQ(parse(&b, len, &bi), MB2_ERR_TAG_SIZE);
	t->size = 4; /* smaller than a tag header */
	CHECK_EQ(parse(&b, len, &bi), MB2_ERR_TAG_SIZE);
	free(b.buf);

	/* no end tag before total_size runs out */
	b_init(&b);
	b_string(&b, MB2_TAG_CMDLINE, "abc");
	((struct mb2_info_header *)b.buf)->total_size = (uint32_t)b.len;
	CHECK_EQ(parse(&b, b.len, &bi), MB2_ERR_NO_END_TAG);
	free(b.buf);

	/* mmap with an entry size smaller than an entry */
	b_init(&b);
	{
		uint32_t *p = b_tag(&b, MB2_TAG_MMAP, 8);

		p[0] = 16;
		p[1] = 0;
	}
	len = b_finish(&b);
	CHECK_EQ(parse(&b, len, &bi), MB2_ERR_MMAP_ENTRY);
	free(b.buf);
}

TEST(mb2_unterminated_strings_and_limits)
{
	static struct boot_info bi;
	struct builder b;
	size_t len;
	char *s;

	b_init(&b);
	/* a command line without its NUL: must stop at the tag's end */
	s = b_tag(&b, MB2_TAG_CMDLINE, 5);
	memcpy(s, "abcde", 5);
	for (int i = 0; i < BOOT_MAX_MODULES + 2; i++)
		b_module(&b, 0x1000u * (i + 1), 0x1000u * (i + 1) + 1, "m");
	b_module(&b, 0x9000, 0x8000, "backwards"); /* dropped: over the limit */
	len = b_finish(&b);
	CHECK_EQ(parse(&b, len, &bi), MB2_OK);
	CHECK_STR(bi.cmdline, "abcde");
	CHECK_EQ(bi.module_count, BOOT_MAX_MODULES);
	CHECK(bi.truncated);
	free(b.buf);

	b_init(&b);
	b_module(&b, 0x9000, 0x8000, "backwards");
	len = b_finish(&b);
	CHECK_EQ(parse(&b, len, &bi), MB2_OK);
	CHECK_EQ(bi.modules[0].end, bi.modules[0].start); /* never a negative size */
	free(b.buf);
}

TEST(mb2_old_rsdp_does_not_replace_new)
{
	static struct boot_info bi;
	struct builder b;
	struct acpi_rsdp v2 = { .signature = "RSD PTR ", .revision = 2 };
	struct acpi_rsdp v1 = { .signature = "RSD PTR ", .revision = 0 };
	struct acpi_rsdp bad = { .signature = "NOT RSDP" };
	size_t len;

	b_init(&b);
	memcpy(b_tag(&b, MB2_TAG_ACPI_NEW, sizeof(v2)), &v2, sizeof(v2));
	memcpy(b_tag(&b, MB2_TAG_ACPI_OLD, ACPI_RSDP_V1_SIZE), &v1, ACPI_RSDP_V1_SIZE);
	len = b_finish(&b);
	CHECK_EQ(parse(&b, len, &bi), MB2_OK);
	CHECK_EQ(bi.rsdp_revision, 2);
	free(b.buf);

	b_init(&b);
	memcpy(b_tag(&b, MB2_TAG_ACPI_OLD, ACPI_RSDP_V1_SIZE), &bad, ACPI_RSDP_V1_SIZE);
	len = b_finish(&b);
	CHECK_EQ(parse(&b, len, &bi), MB2_OK);
	CHECK_EQ(bi.rsdp_phys, 0);
	free(b.buf);
}
