/* The hypercall ABI, shared by the hypervisor and guests (docs/hypercalls.md).
 *
 * A guest executes VMCALL with the call number in RAX (EAX in 32-bit code)
 * and arguments in RDI, RSI, RDX (EDI, ESI, EDX); the result comes back in
 * RAX: zero or a positive value on success, a negative HC_E* on error. Other
 * registers are preserved. Guest pointers are guest-physical addresses. */
#ifndef VMM_HYPERCALL_ABI_H
#define VMM_HYPERCALL_ABI_H

#define HC_VERSION 0       /* () -> (major << 16) | (minor << 8) | patch, as CPUID 0x40000001 */
#define HC_CONSOLE_WRITE 1 /* (gpa, len) -> bytes written; len <= HC_CONSOLE_MAX */
#define HC_EXIT 2          /* (status) -> does not return */

#define HC_CONSOLE_MAX 4096

#define HC_ENOSYS (-1) /* no such call */
#define HC_EFAULT (-2) /* a pointer or length outside the guest's RAM */
#define HC_EINVAL (-3) /* an argument out of range */

#endif
