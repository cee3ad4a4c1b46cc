/* Fuzz the legacy DA core as a hostile device: the input is everything the DA says. Every
 * operation runs in turn (sync, stage 2 with an EMI table, DA2 upload, report 2, USB, switch,
 * READ, WRITE, FORMAT, PMT, registers, watchdog, finish), driven by fuzz_drive (proto_feed.h): DATA
 * payloads are checked to arrive in order inside the requested range, FILL buffers are written in
 * full. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_driver.h"
#include "proto_feed.h"
#include "unifw/da_legacy.h"

static void fuzz_one(const uint8_t *data, size_t size)
{
	static uint8_t da2[5000], emi_bytes[2][0xA8];
	uint8_t sel = data[0], arg = data[1];
	struct fuzz_feed f = fuzz_feed_from(data + 2, size - 2, sel, 2000);
	struct unifw_da *da = unifw_da_new();
	if (!da)
		return;
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
	fuzz_drive(p, &f, 0);
	unifw_da_begin_stage2(da, &cfg, (sel & 32) ? NULL : &emi);
	fuzz_drive(p, &f, 0);
	unifw_da_begin_upload_da2(da, 0x80000000, da2, 1 + (size_t)arg * 19, 1024);
	fuzz_drive(p, &f, 0);
	unifw_da_begin_report2(da);
	fuzz_drive(p, &f, 0);
	unifw_da_begin_usb_check_status(da);
	fuzz_drive(p, &f, 0);
	unifw_da_begin_usb_setup_port(da, 1);
	fuzz_drive(p, &f, 0);
	unifw_da_begin_switch_part(da, (uint8_t)(1 + (arg & 7)));
	fuzz_drive(p, &f, 0);
	unifw_da_begin_read(da, 2, 0x1000, rlen, 512);
	fuzz_drive(p, &f, rlen);
	unifw_da_begin_write(da, 1, 8, 0x2000, rlen, 512);
	fuzz_drive(p, &f, rlen);
	unifw_da_begin_format(da, 2, 0, 0x100000);
	fuzz_drive(p, &f, 0);
	unifw_da_begin_read_pmt(da);
	fuzz_drive(p, &f, 0);
	unifw_da_begin_read_reg32(da, 0x10007000);
	fuzz_drive(p, &f, 0);
	unifw_da_begin_write_reg32(da, 0x10007000, 0x22000000);
	fuzz_drive(p, &f, 0);
	unifw_da_begin_enable_watchdog(da, 3000, true, false, false, true);
	fuzz_drive(p, &f, 0);
	unifw_da_begin_finish(da, 0);
	fuzz_drive(p, &f, 0);

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
}

const struct fuzz_target fuzz_target = { .name = "da_legacy", .min_input = 2, .run = fuzz_one };
