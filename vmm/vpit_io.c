/* The guest's 8254 PIT and port 0x61 (model: vmm/vpit.c). Time is the host
 * TSC: the PIT counts at its own 1.193182 MHz whatever guest runs. */
#include "vmm/vpit_io.h"

#include "arch/x86/cpu.h"
#include "vmm/irq.h"
#include "vmm/vio.h"
#include "vmm/vm.h"

static uint32_t vpit_io_read(struct vm *vm, uint16_t port, unsigned int size)
{
	(void)size;
	return vpit_port_read(&vm->pit, port, rdtsc());
}

static void vpit_io_write(struct vm *vm, uint16_t port, unsigned int size, uint32_t value)
{
	(void)size;
	vpit_port_write(&vm->pit, port, (uint8_t)value, rdtsc());
	irq_mark_dirty(&vm->vcpus[0]);
}

static const struct io_device vpit_ports = {
	"PIT", VPIT_CHANNEL0, VPIT_COMMAND, vpit_io_read, vpit_io_write,
};
static const struct io_device vpit_port_b = {
	"port 0x61", VPIT_PORT_B, VPIT_PORT_B, vpit_io_read, vpit_io_write,
};

void vpit_register(void)
{
	vio_register(&vpit_ports);
	vio_register(&vpit_port_b);
}
