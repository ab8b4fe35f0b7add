#ifndef CORE_BENCH_H
#define CORE_BENCH_H

/* The bench= option: make bench's exit-free loops on the bare CPU, framed
 * by "bench: begin NAME" lines like the bench guest's (docs/performance.md). */
void bench_bare_cpu(void);

#endif
