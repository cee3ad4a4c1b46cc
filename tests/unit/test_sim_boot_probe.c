/* unifw-sim's boot evaluation runs a universal image's probe (docs/sim.md "The universal probe at boot"): a
 * model's factory image whose ramdisk is given /unifw/probe.sh, /unifw/probe.rules and an init.unifw.rc that
 * init.rc imports (the project's ramdisk and boot image writers), evaluated under busybox sh and dash. The
 * test probe reports what it read from the fake root (LK's lcm=, the i2c names, the CID) and makes the binds
 * its table lists; the sim judges the modem and the WLAN module through them and keeps the record in
 * USRDATA /unifw/probe.txt. Also: the probe not started, failing, hanging, logging a fallback. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sim_boot_fixture.h"
#include "unifw/bootimg.h"
#include "unifw/ext4.h"
#include "unifw/ext4_edit.h"
#include "unifw/hash.h"
#include "unifw/io.h"
#include "unifw/kernel.h"
#include "unifw/mtkhdr.h"
#include "unifw/probe.h"
#include "unifw/ramdisk.h"
#include "unifw/universal.h"

/* A test probe in the script's contract (sh probe.sh ROOT): its own table format (what the sim copies as
 * /unifw/probe.rules is opaque to the sim) says what to do; the record it writes quotes what it read. */
static const char TEST_PROBE[] =
	"R=$1\n"
	"mode=bind\n"
	"while read -r k rest; do\n"
	"  case $k in mode) mode=$rest ;; esac\n"
	"done < \"$R/unifw/probe.rules\"\n"
	"case $mode in\n"
	"  sleep) sleep 60; exit 0 ;;\n"
	"  fail) echo \"unifw-probe: cannot read the table\" >&2; exit 3 ;;\n"
	"esac\n"
	"lcm=-\n"
	"read -r cmdline < \"$R/proc/cmdline\"\n"
	"for w in $cmdline; do case $w in lcm=*) lcm=${w#lcm=}; lcm=${lcm#*-} ;; esac; done\n"
	"mkdir -p \"$R/data/unifw\" \"$R/dev/unifw\"\n"
	"printf 'not a module\\n' > \"$R/dev/unifw/junk.bin\"\n"
	"{\n"
	"  echo 'unifw-probe 1'\n"
	"  echo \"lcm $lcm\"\n"
	"  for f in \"$R\"/sys/bus/i2c/devices/*/name; do read -r n < \"$f\"; echo \"i2c $n\"; done\n"
	"  read -r cid < \"$R/sys/block/mmcblk0/device/cid\"\n"
	"  echo \"cid $cid\"\n"
	"  while read -r k a b; do\n"
	"    case $k in\n"
	"      bound|bind) echo \"$k $a $b\" ;;\n"
	"      fallback) echo \"$k $a $b\"; echo \"<4>unifw-probe: $b\" >> \"$R/dev/kmsg\"; echo \"unifw-probe: $b\" >&2 ;;\n"
	"    esac\n"
	"  done < \"$R/unifw/probe.rules\"\n"
	"  [ \"$mode\" = nodone ] || echo done\n"
	"} > \"$R/data/unifw/probe.txt\"\n"
	"[ -d \"$R/dev\" ] && : > \"$R/dev/.unifw_probe_done\"\n";

static const char UNIFW_RC[] = "service unifw_probe /system/bin/sh /unifw/probe.sh\n"
			       "    user root\n"
			       "    oneshot\n"
			       "    disabled\n"
			       "\n"
			       "on post-fs-data\n"
			       "    mkdir /data/unifw 0700 root root\n"
			       "    start unifw_probe\n"
			       "    wait /dev/.unifw_probe_done 10\n";

static const char BOUND_NONE[] = "bound panel -\nbound touch -\nbound board -\n";

/* The phone's BOOTIMG rebuilt with the probe in its ramdisk (imported: init.rc gets `import /init.unifw.rc`). */
static void give_probe(struct fixture *f, const char *script, const char *rules, bool imported)
{
	struct sim_flash_loc loc;
	struct unifw_error err = { 0 };
	assert_int_equal(sim_flash_locate(f->e, "BOOTIMG", &loc, &err), 0);
	uint8_t *buf = malloc(loc.size);
	assert_non_null(buf);
	assert_int_equal(sim_emmc_read(f->e, loc.part, loc.offset, buf, loc.size, &err), 0);
	struct unifw_bootimg img;
	struct unifw_ramdisk rd;
	assert_int_equal(unifw_bootimg_parse(buf, loc.size, "BOOTIMG", &img, &err), 0);
	assert_int_equal(unifw_ramdisk_parse(buf + img.ramdisk_off, img.hdr.ramdisk_size, "ramdisk", &rd, &err), 0);
	(void)unifw_ramdisk_add_dir(&rd, "unifw", 0750, &err);
	assert_int_equal(unifw_ramdisk_add_file(&rd, "unifw/probe.sh", 0750, script, strlen(script), &err), 0);
	assert_int_equal(unifw_ramdisk_add_file(&rd, "unifw/probe.rules", 0644, rules, strlen(rules), &err), 0);
	assert_int_equal(unifw_ramdisk_add_file(&rd, "init.unifw.rc", 0750, UNIFW_RC, strlen(UNIFW_RC), &err), 0);
	if (imported) {
		const struct unifw_ramdisk_entry *init = unifw_ramdisk_find(&rd, "init.rc");
		assert_non_null(init);
		const char *imp = "import /init.unifw.rc\n";
		size_t n = strlen(imp) + init->size;
		char *text = malloc(n);
		memcpy(text, imp, strlen(imp));
		memcpy(text + strlen(imp), init->data, init->size);
		assert_int_equal(unifw_ramdisk_add_file(&rd, "init.rc", 0750, text, n, &err), 0);
		free(text);
	}
	uint8_t *gz, *out;
	size_t gl, ol;
	assert_int_equal(unifw_ramdisk_write(&rd, UNIFW_RD_GZIP, &gz, &gl, &err), 0);
	uint8_t *sec = malloc(gl + UNIFW_MTKHDR_SIZE);
	assert_int_equal(unifw_mtkhdr_write(sec, (uint32_t)gl, "ROOTFS", 0xFFFFFFFFu, 0xFFFFFFFFu, &err), 0);
	memcpy(sec + UNIFW_MTKHDR_SIZE, gz, gl);
	assert_int_equal(unifw_bootimg_build(&img.hdr, buf + img.kernel_off, img.hdr.kernel_size, sec,
					     gl + UNIFW_MTKHDR_SIZE, NULL, 0, true, &out, &ol, &err), 0);
	assert_true(ol <= loc.size);
	assert_int_equal(sim_emmc_write(f->e, loc.part, loc.offset, out, ol, &err), 0);
	free(out);
	free(sec);
	free(gz);
	unifw_ramdisk_free(&rd);
	unifw_bootimg_free(&img);
	free(buf);
}

static void report_or_fail(struct fixture *f, struct sim_boot_report *r)
{
	evaluate(f, r);
	if (getenv("TEST_VERBOSE"))
		sim_boot_report_text(r, stderr);
}

static const char *fact(const struct sim_boot_report *r, const char *path)
{
	const char *s = unifw_jv_str(unifw_jv_path(r->facts, path));
	if (!s)
		fail_msg("no fact %s", path);
	return s;
}

static const struct sim_boot_item *item(const struct sim_boot_item *items, size_t n, const char *code)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(items[i].code, code))
			return &items[i];
	return NULL;
}

/* The modem file the stock evaluation judges, e.g. "/system/etc/firmware/modem_1_wg_n.img". */
static void stock_modem_path(struct fixture *f, char *out, size_t cap)
{
	struct sim_boot_report r;
	evaluate(f, &r);
	snprintf(out, cap, "%s", fact(&r, "modem.image"));
	assert_non_null(unifw_jv_path(r.facts, "modem.header_version"));
	assert_null(unifw_jv_path(r.facts, "probe"));
	sim_boot_report_free(&r);
}

/* USRDATA /unifw/probe.txt read back with unifw_ext4 (what `unifw identify` reads). */
struct usr_stream {
	struct sim_emmc *e;
	struct sim_flash_loc loc;
};
static int usr_pread(void *ctx, void *buf, size_t len, uint64_t off, struct unifw_error *err)
{
	struct usr_stream *u = ctx;
	if (off > u->loc.size || len > u->loc.size - off)
		return unifw_error_set(err, UNIFW_E_TRUNCATED, "USRDATA", off, "past the end");
	return sim_emmc_read(u->e, u->loc.part, u->loc.offset + off, buf, len, err);
}

static int usrdata_record(struct fixture *f, uint8_t **text, size_t *len, struct unifw_ext4_stat *file,
			  struct unifw_ext4_stat *dir)
{
	struct usr_stream u = { .e = f->e };
	struct unifw_error err = { 0 };
	assert_int_equal(sim_flash_locate(f->e, "USRDATA", &u.loc, &err), 0);
	struct unifw_stream s = { .pread = usr_pread, .ctx = &u, .size = u.loc.size, .name = "USRDATA" };
	struct unifw_ext4 *fs = NULL;
	assert_int_equal(unifw_ext4_open(&s, &fs, &err), 0);
	int rc = unifw_ext4_read_file(fs, "/unifw/probe.txt", 1 << 20, text, len, &err);
	if (rc == 0) {
		assert_int_equal(unifw_ext4_lstat(fs, "/unifw/probe.txt", file, &err), 0);
		assert_int_equal(unifw_ext4_lstat(fs, "/unifw", dir, &err), 0);
	}
	unifw_ext4_close(fs);
	return rc;
}

/* e2fsck -fn finds nothing to fix in USRDATA after the record was written (skipped without e2fsck). */
static void usrdata_fsck_clean(struct fixture *f)
{
	const char *fsck = access("/sbin/e2fsck", X_OK) == 0 ? "/sbin/e2fsck" : "/usr/sbin/e2fsck";
	if (access(fsck, X_OK) != 0)
		return;
	struct sim_flash_loc loc;
	struct unifw_error err = { 0 };
	assert_int_equal(sim_flash_locate(f->e, "USRDATA", &loc, &err), 0);
	assert_int_equal(sim_emmc_flush(f->e, &err), 0);
	char cmd[2048];
	snprintf(cmd, sizeof cmd, "%s -fn '%s?offset=%llu' >/dev/null 2>&1", fsck, f->img,
		 (unsigned long long)(sim_emmc_part_offset(f->e, loc.part) + loc.offset));
	int rc = system(cmd);
	if (rc != 0)
		fail_msg("e2fsck finds USRDATA damaged after the record (status %d): %s", rc, cmd);
}

/* ------------------------------------------------------------------ the cases */

/* What the probe saw, its binds judged, its fallback noted, its record on /data. */
static void run_binds(const char *shell)
{
	setenv("UNIFW_SIM_PROBE_SHELL", shell, 1);
	struct fixture f;
	phone_open(&f, "a516-like");
	char modem[128], rules[1024];
	stock_modem_path(&f, modem, sizeof modem);
	snprintf(rules, sizeof rules,
		 "mode bind\n"
		 "bound panel a516-like\nbound touch a516-like\nbound board -\n"
		 "bind /dev/unifw/junk.bin %s\n"
		 "bind /system/build.prop /system%s\n"
		 "bind /system/build.prop /system/etc/firmware/not_there.bin\n"
		 "bind /system%s /system%s\n"
		 "fallback board unifw-probe: board: no variant for this eMMC, the base's modem stays\n",
		 modem, UNIFW_WLAN_MODULE_PATH, UNIFW_WLAN_MODULE_PATH, UNIFW_WLAN_MODULE_PATH);
	give_probe(&f, TEST_PROBE, rules, true);
	struct sim_boot_report r;
	report_or_fail(&f, &r);

	/* what the script read from the fake root */
	assert_true(unifw_jv_truthy(unifw_jv_path(r.facts, "probe.ran")));
	assert_string_equal(fact(&r, "probe.shell"), shell);
	assert_string_equal(fact(&r, "probe.lcm"), fact(&r, "lk.lcm_cmdline") + strlen("lcm=1-"));
	assert_string_equal(fact(&r, "probe.lcm"), f.m->lcm);
	struct unifw_jv *i2c = unifw_jv_path(r.facts, "probe.i2c");
	assert_int_equal(unifw_jv_len(i2c), 2);
	assert_string_equal(unifw_jv_str(unifw_jv_at(i2c, 0)), f.m->touch); /* 0-005d sorts before 2-004c */
	assert_string_equal(unifw_jv_str(unifw_jv_at(i2c, 1)), "mc3410");
	char cid[33];
	unifw_hex(sim_emmc_geometry(f.e)->cid, 16, cid);
	assert_string_equal(fact(&r, "probe.cid"), cid);
	assert_string_equal(fact(&r, "probe.bound.panel"), "a516-like");
	assert_string_equal(fact(&r, "probe.bound.board"), "fallback");

	/* the binds, judged: the modem read through the junk has no MD header; the WLAN module bound over with
	 * build.prop, then with itself: the last mount is what insmod opens, it loads */
	struct unifw_jv *binds = unifw_jv_path(r.facts, "probe.binds");
	assert_int_equal(unifw_jv_len(binds), 3);
	assert_string_equal(unifw_jv_str(unifw_jv_get(unifw_jv_at(binds, 0), "target")), modem);
	assert_null(unifw_jv_path(r.facts, "modem.header_version"));
	assert_true(unifw_jv_truthy(unifw_jv_path(r.facts, "wifi.loaded")));
	assert_null(item(r.faults, r.fault_count, "no_wifi"));
	const struct sim_boot_item *bf = item(r.notes, r.note_count, "bind_failed");
	assert_non_null(bf);
	assert_non_null(strstr(bf->message, "/system/etc/firmware/not_there.bin"));
	const struct sim_boot_item *fb = item(r.notes, r.note_count, "probe_fallback");
	assert_non_null(fb);
	assert_string_equal(fb->stage, "android");
	assert_non_null(strstr(fb->message, "no variant for this eMMC, the base's modem stays"));
	assert_int_equal(unifw_jv_len(unifw_jv_path(r.facts, "probe.fallbacks")), 1);
	sim_boot_report_free(&r);

	/* the record on the phone's /data, 0600 in a 0700 directory, the probe's bytes */
	uint8_t *text = NULL;
	size_t len = 0;
	struct unifw_ext4_stat st, dst;
	assert_int_equal(usrdata_record(&f, &text, &len, &st, &dst), 0);
	assert_int_equal(st.mode & 07777, 0600);
	assert_int_equal(dst.mode & 07777, 0700);
	struct unifw_probe_record *rec = calloc(1, sizeof *rec);
	struct unifw_error err = { 0 };
	assert_int_equal(unifw_probe_record_parse((const char *)text, len, "probe.txt", rec, &err), 0);
	assert_true(rec->done);
	assert_string_equal(rec->cid, cid);
	assert_int_equal(rec->bind_count, 4);
	free(text);
	usrdata_fsck_clean(&f);

	/* a second boot replaces the record (a shorter one: no stale tail) */
	give_probe(&f, TEST_PROBE, "mode bind\nbound panel -\nbound touch -\nbound board -\n", true);
	report_or_fail(&f, &r);
	assert_null(item(r.notes, r.note_count, "probe_fallback"));
	assert_non_null(unifw_jv_path(r.facts, "modem.header_version")); /* nothing bound: the base's modem */
	sim_boot_report_free(&r);
	assert_int_equal(usrdata_record(&f, &text, &len, &st, &dst), 0);
	assert_int_equal(unifw_probe_record_parse((const char *)text, len, "probe.txt", rec, &err), 0);
	assert_int_equal(rec->bind_count, 0);
	assert_string_equal(rec->bound[UNIFW_PROBE_BOARD], "");
	free(text);
	usrdata_fsck_clean(&f);
	free(rec);
	phone_close(&f);
}

static void test_binds_busybox(void **state)
{
	(void)state;
	run_binds("busybox sh");
}

static void test_binds_dash(void **state)
{
	(void)state;
	run_binds("dash");
}

static void test_not_started(void **state)
{
	(void)state;
	unsetenv("UNIFW_SIM_PROBE_SHELL");
	struct fixture f;
	phone_open(&f, "wiko-like");
	give_probe(&f, TEST_PROBE, "mode bind\nbind /dev/unifw/junk.bin /system/build.prop\n", false);
	struct sim_boot_report r;
	report_or_fail(&f, &r);
	assert_non_null(item(r.notes, r.note_count, "probe_not_started"));
	assert_false(unifw_jv_truthy(unifw_jv_path(r.facts, "probe.ran")));
	assert_null(unifw_jv_path(r.facts, "probe.binds"));
	assert_int_equal(r.verdict, SIM_VERDICT_BOOTS);
	assert_int_equal(r.fault_count, 0);
	uint8_t *text = NULL;
	size_t len = 0;
	struct unifw_ext4_stat st, dst;
	assert_int_not_equal(usrdata_record(&f, &text, &len, &st, &dst), 0); /* no record: it never ran */
	sim_boot_report_free(&r);
	phone_close(&f);
}

static void expect_fault(const char *rules, const char *code, const char *in_message)
{
	struct fixture f;
	phone_open(&f, "a516-like");
	give_probe(&f, TEST_PROBE, rules, true);
	struct sim_boot_report r;
	report_or_fail(&f, &r);
	const struct sim_boot_item *it = item(r.faults, r.fault_count, code);
	if (!it) {
		sim_boot_report_text(&r, stderr);
		fail_msg("no fault %s", code);
	}
	assert_string_equal(it->stage, "android");
	assert_non_null(strstr(it->message, in_message));
	assert_int_equal(r.verdict, SIM_VERDICT_BOOTS_WITH_FAULTS);
	assert_null(unifw_jv_path(r.facts, "probe.binds"));
	assert_non_null(unifw_jv_path(r.facts, "modem.header_version")); /* the base's files */
	sim_boot_report_free(&r);
	phone_close(&f);
}

static void test_failed(void **state)
{
	(void)state;
	setenv("UNIFW_SIM_PROBE_SHELL", "dash", 1);
	expect_fault("mode fail\n", "probe_failed", "cannot read the table");
	expect_fault("mode nodone\nbound panel -\nbound touch -\nbound board -\n", "probe_failed", "done");
}

static void test_timeout(void **state)
{
	(void)state;
	setenv("UNIFW_SIM_PROBE_SHELL", "busybox sh", 1);
	setenv("UNIFW_SIM_PROBE_TIMEOUT", "1", 1);
	expect_fault("mode sleep\n", "probe_timeout", "still running");
	unsetenv("UNIFW_SIM_PROBE_TIMEOUT");
}

/* No shell: the evaluation fails and says what to install. */
static void test_no_shell(void **state)
{
	(void)state;
	setenv("UNIFW_SIM_PROBE_SHELL", "unifw-no-such-shell sh", 1);
	struct fixture f;
	phone_open(&f, "a516-like");
	give_probe(&f, TEST_PROBE, BOUND_NONE, true);
	struct sim_boot_report r;
	struct unifw_error err = { 0 };
	assert_int_not_equal(sim_boot_evaluate(f.e, NULL, &r, &err), 0);
	assert_non_null(strstr(err.msg, "install busybox"));
	phone_close(&f);
	unsetenv("UNIFW_SIM_PROBE_SHELL");
}

/* ------------------------------------------------------------------ the real probe (data/unifw-probe.sh) */

/* Files into the phone's ANDROID with unifw_ext4_edit (what `unifw universal build` puts there: the overlay
 * under /unifw/<variant>/ and an empty placeholder at each bind target the base lacks). */
static void system_put(struct fixture *f, const char *const *paths, const char *const *data, size_t n)
{
	struct usr_stream u = { .e = f->e };
	struct unifw_error err = { 0 };
	assert_int_equal(sim_flash_locate(f->e, "ANDROID", &u.loc, &err), 0);
	struct unifw_stream s = { .pread = usr_pread, .ctx = &u, .size = u.loc.size, .name = "ANDROID" };
	struct unifw_ext4_edit *ed = NULL;
	assert_int_equal(unifw_ext4_edit_open(&s, &ed, &err), 0);
	for (size_t i = 0; i < n; i++) {
		char dir[256];
		snprintf(dir, sizeof dir, "%s", paths[i]);
		for (char *c = dir + 1; *c; c++)
			if (*c == '/') {
				*c = 0;
				if (unifw_ext4_edit_mkdir(ed, dir, 0755, 0, 0, &err) != 0)
					fail_msg("mkdir %s: %s", dir, err.msg);
				*c = '/';
			}
		struct unifw_ext4_edit_stat st;
		if (unifw_ext4_edit_stat(ed, paths[i], &st, NULL) == 0)
			continue; /* the base has it: a bind target needs no placeholder */
		if (unifw_ext4_edit_create_file(ed, paths[i], (const uint8_t *)data[i], strlen(data[i]), 0644, 0, 0, &err))
			fail_msg("create %s: %s", paths[i], err.msg);
	}
	assert_int_equal(unifw_ext4_edit_commit(ed, &err), 0);
	const struct unifw_ext4_change *ch;
	size_t count;
	unifw_ext4_edit_changes(ed, &ch, &count);
	for (size_t i = 0; i < count; i++)
		assert_int_equal(sim_emmc_write(f->e, u.loc.part, u.loc.offset + ch[i].offset, ch[i].data, ch[i].len, &err), 0);
	unifw_ext4_edit_free(ed);
}

/* A table as unifw_probe_table_write makes it: a516-like (this phone: its LK's LCM, gt9xx, its CID's 9 bytes)
 * and a variant for another board. a516-like binds the touch firmware and the WLAN module (its board's, here
 * a file that is no module, so that the judgement shows which one it read) and puts a density in build.prop. */
static char *real_table(const struct sim_model *m, const char *cid18, size_t *len)
{
	struct unifw_probe_table t;
	unifw_probe_table_init(&t);
	t.bind = calloc(4, sizeof *t.bind);
	t.prop = calloc(2, sizeof *t.prop);
	assert_true(t.bind && t.prop);
	for (unsigned c = 0; c < UNIFW_PROBE_COMPONENTS; c++) {
		snprintf(t.signal[c], sizeof t.signal[c], "read at post-fs-data");
		snprintf(t.fallback[c], sizeof t.fallback[c], "the base's %s files stay", unifw_probe_component_name(c));
	}
	snprintf(t.variant[0].name, sizeof t.variant[0].name, "other-board");
	snprintf(t.variant[1].name, sizeof t.variant[1].name, "a516-like");
	for (unsigned v = 0; v < 2; v++)
		snprintf(t.variant[v].reason, sizeof t.variant[v].reason, "a backup");
	t.variant_count = 2;
	const struct {
		enum unifw_probe_component c;
		unsigned v;
		const char *key;
	} match[] = { { UNIFW_PROBE_BOARD, 0, "fe014e" }, { UNIFW_PROBE_PANEL, 1, m->lcm },
		      { UNIFW_PROBE_TOUCH, 1, m->touch }, { UNIFW_PROBE_BOARD, 1, cid18 } };
	for (size_t i = 0; i < sizeof match / sizeof *match; i++) {
		struct unifw_probe_match *x = &t.match[t.match_count++];
		*x = (struct unifw_probe_match){ .component = match[i].c, .variant = match[i].v };
		snprintf(x->key, sizeof x->key, "%s", match[i].key);
		snprintf(x->reason, sizeof x->reason, "its %s", unifw_probe_component_name(match[i].c));
	}
	t.bind[0] = (struct unifw_probe_bind){ .component = UNIFW_PROBE_TOUCH, .variant = 1 };
	snprintf(t.bind[0].path, sizeof t.bind[0].path, "etc/firmware/%s_fw.bin", m->touch);
	t.bind[1] = (struct unifw_probe_bind){ .component = UNIFW_PROBE_BOARD, .variant = 1 };
	snprintf(t.bind[1].path, sizeof t.bind[1].path, "%s", UNIFW_WLAN_MODULE_PATH + 1);
	t.bind[2] = (struct unifw_probe_bind){ .component = UNIFW_PROBE_BOARD, .variant = 0 };
	snprintf(t.bind[2].path, sizeof t.bind[2].path, "etc/firmware/modem.img");
	t.bind_count = 3;
	for (size_t i = 0; i < t.bind_count; i++)
		snprintf(t.bind[i].reason, sizeof t.bind[i].reason, "the phone's own");
	t.prop[0] = (struct unifw_probe_prop){ .component = UNIFW_PROBE_PANEL, .variant = 1 };
	snprintf(t.prop[0].key, sizeof t.prop[0].key, "ro.sf.lcd_density");
	snprintf(t.prop[0].value, sizeof t.prop[0].value, "240");
	snprintf(t.prop[0].reason, sizeof t.prop[0].reason, "its panel");
	t.prop_count = 1;
	char *text = NULL;
	struct unifw_error err = { 0 };
	if (unifw_probe_table_write(&t, &text, len, &err))
		fail_msg("table: %s", err.msg);
	unifw_probe_table_free(&t);
	return text;
}

static void run_real(const char *shell)
{
	setenv("UNIFW_SIM_PROBE_SHELL", shell, 1);
	struct fixture f;
	phone_open(&f, "a516-like");
	char cid[33], fw[128], overlay_fw[160], overlay_wlan[160];
	unifw_hex(sim_emmc_geometry(f.e)->cid, 16, cid);
	char cid18[19];
	memcpy(cid18, cid, 18);
	cid18[18] = 0;
	snprintf(fw, sizeof fw, "/etc/firmware/%s_fw.bin", f.m->touch);
	snprintf(overlay_fw, sizeof overlay_fw, "/unifw/a516-like%s", fw);
	snprintf(overlay_wlan, sizeof overlay_wlan, "/unifw/a516-like%s", UNIFW_WLAN_MODULE_PATH);
	const char *paths[] = { fw, overlay_fw, overlay_wlan };
	const char *data[] = { "", "touch firmware of the a516-like\n", "not the base's module\n" };
	system_put(&f, paths, data, 3);
	size_t tl;
	char *table = real_table(f.m, cid18, &tl);
	give_probe(&f, unifw_probe_script_text, table, true);
	struct sim_boot_report r;
	report_or_fail(&f, &r);
	assert_true(unifw_jv_truthy(unifw_jv_path(r.facts, "probe.ran")));
	assert_string_equal(fact(&r, "probe.lcm"), f.m->lcm);
	assert_string_equal(fact(&r, "probe.cid"), cid);
	/* what the script bound is what the C rule picks for this phone's signals */
	struct unifw_probe_table parsed;
	struct unifw_error err = { 0 };
	unifw_probe_table_init(&parsed);
	assert_int_equal(unifw_probe_table_parse(table, tl, "probe.rules", &parsed, &err), 0);
	const char *names[] = { f.m->touch, "mc3410" };
	for (unsigned c = 0; c < UNIFW_PROBE_COMPONENTS; c++) {
		char key[32];
		snprintf(key, sizeof key, "probe.bound.%s", unifw_probe_component_name((enum unifw_probe_component)c));
		int v = unifw_probe_table_choose(&parsed, (enum unifw_probe_component)c, f.m->lcm, names, 2, cid);
		assert_int_equal(v, 1);
		assert_string_equal(fact(&r, key), parsed.variant[v].name);
	}
	unifw_probe_table_free(&parsed);
	/* the binds: touch firmware, WLAN module (judged: no module), build.prop with the density in front */
	struct unifw_jv *binds = unifw_jv_path(r.facts, "probe.binds");
	assert_int_equal(unifw_jv_len(binds), 3);
	bool saw_prop = false;
	for (size_t i = 0; i < 3; i++)
		saw_prop |= !strcmp(unifw_jv_str(unifw_jv_get(unifw_jv_at(binds, i), "source")), "/dev/unifw/build.prop");
	assert_true(saw_prop);
	assert_non_null(item(r.faults, r.fault_count, "no_wifi"));
	assert_false(unifw_jv_truthy(unifw_jv_path(r.facts, "wifi.loaded")));
	assert_null(item(r.notes, r.note_count, "probe_fallback"));
	assert_null(item(r.notes, r.note_count, "bind_failed"));
	sim_boot_report_free(&r);
	uint8_t *text = NULL;
	size_t len = 0;
	struct unifw_ext4_stat st, dst;
	assert_int_equal(usrdata_record(&f, &text, &len, &st, &dst), 0);
	struct unifw_probe_record *rec = calloc(1, sizeof *rec);
	assert_int_equal(unifw_probe_record_parse((const char *)text, len, "probe.txt", rec, &err), 0);
	assert_true(rec->done);
	assert_int_equal(rec->prop_count, 1);
	assert_string_equal(rec->prop[0], "ro.sf.lcd_density=240");
	free(rec);
	free(text);
	phone_close(&f);

	/* the same table on a wiko-like: nothing matches, every component falls back and says so */
	phone_open(&f, "wiko-like");
	give_probe(&f, unifw_probe_script_text, table, true);
	report_or_fail(&f, &r);
	size_t fallbacks = 0;
	for (size_t i = 0; i < r.note_count; i++)
		fallbacks += !strcmp(r.notes[i].code, "probe_fallback");
	assert_int_equal(fallbacks, 3);
	assert_string_equal(fact(&r, "probe.bound.board"), "fallback");
	assert_int_equal(unifw_jv_len(unifw_jv_path(r.facts, "probe.binds")), 0);
	assert_int_equal(r.verdict, SIM_VERDICT_BOOTS);
	assert_int_equal(r.fault_count, 0);
	sim_boot_report_free(&r);
	phone_close(&f);
	free(table);
}

static void test_real_busybox(void **state)
{
	(void)state;
	run_real("busybox sh");
}

static void test_real_dash(void **state)
{
	(void)state;
	run_real("dash");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_binds_busybox), cmocka_unit_test(test_binds_dash), cmocka_unit_test(test_not_started),
		cmocka_unit_test(test_failed),        cmocka_unit_test(test_timeout),    cmocka_unit_test(test_no_shell),
		cmocka_unit_test(test_real_busybox),  cmocka_unit_test(test_real_dash),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
