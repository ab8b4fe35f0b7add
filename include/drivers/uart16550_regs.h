/* The 16550 UART's registers and bits (National PC16550D datasheet,
 * "Registers"): the one copy hv's serial driver (drivers/serial.c) and the
 * guests' UART model (vmm/uart16550.c) both use. */
#ifndef DRIVERS_UART16550_REGS_H
#define DRIVERS_UART16550_REGS_H

/* Register offsets from the base port. */
#define UART16550_RBR 0 /* read, DLAB=0 */
#define UART16550_THR 0 /* write, DLAB=0 */
#define UART16550_DLL 0 /* DLAB=1 */
#define UART16550_IER 1 /* DLAB=0 */
#define UART16550_DLM 1 /* DLAB=1 */
#define UART16550_IIR 2 /* read */
#define UART16550_FCR 2 /* write */
#define UART16550_LCR 3
#define UART16550_MCR 4
#define UART16550_LSR 5
#define UART16550_MSR 6
#define UART16550_SCR 7
#define UART16550_NR_REGS 8

#define IER_ERBFI 0x01 /* received data available (and character timeout) */
#define IER_ETBEI 0x02 /* transmitter holding register empty */
#define IER_ELSI 0x04  /* receiver line status */
#define IER_EDSSI 0x08 /* modem status */
#define IER_MASK 0x0f  /* bits 7:4 are always 0 */

/* IIR: bit 0 clear when an interrupt is pending, bits 3:1 identify the
 * highest-priority one ("Interrupt Identification Register" in the
 * datasheet), bits 7:6 set when FCR bit 0 is. */
#define IIR_NONE 0x01
#define IIR_RLS 0x06
#define IIR_RDA 0x04
#define IIR_TIMEOUT 0x0c
#define IIR_THRE 0x02
#define IIR_MSR 0x00
#define IIR_FIFOS 0xc0

#define FCR_ENABLE 0x01
#define FCR_RX_RESET 0x02
#define FCR_CLEAR_TX 0x04
#define FCR_TRIGGER_MASK 0xc0
#define FCR_TRIGGER_SHIFT 6

#define LCR_8N1 0x03 /* 8 data bits, no parity, 1 stop bit */
#define LCR_DLAB 0x80

#define MCR_DTR 0x01
#define MCR_RTS 0x02
#define MCR_OUT1 0x04
#define MCR_OUT2 0x08
#define MCR_LOOP 0x10
#define MCR_MASK 0x1f /* bits 7:5 are always 0 */

#define LSR_DR 0x01
#define LSR_OE 0x02
#define LSR_ERRORS 0x1e /* OE, PE, FE, BI: the receiver line status source */
#define LSR_THRE 0x20
#define LSR_TEMT 0x40

#define MSR_DCTS 0x01
#define MSR_DDSR 0x02
#define MSR_TERI 0x04
#define MSR_DDCD 0x08
#define MSR_DELTAS 0x0f
#define MSR_CTS 0x10
#define MSR_DSR 0x20
#define MSR_RI 0x40
#define MSR_DCD 0x80
#define MSR_LINES 0xf0
/* Each delta bit sits 4 below the line it watches. */
#define MSR_DELTA_SHIFT 4

#endif
