/* The universal image's probe script (data/unifw-probe.sh, built in as unifw_probe_script_text) run for real
 * under `busybox sh` and under `dash` against fake roots: a table written by unifw_probe_table_write, the
 * signals a phone shows at post-fs-data (/proc/cmdline's lcm=, i2c client names, the eMMC CID), and the
 * record it leaves parsed with unifw_probe_record_parse. Each case checks the variant per component (and
 * that unifw_probe_table_choose, the same rule in C, agrees), the bind lines, the merged build.prop, the
 * fallback with its log line, and hostile or missing inputs. Skips (77) when busybox or dash is missing. */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unifw/probe.h"
#include "unifw/universal.h"

static char *tmp_dir;     /* the test's temp dir */
static char script[1024]; /* the embedded script, written out */
static char table_text_path[1024];
static const char *shell_argv[2][3] = { { "busybox", "sh", NULL }, { "dash", NULL, NULL } };

/* ------------------------------------------------------------------ the table the build would write */

static void add(struct unifw_probe_table *t, char kind, enum unifw_probe_component c, unsigned v, const char *a,
		const char *b)
{
	if (kind == 'm') {
		struct unifw_probe_match *m = &t->match[t->match_count++];
		*m = (struct unifw_probe_match){ .component = c, .variant = v };
		snprintf(m->key, sizeof m->key, "%s", a);
		char vname[UNIFW_PROBE_NAME_MAX];
		memcpy(vname, t->variant[v].name, sizeof vname); /* not formatted from the table into itself */
		snprintf(m->reason, sizeof m->reason, "%s of %s", unifw_probe_component_name(c), vname);
	} else if (kind == 'b') {
		struct unifw_probe_bind *x = &t->bind[t->bind_count++];
		*x = (struct unifw_probe_bind){ .component = c, .variant = v };
		snprintf(x->path, sizeof x->path, "%s", a);
		snprintf(x->reason, sizeof x->reason, "rule %s-files", unifw_probe_component_name(c));
	} else {
		struct unifw_probe_prop *p = &t->prop[t->prop_count++];
		*p = (struct unifw_probe_prop){ .component = c, .variant = v };
		snprintf(p->key, sizeof p->key, "%s", a);
		snprintf(p->value, sizeof p->value, "%s", b);
		snprintf(p->reason, sizeof p->reason, "the phone's %s", a);
	}
}

static void build_table(struct unifw_probe_table *t)
{
	static const char *const names[] = { "a516-like", "wiko-like" };
	unifw_probe_table_init(t);
	t->bind = calloc(UNIFW_PROBE_MAX_BINDS, sizeof *t->bind);
	t->prop = calloc(UNIFW_PROBE_MAX_PROPS, sizeof *t->prop);
	assert_true(t->bind && t->prop);
	for (unsigned c = 0; c < UNIFW_PROBE_COMPONENTS; c++) {
		snprintf(t->signal[c], sizeof t->signal[c], "read at post-fs-data");
		snprintf(t->fallback[c], sizeof t->fallback[c], "the base's %s files stay  (two spaces kept)",
			 unifw_probe_component_name(c));
	}
	for (unsigned v = 0; v < 2; v++) {
		snprintf(t->variant[v].name, sizeof t->variant[v].name, "%s", names[v]);
		snprintf(t->variant[v].reason, sizeof t->variant[v].reason, "backup of %s", names[v]);
	}
	t->variant_count = 2;
	add(t, 'm', UNIFW_PROBE_PANEL, 0, "otm8018b_dsi_vdo", NULL);
	add(t, 'm', UNIFW_PROBE_PANEL, 1, "nt35512_dsi_vdo", NULL);
	add(t, 'm', UNIFW_PROBE_TOUCH, 0, "gt9xx", NULL);
	add(t, 'm', UNIFW_PROBE_TOUCH, 1, "ft5x0x_ts", NULL);
	add(t, 'm', UNIFW_PROBE_BOARD, 0, "150100344731463", NULL);
	add(t, 'm', UNIFW_PROBE_BOARD, 1, "900100484147", NULL);
	add(t, 'b', UNIFW_PROBE_TOUCH, 0, "etc/firmware/gt9xx_fw.bin", NULL);
	add(t, 'b', UNIFW_PROBE_TOUCH, 0, "usr/idc/gt9xx.idc", NULL);
	add(t, 'b', UNIFW_PROBE_TOUCH, 1, "etc/firmware/ft5x0x_ts_fw.bin", NULL);
	add(t, 'b', UNIFW_PROBE_BOARD, 0, "etc/firmware/modem_1_wg_n.img", NULL);
	add(t, 'b', UNIFW_PROBE_BOARD, 1, "etc/firmware/modem_1_wg_n.img", NULL);
	add(t, 'b', UNIFW_PROBE_BOARD, 1, "usr/keylayout/mtk-kpd.kl", NULL);
	add(t, 'p', UNIFW_PROBE_PANEL, 0, "ro.sf.lcd_density", "240");
	add(t, 'p', UNIFW_PROBE_PANEL, 1, "ro.sf.lcd_density", "160");
	add(t, 'p', UNIFW_PROBE_BOARD, 1, "ro.product.board", "wiko_board");
}

/* ------------------------------------------------------------------ fake roots */

static void mkdirs(const char *path)
{
	char p[4096];
	snprintf(p, sizeof p, "%s", path);
	for (char *s = p + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			if (mkdir(p, 0755) && errno != EEXIST)
				fail_msg("mkdir %s: %s", p, strerror(errno));
			*s = '/';
		}
	if (mkdir(p, 0755) && errno != EEXIST)
		fail_msg("mkdir %s: %s", p, strerror(errno));
}

/* ROOT/rel with its directories, holding text. */
static void put_file(const char *root, const char *rel, const char *text)
{
	char path[2048], dir[2048];
	snprintf(path, sizeof path, "%s/%s", root, rel);
	snprintf(dir, sizeof dir, "%s", path);
	*strrchr(dir, '/') = '\0';
	mkdirs(dir);
	test_write_file(path, text, strlen(text));
}

struct phone {
	const char *cmdline;   /* NULL: no /proc/cmdline */
	const char *i2c[4];    /* "0-005d=gt9xx": a device folder and its name; NULL-terminated */
	bool no_i2c_dir;       /* no /sys/bus/i2c at all */
	const char *cid;       /* NULL: no cid file */
	bool kmsg;             /* a dev/kmsg the probe may log into */
};

/* A fresh fake root named `name` (may hold a space) under the temp dir: the table, the signals, a
 * build.prop. */
static void make_root(char *root, size_t cap, const char *name, const struct phone *ph)
{
	snprintf(root, cap, "%s/%s", tmp_dir, name);
	test_rmtree(root);
	mkdirs(root);
	size_t len;
	uint8_t *table = test_read_file(table_text_path, &len);
	assert_non_null(table);
	char path[4096];
	snprintf(path, sizeof path, "%s/unifw", root);
	mkdirs(path);
	snprintf(path, sizeof path, "%s/unifw/probe.rules", root);
	test_write_file(path, table, len);
	free(table);
	put_file(root, "system/build.prop", "ro.build.id=KOT49H\nro.sf.lcd_density=320\nro.product.board=base\n");
	if (ph->cmdline)
		put_file(root, "proc/cmdline", ph->cmdline);
	if (!ph->no_i2c_dir) {
		snprintf(path, sizeof path, "%s/sys/bus/i2c/devices", root);
		mkdirs(path);
	}
	for (unsigned i = 0; ph->i2c[i]; i++) {
		char rel[256], value[64];
		const char *eq = strchr(ph->i2c[i], '=');
		snprintf(rel, sizeof rel, "sys/bus/i2c/devices/%.*s/name", (int)(eq - ph->i2c[i]), ph->i2c[i]);
		snprintf(value, sizeof value, "%s\n", eq + 1);
		put_file(root, rel, value);
	}
	if (ph->cid)
		put_file(root, "sys/block/mmcblk0/device/cid", ph->cid);
	if (ph->kmsg)
		put_file(root, "dev/kmsg", "");
}

/* ------------------------------------------------------------------ running the script */

static bool on_path(const char *prog)
{
	const char *path = getenv("PATH");
	char buf[4096];
	while (path && *path) {
		size_t n = strcspn(path, ":");
		snprintf(buf, sizeof buf, "%.*s/%s", (int)n, path, prog);
		if (access(buf, X_OK) == 0)
			return true;
		path += n + (path[n] == ':');
	}
	return false;
}

static char *read_text(const char *root, const char *rel, size_t *len);

/* `SHELL... script ROOT` with stderr into ROOT/../stderr.txt; returns the exit status. */
static int run_probe(unsigned shell, const char *root, char **stderr_text)
{
	char errpath[2048];
	snprintf(errpath, sizeof errpath, "%s/../stderr.txt", root);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int fd = open(errpath, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || dup2(fd, 2) < 0)
			_exit(126);
		const char *argv[6];
		unsigned n = 0;
		for (unsigned i = 0; shell_argv[shell][i]; i++)
			argv[n++] = shell_argv[shell][i];
		argv[n++] = script;
		argv[n++] = root;
		argv[n] = NULL;
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	int status;
	assert_int_equal(waitpid(pid, &status, 0), pid);
	size_t len;
	*stderr_text = read_text(root, "../stderr.txt", &len);
	assert_non_null(*stderr_text);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* ROOT/rel as a NUL-terminated string, NULL if the file is absent. */
static char *read_text(const char *root, const char *rel, size_t *len)
{
	char path[2048];
	snprintf(path, sizeof path, "%s/%s", root, rel);
	uint8_t *raw = test_read_file(path, len);
	if (!raw)
		return NULL;
	char *text = malloc(*len + 1);
	assert_non_null(text);
	memcpy(text, raw, *len);
	text[*len] = '\0';
	free(raw);
	return text;
}

struct run {
	struct unifw_probe_record rec;
	char *err_text;       /* the probe's stderr */
	char *kmsg;           /* ROOT/dev/kmsg after the run (NULL if none) */
	char *merged;         /* ROOT/dev/unifw/build.prop (NULL if none) */
	bool done_marker;
};

/* Run the probe under `shell` in a fresh root; the record must parse and say done. */
static struct run *probe(unsigned shell, const char *name, const struct phone *ph)
{
	char root[1024];
	struct run *r = calloc(1, sizeof *r);
	assert_non_null(r);
	make_root(root, sizeof root, name, ph);
	int rc = run_probe(shell, root, &r->err_text);
	if (rc != 0)
		fail_msg("%s exited %d: %s", shell_argv[shell][0], rc, r->err_text);
	size_t len;
	char *text = read_text(root, "data/unifw/probe.txt", &len);
	if (!text)
		fail_msg("%s: no data/unifw/probe.txt; stderr: %s", shell_argv[shell][0], r->err_text);
	struct unifw_error err;
	if (unifw_probe_record_parse(text, len, "probe.txt", &r->rec, &err))
		fail_msg("%s: %s: %s\n%s", shell_argv[shell][0], err.where, err.msg, text);
	free(text);
	assert_true(r->rec.done);
	r->kmsg = read_text(root, "dev/kmsg", &len);
	r->merged = read_text(root, "dev/unifw/build.prop", &len);
	char marker[2048];
	snprintf(marker, sizeof marker, "%s/dev/.unifw_probe_done", root);
	r->done_marker = access(marker, F_OK) == 0;
	return r;
}

static void run_free(struct run *r)
{
	free(r->err_text);
	free(r->kmsg);
	free(r->merged);
	free(r);
}

/* The C rule agrees with what the script bound, from what the script recorded it read. */
static void assert_choose_agrees(const struct unifw_probe_table *t, const struct unifw_probe_record *rec)
{
	const char *i2c[UNIFW_PROBE_MAX_I2C];
	for (size_t i = 0; i < rec->i2c_count; i++)
		i2c[i] = rec->i2c[i];
	for (unsigned c = 0; c < UNIFW_PROBE_COMPONENTS; c++) {
		int v = unifw_probe_table_choose(t, (enum unifw_probe_component)c, rec->lcm, i2c, rec->i2c_count, rec->cid);
		assert_string_equal(rec->bound[c], v < 0 ? "" : t->variant[v].name);
	}
}

static bool has_bind(const struct unifw_probe_record *rec, const char *src, const char *dst)
{
	for (size_t i = 0; i < rec->bind_count; i++)
		if (!strcmp(rec->bind[i].source, src) && !strcmp(rec->bind[i].target, dst))
			return true;
	return false;
}

static struct unifw_probe_table table;

/* ------------------------------------------------------------------ the cases */

static void one_phone_all_components(unsigned shell)
{
	const struct phone ph = {
		.cmdline = "console=ttyMT0,921600n1 vmalloc=496M lcm=1-otm8018b_dsi_vdo fps=6000 *\n",
		.i2c = { "0-0038=kd_camera_hw", "1-005d=gt9xx", NULL },
		.cid = "15010034473146330a8b7c6d5e4f3a2b\n",
		.kmsg = true,
	};
	struct run *r = probe(shell, "a516 root", &ph);
	assert_string_equal(r->rec.lcm, "otm8018b_dsi_vdo");
	assert_int_equal(r->rec.i2c_count, 2);
	assert_string_equal(r->rec.cid, "15010034473146330a8b7c6d5e4f3a2b");
	for (unsigned c = 0; c < UNIFW_PROBE_COMPONENTS; c++)
		assert_string_equal(r->rec.bound[c], "a516-like");
	assert_choose_agrees(&table, &r->rec);
	/* exactly the a516 binds, with absolute live paths, then build.prop */
	assert_int_equal(r->rec.bind_count, 4);
	assert_string_equal(r->rec.bind[0].source, "/system/unifw/a516-like/etc/firmware/gt9xx_fw.bin");
	assert_string_equal(r->rec.bind[0].target, "/system/etc/firmware/gt9xx_fw.bin");
	assert_true(has_bind(&r->rec, "/system/unifw/a516-like/usr/idc/gt9xx.idc", "/system/usr/idc/gt9xx.idc"));
	assert_true(has_bind(&r->rec, "/system/unifw/a516-like/etc/firmware/modem_1_wg_n.img",
			     "/system/etc/firmware/modem_1_wg_n.img"));
	assert_true(has_bind(&r->rec, "/dev/unifw/build.prop", "/system/build.prop"));
	assert_int_equal(r->rec.prop_count, 1);
	assert_string_equal(r->rec.prop[0], "ro.sf.lcd_density=240");
	/* the fragment in front of the base's lines: Android keeps the first ro.* value */
	assert_non_null(r->merged);
	assert_string_equal(r->merged, "ro.sf.lcd_density=240\nro.build.id=KOT49H\nro.sf.lcd_density=320\n"
				       "ro.product.board=base\n");
	for (unsigned c = 0; c < UNIFW_PROBE_COMPONENTS; c++)
		assert_string_equal(r->rec.fallback[c], "");
	assert_string_equal(r->kmsg, ""); /* nothing to warn about */
	assert_true(r->done_marker);
	run_free(r);
}

/* The panel of one phone, the touch of the other, the board of the first: each component on its own. */
static void components_from_different_variants(unsigned shell)
{
	const struct phone ph = {
		.cmdline = "lcm=1-nt35512_dsi_vdo\n",
		.i2c = { "1-005d=gt9xx", NULL },
		.cid = "90010048414734474d5052a1b2c3d4e5\n",
	};
	struct run *r = probe(shell, "mixed", &ph);
	assert_string_equal(r->rec.bound[UNIFW_PROBE_PANEL], "wiko-like");
	assert_string_equal(r->rec.bound[UNIFW_PROBE_TOUCH], "a516-like");
	assert_string_equal(r->rec.bound[UNIFW_PROBE_BOARD], "wiko-like");
	assert_choose_agrees(&table, &r->rec);
	assert_true(has_bind(&r->rec, "/system/unifw/a516-like/etc/firmware/gt9xx_fw.bin",
			     "/system/etc/firmware/gt9xx_fw.bin"));
	assert_true(has_bind(&r->rec, "/system/unifw/wiko-like/etc/firmware/modem_1_wg_n.img",
			     "/system/etc/firmware/modem_1_wg_n.img"));
	assert_true(has_bind(&r->rec, "/system/unifw/wiko-like/usr/keylayout/mtk-kpd.kl",
			     "/system/usr/keylayout/mtk-kpd.kl"));
	assert_false(has_bind(&r->rec, "/system/unifw/wiko-like/etc/firmware/ft5x0x_ts_fw.bin",
			      "/system/etc/firmware/ft5x0x_ts_fw.bin"));
	assert_int_equal(r->rec.bind_count, 5);
	/* panel and board fragments of wiko, in table order, before the base's lines */
	assert_int_equal(r->rec.prop_count, 2);
	assert_string_equal(r->merged, "ro.sf.lcd_density=160\nro.product.board=wiko_board\nro.build.id=KOT49H\n"
				       "ro.sf.lcd_density=320\nro.product.board=base\n");
	assert_null(r->kmsg); /* no dev/kmsg in this root: none is created */
	run_free(r);
}

/* A second-source eMMC: no board key matches, the base's modem stays, and the probe says so. */
static void board_fallback_is_logged(unsigned shell)
{
	const struct phone ph = {
		.cmdline = "lcm=1-nt35512_dsi_vdo\n",
		.i2c = { "1-0038=ft5x0x_ts", NULL },
		.cid = "150100354e355a4d4231a1b2c3d4e5f6\n",
		.kmsg = true,
	};
	struct run *r = probe(shell, "second source", &ph);
	assert_string_equal(r->rec.bound[UNIFW_PROBE_PANEL], "wiko-like");
	assert_string_equal(r->rec.bound[UNIFW_PROBE_TOUCH], "wiko-like");
	assert_string_equal(r->rec.bound[UNIFW_PROBE_BOARD], "");
	assert_choose_agrees(&table, &r->rec);
	const char *want = "no board variant for cid 150100354e355a4d4231a1b2c3d4e5f6: the base's board files stay  "
			   "(two spaces kept)";
	assert_string_equal(r->rec.fallback[UNIFW_PROBE_BOARD], want);
	assert_string_equal(r->rec.fallback[UNIFW_PROBE_PANEL], "");
	char line[600];
	snprintf(line, sizeof line, "<4>unifw-probe: %s\n", want);
	assert_string_equal(r->kmsg, line);
	snprintf(line, sizeof line, "unifw-probe: %s\n", want);
	assert_non_null(strstr(r->err_text, line));
	/* nothing of a board variant is bound */
	for (size_t i = 0; i < r->rec.bind_count; i++)
		assert_null(strstr(r->rec.bind[i].source, "modem"));
	run_free(r);
}

/* No i2c bus at all, no cmdline, no cid: every component falls back, the record still ends "done". */
static void nothing_to_read(unsigned shell)
{
	const struct phone ph = { .no_i2c_dir = true, .kmsg = true };
	struct run *r = probe(shell, "bare", &ph);
	assert_string_equal(r->rec.lcm, "");
	assert_int_equal(r->rec.i2c_count, 0);
	assert_string_equal(r->rec.cid, "");
	for (unsigned c = 0; c < UNIFW_PROBE_COMPONENTS; c++) {
		assert_string_equal(r->rec.bound[c], "");
		assert_non_null(strstr(r->rec.fallback[c], "the base's"));
	}
	assert_non_null(strstr(r->rec.fallback[UNIFW_PROBE_TOUCH], "no touch variant for no i2c device"));
	assert_int_equal(r->rec.bind_count, 0);
	assert_null(r->merged); /* no fragment: build.prop is not rebound */
	assert_true(r->done_marker);
	run_free(r);
}

/* Hostile signals: a garbage cid, an lcm= with shell characters, an i2c name with a space. */
static void garbage_signals(unsigned shell)
{
	const struct phone ph = {
		.cmdline = "lcm=1-$(reboot) lcm2=x\n",
		.i2c = { "1-005d=gt 9xx", "2-0010=*", NULL },
		.cid = "15010034473146\001\377zz\n",
	};
	struct run *r = probe(shell, "garbage", &ph);
	assert_string_equal(r->rec.lcm, "");
	assert_string_equal(r->rec.cid, "");
	assert_int_equal(r->rec.i2c_count, 0);
	for (unsigned c = 0; c < UNIFW_PROBE_COMPONENTS; c++)
		assert_string_equal(r->rec.bound[c], "");
	run_free(r);
}

/* A table line the writer would refuse (appended by hand): the script refuses it too and says so. */
static void unsafe_bind_refused(unsigned shell)
{
	const struct phone ph = { .cmdline = "lcm=1-otm8018b_dsi_vdo\n", .i2c = { "1-005d=gt9xx", NULL } };
	char root[1024], path[2048];
	make_root(root, sizeof root, "unsafe", &ph);
	snprintf(path, sizeof path, "%s/unifw/probe.rules", root);
	FILE *f = fopen(path, "a");
	assert_non_null(f);
	fputs("bind touch a516-like ../../data/system/x evil\nbind touch a516-like /etc/passwd evil\n", f);
	fclose(f);
	char *err_text;
	assert_int_equal(run_probe(shell, root, &err_text), 0);
	assert_non_null(strstr(err_text, "unsafe bind path ../../data/system/x refused"));
	assert_non_null(strstr(err_text, "unsafe bind path /etc/passwd refused"));
	size_t len;
	char *text = read_text(root, "data/unifw/probe.txt", &len);
	assert_non_null(text);
	assert_null(strstr(text, "passwd"));
	assert_null(strstr(text, ".."));
	struct unifw_probe_record *rec = malloc(sizeof *rec);
	struct unifw_error err;
	assert_int_equal(unifw_probe_record_parse(text, len, "probe.txt", rec, &err), 0);
	assert_int_equal(rec->bind_count, 3); /* the two touch files and build.prop */
	free(rec);
	free(text);
	free(err_text);
}

#define BOTH_SHELLS(fn)                                                                                               \
	static void fn##_busybox(void **state)                                                                        \
	{                                                                                                             \
		(void)state;                                                                                          \
		fn(0);                                                                                                \
	}                                                                                                             \
	static void fn##_dash(void **state)                                                                           \
	{                                                                                                             \
		(void)state;                                                                                          \
		fn(1);                                                                                                \
	}
BOTH_SHELLS(one_phone_all_components)
BOTH_SHELLS(components_from_different_variants)
BOTH_SHELLS(board_fallback_is_logged)
BOTH_SHELLS(nothing_to_read)
BOTH_SHELLS(garbage_signals)
BOTH_SHELLS(unsafe_bind_refused)

static int setup(void **state)
{
	(void)state;
	tmp_dir = test_mkdtemp();
	snprintf(script, sizeof script, "%s/probe.sh", tmp_dir);
	test_write_file(script, unifw_probe_script_text, strlen(unifw_probe_script_text));
	build_table(&table);
	char *text = NULL;
	size_t len = 0;
	struct unifw_error err;
	if (unifw_probe_table_write(&table, &text, &len, &err))
		return -1;
	snprintf(table_text_path, sizeof table_text_path, "%s/probe.rules", tmp_dir);
	test_write_file(table_text_path, text, len);
	free(text);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unifw_probe_table_free(&table);
	test_rmtree(tmp_dir);
	free(tmp_dir);
	return 0;
}

int main(void)
{
	if (!on_path("busybox") || !on_path("dash")) {
		fprintf(stderr, "busybox or dash is not installed: skipped\n");
		return 77;
	}
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(one_phone_all_components_busybox),
		cmocka_unit_test(one_phone_all_components_dash),
		cmocka_unit_test(components_from_different_variants_busybox),
		cmocka_unit_test(components_from_different_variants_dash),
		cmocka_unit_test(board_fallback_is_logged_busybox),
		cmocka_unit_test(board_fallback_is_logged_dash),
		cmocka_unit_test(nothing_to_read_busybox),
		cmocka_unit_test(nothing_to_read_dash),
		cmocka_unit_test(garbage_signals_busybox),
		cmocka_unit_test(garbage_signals_dash),
		cmocka_unit_test(unsafe_bind_refused_busybox),
		cmocka_unit_test(unsafe_bind_refused_dash),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
