/* The sans-io harness of the unifw-sim device-core tests (test_sim_dev.c, test_sim_dev_da.c,
 * test_sim_dev_faults.c): a phone on an in-memory eMMC with simulated time and a trace, the raw
 * byte exchange with it, and client steps written from docs/protocol.md alone (handshake, echoes,
 * SEND_DA/JUMP_DA, the EMI and DA stage-2 exchanges, DA reads, writes and formats). */
#ifndef UNIFW_TEST_SIM_DEV_CLIENT_H
#define UNIFW_TEST_SIM_DEV_CLIENT_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#include "device/dablob.h"
#include "device/fault.h"
#include "device/linkrate.h"
#include "device/sim_dev.h"
#include "device/storage.h"

#define USER_SIZE (4u << 20)
#define BOOT_SIZE (128u << 10)

struct h {
	struct sim_emmc_geometry g;
	struct sim_memstore *ms;
	struct sim_dev *d;
	uint64_t now;
	struct sim_fault faults[4];
	size_t nf;
	char trace[65536];
	size_t trace_len;
};

extern bool g_tool_present; /* the next mk(): a preloader whose host raised DTR (READY) */

void collect_trace(void *ctx, const char *line);
void geometry(struct sim_emmc_geometry *g);
struct h *mk(enum sim_boot_mode mode, const char *fault, ...);
void h_free(struct h *h);
void tx(struct h *h, const void *b, size_t n);
void tx1(struct h *h, uint8_t v);
void tx_be32(struct h *h, uint32_t v);
size_t rx(struct h *h, uint8_t *buf, size_t cap);
void rx_n(struct h *h, uint8_t *buf, size_t n);
void rx_none(struct h *h);
void rx_expect(struct h *h, const void *want, size_t n);
uint32_t be32(const uint8_t *b);
uint16_t be16(const uint8_t *b);
uint32_t rx_be32(struct h *h);
uint16_t rx_be16(struct h *h);
uint8_t rx_u8(struct h *h);
void next_timer(struct h *h);
void handshake(struct h *h);
void echo8(struct h *h, uint8_t v);
void echo32(struct h *h, uint32_t v);
uint16_t xor16(const uint8_t *b, size_t n);
uint16_t send_da(struct h *h, uint32_t addr, const uint8_t *blob, uint32_t len, uint32_t sig);
uint16_t jump_da(struct h *h, uint32_t addr);
void emi_entry(uint8_t *e, const uint8_t *id, uint32_t id_len);
void stage2_config(struct h *h);
uint32_t emi_step(struct h *h, const uint8_t *entry);
void upload_da2(struct h *h, const uint8_t *da2, uint32_t len);
void check_report2(struct h *h);
void boot_to_da(struct h *h, bool brom);
void da_header(struct h *h, uint8_t cmd, uint8_t a, uint8_t b, uint64_t addr, uint64_t len, uint32_t packet);
void format_header(struct h *h, uint64_t addr, uint64_t len);
uint16_t sum16(const uint8_t *b, size_t n);
uint8_t da_write(struct h *h, uint8_t part, uint64_t addr, const uint8_t *data, uint64_t len, uint32_t packet);
uint32_t da_read(struct h *h, uint64_t addr, uint8_t *out, uint64_t len, uint32_t packet);
uint32_t nack_status(struct h *h);
bool traced(const struct h *h, const char *what);

#endif
