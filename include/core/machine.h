/* Ending the run: under an emulator the run ends with a status the rig can
 * see; on hardware the CPU halts. */
#ifndef CORE_MACHINE_H
#define CORE_MACHINE_H

#include "compiler.h"

enum stop_status {
	STOP_OK = 0,
	STOP_FATAL = 1,	    /* the hypervisor cannot run here (e.g. no VT-x) */
	STOP_PANIC = 2,
	STOP_EXCEPTION = 3, /* a CPU exception in the hypervisor */
};

/* Decide once, early, whether we run under an emulator we can end. */
void machine_detect(uint64_t rsdp_phys);
const char *machine_name(void);
/* Print "hv: machine stop, status N", drain the serial port, end the run. */
__noreturn void machine_stop(enum stop_status status);

#endif
