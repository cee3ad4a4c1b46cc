/* unifw-sim device core, sans-io: bytes are fed to the state machine and its answers checked
 * against shared/reference/protocol.md, with an in-memory eMMC. Time is simulated. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#include "dablob.h"
#include "fault.h"
#include "linkrate.h"
#include "sim_dev.h"
#include "storage.h"

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

static void collect_trace(void *ctx, const char *line)
{
	struct h *h = ctx;
	int n = snprintf(h->trace + h->trace_len, sizeof h->trace - h->trace_len, "%s\n", line);
	if (n > 0 && (size_t)n < sizeof h->trace - h->trace_len)
		h->trace_len += (size_t)n;
}

static void geometry(struct sim_emmc_geometry *g)
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

static bool g_tool_present; /* the next mk(): a preloader whose host raised DTR (READY) */

/* A phone in `mode` with optional fault specs (NULL-terminated). */
static struct h *mk(enum sim_boot_mode mode, const char *fault, ...)
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

static void h_free(struct h *h)
{
	sim_dev_free(h->d);
	sim_memstore_free(h->ms);
	free(h);
}

static void tx(struct h *h, const void *b, size_t n) { sim_dev_feed(h->d, b, n, h->now); }
static void tx1(struct h *h, uint8_t v) { tx(h, &v, 1); }

static void tx_be32(struct h *h, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
	tx(h, b, 4);
}

static size_t rx(struct h *h, uint8_t *buf, size_t cap) { return sim_dev_output(h->d, buf, cap, h->now); }

/* Exactly n bytes must be waiting; they are returned in buf. */
static void rx_n(struct h *h, uint8_t *buf, size_t n)
{
	size_t got = rx(h, buf, n);
	assert_int_equal(got, n);
}

static void rx_none(struct h *h)
{
	uint8_t b[16];
	assert_int_equal(rx(h, b, sizeof b), 0);
}

static void rx_expect(struct h *h, const void *want, size_t n)
{
	uint8_t buf[64];
	assert_true(n <= sizeof buf);
	rx_n(h, buf, n);
	assert_memory_equal(buf, want, n);
}

static uint32_t be32(const uint8_t *b) { return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3]; }
static uint16_t be16(const uint8_t *b) { return (uint16_t)(b[0] << 8 | b[1]); }

static uint32_t rx_be32(struct h *h)
{
	uint8_t b[4];
	rx_n(h, b, 4);
	return be32(b);
}

static uint16_t rx_be16(struct h *h)
{
	uint8_t b[2];
	rx_n(h, b, 2);
	return be16(b);
}

static uint8_t rx_u8(struct h *h)
{
	uint8_t b;
	rx_n(h, &b, 1);
	return b;
}

/* ---------- client helpers written from protocol.md ---------- */

/* The clock moves to the device's next timer (a preloader's 20 ms poll), which then runs. */
static void next_timer(struct h *h)
{
	assert_true(sim_dev_deadline(h->d) != UINT64_MAX);
	h->now = sim_dev_deadline(h->d);
	sim_dev_tick(h->d, h->now);
}

/* A BROM answers A0 at once; a listening preloader drops the chunk that starts with A0 at its next
 * poll, unanswered, and answers the A0 after it (protocol.md "USB"). */
static void handshake(struct h *h)
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

static void echo8(struct h *h, uint8_t v)
{
	tx1(h, v);
	assert_int_equal(rx_u8(h), v);
}

static void echo32(struct h *h, uint32_t v)
{
	tx_be32(h, v);
	assert_int_equal(rx_be32(h), v);
}

static uint16_t xor16(const uint8_t *b, size_t n)
{
	uint16_t x = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		x ^= (uint16_t)(b[i] | b[i + 1] << 8);
	if (n & 1)
		x ^= b[n - 1];
	return x;
}

/* SEND_DA; returns the status after the arguments (data is sent only on 0). */
static uint16_t send_da(struct h *h, uint32_t addr, const uint8_t *blob, uint32_t len, uint32_t sig)
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

static uint16_t jump_da(struct h *h, uint32_t addr)
{
	echo8(h, 0xD5);
	echo32(h, addr);
	return rx_be16(h);
}

static void emi_entry(uint8_t *e, const uint8_t *id, uint32_t id_len)
{
	memset(e, 0, SIM_EMI_ENTRY_LEN);
	e[0] = 0x02, e[1] = 0x02; /* type 0x0202 LE: eMMC + LPDDR2 */
	memcpy(e + 4, id, id_len);
	e[0x14] = (uint8_t)id_len;
}

static void stage2_config(struct h *h)
{
	static const uint8_t cfg[18] = { 0x05, 0x01, 0x00, 0x08, 0x00, 0x70, 0x07, 0xFF, 0xFF,
					 0x00, 0x00, 0x00, 0x00, 0xA8, 0x01, 0x01, 0x02, 0x00 };
	tx(h, cfg, sizeof cfg);
}

/* BROM mode: the 0xBC3 branch. Returns ext_ram_ret. */
static uint32_t emi_step(struct h *h, const uint8_t *entry)
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

static void upload_da2(struct h *h, const uint8_t *da2, uint32_t len)
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

/* Report 2 exactly as protocol.md lists it; checks the eMMC block against the geometry. */
static void check_report2(struct h *h)
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
static void boot_to_da(struct h *h, bool brom)
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

static void da_header(struct h *h, uint8_t cmd, uint8_t a, uint8_t b, uint64_t addr, uint64_t len, uint32_t packet)
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
static void format_header(struct h *h, uint64_t addr, uint64_t len)
{
	uint8_t hdr[21] = { 0xD4, 2, 0, 0, 0 };
	for (int i = 0; i < 8; i++) {
		hdr[5 + i] = (uint8_t)(addr >> (56 - 8 * i));
		hdr[13 + i] = (uint8_t)(len >> (56 - 8 * i));
	}
	tx(h, hdr, sizeof hdr);
}

static uint16_t sum16(const uint8_t *b, size_t n)
{
	uint16_t s = 0;
	for (size_t i = 0; i < n; i++)
		s = (uint16_t)(s + b[i]);
	return s;
}

/* SDMMC_WRITE_DATA with 512-byte padding; returns the device's answer to the last packet. */
static uint8_t da_write(struct h *h, uint8_t part, uint64_t addr, const uint8_t *data, uint64_t len, uint32_t packet)
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
static uint32_t da_read(struct h *h, uint64_t addr, uint8_t *out, uint64_t len, uint32_t packet)
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

static uint32_t nack_status(struct h *h)
{
	assert_int_equal(rx_u8(h), 0xA5);
	tx1(h, 0xA5);
	uint8_t st[4];
	rx_n(h, st, 4);
	return (uint32_t)st[0] | (uint32_t)st[1] << 8 | (uint32_t)st[2] << 16 | (uint32_t)st[3] << 24;
}

static bool traced(const struct h *h, const char *what) { return strstr(h->trace, what) != NULL; }

/* ---------- handshake and BROM/preloader ---------- */

static void test_handshake_rules(void **state)
{
	(void)state;
	struct h *h = mk(SIM_MODE_PRELOADER, NULL);
	tx1(h, 0xA0);
	rx_none(h);   /* a preloader reads its FIFO every 20 ms ... */
	next_timer(h);
	rx_none(h);   /* ... and drops a chunk that starts with A0 unanswered */
	tx1(h, 0xA0);
	assert_int_equal(rx_u8(h), 0x5F);
	tx1(h, 0x50); /* wrong: 0x0A expected -> b+1, restart */
	assert_int_equal(rx_u8(h), 0x51);
	tx1(h, 0x0A); /* index is 0 again: 0x0A is wrong now */
	assert_int_equal(rx_u8(h), 0x0B);
	handshake(h);
	echo8(h, 0xFD);
	assert_int_equal(rx_be16(h), 0x6572);
	assert_int_equal(rx_be16(h), 0);
	struct sim_dev_info info;
	sim_dev_get_info(h->d, &info);
	assert_string_equal(info.state, "preloader");
	h_free(h);
}

static void test_garbage_then_handshake(void **state)
{
	(void)state;
	struct h *h = mk(SIM_MODE_BROM, NULL);
	uint64_t seed = 99;
	for (int i = 0; i < 500; i++) {
		uint8_t v = (uint8_t)sim_rng_next(&seed);
		if (v == 0xA0)
			v = 0x42;
		tx1(h, v);
		assert_int_equal(rx_u8(h), (uint8_t)(v + 1));
	}
	handshake(h);
	echo8(h, 0xFD);
	assert_int_equal(rx_be32(h), 0x65720000);
	h_free(h);
}

static void test_brom_vs_preloader(void **state)
{
	(void)state;
	struct h *b = mk(SIM_MODE_BROM, NULL), *p = mk(SIM_MODE_PRELOADER, NULL);
	handshake(b);
	handshake(p);
	tx1(b, 0xFE);
	assert_int_equal(rx_u8(b), 0xFE); /* BROM echoes FE */
	tx1(p, 0xFE);
	assert_int_equal(rx_u8(p), 0x01); /* preloader: its version */
	tx1(b, 0xFF);
	assert_int_equal(rx_u8(b), 0x05);
	tx1(p, 0xFF); /* the MT6572 preloader lacks FF: echoed, ignored */
	assert_int_equal(rx_u8(p), 0xFF);
	rx_none(p);
	echo8(b, 0xE1);
	assert_int_equal(rx_be32(b), 16);
	uint8_t id[16];
	rx_n(b, id, 16);
	assert_int_equal(rx_be16(b), 0);
	echo8(b, 0xE7);
	assert_int_equal(rx_be32(b), 32);
	uint8_t soc[32];
	rx_n(b, soc, 32);
	assert_int_equal(rx_be16(b), 0);
	echo8(p, 0xE1); /* preloader: echoed then ignored */
	rx_none(p);
	echo8(p, 0xFC);
	assert_int_equal(rx_be16(p), 0x8A00);
	assert_int_equal(rx_be16(p), 0xCA00);
	assert_int_equal(rx_be16(p), 0x0000);
	assert_int_equal(rx_be16(p), 0);
	echo8(p, 0xD8);
	assert_int_equal(rx_be32(p), 0);
	assert_int_equal(rx_be16(p), 0);
	echo8(b, 0x42); /* unknown command */
	rx_none(b);
	h_free(b);
	h_free(p);
}

static void test_read_write_regs(void **state)
{
	(void)state;
	struct h *h = mk(SIM_MODE_BROM, NULL);
	handshake(h);
	echo8(h, 0xD1); /* devinfo */
	echo32(h, 0x08000000);
	echo32(h, 4);
	assert_int_equal(rx_be16(h), 0);
	assert_int_equal(rx_be32(h), 0xCA00);
	assert_int_equal(rx_be32(h), 0x0000);
	assert_int_equal(rx_be32(h), 0x6572);
	assert_int_equal(rx_be32(h), 0x8A00);
	assert_int_equal(rx_be16(h), 0);
	echo8(h, 0xD1); /* outside every region: status only */
	echo32(h, 0x40000000);
	echo32(h, 1);
	assert_int_equal(rx_be16(h), 0x1D02);
	rx_none(h);
	echo8(h, 0xD1); /* runs past the end of devinfo */
	echo32(h, 0x0800000C);
	echo32(h, 2);
	assert_int_equal(rx_be16(h), 0x1D02);
	echo8(h, 0xD0); /* READ16 unaligned */
	echo32(h, 0x08000001);
	echo32(h, 1);
	assert_int_equal(rx_be16(h), 0x1D02);
	/* watchdog: without the key the hardware ignores it; with it, bit0 clear disables */
	struct sim_dev_info info;
	echo8(h, 0xD4);
	echo32(h, 0x10007000);
	echo32(h, 1);
	assert_int_equal(rx_be16(h), 0);
	echo32(h, 0x00000064);
	assert_int_equal(rx_be16(h), 0);
	sim_dev_get_info(h->d, &info);
	assert_false(info.watchdog_disabled);
	echo8(h, 0xD4);
	echo32(h, 0x10007000);
	echo32(h, 1);
	assert_int_equal(rx_be16(h), 0);
	echo32(h, 0x22000064);
	assert_int_equal(rx_be16(h), 0);
	sim_dev_get_info(h->d, &info);
	assert_true(info.watchdog_disabled);
	assert_true(traced(h, "watchdog disabled"));
	/* a register written with WRITE16 reads back with READ32 */
	echo8(h, 0xD2);
	echo32(h, 0x1000141E);
	echo32(h, 1);
	assert_int_equal(rx_be16(h), 0);
	tx(h, "\xAD\x98", 2);
	rx_expect(h, "\xAD\x98", 2);
	assert_int_equal(rx_be16(h), 0);
	echo8(h, 0xD1);
	echo32(h, 0x1000141C);
	echo32(h, 1);
	assert_int_equal(rx_be16(h), 0);
	assert_int_equal(rx_be32(h), 0xAD980000);
	assert_int_equal(rx_be16(h), 0);
	h_free(h);
}

static void test_send_da_rules(void **state)
{
	(void)state;
	struct h *h = mk(SIM_MODE_BROM, NULL);
	handshake(h);
	uint8_t odd[301];
	for (size_t i = 0; i < sizeof odd; i++)
		odd[i] = (uint8_t)(i * 7 + 3);
	assert_int_equal(send_da(h, SIM_DA1_ADDR, odd, sizeof odd, 0), 0); /* odd length: last byte XORed in */
	assert_int_equal(send_da(h, SIM_DA1_ADDR, odd, 0, 0), 0x1D13);
	assert_int_equal(send_da(h, SIM_DA1_ADDR, odd, 16, 32), 0x1D14);
	assert_int_equal(send_da(h, 0x80000000, odd, 16, 0), 0x1D12);
	assert_int_equal(send_da(h, 0x0203FFF0, odd, 0x20, 0), 0x1D12);
	/* the code at the jump address is not a DA: the phone hangs after the status */
	assert_int_equal(jump_da(h, 0x00001000), 0x1D0F);
	assert_int_equal(jump_da(h, SIM_DA1_ADDR), 0);
	rx_none(h);
	tx1(h, 0x5A);
	rx_none(h);
	h_free(h);

	/* SLA in the target config: SEND_DA is refused with 0x1D0D before any data */
	struct h *s = mk(SIM_MODE_BROM, NULL);
	sim_dev_free(s->d);
	struct sim_config cfg = { .mode = SIM_MODE_BROM, .storage = sim_memstore_storage(s->ms) };
	sim_personality_default(&cfg.pers, &s->g);
	cfg.pers.target_config = SIM_TCFG_SLA;
	s->d = sim_dev_new(&cfg);
	sim_dev_connect(s->d, 0);
	handshake(s);
	echo8(s, 0xD8);
	assert_int_equal(rx_be32(s), SIM_TCFG_SLA);
	assert_int_equal(rx_be16(s), 0);
	assert_int_equal(send_da(s, SIM_DA1_ADDR, odd, 16, 0), 0x1D0D);
	echo8(s, 0xFD); /* back in the command loop */
	h_free(s);
}

static void test_foreign_da1_hangs(void **state)
{
	(void)state;
	struct h *h = mk(SIM_MODE_PRELOADER, NULL);
	size_t len;
	uint8_t *da1 = sim_dablob_build(1, 0x6580, 0xCA00, &len);
	handshake(h);
	assert_int_equal(send_da(h, SIM_DA1_ADDR, da1, (uint32_t)len, SIM_DA_SIG_LEN), 0);
	assert_int_equal(jump_da(h, SIM_DA1_ADDR), 0);
	rx_none(h); /* no sync byte */
	tx1(h, 0x5A);
	rx_none(h);
	struct sim_dev_info info;
	sim_dev_get_info(h->d, &info);
	assert_string_equal(info.state, "hung");
	assert_true(traced(h, "0x6580"));
	/* a replug powers the phone on again */
	sim_dev_disconnect(h->d, h->now);
	sim_dev_connect(h->d, h->now);
	handshake(h);
	free(da1);
	h_free(h);
}

static void test_preloader_window(void **state)
{
	(void)state;
	struct h *h = mk(SIM_MODE_PRELOADER, NULL);
	assert_int_equal(sim_dev_deadline(h->d), 20); /* the first poll was at power-on */
	h->now = 1999;
	sim_dev_tick(h->d, h->now);
	assert_int_equal(sim_dev_link(h->d), SIM_LINK_UP);
	h->now = 2000;
	sim_dev_tick(h->d, h->now);
	assert_int_equal(sim_dev_link(h->d), SIM_LINK_CLOSING);
	struct sim_event ev;
	assert_true(sim_dev_next_event(h->d, &ev));
	assert_int_equal(ev.kind, SIM_EV_WINDOW_CLOSED);
	tx1(h, 0xA0); /* too late */
	rx_none(h);
	sim_dev_disconnect(h->d, h->now);
	/* next plug: a handshake in time keeps the preloader in download mode */
	sim_dev_connect(h->d, h->now);
	h->now += 100;
	handshake(h);
	assert_true(sim_dev_deadline(h->d) == UINT64_MAX);
	h->now += 10000;
	sim_dev_tick(h->d, h->now);
	assert_int_equal(sim_dev_link(h->d), SIM_LINK_UP);
	echo8(h, 0xFD);
	h_free(h);

	/* BROM has no window */
	struct h *b = mk(SIM_MODE_BROM, NULL);
	assert_true(sim_dev_deadline(b->d) == UINT64_MAX);
	h_free(b);
}

/* handshake_usb.c usb_listen / download.c usbdl_check_start_command: a poll every 20 ms takes up
 * to 8 bytes; a chunk starting with A0 is dropped and A0 0A 50 05 must follow within 300 ms, else
 * the preloader listens again (and drops again); READY every poll while a tool is present. */
static void test_preloader_listening(void **state)
{
	(void)state;
	g_tool_present = true;
	struct h *h = mk(SIM_MODE_PRELOADER, NULL);
	g_tool_present = false;
	rx_expect(h, "READY", 5); /* at power-on ... */
	next_timer(h);
	assert_int_equal(h->now, 20);
	rx_expect(h, "READY", 5); /* ... and at every poll */
	/* ten bytes from A0: the poll takes 8 (dropped), the last two are the first the loop reads */
	tx(h, "\xA0\x01\x02\x03\x04\x05\x06\x07\xA0\x0A", 10);
	rx_none(h);
	next_timer(h);
	rx_expect(h, "READY\x5F\xF5", 7);
	assert_int_equal(sim_dev_deadline(h->d), 40 + 300);
	/* no READY while the start command loop runs; 300 ms pass: listening again, polling at once */
	h->now = 339;
	sim_dev_tick(h->d, h->now);
	rx_none(h);
	h->now = 340;
	sim_dev_tick(h->d, h->now);
	rx_expect(h, "READY", 5);
	tx(h, "\xA0\x0A\x50\x05", 4); /* in one chunk: all dropped */
	next_timer(h);
	rx_expect(h, "READY", 5);
	handshake(h);
	struct sim_dev_info info;
	sim_dev_get_info(h->d, &info);
	assert_string_equal(info.state, "preloader");
	assert_non_null(strstr(h->trace, "dropped unanswered"));
	h_free(h);

	/* 8 bytes without A0 first are a tool token the sim does not know: the phone boots on */
	h = mk(SIM_MODE_PRELOADER, NULL);
	tx(h, "META", 4);
	next_timer(h);
	assert_int_equal(sim_dev_link(h->d), SIM_LINK_UP);
	tx(h, "META", 4);
	next_timer(h);
	assert_int_equal(sim_dev_link(h->d), SIM_LINK_CLOSING);
	rx_none(h); /* never answered */
	h_free(h);
}

static void test_truncated_command(void **state)
{
	(void)state;
	struct h *h = mk(SIM_MODE_BROM, NULL);
	handshake(h);
	echo8(h, 0xD1);
	tx(h, "\x08\x00", 2); /* half an address, then nothing */
	rx_none(h);
	h->now += 60000;
	sim_dev_tick(h->d, h->now);
	rx_none(h);
	assert_int_equal(sim_dev_link(h->d), SIM_LINK_UP);
	/* the rest of the address arrives: the command completes */
	tx(h, "\x00\x00", 2);
	rx_expect(h, "\x08\x00\x00\x00", 4);
	echo32(h, 1);
	assert_int_equal(rx_be16(h), 0);
	assert_int_equal(rx_be32(h), 0xCA00);
	assert_int_equal(rx_be16(h), 0);
	h_free(h);
}

/* ---------- DA ---------- */

static void test_da_preloader_boot(void **state)
{
	(void)state;
	struct h *h = mk(SIM_MODE_PRELOADER, NULL);
	boot_to_da(h, false);
	tx1(h, 0x72);
	assert_int_equal(rx_u8(h), 0x5A);
	assert_int_equal(rx_u8(h), 0);
	tx1(h, 0x77); /* unknown DA command */
	assert_int_equal(rx_u8(h), 0xBB);
	struct sim_dev_info info;
	sim_dev_get_info(h->d, &info);
	assert_string_equal(info.state, "da");
	assert_true(info.dram_ready);
	h_free(h);
}

static void test_da_brom_emi(void **state)
{
	(void)state;
	struct h *h = mk(SIM_MODE_BROM, NULL);
	boot_to_da(h, true);
	struct sim_dev_info info;
	sim_dev_get_info(h->d, &info);
	assert_true(info.dram_ready);
	h_free(h);
}

static void brom_to_emi(struct h *h)
{
	size_t l1;
	uint8_t *da1 = sim_dablob_build(1, 0x6572, 0xCA00, &l1);
	handshake(h);
	assert_int_equal(send_da(h, SIM_DA1_ADDR, da1, (uint32_t)l1, SIM_DA_SIG_LEN), 0);
	assert_int_equal(jump_da(h, SIM_DA1_ADDR), 0);
	uint8_t r[1 + 40 + 3];
	rx_n(h, r, 41);
	tx1(h, 0x5A);
	rx_n(h, r, 3);
	stage2_config(h);
	free(da1);
}

static void test_emi_mismatch_fails(void **state)
{
	(void)state;
	struct h *h = mk(SIM_MODE_BROM, NULL);
	brom_to_emi(h);
	uint8_t e[SIM_EMI_ENTRY_LEN];
	static const uint8_t hynix[9] = { 0x90, 0x01, 0x4A, 'H', '8', 'G', '1', 'e', 0 };
	emi_entry(e, hynix, 9);
	assert_int_equal(emi_step(h, e), SIM_DA_SETUP_DRAM_FAIL);
	rx_none(h);
	tx_be32(h, SIM_DA2_ADDR); /* the DA stopped: a DA2 header gets nothing */
	rx_none(h);
	struct sim_dev_info info;
	sim_dev_get_info(h->d, &info);
	assert_false(info.dram_ready);
	assert_string_equal(info.state, "hung");
	h_free(h);

	/* an unsupported EMI version is refused with NACK */
	struct h *v = mk(SIM_MODE_BROM, NULL);
	brom_to_emi(v);
	uint8_t buf[64];
	rx_n(v, buf, 4 + 4 + 16 + 4 + 2 + 14);
	tx1(v, 0xE8);
	tx_be32(v, 0xFFFFFFFF);
	assert_int_equal(rx_u8(v), 0xA5);
	rx_none(v);
	h_free(v);
}

static void test_da2_rules(void **state)
{
	(void)state;
	struct h *h = mk(SIM_MODE_PRELOADER, NULL);
	brom_to_emi(h);
	assert_int_equal(rx_be32(h), 0);
	tx_be32(h, 0x40000000); /* not DRAM */
	tx_be32(h, 0x100);
	tx_be32(h, 0x1000);
	assert_int_equal(rx_u8(h), 0xA5);
	h_free(h);

	struct h *f = mk(SIM_MODE_PRELOADER, NULL);
	brom_to_emi(f);
	assert_int_equal(rx_be32(f), 0);
	size_t len;
	uint8_t *da2 = sim_dablob_build(2, 0x6580, 0xCA00, &len); /* a DA2 for another chip */
	upload_da2(f, da2, (uint32_t)len);
	rx_none(f);
	free(da2);
	h_free(f);
}

static void test_write_read_back(void **state)
{
	(void)state;
	struct h *h = mk(SIM_MODE_PRELOADER, NULL);
	boot_to_da(h, false);
	size_t n = 0x180000 + 100; /* two packets, the last one not sector-sized */
	uint8_t *data = malloc(n), *back = malloc(n);
	uint64_t seed = 3;
	for (size_t i = 0; i < n; i++)
		data[i] = (uint8_t)sim_rng_next(&seed);
	assert_int_equal(da_write(h, SIM_PART_USER, 0x200, data, n, 0x100000), 0x69);
	assert_int_equal(da_read(h, 0x200, back, n, 0x100000), 0);
	assert_memory_equal(back, data, n);
	assert_memory_equal(sim_memstore_part(h->ms, SIM_PART_USER) + 0x200, data, n);
	assert_int_equal(sim_memstore_part(h->ms, SIM_PART_USER)[0x200 + n], 0); /* padding not written */
	/* boot1 through SWITCH_PART; packet size chosen by the host */
	tx1(h, 0x60);
	assert_int_equal(rx_u8(h), 0x5A);
	tx1(h, SIM_PART_BOOT1);
	assert_int_equal(rx_u8(h), 0x5A);
	assert_int_equal(da_write(h, SIM_PART_BOOT1, 0, data, 4096, 0x1000), 0x69);
	assert_int_equal(da_read(h, 0, back, 4096, 0x400), 0);
	assert_memory_equal(back, data, 4096);
	assert_memory_equal(sim_memstore_part(h->ms, SIM_PART_BOOT1), data, 4096);
	free(data);
	free(back);
	h_free(h);
}

static void test_da_strictness(void **state)
{
	(void)state;
	struct h *h = mk(SIM_MODE_PRELOADER, NULL);
	boot_to_da(h, false);
	uint8_t buf[1024] = { 1, 2, 3 };
	/* out of range read: NACK, status 0xBE0 (u32 LE) on the host's NACK */
	assert_int_equal(da_read(h, USER_SIZE - 512, buf, 1024, 0x100000), SIM_DA_INVALID_RANGE);
	assert_int_equal(da_read(h, UINT64_MAX - 10, buf, 512, 0x100000), SIM_DA_INVALID_RANGE);
	assert_int_equal(da_read(h, 0, buf, 0, 0x100000), SIM_DA_INVALID_RANGE);
	assert_int_equal(da_read(h, 0, buf, 512, 0), SIM_DA_INVALID_RANGE);
	/* write past the partition, unaligned, to RPMB, wrong storage */
	assert_int_equal(da_write(h, SIM_PART_USER, USER_SIZE, buf, 512, 0x100000), 0xA5);
	tx1(h, 0xA5);
	rx_n(h, buf, 4);
	assert_int_equal(da_write(h, SIM_PART_USER, 100, buf, 512, 0x100000), 0xA5);
	tx1(h, 0xA5);
	uint8_t st[4];
	rx_n(h, st, 4);
	assert_int_equal(st[0] | st[1] << 8, SIM_DA_INVALID_BEGIN_ADDR);
	assert_int_equal(da_write(h, SIM_PART_RPMB, 0, buf, 512, 0x100000), 0xA5);
	tx1(h, 0x72); /* the host moves on instead of asking: the byte is its next command */
	assert_int_equal(rx_u8(h), 0x5A);
	assert_int_equal(rx_u8(h), 0);
	/* bad checksum: NACK, nothing written, status 0xBF9 */
	memset(buf, 0xEE, 512);
	da_header(h, 0x62, 1, SIM_PART_USER, 0, 512, 0x100000);
	assert_int_equal(rx_u8(h), 0x5A);
	tx1(h, 0x5A);
	tx(h, buf, 512);
	tx(h, "\x12\x34", 2);
	assert_int_equal(nack_status(h), SIM_DA_UART_DATA_CKSUM_ERROR);
	assert_int_equal(sim_memstore_part(h->ms, SIM_PART_USER)[0], 0);
	/* SWITCH_PART to an absent GP partition */
	tx1(h, 0x60);
	assert_int_equal(rx_u8(h), 0x5A);
	tx1(h, 5);
	assert_int_equal(nack_status(h), SIM_DA_INVALID_RANGE);
	/* a READ header naming NAND storage */
	da_header(h, 0xD6, 0x0C, 1, 0, 512, 0x1000);
	assert_int_equal(nack_status(h), SIM_DA_INVALID_STORAGE_TYPE);
	/* a host that NACKs a read packet aborts the transfer */
	da_header(h, 0xD6, 0x0C, 2, 0, 0x3000, 0x1000);
	assert_int_equal(rx_u8(h), 0x5A);
	static uint8_t pkt[0x1002];
	rx_n(h, pkt, 0x1002);
	tx1(h, 0xA5);
	rx_none(h);
	tx1(h, 0x72);
	assert_int_equal(rx_u8(h), 0x5A);
	h_free(h);
}

static void test_format_pmt_regs(void **state)
{
	(void)state;
	struct h *h = mk(SIM_MODE_PRELOADER, NULL);
	boot_to_da(h, false);
	/* no PMT yet */
	tx1(h, 0xA5);
	assert_int_equal(nack_status(h), SIM_DA_PART_NO_VALID_TABLE);
	/* write a PMT region (header, one entry, trailer) where formats.md puts it */
	static uint8_t pmt[0x1000];
	memcpy(pmt, "PTv1", 4);
	memcpy(pmt + 4, "1.0", 4);
	memcpy(pmt + 8, "PRELOADER", 9);
	pmt[8 + 0x40 + 2] = 0x04; /* size 0x40000 LE */
	memcpy(pmt + 8 + 0x58, "MBR", 3);
	memcpy(pmt + 0x1000 - 4, "PTv1", 4);
	assert_int_equal(da_write(h, SIM_PART_USER, USER_SIZE - 0x100000, pmt, sizeof pmt, 0x100000), 0x69);
	tx1(h, 0xA5);
	assert_int_equal(rx_u8(h), 0x5A);
	uint32_t len = rx_be32(h);
	assert_int_equal(len, 40 * 0x58);
	rx_none(h);
	tx1(h, 0x5A);
	static uint8_t got[40 * 0x58];
	rx_n(h, got, len);
	assert_memory_equal(got, pmt + 8, len);
	tx1(h, 0x5A);
	rx_none(h);
	/* format: progress to 100, then ACK ACK; the range reads back as zeros */
	static uint8_t ones[0x3000];
	memset(ones, 0xFF, sizeof ones);
	assert_int_equal(da_write(h, SIM_PART_USER, 0x10000, ones, sizeof ones, 0x100000), 0x69);
	format_header(h, 0x10000, 0x2000);
	int last = -1, steps = 0;
	while (last != 100) {
		assert_int_equal(rx_u8(h), 0x5A);
		assert_int_equal(rx_u8(h), 0x5A);
		assert_int_equal(rx_be32(h), 0);
		int p = rx_u8(h);
		assert_true(p > last && p <= 100);
		last = p;
		steps++;
		tx1(h, 0x5A);
	}
	assert_true(steps > 1);
	assert_int_equal(rx_u8(h), 0x5A);
	assert_int_equal(rx_u8(h), 0x5A);
	rx_none(h);
	for (size_t i = 0; i < 0x2000; i++)
		assert_int_equal(sim_memstore_part(h->ms, SIM_PART_USER)[0x10000 + i], 0);
	assert_int_equal(sim_memstore_part(h->ms, SIM_PART_USER)[0x12000], 0xFF);
	/* format outside the partition */
	format_header(h, USER_SIZE - 0x1000, 0x2000);
	assert_int_equal(nack_status(h), SIM_DA_INVALID_RANGE);
	/* registers */
	uint8_t wr[9] = { 0x7B, 0x10, 0x00, 0x70, 0x00, 0x22, 0x00, 0x00, 0x00 };
	tx(h, wr, sizeof wr);
	assert_int_equal(rx_u8(h), 0x5A);
	uint8_t rd[5] = { 0x7A, 0x10, 0x00, 0x70, 0x00 };
	tx(h, rd, sizeof rd);
	assert_int_equal(rx_be32(h), 0);
	assert_int_equal(rx_u8(h), 0x5A);
	uint8_t bad[5] = { 0x7A, 0x70, 0x00, 0x00, 0x00 };
	tx(h, bad, sizeof bad);
	assert_int_equal(rx_be32(h), 0);
	assert_int_equal(rx_u8(h), 0xA5);
	uint8_t wdt[9] = { 0xDB, 0, 0, 0x13, 0x88, 0, 1, 0, 0 };
	tx(h, wdt, sizeof wdt);
	assert_int_equal(rx_u8(h), 0x5A);
	h_free(h);
}

static void test_usb_reenumeration_and_finish(void **state)
{
	(void)state;
	struct h *h = mk(SIM_MODE_PRELOADER, NULL);
	boot_to_da(h, false);
	tx1(h, 0x72);
	assert_int_equal(rx_be16(h), 0x5A00);
	tx(h, "\x70\x01", 2);
	assert_int_equal(rx_u8(h), 0x5A);
	assert_int_equal(sim_dev_link(h->d), SIM_LINK_CLOSING);
	struct sim_event ev;
	assert_true(sim_dev_next_event(h->d, &ev));
	assert_int_equal(ev.kind, SIM_EV_REENUMERATE);
	sim_dev_disconnect(h->d, h->now);
	sim_dev_connect(h->d, h->now);
	/* no handshake: the DA answers at once, now at high speed */
	tx1(h, 0x72);
	assert_int_equal(rx_be16(h), 0x5A01);
	tx1(h, 0xD9);
	assert_int_equal(rx_u8(h), 0x5A);
	tx_be32(h, 0);
	assert_int_equal(rx_u8(h), 0x5A);
	assert_int_equal(sim_dev_link(h->d), SIM_LINK_CLOSING);
	assert_true(sim_dev_next_event(h->d, &ev));
	assert_int_equal(ev.kind, SIM_EV_FINISH);
	assert_true(traced(h, "reboot requested"));
	sim_dev_disconnect(h->d, h->now);
	sim_dev_connect(h->d, h->now);
	handshake(h); /* rebooted: preloader again */
	h_free(h);
}

/* ---------- faults ---------- */

static void test_fault_cut_after_bytes(void **state)
{
	(void)state;
	struct h *h = mk(SIM_MODE_BROM, "cut:after=6", NULL);
	handshake(h);
	tx1(h, 0xFD); /* 4 + 1 + 4 would be 9 bytes: the link drops after byte 6 */
	uint8_t b[8];
	assert_int_equal(rx(h, b, sizeof b), 2);
	assert_memory_equal(b, "\xFD\x65", 2);
	assert_int_equal(sim_dev_link(h->d), SIM_LINK_CLOSING);
	tx1(h, 0xFD);
	rx_none(h);
	/* the fault fires once: the replugged phone works */
	sim_dev_disconnect(h->d, h->now);
	sim_dev_connect(h->d, h->now);
	handshake(h);
	echo8(h, 0xFD);
	assert_int_equal(rx_be32(h), 0x65720000);
	h_free(h);
}

static void test_fault_cut_percent_of_read(void **state)
{
	(void)state;
	struct h *h = mk(SIM_MODE_PRELOADER, "cut:op=read,at=50%", NULL);
	boot_to_da(h, false);
	da_header(h, 0xD6, 0x0C, 2, 0, 0x10000, 0x1000);
	static uint8_t buf[0x20000];
	size_t total = 0, n;
	while ((n = rx(h, buf + total, sizeof buf - total)) > 0) {
		total += n;
		tx1(h, 0x5A);
	}
	assert_int_equal(total, 0x8000); /* ACK and checksums count too: cut at byte 0x8000 of the read */
	assert_int_equal(sim_dev_link(h->d), SIM_LINK_CLOSING);
	h_free(h);
}

static void test_fault_flip_reproducible(void **state)
{
	(void)state;
	uint8_t first[4], second[4];
	for (int run = 0; run < 2; run++) {
		struct h *h = mk(SIM_MODE_BROM, "flip:after=6,bits=3", NULL);
		handshake(h);
		echo8(h, 0xFD);
		rx_n(h, run ? second : first, 4);
		h_free(h);
	}
	assert_memory_equal(first, second, 4);
	assert_int_equal(first[0], 0x65);
	assert_int_equal(__builtin_popcount(first[1] ^ 0x72), 3);
	assert_int_equal(be16(first + 2), 0);
	/* flipping a host byte of a write packet makes the checksum fail */
	struct h *w = mk(SIM_MODE_PRELOADER, "flip:op=write,after=100", NULL);
	boot_to_da(w, false);
	uint8_t data[512] = { 0 };
	assert_int_equal(da_write(w, SIM_PART_USER, 0, data, sizeof data, 0x100000), 0xA5);
	tx1(w, 0xA5);
	uint8_t st[4];
	rx_n(w, st, 4);
	assert_int_equal(st[0] | st[1] << 8, SIM_DA_UART_DATA_CKSUM_ERROR);
	h_free(w);
}

static void test_fault_flip_every(void **state)
{
	(void)state;
	struct h *h = mk(SIM_MODE_PRELOADER, "flip:op=read,after=1,every=512", NULL);
	boot_to_da(h, false);
	da_header(h, 0xD6, 0x0C, 2, 0, 0x1000, 0x1000); /* zeros: every flipped byte shows */
	static uint8_t buf[0x1003];
	rx_n(h, buf, sizeof buf);
	size_t flipped = 0;
	for (size_t i = 1; i < 0x1001; i++)
		flipped += buf[i] != 0;
	assert_int_equal(flipped, 8); /* bytes 1, 513, ... 3585 of the read */
	assert_int_not_equal(buf[1], 0);
	assert_int_not_equal(buf[513], 0);
	h_free(h);
}

static void test_fault_stall(void **state)
{
	(void)state;
	struct h *h = mk(SIM_MODE_BROM, "stall:after=5,ms=1500", NULL);
	handshake(h);
	tx1(h, 0xFD);
	uint8_t b[8];
	assert_int_equal(rx(h, b, sizeof b), 1); /* the echo, then silence */
	assert_int_equal(sim_dev_deadline(h->d), 1500);
	h->now = 1499;
	assert_int_equal(rx(h, b, sizeof b), 0);
	h->now = 1500;
	assert_int_equal(rx(h, b, sizeof b), 4);
	assert_memory_equal(b, "\x65\x72\x00\x00", 4);
	h_free(h);
}

static void test_fault_lie_about_write(void **state)
{
	(void)state;
	struct h *h = mk(SIM_MODE_PRELOADER, "lie:op=write,at=60%", NULL);
	boot_to_da(h, false);
	static uint8_t data[0x4000];
	memset(data, 0xAB, sizeof data);
	assert_int_equal(da_write(h, SIM_PART_USER, 0, data, sizeof data, 0x1000), 0x69); /* every packet "OK" */
	const uint8_t *flash = sim_memstore_part(h->ms, SIM_PART_USER);
	assert_memory_equal(flash, data, 0x2000);
	/* 60% of 0x4000 is in the third packet: it was acknowledged but not stored */
	assert_int_equal(flash[0x2000], 0);
	assert_int_equal(flash[0x2FFF], 0);
	assert_memory_equal(flash + 0x3000, data, 0x1000);
	assert_true(traced(h, "lie"));
	h_free(h);
}

/* Two bytes of one READ packet changed so that its 16-bit byte sum stays: da_read's checksum check passes,
 * the data is still wrong, and only once (a second read is right). */
static void twin_read_check(const char *spec, size_t want_at)
{
	struct h *h = mk(SIM_MODE_PRELOADER, spec, NULL);
	boot_to_da(h, false);
	static uint8_t data[0x4000], got[0x4000];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i * 7 + (i >> 8)); /* 0x00 and 0xFF both occur: the edges are exercised */
	data[want_at] = 0xFF; /* cannot go up: it goes down and its partner up */
	assert_int_equal(da_write(h, SIM_PART_USER, 0, data, sizeof data, 0x1000), 0x69);
	assert_int_equal(da_read(h, 0, got, sizeof got, 0x1000), 0); /* every packet checksum matched */
	size_t diffs = 0, first = SIZE_MAX, last = 0;
	for (size_t i = 0; i < sizeof got; i++)
		if (got[i] != data[i]) {
			diffs++;
			first = first < i ? first : i;
			last = i;
		}
	assert_int_equal(diffs, 2);
	assert_int_equal(first, want_at);
	assert_int_equal(got[want_at], 0xFE);
	assert_int_equal(first / 0x1000, last / 0x1000); /* one packet */
	assert_int_equal(got[last], (uint8_t)(data[last] + 1));
	assert_int_equal(sum16(got, sizeof got), sum16(data, sizeof data));
	assert_true(traced(h, "twin in read"));
	assert_int_equal(da_read(h, 0, got, sizeof got, 0x1000), 0);
	assert_memory_equal(got, data, sizeof data);
	h_free(h);
}

static void test_fault_twin_keeps_checksum(void **state)
{
	(void)state;
	twin_read_check("twin:op=read,addr=0x1801", 0x1801);
	/* by the READ's byte counter: the ACK (1 byte) and the first packet with its checksum (0x1002) come
	 * first, so counter 0x1003 + 0x20 is byte 0x1020 of the data */
	twin_read_check("twin:op=read,after=0x1023", 0x1020);
}

static void test_fault_oversize_negative(void **state)
{
	(void)state;
	struct h *h = mk(SIM_MODE_PRELOADER, "oversize:op=pmt,value=0x10000000", NULL);
	boot_to_da(h, false);
	static uint8_t pmt[0x1000];
	memcpy(pmt, "PTv1", 4);
	assert_int_equal(da_write(h, SIM_PART_USER, USER_SIZE - 0x100000, pmt, sizeof pmt, 0x100000), 0x69);
	tx1(h, 0xA5);
	assert_int_equal(rx_u8(h), 0x5A);
	assert_int_equal(rx_be32(h), 0x10000000);
	h_free(h);

	struct h *n = mk(SIM_MODE_BROM, "negative:op=me_id", NULL);
	handshake(n);
	echo8(n, 0xE1);
	assert_int_equal(rx_be32(n), 0xFFFFFFF6);
	h_free(n);

	struct h *r = mk(SIM_MODE_PRELOADER, "oversize:op=da1,value=0xFFFF", NULL);
	size_t l1;
	uint8_t *da1 = sim_dablob_build(1, 0x6572, 0xCA00, &l1);
	handshake(r);
	send_da(r, SIM_DA1_ADDR, da1, (uint32_t)l1, SIM_DA_SIG_LEN);
	jump_da(r, SIM_DA1_ADDR);
	assert_int_equal(rx_u8(r), 0xC0);
	assert_int_equal(rx_be32(r), 0xBC4);
	assert_int_equal(rx_be16(r), 0xFFFF); /* a hostile NAND id count */
	free(da1);
	h_free(r);
}

static void test_fault_reset_and_cut_in(void **state)
{
	(void)state;
	/* reset during the write: the link drops mid-packet and the phone powers on again */
	struct h *h = mk(SIM_MODE_PRELOADER, "reset:op=write,at=75%", NULL);
	boot_to_da(h, false);
	static uint8_t data[0x2000];
	da_header(h, 0x62, 1, SIM_PART_USER, 0, sizeof data, 0x1000);
	assert_int_equal(rx_u8(h), 0x5A);
	tx1(h, 0x5A);
	tx(h, data, 0x1000);
	tx(h, "\x00\x00", 2);
	assert_int_equal(rx_u8(h), 0x69);
	tx1(h, 0x5A);
	tx(h, data, 0x1000);
	assert_int_equal(sim_dev_link(h->d), SIM_LINK_CLOSING);
	sim_dev_disconnect(h->d, h->now);
	sim_dev_connect(h->d, h->now);
	handshake(h);
	h_free(h);
}

static void test_fault_spec_parse(void **state)
{
	(void)state;
	struct sim_fault f;
	struct unifw_error err = { 0 };
	assert_int_equal(sim_fault_parse("cut:after=100", &f, &err), 0);
	assert_int_equal(f.kind, SIM_FAULT_CUT);
	assert_int_equal(f.op, SIM_OP_ANY);
	assert_int_equal(f.after, 100);
	assert_int_equal(sim_fault_parse("flip:op=read,at=12.5%,bits=2,every=4096,times=0", &f, &err), 0);
	assert_int_equal(f.pct_milli, 12500);
	assert_int_equal(f.dir, SIM_DIR_OUT);
	assert_int_equal(f.every, 4096);
	assert_int_equal(f.times, 0);
	assert_int_equal(sim_fault_parse("flip:every=10", &f, &err), 0);
	assert_int_equal(f.times, 0); /* every= repeats unless times= says otherwise */
	assert_int_equal(sim_fault_parse("flip:every=10,times=3", &f, &err), 0);
	assert_int_equal(f.times, 3);
	assert_int_equal(sim_fault_parse("lie:op=write,at=random,count=0", &f, &err), 0);
	assert_int_equal(f.dir, SIM_DIR_IN);
	assert_int_equal(sim_fault_parse("stall:op=write,ms=100", &f, &err), 0);
	assert_int_equal(f.dir, SIM_DIR_OUT); /* a stall always holds the device's output */
	assert_int_equal(sim_fault_parse("twin:op=read,addr=0x1801", &f, &err), 0);
	assert_true(f.has_addr);
	assert_int_equal(f.addr, 0x1801);
	assert_int_equal(f.dir, SIM_DIR_OUT);
	const char *bad[] = { "explode", "cut:after=-1", "cut:after", "cut:op=nothing", "flip:bits=9",
			      "cut:at=50%", "lie:op=read", "oversize:op=read", "stall:dir=in,ms=5",
			      "cut:at=150%", "cut:size=3", "negative:op=pmt,value=0x100000000", "twin:op=write",
			      "twin:op=read,dir=in", "flip:op=read,addr=4096" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memset(&err, 0, sizeof err);
		assert_int_not_equal(sim_fault_parse(bad[i], &f, &err), 0);
		assert_non_null(strstr(err.msg, bad[i]));
	}
}

/* --link: 1 MB through a 1 MB/s bucket takes one simulated second, in 10 ms bursts at most */
static void test_link_rate(void **state)
{
	(void)state;
	enum sim_link_kind k;
	assert_true(sim_link_parse("usb2", &k));
	assert_false(sim_link_parse("usb3", &k));
	assert_int_equal(sim_link_speeds(SIM_LINK_FAST, false).out_bps, 0);
	assert_int_equal(sim_link_speeds(SIM_LINK_USB2, false).out_bps, 1000000);
	assert_int_equal(sim_link_speeds(SIM_LINK_USB2, true).out_bps, 20000000);
	assert_int_equal(sim_link_speeds(SIM_LINK_USB2, true).in_bps, 8000000);
	struct sim_rate r = { 0 };
	sim_rate_set(&r, 1000000, 1);
	uint64_t now = 1, sent = 0;
	size_t biggest = 0;
	while (sent < 1000000) {
		size_t n = sim_rate_allow(&r, now, 65536);
		if (n > biggest)
			biggest = n;
		sim_rate_take(&r, n);
		sent += n;
		if (sent < 1000000) {
			uint64_t w = sim_rate_wait_ms(&r);
			now += w ? w : 1;
		}
	}
	assert_true(now >= 985 && now <= 1015);
	assert_true(biggest <= 10001);
	struct sim_rate u = { 0 };
	sim_rate_set(&u, 0, 5);
	assert_int_equal(sim_rate_allow(&u, 5, 1 << 20), 1 << 20);
	assert_int_equal(sim_rate_wait_ms(&u), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_handshake_rules),
		cmocka_unit_test(test_garbage_then_handshake),
		cmocka_unit_test(test_brom_vs_preloader),
		cmocka_unit_test(test_read_write_regs),
		cmocka_unit_test(test_send_da_rules),
		cmocka_unit_test(test_foreign_da1_hangs),
		cmocka_unit_test(test_preloader_window),
		cmocka_unit_test(test_preloader_listening),
		cmocka_unit_test(test_truncated_command),
		cmocka_unit_test(test_da_preloader_boot),
		cmocka_unit_test(test_da_brom_emi),
		cmocka_unit_test(test_emi_mismatch_fails),
		cmocka_unit_test(test_da2_rules),
		cmocka_unit_test(test_write_read_back),
		cmocka_unit_test(test_da_strictness),
		cmocka_unit_test(test_format_pmt_regs),
		cmocka_unit_test(test_usb_reenumeration_and_finish),
		cmocka_unit_test(test_fault_cut_after_bytes),
		cmocka_unit_test(test_fault_cut_percent_of_read),
		cmocka_unit_test(test_fault_flip_reproducible),
		cmocka_unit_test(test_fault_flip_every),
		cmocka_unit_test(test_fault_stall),
		cmocka_unit_test(test_fault_lie_about_write),
		cmocka_unit_test(test_fault_twin_keeps_checksum),
		cmocka_unit_test(test_fault_oversize_negative),
		cmocka_unit_test(test_fault_reset_and_cut_in),
		cmocka_unit_test(test_fault_spec_parse),
		cmocka_unit_test(test_link_rate),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
