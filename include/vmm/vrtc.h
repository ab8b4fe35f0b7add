/* A guest's CMOS RTC (MC146818, ports 0x70/0x71): the time, read-only,
 * in BCD and 24-hour mode; the rest of the 128 bytes of CMOS RAM keep what
 * the guest writes. Pure logic: the caller passes the current Unix time. */
#ifndef VMM_VRTC_H
#define VMM_VRTC_H

#include "compiler.h"
#include "lib/civil.h"

#define VRTC_INDEX_PORT 0x70
#define VRTC_DATA_PORT 0x71
#define VRTC_RAM_SIZE 128

struct vrtc {
	uint8_t index;
	uint8_t ram[VRTC_RAM_SIZE];
};

void vrtc_init(struct vrtc *rtc);
uint8_t vrtc_port_read(struct vrtc *rtc, uint16_t port, uint64_t unix_time);
void vrtc_port_write(struct vrtc *rtc, uint16_t port, uint8_t value);

#endif
