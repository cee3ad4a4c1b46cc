/* The phone layer (src/ops/phone.c) against the real unifw-sim over a Unix socket: preloader-mode
 * bring-up with identity facts, USB speed switch, reads/writes in the user area and boot1 checked
 * against the sim's image file, bounds refused before anything is sent, FORMAT, a blank eMMC's
 * missing PMT (link stays usable), FINISH; BROM mode with the EMI of the phone's own preloader (the
 * corpus Lenovo A516 one), without a preloader and with one that does not list the memory part
 * (clear refusal before E8, partial facts still reported); identification only; hostile devices
 * (oversized PMT length, corrupted read packets, a cut link) give clean errors. */
#include "jobs_sim.h"

#include "unifw/identify.h"
#include "unifw/phone.h"

static const char *const preloader_mode[] = {"--mode", "preloader", "--preloader-window", "0", NULL};

static struct unifw_phone *open_ok(const struct jsim *s, const char *emi, struct unifw_phone_open_opts *o_in)
{
	struct unifw_phone_open_opts o = {0};
	struct unifw_phone *ph = NULL;
	struct unifw_error e;
	char buf[1200];
	if (o_in)
		o = *o_in;
	o.port = s->port;
	o.da_path = s->da;
	o.emi_preloader_path = emi;
	o.high_speed = true;
	unifw_error_clear(&e);
	if (unifw_phone_open(&o, &ph, &e) != 0)
		fail_msg("open: %s", unifw_error_format(&e, buf, sizeof buf));
	return ph;
}

struct mem {
	uint8_t *buf;
	size_t len;
	uint64_t base;
	size_t calls;
};

static int sink(void *ctx, const uint8_t *data, size_t len, uint64_t off, struct unifw_error *err)
{
	struct mem *m = ctx;
	if (off < m->base || off - m->base + len > m->len)
		return unifw_error_set(err, UNIFW_E_INVALID, "test", off, "beyond the buffer");
	memcpy(m->buf + (off - m->base), data, len);
	m->calls++;
	return 0;
}

static int source(void *ctx, uint8_t *buf, size_t len, uint64_t off, struct unifw_error *err)
{
	struct mem *m = ctx;
	if (off < m->base || off - m->base + len > m->len)
		return unifw_error_set(err, UNIFW_E_INVALID, "test", off, "beyond the buffer");
	memcpy(buf, m->buf + (off - m->base), len);
	m->calls++;
	return 0;
}

static void fill_pattern(uint8_t *b, size_t n, unsigned seed)
{
	uint32_t x = seed * 2654435761u + 1;
	for (size_t i = 0; i < n; i++) {
		x = x * 1103515245u + 12345u;
		b[i] = (uint8_t)(x >> 16);
	}
}

static void preloader_mode_identity_io_and_finish(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	struct jsim s;
	struct unifw_error e;
	jsim_paths(&s, dir);
	jsim_start(&s, preloader_mode);
	struct unifw_phone *ph = open_ok(&s, NULL, NULL);
	const struct unifw_phone_info *i = unifw_phone_info(ph);
	assert_string_equal(i->mode, "preloader");
	assert_int_equal(i->hw_code, 0x6572);
	assert_int_equal(i->hw_ver, 0xCA00);
	assert_int_equal(i->hw_subcode, 0x8A00);
	assert_string_equal(i->chip_name, "MT6572");
	assert_false(i->have_me_id); /* the preloader has no GET_ME_ID */
	assert_int_equal(i->da_major, 4);
	assert_int_equal(i->da_minor, 0x10);
	assert_string_equal(i->storage, "emmc");
	assert_int_equal(i->user_size, 64u << 20);
	assert_int_equal(i->boot1_size, 4u << 20);
	assert_int_equal(unifw_phone_boot_region(ph), 0xC00000);
	assert_int_equal(i->dram_size, 512u << 20);
	assert_true(i->usb_high_speed); /* switched, reconnected */
	struct unifw_cid c;
	unifw_cid_decode(i->cid, &c);
	assert_int_equal(c.mid, 0x15);
	assert_string_equal(c.manufacturer, "Samsung");
	assert_string_equal(c.product, "N5U00M");
	assert_true(c.crc_ok);

	/* JSON facts */
	struct unifw_jv *j = unifw_phone_info_to_json(ph);
	assert_string_equal(unifw_jv_str(unifw_jv_path(j, "chip.hw_code")), "0x6572");
	assert_string_equal(unifw_jv_str(unifw_jv_path(j, "emmc.cid.product")), "N5U00M");
	assert_int_equal(unifw_jv_u64(unifw_jv_path(j, "emmc.user_size")), 64u << 20);
	assert_string_equal(unifw_jv_str(unifw_jv_path(j, "dram.configured_by")), "preloader");
	unifw_jv_free(j);

	/* write 3 MiB + 1000 bytes across packets at 1 MiB, read back through the sink */
	size_t n = (3u << 20) + 1000;
	struct mem w = {malloc(n), n, 0x100000, 0}, r = {calloc(1, n), n, 0x100000, 0};
	fill_pattern(w.buf, n, 7);
	assert_int_equal(unifw_phone_write(ph, UNIFW_PHONE_USER, 0x100000, n, source, &w, &e), 0);
	assert_true(w.calls >= 4);
	assert_int_equal(unifw_phone_read(ph, UNIFW_PHONE_USER, 0x100000, n, sink, &r, &e), 0);
	assert_memory_equal(r.buf, w.buf, n);
	assert_true(r.calls >= 4);

	/* boot1: a write there lands at the start of the image */
	uint8_t bw[4096];
	struct mem b1 = {bw, sizeof bw, 0x800, 0};
	fill_pattern(bw, sizeof bw, 9);
	assert_int_equal(unifw_phone_write(ph, UNIFW_PHONE_BOOT1, 0x800, sizeof bw, source, &b1, &e), 0);

	/* out of range and misaligned: refused before anything is sent, the link stays usable */
	assert_int_equal(unifw_phone_read(ph, UNIFW_PHONE_USER, (64u << 20) - 512, 1024, sink, &r, &e), UNIFW_E_INVALID);
	assert_non_null(strstr(e.msg, "outside the user area"));
	assert_int_equal(unifw_phone_write(ph, UNIFW_PHONE_USER, 100, 512, source, &w, &e), UNIFW_E_INVALID);
	assert_int_equal(unifw_phone_format(ph, 0x1000, 100, &e), UNIFW_E_INVALID);

	/* a blank eMMC has no PMT: NOT_FOUND, and the link is still in step */
	uint8_t *pmt;
	size_t pmt_len;
	assert_int_equal(unifw_phone_read_pmt(ph, &pmt, &pmt_len, &e), UNIFW_E_NOT_FOUND);
	assert_null(pmt);

	/* FORMAT the first MiB of the written range: reads back as zeros */
	assert_int_equal(unifw_phone_format(ph, 0x100000, 0x100000, &e), 0);
	memset(r.buf, 0xEE, n);
	assert_int_equal(unifw_phone_read(ph, UNIFW_PHONE_USER, 0x100000, n, sink, &r, &e), 0);
	for (size_t k = 0; k < 0x100000; k++)
		if (r.buf[k])
			fail_msg("byte 0x%zx not erased", k);
	assert_memory_equal(r.buf + 0x100000, w.buf + 0x100000, n - 0x100000);
	assert_int_equal(unifw_phone_reboot(ph, &e), 0);
	assert_int_equal(unifw_phone_read(ph, UNIFW_PHONE_USER, 0, 512, sink, &r, &e), UNIFW_E_INVALID);
	unifw_phone_close(ph);
	jsim_stop(&s);

	/* the image file holds what was written, where docs/sim.md says */
	uint8_t *img = jsim_image_read(&s, 0xC00000 + 0x200000, n - 0x100000);
	assert_memory_equal(img, w.buf + 0x100000, n - 0x100000);
	free(img);
	img = jsim_image_read(&s, 0x800, sizeof bw);
	assert_memory_equal(img, bw, sizeof bw);
	free(img);
	free(w.buf);
	free(r.buf);
	test_rmtree(dir);
	free(dir);
}

static void brom_mode_with_the_phones_own_preloader(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	struct jsim s;
	static const char *const brom[] = {"--mode", "brom", NULL};
	jsim_paths(&s, dir);
	jsim_start(&s, brom);
	struct unifw_phone *ph =
		open_ok(&s, corpus_path("preloader/mt6572_lenovo_a516_S118_preloader_a516_row.bin"), NULL);
	const struct unifw_phone_info *i = unifw_phone_info(ph);
	assert_string_equal(i->mode, "brom");
	assert_true(i->have_me_id);
	assert_true(i->have_brom_ver);
	assert_int_equal(i->bl_ver, 0xFE);
	assert_true(i->emi_sent);
	assert_true(i->have_dram_info);
	assert_memory_equal(i->dram_info, i->cid, 9); /* the sim's DRAM id = first 9 CID bytes */
	assert_int_equal(i->dram_size, 512u << 20);
	struct unifw_jv *j = unifw_phone_info_to_json(ph);
	assert_string_equal(unifw_jv_str(unifw_jv_path(j, "dram.configured_by")), "emi_from_preloader_file");
	assert_non_null(unifw_jv_get(j, "me_id"));
	unifw_jv_free(j);
	struct unifw_error e;
	uint8_t b[512];
	struct mem r = {b, sizeof b, 0, 0};
	assert_int_equal(unifw_phone_read(ph, UNIFW_PHONE_USER, 0, sizeof b, sink, &r, &e), 0);
	unifw_phone_close(ph);
	jsim_stop(&s);
	test_rmtree(dir);
	free(dir);
}

static int open_fails(const struct jsim *s, const char *emi, struct unifw_phone_info *partial, struct unifw_error *e)
{
	struct unifw_phone_open_opts o = {.port = s->port, .da_path = s->da, .emi_preloader_path = emi,
					  .partial = partial};
	struct unifw_phone *ph = NULL;
	unifw_error_clear(e);
	int rc = unifw_phone_open(&o, &ph, e);
	assert_null(ph);
	return rc;
}

static void brom_mode_without_a_fitting_preloader_is_refused_before_e8(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	struct jsim s;
	struct unifw_error e;
	struct unifw_phone_info part;
	static const char *const brom[] = {"--mode", "brom", NULL};
	jsim_paths(&s, dir);
	jsim_start(&s, brom);
	/* no preloader at all: DA1 still tells the memory id and the CID */
	assert_int_equal(open_fails(&s, NULL, &part, &e), UNIFW_E_UNSAFE);
	assert_non_null(strstr(e.msg, "must come from this phone's own preloader (from its backup) or a preloader "
				      "that lists its memory part"));
	assert_non_null(strstr(e.msg, "before the ENABLE_DRAM (E8) step"));
	assert_non_null(strstr(e.msg, "15 01 00 4e 35 55 30 30 4d")); /* the memory id */
	assert_string_equal(part.mode, "brom");
	assert_true(part.have_me_id);
	assert_true(part.have_cid);
	assert_true(part.have_dram_info);
	assert_int_equal(part.cid[0], 0x15);
	assert_false(part.emi_sent);
	jsim_stop(&s);

	/* a phone with a Hynix part: the A516 preloader does not list it */
	static const char *const hynix[] = {"--mode", "brom", "--dram-id", "90014A48384731650200000000000000", NULL};
	jsim_start(&s, hynix);
	const char *a516 = corpus_path("preloader/mt6572_lenovo_a516_S118_preloader_a516_row.bin");
	char a516_copy[700];
	snprintf(a516_copy, sizeof a516_copy, "%s", a516);
	assert_int_equal(open_fails(&s, a516_copy, &part, &e), UNIFW_E_UNSAFE);
	assert_non_null(strstr(e.msg, "does not list this phone's memory id 90 01 4a 48 38 47 31 65 02"));
	assert_non_null(strstr(e.msg, "must come from this phone's own preloader"));
	assert_true(part.have_dram_info);
	jsim_stop(&s);

	/* a "preloader" that is not one: refused before the phone is touched */
	char bogus[700];
	snprintf(bogus, sizeof bogus, "%s/bogus.bin", dir);
	test_write_file(bogus, "not a preloader at all", 22);
	assert_int_equal(open_fails(&s, bogus, NULL, &e), UNIFW_E_NOT_FOUND);
	assert_non_null(strstr(e.msg, "no MTK_BLOADER_INFO"));
	test_rmtree(dir);
	free(dir);
}

static void identification_only_and_missing_da(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	struct jsim s;
	struct unifw_error e;
	jsim_paths(&s, dir);
	jsim_start(&s, preloader_mode);
	struct unifw_phone_open_opts o = {.brom_only = true};
	struct unifw_phone *ph = open_ok(&s, NULL, &o);
	assert_string_equal(unifw_phone_info(ph)->mode, "preloader");
	assert_false(unifw_phone_info(ph)->have_da);
	uint8_t b[512];
	struct mem r = {b, sizeof b, 0, 0};
	assert_int_equal(unifw_phone_read(ph, UNIFW_PHONE_USER, 0, 512, sink, &r, &e), UNIFW_E_INVALID);
	struct unifw_jv *j = unifw_phone_info_to_json(ph);
	assert_null(unifw_jv_get(j, "emmc"));
	unifw_jv_free(j);
	unifw_phone_close(ph);
	jsim_stop(&s);

	/* no DA anywhere: a clear error before any port is opened */
	struct unifw_phone_open_opts none = {.port = "unix:/nonexistent/socket"};
	unsetenv("UNIFW_DA");
	assert_int_equal(unifw_phone_open(&none, &ph, &e), UNIFW_E_INVALID);
	assert_non_null(strstr(e.msg, "--da"));
	/* a DA file that is not a container */
	char bogus[700];
	snprintf(bogus, sizeof bogus, "%s/da.bin", dir);
	test_write_file(bogus, "MTK_DOWNLOAD_AGENT but short", 28);
	none.da_path = bogus;
	assert_true(unifw_phone_open(&none, &ph, &e) < 0);
	assert_non_null(strstr(e.msg, "MTK_AllInOne_DA"));
	test_rmtree(dir);
	free(dir);
}

/* The sim lies or breaks: each is a clean error naming the step, never a crash or a hang. */
static void hostile_devices_give_clean_errors(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	struct jsim s;
	struct unifw_error e;
	jsim_paths(&s, dir);

	static const char *const pmt_oversize[] = {"--mode", "preloader", "--preloader-window", "0", "--fault",
						   "oversize:op=pmt", NULL};
	jsim_start(&s, pmt_oversize);
	struct unifw_phone *ph = open_ok(&s, NULL, NULL);
	uint8_t *pmt = NULL;
	size_t pmt_len = 0;
	/* blank eMMC: the DA NACKs before any length, so the fault has no length to lie in yet */
	int rc = unifw_phone_read_pmt(ph, &pmt, &pmt_len, &e);
	assert_true(rc == UNIFW_E_NOT_FOUND);
	unifw_phone_close(ph);
	jsim_stop(&s);

	/* a PMT header ("PTv1", "1.0") at user size - 1 MiB makes the DA announce a length: the lie */
	uint8_t region[0x1000] = {0};
	memcpy(region, "\x31\x76\x54\x50", 4);
	memcpy(region + 4, "1.0", 4);
	memcpy(region + 0xFFC, "\x31\x76\x54\x50", 4);
	jsim_image_write(&s, 0xC00000 + (64u << 20) - 0x100000, region, sizeof region);
	jsim_start(&s, pmt_oversize);
	ph = open_ok(&s, NULL, NULL);
	rc = unifw_phone_read_pmt(ph, &pmt, &pmt_len, &e);
	assert_int_equal(rc, UNIFW_E_TOO_BIG);
	assert_non_null(strstr(e.msg, "SDMMC_READ_PMT"));
	assert_non_null(strstr(e.msg, "at most"));
	assert_null(pmt);
	/* the link is now out of step: later commands are refused, not sent */
	uint8_t b[512];
	struct mem r = {b, sizeof b, 0, 0};
	assert_int_equal(unifw_phone_read(ph, UNIFW_PHONE_USER, 0, 512, sink, &r, &e), UNIFW_E_DEVICE);
	assert_non_null(strstr(e.msg, "reconnect"));
	unifw_phone_close(ph);
	jsim_stop(&s);

	/* a corrupted byte in a READ packet: the checksum catches it before the data reaches the sink */
	static const char *const flip[] = {"--mode", "preloader", "--preloader-window", "0", "--fault",
					   "flip:op=read,after=5000", NULL};
	jsim_start(&s, flip);
	ph = open_ok(&s, NULL, NULL);
	size_t n = 3u << 20;
	struct mem big = {malloc(n), n, 0, 0};
	rc = unifw_phone_read(ph, UNIFW_PHONE_USER, 0, n, sink, &big, &e);
	assert_true(rc < 0);
	assert_non_null(strstr(e.msg, "READ user area"));
	assert_int_equal(big.calls, 0); /* the first packet was the bad one: nothing delivered */
	unifw_phone_close(ph);
	jsim_stop(&s);

	/* the link dies in the middle of a read */
	static const char *const cut[] = {"--mode", "preloader", "--preloader-window", "0", "--fault",
					  "cut:op=read,after=1500000", NULL};
	jsim_start(&s, cut);
	ph = open_ok(&s, NULL, NULL);
	big.calls = 0;
	rc = unifw_phone_read(ph, UNIFW_PHONE_USER, 0, n, sink, &big, &e);
	assert_true(rc == UNIFW_E_IO || rc == UNIFW_E_TIMEOUT);
	assert_int_equal(big.calls, 1); /* the first 1 MiB packet arrived whole */
	unifw_phone_close(ph);
	jsim_stop(&s);
	free(big.buf);

	/* a lying ME ID length in BROM mode */
	static const char *const meid[] = {"--mode", "brom", "--fault", "oversize:op=me_id", NULL};
	jsim_start(&s, meid);
	struct unifw_phone_info part;
	assert_true(open_fails(&s, NULL, &part, &e) < 0);
	assert_non_null(strstr(e.msg, "GET_ME_ID"));
	jsim_stop(&s);

	/* issue 8.9a: report 2 gives another CID than report 1: an error naming both, the phone not opened */
	static const char *const cid2[] = {"--mode", "preloader", "--preloader-window", "0", "--report2-cid",
					   "90014a48384731650210112233445501", NULL};
	jsim_start(&s, cid2);
	assert_int_equal(open_fails(&s, NULL, &part, &e), UNIFW_E_DEVICE);
	assert_non_null(strstr(e.msg, "two different eMMC CIDs"));
	assert_non_null(strstr(e.msg, "report 1 says 15 01 00 4e 35 55 30 30"));
	assert_non_null(strstr(e.msg, "report 2 says 90 01 4a 48 38 47 31 65 02 10 11 22 33 44 55 01"));
	jsim_stop(&s);
	test_rmtree(dir);
	free(dir);
}

static void cid_decoding(void **state)
{
	(void)state;
	/* Samsung KMN5U000ZM-like CID from docs/sim.md, with the CRC computed */
	uint8_t cid[16] = {0x15, 0x01, 0x00, 0x4E, 0x35, 0x55, 0x30, 0x30, 0x4D, 0x10, 0x5A, 0x17, 0x6A, 0x2C, 0xB3, 0};
	cid[15] = (uint8_t)(unifw_cid_crc7(cid, 15) << 1 | 1);
	struct unifw_cid c;
	unifw_cid_decode(cid, &c);
	assert_int_equal(c.mid, 0x15);
	assert_string_equal(c.manufacturer, "Samsung");
	assert_int_equal(c.cbx, 1);
	assert_string_equal(c.product, "N5U00M");
	assert_int_equal(c.prv_major, 1);
	assert_int_equal(c.prv_minor, 0);
	assert_int_equal(c.serial, 0x5A176A2C);
	assert_int_equal(c.month, 11);
	assert_int_equal(c.year, 2016); /* 1997 + 3, restarted at 2013 for eMMC 4.41+ */
	assert_true(c.crc_ok);
	cid[15] ^= 0x02;
	unifw_cid_decode(cid, &c);
	assert_false(c.crc_ok);
	/* Hynix (MID 0x90), product "HAG2e " with a trailing blank, MDT 0x11 = January of 1998 + 16 */
	uint8_t hy[16] = {0x90, 0x01, 0x4A, 0x48, 0x41, 0x47, 0x32, 0x65, 0x20, 0x07, 0x12, 0x34, 0x56, 0x78, 0x11, 0};
	hy[15] = (uint8_t)(unifw_cid_crc7(hy, 15) << 1 | 1);
	unifw_cid_decode(hy, &c);
	assert_string_equal(c.manufacturer, "Hynix");
	assert_string_equal(c.product, "HAG2e"); /* trailing blank cut */
	assert_int_equal(c.year, 2014);
	assert_int_equal(c.month, 1);
	/* CRC7 known answers of the SD specification: CMD0 (arg 0) 0x4A, CMD17 (arg 0) 0x2A */
	const uint8_t cmd0[5] = {0x40, 0, 0, 0, 0};
	assert_int_equal(unifw_cid_crc7(cmd0, 5), 0x4A);
	const uint8_t cmd17[5] = {0x51, 0, 0, 0, 0};
	assert_int_equal(unifw_cid_crc7(cmd17, 5), 0x2A);
	struct unifw_jv *o = unifw_jv_object();
	unifw_cid_to_json(cid, o);
	assert_string_equal(unifw_jv_str(unifw_jv_get(o, "manufactured")), "2016-11");
	assert_string_equal(unifw_jv_str(unifw_jv_get(o, "serial")), "0x5a176a2c");
	unifw_jv_free(o);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(cid_decoding),
		cmocka_unit_test(preloader_mode_identity_io_and_finish),
		cmocka_unit_test(brom_mode_with_the_phones_own_preloader),
		cmocka_unit_test(brom_mode_without_a_fitting_preloader_is_refused_before_e8),
		cmocka_unit_test(identification_only_and_missing_da),
		cmocka_unit_test(hostile_devices_give_clean_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
