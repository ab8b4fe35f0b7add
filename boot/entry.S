/* Multiboot2 header and the 32-bit entry stub: GRUB (BIOS or UEFI) enters
 * here in 32-bit protected mode with paging off, EAX = multiboot2 magic and
 * EBX = physical address of the boot information (Multiboot2 spec 3.3).
 * We check for long mode, build the boot page tables, enable PAE, LME and
 * paging, and jump to 64-bit C in the higher half. */
#include "arch/x86/stacks.h"
#include "mm/layout.h"

#define MB2_MAGIC 0xe85250d6
#define MB2_ARCH_I386 0
#define COM1 0x3f8

#define PTE_P 0x1
#define PTE_W 0x2
#define PTE_PS 0x80
#define CR4_PAE (1 << 5)
#define CR0_PG (1 << 31)
#define CR0_WP (1 << 16)
#define CR0_NE (1 << 5)
#define CR0_NW (1 << 29)
#define CR0_CD (1 << 30)
#define MSR_EFER 0xc0000080
#define EFER_LME (1 << 8)
#define EFER_NXE (1 << 11)

	.section .multiboot2, "a"
	.balign 8
mb2_header:
	.long MB2_MAGIC
	.long MB2_ARCH_I386
	.long mb2_header_end - mb2_header
	.long -(MB2_MAGIC + MB2_ARCH_I386 + (mb2_header_end - mb2_header))
	/* end tag */
	.short 0, 0
	.long 8
mb2_header_end:

	.section .boot.text, "ax"
	.code32
	.global _start
_start:
	cli
	cld
	mov %eax, %edi			/* multiboot2 magic */
	mov %ebx, %esi			/* boot information (physical) */
	mov $boot_stack32_top, %esp

	/* Long mode needs CPUID leaf 0x80000001 EDX.LM (SDM Vol. 3A 9.8.5). */
	mov $0x80000000, %eax
	cpuid
	cmp $0x80000001, %eax
	jb no_long_mode
	mov $0x80000001, %eax
	cpuid
	test $(1 << 29), %edx
	jz no_long_mode
	mov %edx, %ebp			/* keep EDX.NX for EFER below */

	/* Clear .bss exactly: GRUB may have put the boot information right
	 * after it. */
	push %edi
	mov $(_bss_start - KERNEL_VMA), %edi
	mov $(_bss_end - KERNEL_VMA), %ecx
	sub %edi, %ecx
	xor %eax, %eax
	rep stosb
	mov $boot_pml4, %edi
	mov $(boot_tables_end - boot_pml4), %ecx
	rep stosb
	pop %edi

	/* Boot page tables, 2 MiB pages: physical 0-4 GiB identity (this stub)
	 * and at DIRECT_MAP_BASE, physical 0-1 GiB at KERNEL_VMA. mm replaces
	 * them with the final W^X tables. */
	mov $boot_pd, %ebx
	xor %ecx, %ecx
1:	mov %ecx, %eax
	shl $21, %eax
	or $(PTE_P | PTE_W | PTE_PS), %eax
	mov %eax, (%ebx, %ecx, 8)
	movl $0, 4(%ebx, %ecx, 8)
	inc %ecx
	cmp $2048, %ecx
	jne 1b

	xor %ecx, %ecx
2:	mov %ecx, %eax
	shl $12, %eax
	add $boot_pd, %eax
	or $(PTE_P | PTE_W), %eax
	mov %eax, boot_pdpt_low(, %ecx, 8)
	inc %ecx
	cmp $4, %ecx
	jne 2b

	mov $boot_pd, %eax
	or $(PTE_P | PTE_W), %eax
	mov %eax, boot_pdpt_high + 510 * 8

	mov $boot_pdpt_low, %eax
	or $(PTE_P | PTE_W), %eax
	mov %eax, boot_pml4
	mov %eax, boot_pml4 + 256 * 8
	mov $boot_pdpt_high, %eax
	or $(PTE_P | PTE_W), %eax
	mov %eax, boot_pml4 + 511 * 8

	/* PAE, then EFER.LME (and NXE when the CPU has NX), then paging. */
	mov %cr4, %eax
	or $CR4_PAE, %eax
	mov %eax, %cr4
	mov $boot_pml4, %eax
	mov %eax, %cr3
	mov $MSR_EFER, %ecx
	rdmsr
	or $EFER_LME, %eax
	test $(1 << 20), %ebp
	jz 3f
	or $EFER_NXE, %eax
3:	wrmsr
	/* Caches on (some firmware and Bochs leave CD/NW set; VM entry does
	 * not load them, so guests would run uncached too). */
	mov %cr0, %eax
	and $~(CR0_CD | CR0_NW), %eax
	or $(CR0_PG | CR0_WP | CR0_NE), %eax
	mov %eax, %cr0

	lgdt boot_gdt_desc
	ljmp $0x08, $long_mode_low

no_long_mode:
	mov $msg_no_lm, %esi
4:	lodsb
	test %al, %al
	jz 6f
	mov %al, %bl
	mov $(COM1 + 5), %dx
5:	inb %dx, %al			/* wait for THR empty */
	test $0x20, %al
	jz 5b
	mov $COM1, %dx
	mov %bl, %al
	outb %al, %dx
	jmp 4b
6:	cli
	hlt
	jmp 6b

	.code64
long_mode_low:
	mov $0x10, %ax
	mov %ax, %ds
	mov %ax, %es
	mov %ax, %ss
	xor %ax, %ax
	mov %ax, %fs
	mov %ax, %gs
	movabs $long_mode_high, %rax
	jmp *%rax

	.section .boot.data, "a"
	.balign 8
boot_gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* 0x08: 64-bit code */
	.quad 0x00cf92000000ffff	/* 0x10: data */
boot_gdt_end:
boot_gdt_desc:
	.short boot_gdt_end - boot_gdt - 1
	.long boot_gdt
msg_no_lm:
	.asciz "FATAL: long mode unavailable: CPUID 0x80000001 EDX.LM is 0; hv needs an x86-64 CPU\r\n"

	.section .boot.bss, "aw", @nobits
	.balign 4096
boot_pml4:	.skip 4096
boot_pdpt_low:	.skip 4096
boot_pdpt_high:	.skip 4096
boot_pd:	.skip 4096 * 4
boot_tables_end:
	.skip 1024
boot_stack32_top:

	.text
long_mode_high:
	movabs $(boot_cpu_stacks + CPU_STACKS_KERNEL_TOP), %rsp
	xor %ebp, %ebp			/* ends the exception dump's stack walk */
	mov %edi, %edi			/* zero-extend: upper halves are undefined */
	mov %esi, %esi
	call boot_main
5:	cli
	hlt
	jmp 5b
