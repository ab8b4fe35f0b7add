/* The scheduler. One CPU, round-robin over the vCPUs of all guests. A vCPU
 * runs until its slice ends (a VMX-preemption-timer exit, which no guest
 * can block), it sleeps in HLT, or its guest ends. When every vCPU sleeps
 * the CPU halts until the earliest wake-up: no periodic host tick. */
#include "vmm/sched.h"

#include "arch/x86/cpu.h"
#include "core/log.h"
#include "drivers/serial.h"
#include "drivers/timer.h"
#include "drivers/tsc.h"
#include "vmm/console.h"
#include "vmm/vcpu.h"
#include "vmm/vm.h"

struct sched {
	struct vm *vms;
	size_t n;
	size_t next; /* round-robin position, in guests */
};

static bool vcpu_can_run(const struct vcpu *v, uint64_t now)
{
	return !vm_done(v->vm) && (v->state == VCPU_RUNNABLE ||
				   (v->state == VCPU_SLEEPING && v->wake_tsc <= now));
}

/* A vCPU whose virtual timer is due (asleep or waiting its turn) goes
 * first, so its interrupt is late by at most one minimum slice. */
static struct vcpu *pick_due(struct sched *s, uint64_t now)
{
	for (size_t i = 0; i < s->n; i++) {
		struct vm *vm = &s->vms[(s->next + i) % s->n];

		for (unsigned int c = 0; vm->state == VM_RUNNING && c < vm->nr_vcpus; c++) {
			struct vcpu *v = &vm->vcpus[c];
			uint64_t due = v->state == VCPU_SLEEPING ? v->wake_tsc : v->next_event;

			/* The round-robin position stays: the others keep
			 * their turn. */
			if (due <= now && vcpu_can_run(v, now))
				return v;
		}
	}
	return NULL;
}

static struct vcpu *pick_next(struct sched *s, uint64_t now)
{
	struct vcpu *due = pick_due(s, now);

	if (due)
		return due;
	for (size_t i = 0; i < s->n; i++) {
		struct vm *vm = &s->vms[(s->next + i) % s->n];

		if (vm->state != VM_RUNNING)
			continue;
		for (unsigned int c = 0; c < vm->nr_vcpus; c++) {
			if (vcpu_can_run(&vm->vcpus[c], now)) {
				s->next = (s->next + i + 1) % s->n;
				return &vm->vcpus[c];
			}
		}
	}
	return NULL;
}

/* The earliest time a sleeping vCPU wants to run, or UINT64_MAX. */
static uint64_t next_wake(const struct sched *s)
{
	uint64_t wake = UINT64_MAX;

	for (size_t i = 0; i < s->n; i++) {
		const struct vm *vm = &s->vms[i];

		for (unsigned int c = 0; vm->state == VM_RUNNING && c < vm->nr_vcpus; c++)
			if (vm->vcpus[c].state == VCPU_SLEEPING)
				wake = MIN(wake, vm->vcpus[c].wake_tsc);
	}
	return wake;
}

/* A slice ends early when another vCPU's virtual timer comes due, so its
 * interrupt arrives on time whichever guest has the CPU; but never before
 * the guest can make progress (under Bochs a switch costs ~1,200
 * instructions, and a timer of 200 ticks expires before the first guest
 * instruction). */
#define MIN_SLICE_US 500

static uint64_t slice_for(const struct sched *s, const struct vcpu *running, uint64_t slice,
			  uint64_t now)
{
	uint64_t limit = UINT64_MAX, min = ns_to_tsc(MIN_SLICE_US * 1000);

	for (size_t i = 0; i < s->n; i++) {
		const struct vm *vm = &s->vms[i];

		for (unsigned int c = 0; vm->state == VM_RUNNING && c < vm->nr_vcpus; c++) {
			const struct vcpu *v = &vm->vcpus[c];

			if (v != running)
				limit = MIN(limit, v->state == VCPU_SLEEPING ? v->wake_tsc :
										v->next_event);
		}
	}
	if (limit <= now + min)
		return min;
	return MIN(slice, limit - now);
}

/* Nothing to run before wake: halt until the host timer says so, but look
 * at the console's input every CONSOLE_POLL_MS (a guest may sleep waiting
 * for a key). */
#define CONSOLE_POLL_MS 10
#define CONSOLE_DRAIN_US 1000 /* a FIFO-load of output takes ~1.4 ms */

static void idle_until(uint64_t wake)
{
	uint64_t poll = rdtsc() + (serial_busy() ? ns_to_tsc(CONSOLE_DRAIN_US * 1000ull) :
						    ns_to_tsc(CONSOLE_POLL_MS * 1000000ull));

	wake = MIN(wake, poll);
	timer_arm(wake, NULL);
	while (rdtsc() < wake) {
		serial_pump();
		__asm__ volatile("sti; hlt; cli" ::: "memory");
	}
	timer_cancel();
}

void sched_run(struct vm *vms, size_t n, uint64_t slice_us, void (*on_end)(struct vm *vm))
{
	struct sched s = { vms, n, 0 };
	uint64_t slice = ns_to_tsc(slice_us * 1000);
	size_t running = 0;

	for (size_t i = 0; i < n; i++) {
		if (vms[i].state == VM_READY) {
			vms[i].state = VM_RUNNING;
			log_info("hv: starting guest %s", vms[i].name);
			running++;
		}
	}
	console_input_init(vms, n);
	while (running) {
		uint64_t now = rdtsc();
		struct vcpu *v;

		serial_pump();
		console_input_poll();
		v = pick_next(&s, now);
		if (!v) {
			idle_until(next_wake(&s));
			continue;
		}
		vcpu_run_slice(v, slice_for(&s, v, slice, now));
		if (vm_done(v->vm)) {
			on_end(v->vm);
			running--;
		}
	}
}
