/* Platform detection and the end of a run. */
#include "core/machine.h"

#include "arch/x86/cpu.h"
#include "arch/x86/io.h"
#include "boot/multiboot2.h"
#include "core/log.h"
#include "drivers/serial.h"
#include "lib/string.h"
#include "mm/layout.h"

/* QEMU's isa-debug-exit device (the rig adds it at this port) exits with
 * (value << 1) | 1; Bochs leaves when "Shutdown" is written to its shutdown
 * port. Neither port is touched on real hardware. */
#define QEMU_DEBUG_EXIT_PORT 0xf4
#define BOCHS_SHUTDOWN_PORT 0x8900

enum platform { PLATFORM_HARDWARE, PLATFORM_QEMU, PLATFORM_BOCHS, PLATFORM_OTHER_HV };

static enum platform platform;

static const char *const platform_names[] = {
	[PLATFORM_HARDWARE] = "hardware",
	[PLATFORM_QEMU] = "QEMU",
	[PLATFORM_BOCHS] = "Bochs",
	[PLATFORM_OTHER_HV] = "a hypervisor",
};

void machine_detect(uint64_t rsdp_phys)
{
	bool hv_bit = cpuid(1, 0).ecx & CPUID1_ECX_HYPERVISOR;
	const struct acpi_rsdp *rsdp = rsdp_phys ? phys_to_virt(rsdp_phys) : NULL;
	/* SeaBIOS, OVMF under QEMU and the Bochs BIOS all build ACPI tables
	 * with OEM ID "BOCHS "; only QEMU sets the CPUID hypervisor bit. */
	bool bochs_acpi = rsdp && memcmp(rsdp->oem_id, "BOCHS ", 6) == 0;

	if (hv_bit) {
		struct cpuid_regs sig = cpuid(0x40000000, 0);
		bool qemu = (memcmp(&sig.ebx, "TCGT", 4) == 0 || memcmp(&sig.ebx, "KVMK", 4) == 0);

		platform = qemu || bochs_acpi ? PLATFORM_QEMU : PLATFORM_OTHER_HV;
	} else {
		platform = bochs_acpi ? PLATFORM_BOCHS : PLATFORM_HARDWARE;
	}
}

const char *machine_name(void)
{
	return platform_names[platform];
}

__noreturn void machine_stop(enum stop_status status)
{
	static const char shutdown[] = "Shutdown";

	irq_disable();
	console_printf("hv: machine stop, status %d\n", status);
	serial_drain();
	if (platform == PLATFORM_QEMU)
		outb(QEMU_DEBUG_EXIT_PORT, (uint8_t)status);
	if (platform == PLATFORM_BOCHS)
		for (size_t i = 0; i < sizeof(shutdown) - 1; i++)
			outb(BOCHS_SHUTDOWN_PORT, (uint8_t)shutdown[i]);
	for (;;)
		halt();
}
