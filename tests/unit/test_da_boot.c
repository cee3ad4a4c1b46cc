/* Legacy DA core on recorded transcripts, bringing the DA up (docs/protocol.md "Legacy DA boot"
 * and the byte-exact notes): sync and report 1, preloader mode (DRAM ready) and BROM mode (EMI
 * exchange), EMI refusals before E8, DA2 upload with the final 5A in either order, report 2 layouts,
 * the EMI adapter on every corpus table, and a device that announces absurd lengths. The commands
 * after boot are in test_da_cmd.c. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>

#include "da_script.h"
#include "unifw/da_legacy.h"
#include "unifw/emi.h"

/* ---- sync / report 1 ---- */

static void sync_reads_report1_of_an_emmc_phone(void **state)
{
	(void)state;
	struct unifw_da *da = new_da();
	struct script s = {0};
	D(&s, 0xC0);
	scr_d32(&s, 0xBC4); /* no NAND */
	scr_d16(&s, 0);
	scr_d32(&s, 0);
	scr_d32(&s, 0x15010052); /* eMMC id words: non-zero first word = eMMC */
	scr_d32(&s, 0x48344e41);
	scr_d32(&s, 0x11223344);
	scr_d32(&s, 0x55667788);
	H(&s, 0x5A);
	D(&s, 0x04, 0x00, 0x8A);
	assert_int_equal(run_op(da, &s, unifw_da_begin_sync(da), 1), 0);
	assert_script_complete(&s);
	const struct unifw_da_report1 *r = &unifw_da_info(da)->report1;
	assert_true(r->valid);
	assert_int_equal(r->nand_ret, 0xBC4);
	assert_int_equal(r->storage, UNIFW_DA_STORAGE_EMMC);
	assert_int_equal(r->emmc_id[0], 0x15010052);
	assert_int_equal(r->emmc_id[3], 0x55667788);
	assert_int_equal(r->da_major, 4);
	assert_int_equal(r->da_minor, 0);
	assert_string_equal(unifw_da_storage_name(r->storage), "emmc");
	scr_free(&s);
	unifw_da_free(da);
}

static void sync_with_nand_ids_and_bad_sync_byte(void **state)
{
	(void)state;
	struct unifw_da *da = new_da();
	struct script s = {0};
	D(&s, 0xC0);
	scr_d32(&s, 0);
	scr_d16(&s, 2);
	scr_d16(&s, 0xEC);
	scr_d16(&s, 0xDA);
	scr_d32(&s, 0xBC5);
	D(&s, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
	H(&s, 0x5A);
	D(&s, 0x03, 0x01, 0x00);
	assert_int_equal(run_op(da, &s, unifw_da_begin_sync(da), 7), 0);
	assert_script_complete(&s);
	assert_int_equal(unifw_da_info(da)->report1.storage, UNIFW_DA_STORAGE_NAND);
	assert_int_equal(unifw_da_info(da)->report1.nand_id[1], 0xDA);
	scr_free(&s);

	struct script bad = {0};
	D(&bad, 0xCF);
	assert_int_equal(run_op(da, &bad, unifw_da_begin_sync(da), 1), UNIFW_E_DEVICE);
	assert_non_null(strstr(errmsg(da), "sync byte: expected c0 (SYNC_CHAR), found cf (SOC_FAIL)"));
	scr_free(&bad);

	struct script huge = {0};
	uint64_t base = unifw_proto_rx_total(unifw_da_proto(da)); /* offsets count from the core's start */
	D(&huge, 0xC0);
	scr_d32(&huge, 0);
	scr_d16(&huge, 0xFFFF);
	assert_int_equal(run_op(da, &huge, unifw_da_begin_sync(da), 1), UNIFW_E_TOO_BIG);
	assert_non_null(strstr(errmsg(da), "found a count of 65535"));
	assert_int_equal(unifw_proto_error(unifw_da_proto(da))->offset, base + 5);
	scr_free(&huge);
	unifw_da_free(da);
}

/* ---- stage 2 config and DRAM ---- */

static void script_stage2_config(struct script *s)
{
	/* bromver FE? no: bromver 05, blver FE (BROM mode), nor_cfg 0008, nor cs 00, nand_acccon
	 * 7007FFFF, bmt flag 00, bmt partsize 000000A8, force charge 01, reset key 01, ext clock 02,
	 * msdc boot ch 00 (docs/protocol.md step 5) */
	H(s, 0x05, 0xFE, 0x00, 0x08, 0x00, 0x70, 0x07, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0x00, 0xA8, 0x01, 0x01, 0x02, 0x00);
}

static struct unifw_da_stage2_config mt6572_cfg(void)
{
	struct unifw_da_stage2_config c;
	unifw_da_stage2_defaults(&c, 0x05, 0xFE, 0, 0xA8);
	return c;
}

static void stage2_preloader_mode_dram_ready(void **state)
{
	(void)state;
	struct unifw_da *da = new_da();
	struct script s = {0};
	struct unifw_da_stage2_config c = mt6572_cfg();
	script_stage2_config(&s);
	scr_d32(&s, 0);
	assert_int_equal(run_op(da, &s, unifw_da_begin_stage2(da, &c, NULL), 1), 0);
	assert_script_complete(&s);
	assert_true(unifw_da_info(da)->dram.valid);
	assert_int_equal(unifw_da_info(da)->dram.config_status, 0);
	scr_free(&s);
	unifw_da_free(da);
}

/* Three EMI entries of 0xA8 bytes; the phone's DRAM info matches entry 1. */
struct emi_fixture {
	uint8_t bytes[3][0xA8];
	struct unifw_da_emi_entry e[3];
	struct unifw_da_emi emi;
};

static const uint8_t phone_dram_info[16] = {0x15, 0x01, 0x00, 0x4E, 0x35, 0x55, 0x30, 0x30, 0x4D,
					    0x42, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};

static void emi_fixture_init(struct emi_fixture *f)
{
	static const uint8_t other0[9] = {0x90, 0x01, 0x4A, 0x48, 0x38, 0x47, 0x31, 0x65, 0x02}; /* Hynix */
	static const uint8_t other2[9] = {0x45, 0x01, 0x00, 0x53, 0x45, 0x4D, 0x30, 0x34, 0x47}; /* SanDisk */
	memset(f, 0, sizeof *f);
	for (size_t i = 0; i < 3; i++) {
		for (size_t j = 0; j < 0xA8; j++)
			f->bytes[i][j] = (uint8_t)(j * 3 + i * 101);
		f->e[i].data = f->bytes[i];
		f->e[i].len = 0xA8;
		f->e[i].id_len = 9;
	}
	memcpy(f->e[0].id, other0, 9);
	memcpy(f->e[1].id, phone_dram_info, 9);
	memcpy(f->e[2].id, other2, 9);
	f->emi.version = 11;
	f->emi.entries = f->e;
	f->emi.count = 3;
}

static void script_dram_needed(struct script *s, const uint8_t info[16])
{
	script_stage2_config(s);
	scr_d32(s, 0xBC3);
	scr_d32(s, 0x00000001);
	scr_d(s, info, 16);
	scr_d32(s, 0xBC4);
	scr_d16(s, 0);
}

static void stage2_brom_mode_sends_exactly_the_matching_entry(void **state)
{
	(void)state;
	struct emi_fixture f;
	emi_fixture_init(&f);
	for (size_t chunk = 1; chunk <= 16; chunk += 15) {
		struct unifw_da *da = new_da();
		struct script s = {0};
		struct unifw_da_stage2_config c = mt6572_cfg();
		script_dram_needed(&s, phone_dram_info);
		H(&s, 0xE8, 0x00, 0x00, 0x00, 0x0B);
		D(&s, 0x5A);
		scr_d(&s, phone_dram_info, 16);
		scr_d32(&s, 0xA8);
		H(&s, 0x5A);
		scr_h(&s, f.bytes[1], 0xA8); /* entry 1 only, exactly the announced length */
		scr_d16(&s, unifw_da_bytesum(f.bytes[1], 0xA8, 0));
		H(&s, 0x5A, 0x80, 0x00, 0x00, 0x01);
		scr_d32(&s, 0);
		D(&s, 0x02, 0x00);
		scr_d64(&s, 0x20000000);
		assert_int_equal(run_op(da, &s, unifw_da_begin_stage2(da, &c, &f.emi), chunk), 0);
		assert_script_complete(&s);
		const struct unifw_da_dram *d = &unifw_da_info(da)->dram;
		assert_true(d->valid);
		assert_int_equal(d->config_status, 0xBC3);
		assert_memory_equal(d->dram_info, phone_dram_info, 16);
		assert_int_equal(d->emi_index, 1);
		assert_int_equal(d->emi_len, 0xA8);
		assert_true(d->emi_checksum_matches);
		assert_int_equal(d->ext_ram_type, 2);
		assert_int_equal(d->ext_ram_size, 0x20000000);
		scr_free(&s);
		unifw_da_free(da);
	}
}

/* No entry for the phone's memory: refused BEFORE the E8 byte, with the memory id in words. */
static void stage2_refuses_before_e8_when_no_entry_matches(void **state)
{
	(void)state;
	struct emi_fixture f;
	emi_fixture_init(&f);
	f.emi.count = 1; /* only the Hynix entry */
	struct unifw_da *da = new_da();
	struct script s = {0};
	struct unifw_da_stage2_config c = mt6572_cfg();
	script_dram_needed(&s, phone_dram_info);
	assert_int_equal(run_op(da, &s, unifw_da_begin_stage2(da, &c, &f.emi), 1), UNIFW_E_UNSAFE);
	assert_script_complete(&s); /* host stream ends with the config: no E8 went out */
	assert_non_null(strstr(errmsg(da), "none of the 1 EMI entries lists the phone's memory id 15 01 00 4e 35 55 30 30 4d"));
	assert_non_null(strstr(errmsg(da), "stopped before ENABLE_DRAM"));
	scr_free(&s);

	/* no EMI table at all */
	struct script n = {0};
	script_dram_needed(&n, phone_dram_info);
	assert_int_equal(run_op(da, &n, unifw_da_begin_stage2(da, &c, NULL), 1), UNIFW_E_UNSAFE);
	assert_non_null(strstr(errmsg(da), "no EMI table was given"));
	assert_script_complete(&n);
	scr_free(&n);
	unifw_da_free(da);
}

static void stage2_emi_nack_and_bad_lengths(void **state)
{
	(void)state;
	struct emi_fixture f;
	emi_fixture_init(&f);
	struct unifw_da_stage2_config c = mt6572_cfg();
	struct unifw_da *da = new_da();

	struct script nack = {0};
	script_dram_needed(&nack, phone_dram_info);
	H(&nack, 0xE8, 0x00, 0x00, 0x00, 0x0B);
	D(&nack, 0xA5);
	assert_int_equal(run_op(da, &nack, unifw_da_begin_stage2(da, &c, &f.emi), 1), UNIFW_E_DEVICE);
	assert_non_null(strstr(errmsg(da), "refused EMI settings version 11 (NACK a5)"));
	scr_free(&nack);

	/* the DA asks for more than the entry holds: nothing of the blob is sent */
	struct script longer = {0};
	script_dram_needed(&longer, phone_dram_info);
	H(&longer, 0xE8, 0x00, 0x00, 0x00, 0x0B);
	D(&longer, 0x5A);
	scr_d(&longer, phone_dram_info, 16);
	scr_d32(&longer, 0x100);
	assert_int_equal(run_op(da, &longer, unifw_da_begin_stage2(da, &c, &f.emi), 1), UNIFW_E_UNSAFE);
	assert_non_null(strstr(errmsg(da), "asks for 256 bytes of EMI settings but the matching entry 1 has 168"));
	assert_script_complete(&longer);
	scr_free(&longer);

	/* a device that answers 0xFFFFFFFF as a length */
	struct script ff = {0};
	script_dram_needed(&ff, phone_dram_info);
	H(&ff, 0xE8, 0x00, 0x00, 0x00, 0x0B);
	D(&ff, 0x5A);
	scr_d(&ff, phone_dram_info, 16);
	scr_d32(&ff, 0xFFFFFFFF);
	assert_int_equal(run_op(da, &ff, unifw_da_begin_stage2(da, &c, &f.emi), 1), UNIFW_E_TOO_BIG);
	assert_non_null(strstr(errmsg(da), "EMI length: expected an EMI length of 1..4096, found 4294967295"));
	scr_free(&ff);

	/* DRAM init fails on the phone */
	struct script fail = {0};
	script_dram_needed(&fail, phone_dram_info);
	H(&fail, 0xE8, 0x00, 0x00, 0x00, 0x0B);
	D(&fail, 0x5A);
	scr_d(&fail, phone_dram_info, 16);
	scr_d32(&fail, 0xA8);
	H(&fail, 0x5A);
	scr_h(&fail, f.bytes[1], 0xA8);
	scr_d16(&fail, 0x1234);
	H(&fail, 0x5A, 0x80, 0x00, 0x00, 0x01);
	scr_d32(&fail, 0xFC0);
	assert_int_equal(run_op(da, &fail, unifw_da_begin_stage2(da, &c, &f.emi), 1), UNIFW_E_DEVICE);
	assert_non_null(strstr(errmsg(da), "DRAM init failed: expected 0x0, found 0xfc0"));
	assert_false(unifw_da_info(da)->dram.emi_checksum_matches);
	scr_free(&fail);

	/* neither 0 nor 0xBC3 */
	struct script odd = {0};
	script_stage2_config(&odd);
	scr_d32(&odd, 0x7D4);
	assert_int_equal(run_op(da, &odd, unifw_da_begin_stage2(da, &c, &f.emi), 1), UNIFW_E_DEVICE);
	assert_non_null(strstr(errmsg(da), "found 0x7d4"));
	scr_free(&odd);
	unifw_da_free(da);
}

static void emi_match_rules(void **state)
{
	(void)state;
	struct emi_fixture f;
	struct unifw_error e;
	size_t idx = 99;
	emi_fixture_init(&f);
	unifw_error_clear(&e);
	assert_int_equal(unifw_da_emi_match(&f.emi, phone_dram_info, &idx, &e), 0);
	assert_int_equal(idx, 1);
	/* each 4-byte word reversed (how one public host prints it; docs/protocol.md) also matches */
	uint8_t rev[16];
	for (size_t w = 0; w < 4; w++)
		for (size_t i = 0; i < 4; i++)
			rev[4 * w + i] = phone_dram_info[4 * w + 3 - i];
	assert_int_equal(unifw_da_emi_match(&f.emi, rev, &idx, &e), 0);
	assert_int_equal(idx, 1);
	/* two different entries for the same memory: refuse to guess */
	memcpy(f.e[2].id, phone_dram_info, 9);
	assert_int_equal(unifw_da_emi_match(&f.emi, phone_dram_info, &idx, &e), UNIFW_E_UNSAFE);
	assert_non_null(strstr(e.msg, "entries 1 and 2 both match"));
	/* the same bytes twice is no ambiguity */
	memcpy(f.bytes[2], f.bytes[1], 0xA8);
	assert_int_equal(unifw_da_emi_match(&f.emi, phone_dram_info, &idx, &e), 0);
	assert_int_equal(idx, 1);
	/* an entry without an id length never matches */
	f.e[1].id_len = 0;
	f.e[2].id_len = 17;
	assert_int_equal(unifw_da_emi_match(&f.emi, phone_dram_info, &idx, &e), UNIFW_E_UNSAFE);
}

static void stage2_refuses_other_emi_versions_before_e8(void **state)
{
	(void)state;
	struct emi_fixture f;
	emi_fixture_init(&f);
	f.emi.version = 13;
	struct unifw_da *da = new_da();
	struct script s = {0};
	struct unifw_da_stage2_config c = mt6572_cfg();
	script_dram_needed(&s, phone_dram_info);
	assert_int_equal(run_op(da, &s, unifw_da_begin_stage2(da, &c, &f.emi), 1), UNIFW_E_UNSUPPORTED);
	assert_script_complete(&s);
	scr_free(&s);
	unifw_da_free(da);
}

/* ---- DA2 upload ---- */

static void upload_da2_accepts_the_final_ack_in_either_order(void **state)
{
	(void)state;
	size_t len = 0x2100;
	uint8_t *da2 = pattern(len, 1);
	for (int unprompted = 0; unprompted < 2; unprompted++) {
		struct unifw_da *da = new_da();
		struct script s = {0};
		scr_h32(&s, 0x80000000);
		scr_h32(&s, (uint32_t)len);
		scr_h32(&s, 0x1000);
		D(&s, 0x5A);
		for (size_t off = 0; off < len; off += 0x1000) {
			scr_h(&s, da2 + off, len - off < 0x1000 ? len - off : 0x1000);
			D(&s, 0x5A);
		}
		if (unprompted) { /* one public host's order: the DA's 5A first (docs/protocol.md) */
			D(&s, 0x5A);
			H(&s, 0x5A);
		} else { /* the other order: the host's 5A first */
			H(&s, 0x5A);
			D(&s, 0x5A);
		}
		assert_int_equal(run_op(da, &s, unifw_da_begin_upload_da2(da, 0x80000000, da2, len, 0x1000), 512), 0);
		assert_script_complete(&s);
		assert_int_equal(unifw_proto_current(unifw_da_proto(da))->done, len);
		scr_free(&s);
		unifw_da_free(da);
	}
	/* a NACK on the second packet names its offset */
	struct unifw_da *da = new_da();
	struct script s = {0};
	scr_h32(&s, 0x80000000);
	scr_h32(&s, (uint32_t)len);
	scr_h32(&s, 0x1000);
	D(&s, 0x5A);
	scr_h(&s, da2, 0x1000);
	D(&s, 0x5A);
	scr_h(&s, da2 + 0x1000, 0x1000);
	D(&s, 0xA5);
	assert_int_equal(run_op(da, &s, unifw_da_begin_upload_da2(da, 0x80000000, da2, len, 0x1000), 64), UNIFW_E_DEVICE);
	assert_non_null(strstr(errmsg(da), "packet at offset 0x1000: expected 5a (ACK), found a5"));
	scr_free(&s);
	unifw_da_free(da);
	free(da2);
}

/* ---- report 2 ---- */

static void script_report2(struct script *s, uint16_t nand_ids, bool nand32, uint8_t soc)
{
	/* NOR 0x1C: ret BC4, cs 00 00, id 0, size 0, dev codes 0, otp 0 0 */
	scr_d32(s, 0xBC4);
	D(s, 0, 0);
	scr_d16(s, 0);
	scr_d32(s, 0);
	D(s, 0, 0, 0, 0, 0, 0, 0, 0);
	scr_d32(s, 0);
	scr_d32(s, 0);
	/* NAND 0x11 (+ ids) */
	scr_d32(s, 0xBC4);
	D(s, 0x00);
	scr_d16(s, 0);
	if (nand32) {
		scr_d32(s, 0x08000000);
		scr_d16(s, nand_ids);
		/* ids 0 and 1 sit inside the 0x11 bytes; id 1 is where the u64 layout keeps its count,
		 * so this layout is recognised only when id 1 is 0 (docs/protocol.md "Legacy DA boot") */
		scr_d16(s, 0xEC);
		scr_d16(s, 0);
		for (uint16_t i = 2; i < nand_ids; i++)
			scr_d16(s, (uint16_t)(0x10 + i));
	} else {
		scr_d64(s, 0);
		scr_d16(s, nand_ids);
		for (uint16_t i = 0; i < nand_ids; i++)
			scr_d16(s, 0);
	}
	/* NAND2 9 */
	D(s, 0x08, 0x00, 0x00, 0x40, 0x00, 0x40, 0x00, 0x05, 0x01);
	/* eMMC 0x5C */
	scr_d32(s, 0);
	scr_d64(s, 0x200000);   /* boot1 2 MiB */
	scr_d64(s, 0x200000);   /* boot2 */
	scr_d64(s, 0x20000);    /* rpmb */
	scr_d64(s, 0);
	scr_d64(s, 0);
	scr_d64(s, 0);
	scr_d64(s, 0);
	scr_d64(s, 0x1D5A00000); /* user area 7.3 GiB */
	D(s, 0x15, 0x01, 0x00, 0x4E, 0x35, 0x55, 0x30, 0x30, 0x4D, 0x42, 0x01, 0x12, 0x34, 0x56, 0x78, 0xAB);
	D(s, 1, 2, 3, 4, 5, 6, 7, 8);
	/* SDC 0x1C */
	scr_d32(s, 0xBC4);
	scr_d64(s, 0);
	D(s, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
	/* CONFIG 0x26 */
	scr_d32(s, 0);
	scr_d32(s, 0x10000);
	scr_d32(s, 0);
	D(s, 0x02, 0x00);
	scr_d64(s, 0x20000000);
	D(s, 0xA1, 0xA2, 0xA3, 0xA4, 0xA5, 0xA6, 0xA7, 0xA8, 0xA9, 0xAA, 0xAB, 0xAC, 0xAD, 0xAE, 0xAF, 0xB0);
	/* tail: ACK, download status, boot style, SOC_OK */
	D(s, 0x5A);
	scr_d32(s, 0);
	scr_d32(s, 0x1);
	scr_d8(s, soc);
}

static void report2_parses_an_emmc_phone(void **state)
{
	(void)state;
	struct unifw_da *da = new_da();
	struct script s = {0};
	script_report2(&s, 7, false, 0xC1);
	assert_int_equal(run_op(da, &s, unifw_da_begin_report2(da), 3), 0);
	assert_script_complete(&s);
	const struct unifw_da_report2 *r = &unifw_da_info(da)->report2;
	assert_true(r->valid);
	assert_int_equal(r->nand_id_count, 7);
	assert_false(r->nand_size_32bit);
	assert_int_equal(r->nand_page_size, 0x0800);
	assert_int_equal(r->nand_bmt_exist, 1);
	assert_int_equal(r->emmc_boot1_size, 0x200000);
	assert_int_equal(r->emmc_rpmb_size, 0x20000);
	assert_int_equal(r->emmc_ua_size, 0x1D5A00000ULL);
	assert_int_equal(r->emmc_cid[0], 0x15);
	assert_int_equal(r->emmc_cid[15], 0xAB);
	assert_int_equal(r->emmc_fwver[7], 8);
	assert_int_equal(r->int_sram_size, 0x10000);
	assert_int_equal(r->ext_ram_type, 2);
	assert_int_equal(r->ext_ram_size, 0x20000000);
	assert_int_equal(r->random_id[15], 0xB0);
	assert_int_equal(r->boot_style, 1);
	scr_free(&s);
	unifw_da_free(da);
}

static void report2_older_nand_layout_and_failures(void **state)
{
	(void)state;
	struct unifw_da *da = new_da();
	struct script s = {0};
	script_report2(&s, 4, true, 0xC1);
	assert_int_equal(run_op(da, &s, unifw_da_begin_report2(da), 1), 0);
	assert_script_complete(&s);
	const struct unifw_da_report2 *r = &unifw_da_info(da)->report2;
	assert_true(r->nand_size_32bit);
	assert_int_equal(r->nand_flash_size, 0x08000000);
	assert_int_equal(r->nand_id_count, 4);
	assert_int_equal(r->nand_id[0], 0xEC);
	assert_int_equal(r->nand_id[1], 0);
	assert_int_equal(r->nand_id[3], 0x13);
	scr_free(&s);

	struct script fail = {0};
	script_report2(&fail, 7, false, 0xCF);
	assert_int_equal(run_op(da, &fail, unifw_da_begin_report2(da), 64), UNIFW_E_DEVICE);
	assert_non_null(strstr(errmsg(da), "report 2 SOC_OK: expected c1 (SOC_OK), found cf (SOC_FAIL)"));
	assert_false(unifw_da_info(da)->report2.valid);
	scr_free(&fail);

	/* hostile id count in the NAND block */
	struct script huge = {0};
	uint64_t base = unifw_proto_rx_total(unifw_da_proto(da));
	script_report2(&huge, 0xFFFF, false, 0xC1);
	assert_int_equal(run_op(da, &huge, unifw_da_begin_report2(da), 64), UNIFW_E_TOO_BIG);
	assert_int_equal(unifw_proto_error(unifw_da_proto(da))->offset, base + 0x1C); /* the NAND block */
	scr_free(&huge);
	unifw_da_free(da);
}

/* The adapter from a real preloader's EMI table: every corpus EMI block and preloader. Each entry
 * points at its 0xA8 bytes inside the block, carries its ID, and the phone whose DRAM info is that
 * ID gets that entry (or a refusal when the table lists the same ID twice with other settings). */
static void check_adapter_on(const char *rel, size_t *files, size_t *entries_seen)
{
	size_t len = 0;
	uint8_t *buf = corpus_read(rel, &len);
	uint64_t off = unifw_emi_find_tag(buf, len, 0);
	if (off == UINT64_MAX) {
		free(buf);
		return;
	}
	static struct unifw_emi_table t;
	struct unifw_error e;
	unifw_error_clear(&e);
	assert_int_equal(unifw_emi_parse(buf, len, off, rel, &t, &e), 0);
	struct unifw_da_emi_entry ent[UNIFW_EMI_MAX_ENTRIES];
	struct unifw_da_emi emi;
	assert_int_equal(unifw_da_emi_from_table(&t, buf, len, ent, UNIFW_EMI_MAX_ENTRIES, &emi, &e), 0);
	assert_int_equal(emi.version, 11);
	assert_int_equal(emi.count, t.count);
	assert_true(emi.count >= 1);
	for (size_t i = 0; i < emi.count; i++) {
		assert_ptr_equal(ent[i].data, buf + t.entries_offset + i * 0xA8);
		assert_int_equal(ent[i].len, 0xA8);
		assert_memory_equal(ent[i].id, t.entry[i].id, 16);
		/* the entry bytes carry the ID at +4 and the id_length (LE) at +0x14 */
		assert_memory_equal(ent[i].data + 4, t.entry[i].id, 16);
		assert_int_equal(ent[i].data[0x14] | ent[i].data[0x15] << 8, t.entry[i].id_length & 0xFFFF);
		uint8_t info[16] = {0};
		memcpy(info, t.entry[i].id, 16);
		size_t idx = SIZE_MAX;
		int rc = unifw_da_emi_match(&emi, info, &idx, &e);
		if (rc == 0)
			assert_memory_equal(ent[idx].id, info, ent[idx].id_len); /* a true match, maybe an identical twin */
		else
			assert_int_equal(rc, UNIFW_E_UNSAFE); /* two different entries for one part: refused */
		(*entries_seen)++;
	}
	/* room for fewer entries than the table has: refused, not truncated */
	if (t.count > 1)
		assert_int_equal(unifw_da_emi_from_table(&t, buf, len, ent, t.count - 1, &emi, &e), UNIFW_E_TOO_BIG);
	/* a buffer that ends before the last entry */
	assert_int_equal(unifw_da_emi_from_table(&t, buf, (size_t)(t.entries_offset + t.count * 0xA8 - 1), ent,
						 UNIFW_EMI_MAX_ENTRIES, &emi, &e), UNIFW_E_TRUNCATED);
	(*files)++;
	free(buf);
}

static void emi_adapter_on_every_corpus_table(void **state)
{
	(void)state;
	size_t files = 0, entries = 0;
	static const char *const dirs[] = {"preloader/emi_info", "preloader"};
	for (size_t d = 0; d < 2; d++) {
		size_t n = 0;
		char **list = corpus_list(dirs[d], &n);
		for (size_t i = 0; i < n; i++)
			check_adapter_on(list[i], &files, &entries); /* "subdir/name" */
		test_free_list(list, n);
	}
	assert_true(files >= 8); /* 5 emi_info blocks + the full preloaders that carry one */
	assert_true(entries >= 20);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sync_reads_report1_of_an_emmc_phone),
		cmocka_unit_test(sync_with_nand_ids_and_bad_sync_byte),
		cmocka_unit_test(stage2_preloader_mode_dram_ready),
		cmocka_unit_test(stage2_brom_mode_sends_exactly_the_matching_entry),
		cmocka_unit_test(stage2_refuses_before_e8_when_no_entry_matches),
		cmocka_unit_test(stage2_emi_nack_and_bad_lengths),
		cmocka_unit_test(emi_match_rules),
		cmocka_unit_test(stage2_refuses_other_emi_versions_before_e8),
		cmocka_unit_test(upload_da2_accepts_the_final_ack_in_either_order),
		cmocka_unit_test(report2_parses_an_emmc_phone),
		cmocka_unit_test(report2_older_nand_layout_and_failures),
		cmocka_unit_test(emi_adapter_on_every_corpus_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
