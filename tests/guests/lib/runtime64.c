/* C entry of 64-bit guests: state the stub recorded, IDT, main, summary. */
#include "guest.h"

void guest_start(void);
void install_idt(void);

uint64_t entry_rsp, entry_rflags;
struct descriptor_table entry_idtr;

uint64_t ram_size(void)
{
	return (entry_rsp + ENTRY_AREA_SIZE - 1) & ~(uint64_t)(ENTRY_AREA_SIZE - 1);
}

void free_ram(struct ram_range out[FREE_RAM_RANGES])
{
	out[0] = (struct ram_range){ 0, (uintptr_t)__image_start };
	out[1] = (struct ram_range){ ((uintptr_t)__image_end + 0xfff) & ~0xfffUL, ram_size() - ENTRY_AREA_SIZE };
}

void guest_start(void)
{
	install_idt();
	guest_main();
	finish();
}
