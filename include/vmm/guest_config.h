/* A guest's configuration, parsed from its GRUB module2 command line.
 *
 *   module2 /guest.elf name=NAME mem=SIZE [entry=long|protected|real] [cmdline=...]
 *   module2 /initrd    for=NAME [cmdline=...]
 *
 * A module whose options hold for=NAME is a data module for guest NAME;
 * every other module is a guest image. A guest whose options are wrong is
 * refused with one specific error; the other guests still run. Pure logic:
 * compiled into the hypervisor and unit-tested on the host. */
#ifndef VMM_GUEST_CONFIG_H
#define VMM_GUEST_CONFIG_H

#include "compiler.h"

#define GUEST_NAME_MAX 32     /* bytes with the NUL: names are 1-31 chars */
#define GUEST_CMDLINE_MAX 256 /* bytes with the NUL */
#define GUEST_ERROR_MAX 160

#define GUEST_MEM_ALIGN (4 * KiB)
#define GUEST_MEM_MIN (1 * MiB)
#define GUEST_MEM_MAX (64 * GiB)
/* The top of every guest's RAM holds its entry state (page tables,
 * descriptor tables, boot information); images must not load there. */
#define GUEST_STATE_AREA_SIZE (64 * KiB)

enum guest_entry {
	GUEST_ENTRY_AUTO,      /* no entry=: chosen from the image kind */
	GUEST_ENTRY_LONG,      /* entry=long */
	GUEST_ENTRY_PROTECTED, /* entry=protected */
	GUEST_ENTRY_REAL,      /* entry=real */
};

/* break_state=: a test option that corrupts one guest-state field before
 * the first VM entry, to prove the entry-failure report (tests only). */
enum guest_break {
	GUEST_BREAK_NONE,
	GUEST_BREAK_TR,     /* break_state=tr: TR type 9 (an available TSS) */
	GUEST_BREAK_CR0,    /* break_state=cr0: CR0.NE clear, against CR0_FIXED0 */
	GUEST_BREAK_RFLAGS, /* break_state=rflags: reserved bit 1 clear */
	GUEST_BREAK_LINK,   /* break_state=link: a VMCS link pointer that is not ~0 */
};

struct guest_config {
	char name[GUEST_NAME_MAX];         /* "" until name= or guest_config_default_name() */
	uint64_t mem;                      /* bytes; 0 when missing or bad */
	enum guest_entry entry;
	enum guest_break break_state;
	char cmdline[GUEST_CMDLINE_MAX];   /* guest: its command line; data: the module string */
	char for_name[GUEST_NAME_MAX];     /* data modules: the guest they belong to */
	size_t owner;                      /* data modules not refused: the index of
					    * their guest (set by guest_configs_check_unique();
					    * that guest may itself be refused) */
	bool is_data;                      /* for= given */
	bool placeholder_name;             /* name is "module<N>", not the user's */
	bool refused;
	char error[GUEST_ERROR_MAX];       /* why it was refused (the first problem) */
};

/* The end of the RAM an image may use: everything below the entry state. */
static inline uint64_t guest_image_limit(uint64_t mem)
{
	return mem - GUEST_STATE_AREA_SIZE;
}

/* Parse one module command line into *out (fully overwritten). Returns
 * false, with out->refused set and out->error saying why (e.g. "unknown
 * option 'foo=1'", "missing mem="), when the module cannot be used. All
 * options are still read, so out->name is known for the summary line even
 * when an earlier option was bad. */
bool guest_config_parse(const char *module_cmdline, struct guest_config *out);

/* Give a module without a (valid) name the placeholder "module<index>" for
 * its summary line; a named one is left alone. */
void guest_config_default_name(struct guest_config *cfg, unsigned int index);

/* Cross-module checks over all n modules, in GRUB order: refuse a guest
 * whose name an earlier guest already has ("duplicate name 'x'"), and a
 * data module whose for= names no guest ("for=x: no guest named x");
 * otherwise set each data module's owner. Already-refused modules keep
 * their first error; placeholder names take no part. */
void guest_configs_check_unique(struct guest_config *cfgs, size_t n);

#endif
