/* Guest images: what kind a module is, and where its bytes go in guest RAM.
 * Pure and defensive: every offset and size in an image is checked before
 * use, so a corrupt module yields an error message, never a wild copy. */
#ifndef VMM_IMAGE_H
#define VMM_IMAGE_H

#include "compiler.h"
#include "vmm/elf.h"

enum image_kind {
	IMAGE_ELF64,           /* ELF64 for x86-64 */
	IMAGE_ELF32,           /* ELF32 for i386 */
	IMAGE_ELF32_MULTIBOOT, /* ELF32 for i386 with a multiboot (v1) header */
	IMAGE_BZIMAGE,         /* a Linux bzImage ("HdrS" at 0x202) */
	IMAGE_RAW,             /* anything else: loaded at IMAGE_RAW_LOAD_GPA */
	IMAGE_ELF_UNSUPPORTED, /* an ELF file of another class or machine: refuse */
};

/* Raw images load where a BIOS puts a boot sector. */
#define IMAGE_RAW_LOAD_GPA 0x7C00u

#define BZIMAGE_MAGIC_OFFSET 0x202u /* "HdrS": the Linux boot protocol header */
#define BZIMAGE_MIN_SIZE 0x1000u

/* One PT_LOAD segment: copy filesz bytes from the image at file_offset to
 * guest-physical gpa, then zero up to memsz. */
struct image_segment {
	uint64_t gpa;         /* p_paddr */
	uint64_t file_offset; /* p_offset */
	uint64_t filesz;
	uint64_t memsz;       /* >= filesz, > 0 */
	uint32_t flags;       /* PF_R, PF_W, PF_X */
};

enum image_kind image_identify(const void *data, size_t size);
/* "ELF64", "multiboot ELF32", "bzImage", ... for summary lines. */
const char *image_kind_name(enum image_kind kind);

/* Find the multiboot (v1) header: 4-byte aligned, wholly within the first
 * MB1_HEADER_SEARCH bytes, magic + flags + checksum == 0. On success sets
 * *offset and *flags (MB1_HEADER_*). */
bool image_mb1_header(const void *data, size_t size, uint32_t *offset, uint32_t *flags);

/* The loading plan of an ELF32 (i386) or ELF64 (x86-64) image for a guest
 * with ram_size bytes of RAM: its non-empty PT_LOAD segments, each lying in
 * the file and in [0, guest_image_limit(ram_size)), at most max of them.
 * *entry gets e_entry translated to guest-physical through the executable
 * segment whose virtual range holds it (as GRUB does), so kernels linked
 * at a high virtual address with low p_paddr work. Returns 0, or -1 with a
 * message in err, e.g. "segment 1 at 0x100000+0x200000 does not fit in
 * mem=1M (...)". */
int image_elf_segments(const void *data, size_t size, uint64_t ram_size,
		       struct image_segment *segs, size_t max, size_t *count, uint64_t *entry,
		       char *err, size_t errlen);

/* Does a raw image of size bytes, loaded at IMAGE_RAW_LOAD_GPA, end by
 * guest_image_limit(ram_size)? */
bool image_raw_fits(size_t size, uint64_t ram_size);

#endif
