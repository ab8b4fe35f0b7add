/* Console input: reads COM1 by polling LSR.DR and echoes each line back as
 * "got: LINE" until it receives "quit". Two of these side by side, with
 * Ctrl-A three times in between, prove the input focus moves. */
#include "guest.h"

#define LSR_DATA_READY 0x01
#define LINE_MAX 64

void guest_main(void)
{
	char line[LINE_MAX];
	size_t len = 0;

	print("ready for input\n");
	for (;;) {
		char c;

		if (!(inb(COM1_LSR) & LSR_DATA_READY))
			continue;
		c = (char)inb(COM1_THR);
		if (c != '\r' && c != '\n') {
			if (len < LINE_MAX - 1)
				line[len++] = c;
			continue;
		}
		line[len] = '\0';
		if (len)
			print("got: %s\n", line);
		if (len == 4 && line[0] == 'q' && line[1] == 'u' && line[2] == 'i' && line[3] == 't')
			break;
		len = 0;
	}
	pass("typed lines arrived");
}
