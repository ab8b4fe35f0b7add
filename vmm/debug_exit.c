/* Port 0xF4, the guest's way out (as QEMU's isa-debug-exit device, but the
 * status is the raw value written). */
#include "vmm/debug_exit.h"

#include "vmm/vio.h"
#include "vmm/vm.h"

#define DEBUG_EXIT_PORT 0xf4

static void debug_exit_write(struct vm *vm, uint16_t port, unsigned int size, uint32_t value)
{
	(void)port;
	(void)size;
	vm_exit(vm, value);
}

/* Reads find nothing to read, as on a machine without the device. */
static uint32_t debug_exit_read(struct vm *vm, uint16_t port, unsigned int size)
{
	(void)vm;
	(void)port;
	(void)size;
	return UINT32_MAX;
}

static const struct io_device debug_exit_device = {
	"debug-exit", DEBUG_EXIT_PORT, DEBUG_EXIT_PORT, debug_exit_read, debug_exit_write,
};

void debug_exit_register(void)
{
	vio_register(&debug_exit_device);
}
