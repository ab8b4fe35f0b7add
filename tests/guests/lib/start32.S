/* Entry of the 32-bit multiboot (v1) test guest.
 *
 * hv enters an ELF32 image that has a multiboot header like a multiboot
 * loader would: 32-bit protected mode, paging off, EAX = 0x2BADB002, EBX =
 * the multiboot information. The stack is undefined then, so the stub brings
 * its own. */

#define MB_MAGIC 0x1badb002
#define MB_FLAGS 0x00000002	/* bit 1: memory information wanted */

	.section .multiboot, "a"
	.balign 4
	.long MB_MAGIC
	.long MB_FLAGS
	.long -(MB_MAGIC + MB_FLAGS)

	.section .text.start, "ax"
	.code32
	.globl _start
_start:
	mov $stack_top, %esp
	push %ebx
	push %eax
	call mb32_main		/* (magic, info); does not return */
	ud2

	.section .bss
	.balign 16
	.space 8192
stack_top:

	.section .note.GNU-stack, "", @progbits
