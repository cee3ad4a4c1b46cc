/* unifw port, the system image (port.h unifw_port_system, unifw_port_fit_image): the virtual phone's factory
 * builds the universal package and the a516-like's stock package; the a516-like's system partition (expanded to
 * raw, as `unifw backup` saves it) is the phone, given its own touches with debugfs (an SELinux label, an owner,
 * a changed keylayout); the universal system.img (sparse) is the base, with a label on the keylayout the port
 * replaces. Then: the phone's files are in the result with the phone's bytes and owner, a replaced file keeps the
 * base's inode and label, the modem joins only with take_modem, build.prop takes ro.product.board and never
 * ro.build.*, sparse stays sparse and raw stays raw, a system larger than the partition is shrunk (e2fsck -fn
 * clean) and an impossible fit is refused with the numbers. The base file is never written. */
#include "testutil.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "firmware/factory.h"
#include "firmware/model.h"
#include "unifw/ext4.h"
#include "unifw/io.h"
#include "unifw/port.h"
#include "unifw/sparse.h"

#define MIB (1ull << 20)
#define E2 "PATH=$PATH:/usr/sbin:/sbin "
#define BASE_LABEL "u:object_r:base_kl_file:s0"
#define PHONE_LABEL "u:object_r:phone_idc_file:s0"

static const char new_kpd[] = "# the phone's own keypad\nkey 114   VOLUME_DOWN\nkey 115   VOLUME_UP\nkey 116   POWER  WAKE\n"
			      "key 212   CAMERA\n";

struct fx {
	char *dir;
	char uni[900], a516[900];     /* packages */
	char base[900];               /* universal system.img (sparse) with a label on mtk-kpd.kl */
	char base_raw[900];           /* the same, raw */
	char phone[900];              /* a516-like system partition, raw, with the phone's touches */
	char out[900];
	char board[64];               /* the a516-like's ro.product.board */
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

static void expand(const char *sparse, const char *raw)
{
	struct unifw_stream s;
	struct unifw_error err = { 0 };
	assert_int_equal(unifw_stream_open_file(&s, sparse, &err), 0);
	assert_int_equal(unifw_sparse_expand_file(&s, raw, &err), 0);
	unifw_stream_close(&s);
}

/* debugfs -w with commands (one per line) on a raw image. */
static void debugfs(const char *img, const char *cmds)
{
	char file[1000], cmd[3000];
	snprintf(file, sizeof file, "%s/debugfs.cmds", g->dir);
	test_write_file(file, cmds, strlen(cmds));
	snprintf(cmd, sizeof cmd, E2 "debugfs -w -f '%s' '%s' 2>&1", file, img);
	run_ok(cmd);
}

static int group_setup(void **state)
{
	(void)state;
	g = calloc(1, sizeof *g);
	g->dir = test_mkdtemp();
	setenv("TMPDIR", g->dir, 1); /* temp files of the fit land here: the tests see that none is left */
	struct unifw_error err = { 0 };
	struct sim_factory_opts opts = { .seed = 1 };
	const struct sim_model *m = sim_model_find("a516-like");
	assert_non_null(m);
	snprintf(g->board, sizeof g->board, "%s", m->stock->board);
	snprintf(g->uni, sizeof g->uni, "%s/uni", g->dir);
	snprintf(g->a516, sizeof g->a516, "%s/a516", g->dir);
	if (sim_factory_make(sim_firmware_universal(), NULL, g->uni, &opts, &err) ||
	    sim_factory_make(m->stock, m, g->a516, &opts, &err)) {
		print_message("SKIP: the factory could not build the packages: %s\n", err.msg);
		return -1;
	}
	char path[1000], cmds[2000];
	/* the phone: the a516-like's system partition with a keypad layout of its own and a labelled idc */
	snprintf(path, sizeof path, "%s/system.img", g->a516);
	snprintf(g->phone, sizeof g->phone, "%s/phone_system.img", g->dir);
	expand(path, g->phone);
	snprintf(path, sizeof path, "%s/kpd.kl", g->dir);
	test_write_file(path, new_kpd, strlen(new_kpd));
	snprintf(cmds, sizeof cmds,
		 "rm /usr/keylayout/mtk-kpd.kl\nwrite %s /usr/keylayout/mtk-kpd.kl\n"
		 "sif /usr/idc/gt9xx.idc mode 0100640\nsif /usr/idc/gt9xx.idc uid 1000\nsif /usr/idc/gt9xx.idc gid 1001\n"
		 "ea_set /usr/idc/gt9xx.idc security.selinux " PHONE_LABEL "\n",
		 path);
	debugfs(g->phone, cmds);
	/* the base: universal system.img with an SELinux label on the keylayout the port replaces */
	snprintf(path, sizeof path, "%s/system.img", g->uni);
	snprintf(g->base_raw, sizeof g->base_raw, "%s/base_system.raw", g->dir);
	expand(path, g->base_raw);
	debugfs(g->base_raw, "ea_set /usr/keylayout/mtk-kpd.kl security.selinux " BASE_LABEL "\n");
	snprintf(g->base, sizeof g->base, "%s/base_system.img", g->dir);
	struct unifw_sparse_write_opts so = { .block_size = 4096 };
	assert_int_equal(unifw_sparse_write_file(g->base_raw, g->base, &so, NULL, &err), 0);
	snprintf(g->out, sizeof g->out, "%s/out_system.img", g->dir);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	test_rmtree(g->dir);
	free(g->dir);
	free(g);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(g->out);
	return 0;
}

/* ------------------------------------------------------------------ helpers */

/* The rules the tests port with: the shape of data/port.rules' system and prop rules. */
static const struct unifw_port_rule rule_table[] = {
	{ .scope = UNIFW_PORT_SCOPE_SYSTEM, .take = UNIFW_PORT_TAKE_PHONE_IF_MODEM, .pattern = "etc/firmware/modem_*.img",
	  .id = "system-modem", .reason = "the modem the phone's kernel accepts" },
	{ .scope = UNIFW_PORT_SCOPE_SYSTEM, .take = UNIFW_PORT_TAKE_PHONE_IF_MODEM, .pattern = "etc/mddb/*",
	  .id = "system-mddb", .reason = "the modem's database" },
	{ .scope = UNIFW_PORT_SCOPE_SYSTEM, .take = UNIFW_PORT_TAKE_PHONE, .pattern = "etc/firmware/*",
	  .id = "system-firmware", .reason = "touch firmware of the phone's panel" },
	{ .scope = UNIFW_PORT_SCOPE_SYSTEM, .take = UNIFW_PORT_TAKE_PHONE, .pattern = "usr/keylayout/*.kl",
	  .id = "system-keylayout", .reason = "key codes of the phone's keypad" },
	{ .scope = UNIFW_PORT_SCOPE_SYSTEM, .take = UNIFW_PORT_TAKE_PHONE, .pattern = "usr/idc/*.idc",
	  .id = "system-idc", .reason = "the phone's touch screen configuration" },
	{ .scope = UNIFW_PORT_SCOPE_SYSTEM, .take = UNIFW_PORT_TAKE_PHONE, .pattern = "etc/wifi/*",
	  .id = "system-wifi", .reason = "WiFi configuration of the phone's chip" },
	{ .scope = UNIFW_PORT_SCOPE_PROP, .take = UNIFW_PORT_TAKE_PHONE, .pattern = "ro.product.board",
	  .id = "prop-board", .reason = "the board the phone's drivers are built for" },
	/* a careless rule: ro.build.* must stay the base's anyway */
	{ .scope = UNIFW_PORT_SCOPE_PROP, .take = UNIFW_PORT_TAKE_PHONE, .pattern = "ro.build.*",
	  .id = "prop-build", .reason = "a rule port must not obey" },
};

static const struct unifw_port_rules rules = { (struct unifw_port_rule *)rule_table,
					       sizeof rule_table / sizeof *rule_table };

struct img {
	struct unifw_stream file, view_stream;
	struct unifw_sparse_view *view;
	struct unifw_ext4 *fs;
	bool sparse;
};

static void img_open(struct img *m, const char *path)
{
	struct unifw_error err = { 0 };
	uint8_t head[4];
	memset(m, 0, sizeof *m);
	assert_int_equal(unifw_stream_open_file(&m->file, path, &err), 0);
	assert_int_equal(m->file.pread(m->file.ctx, head, 4, 0, &err), 0);
	m->sparse = head[0] == 0x3A && head[1] == 0xFF && head[2] == 0x26 && head[3] == 0xED;
	struct unifw_stream *s = &m->file;
	if (m->sparse) {
		assert_int_equal(unifw_sparse_view_open(&m->file, &m->view, &err), 0);
		unifw_sparse_view_stream(m->view, &m->view_stream);
		s = &m->view_stream;
	}
	assert_int_equal(unifw_ext4_open(s, &m->fs, &err), 0);
}

static void img_close(struct img *m)
{
	unifw_ext4_close(m->fs);
	if (m->view) {
		unifw_stream_close(&m->view_stream); /* the stream's own context, then the view */
		unifw_sparse_view_close(m->view);
	}
	unifw_stream_close(&m->file);
}

static uint8_t *img_read(struct img *m, const char *path, size_t *len)
{
	struct unifw_error err = { 0 };
	uint8_t *b = NULL;
	assert_int_equal(unifw_ext4_read_file(m->fs, path, UNIFW_EXT4_MAX_FILE, &b, len, &err), 0);
	return b;
}

static void assert_same_file(struct img *a, struct img *b, const char *path)
{
	size_t la, lb;
	uint8_t *x = img_read(a, path, &la), *y = img_read(b, path, &lb);
	assert_int_equal(la, lb);
	assert_memory_equal(x, y, la);
	free(x);
	free(y);
}

static uint32_t inode_of(struct img *m, const char *dir, const char *name)
{
	struct unifw_ext4_dirent *e = NULL;
	size_t n = 0;
	struct unifw_error err = { 0 };
	uint32_t ino = 0;
	assert_int_equal(unifw_ext4_list_dir(m->fs, dir, 10000, &e, &n, NULL, &err), 0);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(e[i].name, name))
			ino = e[i].inode;
	free(e);
	assert_true(ino != 0);
	return ino;
}

static void assert_label(struct img *m, const char *path, const char *label)
{
	uint8_t *v = NULL;
	size_t l = 0;
	struct unifw_error err = { 0 };
	assert_int_equal(unifw_ext4_get_xattr(m->fs, path, "security.selinux", &v, &l, &err), 0);
	assert_int_equal(l, strlen(label));
	assert_memory_equal(v, label, l);
	free(v);
}

/* The value of key in the image's /build.prop ("" when absent). */
static void prop_of(struct img *m, const char *key, char *out, size_t cap)
{
	size_t len;
	char *t = (char *)img_read(m, "/build.prop", &len), pat[160];
	snprintf(pat, sizeof pat, "\n%s=", key);
	out[0] = 0;
	char *p = memmem(t, len, pat, strlen(pat));
	if (p) {
		p += strlen(pat);
		size_t n = strcspn(p, "\n");
		snprintf(out, cap, "%.*s", (int)n, p);
	}
	free(t);
}

static const struct unifw_port_change *find_change(const struct unifw_port_report *r, const char *path,
						    const char *action)
{
	for (size_t i = 0; i < r->count; i++)
		if (!strcmp(r->items[i].path, path) && (!action || !strcmp(r->items[i].action, action)))
			return &r->items[i];
	return NULL;
}

static size_t count_changes(const struct unifw_port_report *r, const char *path)
{
	size_t n = 0;
	for (size_t i = 0; i < r->count; i++)
		n += !strcmp(r->items[i].path, path);
	return n;
}

static void assert_fsck_clean(const char *img)
{
	char raw[1000], cmd[2200], *out = NULL;
	struct img m;
	img_open(&m, img);
	bool sparse = m.sparse;
	img_close(&m);
	snprintf(raw, sizeof raw, "%s.fsck.raw", img);
	if (sparse)
		expand(img, raw);
	snprintf(cmd, sizeof cmd, E2 "e2fsck -fn '%s' 2>&1", sparse ? raw : img);
	int rc = test_run(cmd, &out);
	if (rc != 0)
		print_message("e2fsck: %s\n", out ? out : "");
	assert_int_equal(rc, 0);
	free(out);
	if (sparse)
		unlink(raw);
}

static char *sha_of(const char *path)
{
	char cmd[1100], *out = NULL;
	snprintf(cmd, sizeof cmd, "sha256sum '%s' | cut -c1-64", path);
	assert_int_equal(test_run(cmd, &out), 0);
	return out;
}

static uint64_t expanded_size(const char *path)
{
	struct img m;
	img_open(&m, path);
	uint64_t size = m.sparse ? unifw_sparse_view_size(m.view) : m.file.size;
	img_close(&m);
	return size;
}

/* No temp file of port_fit / port_system left in the test folder (the TMPDIR too). */
static void assert_no_temps(void)
{
	DIR *d = opendir(g->dir);
	assert_non_null(d);
	struct dirent *e;
	while ((e = readdir(d)))
		if (strstr(e->d_name, ".tmp.") || strstr(e->d_name, "unifw-fit-") || strstr(e->d_name, ".edited"))
			fail_msg("temp file left: %s", e->d_name);
	closedir(d);
}

static int port_with(const struct unifw_port_rules *r, const char *base, uint64_t partition, bool take_modem,
		     struct unifw_port_report *rep, struct unifw_error *err)
{
	struct unifw_stream phone;
	assert_int_equal(unifw_stream_open_file(&phone, g->phone, err), 0);
	struct unifw_port_system_in in = { .base_path = base, .phone = &phone, .partition_size = partition,
					   .rules = r, .take_modem = take_modem, .out_path = g->out,
					   .partition = "ANDROID" };
	unifw_port_report_init(rep);
	int rc = unifw_port_system(&in, rep, err);
	unifw_stream_close(&phone);
	return rc;
}

static int port(const char *base, uint64_t partition, bool take_modem, struct unifw_port_report *rep,
		struct unifw_error *err)
{
	return port_with(&rules, base, partition, take_modem, rep, err);
}

/* ------------------------------------------------------------------ tests */

/* The phone's idc, touch firmware and keylayout in the universal base; the rest the base's. */
static void test_phone_files_into_base(void **state)
{
	(void)state;
	struct unifw_port_report rep;
	struct unifw_error err = { 0 };
	char *sha_before = sha_of(g->base);
	assert_int_equal(port(g->base, 160 * MIB, false, &rep, &err), 0);
	char *sha_after = sha_of(g->base);
	assert_string_equal(sha_before, sha_after); /* the base is never written */
	free(sha_before);
	free(sha_after);

	struct img out, phone, base;
	img_open(&out, g->out);
	img_open(&phone, g->phone);
	img_open(&base, g->base);
	assert_true(out.sparse); /* sparse in, sparse out */
	assert_int_equal(unifw_sparse_view_size(out.view), unifw_sparse_view_size(base.view));

	/* added: the phone's bytes, mode, owner and SELinux label */
	assert_same_file(&out, &phone, "/usr/idc/gt9xx.idc");
	assert_same_file(&out, &phone, "/etc/firmware/gt9xx_fw.bin");
	struct unifw_ext4_stat st;
	assert_int_equal(unifw_ext4_lstat(out.fs, "/usr/idc/gt9xx.idc", &st, &err), 0);
	assert_int_equal(st.mode & 07777, 0640);
	assert_int_equal(st.uid, 1000);
	assert_int_equal(st.gid, 1001);
	assert_label(&out, "/usr/idc/gt9xx.idc", PHONE_LABEL);
	assert_non_null(find_change(&rep, "usr/idc/gt9xx.idc", UNIFW_PORT_ACT_ADDED));
	assert_non_null(find_change(&rep, "etc/firmware/gt9xx_fw.bin", UNIFW_PORT_ACT_ADDED));

	/* replaced: the phone's bytes in the base's inode, with the base's label */
	assert_same_file(&out, &phone, "/usr/keylayout/mtk-kpd.kl");
	assert_int_equal(inode_of(&out, "/usr/keylayout", "mtk-kpd.kl"), inode_of(&base, "/usr/keylayout", "mtk-kpd.kl"));
	assert_label(&out, "/usr/keylayout/mtk-kpd.kl", BASE_LABEL);
	const struct unifw_port_change *c = find_change(&rep, "usr/keylayout/mtk-kpd.kl", UNIFW_PORT_ACT_REPLACED);
	assert_non_null(c);
	assert_string_equal(c->rule, "system-keylayout");
	assert_string_equal(c->partition, "ANDROID");

	/* identical files: no change, no line; the base's own touch files stay */
	assert_null(find_change(&rep, "usr/keylayout/ACCDET.kl", NULL));
	assert_null(find_change(&rep, "usr/idc/mtk-tpd.idc", NULL));
	assert_same_file(&out, &base, "/usr/idc/ft6x06.idc");

	/* a rule whose files the phone lacks: said once; a modem rule without take_modem: nothing */
	c = find_change(&rep, "etc/wifi/*", UNIFW_PORT_ACT_KEPT);
	assert_non_null(c);
	assert_string_equal(c->rule, "system-wifi");
	assert_null(find_change(&rep, "etc/mddb/*", NULL));

	/* the modem: the base's without take_modem (and the report says why) */
	assert_same_file(&out, &base, "/etc/firmware/modem_1_wg_n.img");
	c = find_change(&rep, "etc/firmware/modem_1_wg_n.img", NULL);
	assert_non_null(c);
	assert_string_equal(c->action, UNIFW_PORT_ACT_BASE);

	/* build.prop: the phone's board, the base's build */
	char v[256], want[256];
	prop_of(&out, "ro.product.board", v, sizeof v);
	assert_string_equal(v, g->board);
	prop_of(&out, "ro.build.display.id", v, sizeof v);
	prop_of(&base, "ro.build.display.id", want, sizeof want);
	assert_string_equal(v, want);
	prop_of(&out, "ro.product.model", v, sizeof v);
	prop_of(&base, "ro.product.model", want, sizeof want);
	assert_string_equal(v, want); /* no rule names it */
	c = find_change(&rep, "build.prop", NULL);
	assert_non_null(c);
	assert_non_null(strstr(c->reason, "ro.product.board"));
	assert_non_null(strstr(c->reason, g->board));
	for (size_t i = 0; i < rep.count; i++)
		assert_null(strstr(rep.items[i].reason, "ro.build."));
	img_close(&out);
	img_close(&phone);
	img_close(&base);
	assert_fsck_clean(g->out);
	assert_no_temps();
	unifw_port_report_free(&rep);
}

/* take_modem: the phone's modem (and its database) replace the base's. */
static void test_modem_with_take_modem(void **state)
{
	(void)state;
	struct unifw_port_report rep;
	struct unifw_error err = { 0 };
	assert_int_equal(port(g->base, 160 * MIB, true, &rep, &err), 0);
	struct img out, phone;
	img_open(&out, g->out);
	img_open(&phone, g->phone);
	assert_same_file(&out, &phone, "/etc/firmware/modem_1_wg_n.img");
	const struct unifw_port_change *c = find_change(&rep, "etc/firmware/modem_1_wg_n.img", NULL);
	assert_non_null(c);
	assert_string_equal(c->action, UNIFW_PORT_ACT_REPLACED);
	assert_string_equal(c->rule, "system-modem");
	/* found by the walks of two rules (the modem and the touch firmware): decided once */
	assert_int_equal(count_changes(&rep, "etc/firmware/modem_1_wg_n.img"), 1);
	img_close(&out);
	img_close(&phone);
	assert_fsck_clean(g->out);
	unifw_port_report_free(&rep);
}

/* A raw base gives a raw result of the same size. */
static void test_raw_base_raw_out(void **state)
{
	(void)state;
	struct unifw_port_report rep;
	struct unifw_error err = { 0 };
	assert_int_equal(port(g->base_raw, 160 * MIB, false, &rep, &err), 0);
	struct img out, phone;
	img_open(&out, g->out);
	img_open(&phone, g->phone);
	assert_false(out.sparse);
	assert_int_equal(out.file.size, 128 * MIB);
	assert_same_file(&out, &phone, "/usr/idc/gt9xx.idc");
	img_close(&out);
	img_close(&phone);
	assert_fsck_clean(g->out);
	unifw_port_report_free(&rep);
}

/* The a516-like's own 160 MiB system as the base of a 144 MiB ANDROID (the wiko-like's): shrunk, still sparse. */
static void test_system_shrunk_to_partition(void **state)
{
	(void)state;
	struct unifw_port_report rep;
	struct unifw_error err = { 0 };
	char base[1000];
	snprintf(base, sizeof base, "%s/system.img", g->a516);
	assert_int_equal(expanded_size(base), 160 * MIB);
	assert_int_equal(port(base, 144 * MIB, false, &rep, &err), 0);
	assert_int_equal(expanded_size(g->out), 144 * MIB);
	struct img out, phone;
	img_open(&out, g->out);
	img_open(&phone, g->phone);
	assert_true(out.sparse);
	assert_same_file(&out, &phone, "/usr/keylayout/mtk-kpd.kl");
	img_close(&out);
	img_close(&phone);
	const struct unifw_port_change *c = find_change(&rep, "", UNIFW_PORT_ACT_SHRUNK);
	assert_non_null(c);
	assert_true(!strncmp(c->reason, "system.img: ", 12)); /* the base's name, not an intermediate file's */
	assert_non_null(strstr(c->reason, "160 MiB"));
	assert_non_null(strstr(c->reason, "144 MiB"));
	assert_fsck_clean(g->out);
	assert_no_temps();
	unifw_port_report_free(&rep);
}

/* unifw_port_fit_image alone: a fitting sparse image is copied byte for byte; a raw one shrunk stays raw. */
static void test_fit_copy_and_raw_shrink(void **state)
{
	(void)state;
	struct unifw_port_report rep;
	struct unifw_error err = { 0 };
	unifw_port_report_init(&rep);
	assert_int_equal(unifw_port_fit_image(g->base, 144 * MIB, g->out, "ANDROID", &rep, &err), 0);
	char *a = sha_of(g->base), *b = sha_of(g->out);
	assert_string_equal(a, b);
	free(a);
	free(b);
	assert_int_equal(rep.count, 0); /* nothing to say: the caller reports the partition */

	char raw[1000];
	snprintf(raw, sizeof raw, "%s/a516_system.raw", g->dir);
	snprintf(b = calloc(1, 1000), 1000, "%s/system.img", g->a516);
	expand(b, raw);
	free(b);
	assert_int_equal(unifw_port_fit_image(raw, 100 * MIB, g->out, "ANDROID", &rep, &err), 0);
	struct img out;
	img_open(&out, g->out);
	assert_false(out.sparse);
	assert_int_equal(out.file.size, 100 * MIB);
	struct unifw_ext4_super sb;
	unifw_ext4_get_super(out.fs, &sb);
	assert_int_equal(sb.blocks * sb.block_size, 100 * MIB);
	img_close(&out);
	assert_fsck_clean(g->out);
	assert_int_equal(rep.count, 1);
	assert_string_equal(rep.items[0].action, UNIFW_PORT_ACT_SHRUNK);
	unlink(raw);
	assert_no_temps();
	unifw_port_report_free(&rep);
}

/* Too small for the data: UNIFW_E_TOO_BIG saying by how much; nothing written, no temp left. A file that is not
 * ext4 cannot be shrunk: refused with its sizes. */
static void test_fit_impossible(void **state)
{
	(void)state;
	struct unifw_port_report rep;
	struct unifw_error err = { 0 };
	unifw_port_report_init(&rep);
	assert_int_equal(unifw_port_fit_image(g->base, 4 * MIB, g->out, "ANDROID", &rep, &err), UNIFW_E_TOO_BIG);
	print_message("refusal: %s\n", err.msg);
	assert_string_equal(err.where, "ANDROID");
	assert_non_null(strstr(err.msg, "base_system.img needs "));
	assert_non_null(strstr(err.msg, "in use), the partition has 4 MiB: "));
	assert_non_null(strstr(err.msg, " over"));
	assert_int_equal(access(g->out, F_OK), -1);
	assert_int_equal(rep.count, 0);
	assert_no_temps();

	char junk[1000];
	snprintf(junk, sizeof junk, "%s/logo.bin", g->dir);
	uint8_t *b = calloc(1, 3 * MIB);
	memset(b + 4096, 0x5A, MIB);
	test_write_file(junk, b, 3 * MIB);
	free(b);
	assert_int_equal(unifw_port_fit_image(junk, 2 * MIB, g->out, "LOGO", &rep, &err), UNIFW_E_TOO_BIG);
	assert_non_null(strstr(err.msg, "logo.bin is 3 MiB, the partition has 2 MiB: 1 MiB over"));
	assert_non_null(strstr(err.msg, "ext4"));
	assert_int_equal(access(g->out, F_OK), -1);
	unlink(junk);
	assert_no_temps();
	unifw_port_report_free(&rep);
}

/* A hostile image: a superblock claiming more blocks than the image holds is refused before any tool runs. */
static void test_fit_hostile_superblock(void **state)
{
	(void)state;
	struct unifw_port_report rep;
	struct unifw_error err = { 0 };
	unifw_port_report_init(&rep);
	char bad[1000];
	snprintf(bad, sizeof bad, "%s/bad.raw", g->dir);
	size_t len;
	uint8_t *head = test_read_file(g->base_raw, &len); /* 128 MiB, holes read as zeros */
	assert_non_null(head);
	/* s_blocks_count_lo at superblock + 4: 4x the blocks the image has */
	uint32_t blocks = (uint32_t)(len / 4096 * 4);
	memcpy(head + 1024 + 4, &blocks, 4);
	test_write_file(bad, head, len);
	free(head);
	assert_int_equal(unifw_port_fit_image(bad, 64 * MIB, g->out, "ANDROID", &rep, &err), UNIFW_E_TRUNCATED);
	assert_non_null(strstr(err.msg, "superblock says"));
	assert_int_equal(access(g->out, F_OK), -1);
	unlink(bad);
	assert_no_temps();
	unifw_port_report_free(&rep);
}

/* A base that cannot take the phone's files in its partition: the fit's refusal reaches the caller. */
static void test_system_impossible_fit(void **state)
{
	(void)state;
	struct unifw_port_report rep;
	struct unifw_error err = { 0 };
	assert_int_equal(port(g->base, 4 * MIB, false, &rep, &err), UNIFW_E_TOO_BIG);
	assert_non_null(strstr(err.msg, "the partition has 4 MiB"));
	assert_int_equal(access(g->out, F_OK), -1);
	assert_no_temps();
	unifw_port_report_free(&rep);
}

/* The memory bound: a 1 GiB system image (96 MiB of files: more than the bound, so a program that loaded
 * them would fail) ported in a child process whose peak RSS (wait4) stays under 64 MiB. */
static void test_peak_rss_1gib(void **state)
{
	(void)state;
	char cmd[4000], raw[1000], base[1000];
	snprintf(raw, sizeof raw, "%s/big_system.raw", g->dir);
	snprintf(base, sizeof base, "%s/big_system.img", g->dir);
	snprintf(cmd, sizeof cmd,
		 "cd '%s' && rm -rf big && mkdir -p big/app big/lib big/usr/keylayout && printf 'ro.product.board=big\\n' >"
		 " big/build.prop && head -c 50331648 /dev/urandom > big/app/Big.apk && head -c 50331648 /dev/urandom >"
		 " big/lib/libbig.so && truncate -s 1G '%s' && " E2 "mke2fs -q -F -t ext4 -b 4096 -I 256 -O none,has_journal,"
		 "ext_attr,resize_inode,dir_index,filetype,extent,flex_bg,sparse_super,large_file,huge_file,dir_nlink,"
		 "extra_isize -E root_owner=0:0 -d big '%s' >/dev/null 2>&1 && rm -rf big",
		 g->dir, raw, raw);
	run_ok(cmd);
	struct unifw_error err = { 0 };
	struct unifw_sparse_write_opts so = { .block_size = 4096 };
	assert_int_equal(unifw_sparse_write_file(raw, base, &so, NULL, &err), 0);
	unlink(raw);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		struct unifw_port_report rep;
		struct unifw_error cerr = { 0 };
		int rc = port(base, 1024 * MIB, false, &rep, &cerr);
		if (rc)
			fprintf(stderr, "port: %s: %s\n", cerr.where, cerr.msg);
		_exit(rc == 0 && find_change(&rep, "usr/idc/gt9xx.idc", UNIFW_PORT_ACT_ADDED) ? 0 : 1);
	}
	int st = 0;
	struct rusage ru;
	assert_int_equal(wait4(pid, &st, 0, &ru), pid);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	print_message("peak RSS of unifw_port_system on a 1 GiB system image: %ld KiB\n", ru.ru_maxrss);
#ifndef __SANITIZE_ADDRESS__
	assert_true(ru.ru_maxrss < 64 * 1024);
#else
	/* ASan's shadow memory and its 256 MiB free quarantine count in RSS (170 MiB measured): the bound is the
	 * uninstrumented program's, checked by `make test` and bench/port.sh. */
	assert_true(ru.ru_maxrss < 512 * 1024);
#endif
	assert_int_equal(expanded_size(g->out), 1024 * MIB);
	struct img out;
	img_open(&out, g->out);
	size_t len;
	free(img_read(&out, "/etc/firmware/gt9xx_fw.bin", &len));
	assert_int_equal(len, 16 << 10);
	img_close(&out);
	unlink(base);
}

/* The table built into the program (data/port.rules): the phone's touch and modem files and its board. */
static void test_builtin_rules(void **state)
{
	(void)state;
	struct unifw_port_rules table;
	struct unifw_port_report rep;
	struct unifw_error err = { 0 };
	assert_int_equal(unifw_port_rules_builtin(&table, &err), 0);
	assert_int_equal(port_with(&table, g->base, 160 * MIB, true, &rep, &err), 0);
	struct img out, phone, base;
	img_open(&out, g->out);
	img_open(&phone, g->phone);
	img_open(&base, g->base);
	assert_same_file(&out, &phone, "/usr/idc/gt9xx.idc");
	assert_same_file(&out, &phone, "/etc/firmware/gt9xx_fw.bin");
	assert_same_file(&out, &phone, "/usr/keylayout/mtk-kpd.kl");
	assert_same_file(&out, &phone, "/etc/firmware/modem_1_wg_n.img");
	char v[256], want[256];
	prop_of(&out, "ro.product.board", v, sizeof v);
	assert_string_equal(v, g->board);
	prop_of(&out, "ro.build.display.id", v, sizeof v);
	prop_of(&base, "ro.build.display.id", want, sizeof want);
	assert_string_equal(v, want);
	for (size_t i = 0; i < rep.count; i++) {
		print_message("  %-8s %-40s %-20s %s\n", rep.items[i].action, rep.items[i].path, rep.items[i].rule,
			      rep.items[i].reason);
		assert_string_not_equal(rep.items[i].rule, ""); /* every file decision names its rule */
	}
	img_close(&out);
	img_close(&phone);
	img_close(&base);
	assert_fsck_clean(g->out);
	unifw_port_report_free(&rep);
	unifw_port_rules_free(&table);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_peak_rss_1gib, teardown), /* first: the test process is still small */
		cmocka_unit_test_teardown(test_phone_files_into_base, teardown),
		cmocka_unit_test_teardown(test_modem_with_take_modem, teardown),
		cmocka_unit_test_teardown(test_raw_base_raw_out, teardown),
		cmocka_unit_test_teardown(test_builtin_rules, teardown),
		cmocka_unit_test_teardown(test_system_shrunk_to_partition, teardown),
		cmocka_unit_test_teardown(test_fit_copy_and_raw_shrink, teardown),
		cmocka_unit_test_teardown(test_fit_impossible, teardown),
		cmocka_unit_test_teardown(test_fit_hostile_superblock, teardown),
		cmocka_unit_test_teardown(test_system_impossible_fit, teardown),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
