/* unifw-sim — fault injection: parsing `--fault SPEC` and the seeded random source.
 *
 * SPEC := KIND [ ':' PARAM { ',' PARAM } ]            (grammar and semantics: docs/sim.md)
 * KIND := cut | reset | flip | stall | lie | oversize | negative | twin
 * PARAM := op=OP | dir=out|in | after=N | at=P% | at=random | bits=B | ms=M | every=N | count=K
 *        | value=V | times=T | addr=A
 * A fault fires when the byte counter of its operation (in its direction) reaches the trigger.
 * The device core applies faults (dev.c); this file only parses and names them. */
#ifndef UNIFW_SIM_FAULT_H
#define UNIFW_SIM_FAULT_H

#include <stdbool.h>
#include <stdint.h>

#include "unifw/error.h"

/* Operations a fault can name. Phases run one after another; sub-operations run inside a phase. */
enum sim_op {
	SIM_OP_NONE = 0,
	SIM_OP_ANY,       /* the whole connection */
	/* phases */
	SIM_OP_HANDSHAKE, /* A0 0A 50 05 */
	SIM_OP_BROM,      /* BROM/preloader command mode */
	SIM_OP_DA1,       /* DA1: sync, report 1, stage-2 config */
	SIM_OP_DA2,       /* DA2 upload */
	SIM_OP_REPORT,    /* report 2 */
	SIM_OP_DA,        /* DA command loop */
	/* sub-operations */
	SIM_OP_SEND_DA,
	SIM_OP_ME_ID,     /* GET_ME_ID / GET_SOC_ID */
	SIM_OP_EMI,       /* the DRAM/EMI exchange (BROM mode) */
	SIM_OP_READ,
	SIM_OP_WRITE,
	SIM_OP_FORMAT,
	SIM_OP_PMT,
	SIM_OP_FINISH,
	SIM_OP_COUNT
};

enum sim_fault_kind { SIM_FAULT_CUT, SIM_FAULT_RESET, SIM_FAULT_FLIP, SIM_FAULT_STALL, SIM_FAULT_LIE,
		      SIM_FAULT_OVERSIZE, SIM_FAULT_NEGATIVE, SIM_FAULT_TWIN };

enum sim_dir { SIM_DIR_OUT = 0, SIM_DIR_IN = 1 }; /* out = device to host */

enum sim_trigger { SIM_TRIG_AFTER, SIM_TRIG_PERCENT, SIM_TRIG_RANDOM };

struct sim_fault {
	enum sim_fault_kind kind;
	enum sim_op op;
	enum sim_dir dir;
	enum sim_trigger trig;
	uint64_t after;      /* SIM_TRIG_AFTER: byte offset inside the operation */
	uint32_t pct_milli;  /* SIM_TRIG_PERCENT: 0..100000 (thousandths of a percent) */
	uint32_t bits;       /* flip: bits flipped in the byte at the trigger (1..8) */
	uint32_t ms;         /* stall: milliseconds */
	uint64_t every;      /* flip/stall: fire again every N bytes (0 = once per operation) */
	uint32_t count;      /* lie: packets not stored (0 = all remaining) */
	uint64_t value;      /* oversize/negative: the length the device announces */
	uint32_t times;      /* fires at most this often per run (0 = unlimited) */
	bool has_addr;       /* twin: addr=A given */
	uint64_t addr;       /* twin: the user-area byte whose READ packet is changed */
	/* runtime, owned by the device core */
	uint32_t fired;
	bool armed;
	uint64_t next;       /* trigger position in the operation's byte counter */
	uint32_t lie_left;   /* lie: packets still to drop (UINT32_MAX = all) */
	bool lying;
};

/* Parse one SPEC into f (runtime fields zeroed). Errors name the offending parameter. */
int sim_fault_parse(const char *spec, struct sim_fault *f, struct unifw_error *err);
const char *sim_fault_kind_name(enum sim_fault_kind k);
const char *sim_op_name(enum sim_op op);
/* The direction in which an operation's payload flows (write/send_da/da2: in, else out). */
enum sim_dir sim_op_payload_dir(enum sim_op op);
bool sim_op_is_phase(enum sim_op op);

/* splitmix64: small, seedable, good enough for reproducible fault placement. */
uint64_t sim_rng_next(uint64_t *state);

#endif
