/* Port I/O for guests. Every port traps; a device claims a range of ports
 * with vio_register(). A port nobody claims reads as all ones and ignores
 * writes (said once per port and guest), so nothing a guest does reaches
 * the real hardware. See docs/devices.md. */
#ifndef VMM_VIO_H
#define VMM_VIO_H

#include "compiler.h"

struct vm;

struct io_device {
	const char *name;
	uint16_t first, last; /* inclusive */
	/* size is 1, 2 or 4 bytes; port lies in [first, last] */
	uint32_t (*read)(struct vm *vm, uint16_t port, unsigned int size);
	void (*write)(struct vm *vm, uint16_t port, unsigned int size, uint32_t value);
};

void vio_register(const struct io_device *dev);
/* Register every device the hypervisor emulates (vmm/devices.c). */
void devices_register(void);

uint32_t vio_read(struct vm *vm, uint16_t port, unsigned int size);
void vio_write(struct vm *vm, uint16_t port, unsigned int size, uint32_t value);

#endif
