/* The PC's ways to reset: port 0xCF9 (RST_CPU), the keyboard controller's
 * pulse (0xFE to port 0x64) and port 0x92's fast reset. A guest using one
 * ends, named as such; nothing reaches the real machine. */
#include "vmm/reset.h"

#include "vmm/vio.h"
#include "vmm/vm.h"

#define RESET_CONTROL_PORT 0xcf9
#define RST_CPU 0x04
#define KBC_COMMAND_PORT 0x64
#define KBC_PULSE_RESET 0xfe
#define SYSTEM_CONTROL_A_PORT 0x92
#define FAST_RESET 0x01

static uint32_t no_device(struct vm *vm, uint16_t port, unsigned int size)
{
	(void)vm;
	(void)port;
	(void)size;
	return UINT32_MAX;
}

static void reset_write(struct vm *vm, uint16_t port, unsigned int size, uint32_t value)
{
	(void)size;
	if (port == RESET_CONTROL_PORT && (value & RST_CPU))
		vm_stop(vm, "reset through port 0xCF9 (0x%x)", value);
	else if (port == KBC_COMMAND_PORT && value == KBC_PULSE_RESET)
		vm_stop(vm, "reset through the keyboard controller (0xFE to port 0x64)");
	else if (port == SYSTEM_CONTROL_A_PORT && (value & FAST_RESET))
		vm_stop(vm, "reset through port 0x92 (fast reset)");
}

static const struct io_device reset_control = {
	"reset control", RESET_CONTROL_PORT, RESET_CONTROL_PORT, no_device, reset_write,
};
static const struct io_device kbc_command = {
	"keyboard controller", KBC_COMMAND_PORT, KBC_COMMAND_PORT, no_device, reset_write,
};
static const struct io_device system_control_a = {
	"system control A", SYSTEM_CONTROL_A_PORT, SYSTEM_CONTROL_A_PORT, no_device, reset_write,
};

void reset_register(void)
{
	vio_register(&reset_control);
	vio_register(&kbc_command);
	vio_register(&system_control_a);
}
