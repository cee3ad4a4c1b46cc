/* Internal to the legacy DA core (unifw/da_legacy.h), which is three files: da_legacy.c (the object,
 * its accessors and the command-ACK table), da_boot.c (bringing the DA up: sync, stage-2 config with the
 * EMI/DRAM exchange, DA2 upload, report 2) and da_cmd.c (the commands with data: USB status, READ,
 * SDMMC_WRITE_DATA, FORMAT, READ_PMT, READ_REG32). */
#ifndef UNIFW_PROTO_DA_INTERNAL_H
#define UNIFW_PROTO_DA_INTERNAL_H

#include "unifw/da_legacy.h"

#include "proto/engine.h"

#define DA_TIMEOUT_MS 5000         /* an answer to a command */
#define DA_INIT_TIMEOUT_MS 15000   /* DA start, DRAM init, stage 2 start */
#define DA_DATA_TIMEOUT_MS 30000   /* one READ/WRITE packet (1 MiB at full speed takes ~1 s) */
#define DA_FORMAT_TIMEOUT_MS 120000 /* between two FORMAT progress reports */

struct unifw_da {
	struct unifw_proto p;
	struct unifw_da_info info;

	/* arguments of the running operation */
	struct unifw_da_stage2_config cfg;
	const struct unifw_da_emi *emi;
	const uint8_t *data;
	size_t len;
	uint32_t packet;
	uint32_t addr32, value;
	uint8_t storage, part;
	uint64_t addr, total, off, wire_len;
	size_t chunk, packets, ids_have;
	size_t stride, next_chunk;  /* WRITE: packet buffer size, size of the prepared packet */
	uint64_t next_off;          /* WRITE: offset of the prepared packet */
	unsigned cur_slot, next_slot; /* WRITE: buffer halves of the packet sent and the one prepared */
	uint8_t last_progress;
	unsigned reports;

	const struct da_ack_cmd *ack_cmd; /* the running command-ACK operation's row (da_legacy.c) */
	uint8_t req[16]; /* its request: command byte and arguments */
	size_t req_len;
	uint8_t *buf; /* packet buffer (READ/WRITE), owned */
	size_t buf_cap;
	uint8_t *pmt; /* partition table from READ_PMT, owned */
	size_t pmt_len;
};

static inline struct unifw_da *da_of(struct unifw_proto *p)
{
	return p->owner;
}

static inline int expect_byte(struct unifw_proto *p, uint8_t want, const char *what)
{
	if (p->rx[0] != want)
		return proto_fail_byte(p, what, want, p->rx[0]);
	return 0;
}

/* Grow the packet buffer (READ/WRITE/DA2) to size bytes; only while no operation runs. */
int da_ensure_buf(struct unifw_da *da, size_t size);

#endif
