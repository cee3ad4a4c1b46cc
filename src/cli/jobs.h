/* Plumbing the device commands share (the jobs helper; cmd_identify.c, cmd_backup.c, cmd_format.c,
 * cmd_flash.c, cmd_reboot.c): the job skeleton filled from the phone options, Ctrl-C and SIGTERM turned
 * into the job's cancel hook, and the "how to resume" line a stopped job ends with. */
#ifndef UNIFW_CLI_JOBS_H
#define UNIFW_CLI_JOBS_H

#include <stdbool.h>
#include <stddef.h>

#include "cli/cli.h"
#include "unifw/job.h"

/* job->open from the phone options, job->cancel hooked to SIGINT/SIGTERM (handlers installed here: the
 * first signal asks the job to stop at its next safe point, a second one ends the process at once). */
void cli_job_init(struct unifw_job *job, const char *name, const struct cli_phone_args *pa,
		  const struct unifw_progress *progress);
/* The signal that stopped the job, 0 when none came. */
int cli_job_signal(void);
/* The exit status of a job that ended with rc: 128 + the signal when it stopped on request (as a shell
 * reports a process ended by that signal), else `code`. */
int cli_job_exit(int rc, int code);

/* A command line to print, each word quoted for a POSIX shell when it needs to be. */
struct cli_cmdline {
	char text[8192];
	size_t len;
	bool truncated;
};
void cli_cmdline_init(struct cli_cmdline *c, const char *first);
void cli_cmdline_add(struct cli_cmdline *c, const char *word);
void cli_cmdline_add2(struct cli_cmdline *c, const char *option, const char *value);
/* --port, --da, --preloader, --wait, --no-high-speed, --trace as given. */
void cli_cmdline_add_phone(struct cli_cmdline *c, const struct cli_phone_args *pa);
/* "unifw: to resume, run: <command>" on stderr: the last line a stopped job prints. */
void cli_print_resume(const struct cli_cmdline *c);

#endif
