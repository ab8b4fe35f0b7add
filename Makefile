# hv: a bare-metal x86-64 hypervisor. See README.md.
#   make / make iso   build build/hv.elf and build/hv.iso
#   make run          boot the demo ISO in the best emulator this machine has
#   make test         unit tests on the host, then boot tests in every emulator
#   make unit         host unit tests only
#   make bench        exit-path costs measured in Bochs (docs/performance.md)
#   make CC=clang     build the hypervisor with clang instead of gcc

ifeq ($(origin CC),default)
CC := gcc
endif
HOSTCC ?= gcc
BUILD := build
.DEFAULT_GOAL := all
VERSION := 0.1.0
VERSION_WORDS := $(subst ., ,$(VERSION))
# major << 16 | minor << 8 | patch: what CPUID 0x40000001 and HC_VERSION return
VERSION_CODE := $(shell echo $$(( ($(word 1,$(VERSION_WORDS)) << 16) | ($(word 2,$(VERSION_WORDS)) << 8) | $(word 3,$(VERSION_WORDS)) )))
GIT_REV := $(shell git describe --always --dirty 2>/dev/null || echo unknown)

KERNEL_DIRS := boot arch/x86 mm drivers core lib vmm
KERNEL_C := $(foreach d,$(KERNEL_DIRS),$(wildcard $(d)/*.c))
KERNEL_S := $(foreach d,$(KERNEL_DIRS),$(wildcard $(d)/*.S))
KERNEL_OBJS := $(patsubst %,$(BUILD)/obj/%.o,$(KERNEL_S) $(KERNEL_C))

include tests/guests/guests.mk

WARNINGS := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wpointer-arith -Wundef -Wvla
KERNEL_CFLAGS := -std=c11 -ffreestanding -fno-builtin -nostdinc -isystem $(shell $(CC) -print-file-name=include) \
	-mno-red-zone -mcmodel=kernel -mno-mmx -mno-sse -mno-sse2 -mno-3dnow -mno-avx \
	-fno-pic -fno-pie -fno-stack-protector -fno-omit-frame-pointer -fno-asynchronous-unwind-tables \
	-fno-strict-aliasing -O2 -g $(WARNINGS) -Iinclude \
	-DHV_VERSION='"$(VERSION)"' -DHV_GIT_REV='"$(GIT_REV)"' -DHV_VERSION_CODE=$(VERSION_CODE)
KERNEL_LDFLAGS := -nostdlib -static -Wl,-T,linker.ld -Wl,-z,max-page-size=0x1000 \
	-Wl,--build-id=none -Wl,-z,noexecstack

# Pure logic that also compiles for the host and is unit-tested there.
PURE_SRCS := lib/format.c boot/multiboot2.c core/cmdline.c mm/frame.c mm/paging.c mm/heap.c \
	vmm/vmx_caps.c vmm/ept.c vmm/guest_config.c vmm/image.c vmm/mb1_info.c \
	lib/hash.c vmm/vmx_check.c vmm/vpic.c vmm/vpit.c vmm/vlapic.c vmm/uart16550.c \
	vmm/x86_decode.c vmm/guest_walk.c lib/bench_loops.c vmm/bzimage.c vmm/vrtc.c lib/civil.c
UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_CFLAGS := -std=c11 -g -O1 -fsanitize=address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer $(WARNINGS) -Wno-missing-prototypes -Iinclude -Itests/unit -DHOST_TEST

.PHONY: all iso run test unit clang bench linux-assets clean deps deps-test
all iso: $(BUILD)/hv.iso

deps:
	@scripts/deps.sh build

deps-test:
	@scripts/deps.sh test

$(BUILD)/obj/%.c.o: %.c Makefile | deps
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(KERNEL_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/obj/%.S.o: %.S Makefile | deps
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	@$(CC) $(KERNEL_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/hv.elf: $(KERNEL_OBJS) linker.ld
	@echo "  LD      $@"
	@$(CC) $(KERNEL_LDFLAGS) -o $@ $(KERNEL_OBJS)
	@scripts/check-elf.sh $@

# The demo: guests in 64-bit, 32-bit multiboot and 16-bit real mode, side by
# side with their own serial lines (docs/guests.md).
$(BUILD)/hv.iso: $(BUILD)/hv.elf scripts/mkiso.sh $(GUEST_IMAGES)
	scripts/mkiso.sh $@ $(BUILD)/hv.elf "loglevel=info memcheck" \
		$(GUEST_OUT)/cpuid.elf "name=cpuid mem=2M" \
		$(GUEST_OUT)/mb32.elf "name=mb32 mem=8M 'cmdline=console=ttyS0,115200 quiet \"quoted arg\"'" \
		$(GUEST_OUT)/mb32-data.bin "for=mb32" \
		$(GUEST_OUT)/realmode.bin "name=realmode mem=1M" \
		$(GUEST_OUT)/ept-wild.elf "name=wild mem=2M"

$(BUILD)/unit/unit_tests: $(PURE_SRCS) $(UNIT_SRCS) $(wildcard tests/unit/*.h) Makefile
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	@$(HOSTCC) $(UNIT_CFLAGS) -o $@ $(PURE_SRCS) $(UNIT_SRCS)

unit: $(BUILD)/unit/unit_tests
	$(BUILD)/unit/unit_tests

# The same hypervisor built by clang, booted by tests/boot/cases/qemu-clang.case.
clang: deps
	@$(MAKE) --no-print-directory CC=clang BUILD=$(BUILD)/clang $(BUILD)/clang/hv.elf

run: deps-test $(BUILD)/hv.iso
	scripts/run.sh $(BUILD)/hv.iso

# An unmodified Debian kernel and a busybox initramfs for the Linux guest
# test, from Debian's packages (apt-get download; nothing is installed).
linux-assets: deps-test
	scripts/linux-assets.sh $(BUILD)/linux

test: deps-test $(BUILD)/hv.elf clang $(BUILD)/unit/unit_tests guests linux-assets
	tests/run-all.sh

# Exit-path costs in Bochs (docs/performance.md); not part of make test.
bench: deps-test $(BUILD)/hv.elf guests linux-assets
	scripts/bench.sh

clean:
	rm -rf $(BUILD)

-include $(KERNEL_OBJS:.o=.d)
