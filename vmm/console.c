/* Console input routing (docs/devices.md). */
#include "vmm/console.h"

#include "core/log.h"
#include "drivers/serial.h"
#include "vmm/irq.h"
#include "vmm/vm.h"

static struct vm *guests;
static size_t guest_count, focus;
static unsigned int switch_run; /* consecutive Ctrl-As seen */

static bool can_focus(const struct vm *vm)
{
	return vm->state == VM_RUNNING;
}

static void announce(void)
{
	console_printf("hv: console input goes to guest %s (Ctrl-A three times to switch)\n",
		       guests[focus].name);
}

static void switch_focus(void)
{
	for (size_t i = 1; i <= guest_count; i++) {
		size_t next = (focus + i) % guest_count;

		if (can_focus(&guests[next])) {
			focus = next;
			announce();
			return;
		}
	}
}

void console_input_init(struct vm *vms, size_t n)
{
	guests = vms;
	guest_count = n;
	focus = 0;
	switch_run = 0;
	for (size_t i = 0; i < n; i++) {
		if (can_focus(&vms[i])) {
			focus = i;
			announce();
			return;
		}
	}
}

/* A byte for the focused guest; dropped (as a real line would drop it)
 * when its receiver is full or it has ended. */
static bool deliver(uint8_t byte)
{
	struct vm *vm = &guests[focus];

	if (!can_focus(vm) || !uart16550_rx_ready(&vm->com1.uart))
		return false;
	log_debug("console: byte 0x%x to guest %s", byte, vm->name);
	uart16550_receive(&vm->com1.uart, byte);
	/* Input comes a burst at a time: let a receiver below its FIFO
	 * trigger level see the character-timeout interrupt at once. */
	uart16550_rx_timeout(&vm->com1.uart);
	irq_mark_dirty(&vm->vcpus[0]);
	vm->vcpus[0].state = VCPU_RUNNABLE;
	return true;
}

bool console_input_poll(void)
{
	bool delivered = false;
	uint8_t byte;

	while (guest_count && serial_read_byte(&byte)) {
		if (byte == CONSOLE_SWITCH_CHAR && ++switch_run == CONSOLE_SWITCH_COUNT) {
			switch_run = 0;
			switch_focus();
			continue;
		}
		if (byte == CONSOLE_SWITCH_CHAR)
			continue;
		/* Ctrl-As that did not make a switch are the guest's. */
		for (; switch_run; switch_run--)
			delivered |= deliver(CONSOLE_SWITCH_CHAR);
		delivered |= deliver(byte);
	}
	return delivered;
}
