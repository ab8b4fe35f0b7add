# Test guests (tests/guests/, docs/guests.md): a make fragment included by the
# top-level Makefile, which must define BUILD and VERSION first. Builds every
# image into $(BUILD)/guests/ and lists them in GUEST_IMAGES. Uses gcc, ld
# and objcopy directly, whatever CC and HOSTCC are: the guests are
# freestanding and need no libc.

GUEST_DIR := tests/guests
GUEST_OUT := $(BUILD)/guests

# 64-bit ELF guests, one per source file tests/guests/NAME.c.
GUEST_ELF64 := entry cpuid io msr cr xsetbv vmxinsn hypercall ept-own canary ept-wild triple halt spin echo reset bench
# 64-bit guests that also link the interrupt library (lib/intr.c, intr.h).
GUEST_IRQ_ELF64 := uart lapic pit window worker irqbench state
# One source, one rate each: ticker-HZ.elf is ticker.c built with -DTICK_HZ=HZ.
GUEST_TICKERS := ticker-200 ticker-500
GUEST_IMAGES := $(GUEST_ELF64:%=$(GUEST_OUT)/%.elf) \
	$(GUEST_IRQ_ELF64:%=$(GUEST_OUT)/%.elf) $(GUEST_TICKERS:%=$(GUEST_OUT)/%.elf) \
	$(GUEST_OUT)/mb32.elf $(GUEST_OUT)/mb32-data.bin \
	$(GUEST_OUT)/realmode.bin $(GUEST_OUT)/bzimage-stub.bin

GUEST_LIB64 := $(GUEST_OUT)/obj64/lib/start64.o $(GUEST_OUT)/obj64/lib/runtime64.o \
	$(GUEST_OUT)/obj64/lib/fault.o $(GUEST_OUT)/obj64/lib/report.o
GUEST_LIB32 := $(GUEST_OUT)/obj32/lib/start32.o $(GUEST_OUT)/obj32/lib/report.o
GUEST_LIB_IRQ := $(GUEST_OUT)/obj64/lib/intr.o $(GUEST_OUT)/obj64/lib/intr_stubs.o
GUEST_OBJS := $(GUEST_LIB64) $(GUEST_LIB32) $(GUEST_ELF64:%=$(GUEST_OUT)/obj64/%.o) \
	$(GUEST_LIB_IRQ) $(GUEST_IRQ_ELF64:%=$(GUEST_OUT)/obj64/%.o) $(GUEST_TICKERS:%=$(GUEST_OUT)/obj64/%.o) \
	$(GUEST_OUT)/obj32/mb32.o $(GUEST_OUT)/obj32/realmode.o $(GUEST_OUT)/obj32/mb32-data.o \
	$(GUEST_OUT)/obj32/bzimage-stub.o

GUEST_CC := gcc
GUEST_LD := ld
GUEST_OBJCOPY := objcopy
# No red zone: the guests' own exception handlers run on the interrupted stack.
# No SSE in compiled code, so no guest depends on hv's FPU handling by accident.
GUEST_CFLAGS := -std=c11 -ffreestanding -fno-builtin -nostdinc \
	-isystem $(shell $(GUEST_CC) -print-file-name=include) \
	-O2 -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla \
	-fno-pic -fno-pie -fno-stack-protector -fno-asynchronous-unwind-tables \
	-mgeneral-regs-only -mno-red-zone -fno-delete-null-pointer-checks \
	-fno-tree-loop-distribute-patterns -Iinclude -I$(GUEST_DIR)/lib -MMD -MP
# hv's version as the guests expect it from HC_VERSION and CPUID 0x40000001.
GUEST_VERSION_WORDS = $(subst ., ,$(VERSION))
GUEST_VERSION_DEFS = -DHV_MAJOR=$(word 1,$(GUEST_VERSION_WORDS)) -DHV_MINOR=$(word 2,$(GUEST_VERSION_WORDS)) \
	-DHV_PATCH=$(word 3,$(GUEST_VERSION_WORDS))
GUEST_LDFLAGS := -nostdlib -static --build-id=none -z max-page-size=0x1000 -z noexecstack \
	--no-warn-rwx-segments -T $(GUEST_DIR)/lib/guest.ld

.PHONY: guests
guests: $(GUEST_IMAGES)

$(GUEST_OUT)/obj64/%.o: $(GUEST_DIR)/%.c $(GUEST_DIR)/guests.mk
	@mkdir -p $(dir $@)
	@echo "  GUESTCC $<"
	@$(GUEST_CC) -m64 $(GUEST_CFLAGS) $(GUEST_VERSION_DEFS) -c $< -o $@

$(GUEST_OUT)/obj64/%.o: $(GUEST_DIR)/%.S $(GUEST_DIR)/guests.mk
	@mkdir -p $(dir $@)
	@echo "  GUESTAS $<"
	@$(GUEST_CC) -m64 $(GUEST_CFLAGS) -c $< -o $@

$(GUEST_OUT)/obj32/%.o: $(GUEST_DIR)/%.c $(GUEST_DIR)/guests.mk
	@mkdir -p $(dir $@)
	@echo "  GUESTCC $< (32-bit)"
	@$(GUEST_CC) -m32 -march=i686 $(GUEST_CFLAGS) $(GUEST_VERSION_DEFS) -c $< -o $@

$(GUEST_OUT)/obj32/%.o: $(GUEST_DIR)/%.S $(GUEST_DIR)/guests.mk
	@mkdir -p $(dir $@)
	@echo "  GUESTAS $< (32-bit)"
	@$(GUEST_CC) -m32 $(GUEST_CFLAGS) -c $< -o $@

$(GUEST_OUT)/%.elf: $(GUEST_OUT)/obj64/%.o $(GUEST_LIB64) $(GUEST_DIR)/lib/guest.ld
	@echo "  GUESTLD $@"
	@$(GUEST_LD) -m elf_x86_64 $(GUEST_LDFLAGS) -o $@ $< $(GUEST_LIB64)

$(GUEST_IRQ_ELF64:%=$(GUEST_OUT)/%.elf) $(GUEST_TICKERS:%=$(GUEST_OUT)/%.elf): $(GUEST_OUT)/%.elf: \
		$(GUEST_OUT)/obj64/%.o $(GUEST_LIB64) $(GUEST_LIB_IRQ) $(GUEST_DIR)/lib/guest.ld
	@echo "  GUESTLD $@"
	@$(GUEST_LD) -m elf_x86_64 $(GUEST_LDFLAGS) -o $@ $< $(GUEST_LIB_IRQ) $(GUEST_LIB64)

$(GUEST_TICKERS:%=$(GUEST_OUT)/obj64/%.o): $(GUEST_OUT)/obj64/ticker-%.o: $(GUEST_DIR)/ticker.c $(GUEST_DIR)/guests.mk
	@mkdir -p $(dir $@)
	@echo "  GUESTCC $< (TICK_HZ=$*)"
	@$(GUEST_CC) -m64 $(GUEST_CFLAGS) -DTICK_HZ=$* -c $< -o $@

# The bench guest shares its exit-free loops with hv (lib/bench_loops.c).
$(GUEST_OUT)/obj64/bench_loops.o: lib/bench_loops.c include/lib/bench_loops.h $(GUEST_DIR)/guests.mk
	@mkdir -p $(dir $@)
	@echo "  GUESTCC $<"
	@$(GUEST_CC) -m64 $(GUEST_CFLAGS) -c $< -o $@

$(GUEST_OUT)/bench.elf: $(GUEST_OUT)/obj64/bench.o $(GUEST_OUT)/obj64/bench_loops.o $(GUEST_LIB64) \
		$(GUEST_DIR)/lib/guest.ld
	@echo "  GUESTLD $@"
	@$(GUEST_LD) -m elf_x86_64 $(GUEST_LDFLAGS) -o $@ $< $(GUEST_OUT)/obj64/bench_loops.o $(GUEST_LIB64)

$(GUEST_OUT)/mb32.elf: $(GUEST_OUT)/obj32/mb32.o $(GUEST_LIB32) $(GUEST_DIR)/lib/guest.ld
	@echo "  GUESTLD $@"
	@$(GUEST_LD) -m elf_i386 $(GUEST_LDFLAGS) -o $@ $< $(GUEST_LIB32)

# A raw real-mode image: linked where hv loads it (0x7C00), then flattened.
$(GUEST_OUT)/realmode.bin: $(GUEST_OUT)/obj32/realmode.o
	@echo "  GUESTLD $@"
	@$(GUEST_LD) -m elf_i386 -nostdlib -static --build-id=none -Ttext=0x7c00 -e _start \
		-o $(GUEST_OUT)/obj32/realmode.elf $<
	@$(GUEST_OBJCOPY) -O binary -j .text $(GUEST_OUT)/obj32/realmode.elf $@

# Data files assembled from .data sections: the multiboot data module and a
# stand-in bzImage header.
$(GUEST_OUT)/%.bin: $(GUEST_OUT)/obj32/%.o
	@echo "  OBJCOPY $@"
	@$(GUEST_OBJCOPY) -O binary -j .data $< $@

# Keep the objects make would otherwise delete as intermediates.
.SECONDARY: $(GUEST_OBJS)

-include $(GUEST_OBJS:.o=.d)
