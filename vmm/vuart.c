/* The guest's COM1, transmit side: enough of a 16550 for a polling driver
 * (LSR always says "transmitter empty", registers read back what was
 * written). Output is collected per line and printed whole as
 * "[NAME] text", so guests never interleave mid-line. */
#include "vmm/vuart.h"

#include "core/log.h"
#include "vmm/vio.h"
#include "vmm/vm.h"

#define COM1_BASE 0x3f8
#define REG_THR 0 /* DLL with DLAB */
#define REG_IER 1 /* DLM with DLAB */
#define REG_IIR 2
#define REG_LCR 3
#define REG_MCR 4
#define REG_LSR 5
#define REG_MSR 6
#define REG_SCR 7
#define LCR_DLAB 0x80
#define IIR_NO_INTERRUPT 0x01
#define LSR_THRE_TEMT 0x60
#define MSR_DCD_DSR_CTS 0xb0
#define PRINTABLE_FIRST 0x20
#define PRINTABLE_LAST 0x7e

static void emit_line(struct vm *vm)
{
	struct vuart *u = &vm->uart;

	u->line[u->len] = '\0';
	console_printf("[%s] %s\n", vm->name, u->line);
	u->len = 0;
}

/* Room for one more character and its escape ("\xNN" is 4 bytes). */
static void put_char(struct vm *vm, char c)
{
	static const char hex[] = "0123456789abcdef";
	struct vuart *u = &vm->uart;
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
	if (vm->uart.len)
		emit_line(vm);
}

static uint32_t vuart_read(struct vm *vm, uint16_t port, unsigned int size)
{
	struct vuart *u = &vm->uart;
	bool dlab = u->lcr & LCR_DLAB;

	(void)size;
	switch (port - COM1_BASE) {
	case REG_THR:
		return dlab ? u->dll : 0;
	case REG_IER:
		return dlab ? u->dlm : u->ier;
	case REG_IIR:
		return IIR_NO_INTERRUPT;
	case REG_LCR:
		return u->lcr;
	case REG_MCR:
		return u->mcr;
	case REG_LSR:
		return LSR_THRE_TEMT;
	case REG_MSR:
		return MSR_DCD_DSR_CTS;
	default:
		return u->scr;
	}
}

static void vuart_write(struct vm *vm, uint16_t port, unsigned int size, uint32_t value)
{
	struct vuart *u = &vm->uart;
	bool dlab = u->lcr & LCR_DLAB;
	uint8_t v = (uint8_t)value;

	(void)size;
	switch (port - COM1_BASE) {
	case REG_THR:
		if (dlab)
			u->dll = v;
		else
			put_char(vm, (char)v);
		break;
	case REG_IER:
		if (dlab)
			u->dlm = v;
		else
			u->ier = v;
		break;
	case REG_LCR:
		u->lcr = v;
		break;
	case REG_MCR:
		u->mcr = v;
		break;
	case REG_SCR:
		u->scr = v;
		break;
	default: /* FCR, LSR, MSR: nothing to keep */
		break;
	}
}

static const struct io_device vuart_device = {
	"COM1", COM1_BASE, COM1_BASE + REG_SCR, vuart_read, vuart_write,
};

void vuart_register(void)
{
	vio_register(&vuart_device);
}
