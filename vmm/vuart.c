/* The guest's COM1: port I/O into the 16550A model, its output collected
 * per line and printed whole as "[NAME] text", so guests running side by
 * side never interleave mid-line. */
#include "vmm/vuart.h"

#include "core/log.h"
#include "vmm/irq.h"
#include "vmm/vio.h"
#include "vmm/vm.h"

#define COM1_BASE 0x3f8
#define PRINTABLE_FIRST 0x20
#define PRINTABLE_LAST 0x7e

static void emit_line(struct vm *vm)
{
	struct vuart *u = &vm->com1;

	u->line[u->len] = '\0';
	console_printf("[%s] %s\n", vm->name, u->line);
	u->len = 0;
}

/* Room for one more character and its escape ("\xNN" is 4 bytes). */
static void put_char(struct vm *vm, char c)
{
	static const char hex[] = "0123456789abcdef";
	struct vuart *u = &vm->com1;
	unsigned char b = (unsigned char)c;

	if (b == '\n') {
		emit_line(vm);
		return;
	}
	if (b == '\r')
		return;
	if (u->len + 4 > VUART_LINE_MAX)
		emit_line(vm);
	if (b >= PRINTABLE_FIRST && b <= PRINTABLE_LAST && b != '\\') {
		u->line[u->len++] = (char)b;
		return;
	}
	u->line[u->len++] = '\\';
	u->line[u->len++] = 'x';
	u->line[u->len++] = hex[b >> 4];
	u->line[u->len++] = hex[b & 0xf];
}

void vuart_output(struct vm *vm, const char *data, size_t len)
{
	for (size_t i = 0; i < len; i++)
		put_char(vm, data[i]);
}

void vuart_flush(struct vm *vm)
{
	if (vm->com1.len)
		emit_line(vm);
}

static uint32_t vuart_read(struct vm *vm, uint16_t port, unsigned int size)
{
	uint8_t v = uart16550_read(&vm->com1.uart, port - COM1_BASE);

	(void)size;
	irq_mark_dirty(&vm->vcpus[0]);
	return v;
}

static void vuart_write(struct vm *vm, uint16_t port, unsigned int size, uint32_t value)
{
	uint8_t out[UART16550_OUT_MAX];
	size_t n;

	(void)size;
	uart16550_write(&vm->com1.uart, port - COM1_BASE, (uint8_t)value);
	n = uart16550_take_output(&vm->com1.uart, out, sizeof(out));
	vuart_output(vm, (const char *)out, n);
	irq_mark_dirty(&vm->vcpus[0]);
}

static const struct io_device vuart_device = {
	"COM1", COM1_BASE, COM1_BASE + UART16550_NR_REGS - 1, vuart_read, vuart_write,
};

bool vuart_rx_interrupts(const struct vm *vm)
{
	return uart16550_rx_irq_enabled(&vm->com1.uart);
}

void vuart_init(struct vm *vm)
{
	uart16550_init(&vm->com1.uart);
}

void vuart_register(void)
{
	vio_register(&vuart_device);
}
