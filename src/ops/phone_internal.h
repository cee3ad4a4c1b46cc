/* Internals shared by phone.c (I/O on an open phone, JSON) and phone_open.c (bringing it up). */
#ifndef UNIFW_OPS_PHONE_INTERNAL_H
#define UNIFW_OPS_PHONE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "unifw/da_legacy.h"
#include "unifw/phone.h"
#include "unifw/proto.h"

struct unifw_phone {
	struct unifw_port *port;
	struct unifw_brom *brom;
	struct unifw_da *da;
	const struct unifw_chip *chip;
	struct unifw_phone_info info;
	const struct unifw_progress *progress;
	unsigned timeout_percent;
	FILE *trace;
	int part;          /* hardware partition selected with SWITCH_PART, -1 = none yet */
	bool da_ready;     /* report 2 was read: partition commands are possible */
	bool broken;       /* an operation failed mid-stream: the link is out of step */
	bool finished;     /* FINISH was sent */
	uint32_t packet;
};

/* A line of the protocol log (--trace), when one is open. */
void phone_trace(struct unifw_phone *ph, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Run the operation that `begin_rc` started on core p; on failure the error names the job step. */
int phone_run(struct unifw_phone *ph, struct unifw_proto *p, int begin_rc, const char *step,
	      const struct unifw_session_hooks *hooks_in, struct unifw_error *err);

#endif
