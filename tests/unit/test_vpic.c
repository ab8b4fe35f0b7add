#include "vmm/vpic.h"
#include "test.h"

#define MASTER_BASE 0x20
#define SLAVE_BASE 0x28
#define OCW3_READ_IRR 0x0a
#define OCW3_READ_ISR 0x0b
#define OCW3_POLL 0x0c
#define EOI 0x20
#define SPECIFIC_EOI 0x60

/* Linux's init_8259A(): mask all, ICW1-ICW4 on both chips, then the masks. */
static void linux_init(struct vpic *pic, uint8_t icw4, uint8_t master_mask, uint8_t slave_mask)
{
	vpic_init(pic);
	vpic_port_write(pic, 0x21, 0xff);
	vpic_port_write(pic, 0x20, 0x11);
	vpic_port_write(pic, 0x21, MASTER_BASE);
	vpic_port_write(pic, 0x21, 0x04);
	vpic_port_write(pic, 0x21, icw4);
	vpic_port_write(pic, 0xa0, 0x11);
	vpic_port_write(pic, 0xa1, SLAVE_BASE);
	vpic_port_write(pic, 0xa1, 0x02);
	vpic_port_write(pic, 0xa1, icw4);
	vpic_port_write(pic, 0x21, master_mask);
	vpic_port_write(pic, 0xa1, slave_mask);
}

static void pulse(struct vpic *pic, unsigned int irq)
{
	vpic_set_irq(pic, irq, true);
	vpic_set_irq(pic, irq, false);
}

static uint8_t read_reg(struct vpic *pic, uint16_t cmd_port, uint8_t ocw3)
{
	vpic_port_write(pic, cmd_port, ocw3);
	return vpic_port_read(pic, cmd_port);
}

TEST(vpic_init_state_all_masked)
{
	struct vpic pic;

	vpic_init(&pic);
	CHECK_EQ(vpic_port_read(&pic, 0x21), 0xff);
	CHECK_EQ(vpic_port_read(&pic, 0xa1), 0xff);
	pulse(&pic, 0);
	CHECK(!vpic_output(&pic));
	vpic_port_write(&pic, 0x21, 0xfe);
	CHECK(vpic_output(&pic));
	CHECK_EQ(vpic_acknowledge(&pic), 0x08); /* the BIOS's base */
}

TEST(vpic_linux_init_sequence)
{
	struct vpic pic;

	linux_init(&pic, 0x01, 0xfb, 0xff);
	CHECK_EQ(vpic_port_read(&pic, 0x21), 0xfb);
	CHECK_EQ(vpic_port_read(&pic, 0xa1), 0xff);
	CHECK_EQ(read_reg(&pic, 0x20, OCW3_READ_IRR), 0);
	CHECK_EQ(read_reg(&pic, 0x20, OCW3_READ_ISR), 0);
	CHECK(!vpic_output(&pic));
}

TEST(vpic_irq0_delivery_and_eoi)
{
	struct vpic pic;

	linux_init(&pic, 0x01, 0xfa, 0xff);
	pulse(&pic, 0);
	CHECK(vpic_output(&pic));
	CHECK_EQ(vpic_acknowledge(&pic), MASTER_BASE);
	CHECK(!vpic_output(&pic));
	CHECK_EQ(read_reg(&pic, 0x20, OCW3_READ_ISR), 0x01);
	/* A second tick while the first is in service waits in IRR. */
	pulse(&pic, 0);
	CHECK(!vpic_output(&pic));
	CHECK_EQ(read_reg(&pic, 0x20, OCW3_READ_IRR), 0x01);
	vpic_port_write(&pic, 0x20, EOI);
	CHECK(vpic_output(&pic));
	CHECK_EQ(vpic_acknowledge(&pic), MASTER_BASE);
	vpic_port_write(&pic, 0x20, EOI);
	CHECK(!vpic_output(&pic));
	CHECK_EQ(read_reg(&pic, 0x20, OCW3_READ_ISR), 0);
}

TEST(vpic_edge_needs_a_low_first)
{
	struct vpic pic;

	linux_init(&pic, 0x01, 0x00, 0x00);
	vpic_set_irq(&pic, 0, true);
	CHECK_EQ(vpic_acknowledge(&pic), MASTER_BASE);
	vpic_port_write(&pic, 0x20, EOI);
	vpic_set_irq(&pic, 0, true); /* still high: no new edge */
	CHECK(!vpic_output(&pic));
	vpic_set_irq(&pic, 0, false);
	vpic_set_irq(&pic, 0, true);
	CHECK(vpic_output(&pic));
}

TEST(vpic_priority_irq0_over_irq4)
{
	struct vpic pic;

	linux_init(&pic, 0x01, 0x00, 0xff);
	pulse(&pic, 4);
	pulse(&pic, 0);
	CHECK_EQ(vpic_acknowledge(&pic), MASTER_BASE + 0);
	CHECK(!vpic_output(&pic)); /* IRQ4 waits for IRQ0's EOI */
	vpic_port_write(&pic, 0x20, EOI);
	CHECK(vpic_output(&pic));
	CHECK_EQ(vpic_acknowledge(&pic), MASTER_BASE + 4);
}

TEST(vpic_higher_priority_nests)
{
	struct vpic pic;

	linux_init(&pic, 0x01, 0x00, 0xff);
	pulse(&pic, 4);
	CHECK_EQ(vpic_acknowledge(&pic), MASTER_BASE + 4);
	pulse(&pic, 0);
	CHECK(vpic_output(&pic));
	CHECK_EQ(vpic_acknowledge(&pic), MASTER_BASE + 0);
	CHECK_EQ(read_reg(&pic, 0x20, OCW3_READ_ISR), 0x11);
	pulse(&pic, 5); /* below IRQ4 in service */
	CHECK(!vpic_output(&pic));
	vpic_port_write(&pic, 0x20, EOI); /* non-specific: the highest, IRQ0 */
	CHECK_EQ(read_reg(&pic, 0x20, OCW3_READ_ISR), 0x10);
	CHECK(!vpic_output(&pic));
	vpic_port_write(&pic, 0x20, EOI);
	CHECK(vpic_output(&pic));
	CHECK_EQ(vpic_acknowledge(&pic), MASTER_BASE + 5);
}

TEST(vpic_slave_through_ir2)
{
	struct vpic pic;

	linux_init(&pic, 0x01, 0xfb, 0x00);
	pulse(&pic, 8);
	CHECK(vpic_output(&pic));
	CHECK_EQ(read_reg(&pic, 0x20, OCW3_READ_IRR), 0x04);
	CHECK_EQ(vpic_acknowledge(&pic), SLAVE_BASE + 0);
	CHECK_EQ(read_reg(&pic, 0x20, OCW3_READ_ISR), 0x04);
	CHECK_EQ(read_reg(&pic, 0xa0, OCW3_READ_ISR), 0x01);
	pulse(&pic, 12);
	CHECK(!vpic_output(&pic));
	/* Linux: specific EOI to the slave, then to the master's IR2. */
	vpic_port_write(&pic, 0xa0, SPECIFIC_EOI + 0);
	CHECK(!vpic_output(&pic)); /* the master's IR2 is still in service */
	vpic_port_write(&pic, 0x20, SPECIFIC_EOI + 2);
	CHECK(vpic_output(&pic));
	CHECK_EQ(vpic_acknowledge(&pic), SLAVE_BASE + 4);
}

TEST(vpic_slave_priority_sits_at_ir2)
{
	struct vpic pic;

	linux_init(&pic, 0x01, 0x00, 0x00);
	pulse(&pic, 3);
	pulse(&pic, 15);
	pulse(&pic, 1);
	CHECK_EQ(vpic_acknowledge(&pic), MASTER_BASE + 1);
	vpic_port_write(&pic, 0x20, EOI);
	CHECK_EQ(vpic_acknowledge(&pic), SLAVE_BASE + 7);
	vpic_port_write(&pic, 0xa0, EOI);
	vpic_port_write(&pic, 0x20, EOI);
	CHECK_EQ(vpic_acknowledge(&pic), MASTER_BASE + 3);
}

TEST(vpic_masked_irq_waits_in_irr)
{
	struct vpic pic;

	linux_init(&pic, 0x01, 0x08, 0xff);
	pulse(&pic, 3);
	CHECK(!vpic_output(&pic));
	CHECK_EQ(read_reg(&pic, 0x20, OCW3_READ_IRR), 0x08);
	vpic_port_write(&pic, 0x21, 0x00);
	CHECK(vpic_output(&pic));
	CHECK_EQ(vpic_acknowledge(&pic), MASTER_BASE + 3);
	CHECK_EQ(read_reg(&pic, 0x20, OCW3_READ_IRR), 0);
}

TEST(vpic_masked_slave_irq_fires_when_unmasked)
{
	struct vpic pic;

	linux_init(&pic, 0x01, 0xfb, 0xff);
	pulse(&pic, 14);
	CHECK(!vpic_output(&pic));
	CHECK_EQ(read_reg(&pic, 0xa0, OCW3_READ_IRR), 0x40);
	vpic_port_write(&pic, 0xa1, 0xbf);
	CHECK(vpic_output(&pic));
	CHECK_EQ(vpic_acknowledge(&pic), SLAVE_BASE + 6);
}

TEST(vpic_ocw3_selects_irr_or_isr)
{
	struct vpic pic;

	linux_init(&pic, 0x01, 0x00, 0xff);
	pulse(&pic, 6);
	pulse(&pic, 5);
	CHECK_EQ(vpic_acknowledge(&pic), MASTER_BASE + 5);
	CHECK_EQ(read_reg(&pic, 0x20, OCW3_READ_IRR), 0x40);
	CHECK_EQ(vpic_port_read(&pic, 0x20), 0x40); /* the selection sticks */
	CHECK_EQ(read_reg(&pic, 0x20, OCW3_READ_ISR), 0x20);
	CHECK_EQ(vpic_port_read(&pic, 0x20), 0x20);
	vpic_port_write(&pic, 0x20, 0x08); /* RR = 0: no change */
	CHECK_EQ(vpic_port_read(&pic, 0x20), 0x20);
	CHECK_EQ(vpic_port_read(&pic, 0x21), 0x00); /* the data port reads IMR */
}

TEST(vpic_spurious_vectors)
{
	struct vpic pic;

	linux_init(&pic, 0x01, 0x00, 0x00);
	CHECK(!vpic_output(&pic));
	CHECK_EQ(vpic_acknowledge(&pic), MASTER_BASE + 7);
	CHECK_EQ(read_reg(&pic, 0x20, OCW3_READ_ISR), 0);
	/* The slave's request goes away (masked) after the master saw IR2. */
	pulse(&pic, 10);
	CHECK(vpic_output(&pic));
	vpic_port_write(&pic, 0xa1, 0x04);
	CHECK_EQ(vpic_acknowledge(&pic), SLAVE_BASE + 7);
	CHECK_EQ(read_reg(&pic, 0x20, OCW3_READ_ISR), 0x04);
	CHECK_EQ(read_reg(&pic, 0xa0, OCW3_READ_ISR), 0);
	CHECK_EQ(read_reg(&pic, 0xa0, OCW3_READ_IRR), 0x04);
}

TEST(vpic_auto_eoi)
{
	struct vpic pic;

	linux_init(&pic, 0x03, 0x00, 0x00);
	pulse(&pic, 4);
	CHECK_EQ(vpic_acknowledge(&pic), MASTER_BASE + 4);
	CHECK_EQ(read_reg(&pic, 0x20, OCW3_READ_ISR), 0);
	pulse(&pic, 5); /* no EOI needed */
	CHECK(vpic_output(&pic));
	CHECK_EQ(vpic_acknowledge(&pic), MASTER_BASE + 5);
	pulse(&pic, 9);
	CHECK_EQ(vpic_acknowledge(&pic), SLAVE_BASE + 1);
	CHECK_EQ(read_reg(&pic, 0x20, OCW3_READ_ISR), 0);
	CHECK_EQ(read_reg(&pic, 0xa0, OCW3_READ_ISR), 0);
	CHECK(!vpic_output(&pic));
}

TEST(vpic_rotation)
{
	struct vpic pic;

	linux_init(&pic, 0x01, 0x00, 0xff);
	vpic_port_write(&pic, 0x20, 0xc0 | 3); /* set priority: IR3 lowest, IR4 highest */
	pulse(&pic, 3);
	pulse(&pic, 0);
	pulse(&pic, 4);
	CHECK_EQ(vpic_acknowledge(&pic), MASTER_BASE + 4);
	vpic_port_write(&pic, 0x20, 0xa0); /* rotate on non-specific EOI: IR4 lowest */
	CHECK_EQ(vpic_acknowledge(&pic), MASTER_BASE + 0);
	vpic_port_write(&pic, 0x20, 0xe0 | 0); /* rotate on specific EOI 0: IR1 highest */
	CHECK_EQ(vpic_acknowledge(&pic), MASTER_BASE + 3);
	vpic_port_write(&pic, 0x20, EOI);
	/* Rotate in auto-EOI mode, set and cleared, does not break delivery. */
	vpic_port_write(&pic, 0x20, 0x80);
	vpic_port_write(&pic, 0x20, 0x00);
	vpic_port_write(&pic, 0x20, 0x40); /* no operation */
	pulse(&pic, 7);
	CHECK_EQ(vpic_acknowledge(&pic), MASTER_BASE + 7);
}

TEST(vpic_rotate_in_auto_eoi)
{
	struct vpic pic;

	linux_init(&pic, 0x03, 0x00, 0xff);
	vpic_port_write(&pic, 0x20, 0x80);
	pulse(&pic, 1);
	CHECK_EQ(vpic_acknowledge(&pic), MASTER_BASE + 1); /* IR1 now lowest */
	pulse(&pic, 1);
	pulse(&pic, 5);
	CHECK_EQ(vpic_acknowledge(&pic), MASTER_BASE + 5);
	CHECK_EQ(vpic_acknowledge(&pic), MASTER_BASE + 1);
}

TEST(vpic_poll_command)
{
	struct vpic pic;

	linux_init(&pic, 0x01, 0xff, 0xff);
	CHECK_EQ(read_reg(&pic, 0x20, OCW3_POLL), 0);
	pulse(&pic, 6);
	CHECK_EQ(read_reg(&pic, 0x20, OCW3_READ_IRR), 0x40);
	CHECK_EQ(read_reg(&pic, 0x20, OCW3_POLL), 0);
	vpic_port_write(&pic, 0x21, 0x00);
	CHECK_EQ(read_reg(&pic, 0x20, OCW3_POLL), 0x80 | 6);
	CHECK_EQ(read_reg(&pic, 0x20, OCW3_READ_ISR), 0x40);
	CHECK_EQ(vpic_port_read(&pic, 0x20), 0x40); /* a poll is for one read only */
}

TEST(vpic_special_mask_mode)
{
	struct vpic pic;

	linux_init(&pic, 0x01, 0x00, 0xff);
	pulse(&pic, 3);
	CHECK_EQ(vpic_acknowledge(&pic), MASTER_BASE + 3);
	pulse(&pic, 5);
	CHECK(!vpic_output(&pic));
	vpic_port_write(&pic, 0x21, 0x08);
	vpic_port_write(&pic, 0x20, 0x68); /* set special mask mode */
	CHECK(vpic_output(&pic));
	CHECK_EQ(vpic_acknowledge(&pic), MASTER_BASE + 5);
	vpic_port_write(&pic, 0x20, SPECIFIC_EOI + 5);
	vpic_port_write(&pic, 0x20, 0x48); /* reset special mask mode */
	vpic_port_write(&pic, 0x21, 0x00);
	pulse(&pic, 5);
	CHECK(!vpic_output(&pic)); /* IR3 blocks again */
}

TEST(vpic_single_without_icw4)
{
	struct vpic pic;

	vpic_init(&pic);
	vpic_port_write(&pic, 0x20, 0x12); /* single, no ICW4 */
	vpic_port_write(&pic, 0x21, 0x48);
	vpic_port_write(&pic, 0x21, 0xf7); /* already OCW1 */
	CHECK_EQ(vpic_port_read(&pic, 0x21), 0xf7);
	pulse(&pic, 3);
	CHECK_EQ(vpic_acknowledge(&pic), 0x4b);
	CHECK_EQ(read_reg(&pic, 0x20, OCW3_READ_ISR), 0x08);
}

TEST(vpic_icw1_resets)
{
	struct vpic pic;

	linux_init(&pic, 0x01, 0x00, 0xff);
	pulse(&pic, 3);
	pulse(&pic, 4);
	CHECK_EQ(vpic_acknowledge(&pic), MASTER_BASE + 3);
	vpic_port_write(&pic, 0x20, 0x11);
	CHECK_EQ(read_reg(&pic, 0x20, OCW3_READ_ISR), 0);
	CHECK_EQ(read_reg(&pic, 0x20, OCW3_READ_IRR), 0);
	CHECK_EQ(vpic_port_read(&pic, 0x21), 0);
	vpic_port_write(&pic, 0x21, 0x30);
	vpic_port_write(&pic, 0x21, 0x04);
	vpic_port_write(&pic, 0x21, 0x01);
	CHECK_EQ(vpic_port_read(&pic, 0x21), 0);
	pulse(&pic, 7);
	CHECK_EQ(vpic_acknowledge(&pic), 0x37);
	CHECK_EQ(read_reg(&pic, 0x20, OCW3_READ_ISR), 0x80);
}

TEST(vpic_elcr_level_triggered)
{
	struct vpic pic;

	linux_init(&pic, 0x01, 0x00, 0x00);
	vpic_port_write(&pic, 0x4d0, 0xff);
	vpic_port_write(&pic, 0x4d1, 0xff);
	CHECK_EQ(vpic_port_read(&pic, 0x4d0), 0xf8);
	CHECK_EQ(vpic_port_read(&pic, 0x4d1), 0xde);
	vpic_set_irq(&pic, 11, true);
	CHECK_EQ(vpic_acknowledge(&pic), SLAVE_BASE + 3);
	vpic_port_write(&pic, 0xa0, EOI);
	vpic_port_write(&pic, 0x20, EOI);
	CHECK(vpic_output(&pic)); /* still high: requests again */
	vpic_set_irq(&pic, 11, false);
	CHECK_EQ(read_reg(&pic, 0xa0, OCW3_READ_IRR), 0);
	/* The master latched the edge on IR2: the slave has nothing left. */
	CHECK_EQ(vpic_acknowledge(&pic), SLAVE_BASE + 7);
	vpic_port_write(&pic, 0x20, EOI);
	CHECK(!vpic_output(&pic));
}

TEST(vpic_bad_inputs_ignored)
{
	struct vpic pic;

	linux_init(&pic, 0x01, 0x00, 0x00);
	vpic_set_irq(&pic, 16, true);
	vpic_set_irq(&pic, 2, true); /* the cascade, not an input */
	CHECK(!vpic_output(&pic));
	vpic_port_write(&pic, 0x22, 0x11);
	CHECK_EQ(vpic_port_read(&pic, 0x22), 0xff);
	CHECK_EQ(vpic_port_read(&pic, 0x21), 0x00);
}
