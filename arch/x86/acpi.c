/* ACPI table discovery. Every table is checksummed before it is trusted. */
#include "arch/x86/acpi.h"

#include "boot/multiboot2.h"
#include "core/log.h"
#include "lib/string.h"
#include "mm/layout.h"

#define SDT_MAX_LENGTH (1u << 20)
#define FADT_PM_TMR_BLK_OFFSET 76
#define FADT_FLAGS_OFFSET 112
#define FADT_TMR_VAL_EXT BIT(8)

struct acpi_sdt_header {
	char signature[4];
	uint32_t length;
	uint8_t revision;
	uint8_t checksum;
	char oem_id[6];
	char oem_table_id[8];
	uint32_t oem_revision;
	uint32_t creator_id;
	uint32_t creator_revision;
} __packed;

_Static_assert(sizeof(struct acpi_sdt_header) == 36, "ACPI SDT header");

static struct acpi_info info;

static bool checksum_ok(const void *p, size_t len)
{
	const uint8_t *b = p;
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum += b[i];
	return sum == 0;
}

static const struct acpi_sdt_header *map_table(uint64_t phys)
{
	const struct acpi_sdt_header *h = phys_to_virt(phys);

	if (h->length < sizeof(*h) || h->length > SDT_MAX_LENGTH || !checksum_ok(h, h->length))
		return NULL;
	return h;
}

/* Walk the RSDT (32-bit entries) or XSDT (64-bit entries) for a signature. */
static const struct acpi_sdt_header *find_table(const struct acpi_sdt_header *root, bool xsdt,
						const char *sig)
{
	size_t entry = xsdt ? 8 : 4;
	size_t n = (root->length - sizeof(*root)) / entry;
	const uint8_t *entries = (const uint8_t *)(root + 1);

	for (size_t i = 0; i < n; i++) {
		uint64_t phys = 0;
		const struct acpi_sdt_header *h;

		memcpy(&phys, entries + i * entry, entry);
		h = phys ? map_table(phys) : NULL;
		if (h && memcmp(h->signature, sig, 4) == 0)
			return h;
	}
	return NULL;
}

static void parse_fadt(const struct acpi_sdt_header *fadt)
{
	const uint8_t *raw = (const uint8_t *)fadt;
	uint32_t port = 0, flags = 0;

	if (fadt->length < FADT_FLAGS_OFFSET + sizeof(flags))
		return;
	memcpy(&port, raw + FADT_PM_TMR_BLK_OFFSET, sizeof(port));
	memcpy(&flags, raw + FADT_FLAGS_OFFSET, sizeof(flags));
	if (port && port <= 0xffff) {
		info.pm_timer_port = (uint16_t)port;
		info.pm_timer_32bit = flags & FADT_TMR_VAL_EXT;
	}
}

void acpi_init(uint64_t rsdp_phys)
{
	const struct acpi_rsdp *rsdp;
	const struct acpi_sdt_header *root, *fadt;
	bool xsdt;

	if (!rsdp_phys) {
		log_info("acpi: no RSDP from the boot loader");
		return;
	}
	rsdp = phys_to_virt(rsdp_phys);
	if (!checksum_ok(rsdp, ACPI_RSDP_V1_SIZE)) {
		log_warn("acpi: RSDP checksum is wrong, ignoring ACPI");
		return;
	}
	info.present = true;
	info.revision = rsdp->revision;
	memcpy(info.oem_id, rsdp->oem_id, sizeof(rsdp->oem_id));
	xsdt = rsdp->revision >= 2 && rsdp->xsdt_address &&
	       checksum_ok(rsdp, sizeof(*rsdp));
	root = map_table(xsdt ? rsdp->xsdt_address : rsdp->rsdt_address);
	fadt = root ? find_table(root, xsdt, "FACP") : NULL;
	if (fadt)
		parse_fadt(fadt);
	log_info("acpi: RSDP revision %u, OEM '%s', %s %s, FADT %s", info.revision, info.oem_id,
		 xsdt ? "XSDT" : "RSDT", root ? "ok" : "unreadable", fadt ? "ok" : "missing");
	if (info.pm_timer_port)
		log_info("acpi: PM timer at port 0x%x, %s", info.pm_timer_port,
			 info.pm_timer_32bit ? "32-bit" : "24-bit");
}

const struct acpi_info *acpi_info(void)
{
	return &info;
}
