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

static const struct io_device debug_exit_device = {
	"debug-exit", DEBUG_EXIT_PORT, DEBUG_EXIT_PORT, NULL, debug_exit_write,
};

void debug_exit_register(void)
{
	vio_register(&debug_exit_device);
}
