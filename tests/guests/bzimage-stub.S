/* Not a kernel: just enough of a Linux boot-protocol header (boot flag
 * 0xAA55 at 0x1FE, "HdrS" at 0x202, protocol 2.15) for hv to recognise a
 * bzImage and refuse it, which the vmx-refused boot case expects. */
	.data
	.org 0x1f1
	.byte 1			/* setup_sects */
	.org 0x1fe
	.word 0xaa55		/* boot_flag */
	.org 0x200
	.byte 0xeb, 0x66	/* jump */
	.ascii "HdrS"		/* header */
	.word 0x020f		/* version */
	.org 0x1000		/* a real bzImage is never smaller than BZIMAGE_MIN_SIZE */
