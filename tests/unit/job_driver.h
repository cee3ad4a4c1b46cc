/* The shared error-path driver for the device jobs (identify, backup, format's erase, flash), in the
 * spirit of flashrom's lifecycle tests: every job is run through unifw_job_run against the real unifw-sim
 * failing at one step at a time — the phone absent (open), the handshake, the DA upload (a DA file that
 * is not one, DA1 cut, DA2 cut), report 2, the PMT read, reads of several sizes, writes, erases, a write
 * or erase the eMMC acknowledges but does not do — and each time the driver asserts that the job returns
 * an error with context (where, or a step prefix in the message), that nothing is claimed done (no
 * report, no manifest, a journal that says "interrupted"), and the job's own check that nothing is left
 * half-done. A step whose fault the job never reaches fails the driver: a fault that does not fire is a
 * test that tests nothing. */
#ifndef UNIFW_TESTS_JOB_DRIVER_H
#define UNIFW_TESTS_JOB_DRIVER_H

#include <stdbool.h>
#include <stddef.h>

#include "jobs_sim.h"
#include "unifw/job.h"

/* One way for the phone to fail. */
struct job_step {
	const char *name;   /* "open", "handshake", "DA file", ... (in failure messages) */
	const char *fault;  /* unifw-sim --fault SPEC; NULL: no fault */
	bool no_phone;      /* nothing listens on the port: the open fails */
	bool bad_da;        /* the DA file is not an MTK_AllInOne_DA container */
};

/* One job, run once per step. Each run has a fresh folder (`dir`, also $UNIFW_STATE_DIR) and a fresh copy
 * of the phone's factory eMMC. */
struct job_case {
	const char *name;
	/* set job->run and job->ctx (job->open is filled: port, DA, progress NULL) */
	void (*prepare)(void *ctx, const char *dir, struct unifw_job *job);
	/* after the failed run: assert nothing is left half-done (s->emmc is the phone's image) */
	void (*check)(void *ctx, const char *dir, const struct jsim *s, const struct unifw_error *err);
	void (*release)(void *ctx);
	void *ctx;
};

/* The steps every job passes through (open to the PMT) and the reads every job makes. */
extern const struct job_step job_steps_common[];
extern const size_t job_steps_common_count;

/* Run c once per step (on model a516-like, preloader mode): the first `common` of job_steps_common, then
 * the job's own steps own[0..n_own). */
void job_driver_run(const struct job_case *c, size_t common, const struct job_step *own, size_t n_own);

#endif
