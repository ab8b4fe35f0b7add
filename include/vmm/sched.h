/* Running the guests side by side on this CPU: round-robin, each vCPU for
 * at most one slice of the VMX-preemption timer at a time. */
#ifndef VMM_SCHED_H
#define VMM_SCHED_H

#include "compiler.h"

struct vm;

/* Run every ready guest of vms[0..n) until all have ended. on_end is called
 * once for each guest as it ends (flush, statistics, memcheck). */
void sched_run(struct vm *vms, size_t n, uint64_t slice_us, void (*on_end)(struct vm *vm));

#endif
