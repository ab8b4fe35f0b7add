/* A guest's pair of 8259A interrupt controllers, as wired in a PC: the master
 * at ports 0x20/0x21 (IRQ0-7), the slave at 0xA0/0xA1 (IRQ8-15) cascaded on
 * the master's IR2, and the EISA edge/level control registers (ELCR) at
 * 0x4D0/0x4D1. A pure state machine: the caller feeds it port accesses and
 * IRQ line levels, and injects a vector when vpic_output() says so. */
#ifndef VMM_VPIC_H
#define VMM_VPIC_H

#include "compiler.h"

#define VPIC_MASTER_CMD 0x20
#define VPIC_MASTER_DATA 0x21
#define VPIC_SLAVE_CMD 0xa0
#define VPIC_SLAVE_DATA 0xa1
#define VPIC_ELCR_MASTER 0x4d0
#define VPIC_ELCR_SLAVE 0x4d1
#define VPIC_IRQS 16

/* One 8259A. */
struct vpic_chip {
	uint8_t irr;           /* interrupt request register */
	uint8_t isr;           /* in-service register */
	uint8_t imr;           /* interrupt mask register (OCW1) */
	uint8_t lines;         /* the IR input levels last seen, for edge detection */
	uint8_t elcr;          /* 1 = that IR is level-triggered (ELCR) */
	uint8_t vector_base;   /* ICW2 bits 7-3 */
	uint8_t top_priority;  /* the IR with the highest priority (0 until rotated) */
	uint8_t icw_next;      /* the ICW the data port expects next, 0 when initialized */
	bool icw4_expected;    /* ICW1 IC4 */
	bool single;           /* ICW1 SNGL: no ICW3 */
	bool cascade;          /* master: ICW3 has IR2, so the slave supplies IR2's vector */
	bool level_all;        /* ICW1 LTIM: every IR level-triggered */
	bool auto_eoi;         /* ICW4 AEOI */
	bool rotate_on_aeoi;   /* OCW2 "rotate in automatic EOI mode" */
	bool fully_nested;     /* ICW4 SFNM: the master's IR2 in service does not block the slave */
	bool read_isr;         /* OCW3 RR/RIS: the command port reads ISR, else IRR */
	bool poll;             /* OCW3 P: the next read is a poll */
	bool special_mask;     /* OCW3 SMM */
};

struct vpic {
	struct vpic_chip master, slave;
};

/* As a PC BIOS leaves the pair (vector bases 0x08 and 0x70, cascade on IR2,
 * 8086 mode, normal EOI), but with every IRQ masked. */
void vpic_init(struct vpic *pic);
/* port: VPIC_MASTER_CMD, VPIC_MASTER_DATA, VPIC_SLAVE_CMD, VPIC_SLAVE_DATA,
 * VPIC_ELCR_MASTER or VPIC_ELCR_SLAVE; others are ignored (read 0xff). */
void vpic_port_write(struct vpic *pic, uint16_t port, uint8_t value);
uint8_t vpic_port_read(struct vpic *pic, uint16_t port);
/* The level of IRQ line irq (0-15; others, and 2, the cascade, are ignored).
 * An edge-triggered line requests on a rising edge only: to pulse it, set it
 * true then false. A level-triggered one (ELCR) requests while true. */
void vpic_set_irq(struct vpic *pic, unsigned int irq, bool level);
/* The master's INT pin: an unmasked request of higher priority than any in
 * service. Inject (when the guest can take it) the vector vpic_acknowledge()
 * returns. */
bool vpic_output(const struct vpic *pic);
/* The INTA cycles: the vector of the highest-priority request, moved from IRR
 * to ISR (unless in auto-EOI). With nothing to deliver, the spurious IRQ7 (or
 * IRQ15 from the slave) vector, and no ISR bit on that chip. */
uint8_t vpic_acknowledge(struct vpic *pic);

#endif
