#ifndef VMM_VRTC_IO_H
#define VMM_VRTC_IO_H

/* Ports 0x70-0x71, the time read once from the machine's clock. */
void vrtc_register(void);

#endif
