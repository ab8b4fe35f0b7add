/* Image identification and ELF loading plans, on tiny images built here. */
#include "vmm/guest_config.h"
#include "vmm/image.h"
#include "vmm/mb1_info.h"
#include "test.h"

#define IMG_SIZE 0x3000
#define PHDR_OFF 0x40 /* right after the larger (ELF64) header */
#define MAX_SEGS 8

struct seg {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz;
};

/* 1 byte of slack in front lets tests hand out a misaligned image. */
static unsigned char img[IMG_SIZE + 1];

static void ident(unsigned char cls)
{
	memset(img, 0, sizeof(img));
	memcpy(img, ELF_MAGIC, ELF_MAGIC_LEN);
	img[EI_CLASS] = cls;
	img[EI_DATA] = ELFDATA2LSB;
	img[EI_DATA + 1] = 1; /* EI_VERSION */
}

static void build_elf64(uint64_t entry, const struct seg *s, size_t n)
{
	Elf64_Ehdr eh = { 0 };

	ident(ELFCLASS64);
	memcpy(eh.e_ident, img, EI_NIDENT);
	eh.e_type = ET_EXEC;
	eh.e_machine = EM_X86_64;
	eh.e_version = 1;
	eh.e_entry = entry;
	eh.e_phoff = PHDR_OFF;
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(Elf64_Phdr);
	eh.e_phnum = (uint16_t)n;
	memcpy(img, &eh, sizeof(eh));
	for (size_t i = 0; i < n; i++) {
		Elf64_Phdr ph = { s[i].type, s[i].flags, s[i].offset, s[i].vaddr, s[i].paddr,
				  s[i].filesz, s[i].memsz, 0x1000 };

		memcpy(img + PHDR_OFF + i * sizeof(ph), &ph, sizeof(ph));
	}
}

static void build_elf32(uint32_t entry, const struct seg *s, size_t n)
{
	Elf32_Ehdr eh = { 0 };

	ident(ELFCLASS32);
	memcpy(eh.e_ident, img, EI_NIDENT);
	eh.e_type = ET_EXEC;
	eh.e_machine = EM_386;
	eh.e_version = 1;
	eh.e_entry = entry;
	eh.e_phoff = PHDR_OFF;
	eh.e_ehsize = sizeof(eh);
	eh.e_phentsize = sizeof(Elf32_Phdr);
	eh.e_phnum = (uint16_t)n;
	memcpy(img, &eh, sizeof(eh));
	for (size_t i = 0; i < n; i++) {
		Elf32_Phdr ph = { s[i].type, (uint32_t)s[i].offset, (uint32_t)s[i].vaddr,
				  (uint32_t)s[i].paddr, (uint32_t)s[i].filesz, (uint32_t)s[i].memsz,
				  s[i].flags, 0x1000 };

		memcpy(img + PHDR_OFF + i * sizeof(ph), &ph, sizeof(ph));
	}
}

/* Patch a field of the ELF header in place. */
static void set16(size_t off, uint16_t v)
{
	memcpy(img + off, &v, sizeof(v));
}

static void put_mb1_header(size_t off, uint32_t flags, uint32_t checksum_delta)
{
	struct mb1_header h = { MB1_HEADER_MAGIC, flags,
				(uint32_t)(0u - MB1_HEADER_MAGIC - flags + checksum_delta) };

	memcpy(img + off, &h, sizeof(h));
}

/* A typical kernel: text linked high with a low load address, data + bss. */
static const struct seg kernel64[] = {
	{ PT_LOAD, PF_R | PF_X, 0x1000, 0xffffffff80100000ull, 0x100000, 0x1000, 0x1000 },
	{ 6 /* PT_PHDR */, PF_R, PHDR_OFF, 0, 0, 0x100, 0x100 },
	{ PT_LOAD, PF_R | PF_W, 0x2000, 0xffffffff80101000ull, 0x101000, 0x800, 0x5000 },
	{ PT_LOAD, PF_R, 0x2800, 0x200000, 0x200000, 0, 0 }, /* empty: skipped */
};

struct plan {
	int rc;
	size_t count;
	uint64_t entry;
	struct image_segment segs[MAX_SEGS];
	char err[160];
};

static struct plan plan_of(const void *data, size_t size, uint64_t ram, size_t max)
{
	struct plan p;

	memset(&p, 0, sizeof(p));
	p.rc = image_elf_segments(data, size, ram, p.segs, max, &p.count, &p.entry, p.err,
				  sizeof(p.err));
	return p;
}

static struct plan plan(uint64_t ram)
{
	return plan_of(img, IMG_SIZE, ram, MAX_SEGS);
}

TEST(image_identify_elf)
{
	build_elf64(0, NULL, 0);
	CHECK_EQ(image_identify(img, IMG_SIZE), IMAGE_ELF64);
	build_elf32(0, NULL, 0);
	CHECK_EQ(image_identify(img, IMG_SIZE), IMAGE_ELF32);
	CHECK_EQ(image_identify(img, sizeof(Elf32_Ehdr)), IMAGE_ELF32);

	set16(offsetof(Elf32_Ehdr, e_machine), EM_X86_64); /* ELF32 for x86-64: x32 */
	CHECK_EQ(image_identify(img, IMG_SIZE), IMAGE_ELF_UNSUPPORTED);
	build_elf64(0, NULL, 0);
	set16(offsetof(Elf64_Ehdr, e_machine), 183); /* AArch64 */
	CHECK_EQ(image_identify(img, IMG_SIZE), IMAGE_ELF_UNSUPPORTED);
	build_elf64(0, NULL, 0);
	img[EI_DATA] = 2; /* big-endian */
	CHECK_EQ(image_identify(img, IMG_SIZE), IMAGE_ELF_UNSUPPORTED);
	build_elf64(0, NULL, 0);
	img[EI_CLASS] = 3;
	CHECK_EQ(image_identify(img, IMG_SIZE), IMAGE_ELF_UNSUPPORTED);
	build_elf64(0, NULL, 0);
	CHECK_EQ(image_identify(img, 20), IMAGE_ELF_UNSUPPORTED); /* truncated */
	CHECK_EQ(image_identify(img, 3), IMAGE_RAW); /* not even the magic */
}

TEST(image_identify_multiboot_elf32)
{
	uint32_t off, flags;

	build_elf32(0, NULL, 0);
	put_mb1_header(0x1000, MB1_HEADER_MEMORY_INFO, 0);
	CHECK_EQ(image_identify(img, IMG_SIZE), IMAGE_ELF32_MULTIBOOT);
	CHECK(image_mb1_header(img, IMG_SIZE, &off, &flags));
	CHECK_EQ(off, 0x1000);
	CHECK_EQ(flags, MB1_HEADER_MEMORY_INFO);

	build_elf32(0, NULL, 0);
	put_mb1_header(0x1000, 0, 1); /* bad checksum */
	CHECK_EQ(image_identify(img, IMG_SIZE), IMAGE_ELF32);

	build_elf32(0, NULL, 0);
	put_mb1_header(0x1002, 0, 0); /* misaligned */
	CHECK_EQ(image_identify(img, IMG_SIZE), IMAGE_ELF32);

	build_elf32(0, NULL, 0);
	put_mb1_header(MB1_HEADER_SEARCH - sizeof(struct mb1_header), 0, 0); /* last slot */
	CHECK_EQ(image_identify(img, IMG_SIZE), IMAGE_ELF32_MULTIBOOT);

	build_elf32(0, NULL, 0);
	put_mb1_header(MB1_HEADER_SEARCH - 4, 0, 0); /* straddles 8 KiB */
	CHECK_EQ(image_identify(img, IMG_SIZE), IMAGE_ELF32);

	build_elf32(0, NULL, 0);
	put_mb1_header(MB1_HEADER_SEARCH, 0, 0); /* beyond 8 KiB */
	CHECK_EQ(image_identify(img, IMG_SIZE), IMAGE_ELF32);

	build_elf32(0, NULL, 0);
	put_mb1_header(0x100, 0, 0); /* cut off by the end of the file */
	CHECK_EQ(image_identify(img, 0x108), IMAGE_ELF32);
	CHECK_EQ(image_identify(img, 0x10c), IMAGE_ELF32_MULTIBOOT);

	build_elf64(0, NULL, 0);
	put_mb1_header(0x1000, 0, 0); /* multiboot v1 is for ELF32 here */
	CHECK_EQ(image_identify(img, IMG_SIZE), IMAGE_ELF64);
}

TEST(image_mb1_header_edges)
{
	uint32_t off = 7, flags = 7;

	memset(img, 0, sizeof(img));
	CHECK(!image_mb1_header(img, 0, &off, &flags));
	CHECK(!image_mb1_header(img, 11, &off, &flags));
	put_mb1_header(0, MB1_HEADER_PAGE_ALIGN | MB1_HEADER_AOUT_KLUDGE, 0);
	CHECK(!image_mb1_header(img, 11, &off, &flags));
	CHECK(image_mb1_header(img, 12, &off, &flags));
	CHECK_EQ(off, 0);
	CHECK_EQ(flags, MB1_HEADER_PAGE_ALIGN | MB1_HEADER_AOUT_KLUDGE);
	/* A misaligned buffer is read without misaligned loads (UBSan). */
	memmove(img + 1, img, IMG_SIZE);
	CHECK(image_mb1_header(img + 1, 12, &off, &flags));
}

TEST(image_identify_bzimage_and_raw)
{
	memset(img, 0, sizeof(img));
	memcpy(img + BZIMAGE_MAGIC_OFFSET, "HdrS", 4);
	CHECK_EQ(image_identify(img, BZIMAGE_MIN_SIZE), IMAGE_BZIMAGE);
	CHECK_EQ(image_identify(img, BZIMAGE_MIN_SIZE - 1), IMAGE_RAW);
	memcpy(img + BZIMAGE_MAGIC_OFFSET, "Hdrs", 4);
	CHECK_EQ(image_identify(img, BZIMAGE_MIN_SIZE), IMAGE_RAW);
	CHECK_EQ(image_identify(img, 0), IMAGE_RAW);
	CHECK_EQ(image_identify(img, 512), IMAGE_RAW);
}

TEST(image_kind_names)
{
	CHECK_STR(image_kind_name(IMAGE_ELF64), "ELF64");
	CHECK_STR(image_kind_name(IMAGE_ELF32), "ELF32");
	CHECK_STR(image_kind_name(IMAGE_ELF32_MULTIBOOT), "multiboot ELF32");
	CHECK_STR(image_kind_name(IMAGE_BZIMAGE), "bzImage");
	CHECK_STR(image_kind_name(IMAGE_RAW), "raw");
	CHECK_STR(image_kind_name(IMAGE_ELF_UNSUPPORTED), "unsupported ELF");
}

TEST(image_elf64_plan)
{
	struct plan p;

	build_elf64(0xffffffff80100010ull, kernel64, ARRAY_SIZE(kernel64));
	p = plan(16 * MiB);
	CHECK_EQ(p.rc, 0);
	CHECK_STR(p.err, "");
	CHECK_EQ(p.count, 2);
	CHECK_EQ(p.entry, 0x100010);
	CHECK_EQ(p.segs[0].gpa, 0x100000);
	CHECK_EQ(p.segs[0].file_offset, 0x1000);
	CHECK_EQ(p.segs[0].filesz, 0x1000);
	CHECK_EQ(p.segs[0].memsz, 0x1000);
	CHECK_EQ(p.segs[0].flags, PF_R | PF_X);
	CHECK_EQ(p.segs[1].gpa, 0x101000);
	CHECK_EQ(p.segs[1].file_offset, 0x2000);
	CHECK_EQ(p.segs[1].filesz, 0x800);
	CHECK_EQ(p.segs[1].memsz, 0x5000);
	CHECK_EQ(p.segs[1].flags, PF_R | PF_W);

	/* The same from a misaligned copy of the image. */
	memmove(img + 1, img, IMG_SIZE);
	p = plan_of(img + 1, IMG_SIZE, 16 * MiB, MAX_SEGS);
	CHECK_EQ(p.rc, 0);
	CHECK_EQ(p.count, 2);
	CHECK_EQ(p.entry, 0x100010);
}

TEST(image_elf32_plan)
{
	static const struct seg segs[] = {
		{ PT_LOAD, PF_R | PF_X, 0x1000, 0x100000, 0x100000, 0x1800, 0x1800 },
		{ PT_LOAD, PF_R | PF_W, 0x2800, 0x102000, 0x102000, 0x100, 0x2000 },
	};
	struct plan p;

	build_elf32(0x10000c, segs, ARRAY_SIZE(segs));
	put_mb1_header(0x1000, 0, 0);
	CHECK_EQ(image_identify(img, IMG_SIZE), IMAGE_ELF32_MULTIBOOT);
	p = plan(2 * MiB);
	CHECK_EQ(p.rc, 0);
	CHECK_EQ(p.count, 2);
	CHECK_EQ(p.entry, 0x10000c);
	CHECK_EQ(p.segs[0].gpa, 0x100000);
	CHECK_EQ(p.segs[0].filesz, 0x1800);
	CHECK_EQ(p.segs[1].gpa, 0x102000);
	CHECK_EQ(p.segs[1].file_offset, 0x2800);
	CHECK_EQ(p.segs[1].memsz, 0x2000);
}

TEST(image_elf_segment_must_fit_below_entry_state)
{
	struct seg s = { PT_LOAD, PF_R | PF_X, 0x1000, 0x100000, 0x100000, 0x1000, 0x200000 };
	struct seg two[2] = { { PT_LOAD, PF_R, 0x1000, 0x1000, 0x1000, 0, 0x1000 }, s };
	struct plan p;

	build_elf64(0x100000, two, 2);
	p = plan(1 * MiB);
	CHECK_EQ(p.rc, -1);
	CHECK_STR(p.err, "segment 1 at 0x100000+0x200000 does not fit in mem=1M (it must end by "
			 "0xf0000: the top 64 KiB holds the entry state)");

	/* Ending exactly where the entry state begins is fine, one byte more is not. */
	s.memsz = 3 * MiB - GUEST_STATE_AREA_SIZE - 0x100000;
	build_elf64(0x100000, &s, 1);
	CHECK_EQ(plan(3 * MiB).rc, 0);
	s.memsz++;
	build_elf64(0x100000, &s, 1);
	p = plan(3 * MiB);
	CHECK_EQ(p.rc, -1);
	CHECK_STR(p.err, "segment 0 at 0x100000+0x1f0001 does not fit in mem=3M (it must end by "
			 "0x2f0000: the top 64 KiB holds the entry state)");

	p = plan(1028 * KiB);
	CHECK_STR(p.err, "segment 0 at 0x100000+0x1f0001 does not fit in mem=1028K (it must end "
			 "by 0xf1000: the top 64 KiB holds the entry state)");
	p = plan(2 * GiB);
	CHECK_EQ(p.rc, 0);
}

TEST(image_elf_segment_overflow)
{
	struct seg s = { PT_LOAD, PF_R | PF_X, 0x1000, 0, 0xfffffffffffff000ull, 0x10, 0x2000 };
	struct plan p;

	build_elf64(0, &s, 1);
	p = plan(16 * MiB);
	CHECK_EQ(p.rc, -1);
	CHECK_STR(p.err, "segment 0 at 0xfffffffffffff000+0x2000 does not fit in mem=16M (it must "
			 "end by 0xff0000: the top 64 KiB holds the entry state)");

	s = (struct seg){ PT_LOAD, PF_R | PF_X, 0x1000, 0, 0, 0x10, 0xffffffffffffffffull };
	build_elf64(0, &s, 1);
	CHECK_EQ(plan(16 * MiB).rc, -1);

	s = (struct seg){ PT_LOAD, PF_R | PF_X, 0xfffffffffffffff0ull, 0, 0, 0x20, 0x20 };
	build_elf64(0, &s, 1);
	p = plan(16 * MiB);
	CHECK_EQ(p.rc, -1);
	CHECK_STR(p.err, "segment 0: file bytes 0xfffffffffffffff0+0x20 lie past the end of the "
			 "file (0x3000 bytes)");
}

TEST(image_elf_corrupt_files)
{
	struct seg s = { PT_LOAD, PF_R | PF_X, 0x1000, 0x100000, 0x100000, 0x1000, 0x1000 };
	struct plan p;

	build_elf64(0x100000, &s, 1);
	CHECK_EQ(plan(16 * MiB).rc, 0);

	/* The segment's file bytes run past the end. */
	p = plan_of(img, 0x1fff, 16 * MiB, MAX_SEGS);
	CHECK_EQ(p.rc, -1);
	CHECK_STR(p.err, "segment 0: file bytes 0x1000+0x1000 lie past the end of the file "
			 "(0x1fff bytes)");

	/* filesz > memsz */
	s.filesz = 0x1001;
	build_elf64(0x100000, &s, 1);
	p = plan(16 * MiB);
	CHECK_STR(p.err, "segment 0: file size 0x1001 exceeds its memory size 0x1000");
	s.filesz = 0x1000;

	/* The program header table past the end of the file. */
	build_elf64(0x100000, &s, 1);
	p = plan_of(img, PHDR_OFF + sizeof(Elf64_Phdr) - 1, 16 * MiB, MAX_SEGS);
	CHECK_STR(p.err, "ELF program headers at 0x40 (1 of 56 bytes) lie past the end of the "
			 "file (0x77 bytes)");
	{
		uint64_t far = 0x10000;

		memcpy(img + offsetof(Elf64_Ehdr, e_phoff), &far, sizeof(far));
		p = plan(16 * MiB);
		CHECK_STR(p.err, "ELF program headers at 0x10000 (1 of 56 bytes) lie past the end "
				 "of the file (0x3000 bytes)");
		far = ~0ull;
		memcpy(img + offsetof(Elf64_Ehdr, e_phoff), &far, sizeof(far));
		CHECK_EQ(plan(16 * MiB).rc, -1);
	}

	build_elf64(0x100000, &s, 1);
	set16(offsetof(Elf64_Ehdr, e_phnum), 0xffff);
	CHECK_EQ(plan(16 * MiB).rc, -1);

	build_elf64(0x100000, &s, 1);
	set16(offsetof(Elf64_Ehdr, e_phentsize), sizeof(Elf32_Phdr));
	p = plan(16 * MiB);
	CHECK_STR(p.err, "ELF program header size 32 is below 56");

	build_elf64(0x100000, &s, 1);
	set16(offsetof(Elf64_Ehdr, e_machine), 183);
	p = plan(16 * MiB);
	CHECK_STR(p.err, "ELF machine 183 is not x86-64 (62)");

	build_elf32(0x100000, &s, 1);
	set16(offsetof(Elf32_Ehdr, e_machine), EM_X86_64);
	p = plan(16 * MiB);
	CHECK_STR(p.err, "ELF machine 62 is not i386 (3)");

	build_elf64(0x100000, &s, 1);
	set16(offsetof(Elf64_Ehdr, e_type), 1); /* ET_REL */
	p = plan(16 * MiB);
	CHECK_STR(p.err, "ELF type 1 is not an executable");

	build_elf64(0x100000, &s, 1);
	img[EI_DATA] = 2;
	CHECK_STR(plan(16 * MiB).err, "ELF file is not little-endian");
	img[EI_DATA] = ELFDATA2LSB;
	img[EI_CLASS] = 0;
	CHECK_STR(plan(16 * MiB).err, "ELF class 0 is neither 32 nor 64-bit");
	img[EI_CLASS] = ELFCLASS64;
	CHECK_STR(plan_of(img, 60, 16 * MiB, MAX_SEGS).err, "ELF header truncated (60 bytes)");
	img[0] = 'X';
	CHECK_STR(plan(16 * MiB).err, "not an ELF file");
}

TEST(image_elf_entry_and_counts)
{
	struct seg s[3] = {
		{ PT_LOAD, PF_R | PF_X, 0x1000, 0x100000, 0x100000, 0x1000, 0x1000 },
		{ PT_LOAD, PF_R | PF_W, 0x2000, 0x101000, 0x101000, 0x1000, 0x1000 },
		{ PT_LOAD, PF_R, 0x2000, 0x102000, 0x102000, 0x1000, 0x1000 },
	};
	struct plan p;

	build_elf32(0x101000, s, 3); /* in a writable, not executable segment */
	p = plan(16 * MiB);
	CHECK_EQ(p.rc, -1);
	CHECK_STR(p.err, "entry point 0x101000 is not inside an executable segment");

	build_elf32(0x100fff, s, 3);
	CHECK_EQ(plan(16 * MiB).entry, 0x100fff);
	build_elf32(0x5000, s, 3);
	CHECK_STR(plan(16 * MiB).err, "entry point 0x5000 is not inside an executable segment");

	build_elf32(0x100000, s, 3);
	p = plan_of(img, IMG_SIZE, 16 * MiB, 2);
	CHECK_EQ(p.rc, -1);
	CHECK_STR(p.err, "more than 2 loadable segments");

	build_elf32(0x100000, s, 0);
	CHECK_STR(plan(16 * MiB).err, "no loadable segments");

	build_elf32(0x100000, s, 1);
	CHECK_STR(plan(512 * KiB).err, "guest RAM of 0x80000 bytes is below 1 MiB");
}

TEST(image_raw_fits)
{
	uint64_t room = 1 * MiB - GUEST_STATE_AREA_SIZE - IMAGE_RAW_LOAD_GPA;

	CHECK(image_raw_fits(0, 1 * MiB));
	CHECK(image_raw_fits(room, 1 * MiB));
	CHECK(!image_raw_fits(room + 1, 1 * MiB));
	CHECK(image_raw_fits(room + 1, 2 * MiB));
	CHECK(!image_raw_fits(0, GUEST_STATE_AREA_SIZE + IMAGE_RAW_LOAD_GPA - 1));
	CHECK(image_raw_fits(0, GUEST_STATE_AREA_SIZE + IMAGE_RAW_LOAD_GPA));
	CHECK(!image_raw_fits(SIZE_MAX, 64 * GiB));
	CHECK(!image_raw_fits(1, 0));
}
