/* The devices every guest gets. Adding one is a new file and one line here
 * (docs/devices.md). */
#include "vmm/debug_exit.h"
#include "vmm/lapic.h"
#include "vmm/reset.h"
#include "vmm/vio.h"
#include "vmm/vpic_io.h"
#include "vmm/vpit_io.h"
#include "vmm/vrtc_io.h"
#include "vmm/vuart.h"

void devices_register(void)
{
	vuart_register();
	debug_exit_register();
	vpic_register();
	vpit_register();
	lapic_register();
	vrtc_register();
	reset_register();
}
