/* Emulated memory-mapped devices: guest-physical ranges outside RAM that
 * EPT leaves unmapped, so every access exits as an EPT violation; the
 * faulting instruction is fetched through the guest's page tables and
 * decoded (vmm/x86_decode.c), then the access is done by the device. */
#ifndef VMM_MMIO_H
#define VMM_MMIO_H

#include "compiler.h"

struct vcpu;

struct mmio_device {
	const char *name;
	uint64_t base, size;
	/* offset into the range, size 1/2/4/8 bytes */
	uint64_t (*read)(struct vcpu *vcpu, uint64_t offset, unsigned int size);
	void (*write)(struct vcpu *vcpu, uint64_t offset, unsigned int size, uint64_t value);
};

void mmio_register(const struct mmio_device *dev);
/* Does a device claim gpa? */
bool mmio_claims(uint64_t gpa);
/* Emulate the access at gpa that just caused an EPT violation. Returns
 * false if no device claims gpa (the caller reports the violation). */
bool mmio_emulate(struct vcpu *vcpu, uint64_t gpa);

#endif
