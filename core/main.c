/* The boot CPU's path from the entry stub to a running hypervisor. */
#include "arch/x86/acpi.h"
#include "arch/x86/apic.h"
#include "arch/x86/cpu.h"
#include "arch/x86/percpu.h"
#include "boot/multiboot2.h"
#include "core/bench.h"
#include "core/boot.h"
#include "core/cmdline.h"
#include "core/log.h"
#include "core/machine.h"
#include "core/selftest.h"
#include "drivers/serial.h"
#include "drivers/timer.h"
#include "drivers/tsc.h"
#include "lib/string.h"
#include "mm/layout.h"
#include "mm/mm.h"
#include "vmm/exit.h"
#include "vmm/guests.h"
#include "vmm/vio.h"
#include "vmm/vmx.h"
#include "vmm/vmx_caps.h"

#define BOOT_MAP_LIMIT (4 * GiB) /* what the entry stub's page tables cover */

void boot_main(uint32_t magic, uint64_t info_phys);

uint64_t boot_banner_tsc;
static struct boot_info boot_info;
static struct hv_options options;

static void report_option(const char *token, const char *why, void *ctx)
{
	(void)ctx;
	log_warn("cmdline: %s '%s' (ignored)", why, token);
}

static void print_cpu(void)
{
	char vendor[13] = { 0 }, brand[49] = { 0 };
	struct cpuid_regs r = cpuid(0, 0);
	uint32_t sig = cpuid(1, 0).eax;
	uint32_t family = (sig >> 8) & 0xf, model = (sig >> 4) & 0xf;
	const char *b;

	memcpy(vendor, &r.ebx, 4);
	memcpy(vendor + 4, &r.edx, 4);
	memcpy(vendor + 8, &r.ecx, 4);
	/* Extended family and model (SDM Vol. 2A, CPUID leaf 1). */
	if (family == 0xf)
		family += (sig >> 20) & 0xff;
	if (family == 0x6 || family >= 0xf)
		model |= ((sig >> 16) & 0xf) << 4;
	if (cpuid_max_ext_leaf() >= 0x80000004) {
		for (uint32_t i = 0; i < 3; i++) {
			r = cpuid(0x80000002 + i, 0);
			memcpy(brand + 16 * i, &r, sizeof(r));
		}
	}
	for (b = brand; *b == ' ';)
		b++;
	log_info("cpu: %s family %u model %u stepping %u, '%s'", vendor, family, model, sig & 0xf,
		 b);
}

static void print_modules(const struct boot_info *bi)
{
	log_info("boot: %zu module%s", bi->module_count, bi->module_count == 1 ? "" : "s");
	for (size_t i = 0; i < bi->module_count; i++) {
		const struct boot_module *m = &bi->modules[i];

		log_info("module %zu: %lu bytes at 0x%lx: '%s'", i, m->end - m->start, m->start,
			 m->cmdline);
	}
	if (bi->truncated)
		log_warn("boot: more memory map entries or modules than hv keeps (%d/%d)",
			 BOOT_MAX_MMAP, BOOT_MAX_MODULES);
}

static void parse_boot_info(uint32_t magic, uint64_t info_phys)
{
	enum mb2_error err = MB2_ERR_TOTAL_SIZE;

	if (info_phys < BOOT_MAP_LIMIT)
		err = mb2_parse(magic, phys_to_virt(info_phys), info_phys,
				MIN(BOOT_MAP_LIMIT - info_phys, (uint64_t)MB2_INFO_MAX_SIZE),
				&boot_info);
	if (err != MB2_OK) {
		console_printf("FATAL: bad boot information from the loader: %s (magic 0x%x, info "
			       "at 0x%lx)\n",
			       mb2_strerror(err), magic, info_phys);
		machine_stop(STOP_FATAL);
	}
}

void boot_main(uint32_t magic, uint64_t info_phys)
{
	percpu_init_boot();
	serial_init(1);
	parse_boot_info(magic, info_phys);
	machine_detect(boot_info.rsdp_phys);
	boot_banner_tsc = rdtsc();
	console_printf("hv %s (%s) booting, TSC %lu\n", HV_VERSION, HV_GIT_REV, boot_banner_tsc);

	cmdline_defaults(&options);
	cmdline_parse(boot_info.cmdline, &options, report_option, NULL);
	log_set_level((enum log_level)options.loglevel);
	/* make bench times lines by when they reach the serial port. */
	serial_set_synchronous(options.bench);
	if (options.console != 1 && !serial_init(options.console))
		log_warn("cmdline: no UART at com%u, staying on com1", options.console);
	log_info("boot: loader '%s', command line '%s', on %s", boot_info.loader_name,
		 boot_info.cmdline, machine_name());
	if (boot_info.efi64_system_table)
		log_info("boot: UEFI, EFI64 system table at 0x%lx", boot_info.efi64_system_table);
	print_cpu();

	acpi_init(boot_info.rsdp_phys);
	mm_init(&boot_info);
	percpu_protect_stacks();
	print_modules(&boot_info);

	tsc_calibrate();
	apic_init();
	timer_init();
	timer_selftest();

	selftest_run(options.selftest);
	vmx_probe();

	log_info("hv: boot complete, TSC %lu, %lu ms since calibration", rdtsc(),
		 clock_ns() / 1000000);
	if (boot_info.module_count) {
		vmx_enable_cpu();
		cpuid_init();
		devices_register();
		guests_run(&boot_info, &options);
		if (options.bench)
			bench_bare_cpu();
	} else {
		log_info("hv: no guest modules: nothing to run");
	}
	machine_stop(STOP_OK);
}
