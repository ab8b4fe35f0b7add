/* Port I/O dispatch and the exit handler for I/O instructions. */
#include "vmm/vio.h"

#include "core/log.h"
#include "vmm/exit.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"
#include "vmm/vmx_ops.h"

#define MAX_IO_DEVICES 24

static const struct io_device *devices[MAX_IO_DEVICES];
static size_t device_count;

void vio_register(const struct io_device *dev)
{
	if (device_count == MAX_IO_DEVICES)
		panic("vio: more than %d port I/O devices", MAX_IO_DEVICES);
	devices[device_count++] = dev;
}

static const struct io_device *device_at(uint16_t port)
{
	for (size_t i = 0; i < device_count; i++)
		if (port >= devices[i]->first && port <= devices[i]->last)
			return devices[i];
	return NULL;
}

static uint32_t size_mask(unsigned int size)
{
	return size == 4 ? UINT32_MAX : (1u << (8 * size)) - 1;
}

static void note_unclaimed(struct vm *vm, uint16_t port, bool in)
{
	uint8_t bit = (uint8_t)(1u << (port % 8));

	if (vm->ports_logged[port / 8] & bit)
		return;
	vm->ports_logged[port / 8] |= bit;
	vm_log(vm, "port 0x%x %s: no such device (reads all ones, writes ignored; said once)",
	       port, in ? "read" : "written");
}

uint32_t vio_read(struct vm *vm, uint16_t port, unsigned int size)
{
	const struct io_device *dev = device_at(port);

	if (dev && dev->read)
		return dev->read(vm, port, size) & size_mask(size);
	note_unclaimed(vm, port, true);
	return size_mask(size);
}

void vio_write(struct vm *vm, uint16_t port, unsigned int size, uint32_t value)
{
	const struct io_device *dev = device_at(port);

	if (dev && dev->write)
		dev->write(vm, port, size, value & size_mask(size));
	else
		note_unclaimed(vm, port, false);
}

/* IN and OUT with a byte, word or dword (SDM Vol. 3C table 28-5). IN to
 * AL/AX keeps the rest of RAX; IN to EAX zero-extends, as in 64-bit mode. */
void exit_io(struct vcpu *vcpu, uint64_t qual)
{
	unsigned int size = (unsigned int)(qual & IO_QUAL_SIZE_MASK) + 1;
	uint16_t port = (uint16_t)(qual >> IO_QUAL_PORT_SHIFT);
	uint64_t *rax = &vcpu->regs.gpr[GPR_RAX];

	if (qual & IO_QUAL_STRING) {
		vcpu_crash_report(vcpu);
		vm_stop(vcpu->vm, "string I/O (INS/OUTS) on port 0x%x is not emulated", port);
		return;
	}
	if (qual & IO_QUAL_IN) {
		uint32_t v = vio_read(vcpu->vm, port, size);

		*rax = size == 4 ? v : (*rax & ~(uint64_t)size_mask(size)) | v;
	} else {
		vio_write(vcpu->vm, port, size, (uint32_t)*rax);
	}
	if (!vm_done(vcpu->vm))
		vcpu_skip_instruction(vcpu);
}
