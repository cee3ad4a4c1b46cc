/* unifw-sim — moving bytes between the device core and a Unix socket or a pty (poll loop). */
#ifndef UNIFW_SIM_SERVE_H
#define UNIFW_SIM_SERVE_H

#include <stdbool.h>
#include <stdio.h>

#include "device/linkrate.h"
#include "device/sim_dev.h"
#include "unifw/error.h"

struct sim_serve_opts {
	const char *socket_path; /* serve a Unix socket here, or ... */
	bool pty;                /* ... a pseudo terminal (its slave path is printed on `out`) */
	const char *pty_link;    /* keep a symlink to the current pty slave (a replug makes a new one) */
	const char *on_finish;   /* shell command run after FINISH (env: UNIFW_SIM_EMMC, UNIFW_SIM_FINISH_MODE) */
	const char *emmc_path;   /* passed to the hook */
	bool exit_on_finish;     /* stop serving after the first FINISH */
	/* Called after FINISH, before on_finish (the program evaluates the boot there); may be NULL. */
	void (*after_finish)(void *ctx, uint32_t mode);
	void *after_finish_ctx;
	enum sim_link_kind link; /* --link: pace the bytes like USB 1.1 / 2.0 and eMMC would */
	FILE *out;               /* machine-readable lines: "socket PATH" / "pty PATH" */
	FILE *log;               /* human messages (reboot requested, ...) */
};

/* Serve until SIGINT/SIGTERM (or the first FINISH with exit_on_finish). Returns 0 or negative. */
int sim_serve(struct sim_dev *d, const struct sim_serve_opts *o, struct unifw_error *err);

#endif
