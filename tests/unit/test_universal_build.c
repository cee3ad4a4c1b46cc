/* unifw universal build (universal.h unifw_univ_build) on two models: the base is the factory's universal ROM
 * with every model's drivers (unifw-sim make-firmware --universal --all-drivers), the phones are `unifw backup`
 * folders of the served wiko-like and y600-like (unifw-sim + the real unifw binary; the a516-like's table puts
 * PRELOAD where that kernel mounts /system: refused, see e2e_universal_cli). Then: the ramdisk carries
 * /unifw/probe.sh (mode 0750, the built-in script), /unifw/probe.rules (it parses back and names both variants
 * with the phones' LCM, touch i2c name and CID prefix), /init.unifw.rc (the text of docs/universal.md) and init.rc
 * imports it; the kernel is the base's byte for byte; every bound file is in /system/unifw/<variant>/ with the
 * phone's bytes, owner and mode; every bind target the base lacks is an empty placeholder; no kernel module is
 * taken; the scatter downloads BOOTIMG, ANDROID and CACHE only; the system fits the smaller ANDROID and e2fsck -fn
 * finds it clean; universal.json is OUT's JSON; a base that lacks the drivers (the a516-like's stock package) is
 * refused naming them and the partition map its kernel mounts /system from, and nothing is left at OUT. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "firmware/model.h"
#include "unifw/bootimg.h"
#include "unifw/ext4.h"
#include "unifw/io.h"
#include "unifw/ramdisk.h"
#include "unifw/scatter.h"
#include "unifw/sparse.h"
#include "unifw/universal.h"

#define E2 "PATH=$PATH:/usr/sbin:/sbin "
#define PHONE_LABEL "u:object_r:phone_idc_file:s0"
#define BASE_LABEL "u:object_r:base_fw_file:s0"

static const char *const models[2] = { "wiko-like", "y600-like" };

struct fx {
	char *dir;
	char base[900], stock[900], bk[2][900], out[900];
	const char *phones[2];
	struct unifw_univ_result r;
	int rc;
	struct unifw_error err;
};
static struct fx *g;

static void run_ok(const char *cmd)
{
	char *out = NULL;
	int rc = test_run(cmd, &out);
	if (rc != 0)
		fail_msg("command failed (%d): %s\n%s", rc, cmd, out ? out : "");
	free(out);
}

/* The model's backup: its factory eMMC served by unifw-sim over a Unix socket, `unifw backup` of it. */
static void backup(const char *sim, const char *m, const char *bk)
{
	char cmd[4000];
	snprintf(cmd, sizeof cmd,
		 "set -e; cd '%s'; S='%s'; U='%s'; export UNIFW_STATE_DIR=\"$PWD/state\"\n"
		 "[ -f da.bin ] || \"$S\" make-da -o da.bin >/dev/null\n"
		 "\"$S\" make-emmc --model %s -o %s.img >/dev/null\n"
		 "\"$S\" --socket \"$PWD/%s.sock\" --emmc %s.img --preloader-window 0 --model %s >%s.out 2>%s.err & p=$!\n"
		 "i=0; while ! grep -q '^socket ' %s.out; do i=$((i+1)); [ $i -lt 600 ] || { kill $p; exit 1; }; sleep 0.05; done\n"
		 "rc=0; \"$U\" backup --port \"unix:$PWD/%s.sock\" --da da.bin -o '%s' >/dev/null 2>%s.backup.err || rc=$?\n"
		 "kill $p; wait $p 2>/dev/null || true; rm -f %s.img; exit $rc",
		 g->dir, sim, test_unifw_bin(), m, m, m, m, m, m, m, m, m, bk, m, m);
	run_ok(cmd);
}

static int group_setup(void **state)
{
	(void)state;
	const char *sim = getenv("UNIFW_SIM_BIN");
	if (!sim || access(sim, X_OK) != 0 || access(test_unifw_bin(), X_OK) != 0) {
		print_message("SKIP: UNIFW_SIM_BIN / UNIFW_BIN not built\n");
		return -1;
	}
	g = calloc(1, sizeof *g);
	g->dir = test_mkdtemp();
	setenv("TMPDIR", g->dir, 1);
	char cmd[4000];
	snprintf(g->base, sizeof g->base, "%s/base", g->dir);
	snprintf(g->stock, sizeof g->stock, "%s/stock-a516", g->dir);
	snprintf(cmd, sizeof cmd, "'%s' make-firmware --universal --all-drivers -o '%s' >/dev/null && "
		 "'%s' make-firmware --model a516-like -o '%s' >/dev/null", sim, g->base, sim, g->stock);
	run_ok(cmd);
	for (size_t i = 0; i < 2; i++) {
		snprintf(g->bk[i], sizeof g->bk[i], "%s/bk-%s", g->dir, models[i]);
		backup(sim, models[i], g->bk[i]);
		g->phones[i] = g->bk[i];
	}
	/* the phone's idc gets its own owner, mode and label; the base's firmware folder a label its placeholders take */
	snprintf(cmd, sizeof cmd, E2 "debugfs -w -R 'ea_set /usr/idc/ft5206.idc security.selinux " PHONE_LABEL "' "
		 "'%s/system.img' >/dev/null 2>&1 && " E2 "debugfs -w -R 'sif /usr/idc/ft5206.idc mode 0100640' '%s/system.img' "
		 ">/dev/null 2>&1 && " E2 "debugfs -w -R 'sif /usr/idc/ft5206.idc uid 1000' '%s/system.img' >/dev/null 2>&1",
		 g->bk[0], g->bk[0], g->bk[0]);
	run_ok(cmd);
	char raw[1000], sys[1000];
	snprintf(raw, sizeof raw, "%s/base_system.raw", g->dir);
	snprintf(sys, sizeof sys, "%s/system.img", g->base);
	struct unifw_error err = { 0 };
	struct unifw_stream in;
	assert_int_equal(unifw_stream_open_file(&in, sys, &err), 0);
	assert_int_equal(unifw_sparse_expand_file(&in, raw, &err), 0);
	unifw_stream_close(&in);
	snprintf(cmd, sizeof cmd, E2 "debugfs -w -R 'ea_set /etc/firmware/ft6x06_fw.bin security.selinux " BASE_LABEL "' "
		 "'%s' >/dev/null 2>&1", raw);
	run_ok(cmd);
	struct unifw_sparse_write_opts so = { .block_size = 4096 };
	assert_int_equal(unifw_sparse_write_file(raw, sys, &so, NULL, &err), 0);
	unlink(raw);
	snprintf(g->out, sizeof g->out, "%s/OUT", g->dir);
	struct unifw_univ_opts o = { .base = g->base, .phones = g->phones, .phone_count = 2, .out_dir = g->out };
	g->rc = unifw_univ_build(&o, &g->r, &g->err);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	if (!g)
		return 0;
	unifw_univ_result_free(&g->r);
	test_rmtree(g->dir);
	free(g->dir);
	free(g);
	return 0;
}

/* ------------------------------------------------------------------ helpers */

static void built(void)
{
	if (g->rc)
		fail_msg("unifw_univ_build: %s: %s", g->err.where, g->err.msg);
	for (size_t i = 0; i < g->r.refusal_count; i++)
		print_message("refusal: %s\n", g->r.refusal[i]);
	assert_string_equal(g->r.verdict, "built");
}

static uint8_t *out_file(const char *name, size_t *len)
{
	char p[1000];
	snprintf(p, sizeof p, "%s/%s", g->out, name);
	uint8_t *b = test_read_file(p, len);
	if (!b)
		fail_msg("OUT has no %s", name);
	return b;
}

/* A package's (or OUT's) ext4 image, expanded when sparse, opened read-only. */
struct img {
	char raw[1000];
	struct unifw_stream s;
	struct unifw_ext4 *fs;
};

static void img_open(struct img *m, const char *path, const char *tag)
{
	struct unifw_error err = { 0 };
	struct unifw_stream in;
	snprintf(m->raw, sizeof m->raw, "%s/%s.raw", g->dir, tag);
	assert_int_equal(unifw_stream_open_file(&in, path, &err), 0);
	uint8_t head[4];
	assert_int_equal(unifw_stream_read_exact(&in, head, 4, "head", &err), 0);
	unifw_stream_close(&in);
	if (head[0] == 0x3a && head[1] == 0xff && head[2] == 0x26 && head[3] == 0xed) {
		assert_int_equal(unifw_stream_open_file(&in, path, &err), 0);
		assert_int_equal(unifw_sparse_expand_file(&in, m->raw, &err), 0);
		unifw_stream_close(&in);
	} else {
		snprintf(m->raw, sizeof m->raw, "%s", path);
	}
	assert_int_equal(unifw_stream_open_file(&m->s, m->raw, &err), 0);
	if (unifw_ext4_open(&m->s, &m->fs, &err))
		fail_msg("%s: %s", path, err.msg);
}

static void img_close(struct img *m)
{
	unifw_ext4_close(m->fs);
	unifw_stream_close(&m->s);
}

static void hex9(const uint8_t *cid, char out[19])
{
	for (size_t i = 0; i < 9; i++)
		snprintf(out + 2 * i, 3, "%02x", cid[i]);
}

static const struct unifw_ramdisk_entry *rd_entry(const struct unifw_ramdisk *rd, const char *path)
{
	const struct unifw_ramdisk_entry *e = unifw_ramdisk_find(rd, path);
	if (!e)
		fail_msg("the ramdisk has no %s", path);
	return e;
}

/* ------------------------------------------------------------------ tests */

/* The probe table in the ramdisk names both phones with their keys; the kernel is the base's. */
static void test_boot_image(void **state)
{
	(void)state;
	built();
	size_t ol = 0, bl = 0;
	uint8_t *o = out_file("boot.img", &ol);
	char p[1000];
	snprintf(p, sizeof p, "%s/boot.img", g->base);
	uint8_t *b = test_read_file(p, &bl);
	struct unifw_bootimg ob, bb;
	struct unifw_error err = { 0 };
	assert_int_equal(unifw_bootimg_parse(o, ol, "OUT boot.img", &ob, &err), 0);
	assert_int_equal(unifw_bootimg_parse(b, bl, "base boot.img", &bb, &err), 0);
	assert_int_equal(ob.hdr.kernel_size, bb.hdr.kernel_size);
	assert_memory_equal(o + ob.kernel_off, b + bb.kernel_off, bb.hdr.kernel_size);
	assert_memory_equal(ob.hdr.cmdline, bb.hdr.cmdline, sizeof ob.hdr.cmdline);
	assert_int_equal(ol, g->r.boot_size);
	assert_true(ol <= g->r.min_boot);

	struct unifw_ramdisk rd;
	assert_int_equal(unifw_ramdisk_parse(o + ob.ramdisk_off, ob.hdr.ramdisk_size, "ramdisk", &rd, &err), 0);
	assert_true(rd.has_mtk_header);
	const struct unifw_ramdisk_entry *sh = rd_entry(&rd, "unifw/probe.sh");
	assert_int_equal(sh->mode & 07777, 0750);
	assert_int_equal(sh->size, unifw_probe_script_text_len);
	assert_memory_equal(sh->data, unifw_probe_script_text, sh->size);
	const struct unifw_ramdisk_entry *rc = rd_entry(&rd, "init.unifw.rc");
	char *rct = strndup((const char *)rc->data, rc->size);
	assert_non_null(strstr(rct, "service unifw_probe /system/bin/sh /unifw/probe.sh\n    user root\n    oneshot\n"
				    "    disabled\n"));
	assert_non_null(strstr(rct, "on post-fs-data\n    mkdir /data/unifw 0700 root root\n    start unifw_probe\n"
				    "    wait /dev/.unifw_probe_done 10\n"));
	free(rct);
	const struct unifw_ramdisk_entry *init = rd_entry(&rd, "init.rc");
	static const char imp[] = "\nimport /init.unifw.rc\n";
	assert_true(init->size > sizeof imp);
	assert_memory_equal(init->data + init->size - (sizeof imp - 1), imp, sizeof imp - 1);

	/* the table parses back and names both phones with their keys */
	const struct unifw_ramdisk_entry *tab = rd_entry(&rd, "unifw/probe.rules");
	struct unifw_probe_table t;
	if (unifw_probe_table_parse((const char *)tab->data, tab->size, "probe.rules", &t, &err))
		fail_msg("probe.rules: %s", err.msg);
	assert_int_equal(t.variant_count, 2);
	for (unsigned v = 0; v < 2; v++) {
		const struct sim_model *m = sim_model_find(models[v]);
		char cid[19];
		hex9(m->cid, cid);
		assert_string_equal(t.variant[v].name, g->r.variant[v].name);
		assert_non_null(strstr(t.variant[v].reason, g->bk[v])); /* the reason names its source */
		const char *want[3] = { m->lcm, m->touch, cid };
		for (unsigned c = 0; c < UNIFW_PROBE_COMPONENTS; c++) {
			const char *i2c[1] = { m->touch };
			int chosen = unifw_probe_table_choose(&t, (enum unifw_probe_component)c, m->lcm, i2c, 1, cid);
			assert_int_equal(chosen, (int)v);
			bool found = false;
			for (size_t i = 0; i < t.match_count; i++)
				found |= t.match[i].variant == v && t.match[i].component == c && !strcmp(t.match[i].key, want[c]);
			if (!found)
				fail_msg("%s: no %s match line with key %s", models[v],
					 unifw_probe_component_name((enum unifw_probe_component)c), want[c]);
		}
		assert_string_equal(g->r.variant[v].lcm, m->lcm);
		assert_string_equal(g->r.variant[v].touch, m->touch);
		assert_string_equal(g->r.variant[v].cid_prefix, cid);
	}
	assert_int_equal(t.bind_count, g->r.table.bind_count);
	assert_true(t.bind_count > 0);
	for (size_t i = 0; i < t.bind_count; i++) /* the kernel is the base's: never a phone's module */
		assert_true(strncmp(t.bind[i].path, "lib/modules/", 12) != 0);
	unifw_probe_table_free(&t);
	unifw_ramdisk_free(&rd);
	unifw_bootimg_free(&ob);
	unifw_bootimg_free(&bb);
	free(o);
	free(b);
}

/* Every bound file is the phone's, under /unifw/<variant>/; every target the base lacks is an empty placeholder. */
static void test_system_image(void **state)
{
	(void)state;
	built();
	char p[1000];
	struct img out, base, ph[2];
	snprintf(p, sizeof p, "%s/system.img", g->out);
	img_open(&out, p, "out_system");
	snprintf(p, sizeof p, "%s/system.img", g->base);
	img_open(&base, p, "base_system");
	for (size_t i = 0; i < 2; i++) {
		snprintf(p, sizeof p, "%s/system.img", g->bk[i]);
		img_open(&ph[i], p, models[i]);
	}
	const struct unifw_probe_table *t = &g->r.table;
	size_t per[2][UNIFW_PROBE_COMPONENTS] = { { 0 } }, placeholders = 0;
	for (size_t i = 0; i < t->bind_count; i++) {
		const struct unifw_probe_bind *b = &t->bind[i];
		char src[400], dst[500];
		snprintf(src, sizeof src, "/%s", b->path);
		snprintf(dst, sizeof dst, "/unifw/%s/%s", t->variant[b->variant].name, b->path);
		uint8_t *x = NULL, *y = NULL;
		size_t xl = 0, yl = 0;
		struct unifw_error err = { 0 };
		assert_int_equal(unifw_ext4_read_file(ph[b->variant].fs, src, UNIFW_EXT4_MAX_FILE, &x, &xl, &err), 0);
		if (unifw_ext4_read_file(out.fs, dst, UNIFW_EXT4_MAX_FILE, &y, &yl, &err))
			fail_msg("OUT's system has no %s: %s", dst, err.msg);
		assert_int_equal(xl, yl);
		assert_memory_equal(x, y, xl);
		struct unifw_ext4_stat a, c;
		assert_int_equal(unifw_ext4_lstat(ph[b->variant].fs, src, &a, &err), 0);
		assert_int_equal(unifw_ext4_lstat(out.fs, dst, &c, &err), 0);
		assert_int_equal(a.mode & 07777, c.mode & 07777);
		assert_int_equal(a.uid, c.uid);
		assert_int_equal(a.gid, c.gid);
		free(x);
		free(y);
		per[b->variant][b->component]++;
		struct unifw_ext4_stat bs, os;
		if (unifw_ext4_lstat(base.fs, src, &bs, NULL) != 0) { /* a placeholder: there, empty, root 0644 */
			assert_int_equal(unifw_ext4_lstat(out.fs, src, &os, &err), 0);
			assert_int_equal(os.size, 0);
			assert_int_equal(os.mode & 07777, 0644);
			assert_int_equal(os.uid, 0);
			placeholders++;
		}
	}
	for (size_t v = 0; v < 2; v++)
		for (unsigned c = 0; c < UNIFW_PROBE_COMPONENTS; c++)
			assert_int_equal(per[v][c], g->r.variant[v].files[c]);
	assert_true(placeholders > 0);
	assert_true(placeholders >= g->r.placeholder_count);
	/* the phone's label stays on its overlay file; a placeholder takes the label of the base's files there */
	uint8_t *lab = NULL;
	size_t vl = 0;
	struct unifw_error err = { 0 };
	snprintf(p, sizeof p, "/unifw/%s/usr/idc/ft5206.idc", t->variant[0].name);
	assert_int_equal(unifw_ext4_get_xattr(out.fs, p, "security.selinux", &lab, &vl, &err), 0);
	assert_true(vl >= strlen(PHONE_LABEL) && !memcmp(lab, PHONE_LABEL, strlen(PHONE_LABEL)));
	free(lab);
	struct unifw_ext4_stat ist;
	assert_int_equal(unifw_ext4_lstat(out.fs, p, &ist, &err), 0);
	assert_int_equal(ist.mode & 07777, 0640);
	assert_int_equal(ist.uid, 1000);
	assert_int_equal(unifw_ext4_get_xattr(out.fs, "/etc/firmware/ft5206_fw.bin", "security.selinux", &lab, &vl, &err), 0);
	assert_true(vl >= strlen(BASE_LABEL) && !memcmp(lab, BASE_LABEL, strlen(BASE_LABEL)));
	free(lab);
	/* the phones' own kernel modules stay out: the kernel is the base's */
	for (size_t v = 0; v < 2; v++) {
		snprintf(p, sizeof p, "/unifw/%s/lib/modules", t->variant[v].name);
		struct unifw_ext4_stat st;
		assert_int_not_equal(unifw_ext4_lstat(out.fs, p, &st, NULL), 0);
	}
	/* it fits the smaller ANDROID, and e2fsck finds it clean */
	struct stat rs;
	assert_int_equal(stat(out.raw, &rs), 0);
	uint64_t min = g->r.variant[0].android_size < g->r.variant[1].android_size ? g->r.variant[0].android_size
											: g->r.variant[1].android_size;
	assert_int_equal(g->r.min_android, min);
	assert_true((uint64_t)rs.st_size <= min);
	char cmd[1200], *o = NULL;
	snprintf(cmd, sizeof cmd, E2 "e2fsck -fn '%s' 2>&1", out.raw);
	int rc = test_run(cmd, &o);
	if (rc != 0)
		fail_msg("e2fsck -fn: %d\n%s", rc, o ? o : "");
	free(o);
	img_close(&out);
	img_close(&base);
	for (size_t i = 0; i < 2; i++)
		img_close(&ph[i]);
}

/* OUT's scatter downloads the base's Android only; universal.json is the result. */
static void test_scatter(void **state)
{
	(void)state;
	built();
	char p[1400];
	snprintf(p, sizeof p, "%s/MT6572_Android_scatter.txt", g->out);
	assert_string_equal(g->r.scatter, p);
	struct unifw_scatter sc;
	struct unifw_error err = { 0 };
	assert_int_equal(unifw_scatter_load(p, &sc, &err), 0);
	size_t down = 0;
	for (size_t i = 0; i < sc.count; i++) {
		const struct unifw_scatter_part *x = &sc.parts[i];
		bool want = !strcmp(x->name, "BOOTIMG") || !strcmp(x->name, "ANDROID") || !strcmp(x->name, "CACHE");
		if (x->is_download != want)
			fail_msg("%s: is_download %d", x->name, x->is_download);
		if (!want)
			assert_string_equal(x->file_name, "NONE");
		else {
			snprintf(p, sizeof p, "%s/%s", g->out, x->file_name);
			assert_int_equal(access(p, R_OK), 0);
			down++;
		}
	}
	assert_int_equal(down, 3);
	assert_int_equal(g->r.downloaded_count, 3);
	unifw_scatter_free(&sc);
	/* nothing else: no preloader, LK, logo, table or identity image */
	const char *never[] = { "lk.bin", "logo.bin", "MBR", "EBR1", "recovery.img", "nvram.bin", "userdata.img",
				"manifest.json" };
	for (size_t i = 0; i < sizeof never / sizeof never[0]; i++) {
		snprintf(p, sizeof p, "%s/%s", g->out, never[i]);
		assert_int_not_equal(access(p, F_OK), 0);
	}
	size_t jl = 0;
	char *js = (char *)out_file("universal.json", &jl);
	assert_non_null(strstr(js, "\"type\": \"universal\""));
	assert_non_null(strstr(js, "\"verdict\": \"built\""));
	assert_non_null(strstr(js, g->r.variant[1].name));
	free(js);
}

/* A base whose kernel lacks the phones' drivers: refused, naming them; no OUT, no temporary folder. */
static void test_refused(void **state)
{
	(void)state;
	char out[1000];
	snprintf(out, sizeof out, "%s/OUT-refused", g->dir);
	const char *phones[2] = { g->bk[1], g->bk[0] };
	struct unifw_univ_opts o = { .base = g->stock, .phones = phones, .phone_count = 2, .out_dir = out };
	struct unifw_univ_result r;
	struct unifw_error err = { 0 };
	assert_int_equal(unifw_univ_build(&o, &r, &err), 0);
	assert_string_equal(r.verdict, "refused");
	bool lcm[2] = { false, false }, touch[2] = { false, false }, sys = false;
	for (size_t v = 0; v < 2; v++) {
		const struct sim_model *m = sim_model_find(models[v]);
		for (size_t i = 0; i < r.refusal_count; i++) {
			lcm[v] |= strstr(r.refusal[i], m->lcm) && strstr(r.refusal[i], "LCM") && strstr(r.refusal[i], g->bk[v]);
			touch[v] |= strstr(r.refusal[i], m->touch) && strstr(r.refusal[i], "touch") && strstr(r.refusal[i], g->bk[v]);
		}
	}
	/* the a516-like's kernel mounts /system from mmcblk0p5: the wiko-like's CACHE */
	for (size_t i = 0; i < r.refusal_count; i++)
		sys |= strstr(r.refusal[i], "mounts /system from mmcblk0p5") && strstr(r.refusal[i], g->bk[0]) &&
		       strstr(r.refusal[i], "its ANDROID is mmcblk0p4");
	for (size_t i = 0; i < r.refusal_count; i++)
		print_message("refusal: %s\n", r.refusal[i]);
	assert_true(lcm[0] && touch[0] && lcm[1] && touch[1] && sys);
	unifw_univ_result_free(&r);
	assert_int_not_equal(access(out, F_OK), 0);
	char cmd[1200], *ls = NULL;
	snprintf(cmd, sizeof cmd, "ls '%s' | grep -c 'unifw-' || true", g->dir);
	test_run(cmd, &ls);
	assert_int_equal(atoi(ls ? ls : "1"), 0);
	free(ls);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_boot_image),
		cmocka_unit_test(test_system_image),
		cmocka_unit_test(test_scatter),
		cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
