#ifndef VMM_DEBUG_EXIT_H
#define VMM_DEBUG_EXIT_H

/* A write of any width to port 0xF4 ends the guest with that status. */
void debug_exit_register(void);

#endif
