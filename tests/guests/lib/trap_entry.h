/* The path every exception and interrupt stub ends in (start64.S,
 * intr_stubs.S): the stub has pushed an error code (or a zero) and the
 * vector; save the registers C may clobber, call the handler with the frame
 * (struct trap_frame in guest.h), which may change the saved RIP, and
 * return. 9 registers plus vector and error code plus the CPU's 5-word frame
 * (which it 16-byte aligns) leave RSP aligned for the call. */
.macro trap_entry handler
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
	call \handler
	pop %r11
	pop %r10
	pop %r9
	pop %r8
	pop %rdi
	pop %rsi
	pop %rdx
	pop %rcx
	pop %rax
	add $16, %rsp		/* vector and error code */
	iretq
.endm
