/* 16550 UART driver for the hypervisor's own console. */
#ifndef DRIVERS_SERIAL_H
#define DRIVERS_SERIAL_H

#include "compiler.h"

/* Program COM port 1-4 for 115200 8N1 with FIFOs; returns false (and stays
 * silent) when no UART answers at that port. */
bool serial_init(unsigned int com);
/* Queue output; it goes out as the UART has room (serial_pump). */
void serial_write(const char *s, size_t len);
/* Move queued output into the UART if its transmitter is empty; cheap,
 * never waits. Called wherever the hypervisor has a moment. */
void serial_pump(void);
/* Every write waits until it is out (make bench times serial lines). */
void serial_set_synchronous(bool on);
/* Is output still waiting for the UART? */
bool serial_busy(void);
/* A byte received on the console, if one is waiting (polled). */
bool serial_read_byte(uint8_t *byte);
/* Wait until the transmitter is empty (LSR.TEMT), so no byte is lost when the
 * machine stops right after. */
void serial_drain(void);

#endif
