/* 16550 UART driver for the hypervisor's own console. */
#ifndef DRIVERS_SERIAL_H
#define DRIVERS_SERIAL_H

#include "compiler.h"

/* Program COM port 1-4 for 115200 8N1 with FIFOs; returns false (and stays
 * silent) when no UART answers at that port. */
bool serial_init(unsigned int com);
void serial_write(const char *s, size_t len);
/* A byte received on the console, if one is waiting (polled). */
bool serial_read_byte(uint8_t *byte);
/* Wait until the transmitter is empty (LSR.TEMT), so no byte is lost when the
 * machine stops right after. */
void serial_drain(void);

#endif
