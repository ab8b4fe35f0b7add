#ifndef CORE_SELFTEST_H
#define CORE_SELFTEST_H

#include "core/cmdline.h"

/* Run the requested self-test: each one ends the run in the exception dump
 * (or a panic) by design. */
void selftest_run(enum selftest test);

#endif
