/* Stubs for vectors 32-255, 16 bytes apart from intr_stub_base: each pushes
 * a zero and its vector, so the frame has the exception frame's layout
 * (struct trap_frame in guest.h), and calls intr_dispatch. */
#include "trap_entry.h"

	.text
	.globl intr_stub_base
	.balign 16
intr_stub_base:
	.set vec, 32
	.rept 224
	.balign 16
	pushq $0
	pushq $vec
	jmp intr_common
	.set vec, vec + 1
	.endr

intr_common:
	trap_entry intr_dispatch

	.section .note.GNU-stack, "", @progbits
