/* The guest's COM1 (0x3F8, IRQ4): a 16550A (vmm/uart16550.c) whose output
 * is printed one whole line at a time, at column 0, as "[NAME] text". */
#ifndef VMM_VUART_H
#define VMM_VUART_H

#include "compiler.h"
#include "vmm/uart16550.h"

#define VUART_LINE_MAX 200

struct vm;

struct vuart {
	struct uart16550 uart;
	char line[VUART_LINE_MAX + 1];
	size_t len;
};

void vuart_init(struct vm *vm);
/* Append guest output (from the UART or the console hypercall). */
void vuart_output(struct vm *vm, const char *data, size_t len);
/* Print what is left of a partial line (when the guest ends). */
void vuart_flush(struct vm *vm);
void vuart_register(void);
/* Would received input interrupt the guest (IER.ERBFI and MCR.OUT2 set)? */
bool vuart_rx_interrupts(const struct vm *vm);

#endif
