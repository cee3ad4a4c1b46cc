/* The whole protocol (src/ops/phone.c) over the libusb transport (src/transport/usb.c) and a fake
 * libusb (fake_libusb.c) whose device is the in-process virtual phone (sim_dev) behind its bulk
 * endpoints: preloader mode with the USB speed switch (the phone re-enumerates at a new address as
 * 0E8D:2001 with 512-byte packets), reads and writes checked against the in-memory eMMC, and a phone
 * that never comes back. Real hardware is still untested. */
#include "usb_rig.h"

/* ---------- 5. the protocol over usb.c, against the virtual phone ---------- */

#define USER_SIZE (4u << 20)
#define BOOT_SIZE (128u << 10)

struct phone_rig {
	struct sim_emmc_geometry g;
	struct sim_memstore *ms;
	struct sim_dev *sim;
	struct fake_usb_dev *usb;
	char da_path[600];
};

/* The sim's synthetic DA in a real MTK_AllInOne_DA container, built with the project's writers. */
static void write_da(const char *path)
{
	size_t l1, l2, len = 0;
	uint8_t *da1 = sim_dablob_build(1, SIM_MT6572_HW_CODE, SIM_MT6572_HW_VER, &l1);
	uint8_t *da2 = sim_dablob_build(2, SIM_MT6572_HW_CODE, SIM_MT6572_HW_VER, &l2);
	uint8_t *out = NULL;
	static const uint8_t region0[0x100] = "region 0 is unused";
	struct unifw_error e;
	assert_non_null(da1);
	assert_non_null(da2);
	struct unifw_da_blob r[3] = {{region0, sizeof region0, 0, 0},
				     {da1, l1, SIM_DA1_ADDR, SIM_DA_SIG_LEN},
				     {da2, l2, SIM_DA2_ADDR, SIM_DA_SIG_LEN}};
	struct unifw_da_build_entry ent = {.hw_code = SIM_MT6572_HW_CODE, .hw_sub_code = 0x8A00,
					   .hw_ver = SIM_MT6572_HW_VER, .region_index = 1, .regions = r,
					   .region_count = 3};
	struct unifw_da_build b = {.version = "test_usb synthetic DA", .entries = &ent, .count = 1};
	assert_int_equal(unifw_dafile_build(&b, &out, &len, &e), 0);
	assert_int_equal(unifw_file_write_atomic(path, out, len, &e), 0);
	free(out);
	free(da1);
	free(da2);
}

static void rig_up(struct phone_rig *r, unsigned return_ms)
{
	static const uint8_t cid[16] = {0x15, 0x01, 0x00, 'N', '5', 'U', '0', '0', 'M', 0x10,
					0x5A, 0x17, 0x6A, 0x2C, 0xB3, 0x01};
	memset(r, 0, sizeof *r);
	r->g.size[SIM_PART_BOOT1] = BOOT_SIZE;
	r->g.size[SIM_PART_BOOT2] = BOOT_SIZE;
	r->g.size[SIM_PART_RPMB] = BOOT_SIZE;
	r->g.size[SIM_PART_USER] = USER_SIZE;
	memcpy(r->g.cid, cid, sizeof cid);
	r->ms = sim_memstore_new(&r->g);
	assert_non_null(r->ms);
	pattern(sim_memstore_part(r->ms, SIM_PART_USER), USER_SIZE, 5);
	struct sim_config cfg = {.mode = SIM_MODE_PRELOADER, .preloader_window_ms = 0,
				 .storage = sim_memstore_storage(r->ms), .seed = 11};
	sim_personality_default(&cfg.pers, &r->g); /* full-speed USB: the host will switch */
	r->sim = sim_dev_new(&cfg);
	assert_non_null(r->sim);
	/* A full-speed preloader (64-byte packets) that comes back as a high-speed DA (512). */
	struct fake_usb_config c = {.vid = 0x0E8D, .pid = 0x2000, .bus = 1, .addr = 7, .path = {1, 3}, .depth = 2,
				    .product = "MT65xx Preloader", .layout = FAKE_USB_CDC, .max_packet = 64,
				    .max_packet_after = 512, .comm_if = 0, .data_if = 1, .sim = r->sim,
				    .return_ms = return_ms};
	r->usb = fake_usb_add(&c);
	snprintf(r->da_path, sizeof r->da_path, "%s/MTK_AllInOne_DA.bin", g_dir);
	write_da(r->da_path);
}

static void rig_down(struct phone_rig *r)
{
	sim_dev_free(r->sim);
	sim_memstore_free(r->ms);
	remove(r->da_path);
}

struct mem {
	uint8_t *buf;
	uint64_t base;
	size_t len;
};

static int sink(void *ctx, const uint8_t *data, size_t len, uint64_t off, struct unifw_error *err)
{
	struct mem *m = ctx;
	if (off < m->base || off - m->base + len > m->len)
		return unifw_error_set(err, UNIFW_E_INVALID, "test", off, "beyond the buffer");
	memcpy(m->buf + (off - m->base), data, len);
	return 0;
}

static int source(void *ctx, uint8_t *buf, size_t len, uint64_t off, struct unifw_error *err)
{
	struct mem *m = ctx;
	if (off < m->base || off - m->base + len > m->len)
		return unifw_error_set(err, UNIFW_E_INVALID, "test", off, "beyond the buffer");
	memcpy(buf, m->buf + (off - m->base), len);
	return 0;
}

static void phone_over_usb(void **state)
{
	(void)state;
	struct phone_rig r;
	rig_up(&r, 30);
	struct unifw_phone_open_opts o = {.port = "usb:1:7", .da_path = r.da_path, .high_speed = true,
					  .wait_ms = 3000};
	struct unifw_phone *ph = NULL;
	struct unifw_error e;
	char buf[1200];
	unifw_error_clear(&e);
	if (unifw_phone_open(&o, &ph, &e) != 0)
		fail_msg("phone open: %s", unifw_error_format(&e, buf, sizeof buf));

	const struct unifw_phone_info *i = unifw_phone_info(ph);
	assert_string_equal(i->mode, "preloader");
	assert_int_equal(i->hw_code, 0x6572);
	assert_string_equal(i->chip_name, "MT6572");
	assert_true(i->have_da);
	assert_true(i->have_cid);
	assert_memory_equal(i->cid, r.g.cid, 16);
	assert_int_equal(i->user_size, USER_SIZE);
	assert_int_equal(i->boot1_size, BOOT_SIZE);
	assert_string_equal(i->port, "usb:1:7");

	/* The speed switch: the phone left the bus and came back on port 1-1.3 as a DA (0E8D:2001) at a
	 * new address, and usb.c found it there. */
	assert_true(i->usb_high_speed);
	const struct fake_usb_log *log = fake_usb_log(r.usb);
	assert_int_equal(log->reenumerations, 1);
	assert_int_equal(log->opens, 2);
	assert_int_equal(log->open_addr[0], 7);
	assert_int_equal(log->open_pid[0], 0x2000);
	assert_int_equal(log->open_addr[1], fake_usb_addr(r.usb));
	assert_true(fake_usb_addr(r.usb) != 7);
	assert_int_equal(log->open_pid[1], 0x2001);
	assert_int_equal(log->n_ctrl, 4); /* the line was set up on both */
	for (size_t k = 0; k < log->n_in; k++) /* 64-byte packets before the switch, 512 after */
		assert_int_equal(log->in_req[k] % 64, 0);
	size_t in_before = log->n_in, zlp_before = 0, out_before = log->n_out;
	for (size_t k = 0; k < log->n_out; k++)
		zlp_before += log->out_len[k] == 0;
	assert_true(zlp_before > 0); /* the DA upload's 4 KiB packets end on a packet boundary */

	/* Read: bytes equal to the eMMC's. */
	const uint8_t *user = sim_memstore_part(r.ms, SIM_PART_USER);
	size_t rlen = 300001;
	struct mem m = {.buf = malloc(rlen), .base = 0x10000, .len = rlen};
	assert_non_null(m.buf);
	if (unifw_phone_read(ph, UNIFW_PHONE_USER, m.base, rlen, sink, &m, &e) != 0)
		fail_msg("read: %s", unifw_error_format(&e, buf, sizeof buf));
	assert_memory_equal(m.buf, user + m.base, rlen);
	for (size_t k = in_before; k < log->n_in; k++)
		assert_int_equal(log->in_req[k] % 512, 0);

	/* Write, then read back. */
	size_t wlen = 70000;
	struct mem w = {.buf = malloc(wlen), .base = 0x200000, .len = wlen};
	assert_non_null(w.buf);
	pattern(w.buf, wlen, 6);
	assert_memory_not_equal(user + w.base, w.buf, wlen);
	if (unifw_phone_write(ph, UNIFW_PHONE_USER, w.base, wlen, source, &w, &e) != 0)
		fail_msg("write: %s", unifw_error_format(&e, buf, sizeof buf));
	assert_memory_equal(user + w.base, w.buf, wlen);
	struct mem back = {.buf = calloc(1, wlen), .base = w.base, .len = wlen};
	assert_non_null(back.buf);
	if (unifw_phone_read(ph, UNIFW_PHONE_USER, back.base, wlen, sink, &back, &e) != 0)
		fail_msg("read back: %s", unifw_error_format(&e, buf, sizeof buf));
	assert_memory_equal(back.buf, w.buf, wlen);
	assert_true(log->n_out > out_before);

	unifw_phone_close(ph);
	assert_int_equal(fake_usb_live_objects(), 0);
	free(m.buf);
	free(w.buf);
	free(back.buf);
	rig_down(&r);
}

static void phone_that_never_comes_back(void **state)
{
	(void)state;
	struct phone_rig r;
	rig_up(&r, FAKE_USB_NEVER);
	struct unifw_phone_open_opts o = {.port = "usb:1:7", .da_path = r.da_path, .high_speed = true, .wait_ms = 300};
	struct unifw_phone *ph = NULL;
	struct unifw_error e;
	unifw_error_clear(&e);
	uint64_t t0 = unifw_mono_ms();
	assert_int_equal(unifw_phone_open(&o, &ph, &e), UNIFW_E_TIMEOUT);
	assert_true(unifw_mono_ms() - t0 < 5000);
	assert_null(ph);
	assert_contains(e.msg, "reconnecting after the USB speed switch");
	assert_contains(e.msg, "did not come back on USB port 1-1.3 within 300 ms");
	assert_false(fake_usb_present(r.usb));
	assert_int_equal(fake_usb_log(r.usb)->opens, 1);
	assert_int_equal(fake_usb_live_objects(), 0);
	rig_down(&r);
}

int main(void)
{
	g_dir = test_mkdtemp();
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(phone_over_usb, setup, teardown),
		cmocka_unit_test_setup_teardown(phone_that_never_comes_back, setup, teardown),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);
	test_rmtree(g_dir);
	free(g_dir);
	return rc;
}
