/* CPU primitives: CPUID, MSRs, control registers, TSC and friends. */
#ifndef ARCH_X86_CPU_H
#define ARCH_X86_CPU_H

#include "compiler.h"

#define CR0_PE BIT(0)
#define CR0_MP BIT(1)
#define CR0_EM BIT(2)
#define CR0_TS BIT(3)
#define CR0_ET BIT(4)
#define CR0_NE BIT(5)
#define CR0_WP BIT(16)
#define CR0_NW BIT(29)
#define CR0_CD BIT(30)
#define CR0_PG BIT(31)

#define CR4_PAE BIT(5)
#define CR4_PGE BIT(7)
#define CR4_OSFXSR BIT(9)
#define CR4_OSXMMEXCPT BIT(10)
#define CR4_VMXE BIT(13)
#define CR4_PCIDE BIT(17)
#define CR4_OSXSAVE BIT(18)
#define CR4_CET BIT(23)

#define RFLAGS_FIXED1 BIT(1) /* reserved, always 1 */
#define RFLAGS_TF BIT(8)
#define RFLAGS_IF BIT(9)
#define RFLAGS_VM BIT(17)

/* Exception vectors (SDM Vol. 3A table 6-1) */
#define VECTOR_UD 6
#define VECTOR_GP 13
#define VECTOR_PF 14

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

static inline struct cpuid_regs cpuid(uint32_t leaf, uint32_t subleaf)
{
	struct cpuid_regs r;

	__asm__ volatile("cpuid"
			 : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx)
			 : "a"(leaf), "c"(subleaf));
	return r;
}

static inline uint32_t cpuid_max_leaf(void)
{
	return cpuid(0, 0).eax;
}

static inline uint32_t cpuid_max_ext_leaf(void)
{
	return cpuid(0x80000000, 0).eax;
}

static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

static inline void wrmsr(uint32_t msr, uint64_t val)
{
	__asm__ volatile("wrmsr" ::"c"(msr), "a"((uint32_t)val), "d"((uint32_t)(val >> 32)) : "memory");
}

static inline uint64_t rdtsc(void)
{
	uint32_t lo, hi;

	__asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
	return ((uint64_t)hi << 32) | lo;
}

#define DEFINE_CR_ACCESSORS(n)                                              \
	static inline uint64_t read_cr##n(void)                             \
	{                                                                   \
		uint64_t v;                                                 \
		__asm__ volatile("mov %%cr" #n ", %0" : "=r"(v));           \
		return v;                                                   \
	}                                                                   \
	static inline void write_cr##n(uint64_t v)                          \
	{                                                                   \
		__asm__ volatile("mov %0, %%cr" #n ::"r"(v) : "memory");    \
	}
DEFINE_CR_ACCESSORS(0)
DEFINE_CR_ACCESSORS(2)
DEFINE_CR_ACCESSORS(3)
DEFINE_CR_ACCESSORS(4)
#undef DEFINE_CR_ACCESSORS

/* Debug registers DR0-DR3 and DR6 (DR7 lives in the VMCS). */
#define DEFINE_DR_ACCESSORS(n)                                              \
	static inline uint64_t read_dr##n(void)                             \
	{                                                                   \
		uint64_t v;                                                 \
		__asm__ volatile("mov %%db" #n ", %0" : "=r"(v));           \
		return v;                                                   \
	}                                                                   \
	static inline void write_dr##n(uint64_t v)                          \
	{                                                                   \
		__asm__ volatile("mov %0, %%db" #n ::"r"(v));               \
	}
DEFINE_DR_ACCESSORS(0)
DEFINE_DR_ACCESSORS(1)
DEFINE_DR_ACCESSORS(2)
DEFINE_DR_ACCESSORS(3)
DEFINE_DR_ACCESSORS(6)
#undef DEFINE_DR_ACCESSORS

/* XCR0, the XSAVE feature mask (needs CR4.OSXSAVE). */
static inline uint64_t xgetbv0(void)
{
	uint32_t lo, hi;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
	return ((uint64_t)hi << 32) | lo;
}

static inline void xsetbv0(uint64_t value)
{
	__asm__ volatile("xsetbv" ::"c"(0), "a"((uint32_t)value), "d"((uint32_t)(value >> 32)));
}

static inline uint64_t read_rflags(void)
{
	uint64_t v;

	__asm__ volatile("pushfq; popq %0" : "=r"(v));
	return v;
}

static inline void invlpg(const void *va)
{
	__asm__ volatile("invlpg (%0)" ::"r"(va) : "memory");
}

static inline void cpu_relax(void)
{
	__asm__ volatile("pause" ::: "memory");
}

static inline void irq_disable(void)
{
	__asm__ volatile("cli" ::: "memory");
}

static inline void irq_enable(void)
{
	__asm__ volatile("sti" ::: "memory");
}

static inline void halt(void)
{
	__asm__ volatile("hlt" ::: "memory");
}

/* CPUID feature bits used by more than one file. */
#define CPUID1_ECX_VMX BIT(5)
#define CPUID1_ECX_X2APIC BIT(21)
#define CPUID1_ECX_TSC_DEADLINE BIT(24)
#define CPUID1_ECX_HYPERVISOR BIT(31)
#define CPUID1_EDX_APIC BIT(9)
#define CPUID80000001_EDX_NX BIT(20)
#define CPUID80000001_EDX_PDPE1GB BIT(26)
#define CPUID80000001_EDX_LM BIT(29)
#define CPUID80000007_EDX_INVARIANT_TSC BIT(8)

static inline bool cpu_has_nx(void)
{
	return cpuid_max_ext_leaf() >= 0x80000001 &&
	       (cpuid(0x80000001, 0).edx & CPUID80000001_EDX_NX);
}

static inline bool cpu_has_1g_pages(void)
{
	return cpuid_max_ext_leaf() >= 0x80000001 &&
	       (cpuid(0x80000001, 0).edx & CPUID80000001_EDX_PDPE1GB);
}

#endif
