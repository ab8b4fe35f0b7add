/* The devices every guest gets. Adding one is a new file and one line here
 * (docs/devices.md). */
#include "vmm/debug_exit.h"
#include "vmm/vio.h"
#include "vmm/vuart.h"

void devices_register(void)
{
	vuart_register();
	debug_exit_register();
}
