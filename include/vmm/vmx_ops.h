/* The VMX instructions (SDM Vol. 3C chapter 31). Each reports failure
 * through RFLAGS: CF=1 is VMfailInvalid, ZF=1 is VMfailValid with the error
 * number in VMCS_INSTRUCTION_ERROR (31.2). */
#ifndef VMM_VMX_OPS_H
#define VMM_VMX_OPS_H

#include "compiler.h"
#include "vmm/vmcs_fields.h"

/* Returns true on success (neither CF nor ZF set). */
#define VMX_OP_OK(insn, ...)                                                   \
	({                                                                     \
		bool ok_;                                                      \
		__asm__ volatile(insn "; seta %0" : "=qm"(ok_) : __VA_ARGS__ : "cc", "memory"); \
		ok_;                                                           \
	})

static inline bool vmxon(uint64_t phys)
{
	return VMX_OP_OK("vmxon %1", "m"(phys));
}

static inline bool vmclear(uint64_t phys)
{
	return VMX_OP_OK("vmclear %1", "m"(phys));
}

static inline bool vmptrld(uint64_t phys)
{
	return VMX_OP_OK("vmptrld %1", "m"(phys));
}

static inline bool vmcs_write_checked(enum vmcs_field field, uint64_t value)
{
	return VMX_OP_OK("vmwrite %2, %1", "r"((uint64_t)field), "rm"(value));
}

static inline uint64_t vmcs_read(enum vmcs_field field)
{
	uint64_t value;

	__asm__ volatile("vmread %1, %0" : "=rm"(value) : "r"((uint64_t)field) : "cc");
	return value;
}

/* A VMWRITE to the current VMCS can only fail through a bug of ours (a bad
 * field or a read-only one): vmcs_write panics then, naming the field. */
__noreturn void vmcs_write_failed(enum vmcs_field field);

static inline void vmcs_write(enum vmcs_field field, uint64_t value)
{
	if (__builtin_expect(!vmcs_write_checked(field, value), 0))
		vmcs_write_failed(field);
}

struct invept_descriptor {
	uint64_t eptp;
	uint64_t reserved;
};

struct invvpid_descriptor {
	uint64_t vpid;
	uint64_t linear_address;
};

_Static_assert(sizeof(struct invept_descriptor) == 16, "INVEPT descriptor (SDM Vol. 3C 31.3)");
_Static_assert(sizeof(struct invvpid_descriptor) == 16, "INVVPID descriptor (SDM Vol. 3C 31.3)");

#define INVEPT_SINGLE_CONTEXT 1
#define INVEPT_ALL_CONTEXTS 2
#define INVVPID_SINGLE_CONTEXT 1
#define INVVPID_ALL_CONTEXTS 2

static inline bool invept(uint64_t type, uint64_t eptp)
{
	struct invept_descriptor d = { eptp, 0 };

	return VMX_OP_OK("invept %1, %2", "m"(d), "r"(type));
}

static inline bool invvpid(uint64_t type, uint16_t vpid)
{
	struct invvpid_descriptor d = { vpid, 0 };

	return VMX_OP_OK("invvpid %1, %2", "m"(d), "r"(type));
}

#endif
