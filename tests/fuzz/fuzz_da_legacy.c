/* Fuzz the legacy DA core as a hostile device: the input is everything the DA says. Every
 * operation runs in turn (sync, stage 2 with an EMI table, DA2 upload, report 2, USB, switch,
 * READ, WRITE, FORMAT, PMT, registers, watchdog, finish), fed from the input in chunks (copy or
 * zero-copy); DATA payloads are checked to lie inside the requested range, FILL buffers are
 * written in full. An empty input is a timeout. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "unifw/da_legacy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct feed {
	const uint8_t *d;
	size_t n;
	size_t chunk;
	int zero_copy;
	uint64_t data_bytes;
};

static void drive(struct unifw_proto *p, struct feed *f, uint64_t range)
{
	f->data_bytes = 0;
	for (unsigned guard = 0; guard < 1000000; guard++) {
		const struct unifw_step *st = unifw_proto_current(p);
		switch (st->kind) {
		case UNIFW_STEP_SEND:
			if (st->len == 0 || !st->data)
				__builtin_trap();
			unifw_proto_sent(p);
			break;
		case UNIFW_STEP_RECV: {
			if (f->n == 0) {
				unifw_proto_timeout(p);
				break;
			}
			size_t n = f->n < f->chunk ? f->n : f->chunk;
			if (f->zero_copy) {
				if (n > st->len)
					n = st->len;
				memcpy(st->buf, f->d, n);
				unifw_proto_received(p, n);
				f->d += n;
				f->n -= n;
			} else {
				size_t used = 0;
				unifw_proto_feed(p, f->d, n, &used);
				f->d += used;
				f->n -= used;
			}
			break;
		}
		case UNIFW_STEP_DATA:
			/* payload must stay inside what was asked for, in order */
			if (st->offset != f->data_bytes || st->offset + st->len > range)
				__builtin_trap();
			f->data_bytes += st->len;
			(void)st->data[st->len - 1];
			unifw_proto_advance(p);
			break;
		case UNIFW_STEP_FILL:
			if (st->offset + st->len > range)
				__builtin_trap();
			memset(st->buf, 0xA5, st->len);
			unifw_proto_advance(p);
			break;
		default:
			return;
		}
	}
	__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t da2[5000], emi_bytes[2][0xA8];
	if (size < 2)
		return 0;
	uint8_t sel = data[0], arg = data[1];
	struct feed f = {data + 2, size - 2, (size_t)(sel & 7) + 1 + (sel & 8 ? 2000 : 0), sel & 16, 0};
	struct unifw_da *da = unifw_da_new();
	if (!da)
		return 0;
	struct unifw_proto *p = unifw_da_proto(da);
	for (size_t i = 0; i < sizeof da2; i++)
		da2[i] = (uint8_t)i;
	/* two entries: a 9-byte Samsung-style id and a 1-byte id the fuzzer can hit easily */
	struct unifw_da_emi_entry ent[2] = {
		{emi_bytes[0], 0xA8, {0x15, 0x01, 0x00, 0x4E, 0x35, 0x55, 0x30, 0x30, 0x4D}, 9},
		{emi_bytes[1], (arg & 1) ? 0xA8 : 0x40, {0x90}, 1},
	};
	memset(emi_bytes[0], 0x11, sizeof emi_bytes[0]);
	memset(emi_bytes[1], 0x22, sizeof emi_bytes[1]);
	struct unifw_da_emi emi = {(arg & 2) ? 10 : 11, ent, 2};
	struct unifw_da_stage2_config cfg;
	unifw_da_stage2_defaults(&cfg, 5, 0xFE, 0, 0xA8);
	uint64_t rlen = 1 + (uint64_t)arg * 9;

	unifw_da_begin_sync(da);
	drive(p, &f, 0);
	unifw_da_begin_stage2(da, &cfg, (sel & 32) ? NULL : &emi);
	drive(p, &f, 0);
	unifw_da_begin_upload_da2(da, 0x80000000, da2, 1 + (size_t)arg * 19, 1024);
	drive(p, &f, 0);
	unifw_da_begin_report2(da);
	drive(p, &f, 0);
	unifw_da_begin_usb_check_status(da);
	drive(p, &f, 0);
	unifw_da_begin_usb_setup_port(da, 1);
	drive(p, &f, 0);
	unifw_da_begin_switch_part(da, (uint8_t)(1 + (arg & 7)));
	drive(p, &f, 0);
	unifw_da_begin_read(da, 2, 0x1000, rlen, 512);
	drive(p, &f, rlen);
	unifw_da_begin_write(da, 1, 8, 0x2000, rlen, 512);
	drive(p, &f, rlen);
	unifw_da_begin_format(da, 2, 0, 0x100000);
	drive(p, &f, 0);
	unifw_da_begin_read_pmt(da);
	drive(p, &f, 0);
	unifw_da_begin_read_reg32(da, 0x10007000);
	drive(p, &f, 0);
	unifw_da_begin_write_reg32(da, 0x10007000, 0x22000000);
	drive(p, &f, 0);
	unifw_da_begin_enable_watchdog(da, 3000, true, false, false, true);
	drive(p, &f, 0);
	unifw_da_begin_finish(da, 0);
	drive(p, &f, 0);

	const struct unifw_da_info *i = unifw_da_info(da);
	size_t pmt_len = 0;
	const uint8_t *pmt = unifw_da_pmt(da, &pmt_len);
	if (i->report1.nand_id_count > UNIFW_DA_MAX_NAND_IDS || i->report2.nand_id_count > UNIFW_DA_MAX_NAND_IDS ||
	    pmt_len > UNIFW_DA_MAX_PMT_LEN || (pmt_len && !pmt) || i->dram.emi_len > UNIFW_DA_MAX_EMI_LEN ||
	    i->format_progress > 100)
		__builtin_trap();
	if (pmt_len)
		(void)pmt[pmt_len - 1];
	unifw_da_free(da);
	return 0;
}
