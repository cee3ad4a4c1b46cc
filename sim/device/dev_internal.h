/* unifw-sim — internals shared by the device core's files (dev.c, brom_cmd.c, da.c, da_serve.c, regs.c).
 *
 * Input model: the device always waits for a fixed number of bytes (dev_expect(d, n, step)); when
 * they have arrived, step(d, bytes, n) runs and decides what to wait for next. A step must not
 * keep the `b` pointer after it returns. Output goes through dev_emit, which applies faults. */
#ifndef UNIFW_SIM_DEV_INTERNAL_H
#define UNIFW_SIM_DEV_INTERNAL_H

#include "sim_dev.h"

#define SIM_SRAM_BASE 0x02000000u
#define SIM_SRAM_SIZE 0x40000u   /* 256 KiB window for DA1 */
#define SIM_DA2_MAX 0x200000u    /* DA2 buffer */
#define SIM_REG_SLOTS 256        /* distinct MMIO registers remembered */
#define SIM_EVENT_SLOTS 8

/* The MT6572 preloader's USB listening (docs/sim.md "Preloader listening"): a poll every 20 ms of up
 * to 8 bytes (usb_listen, HSHK_TOKEN_SZ), then 300 ms for A0 0A 50 05 (usb_listen ->
 * usbdl_handler(comport, 300) -> usbdl_check_start_command; the source files are in that section). */
#define SIM_PL_POLL_MS 20
#define SIM_PL_CHUNK 8
#define SIM_PL_HANDSHAKE_MS 300
#define SIM_PL_FIFO 4096 /* host bytes held between polls (a real endpoint NAKs beyond its FIFO) */

struct sim_dev;
typedef void (*sim_step_fn)(struct sim_dev *d, const uint8_t *b, size_t n);

enum sim_state { ST_OFF, ST_HANDSHAKE, ST_BROM, ST_DA1, ST_EMI, ST_DA2, ST_DA, ST_HUNG };

struct sim_regfile {
	uint32_t addr[SIM_REG_SLOTS];
	uint32_t val[SIM_REG_SLOTS];
	size_t n;
};

/* A DA transfer in progress (READ, WRITE, FORMAT, PMT). */
struct sim_xfer {
	unsigned part;
	uint64_t addr, len, done;
	uint32_t packet;
	uint32_t chunk; /* bytes of the packet being received / sent */
	uint32_t padded;
};

struct sim_dev {
	struct sim_config cfg;
	struct sim_fault *faults;
	uint64_t rng;
	uint64_t now, t0;

	/* link */
	bool connected, closing, reenumerate;
	uint32_t conn;
	uint64_t window_deadline; /* preloader: the end of listening (connect + window), UINT64_MAX = none */

	/* preloader listening: host bytes wait in the FIFO until the next poll */
	bool listening;
	uint64_t next_poll, hs_deadline; /* hs_deadline: the 300 ms of the start-command loop */
	uint8_t fifo[SIM_PL_FIFO];
	size_t fifo_len, token_len;

	/* input */
	uint8_t *in;
	size_t in_cap, in_have, in_need;
	size_t in_sum_len;      /* bytes of the expectation summed as they arrive (dev_expect_summed) */
	uint16_t in_sum;        /* their byte sum so far */
	sim_step_fn step;

	/* output: bytes [taken, emitted) of this connection are in out[out_off .. out_len) */
	uint8_t *out;
	size_t out_off, out_len, out_cap;
	uint64_t stall_mark, stall_until; /* conn byte index held back until stall_until */

	/* byte counters for faults: connection, current phase, current sub-operation */
	uint64_t conn_bytes[2], phase_bytes[2], sub_bytes[2];
	enum sim_op phase, sub;
	uint64_t phase_total, sub_total;

	struct sim_event events[SIM_EVENT_SLOTS];
	unsigned ev_head, ev_count;

	/* device state */
	enum sim_state state;
	unsigned hs_index;
	uint8_t cmd;            /* BROM command being served */
	uint32_t arg[3];        /* its u32 arguments */
	uint32_t idx;           /* values done (READ/WRITE16/32) */
	uint8_t *sram;
	struct sim_regfile regs;
	uint32_t wdt_mode;
	bool wdt_disabled;

	/* DA */
	uint8_t da_ver[3];      /* major, minor, extra of the running DA1 */
	bool emi_ok;
	uint8_t *da2;
	uint32_t da2_addr, da2_len, da2_have, da2_packet;
	bool dram_ready;
	unsigned part;
	uint8_t usb_speed;
	struct sim_xfer x;
	uint8_t *pkt;           /* READ/PMT packet buffer (SIM_DA_MAX_PACKET) */
	uint32_t nack_status;
	bool finished;
	uint32_t finish_mode;
};

/* dev.c: plumbing */
void dev_expect(struct sim_dev *d, size_t n, sim_step_fn fn);
/* The same, and the first sum_len bytes are byte-summed as they arrive: d->in_sum when fn runs. */
void dev_expect_summed(struct sim_dev *d, size_t n, size_t sum_len, sim_step_fn fn);
void dev_emit(struct sim_dev *d, const void *b, size_t n);
/* Bulk output without a copy: the caller writes n bytes at the pointer dev_emit_begin returns (NULL
 * when the link is closing or memory ran out), then dev_emit_end(d, n) emits them as dev_emit would
 * (faults included). Nothing else may be emitted in between. */
uint8_t *dev_emit_begin(struct sim_dev *d, size_t n);
void dev_emit_end(struct sim_dev *d, size_t n);
void dev_emit_u8(struct sim_dev *d, uint8_t v);
void dev_emit_be16(struct sim_dev *d, uint16_t v);
void dev_emit_be32(struct sim_dev *d, uint32_t v);
void dev_emit_be64(struct sim_dev *d, uint64_t v);
void dev_emit_le32(struct sim_dev *d, uint32_t v);
void dev_trace(struct sim_dev *d, const char *layer, char dir, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void dev_event(struct sim_dev *d, enum sim_event_kind kind, uint32_t arg);
/* The device ends the link after its queued bytes are sent (reboot, re-enumeration, window). */
void dev_close(struct sim_dev *d, const char *why);
/* The device stops answering: every further byte is swallowed until the next power-on. */
void dev_hang(struct sim_dev *d, const char *why);
void dev_phase(struct sim_dev *d, enum sim_op phase, uint64_t total);
void dev_sub_begin(struct sim_dev *d, enum sim_op sub, uint64_t total);
void dev_sub_end(struct sim_dev *d);
/* Progress without bytes on the wire (FORMAT erasing): may fire faults of the sub-operation. */
void dev_progress(struct sim_dev *d, uint64_t n);
/* lie: should the write packet whose bytes end at the current input counter be dropped? */
bool dev_fault_lie(struct sim_dev *d);
/* twin: change two bytes of the READ packet about to go out (pkt, n bytes of the selected hardware
 * partition at addr, its checksum already taken) so that the packet's 16-bit byte sum stays the same. */
void dev_fault_twin(struct sim_dev *d, uint8_t *pkt, size_t n, uint64_t addr);
/* oversize/negative: the length to announce for op instead of real. */
uint32_t dev_fault_length(struct sim_dev *d, enum sim_op op, uint32_t real);
const char *dev_state_name(const struct sim_dev *d);

/* brom_cmd.c: power-on, handshake, BROM/preloader commands */
void brom_power_on(struct sim_dev *d);
/* The preloader's timers (poll, 300 ms start-command loop), due at d->now. */
void brom_listen_tick(struct sim_dev *d);
/* Bytes the device already took off the wire go to the current expectation again (no fault
 * counting: they were counted when they arrived). */
void dev_replay(struct sim_dev *d, const uint8_t *b, size_t n);
/* da.c: DA1 boot, EMI, DA2, report 2 */
void da1_start(struct sim_dev *d);
/* da_serve.c: the DA command loop */
void da_cmd_wait(struct sim_dev *d);
void da_reenumerated(struct sim_dev *d);
/* regs.c: the address map of READ/WRITE16/32 and READ/WRITE_REG32. Return 0 or a BROM status. */
uint16_t regs_check(const struct sim_dev *d, uint32_t addr, uint32_t count, unsigned width);
uint32_t regs_read(struct sim_dev *d, uint32_t addr, unsigned width);
void regs_write(struct sim_dev *d, uint32_t addr, unsigned width, uint32_t value);

#endif
