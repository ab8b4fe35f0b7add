/* A guest's cascaded 8259A pair (Intel 8259A datasheet, order 231468; the
 * ELCR as in the Intel 82374EB EISA system component). Edge cases follow the
 * datasheet, or Bochs and QEMU where it is silent. */
#include "vmm/vpic.h"

#define IRS_PER_CHIP 8
#define IR_MASK (IRS_PER_CHIP - 1)
#define CASCADE_IR 2        /* the slave's INT drives the master's IR2 */
#define SPURIOUS_IR 7       /* what an INTA with nothing to deliver returns */
#define PRIORITY_NONE IRS_PER_CHIP
#define NO_IRQ (-1)

/* PC BIOS defaults (IBM PC/AT technical reference). */
#define BIOS_MASTER_BASE 0x08
#define BIOS_SLAVE_BASE 0x70
#define ALL_IRS 0xff
#define OPEN_BUS 0xff /* what a read of no register returns */

#define ICW1_IC4 0x01       /* ICW4 follows */
#define ICW1_SNGL 0x02      /* single 8259A: no ICW3 */
#define ICW1_LTIM 0x08      /* level-triggered inputs */
#define ICW1_SELECT 0x10    /* a command-port write with D4 set is ICW1 */
#define ICW2_BASE_MASK 0xf8 /* T7-T3; the IR number fills bits 2-0 */
#define ICW4_AEOI 0x02
#define ICW4_SFNM 0x10

#define OCW3_SELECT 0x08    /* D4-D3 = 01 */
#define OCW3_RIS 0x01
#define OCW3_RR 0x02
#define OCW3_POLL 0x04
#define OCW3_SMM 0x20
#define OCW3_ESMM 0x40
#define OCW2_CMD_SHIFT 5    /* R, SL, EOI in bits 7-5 */
#define OCW2_LEVEL_MASK 0x07
#define POLL_INT 0x80       /* poll word: I bit, with the level in bits 2-0 */

/* OCW2 R/SL/EOI (datasheet figure 9). */
enum ocw2_cmd {
	OCW2_CLEAR_ROTATE_AEOI = 0,
	OCW2_NONSPECIFIC_EOI = 1,
	OCW2_NOP = 2,
	OCW2_SPECIFIC_EOI = 3,
	OCW2_SET_ROTATE_AEOI = 4,
	OCW2_ROTATE_NONSPECIFIC_EOI = 5,
	OCW2_SET_PRIORITY = 6,
	OCW2_ROTATE_SPECIFIC_EOI = 7,
};

/* The ICW the data port expects next. */
enum { ICW_DONE = 0, ICW_2, ICW_3, ICW_4 };

/* ELCR bits that exist: IRQ0-2, 8 and 13 are always edge-triggered. */
#define ELCR_MASTER_MASK 0xf8
#define ELCR_SLAVE_MASK 0xde

static uint8_t ir_bit(unsigned int ir)
{
	return (uint8_t)(1u << ir);
}

static uint8_t level_mask(const struct vpic_chip *c)
{
	return c->level_all ? ALL_IRS : c->elcr;
}

static unsigned int ir_at_priority(const struct vpic_chip *c, unsigned int p)
{
	return (p + c->top_priority) & IR_MASK;
}

/* 0 (highest) to 7 for the best IR in mask, PRIORITY_NONE for an empty one. */
static unsigned int priority_of(const struct vpic_chip *c, uint8_t mask)
{
	for (unsigned int p = 0; p < IRS_PER_CHIP; p++) {
		if (mask & ir_bit(ir_at_priority(c, p)))
			return p;
	}
	return PRIORITY_NONE;
}

/* The IR this chip would interrupt for, or NO_IRQ. In special mask mode
 * every unmasked level not in service may interrupt; in special fully nested
 * mode the master's IR2 in service does not block the slave's IR2 again. */
static int chip_pending(const struct vpic_chip *c, bool master)
{
	uint8_t requests = c->irr & (uint8_t)~c->imr;
	uint8_t blocking = c->isr;
	unsigned int p, in_service;

	if (c->special_mask) {
		requests &= (uint8_t)~c->isr;
		blocking = 0;
	}
	p = priority_of(c, requests);
	if (p == PRIORITY_NONE)
		return NO_IRQ;
	in_service = priority_of(c, blocking);
	if (p < in_service)
		return (int)ir_at_priority(c, p);
	if (master && c->fully_nested && p == in_service &&
	    ir_at_priority(c, p) == CASCADE_IR)
		return CASCADE_IR;
	return NO_IRQ;
}

/* An edge-triggered IR requests on a rising edge; a level-triggered one
 * requests while high. */
static void chip_set_line(struct vpic_chip *c, unsigned int ir, bool level)
{
	uint8_t bit = ir_bit(ir);

	if (level_mask(c) & bit) {
		if (level)
			c->irr |= bit;
		else
			c->irr &= (uint8_t)~bit;
	} else if (level && !(c->lines & bit)) {
		c->irr |= bit;
	}
	if (level)
		c->lines |= bit;
	else
		c->lines &= (uint8_t)~bit;
}

static void update_cascade(struct vpic *pic)
{
	chip_set_line(&pic->master, CASCADE_IR, chip_pending(&pic->slave, false) != NO_IRQ);
}

/* INTA (or a poll): IRR to ISR, or no ISR bit in auto-EOI mode. */
static void chip_ack(struct vpic_chip *c, unsigned int ir)
{
	uint8_t bit = ir_bit(ir);

	if (!(level_mask(c) & bit))
		c->irr &= (uint8_t)~bit;
	if (!c->auto_eoi)
		c->isr |= bit;
	else if (c->rotate_on_aeoi)
		c->top_priority = (uint8_t)((ir + 1) & IR_MASK);
}

/* ICW1 resets the chip: IMR and ISR cleared, IR0 highest priority, special
 * mask mode off, IRR selected for reading, ICW4 functions zero; the edge
 * sense latches reset, so a line already high must go low first. */
static void write_icw1(struct vpic_chip *c, uint8_t value)
{
	c->isr = 0;
	c->imr = 0;
	c->top_priority = 0;
	c->icw4_expected = value & ICW1_IC4;
	c->single = value & ICW1_SNGL;
	c->level_all = value & ICW1_LTIM;
	c->cascade = false;
	c->auto_eoi = false;
	c->rotate_on_aeoi = false;
	c->fully_nested = false;
	c->read_isr = false;
	c->poll = false;
	c->special_mask = false;
	c->icw_next = ICW_2;
	c->irr &= level_mask(c) & c->lines;
}

static void eoi(struct vpic_chip *c, unsigned int ir, bool rotate)
{
	c->isr &= (uint8_t)~ir_bit(ir);
	if (rotate)
		c->top_priority = (uint8_t)((ir + 1) & IR_MASK);
}

static void write_ocw2(struct vpic_chip *c, uint8_t value)
{
	enum ocw2_cmd cmd = (enum ocw2_cmd)(value >> OCW2_CMD_SHIFT);
	unsigned int level = value & OCW2_LEVEL_MASK;
	unsigned int p;

	switch (cmd) {
	case OCW2_CLEAR_ROTATE_AEOI:
	case OCW2_SET_ROTATE_AEOI:
		c->rotate_on_aeoi = cmd == OCW2_SET_ROTATE_AEOI;
		break;
	case OCW2_NONSPECIFIC_EOI:
	case OCW2_ROTATE_NONSPECIFIC_EOI:
		p = priority_of(c, c->isr);
		if (p != PRIORITY_NONE)
			eoi(c, ir_at_priority(c, p), cmd == OCW2_ROTATE_NONSPECIFIC_EOI);
		break;
	case OCW2_SPECIFIC_EOI:
	case OCW2_ROTATE_SPECIFIC_EOI:
		eoi(c, level, cmd == OCW2_ROTATE_SPECIFIC_EOI);
		break;
	case OCW2_SET_PRIORITY: /* level becomes the lowest priority */
		c->top_priority = (uint8_t)((level + 1) & IR_MASK);
		break;
	case OCW2_NOP:
		break;
	}
}

static void write_ocw3(struct vpic_chip *c, uint8_t value)
{
	if (value & OCW3_POLL)
		c->poll = true;
	if (value & OCW3_RR)
		c->read_isr = value & OCW3_RIS;
	if (value & OCW3_ESMM)
		c->special_mask = value & OCW3_SMM;
}

static void write_command(struct vpic_chip *c, uint8_t value)
{
	if (value & ICW1_SELECT)
		write_icw1(c, value);
	else if (value & OCW3_SELECT)
		write_ocw3(c, value);
	else
		write_ocw2(c, value);
}

/* ICW2-ICW4 while initializing, OCW1 (the IMR) after. Of the master's ICW3
 * (its IRs with a slave) only IR2, where the slave is wired, counts; a slave's
 * ICW3 (its ID) is not checked. ICW4's
 * uPM, BUF and M/S bits are not emulated: vectors are always 8086 style. */
static void write_data(struct vpic_chip *c, bool master, uint8_t value)
{
	switch (c->icw_next) {
	case ICW_2:
		c->vector_base = value & ICW2_BASE_MASK;
		if (!c->single)
			c->icw_next = ICW_3;
		else
			c->icw_next = c->icw4_expected ? ICW_4 : ICW_DONE;
		break;
	case ICW_3:
		if (master)
			c->cascade = value & ir_bit(CASCADE_IR);
		c->icw_next = c->icw4_expected ? ICW_4 : ICW_DONE;
		break;
	case ICW_4:
		c->auto_eoi = value & ICW4_AEOI;
		c->fully_nested = value & ICW4_SFNM;
		c->icw_next = ICW_DONE;
		break;
	default:
		c->imr = value;
		break;
	}
}

/* A poll acknowledges like INTA, on this chip only. */
static uint8_t poll(struct vpic_chip *c, bool master)
{
	int ir = chip_pending(c, master);

	c->poll = false;
	if (ir == NO_IRQ)
		return 0;
	chip_ack(c, (unsigned int)ir);
	return (uint8_t)(POLL_INT | ir);
}

static void chip_init(struct vpic_chip *c, uint8_t vector_base)
{
	*c = (struct vpic_chip){
		.vector_base = vector_base,
		.imr = ALL_IRS,
		.icw_next = ICW_DONE,
	};
}

void vpic_init(struct vpic *pic)
{
	chip_init(&pic->master, BIOS_MASTER_BASE);
	chip_init(&pic->slave, BIOS_SLAVE_BASE);
	pic->master.cascade = true;
}

void vpic_port_write(struct vpic *pic, uint16_t port, uint8_t value)
{
	switch (port) {
	case VPIC_MASTER_CMD:
		write_command(&pic->master, value);
		break;
	case VPIC_MASTER_DATA:
		write_data(&pic->master, true, value);
		break;
	case VPIC_SLAVE_CMD:
		write_command(&pic->slave, value);
		break;
	case VPIC_SLAVE_DATA:
		write_data(&pic->slave, false, value);
		break;
	case VPIC_ELCR_MASTER:
		pic->master.elcr = value & ELCR_MASTER_MASK;
		break;
	case VPIC_ELCR_SLAVE:
		pic->slave.elcr = value & ELCR_SLAVE_MASK;
		break;
	default:
		return;
	}
	update_cascade(pic);
}

static uint8_t chip_read(struct vpic_chip *c, bool master, bool data_port)
{
	if (c->poll)
		return poll(c, master);
	if (data_port)
		return c->imr;
	return c->read_isr ? c->isr : c->irr;
}

uint8_t vpic_port_read(struct vpic *pic, uint16_t port)
{
	uint8_t value;

	switch (port) {
	case VPIC_MASTER_CMD:
	case VPIC_MASTER_DATA:
		value = chip_read(&pic->master, true, port == VPIC_MASTER_DATA);
		break;
	case VPIC_SLAVE_CMD:
	case VPIC_SLAVE_DATA:
		value = chip_read(&pic->slave, false, port == VPIC_SLAVE_DATA);
		break;
	case VPIC_ELCR_MASTER:
		return pic->master.elcr;
	case VPIC_ELCR_SLAVE:
		return pic->slave.elcr;
	default:
		return OPEN_BUS;
	}
	update_cascade(pic);
	return value;
}

/* IRQ2 is the cascade on a PC, not an input of its own. */
void vpic_set_irq(struct vpic *pic, unsigned int irq, bool level)
{
	if (irq >= VPIC_IRQS || irq == CASCADE_IR)
		return;
	if (irq < IRS_PER_CHIP)
		chip_set_line(&pic->master, irq, level);
	else
		chip_set_line(&pic->slave, irq - IRS_PER_CHIP, level);
	update_cascade(pic);
}

bool vpic_output(const struct vpic *pic)
{
	return chip_pending(&pic->master, true) != NO_IRQ;
}

uint8_t vpic_acknowledge(struct vpic *pic)
{
	int ir = chip_pending(&pic->master, true);
	int slave_ir;
	uint8_t vector;

	if (ir == NO_IRQ)
		return pic->master.vector_base | SPURIOUS_IR;
	if (ir == CASCADE_IR && pic->master.cascade) {
		slave_ir = chip_pending(&pic->slave, false);
		if (slave_ir == NO_IRQ) {
			vector = pic->slave.vector_base | SPURIOUS_IR;
		} else {
			vector = (uint8_t)(pic->slave.vector_base | slave_ir);
			chip_ack(&pic->slave, (unsigned int)slave_ir);
		}
	} else {
		vector = (uint8_t)(pic->master.vector_base | ir);
	}
	chip_ack(&pic->master, (unsigned int)ir);
	update_cascade(pic);
	return vector;
}
