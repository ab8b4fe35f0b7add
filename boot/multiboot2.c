/* Defensive multiboot2 information parser: every size and offset is checked
 * against the header's total_size and the bytes the caller may read, so a
 * corrupt structure is an error, never a wild read. */
#include "boot/multiboot2.h"

#include "lib/string.h"

#define MB2_TAG_ALIGN 8

const char *mb2_strerror(enum mb2_error err)
{
	switch (err) {
	case MB2_OK:
		return "ok";
	case MB2_ERR_MAGIC:
		return "wrong boot loader magic (not multiboot2)";
	case MB2_ERR_ALIGN:
		return "boot information not 8-byte aligned";
	case MB2_ERR_TOTAL_SIZE:
		return "bad total_size";
	case MB2_ERR_TAG_SIZE:
		return "tag size out of bounds";
	case MB2_ERR_NO_END_TAG:
		return "no end tag";
	case MB2_ERR_MMAP_ENTRY:
		return "bad memory map entry size";
	}
	return "unknown error";
}

/* Copy a string field that must end inside its tag; truncate to dst_size. */
static void copy_tag_string(char *dst, size_t dst_size, const char *src, size_t src_max)
{
	size_t n = strnlen(src, src_max);

	if (n >= dst_size)
		n = dst_size - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

static enum mb2_error parse_mmap(const struct mb2_tag *tag, struct boot_info *bi)
{
	const struct mb2_tag_mmap *m = (const void *)tag;
	const uint8_t *p, *end = (const uint8_t *)tag + tag->size;

	if (tag->size < sizeof(*m) || m->entry_size < sizeof(struct mb2_mmap_entry) ||
	    m->entry_size % MB2_TAG_ALIGN)
		return MB2_ERR_MMAP_ENTRY;
	for (p = (const uint8_t *)(m + 1); p + m->entry_size <= end; p += m->entry_size) {
		const struct mb2_mmap_entry *e = (const void *)p;

		if (bi->mmap_count == BOOT_MAX_MMAP) {
			bi->truncated = true;
			break;
		}
		bi->mmap[bi->mmap_count++] = (struct mem_region){
			.base = e->base, .length = e->length, .type = e->type
		};
	}
	return MB2_OK;
}

static void parse_module(const struct mb2_tag *tag, struct boot_info *bi)
{
	const struct mb2_tag_module *m = (const void *)tag;
	struct boot_module *mod;

	if (bi->module_count == BOOT_MAX_MODULES) {
		bi->truncated = true;
		return;
	}
	mod = &bi->modules[bi->module_count++];
	mod->start = m->mod_start;
	mod->end = m->mod_end < m->mod_start ? m->mod_start : m->mod_end;
	copy_tag_string(mod->cmdline, sizeof(mod->cmdline), m->cmdline, tag->size - sizeof(*m));
}

static void parse_rsdp(const struct mb2_tag *tag, uint64_t tag_phys, struct boot_info *bi)
{
	const struct acpi_rsdp *rsdp = (const void *)(tag + 1);
	size_t need = tag->type == MB2_TAG_ACPI_NEW ? sizeof(*rsdp) : ACPI_RSDP_V1_SIZE;

	if (tag->size - sizeof(*tag) < need || memcmp(rsdp->signature, "RSD PTR ", 8) != 0)
		return;
	/* Prefer the ACPI 2.0+ RSDP when the loader gives both. */
	if (bi->rsdp_phys && bi->rsdp_revision >= 2 && tag->type == MB2_TAG_ACPI_OLD)
		return;
	bi->rsdp_phys = tag_phys + sizeof(*tag);
	bi->rsdp_revision = tag->type == MB2_TAG_ACPI_NEW ? 2 : 0;
}

static enum mb2_error parse_tag(const struct mb2_tag *tag, uint64_t tag_phys, struct boot_info *bi)
{
	size_t payload = tag->size - sizeof(*tag);

	switch (tag->type) {
	case MB2_TAG_CMDLINE:
		copy_tag_string(bi->cmdline, sizeof(bi->cmdline), (const char *)(tag + 1), payload);
		break;
	case MB2_TAG_LOADER_NAME:
		copy_tag_string(bi->loader_name, sizeof(bi->loader_name), (const char *)(tag + 1),
				payload);
		break;
	case MB2_TAG_MODULE:
		if (tag->size < sizeof(struct mb2_tag_module))
			return MB2_ERR_TAG_SIZE;
		parse_module(tag, bi);
		break;
	case MB2_TAG_MMAP:
		return parse_mmap(tag, bi);
	case MB2_TAG_EFI64:
		if (tag->size < sizeof(struct mb2_tag_efi64))
			return MB2_ERR_TAG_SIZE;
		bi->efi64_system_table = ((const struct mb2_tag_efi64 *)tag)->pointer;
		break;
	case MB2_TAG_ACPI_OLD:
	case MB2_TAG_ACPI_NEW:
		parse_rsdp(tag, tag_phys, bi);
		break;
	default:
		bi->skipped_tags++;
		break;
	}
	return MB2_OK;
}

enum mb2_error mb2_parse(uint32_t magic, const void *info, uint64_t info_phys, size_t avail,
			 struct boot_info *bi)
{
	const uint8_t *base = info;
	const struct mb2_info_header *hdr = info;
	size_t off;

	memset(bi, 0, sizeof(*bi));
	if (magic != MB2_BOOTLOADER_MAGIC)
		return MB2_ERR_MAGIC;
	if (info_phys % MB2_TAG_ALIGN)
		return MB2_ERR_ALIGN;
	if (avail < sizeof(*hdr) || hdr->total_size < sizeof(*hdr) + sizeof(struct mb2_tag) ||
	    hdr->total_size > avail || hdr->total_size > MB2_INFO_MAX_SIZE)
		return MB2_ERR_TOTAL_SIZE;
	bi->info_phys = info_phys;
	bi->info_size = hdr->total_size;

	for (off = sizeof(*hdr); off + sizeof(struct mb2_tag) <= hdr->total_size;) {
		const struct mb2_tag *tag = (const void *)(base + off);
		enum mb2_error err;

		if (tag->size < sizeof(*tag) || tag->size > hdr->total_size - off)
			return MB2_ERR_TAG_SIZE;
		if (tag->type == MB2_TAG_END)
			return MB2_OK;
		err = parse_tag(tag, info_phys + off, bi);
		if (err != MB2_OK)
			return err;
		off += ALIGN_UP((size_t)tag->size, (size_t)MB2_TAG_ALIGN);
	}
	return MB2_ERR_NO_END_TAG;
}
