/* unifw — the skeleton every device job shares (identify, backup, format's erase, flash, reboot): open
 * the phone, run the job on it, close the phone whatever happened. The caller (the CLI) gives the job
 * and a cancel hook; the library never prints, never exits and installs no signal handler: a job polls
 * the hook at its safe points (between blocks, never inside a write command) and stops there with
 * UNIFW_E_CANCELLED, its journal saying "interrupted". Implemented in src/ops/job.c. */
#ifndef UNIFW_JOB_H
#define UNIFW_JOB_H

#include <stdbool.h>
#include <stddef.h>

#include "unifw/error.h"
#include "unifw/phone.h"

#ifdef __cplusplus
extern "C" {
#endif

/* "Stop at the next safe point": requested() is polled (it must be cheap; a signal handler's flag). */
struct unifw_cancel {
	bool (*requested)(void *ctx);
	void *ctx;
};
/* NULL-safe. */
bool unifw_cancel_requested(const struct unifw_cancel *c);
/* 0 when the job may go on, else UNIFW_E_CANCELLED with err saying where the job stopped (`where`: the
 * partition or step, `what`: the safe point, e.g. "before the range at 0x..."). */
int unifw_cancel_check(const struct unifw_cancel *c, const char *where, const char *what, struct unifw_error *err);

/* The download agent a job sends: `given` (--da) when set, else $UNIFW_DA, else 'da =' of the
 * configuration file (into buf). NULL when there is none. One lookup for every job. */
const char *unifw_da_lookup(const char *given, char *buf, size_t cap);

/* The job proper, on the open phone. */
typedef int (*unifw_job_fn)(void *ctx, struct unifw_phone *ph, struct unifw_error *err);

struct unifw_job {
	const char *name;                   /* "identify", "backup", "erase", "flash", "reboot" */
	struct unifw_phone_open_opts open;  /* how to reach the phone (da_path resolved by unifw_da_lookup) */
	unifw_job_fn run;                   /* NULL: open and close only */
	void *ctx;
	const struct unifw_cancel *cancel;  /* polled before and after the phone is opened; the job polls it too */
};

/* open -> run -> close. The phone is closed on every path; the error of the first failing step is
 * returned (the open's message says what to do: plug in, ModemManager, EMI...). */
int unifw_job_run(const struct unifw_job *job, struct unifw_error *err);

#ifdef __cplusplus
}
#endif
#endif
