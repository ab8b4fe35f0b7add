/* All guests of this boot: one per GRUB module (docs/guests.md). */
#ifndef VMM_GUESTS_H
#define VMM_GUESTS_H

#include "boot/bootinfo.h"
#include "core/cmdline.h"

/* Load every guest, run them one after another in module order, print one
 * summary line per guest. With opts->memcheck, verify afterwards that
 * neither the hypervisor's text nor any guest's memory changed after that
 * guest ended; with opts->watchdog_ms, stop a guest that uses more CPU time. */
void guests_run(const struct boot_info *bi, const struct hv_options *opts);

#endif
