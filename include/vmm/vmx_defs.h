/* VMX architectural definitions by name (Intel SDM Vol. 3C chapters 24-25
 * and appendix A). The VMCS field encodings join them in the VMX core. */
#ifndef VMM_VMX_DEFS_H
#define VMM_VMX_DEFS_H

/* IA32_VMX_BASIC (SDM Vol. 3D A.1) */
#define VMX_BASIC_REVISION_MASK 0x7fffffffUL
#define VMX_BASIC_VMCS_SIZE_SHIFT 32
#define VMX_BASIC_VMCS_SIZE_MASK 0x1fffUL
#define VMX_BASIC_MEMTYPE_SHIFT 50
#define VMX_BASIC_MEMTYPE_MASK 0xfUL
#define VMX_BASIC_TRUE_CONTROLS (1UL << 55)
#define VMX_MEMTYPE_UC 0
#define VMX_MEMTYPE_WB 6

/* Pin-based VM-execution controls (SDM Vol. 3C 24.6.1) */
#define PIN_EXTERNAL_INTERRUPT_EXITING (1u << 0)
#define PIN_NMI_EXITING (1u << 3)
#define PIN_VIRTUAL_NMIS (1u << 5)
#define PIN_PREEMPTION_TIMER (1u << 6)

/* Primary processor-based VM-execution controls (SDM Vol. 3C 24.6.2) */
#define PROC_INTERRUPT_WINDOW_EXITING (1u << 2)
#define PROC_USE_TSC_OFFSETTING (1u << 3)
#define PROC_HLT_EXITING (1u << 7)
#define PROC_MWAIT_EXITING (1u << 10)
#define PROC_RDPMC_EXITING (1u << 11)
#define PROC_CR8_LOAD_EXITING (1u << 19)
#define PROC_CR8_STORE_EXITING (1u << 20)
#define PROC_UNCONDITIONAL_IO_EXITING (1u << 24)
#define PROC_USE_IO_BITMAPS (1u << 25)
#define PROC_USE_MSR_BITMAPS (1u << 28)
#define PROC_MONITOR_EXITING (1u << 29)
#define PROC_ACTIVATE_SECONDARY (1u << 31)

/* Secondary processor-based VM-execution controls (SDM Vol. 3C 24.6.2) */
#define PROC2_ENABLE_EPT (1u << 1)
#define PROC2_ENABLE_VPID (1u << 5)
#define PROC2_WBINVD_EXITING (1u << 6)
#define PROC2_UNRESTRICTED_GUEST (1u << 7)

/* VM-exit controls (SDM Vol. 3C 24.7.1) */
#define EXIT_CTL_SAVE_DEBUG_CONTROLS (1u << 2)
#define EXIT_CTL_HOST_ADDRESS_SPACE (1u << 9)
#define EXIT_CTL_SAVE_PAT (1u << 18)
#define EXIT_CTL_LOAD_PAT (1u << 19)
#define EXIT_CTL_SAVE_EFER (1u << 20)
#define EXIT_CTL_LOAD_EFER (1u << 21)
#define EXIT_CTL_SAVE_PREEMPTION_TIMER (1u << 22)

/* VM-entry controls (SDM Vol. 3C 24.8.1) */
#define ENTRY_CTL_LOAD_DEBUG_CONTROLS (1u << 2)
#define ENTRY_CTL_IA32E_MODE (1u << 9)
#define ENTRY_CTL_LOAD_PAT (1u << 14)
#define ENTRY_CTL_LOAD_EFER (1u << 15)

/* IA32_VMX_MISC (SDM Vol. 3D A.6) */
#define VMX_MISC_PREEMPTION_RATE_MASK 0x1fUL

/* IA32_VMX_EPT_VPID_CAP (SDM Vol. 3D A.10) */
#define EPT_CAP_EXECUTE_ONLY (1UL << 0)
#define EPT_CAP_WALK_4 (1UL << 6)
#define EPT_CAP_WALK_5 (1UL << 7)
#define EPT_CAP_MEMTYPE_UC (1UL << 8)
#define EPT_CAP_MEMTYPE_WB (1UL << 14)
#define EPT_CAP_2M_PAGES (1UL << 16)
#define EPT_CAP_1G_PAGES (1UL << 17)
#define EPT_CAP_INVEPT (1UL << 20)
#define EPT_CAP_AD_BITS (1UL << 21)
#define EPT_CAP_INVEPT_SINGLE (1UL << 25)
#define EPT_CAP_INVEPT_ALL (1UL << 26)
#define VPID_CAP_INVVPID (1UL << 32)
#define VPID_CAP_INVVPID_SINGLE (1UL << 41)
#define VPID_CAP_INVVPID_ALL (1UL << 42)

#endif
