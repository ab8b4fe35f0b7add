/* The world switch. vmx_enter() saves the host's callee-saved registers,
 * records its stack pointer as HOST_RSP, loads the guest's GPRs from struct
 * guest_regs and enters the guest. A VM exit lands in vmx_exit_entry (our
 * HOST_RIP) on that same stack: it stores the guest's GPRs and calls
 * vmx_handle_exit(regs) in C. While that returns true the guest's GPRs are
 * loaded again and VMRESUME continues the guest, without going back through
 * vmx_enter's caller; when it returns false vmx_enter() returns 0. If VMLAUNCH
 * or VMRESUME fails, vmx_enter() returns 1 (VMfailValid) or 2
 * (VMfailInvalid) (SDM Vol. 3C 31.2). RSP and RIP of the guest live in the
 * VMCS. */
#define HOST_RSP 0x6c14
#define REG(n) (n * 8)

/* Load the guest's GPRs from struct guest_regs at %rdi; %rdi last. */
.macro LOAD_GUEST_REGS
	mov REG(0)(%rdi), %rax
	mov REG(1)(%rdi), %rcx
	mov REG(2)(%rdi), %rdx
	mov REG(3)(%rdi), %rbx
	mov REG(5)(%rdi), %rbp
	mov REG(6)(%rdi), %rsi
	mov REG(8)(%rdi), %r8
	mov REG(9)(%rdi), %r9
	mov REG(10)(%rdi), %r10
	mov REG(11)(%rdi), %r11
	mov REG(12)(%rdi), %r12
	mov REG(13)(%rdi), %r13
	mov REG(14)(%rdi), %r14
	mov REG(15)(%rdi), %r15
	mov REG(7)(%rdi), %rdi
.endm

	.text
	.global vmx_enter
vmx_enter:
	push %rbp
	push %rbx
	push %r12
	push %r13
	push %r14
	push %r15
	push %rdi			/* struct guest_regs *, for vmx_exit_entry */
	mov $HOST_RSP, %eax
	vmwrite %rsp, %rax
	test %esi, %esi			/* launched? MOVs below keep the flags */
	LOAD_GUEST_REGS
	jnz 1f
	vmlaunch
	jmp entry_failed
1:	vmresume
entry_failed:
	/* MOV and POP keep the flags: CF=1 is VMfailInvalid, else ZF=1. */
	mov $1, %eax
	jnc 2f
	mov $2, %eax
2:	pop %rdi
	jmp vmx_return

	.global vmx_exit_entry
vmx_exit_entry:
	push %rdi			/* the guest's RDI */
	mov 8(%rsp), %rdi		/* struct guest_regs * */
	mov %rax, REG(0)(%rdi)
	mov %rcx, REG(1)(%rdi)
	mov %rdx, REG(2)(%rdi)
	mov %rbx, REG(3)(%rdi)
	mov %rbp, REG(5)(%rdi)
	mov %rsi, REG(6)(%rdi)
	mov %r8, REG(8)(%rdi)
	mov %r9, REG(9)(%rdi)
	mov %r10, REG(10)(%rdi)
	mov %r11, REG(11)(%rdi)
	mov %r12, REG(12)(%rdi)
	mov %r13, REG(13)(%rdi)
	mov %r14, REG(14)(%rdi)
	mov %r15, REG(15)(%rdi)
	popq REG(7)(%rdi)
	xor %ebp, %ebp			/* ends the exception dump's stack walk */
	call vmx_handle_exit		/* RSP is 16-byte aligned here */
	mov (%rsp), %rdi
	test %al, %al
	jz 3f
	LOAD_GUEST_REGS
	vmresume
	jmp entry_failed
3:	pop %rdi
	xor %eax, %eax
vmx_return:
	pop %r15
	pop %r14
	pop %r13
	pop %r12
	pop %rbx
	pop %rbp
	ret
