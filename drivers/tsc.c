/* TSC calibration and the monotonic clock.
 *
 * CPUID leaves 0x15/0x16 give the TSC's nominal rate, but emulators (and some
 * firmware) disagree with it: under Bochs the TSC advances once per
 * instruction, far from the 3500 MHz CPUID claims. So we always measure it
 * against a timer with a known rate and trust the measurement. */
#include "drivers/tsc.h"

#include "arch/x86/acpi.h"
#include "arch/x86/cpu.h"
#include "arch/x86/io.h"
#include "core/log.h"
#include "drivers/pit.h"

#define CALIBRATION_ROUNDS 3
#define CALIBRATION_MS 10
#define PM_TIMER_HZ 3579545u
#define NS_PER_SEC 1000000000ull
#define FIXED_SHIFT 32
/* CPUID and calibration "agree" within 2 %. */
#define AGREE_PERMILLE 20

static uint64_t hz;
static uint64_t boot_tsc;
static uint64_t ns_mult;  /* ns = ticks * ns_mult >> FIXED_SHIFT */
static uint64_t tsc_mult; /* ticks = ns * tsc_mult >> FIXED_SHIFT */

/* Best of several rounds: an SMI or emulator hiccup only makes one longer. */
static uint64_t calibrate_pit(void)
{
	uint64_t best = UINT64_MAX, ticks;
	uint16_t pit_ticks = PIT_HZ / (1000 / CALIBRATION_MS);

	for (int i = 0; i < CALIBRATION_ROUNDS; i++) {
		if (!pit_measure_tsc(pit_ticks, &ticks) || ticks == 0)
			return 0;
		best = MIN(best, ticks);
	}
	return best * PIT_HZ / pit_ticks;
}

static uint32_t pm_timer_read(const struct acpi_info *a)
{
	uint32_t v = inl(a->pm_timer_port);

	return a->pm_timer_32bit ? v : v & 0xffffff;
}

static uint64_t calibrate_pm_timer(void)
{
	const struct acpi_info *a = acpi_info();
	uint32_t mask = a->pm_timer_32bit ? UINT32_MAX : 0xffffff;
	uint32_t want = PM_TIMER_HZ / (1000 / CALIBRATION_MS), start, now;
	uint64_t tsc0, tsc1;

	if (!a->pm_timer_port)
		return 0;
	start = pm_timer_read(a);
	tsc0 = rdtsc();
	do {
		now = pm_timer_read(a);
		tsc1 = rdtsc();
	} while (((now - start) & mask) < want && tsc1 - tsc0 < UINT32_MAX * 16ull);
	if (((now - start) & mask) < want)
		return 0;
	return (tsc1 - tsc0) * PM_TIMER_HZ / ((now - start) & mask);
}

/* The TSC rate CPUID states, in Hz, or 0 (SDM Vol. 3B 19.7.3). */
static uint64_t cpuid_tsc_hz(const char **how)
{
	uint32_t max = cpuid_max_leaf();

	if (max >= 0x15) {
		struct cpuid_regs r = cpuid(0x15, 0);

		if (r.eax && r.ebx && r.ecx) {
			*how = "CPUID 0x15 crystal ratio";
			return (uint64_t)r.ecx * r.ebx / r.eax;
		}
	}
	if (max >= 0x16) {
		struct cpuid_regs r = cpuid(0x16, 0);

		if (r.eax & 0xffff) {
			*how = "CPUID 0x16 base frequency";
			return (uint64_t)(r.eax & 0xffff) * 1000000;
		}
	}
	*how = "CPUID";
	return 0;
}

/* (a << FIXED_SHIFT) / b without 128-bit division (no libgcc here). */
static uint64_t fixed_ratio(uint64_t a, uint64_t b)
{
	return ((a / b) << FIXED_SHIFT) + (((a % b) << FIXED_SHIFT) / b);
}

static void log_calibration(const char *source)
{
	const char *how;
	uint64_t claimed = cpuid_tsc_hz(&how);

	log_info("timer: TSC %lu.%03lu MHz, calibrated against the %s", hz / 1000000,
		 hz / 1000 % 1000, source);
	if (!claimed) {
		log_info("timer: CPUID states no TSC frequency (leaf 0x15 crystal unknown, no leaf "
			 "0x16): using the calibration");
	} else if (claimed / 1000 * (1000 + AGREE_PERMILLE) >= hz &&
		   hz / 1000 * (1000 + AGREE_PERMILLE) >= claimed) {
		log_info("timer: %s says %lu MHz: agrees with the calibration", how,
			 claimed / 1000000);
	} else {
		log_info("timer: %s says %lu MHz, %lux the calibration: trusting the calibration",
			 how, claimed / 1000000, MAX(claimed, hz) / MAX(MIN(claimed, hz), 1ul));
	}
}

void tsc_calibrate(void)
{
	const char *source = "PIT";

	hz = calibrate_pit();
	if (!hz) {
		source = "ACPI PM timer";
		hz = calibrate_pm_timer();
	}
	if (!hz)
		panic("timer: cannot calibrate the TSC: no PIT and no ACPI PM timer answered");
	ns_mult = fixed_ratio(NS_PER_SEC, hz);
	/* ns * tsc_mult must not overflow: hz < 2^32 * 1e9 always holds, and
	 * the multiplication below is done in 128 bits. */
	tsc_mult = fixed_ratio(hz, NS_PER_SEC);
	boot_tsc = rdtsc();
	log_calibration(source);
}

uint64_t tsc_hz(void)
{
	return hz;
}

uint64_t tsc_to_ns(uint64_t ticks)
{
	return (uint64_t)(((unsigned __int128)ticks * ns_mult) >> FIXED_SHIFT);
}

uint64_t ns_to_tsc(uint64_t ns)
{
	return (uint64_t)(((unsigned __int128)ns * tsc_mult) >> FIXED_SHIFT);
}

uint64_t clock_ns(void)
{
	return tsc_to_ns(rdtsc() - boot_tsc);
}
