/* Saving and restoring FPU/SSE/AVX state with XSAVE (or FXSAVE). */
#include "arch/x86/fpu.h"

#include "arch/x86/cpu.h"
#include "lib/string.h"
#include "mm/layout.h"
#include "mm/mm.h"

#define CPUID1_ECX_XSAVE BIT(26)
#define FXSAVE_SIZE 512
#define XSAVE_ALL_LOW UINT32_MAX
#define XSAVE_ALL_HIGH UINT32_MAX

#define LEAF_XSAVE 0xd

static bool have_xsave;
/* Every state component the CPU has: XSAVE/XRSTOR move only what XCR0
 * enables, and a guest's XCR0 may leave out state it still uses (legacy
 * SSE needs only CR4.OSFXSR), so the switch runs with all of them on. */
static uint64_t xcr0_all;
static size_t area_pages = 1; /* enough for every component (CPUID 0xD.0 ECX) */
/* FXSAVE CPUs: the registers as FNINIT leaves them (an XSAVE area with a
 * zero header means the same thing without an image). */
static uint8_t fx_init_image[FXSAVE_SIZE] __aligned(16);

void fpu_init(void)
{
	have_xsave = cpuid(1, 0).ecx & CPUID1_ECX_XSAVE;
	if (have_xsave) {
		struct cpuid_regs r = cpuid(LEAF_XSAVE, 0);

		xcr0_all = ((uint64_t)r.edx << 32) | r.eax;
		area_pages = (ALIGN_UP((uint64_t)r.ecx, PAGE_SIZE)) / PAGE_SIZE;
	}
	if (!have_xsave)
		__asm__ volatile("fninit; fxsave %0" : "=m"(fx_init_image));
}

bool fpu_has_xsave(void)
{
	return have_xsave;
}

bool fpu_state_alloc(struct fpu_state *st)
{
	st->area_phys = frame_alloc_pages(area_pages, 1);
	if (!st->area_phys)
		return false;
	st->area = phys_to_virt(st->area_phys);
	memset(st->area, 0, area_pages * PAGE_SIZE);
	if (!have_xsave)
		memcpy(st->area, fx_init_image, FXSAVE_SIZE);
	return true;
}

void fpu_state_free(struct fpu_state *st)
{
	if (st->area_phys)
		frame_free_pages(st->area_phys, area_pages);
	st->area_phys = 0;
	st->area = NULL;
}

void fpu_state_load(const struct fpu_state *st, uint64_t xcr0)
{
	if (!have_xsave) {
		__asm__ volatile("fxrstor (%0)" ::"r"(st->area) : "memory");
		return;
	}
	if (xgetbv0() != xcr0_all)
		xsetbv0(xcr0_all);
	__asm__ volatile("xrstor (%0)" ::"r"(st->area), "a"(XSAVE_ALL_LOW), "d"(XSAVE_ALL_HIGH)
			 : "memory");
	if (xcr0 != xcr0_all)
		xsetbv0(xcr0);
}

void fpu_state_save(struct fpu_state *st)
{
	if (have_xsave) {
		if (xgetbv0() != xcr0_all)
			xsetbv0(xcr0_all);
		__asm__ volatile("xsave (%0)" ::"r"(st->area), "a"(XSAVE_ALL_LOW), "d"(XSAVE_ALL_HIGH)
				 : "memory");
	} else
		__asm__ volatile("fxsave (%0)" ::"r"(st->area) : "memory");
}
