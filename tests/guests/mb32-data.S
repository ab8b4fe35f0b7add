/* The data module of the mb32 guest (for=mb32): 5000 bytes, byte i =
 * (i * 7 + 3) mod 256, a length that is not a page multiple. mb32.c checks
 * the same formula. */
	.data
	.set i, 0
	.rept 5000
	.byte (i * 7 + 3) & 0xff
	.set i, i + 1
	.endr
