/* sim_dev_client.c: see sim_dev_client.h. */
#include "sim_dev_client.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void collect_trace(void *ctx, const char *line)
{
	struct h *h = ctx;
	int n = snprintf(h->trace + h->trace_len, sizeof h->trace - h->trace_len, "%s\n", line);
	if (n > 0 && (size_t)n < sizeof h->trace - h->trace_len)
		h->trace_len += (size_t)n;
}

void geometry(struct sim_emmc_geometry *g)
{
	static const uint8_t cid[16] = { 0x15, 0x01, 0x00, 'N', '5', 'U', '0', '0', 'M', 0x10,
					 0x5A, 0x17, 0x6A, 0x2C, 0xB3, 0x01 };
	memset(g, 0, sizeof *g);
	g->size[SIM_PART_BOOT1] = BOOT_SIZE;
	g->size[SIM_PART_BOOT2] = BOOT_SIZE;
	g->size[SIM_PART_RPMB] = BOOT_SIZE;
	g->size[SIM_PART_USER] = USER_SIZE;
	memcpy(g->cid, cid, 16);
}

bool g_tool_present; /* the next mk(): a preloader whose host raised DTR (READY) */

/* A phone in `mode` with optional fault specs (NULL-terminated). */
struct h *mk(enum sim_boot_mode mode, const char *fault, ...)
{
	struct h *h = calloc(1, sizeof *h);
	assert_non_null(h);
	geometry(&h->g);
	h->ms = sim_memstore_new(&h->g);
	assert_non_null(h->ms);
	va_list ap;
	va_start(ap, fault);
	for (const char *f = fault; f; f = va_arg(ap, const char *)) {
		struct unifw_error err = { 0 };
		assert_int_equal(sim_fault_parse(f, &h->faults[h->nf++], &err), 0);
	}
	va_end(ap);
	struct sim_config cfg = { .mode = mode, .preloader_window_ms = 2000, .tool_present = g_tool_present, .storage = sim_memstore_storage(h->ms),
				  .faults = h->faults, .n_faults = h->nf, .seed = 7, .trace = collect_trace,
				  .trace_ctx = h };
	sim_personality_default(&cfg.pers, &h->g);
	h->d = sim_dev_new(&cfg);
	assert_non_null(h->d);
	sim_dev_connect(h->d, h->now);
	return h;
}

void h_free(struct h *h)
{
	sim_dev_free(h->d);
	sim_memstore_free(h->ms);
	free(h);
}

void tx(struct h *h, const void *b, size_t n) { sim_dev_feed(h->d, b, n, h->now); }
void tx1(struct h *h, uint8_t v) { tx(h, &v, 1); }

void tx_be32(struct h *h, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
	tx(h, b, 4);
}

size_t rx(struct h *h, uint8_t *buf, size_t cap) { return sim_dev_output(h->d, buf, cap, h->now); }

/* Exactly n bytes must be waiting; they are returned in buf. */
void rx_n(struct h *h, uint8_t *buf, size_t n)
{
	size_t got = rx(h, buf, n);
	assert_int_equal(got, n);
}

void rx_none(struct h *h)
{
	uint8_t b[16];
	assert_int_equal(rx(h, b, sizeof b), 0);
}

void rx_expect(struct h *h, const void *want, size_t n)
{
	uint8_t buf[64];
	assert_true(n <= sizeof buf);
	rx_n(h, buf, n);
	assert_memory_equal(buf, want, n);
}

uint32_t be32(const uint8_t *b) { return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3]; }
uint16_t be16(const uint8_t *b) { return (uint16_t)(b[0] << 8 | b[1]); }

uint32_t rx_be32(struct h *h)
{
	uint8_t b[4];
	rx_n(h, b, 4);
	return be32(b);
}

uint16_t rx_be16(struct h *h)
{
	uint8_t b[2];
	rx_n(h, b, 2);
	return be16(b);
}

uint8_t rx_u8(struct h *h)
{
	uint8_t b;
	rx_n(h, &b, 1);
	return b;
}

/* ---------- client helpers written from docs/protocol.md ---------- */

/* The clock moves to the device's next timer (a preloader's 20 ms poll), which then runs. */
void next_timer(struct h *h)
{
	assert_true(sim_dev_deadline(h->d) != UINT64_MAX);
	h->now = sim_dev_deadline(h->d);
	sim_dev_tick(h->d, h->now);
}

/* A BROM answers A0 at once; a listening preloader drops the chunk that starts with A0 at its next
 * poll, unanswered, and answers the A0 after it (docs/protocol.md "When the device listens"). */
void handshake(struct h *h)
{
	static const uint8_t seq[4] = { 0xA0, 0x0A, 0x50, 0x05 };
	tx1(h, seq[0]);
	uint8_t b;
	if (rx(h, &b, 1) == 0) {
		next_timer(h);
		rx_none(h);
		tx1(h, seq[0]);
		b = rx_u8(h);
	}
	assert_int_equal(b, 0x5F);
	for (int i = 1; i < 4; i++) {
		tx1(h, seq[i]);
		assert_int_equal(rx_u8(h), (uint8_t)~seq[i]);
	}
}

void echo8(struct h *h, uint8_t v)
{
	tx1(h, v);
	assert_int_equal(rx_u8(h), v);
}

void echo32(struct h *h, uint32_t v)
{
	tx_be32(h, v);
	assert_int_equal(rx_be32(h), v);
}

uint16_t xor16(const uint8_t *b, size_t n)
{
	uint16_t x = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		x ^= (uint16_t)(b[i] | b[i + 1] << 8);
	if (n & 1)
		x ^= b[n - 1];
	return x;
}

/* SEND_DA; returns the status after the arguments (data is sent only on 0). */
uint16_t send_da(struct h *h, uint32_t addr, const uint8_t *blob, uint32_t len, uint32_t sig)
{
	echo8(h, 0xD7);
	echo32(h, addr);
	echo32(h, len);
	echo32(h, sig);
	uint16_t st = rx_be16(h);
	if (st)
		return st;
	tx(h, blob, len);
	assert_int_equal(rx_be16(h), xor16(blob, len));
	assert_int_equal(rx_be16(h), 0);
	return 0;
}

uint16_t jump_da(struct h *h, uint32_t addr)
{
	echo8(h, 0xD5);
	echo32(h, addr);
	return rx_be16(h);
}

void emi_entry(uint8_t *e, const uint8_t *id, uint32_t id_len)
{
	memset(e, 0, SIM_EMI_ENTRY_LEN);
	e[0] = 0x02, e[1] = 0x02; /* type 0x0202 LE: eMMC + LPDDR2 */
	memcpy(e + 4, id, id_len);
	e[0x14] = (uint8_t)id_len;
}

void stage2_config(struct h *h)
{
	static const uint8_t cfg[18] = { 0x05, 0x01, 0x00, 0x08, 0x00, 0x70, 0x07, 0xFF, 0xFF,
					 0x00, 0x00, 0x00, 0x00, 0xA8, 0x01, 0x01, 0x02, 0x00 };
	tx(h, cfg, sizeof cfg);
}

/* BROM mode: the 0xBC3 branch. Returns ext_ram_ret. */
uint32_t emi_step(struct h *h, const uint8_t *entry)
{
	uint8_t buf[64];
	assert_int_equal(rx_be32(h), 0xBC3);
	rx_be32(h);
	rx_n(h, buf, 16);
	assert_memory_equal(buf, h->g.cid, 9); /* DRAM info = the EMI entry ID, from the CID */
	assert_int_equal(rx_be32(h), 0xBC4);
	uint16_t count = rx_be16(h);
	rx_n(h, buf, (size_t)count * 2);
	tx1(h, 0xE8);
	tx_be32(h, 0x0B);
	assert_int_equal(rx_u8(h), 0x5A);
	rx_n(h, buf, 16);
	assert_int_equal(rx_be32(h), SIM_EMI_ENTRY_LEN);
	tx1(h, 0x5A);
	tx(h, entry, SIM_EMI_ENTRY_LEN);
	uint16_t sum = 0;
	for (unsigned i = 0; i < SIM_EMI_ENTRY_LEN; i++)
		sum = (uint16_t)(sum + entry[i]);
	assert_int_equal(rx_be16(h), sum);
	tx1(h, 0x5A);
	tx_be32(h, 0x80000001);
	uint32_t ret = rx_be32(h);
	if (ret == 0) {
		assert_int_equal(rx_u8(h), 2);
		assert_int_equal(rx_u8(h), 0);
		rx_n(h, buf, 8);
	}
	return ret;
}

void upload_da2(struct h *h, const uint8_t *da2, uint32_t len)
{
	tx_be32(h, SIM_DA2_ADDR);
	tx_be32(h, len);
	tx_be32(h, 0x1000);
	assert_int_equal(rx_u8(h), 0x5A);
	for (uint32_t off = 0; off < len; off += 0x1000) {
		tx(h, da2 + off, len - off < 0x1000 ? len - off : 0x1000);
		assert_int_equal(rx_u8(h), 0x5A);
	}
	assert_int_equal(rx_u8(h), 0x5A); /* unprompted */
	tx1(h, 0x5A);
}

/* Report 2 exactly as docs/protocol.md lists it; checks the eMMC block against the geometry. */
void check_report2(struct h *h)
{
	uint8_t r[256];
	size_t n = 0x1C + 0x11 + 7 * 2 + 9 + 0x5C + 0x1C + 0x26 + 0xA;
	rx_n(h, r, n);
	rx_none(h);
	const uint8_t *nand = r + 0x1C, *emmc = nand + 0x11 + 14 + 9;
	assert_int_equal(be16(nand + 15), 7);
	assert_int_equal(be32(emmc), 0);
	for (unsigned p = 1; p <= 3; p++)
		assert_int_equal(((uint64_t)be32(emmc + 4 + (p - 1) * 8) << 32) | be32(emmc + 8 + (p - 1) * 8), BOOT_SIZE);
	assert_int_equal(be32(emmc + 4 + 7 * 8 + 4), USER_SIZE);
	assert_memory_equal(emmc + 4 + 8 * 8, h->g.cid, 16);
	const uint8_t *tail = r + n - 10;
	assert_int_equal(tail[0], 0x5A);
	assert_int_equal(tail[9], 0xC1);
}

/* From power-on to the DA command loop. */
void boot_to_da(struct h *h, bool brom)
{
	size_t l1, l2;
	uint8_t *da1 = sim_dablob_build(1, 0x6572, 0xCA00, &l1), *da2 = sim_dablob_build(2, 0x6572, 0xCA00, &l2);
	handshake(h);
	assert_int_equal(send_da(h, SIM_DA1_ADDR, da1, (uint32_t)l1, SIM_DA_SIG_LEN), 0);
	assert_int_equal(jump_da(h, SIM_DA1_ADDR), 0);
	assert_int_equal(rx_u8(h), 0xC0);
	uint8_t r1[4 + 2 + 14 + 4 + 16];
	rx_n(h, r1, sizeof r1);
	assert_int_equal(be32(r1), 0xBC4);
	assert_memory_equal(r1 + 24, h->g.cid, 16);
	tx1(h, 0x5A);
	uint8_t ver[3];
	rx_n(h, ver, 3);
	assert_int_equal(ver[0], SIM_DA_MAJOR);
	stage2_config(h);
	if (brom) {
		uint8_t e[SIM_EMI_ENTRY_LEN];
		emi_entry(e, h->g.cid, 9);
		assert_int_equal(emi_step(h, e), 0);
	} else {
		assert_int_equal(rx_be32(h), 0);
	}
	upload_da2(h, da2, (uint32_t)l2);
	check_report2(h);
	free(da1);
	free(da2);
}

void da_header(struct h *h, uint8_t cmd, uint8_t a, uint8_t b, uint64_t addr, uint64_t len, uint32_t packet)
{
	uint8_t hdr[23] = { cmd, a, b };
	for (int i = 0; i < 8; i++) {
		hdr[3 + i] = (uint8_t)(addr >> (56 - 8 * i));
		hdr[11 + i] = (uint8_t)(len >> (56 - 8 * i));
	}
	for (int i = 0; i < 4; i++)
		hdr[19 + i] = (uint8_t)(packet >> (24 - 8 * i));
	tx(h, hdr, sizeof hdr);
}

/* FORMAT: eMMC, erase, no validation, logical addresses */
void format_header(struct h *h, uint64_t addr, uint64_t len)
{
	uint8_t hdr[21] = { 0xD4, 2, 0, 0, 0 };
	for (int i = 0; i < 8; i++) {
		hdr[5 + i] = (uint8_t)(addr >> (56 - 8 * i));
		hdr[13 + i] = (uint8_t)(len >> (56 - 8 * i));
	}
	tx(h, hdr, sizeof hdr);
}

uint16_t sum16(const uint8_t *b, size_t n)
{
	uint16_t s = 0;
	for (size_t i = 0; i < n; i++)
		s = (uint16_t)(s + b[i]);
	return s;
}

/* SDMMC_WRITE_DATA with 512-byte padding; returns the device's answer to the last packet. */
uint8_t da_write(struct h *h, uint8_t part, uint64_t addr, const uint8_t *data, uint64_t len, uint32_t packet)
{
	da_header(h, 0x62, 1, part, addr, len, packet);
	uint8_t a = rx_u8(h);
	if (a != 0x5A)
		return a;
	static uint8_t pkt[2 * SIM_DA_MAX_PACKET];
	for (uint64_t off = 0; off < len; off += packet) {
		uint32_t chunk = (uint32_t)(len - off < packet ? len - off : packet), padded = (chunk + 511) / 512 * 512;
		memset(pkt, 0, padded);
		memcpy(pkt, data + off, chunk);
		tx1(h, 0x5A);
		tx(h, pkt, padded);
		uint8_t cs[2] = { (uint8_t)(sum16(pkt, padded) >> 8), (uint8_t)sum16(pkt, padded) };
		tx(h, cs, 2);
		a = rx_u8(h);
		if (a != 0x69)
			return a;
	}
	return a;
}

/* READ into out; returns 0 or the NACK status (read after answering NACK with NACK). */
uint32_t da_read(struct h *h, uint64_t addr, uint8_t *out, uint64_t len, uint32_t packet)
{
	da_header(h, 0xD6, 0x0C, 2, addr, len, packet);
	uint8_t a = rx_u8(h);
	if (a != 0x5A) {
		assert_int_equal(a, 0xA5);
		tx1(h, 0xA5);
		uint8_t st[4];
		rx_n(h, st, 4);
		return (uint32_t)st[0] | (uint32_t)st[1] << 8 | (uint32_t)st[2] << 16 | (uint32_t)st[3] << 24;
	}
	for (uint64_t off = 0; off < len; off += packet) {
		uint32_t chunk = (uint32_t)(len - off < packet ? len - off : packet);
		rx_n(h, out + off, chunk);
		assert_int_equal(rx_be16(h), sum16(out + off, chunk));
		tx1(h, 0x5A);
	}
	rx_none(h);
	return 0;
}

uint32_t nack_status(struct h *h)
{
	assert_int_equal(rx_u8(h), 0xA5);
	tx1(h, 0xA5);
	uint8_t st[4];
	rx_n(h, st, 4);
	return (uint32_t)st[0] | (uint32_t)st[1] << 8 | (uint32_t)st[2] << 16 | (uint32_t)st[3] << 24;
}

bool traced(const struct h *h, const char *what) { return strstr(h->trace, what) != NULL; }
