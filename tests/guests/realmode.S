/* A raw real-mode guest: anything hv does not recognise as ELF or bzImage
 * is loaded at 0x7C00 and entered in 16-bit real mode with CS = 0. This one
 * checks exactly that (CS = 0, IP where it was linked), prints through COM1
 * polling the LSR, and exits through port 0xF4 with the number of failures.
 * The 0xAA55 signature also makes it a boot sector, so any PC BIOS runs it. */

#define COM1_THR 0x3f8
#define COM1_LSR 0x3fd
#define EXIT_PORT 0xf4

	.code16
	.text
	.globl _start
_start:
	cli
	xor %ax, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	mov $0x7c00, %sp
	mov %cs, %bx
	call 1f
1:	pop %cx			/* IP of label 1 */
	cmp $0, %bx
	jne fail
	cmp $1b, %cx
	jne fail
	mov $pass_msg, %si
	call puts
	mov $0, %bl
	jmp done
fail:
	mov $fail_msg, %si
	call puts
	mov $1, %bl
done:
	mov $summary_pass, %si
	cmp $0, %bl
	je 2f
	mov $summary_fail, %si
2:	call puts
	mov %bl, %al
	out %al, $EXIT_PORT
	hlt			/* stops the guest if the exit port did not */

/* Prints the NUL-terminated string at DS:SI. */
puts:
	lodsb
	test %al, %al
	jz 2f
	mov %al, %ah
	mov $COM1_LSR, %dx
1:	in %dx, %al
	test $0x20, %al
	jz 1b
	mov %ah, %al
	mov $COM1_THR, %dx
	out %al, %dx
	jmp puts
2:	ret

pass_msg:	.asciz "PASS realmode\n"
fail_msg:	.asciz "FAIL realmode: not entered at 0000:7C00\n"
summary_pass:	.asciz "1 passed, 0 failed\n"
summary_fail:	.asciz "0 passed, 1 failed\n"

	.org 510
	.word 0xaa55
