/* Guest image identification and ELF loading plans (include/vmm/image.h).
 * Images may lie at any alignment, so headers are copied out with memcpy
 * rather than read in place. */
#include "vmm/image.h"

#include "lib/format.h"
#include "lib/string.h"
#include "vmm/guest_config.h"
#include "vmm/mb1_info.h"

#define BZIMAGE_MAGIC "HdrS"
#define BZIMAGE_MAGIC_LEN 4
#define SIZE_TEXT_MAX 24

/* An ELF file or program header of either class, widened to 64 bits. */
struct elf_file {
	bool is64;
	uint16_t type;
	uint16_t machine;
	uint64_t entry;
	uint64_t phoff;
	uint16_t phentsize;
	uint16_t phnum;
};

struct elf_phdr {
	uint32_t type;
	uint32_t flags;
	uint64_t offset;
	uint64_t vaddr;
	uint64_t paddr;
	uint64_t filesz;
	uint64_t memsz;
};

static int fail(char *err, size_t errlen, const char *fmt, ...) __printf(3, 4);

static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static bool has_elf_magic(const unsigned char *p, size_t size)
{
	return size >= EI_NIDENT && memcmp(p, ELF_MAGIC, ELF_MAGIC_LEN) == 0;
}

/* e_machine lies at the same offset in both classes. */
static uint16_t elf_machine(const unsigned char *p)
{
	Elf32_Ehdr eh;

	memcpy(&eh, p, sizeof(eh));
	return eh.e_machine;
}

static enum image_kind elf_kind(const unsigned char *p, size_t size)
{
	uint32_t offset, flags;

	if (size < sizeof(Elf32_Ehdr) || p[EI_DATA] != ELFDATA2LSB)
		return IMAGE_ELF_UNSUPPORTED;
	if (p[EI_CLASS] == ELFCLASS64 && elf_machine(p) == EM_X86_64)
		return IMAGE_ELF64;
	if (p[EI_CLASS] != ELFCLASS32 || elf_machine(p) != EM_386)
		return IMAGE_ELF_UNSUPPORTED;
	return image_mb1_header(p, size, &offset, &flags) ? IMAGE_ELF32_MULTIBOOT : IMAGE_ELF32;
}

static bool is_bzimage(const unsigned char *p, size_t size)
{
	return size >= BZIMAGE_MIN_SIZE &&
	       memcmp(p + BZIMAGE_MAGIC_OFFSET, BZIMAGE_MAGIC, BZIMAGE_MAGIC_LEN) == 0;
}

enum image_kind image_identify(const void *data, size_t size)
{
	const unsigned char *p = data;

	if (has_elf_magic(p, size))
		return elf_kind(p, size);
	if (is_bzimage(p, size))
		return IMAGE_BZIMAGE;
	return IMAGE_RAW;
}

const char *image_kind_name(enum image_kind kind)
{
	switch (kind) {
	case IMAGE_ELF64: return "ELF64";
	case IMAGE_ELF32: return "ELF32";
	case IMAGE_ELF32_MULTIBOOT: return "multiboot ELF32";
	case IMAGE_BZIMAGE: return "bzImage";
	case IMAGE_RAW: return "raw";
	case IMAGE_ELF_UNSUPPORTED: return "unsupported ELF";
	}
	return "?";
}

bool image_mb1_header(const void *data, size_t size, uint32_t *offset, uint32_t *flags)
{
	const unsigned char *p = data;
	size_t end = MIN(size, (size_t)MB1_HEADER_SEARCH);
	struct mb1_header h;

	for (size_t off = 0; off + sizeof(h) <= end; off += MB1_HEADER_ALIGN) {
		memcpy(&h, p + off, sizeof(h));
		if (h.magic == MB1_HEADER_MAGIC && (uint32_t)(h.magic + h.flags + h.checksum) == 0) {
			*offset = (uint32_t)off;
			*flags = h.flags;
			return true;
		}
	}
	return false;
}

/* "16M", "1G", "1028K" or bytes: mem= as the user would have written it. */
static void format_size(uint64_t bytes, char *buf, size_t len)
{
	static const char units[] = "GMK";
	static const unsigned int shifts[] = { 30, 20, 10 };

	for (size_t i = 0; i < ARRAY_SIZE(shifts); i++) {
		uint64_t unit = (uint64_t)1 << shifts[i];

		if (bytes && IS_ALIGNED(bytes, unit)) {
			fmt_snprintf(buf, len, "%llu%c", (unsigned long long)(bytes >> shifts[i]),
				     units[i]);
			return;
		}
	}
	fmt_snprintf(buf, len, "%llu", (unsigned long long)bytes);
}

static void read_elf_header(const unsigned char *p, bool is64, struct elf_file *f)
{
	if (is64) {
		Elf64_Ehdr eh;

		memcpy(&eh, p, sizeof(eh));
		*f = (struct elf_file){ true, eh.e_type, eh.e_machine, eh.e_entry, eh.e_phoff,
					eh.e_phentsize, eh.e_phnum };
	} else {
		Elf32_Ehdr eh;

		memcpy(&eh, p, sizeof(eh));
		*f = (struct elf_file){ false, eh.e_type, eh.e_machine, eh.e_entry, eh.e_phoff,
					eh.e_phentsize, eh.e_phnum };
	}
}

/* Check and read the file header; the program header table must lie in
 * the file with entries at least as large as this class's. */
static int read_elf_file(const unsigned char *p, size_t size, struct elf_file *f, char *err,
			 size_t errlen)
{
	size_t ehsize, phsize;
	uint16_t machine;
	bool is64;

	if (!has_elf_magic(p, size))
		return fail(err, errlen, "not an ELF file");
	is64 = p[EI_CLASS] == ELFCLASS64;
	if (!is64 && p[EI_CLASS] != ELFCLASS32)
		return fail(err, errlen, "ELF class %u is neither 32 nor 64-bit", p[EI_CLASS]);
	if (p[EI_DATA] != ELFDATA2LSB)
		return fail(err, errlen, "ELF file is not little-endian");
	ehsize = is64 ? sizeof(Elf64_Ehdr) : sizeof(Elf32_Ehdr);
	phsize = is64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);
	machine = is64 ? EM_X86_64 : EM_386;
	if (size < ehsize)
		return fail(err, errlen, "ELF header truncated (%zu bytes)", size);
	read_elf_header(p, is64, f);
	if (f->machine != machine)
		return fail(err, errlen, "ELF machine %u is not %s", f->machine,
			    is64 ? "x86-64 (62)" : "i386 (3)");
	if (f->type != ET_EXEC && f->type != ET_DYN)
		return fail(err, errlen, "ELF type %u is not an executable", f->type);
	if (f->phentsize < phsize)
		return fail(err, errlen, "ELF program header size %u is below %zu", f->phentsize,
			    phsize);
	if (f->phoff > size || (uint64_t)f->phnum * f->phentsize > size - f->phoff)
		return fail(err, errlen, "ELF program headers at 0x%llx (%u of %u bytes) lie past "
			    "the end of the file (0x%zx bytes)", (unsigned long long)f->phoff,
			    f->phnum, f->phentsize, size);
	return 0;
}

static void read_phdr(const unsigned char *p, const struct elf_file *f, size_t i,
		      struct elf_phdr *ph)
{
	const unsigned char *at = p + f->phoff + i * f->phentsize;

	if (f->is64) {
		Elf64_Phdr h;

		memcpy(&h, at, sizeof(h));
		*ph = (struct elf_phdr){ h.p_type, h.p_flags, h.p_offset, h.p_vaddr, h.p_paddr,
					 h.p_filesz, h.p_memsz };
	} else {
		Elf32_Phdr h;

		memcpy(&h, at, sizeof(h));
		*ph = (struct elf_phdr){ h.p_type, h.p_flags, h.p_offset, h.p_vaddr, h.p_paddr,
					 h.p_filesz, h.p_memsz };
	}
}

static int check_segment(const struct elf_phdr *ph, size_t i, size_t size, uint64_t ram_size,
			 char *err, size_t errlen)
{
	uint64_t limit = guest_image_limit(ram_size);
	char mem[SIZE_TEXT_MAX];

	if (ph->offset > size || ph->filesz > size - ph->offset)
		return fail(err, errlen, "segment %zu: file bytes 0x%llx+0x%llx lie past the end "
			    "of the file (0x%zx bytes)", i, (unsigned long long)ph->offset,
			    (unsigned long long)ph->filesz, size);
	if (ph->filesz > ph->memsz)
		return fail(err, errlen, "segment %zu: file size 0x%llx exceeds its memory size "
			    "0x%llx", i, (unsigned long long)ph->filesz,
			    (unsigned long long)ph->memsz);
	if (ph->memsz > limit || ph->paddr > limit - ph->memsz) {
		format_size(ram_size, mem, sizeof(mem));
		return fail(err, errlen, "segment %zu at 0x%llx+0x%llx does not fit in mem=%s "
			    "(it must end by 0x%llx: the top 64 KiB holds the entry state)", i,
			    (unsigned long long)ph->paddr, (unsigned long long)ph->memsz, mem,
			    (unsigned long long)limit);
	}
	return 0;
}

/* Translate e_entry through the executable segment whose virtual range
 * holds it; false when there is none. */
static bool entry_gpa(const struct elf_phdr *ph, uint64_t e_entry, uint64_t *gpa)
{
	if (!(ph->flags & PF_X) || e_entry < ph->vaddr || e_entry - ph->vaddr >= ph->memsz)
		return false;
	*gpa = ph->paddr + (e_entry - ph->vaddr);
	return true;
}

int image_elf_segments(const void *data, size_t size, uint64_t ram_size,
		       struct image_segment *segs, size_t max, size_t *count, uint64_t *entry,
		       char *err, size_t errlen)
{
	const unsigned char *p = data;
	struct elf_file f = { 0 };
	bool have_entry = false;

	*count = 0;
	if (ram_size < GUEST_MEM_MIN)
		return fail(err, errlen, "guest RAM of 0x%llx bytes is below 1 MiB",
			    (unsigned long long)ram_size);
	if (read_elf_file(p, size, &f, err, errlen))
		return -1;
	for (size_t i = 0; i < f.phnum; i++) {
		struct elf_phdr ph;

		read_phdr(p, &f, i, &ph);
		if (ph.type != PT_LOAD || ph.memsz == 0)
			continue;
		if (check_segment(&ph, i, size, ram_size, err, errlen))
			return -1;
		if (*count == max)
			return fail(err, errlen, "more than %zu loadable segments", max);
		segs[(*count)++] = (struct image_segment){ ph.paddr, ph.offset, ph.filesz,
							   ph.memsz, ph.flags };
		have_entry = have_entry || entry_gpa(&ph, f.entry, entry);
	}
	if (*count == 0)
		return fail(err, errlen, "no loadable segments");
	if (!have_entry)
		return fail(err, errlen, "entry point 0x%llx is not inside an executable segment",
			    (unsigned long long)f.entry);
	return 0;
}

bool image_raw_fits(size_t size, uint64_t ram_size)
{
	uint64_t limit;

	if (ram_size < GUEST_STATE_AREA_SIZE + IMAGE_RAW_LOAD_GPA)
		return false;
	limit = guest_image_limit(ram_size);
	return size <= limit - IMAGE_RAW_LOAD_GPA;
}
