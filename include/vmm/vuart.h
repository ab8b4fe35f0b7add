/* The guest's COM1 (0x3F8): transmit only for now. Each guest line is
 * printed whole, at column 0, as "[NAME] text". */
#ifndef VMM_VUART_H
#define VMM_VUART_H

#include "compiler.h"

#define VUART_LINE_MAX 200

struct vm;

struct vuart {
	char line[VUART_LINE_MAX + 1];
	size_t len;
	uint8_t lcr, ier, mcr, scr, dll, dlm;
};

/* Append guest output (from the UART or the console hypercall). */
void vuart_output(struct vm *vm, const char *data, size_t len);
/* Print what is left of a partial line (when the guest ends). */
void vuart_flush(struct vm *vm);
void vuart_register(void);

#endif
