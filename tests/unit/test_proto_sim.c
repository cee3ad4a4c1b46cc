/* Integration: the host cores (brom.h, da_legacy.h) over a real Unix socket against the real
 * unifw-sim binary, an independent implementation of the same docs/protocol.md. Preloader mode:
 * handshake -> identify -> watchdog -> DA1 (selected from the sim's DA container by hw code) ->
 * sync -> stage 2 -> DA2 -> report 2 -> USB re-enumeration and reconnect -> write sectors, read them
 * back, read across packets, FINISH. BROM mode: the same boot with the EMI entry taken from the
 * real Lenovo A516 preloader of the corpus (the sim's default CID is that phone's eMMC), and a
 * phone whose memory part that preloader does not list, refused before ENABLE_DRAM. */
#include "testutil.h"
#include "jobs_sim.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unifw/brom.h"
#include "unifw/chip.h"
#include "unifw/da_legacy.h"
#include "unifw/dafile.h"
#include "unifw/emi.h"
#include "unifw/transport.h"

static void run(struct unifw_port *port, struct unifw_proto *p, const struct unifw_session_hooks *h)
{
	struct unifw_error e;
	char buf[1200];
	unifw_error_clear(&e);
	if (unifw_session_run(port, p, h, &e) != 0)
		fail_msg("%s", unifw_error_format(&e, buf, sizeof buf));
}

static void begin_ok(int rc, struct unifw_proto *p)
{
	char buf[1200];
	if (rc != 0)
		fail_msg("begin: %s", unifw_error_format(unifw_proto_error(p), buf, sizeof buf));
}

/* The synthetic DA container the sim writes (make-da), parsed and selected like a real one. */
struct da_file {
	uint8_t *buf;
	size_t len;
	struct unifw_dafile da;
	struct unifw_da_region r1, r2;
};

static void da_file_load(struct da_file *f, const char *dir, uint16_t hw_code, uint16_t hw_ver, uint16_t sw_ver)
{
	char path[600];
	struct unifw_error e;
	size_t idx;
	snprintf(path, sizeof path, "%s/MTK_AllInOne_DA.bin", dir); /* made by jsim_paths */
	f->buf = test_read_file(path, &f->len);
	assert_non_null(f->buf);
	assert_int_equal(unifw_dafile_parse(f->buf, f->len, f->len, path, &f->da, &e), 0);
	assert_int_equal(unifw_dafile_select(&f->da, hw_code, hw_ver, sw_ver, &idx, &e), 0);
	assert_int_equal(f->da.entry[idx].hw_code, hw_code); /* not the foreign first entry */
	assert_int_equal(unifw_dafile_stage(&f->da, idx, 1, &f->r1, &e), 0);
	assert_int_equal(unifw_dafile_stage(&f->da, idx, 2, &f->r2, &e), 0);
}

static void da_file_free(struct da_file *f)
{
	unifw_dafile_free(&f->da);
	free(f->buf);
}

/* BROM part: handshake, identification, watchdog, DA1. Returns the chip row. */
static const struct unifw_chip *boot_brom(struct unifw_port *port, struct unifw_brom *b, struct da_file *f,
					  const char *dir, enum unifw_brom_mode want_mode)
{
	struct unifw_proto *p = unifw_brom_proto(b);
	begin_ok(unifw_brom_begin_handshake(b, NULL), p);
	run(port, p, NULL);
	begin_ok(unifw_brom_begin_get_hw_code(b), p);
	run(port, p, NULL);
	begin_ok(unifw_brom_begin_get_hw_sw_ver(b), p);
	run(port, p, NULL);
	begin_ok(unifw_brom_begin_get_bl_ver(b), p);
	run(port, p, NULL);
	begin_ok(unifw_brom_begin_get_version(b), p);
	run(port, p, NULL);
	begin_ok(unifw_brom_begin_get_target_config(b), p);
	run(port, p, NULL);
	const struct unifw_brom_info *i = unifw_brom_info(b);
	assert_int_equal(i->hw_code, 0x6572);
	assert_int_equal(i->hw_ver, 0xCA00);
	assert_int_equal(i->mode, want_mode);
	assert_false(i->sla || i->daa);
	if (want_mode == UNIFW_BROM_MODE_BROM) {
		begin_ok(unifw_brom_begin_get_me_id(b), p);
		run(port, p, NULL);
		assert_int_equal(i->me_id_len, 16);
	}
	const struct unifw_chip *chip = unifw_chip_find(i->hw_code);
	assert_non_null(chip);
	assert_true(chip->supported);
	begin_ok(unifw_brom_begin_disable_watchdog(b, chip), p);
	run(port, p, NULL);
	begin_ok(unifw_brom_begin_read32(b, chip->devinfo_base, 4), p);
	run(port, p, NULL);
	assert_int_equal(i->word[2], 0x6572); /* devinfo HW_CODE */

	da_file_load(f, dir, i->hw_code, i->hw_ver, i->sw_ver);
	assert_int_equal(f->r1.load_addr, chip->da1_addr);
	begin_ok(unifw_brom_begin_send_da(b, f->r1.load_addr, f->buf + f->r1.offset, f->r1.length, f->r1.sig_len), p);
	run(port, p, NULL);
	assert_int_equal(i->da_checksum_device, i->da_checksum_host);
	begin_ok(unifw_brom_begin_jump_da(b, f->r1.load_addr), p);
	run(port, p, NULL);
	return chip;
}

static void boot_da(struct unifw_port *port, struct unifw_da *da, const struct unifw_brom_info *bi,
		    const struct unifw_chip *chip, struct da_file *f, const struct unifw_da_emi *emi)
{
	struct unifw_proto *p = unifw_da_proto(da);
	struct unifw_da_stage2_config cfg;
	begin_ok(unifw_da_begin_sync(da), p);
	run(port, p, NULL);
	assert_int_equal(unifw_da_info(da)->report1.storage, UNIFW_DA_STORAGE_EMMC);
	unifw_da_stage2_defaults(&cfg, bi->have_brom_ver ? bi->brom_ver : 0, bi->bl_ver, chip->bmt_flag,
				 chip->bmt_partsize);
	begin_ok(unifw_da_begin_stage2(da, &cfg, emi), p);
	run(port, p, NULL);
	assert_true(unifw_da_info(da)->dram.valid);
	assert_int_equal(f->r2.load_addr, chip->da2_addr);
	begin_ok(unifw_da_begin_upload_da2(da, f->r2.load_addr, f->buf + f->r2.offset, f->r2.length,
					   UNIFW_DA_DA2_PACKET), p);
	run(port, p, NULL);
	begin_ok(unifw_da_begin_report2(da), p);
	run(port, p, NULL);
	const struct unifw_da_report2 *r = &unifw_da_info(da)->report2;
	assert_true(r->valid);
	assert_int_equal(r->emmc_ua_size, 64u << 20);
	assert_int_equal(r->emmc_cid[0], 0x15); /* Samsung */
	assert_int_equal(r->ext_ram_type, 2);
}

struct buf_io {
	uint8_t *buf;
	size_t len;
};

static int on_data(void *ctx, const uint8_t *data, size_t len, uint64_t offset, struct unifw_error *err)
{
	struct buf_io *b = ctx;
	if (offset + len > b->len)
		return unifw_error_set(err, UNIFW_E_INVALID, "test", offset, "beyond the buffer");
	memcpy(b->buf + offset, data, len);
	return 0;
}

static int on_fill(void *ctx, uint8_t *buf, size_t len, uint64_t offset, struct unifw_error *err)
{
	struct buf_io *b = ctx;
	if (offset + len > b->len)
		return unifw_error_set(err, UNIFW_E_INVALID, "test", offset, "beyond the buffer");
	memcpy(buf, b->buf + offset, len);
	return 0;
}

static void da_read(struct unifw_port *port, struct unifw_da *da, uint64_t addr, uint8_t *dst, size_t len,
		    uint32_t packet)
{
	struct buf_io io = {dst, len};
	struct unifw_session_hooks h = {.on_data = on_data, .ctx = &io};
	begin_ok(unifw_da_begin_read(da, UNIFW_DA_READ_STORAGE_EMMC, addr, len, packet), unifw_da_proto(da));
	run(port, unifw_da_proto(da), &h);
}

static void da_write(struct unifw_port *port, struct unifw_da *da, uint64_t addr, uint8_t *src, size_t len)
{
	struct buf_io io = {src, len};
	struct unifw_session_hooks h = {.on_fill = on_fill, .ctx = &io};
	begin_ok(unifw_da_begin_write(da, UNIFW_DA_WRITE_STORAGE_EMMC, UNIFW_DA_PART_USER, addr, len,
				      UNIFW_DA_DEFAULT_PACKET),
		 unifw_da_proto(da));
	run(port, unifw_da_proto(da), &h);
}

/* USB_CHECK_STATUS says full speed: switch, reconnect (the sim drops the link like a re-enumerating
 * phone), and check again. */
static void speed_up(struct unifw_port *port, struct unifw_da *da)
{
	struct unifw_error e;
	char buf[1200];
	begin_ok(unifw_da_begin_usb_check_status(da), unifw_da_proto(da));
	run(port, unifw_da_proto(da), NULL);
	if (unifw_da_info(da)->usb_speed != 0)
		return;
	begin_ok(unifw_da_begin_usb_setup_port(da, 1), unifw_da_proto(da));
	run(port, unifw_da_proto(da), NULL);
	if (unifw_port_reconnect(port, 5000, &e) != 0)
		fail_msg("reconnect: %s", unifw_error_format(&e, buf, sizeof buf));
	begin_ok(unifw_da_begin_usb_check_status(da), unifw_da_proto(da));
	run(port, unifw_da_proto(da), NULL);
	assert_int_equal(unifw_da_info(da)->usb_speed, 1);
}

static void write_read_back_and_finish(struct unifw_port *port, struct unifw_da *da)
{
	uint8_t w[3 * 512], r[3 * 512], odd[1000], r2[1000];
	for (size_t i = 0; i < sizeof w; i++)
		w[i] = (uint8_t)(i * 37 + 11);
	for (size_t i = 0; i < sizeof odd; i++)
		odd[i] = (uint8_t)(0xC3 ^ i);
	begin_ok(unifw_da_begin_switch_part(da, UNIFW_DA_PART_USER), unifw_da_proto(da));
	run(port, unifw_da_proto(da), NULL);

	/* three sectors at 1 MiB, read back in one packet and across three 512-byte packets */
	da_write(port, da, 0x100000, w, sizeof w);
	memset(r, 0, sizeof r);
	da_read(port, da, 0x100000, r, sizeof r, UNIFW_DA_DEFAULT_PACKET);
	assert_memory_equal(r, w, sizeof w);
	memset(r, 0, sizeof r);
	da_read(port, da, 0x100000, r, sizeof r, 512);
	assert_memory_equal(r, w, sizeof w);

	/* a length that is not a sector multiple: padded on the wire, read back exactly */
	da_write(port, da, 0x200000, odd, sizeof odd);
	da_read(port, da, 0x200000, r2, sizeof r2, 512);
	assert_memory_equal(r2, odd, sizeof odd);
	/* the first write is untouched */
	da_read(port, da, 0x100000, r, sizeof r, 0x1000);
	assert_memory_equal(r, w, sizeof w);

	begin_ok(unifw_da_begin_finish(da, 0), unifw_da_proto(da));
	run(port, unifw_da_proto(da), NULL);
}

/* One test's setup: unifw-sim started in a fresh folder with `extra`, a port to it, the BROM part of
 * the boot done (handshake, identification, watchdog, DA1). rig_close undoes all of it. */
struct rig {
	char *dir;
	struct jsim s;
	struct unifw_port *port;
	struct unifw_brom *b;
	struct unifw_da *da;
	struct da_file f;
	const struct unifw_chip *chip;
};

static void rig_open(struct rig *r, const char *const *extra, enum unifw_brom_mode mode)
{
	struct unifw_error e;
	char buf[1200];
	memset(r, 0, sizeof *r);
	r->dir = test_mkdtemp();
	jsim_paths(&r->s, r->dir);
	jsim_start(&r->s, extra);
	if (unifw_port_open(r->s.port, NULL, &r->port, &e) != 0)
		fail_msg("%s", unifw_error_format(&e, buf, sizeof buf));
	r->b = unifw_brom_new();
	r->da = unifw_da_new();
	r->chip = boot_brom(r->port, r->b, &r->f, r->dir, mode);
}

static void rig_close(struct rig *r)
{
	da_file_free(&r->f);
	unifw_da_free(r->da);
	unifw_brom_free(r->b);
	unifw_port_close(r->port);
	jsim_stop(&r->s);
	test_rmtree(r->dir);
	free(r->dir);
}

static void preloader_mode_boot_read_write(void **state)
{
	(void)state;
	struct rig r;
	static const char *const extra[] = {"--mode", "preloader", "--preloader-window", "0", NULL};
	rig_open(&r, extra, UNIFW_BROM_MODE_PRELOADER);
	assert_false(unifw_brom_info(r.b)->have_brom_ver); /* the preloader echoes FF */
	boot_da(r.port, r.da, unifw_brom_info(r.b), r.chip, &r.f, NULL);
	assert_int_equal(unifw_da_info(r.da)->dram.config_status, 0); /* DRAM already up */
	speed_up(r.port, r.da);
	write_read_back_and_finish(r.port, r.da);
	rig_close(&r);
}

/* The Lenovo A516 preloader's EMI table as the core's input. */
struct emi_src {
	uint8_t *buf;
	size_t len;
	struct unifw_emi_table table;
	struct unifw_da_emi_entry ent[UNIFW_EMI_MAX_ENTRIES];
	struct unifw_da_emi emi;
};

static void emi_load(struct emi_src *m)
{
	struct unifw_error e;
	m->buf = corpus_read("preloader/mt6572_lenovo_a516_S118_preloader_a516_row.bin", &m->len);
	uint64_t off = unifw_emi_find_tag(m->buf, m->len, 0);
	assert_true(off != UINT64_MAX);
	assert_int_equal(unifw_emi_parse(m->buf, m->len, off, "a516 preloader", &m->table, &e), 0);
	assert_int_equal(unifw_da_emi_from_table(&m->table, m->buf, m->len, m->ent, UNIFW_EMI_MAX_ENTRIES, &m->emi, &e),
			 0);
}

static void brom_mode_boot_with_the_phones_own_emi(void **state)
{
	(void)state;
	static struct emi_src m;
	emi_load(&m);
	struct rig r;
	static const char *const extra[] = {"--mode", "brom", NULL};
	rig_open(&r, extra, UNIFW_BROM_MODE_BROM);
	assert_true(unifw_brom_info(r.b)->have_brom_ver);
	boot_da(r.port, r.da, unifw_brom_info(r.b), r.chip, &r.f, &m.emi);
	const struct unifw_da_dram *d = &unifw_da_info(r.da)->dram;
	assert_int_equal(d->config_status, 0xBC3);
	assert_int_equal(d->emi_len, 0xA8);
	assert_int_equal(d->ext_ram_ret, 0);
	assert_int_equal(d->ext_ram_size, 512u << 20);
	/* both sides independently took the 16-bit byte sum for the EMI checksum (not public) */
	assert_true(d->emi_checksum_matches);
	/* the entry sent is the one whose ID is the phone's memory part */
	assert_memory_equal(m.ent[d->emi_index].id, d->dram_info, m.ent[d->emi_index].id_len);
	speed_up(r.port, r.da);
	write_read_back_and_finish(r.port, r.da);
	rig_close(&r);
	free(m.buf);
}

/* A phone with another memory part (Hynix id): the A516 preloader does not list it, so the host
 * stops before ENABLE_DRAM instead of hanging the way another public host does (docs/protocol.md "Legacy DA boot"). */
static void brom_mode_refuses_a_preloader_without_the_phones_memory(void **state)
{
	(void)state;
	static struct emi_src m;
	emi_load(&m);
	struct rig r;
	struct unifw_error e;
	static const char *const extra[] = {"--mode", "brom", "--dram-id", "90014A48384731650200000000000000", NULL};
	rig_open(&r, extra, UNIFW_BROM_MODE_BROM);
	struct unifw_proto *p = unifw_da_proto(r.da);
	begin_ok(unifw_da_begin_sync(r.da), p);
	run(r.port, p, NULL);
	struct unifw_da_stage2_config cfg;
	unifw_da_stage2_defaults(&cfg, unifw_brom_info(r.b)->brom_ver, unifw_brom_info(r.b)->bl_ver, r.chip->bmt_flag,
				 r.chip->bmt_partsize);
	begin_ok(unifw_da_begin_stage2(r.da, &cfg, &m.emi), p);
	uint64_t sent_before = unifw_proto_tx_total(p);
	assert_int_equal(unifw_session_run(r.port, p, NULL, &e), UNIFW_E_UNSAFE);
	assert_non_null(strstr(e.msg, "lists the phone's memory id 90 01 4a 48 38 47 31 65 02"));
	assert_non_null(strstr(e.msg, "stopped before ENABLE_DRAM"));
	assert_int_equal(unifw_proto_tx_total(p), sent_before + 18); /* only the stage-2 config went out */
	rig_close(&r);
	free(m.buf);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(preloader_mode_boot_read_write),
		cmocka_unit_test(brom_mode_boot_with_the_phones_own_emi),
		cmocka_unit_test(brom_mode_refuses_a_preloader_without_the_phones_memory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
