/* The guest's 8259A pair on its ports (model: vmm/vpic.c). */
#include "vmm/vpic_io.h"

#include "arch/x86/cpu.h"
#include "vmm/irq.h"
#include "vmm/vio.h"
#include "vmm/vm.h"

static uint32_t vpic_io_read(struct vm *vm, uint16_t port, unsigned int size)
{
	(void)size;
	return vpic_port_read(&vm->pic, port);
}

static void vpic_io_write(struct vm *vm, uint16_t port, unsigned int size, uint32_t value)
{
	(void)size;
	vpic_port_write(&vm->pic, port, (uint8_t)value);
	irq_mark_dirty(&vm->vcpus[0]);
}

static const struct io_device vpic_master = {
	"PIC master", VPIC_MASTER_CMD, VPIC_MASTER_DATA, vpic_io_read, vpic_io_write,
};
static const struct io_device vpic_slave = {
	"PIC slave", VPIC_SLAVE_CMD, VPIC_SLAVE_DATA, vpic_io_read, vpic_io_write,
};
static const struct io_device vpic_elcr = {
	"PIC ELCR", VPIC_ELCR_MASTER, VPIC_ELCR_SLAVE, vpic_io_read, vpic_io_write,
};

void vpic_register(void)
{
	vio_register(&vpic_master);
	vio_register(&vpic_slave);
	vio_register(&vpic_elcr);
}
