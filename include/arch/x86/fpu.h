/* FPU/SSE/AVX register state of a guest vCPU: the hypervisor uses none of
 * it (built with -mno-sse), so guests share the physical registers and each
 * vCPU's state is saved and restored around its time on the CPU (SDM Vol.
 * 1 chapter 13, XSAVE; FXSAVE on CPUs without it). */
#ifndef ARCH_X86_FPU_H
#define ARCH_X86_FPU_H

#include "compiler.h"

struct fpu_state {
	void *area; /* XSAVE- or FXSAVE-format, page-aligned */
	uint64_t area_phys;
};

/* Once per CPU, with CR4.OSFXSR and (when present) OSXSAVE already set. */
void fpu_init(void);
/* A fresh state: every component in its initial configuration. */
bool fpu_state_alloc(struct fpu_state *st);
void fpu_state_free(struct fpu_state *st);
bool fpu_has_xsave(void);
/* Make st the CPU's register state, with XCR0 = xcr0 (XSAVE CPUs). */
void fpu_state_load(const struct fpu_state *st, uint64_t xcr0);
/* Save the CPU's register state into st. */
void fpu_state_save(struct fpu_state *st);

#endif
