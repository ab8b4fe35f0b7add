/* Stubs for vectors 32-255, 16 bytes apart from intr_stub_base: each pushes
 * a zero and its vector, so the frame has the exception frame's layout
 * (struct intr_frame in intr.h), and calls intr_dispatch. */
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

/* 9 registers, vector and zero, and the CPU's 5 words: RSP stays 16-byte
 * aligned for the call, as in the exception path. */
intr_common:
	push %rax
	push %rcx
	push %rdx
	push %rsi
	push %rdi
	push %r8
	push %r9
	push %r10
	push %r11
	mov %rsp, %rdi
	call intr_dispatch
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rdi
	pop %rsi
	pop %rdx
	pop %rcx
	pop %rax
	add $16, %rsp
	iretq

	.section .note.GNU-stack, "", @progbits
