#ifndef VMM_VPIC_IO_H
#define VMM_VPIC_IO_H

/* Ports 0x20-0x21, 0xA0-0xA1 and the ELCR 0x4D0-0x4D1. */
void vpic_register(void);

#endif
