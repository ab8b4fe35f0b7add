/* Guest page-table walks over tables built in a host buffer standing in for
 * guest RAM: every paging mode, large pages, not-present at each level,
 * tables outside RAM, and linear reads across a page boundary. */
#include <stdlib.h>

#include "test.h"
#include "vmm/guest_walk.h"

#define RAM_SIZE (1 * MiB)

#define P BIT(0)
#define W BIT(1)
#define PS BIT(7)
#define NX BIT(63)

#define CR0_PE BIT(0)
#define CR0_PG BIT(31)
#define CR4_PSE BIT(4)
#define CR4_PAE BIT(5)
#define CR4_LA57 BIT(12)
#define EFER_LME BIT(8)
#define EFER_LMA BIT(10)

struct ram {
	uint8_t *mem;
	unsigned int reads;
};

static bool ram_read(void *ctx, uint64_t gpa, void *buf, size_t len)
{
	struct ram *r = ctx;

	r->reads++;
	if (gpa >= RAM_SIZE || len > RAM_SIZE - gpa)
		return false;
	memcpy(buf, r->mem + gpa, len);
	return true;
}

static void ram_init(struct ram *r)
{
	r->mem = calloc(1, RAM_SIZE);
	r->reads = 0;
	CHECK(r->mem != NULL);
}

static void put32(struct ram *r, uint64_t gpa, uint32_t v)
{
	memcpy(r->mem + gpa, &v, sizeof(v));
}

static void put64(struct ram *r, uint64_t gpa, uint64_t v)
{
	memcpy(r->mem + gpa, &v, sizeof(v));
}

/* Byte offset of the entry for linear in a table of 8-byte entries. */
static uint64_t slot64(uint64_t linear, unsigned int shift)
{
	return ((linear >> shift) & 511) * 8;
}

static uint64_t slot32(uint64_t linear, unsigned int shift)
{
	return ((linear >> shift) & 1023) * 4;
}

static int walk(struct ram *r, const struct guest_paging *p, uint64_t linear, uint64_t *gpa)
{
	*gpa = 0xdead;
	return guest_walk(p, linear, gpa, ram_read, r);
}

TEST(guest_walk_paging_off_is_identity)
{
	struct ram r;
	struct guest_paging p = { .cr0 = CR0_PE };
	uint64_t gpa;

	ram_init(&r);
	CHECK_EQ(walk(&r, &p, 0xfee00020, &gpa), GW_OK);
	CHECK_EQ(gpa, 0xfee00020);
	/* linear addresses are 32 bits without IA-32e paging */
	CHECK_EQ(walk(&r, &p, 0x100001234ULL, &gpa), GW_OK);
	CHECK_EQ(gpa, 0x1234);
	CHECK_EQ(r.reads, 0);
	free(r.mem);
}

/* 32-bit paging: PD at 0x1000, PT at 0x2000 */
#define PD32 0x1000
#define PT32 0x2000

TEST(guest_walk_32bit_4k_and_4m)
{
	struct ram r;
	struct guest_paging p = { .cr0 = CR0_PE | CR0_PG, .cr3 = PD32 | 0x18 /* PWT, PCD */ };
	uint64_t gpa;

	ram_init(&r);
	put32(&r, PD32 + slot32(0x00403abc, 22), PT32 | P | W);
	put32(&r, PT32 + slot32(0x00403abc, 12), 0x5000 | P);
	CHECK_EQ(walk(&r, &p, 0x00403abc, &gpa), GW_OK);
	CHECK_EQ(gpa, 0x5abc);
	CHECK_EQ(walk(&r, &p, 0xffffffff00403abcULL, &gpa), GW_OK); /* upper half ignored */
	CHECK_EQ(gpa, 0x5abc);
	/* a PS entry without CR4.PSE is a table pointer (bit 7 ignored) */
	put32(&r, PD32 + slot32(0x00812345, 22), PT32 | P | PS);
	CHECK_EQ(walk(&r, &p, 0x00803abc, &gpa), GW_OK);
	CHECK_EQ(gpa, 0x5abc);
	/* with CR4.PSE: a 4 MiB page */
	p.cr4 = CR4_PSE;
	put32(&r, PD32 + slot32(0x00812345, 22), 0x00c00000 | P | PS);
	CHECK_EQ(walk(&r, &p, 0x00812345, &gpa), GW_OK);
	CHECK_EQ(gpa, 0x00c12345);
	/* PSE-36: physical bits 39:32 in PDE bits 20:13 */
	put32(&r, PD32 + slot32(0xffc00010, 22), 0x40000000 | (0x12 << 13) | P | PS);
	CHECK_EQ(walk(&r, &p, 0xffc00010, &gpa), GW_OK);
	CHECK_EQ(gpa, 0x1240000010ULL);
	/* 4 KiB pages still work with CR4.PSE */
	CHECK_EQ(walk(&r, &p, 0x00403abc, &gpa), GW_OK);
	CHECK_EQ(gpa, 0x5abc);
	free(r.mem);
}

TEST(guest_walk_32bit_not_present)
{
	struct ram r;
	struct guest_paging p = { .cr0 = CR0_PE | CR0_PG, .cr3 = PD32 };
	uint64_t gpa;

	ram_init(&r);
	CHECK_EQ(walk(&r, &p, 0x00403abc, &gpa), GW_ERR_NOT_PRESENT_PDE);
	CHECK_EQ(gpa, 0xdead);
	put32(&r, PD32 + slot32(0x00403abc, 22), PT32 | P);
	put32(&r, PT32 + slot32(0x00403abc, 12), 0x5000 | W); /* P clear */
	CHECK_EQ(walk(&r, &p, 0x00403abc, &gpa), GW_ERR_NOT_PRESENT_PTE);
	CHECK_EQ(guest_walk_not_present_level(GW_ERR_NOT_PRESENT_PTE), GUEST_LEVEL_PTE);
	/* a page table outside guest RAM */
	put32(&r, PD32 + slot32(0x00403abc, 22), 0x80000000 | P);
	CHECK_EQ(walk(&r, &p, 0x00403abc, &gpa), GW_ERR_TABLE_OUTSIDE_RAM);
	free(r.mem);
}

/* PAE: PDPT at 0x3020 (32-byte aligned), PD at 0x4000, PT at 0x6000 */
#define PDPT_PAE 0x3020
#define PD_PAE 0x4000
#define PT_PAE 0x6000
#define LIN_PAE_4K 0x80a05123ULL /* PDPTE 2, PDE 5, PTE 5 */
#define LIN_PAE_2M 0x80c12345ULL /* PDPTE 2, PDE 6 */

static void build_pae(struct ram *r)
{
	put64(r, PDPT_PAE + slot64(LIN_PAE_4K, 30), PD_PAE | P);
	put64(r, PD_PAE + slot64(LIN_PAE_4K, 21), PT_PAE | P | W);
	put64(r, PT_PAE + slot64(LIN_PAE_4K, 12), 0x7000 | P | NX);
	/* a 2 MiB page above 4 GiB, NX set */
	put64(r, PD_PAE + slot64(LIN_PAE_2M, 21), 0x123400000ULL | P | PS | NX);
}

TEST(guest_walk_pae)
{
	struct ram r;
	struct guest_paging p = { .cr0 = CR0_PE | CR0_PG, .cr3 = PDPT_PAE, .cr4 = CR4_PAE };
	uint64_t gpa;

	ram_init(&r);
	build_pae(&r);
	CHECK_EQ(walk(&r, &p, LIN_PAE_4K, &gpa), GW_OK);
	CHECK_EQ(gpa, 0x7123);
	CHECK_EQ(walk(&r, &p, LIN_PAE_2M, &gpa), GW_OK);
	CHECK_EQ(gpa, 0x123412345ULL);
	/* PDPTE 3 absent, then PDE, then PTE */
	CHECK_EQ(walk(&r, &p, 0xc0000000, &gpa), GW_ERR_NOT_PRESENT_PDPTE);
	CHECK_EQ(walk(&r, &p, 0x80e00000, &gpa), GW_ERR_NOT_PRESENT_PDE);
	CHECK_EQ(walk(&r, &p, LIN_PAE_4K + 0x1000, &gpa), GW_ERR_NOT_PRESENT_PTE);
	free(r.mem);
}

TEST(guest_walk_pae_uses_pdpte_registers)
{
	struct ram r;
	/* the PDPTEs loaded with CR3 (from the VMCS) win over memory */
	uint64_t pdpte[GUEST_PAE_PDPTES] = { 0, 0, PD_PAE | P, 0 };
	struct guest_paging p = { .cr0 = CR0_PE | CR0_PG, .cr3 = PDPT_PAE, .cr4 = CR4_PAE,
				  .pdpte = pdpte };
	uint64_t gpa;

	ram_init(&r);
	build_pae(&r);
	put64(&r, PDPT_PAE + slot64(LIN_PAE_4K, 30), 0); /* changed in memory since */
	CHECK_EQ(walk(&r, &p, LIN_PAE_4K, &gpa), GW_OK);
	CHECK_EQ(gpa, 0x7123);
	pdpte[2] = 0;
	CHECK_EQ(walk(&r, &p, LIN_PAE_4K, &gpa), GW_ERR_NOT_PRESENT_PDPTE);
	free(r.mem);
}

/* 4-level: PML4 0x10000, PDPT 0x11000, PD 0x12000, PT 0x13000 */
#define PML4 0x10000
#define PDPT 0x11000
#define PD 0x12000
#define PT 0x13000
#define LIN_4K 0xffff800000201abcULL /* PML4 256, PDPT 0, PD 1, PT 1 */
#define LIN_2M 0xffff800000412345ULL /* PD 2 */
#define LIN_1G 0xffff800040123456ULL /* PDPT 1 */

static struct guest_paging long_mode(void)
{
	return (struct guest_paging){ .cr0 = CR0_PE | CR0_PG, .cr3 = PML4 | 0x5 /* PCID */,
				      .cr4 = CR4_PAE, .efer = EFER_LME | EFER_LMA };
}

static void build_4level(struct ram *r)
{
	put64(r, PML4 + slot64(LIN_4K, 39), PDPT | P | W);
	put64(r, PDPT + slot64(LIN_4K, 30), PD | P | W);
	put64(r, PD + slot64(LIN_4K, 21), PT | P | W);
	put64(r, PT + slot64(LIN_4K, 12), 0xfee00000 | P | W | NX);
	put64(r, PD + slot64(LIN_2M, 21), 0x00800000 | P | PS | BIT(12) /* PAT */);
	put64(r, PDPT + slot64(LIN_1G, 30), 0x2c0000000ULL | P | PS | NX);
}

TEST(guest_walk_4level)
{
	struct ram r;
	struct guest_paging p = long_mode();
	uint64_t gpa;

	ram_init(&r);
	build_4level(&r);
	CHECK_EQ(walk(&r, &p, LIN_4K, &gpa), GW_OK);
	CHECK_EQ(gpa, 0xfee00abc);
	CHECK_EQ(walk(&r, &p, LIN_2M, &gpa), GW_OK);
	CHECK_EQ(gpa, 0x00812345);
	CHECK_EQ(walk(&r, &p, LIN_1G, &gpa), GW_OK);
	CHECK_EQ(gpa, 0x2c0123456ULL);
	free(r.mem);
}

TEST(guest_walk_4level_not_present_at_each_level)
{
	struct ram r;
	struct guest_paging p = long_mode();
	uint64_t gpa;

	ram_init(&r);
	build_4level(&r);
	CHECK_EQ(walk(&r, &p, 0x0000000000201abcULL, &gpa), GW_ERR_NOT_PRESENT_PML4E);
	CHECK_EQ(walk(&r, &p, LIN_4K + (2ULL << 30), &gpa), GW_ERR_NOT_PRESENT_PDPTE);
	CHECK_EQ(walk(&r, &p, LIN_4K + (4ULL << 21), &gpa), GW_ERR_NOT_PRESENT_PDE);
	CHECK_EQ(walk(&r, &p, LIN_4K + (1ULL << 12), &gpa), GW_ERR_NOT_PRESENT_PTE);
	CHECK_EQ(guest_walk_not_present_level(GW_ERR_NOT_PRESENT_PML4E), GUEST_LEVEL_PML4E);
	CHECK_EQ(guest_walk_not_present_level(GW_ERR_NOT_PRESENT_PDPTE), GUEST_LEVEL_PDPTE);
	CHECK_EQ(guest_walk_not_present_level(GW_ERR_TABLE_OUTSIDE_RAM), 0);
	CHECK_EQ(guest_walk_not_present_level(GW_OK), 0);
	/* a table beyond guest RAM */
	put64(&r, PD + slot64(LIN_4K, 21), 0x40000000 | P);
	CHECK_EQ(walk(&r, &p, LIN_4K, &gpa), GW_ERR_TABLE_OUTSIDE_RAM);
	free(r.mem);
}

TEST(guest_walk_4level_canonical)
{
	struct ram r;
	struct guest_paging p = long_mode();
	uint64_t gpa;

	ram_init(&r);
	build_4level(&r);
	CHECK_EQ(walk(&r, &p, 0x0000800000000000ULL, &gpa), GW_ERR_NONCANONICAL);
	CHECK_EQ(walk(&r, &p, 0xffff000000201abcULL, &gpa), GW_ERR_NONCANONICAL);
	CHECK_EQ(walk(&r, &p, 0x7fff800000201abcULL, &gpa), GW_ERR_NONCANONICAL);
	CHECK_EQ(r.reads, 0);
	free(r.mem);
}

TEST(guest_walk_5level)
{
	struct ram r;
	struct guest_paging p = long_mode();
	uint64_t gpa;

	ram_init(&r);
	build_4level(&r);
	/* PML5 at 0x20000, entry 511 -> the PML4: the same tables as 4-level */
	p.cr3 = 0x20000;
	p.cr4 |= CR4_LA57;
	put64(&r, 0x20000 + 511 * 8, PML4 | P);
	CHECK_EQ(walk(&r, &p, LIN_4K | 0xff00000000000000ULL, &gpa), GW_OK);
	CHECK_EQ(gpa, 0xfee00abc);
	/* 48-bit-canonical but another PML5 entry: absent */
	CHECK_EQ(walk(&r, &p, 0x0000000000201abcULL, &gpa), GW_ERR_NOT_PRESENT_PML5E);
	/* canonical in 48 bits, not in 57 */
	CHECK_EQ(walk(&r, &p, 0x0100000000000000ULL, &gpa), GW_ERR_NONCANONICAL);
	free(r.mem);
}

TEST(guest_read_linear_crosses_pages)
{
	struct ram r;
	struct guest_paging p = long_mode();
	uint64_t lin = 0xffff800000201ffdULL; /* 3 bytes before the end of a page */
	uint8_t buf[8] = { 0 };

	ram_init(&r);
	build_4level(&r);
	/* the two linear pages map to physical pages in reverse order */
	put64(&r, PT + slot64(lin, 12), 0x31000 | P);
	put64(&r, PT + slot64(lin + 0x1000, 12), 0x30000 | P);
	memcpy(r.mem + 0x31ffd, "\x48\x8b\x05", 3);
	memcpy(r.mem + 0x30000, "\x10\x20\x30\x40\x50", 5);
	CHECK_EQ(guest_read_linear(&p, lin, buf, sizeof(buf), ram_read, &r), 8);
	CHECK(memcmp(buf, "\x48\x8b\x05\x10\x20\x30\x40\x50", 8) == 0);
	/* the second page not present: only the first part */
	memset(buf, 0, sizeof(buf));
	put64(&r, PT + slot64(lin + 0x1000, 12), 0);
	CHECK_EQ(guest_read_linear(&p, lin, buf, sizeof(buf), ram_read, &r), 3);
	CHECK(memcmp(buf, "\x48\x8b\x05\0", 4) == 0);
	/* the second page outside RAM */
	put64(&r, PT + slot64(lin + 0x1000, 12), 0x40000000 | P);
	CHECK_EQ(guest_read_linear(&p, lin, buf, sizeof(buf), ram_read, &r), 3);
	/* the first page absent: nothing */
	CHECK_EQ(guest_read_linear(&p, lin - 0x1000, buf, sizeof(buf), ram_read, &r), 0);
	CHECK_EQ(guest_read_linear(&p, lin, buf, 0, ram_read, &r), 0);
	free(r.mem);
}

TEST(guest_read_linear_paging_off)
{
	struct ram r;
	struct guest_paging p = { 0 }; /* real mode */
	uint8_t buf[4];

	ram_init(&r);
	memcpy(r.mem + 0x7c00, "\x8b\x46\x00\x90", 4);
	CHECK_EQ(guest_read_linear(&p, 0x7c00, buf, 4, ram_read, &r), 4);
	CHECK(memcmp(buf, "\x8b\x46\x00\x90", 4) == 0);
	/* stops where guest RAM ends */
	CHECK_EQ(guest_read_linear(&p, RAM_SIZE - 2, buf, 4, ram_read, &r), 2);
	free(r.mem);
}

TEST(guest_read_linear_32bit_wraps_to_page_0)
{
	struct ram r;
	struct guest_paging p = { .cr0 = CR0_PE | CR0_PG, .cr3 = PD32 };
	uint8_t buf[4];

	ram_init(&r);
	put32(&r, PD32 + slot32(0xfffff000, 22), PT32 | P);
	put32(&r, PT32 + slot32(0xfffff000, 12), 0x9000 | P);
	put32(&r, PD32, 0x3000 | P);
	put32(&r, 0x3000, 0x8000 | P);
	memcpy(r.mem + 0x9ffe, "\x89\x07", 2);
	memcpy(r.mem + 0x8000, "\x12\x34", 2);
	CHECK_EQ(guest_read_linear(&p, 0xfffffffe, buf, 4, ram_read, &r), 4);
	CHECK(memcmp(buf, "\x89\x07\x12\x34", 4) == 0);
	free(r.mem);
}
