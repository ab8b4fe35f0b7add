/* The guest's CMOS RTC on ports 0x70/0x71 (model: vmm/vrtc.c): the host's
 * time at boot plus the TSC since, the same for every guest. */
#include "vmm/vrtc_io.h"

#include "arch/x86/cpu.h"
#include "core/log.h"
#include "drivers/cmos.h"
#include "drivers/tsc.h"
#include "vmm/vio.h"
#include "vmm/vm.h"

static uint64_t boot_unix, boot_tsc;

static uint64_t unix_now(void)
{
	return boot_unix + (rdtsc() - boot_tsc) / tsc_hz();
}

static uint32_t vrtc_io_read(struct vm *vm, uint16_t port, unsigned int size)
{
	(void)size;
	return vrtc_port_read(&vm->rtc, port, unix_now());
}

static void vrtc_io_write(struct vm *vm, uint16_t port, unsigned int size, uint32_t value)
{
	(void)size;
	vrtc_port_write(&vm->rtc, port, (uint8_t)value);
}

static const struct io_device vrtc_device = {
	"CMOS RTC", VRTC_INDEX_PORT, VRTC_DATA_PORT, vrtc_io_read, vrtc_io_write,
};

void vrtc_register(void)
{
	boot_tsc = rdtsc();
	boot_unix = cmos_read_unix_time();
	log_info("rtc: host clock reads %lu seconds since 1970", boot_unix);
	vio_register(&vrtc_device);
}
