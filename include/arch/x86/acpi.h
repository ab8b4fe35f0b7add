/* Just enough ACPI for the host: the RSDP, the RSDT/XSDT and the FADT's
 * power-management timer (ACPI 6.4, chapter 5). */
#ifndef ARCH_X86_ACPI_H
#define ARCH_X86_ACPI_H

#include "compiler.h"

struct acpi_info {
	bool present;
	uint8_t revision;
	char oem_id[7];
	uint16_t pm_timer_port; /* 0: no PM timer */
	bool pm_timer_32bit;
};

/* Parse the tables from the RSDP at rsdp_phys (0: none). Logs one line. */
void acpi_init(uint64_t rsdp_phys);
const struct acpi_info *acpi_info(void);

#endif
