/* MMIO emulation: find the device, fetch and decode the instruction, do
 * the access, move past the instruction. */
#include "vmm/mmio.h"

#include "arch/x86/cpu.h"
#include "arch/x86/msr.h"
#include "core/log.h"
#include "lib/string.h"
#include "vmm/guest_walk.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"
#include "vmm/vmcs.h"
#include "vmm/x86_decode.h"

#define MAX_MMIO_DEVICES 8
#define MAX_INSN_BYTES 15

static const struct mmio_device *devices[MAX_MMIO_DEVICES];
static size_t device_count;

void mmio_register(const struct mmio_device *dev)
{
	if (device_count == MAX_MMIO_DEVICES)
		panic("mmio: more than %d MMIO devices", MAX_MMIO_DEVICES);
	devices[device_count++] = dev;
}

static const struct mmio_device *device_at(uint64_t gpa)
{
	for (size_t i = 0; i < device_count; i++)
		if (gpa >= devices[i]->base && gpa - devices[i]->base < devices[i]->size)
			return devices[i];
	return NULL;
}

bool mmio_claims(uint64_t gpa)
{
	return device_at(gpa) != NULL;
}

static bool read_guest_ram(void *ctx, uint64_t gpa, void *buf, size_t len)
{
	const void *src = vm_gpa_to_hva(ctx, gpa, len);

	if (!src)
		return false;
	memcpy(buf, src, len);
	return true;
}

static enum x86_mode code_mode(void)
{
	uint64_t cs_ar = vmcs_read(GUEST_CS_AR);

	if ((vmcs_read(GUEST_IA32_EFER) & EFER_LMA) && (cs_ar & AR_L))
		return X86_MODE_64;
	return cs_ar & AR_DB ? X86_MODE_32 : X86_MODE_16;
}

/* The instruction at CS:RIP, through the guest's own paging. */
static size_t fetch_instruction(struct vcpu *vcpu, uint8_t *bytes)
{
	uint64_t pdpte[GUEST_PAE_PDPTES] = {
		vmcs_read(GUEST_PDPTE0), vmcs_read(GUEST_PDPTE1),
		vmcs_read(GUEST_PDPTE2), vmcs_read(GUEST_PDPTE3),
	};
	struct guest_paging p = {
		.cr0 = vmcs_guest_cr0(), .cr3 = vmcs_read(GUEST_CR3), .cr4 = vmcs_guest_cr4(),
		.efer = vmcs_read(GUEST_IA32_EFER), .pdpte = pdpte,
	};
	uint64_t linear = vmcs_read(GUEST_CS_BASE) + vmcs_read(GUEST_RIP);

	return guest_read_linear(&p, linear, bytes, MAX_INSN_BYTES, read_guest_ram, vcpu->vm);
}

bool mmio_emulate(struct vcpu *vcpu, uint64_t gpa)
{
	const struct mmio_device *dev = device_at(gpa);
	uint8_t bytes[MAX_INSN_BYTES];
	struct x86_insn insn;
	size_t n;
	int err;

	if (!dev)
		return false;
	n = fetch_instruction(vcpu, bytes);
	err = n ? x86_decode(bytes, n, code_mode(), &insn) : X86_ERR_TRUNCATED;
	if (err) {
		vcpu_crash_report(vcpu);
		if (!n)
			vm_stop(vcpu->vm, "%s access at GPA 0x%lx from RIP 0x%lx, which hv cannot "
					  "read through the guest's page tables",
				dev->name, gpa, vmcs_read(GUEST_RIP));
		else
			vm_stop(vcpu->vm, "%s access at GPA 0x%lx by an instruction hv cannot "
					  "decode (first byte 0x%02x of %zu, error %d)",
				dev->name, gpa, bytes[0], n, err);
		return true;
	}
	if (insn.is_write) {
		uint64_t reg = insn.has_imm ? 0 : vcpu_gpr(vcpu, (enum gpr)insn.reg);

		dev->write(vcpu, gpa - dev->base, insn.opsize, x86_write_value(&insn, reg));
	} else {
		uint64_t value = dev->read(vcpu, gpa - dev->base, insn.opsize);

		vcpu_set_gpr(vcpu, (enum gpr)insn.reg,
			     x86_merge_read(&insn, vcpu_gpr(vcpu, (enum gpr)insn.reg), value));
	}
	vcpu_advance_rip(vcpu, insn.length);
	return true;
}
