/* Entry of every 64-bit test guest, and its exception stubs.
 *
 * hv enters at _start in 64-bit mode with interrupts off, RSP at the top of
 * RAM and an empty IDT (docs/guests.md). The stub records that state for the
 * checks before C code changes any of it. It does not clear .bss: the ELF
 * loader must zero-fill it, and the entry guest checks that it did. */
#include "trap_entry.h"

	.section .text.start, "ax"
	.globl _start
_start:
	mov %rsp, entry_rsp(%rip)
	pushfq
	popq entry_rflags(%rip)
	sidt entry_idtr(%rip)
	and $-16, %rsp
	call guest_start
	ud2			/* guest_start does not return */

/* One stub per exception vector 0-31. Vectors without an error code push a
 * zero, so every frame has the same layout (struct trap_frame in guest.h). */
	.text
.macro exception_stub vector
exception_\vector:
	.if (\vector == 8) || (\vector >= 10 && \vector <= 14) || (\vector == 17) || (\vector == 21) || (\vector == 29) || (\vector == 30)
	/* the CPU pushed an error code */
	.else
	pushq $0
	.endif
	pushq $\vector
	jmp exception_common
.endm

.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	exception_stub \v
.endr

/* fault_handler may change the saved RIP to resume elsewhere. */
exception_common:
	trap_entry fault_handler

	.section .rodata
	.globl exception_stubs
	.balign 8
exception_stubs:
.irp v, 0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31
	.quad exception_\v
.endr

	.section .note.GNU-stack, "", @progbits
