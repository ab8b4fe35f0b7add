#ifndef VMM_RESET_H
#define VMM_RESET_H

/* Ports 0xCF9, 0x64 and 0x92: a guest's reset ends that guest. */
void reset_register(void);

#endif
