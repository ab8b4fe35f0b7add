/* Figures from the boot CPU's bring-up that later stages report. */
#ifndef CORE_BOOT_H
#define CORE_BOOT_H

#include "compiler.h"

/* The TSC when the banner, the hypervisor's first line, was printed. */
extern uint64_t boot_banner_tsc;

#endif
