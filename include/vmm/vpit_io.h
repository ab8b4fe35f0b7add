#ifndef VMM_VPIT_IO_H
#define VMM_VPIT_IO_H

/* Ports 0x40-0x43 and 0x61. */
void vpit_register(void);

#endif
