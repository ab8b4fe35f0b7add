/* The console's input side: bytes typed on the real serial port go to the
 * guest that has the focus; Ctrl-A three times in a row moves the focus to
 * the next guest (as Xen's console does), announced on the console. */
#ifndef VMM_CONSOLE_H
#define VMM_CONSOLE_H

#include "compiler.h"

struct vm;

#define CONSOLE_SWITCH_CHAR 0x01 /* Ctrl-A */
#define CONSOLE_SWITCH_COUNT 3

/* Start with the focus on the first running guest. */
void console_input_init(struct vm *vms, size_t n);
/* Move what the real serial port has received to the focused guest's
 * UART; true if a guest got input (it may want to wake up). */
bool console_input_poll(void);

#endif
