/* The one driver loop every fuzz harness shares (fuzz_driver.c). A harness (tests/fuzz/fuzz_<name>.c)
 * is only its target: it defines
 *
 *     const struct fuzz_target fuzz_target = { .name = "scatter", .run = fuzz_one };
 *
 * and the driver does the rest: libFuzzer's entry points (LLVMFuzzerInitialize, LLVMFuzzerTestOneInput),
 * the input handling every harness had in its own copy (inputs shorter than min_input are skipped,
 * longer than max_input cut), one-time setup, and, built without libFuzzer (a compiler without
 * -fsanitize=fuzzer, tests/fuzz/meson.build), a main that runs each file or directory it is given once,
 * so a corpus or a crash file replays under the sanitizers alone.
 *
 * A harness reports a bug by aborting (abort(), __builtin_trap(), or fuzz_fail with a message): a
 * refused input is not a bug, a crash, a sanitizer report or a broken invariant is. */
#ifndef UNIFW_FUZZ_DRIVER_H
#define UNIFW_FUZZ_DRIVER_H

#include <stddef.h>
#include <stdint.h>

/* Inputs are cut to this unless the harness says otherwise: parsers see what a file's head shows them,
 * and a 1 MiB case runs in well under libFuzzer's default timeout. */
#define FUZZ_MAX_INPUT (1u << 20)

struct fuzz_target {
	const char *name;   /* the harness (fuzz_<name>), for messages */
	size_t min_input;   /* shorter inputs are not run (0: every input) */
	size_t max_input;   /* longer inputs are cut to this (0: FUZZ_MAX_INPUT) */
	/* Once, before the first input (NULL: nothing to set up). Nonzero: the harness cannot run; the
	 * driver says so and aborts. Clean-up of what it made belongs in an atexit handler. */
	int (*init)(void);
	/* One input: data[0..size), min_input <= size <= max_input. */
	void (*run)(const uint8_t *data, size_t size);
};

/* Defined by the harness. */
extern const struct fuzz_target fuzz_target;

/* A broken invariant: print "fuzz_<name>: <message>" on stderr and abort. */
__attribute__((noreturn, format(printf, 1, 2))) void fuzz_fail(const char *fmt, ...);

#endif
