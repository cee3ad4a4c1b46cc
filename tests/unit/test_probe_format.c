/* The probe table and the probe record (src/format/probe.c, unifw/probe.h): a table built in C is written
 * and parses back to the same table, choose() picks the first match per component, every hostile or
 * incomplete line is refused naming the line and what was expected, the writer refuses what would not parse
 * back, and the record's lines are read with their "-" and "done" rules. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unifw/probe.h"

static void add_variant(struct unifw_probe_table *t, const char *name)
{
	struct unifw_probe_variant *v = &t->variant[t->variant_count++];
	snprintf(v->name, sizeof v->name, "%s", name);
	snprintf(v->reason, sizeof v->reason, "backup of %s", name);
}

static void add_match(struct unifw_probe_table *t, enum unifw_probe_component c, unsigned v, const char *key)
{
	struct unifw_probe_match *m = &t->match[t->match_count++];
	m->component = c;
	m->variant = v;
	snprintf(m->key, sizeof m->key, "%s", key);
	char name[UNIFW_PROBE_NAME_MAX]; /* t holds both: copied first so GCC sees no overlap (-Wrestrict) */
	memcpy(name, t->variant[v].name, sizeof name);
	snprintf(m->reason, sizeof m->reason, "the %s of %s", unifw_probe_component_name(c), name);
}

static void add_bind(struct unifw_probe_table *t, enum unifw_probe_component c, unsigned v, const char *path)
{
	struct unifw_probe_bind *b = &t->bind[t->bind_count++];
	b->component = c;
	b->variant = v;
	snprintf(b->path, sizeof b->path, "%s", path);
	snprintf(b->reason, sizeof b->reason, "rule x: %s", path);
}

static void add_prop(struct unifw_probe_table *t, enum unifw_probe_component c, unsigned v, const char *k,
		     const char *val)
{
	struct unifw_probe_prop *p = &t->prop[t->prop_count++];
	p->component = c;
	p->variant = v;
	snprintf(p->key, sizeof p->key, "%s", k);
	snprintf(p->value, sizeof p->value, "%s", val);
	snprintf(p->reason, sizeof p->reason, "the phone's %s", k);
}

/* Two variants with a panel, a touch and a board each, binds and props: the shape `unifw universal build`
 * writes. */
static void sample_table(struct unifw_probe_table *t)
{
	unifw_probe_table_init(t);
	t->bind = calloc(UNIFW_PROBE_MAX_BINDS, sizeof *t->bind);
	t->prop = calloc(UNIFW_PROBE_MAX_PROPS, sizeof *t->prop);
	assert_non_null(t->bind);
	assert_non_null(t->prop);
	for (unsigned c = 0; c < UNIFW_PROBE_COMPONENTS; c++) {
		snprintf(t->signal[c], sizeof t->signal[c], "signal of %s: where it is read", unifw_probe_component_name(c));
		snprintf(t->fallback[c], sizeof t->fallback[c], "no %s overlay matched: the base's files stay",
			 unifw_probe_component_name(c));
	}
	add_variant(t, "a516-like");
	add_variant(t, "wiko-like");
	add_match(t, UNIFW_PROBE_PANEL, 0, "otm8018b_dsi_vdo");
	add_match(t, UNIFW_PROBE_TOUCH, 0, "gt9xx");
	add_match(t, UNIFW_PROBE_BOARD, 0, "150100");
	add_match(t, UNIFW_PROBE_PANEL, 1, "hx8379a_dsi_vdo");
	add_match(t, UNIFW_PROBE_TOUCH, 1, "mtk-tpd");
	add_match(t, UNIFW_PROBE_BOARD, 1, "9001004a");
	add_match(t, UNIFW_PROBE_BOARD, 1, "15"); /* later and shorter: never before the exact one */
	add_bind(t, UNIFW_PROBE_TOUCH, 0, "etc/firmware/gt9xx_fw.bin");
	add_bind(t, UNIFW_PROBE_TOUCH, 0, "usr/idc/gt9xx.idc");
	add_bind(t, UNIFW_PROBE_BOARD, 1, "etc/firmware/modem_1_wg_n.img");
	add_bind(t, UNIFW_PROBE_BOARD, 1, "usr/keylayout/mtk-kpd.kl");
	add_prop(t, UNIFW_PROBE_PANEL, 0, "ro.sf.lcd_density", "240");
	add_prop(t, UNIFW_PROBE_BOARD, 1, "ro.product.board", "");
}

static void assert_tables_equal(const struct unifw_probe_table *a, const struct unifw_probe_table *b)
{
	for (unsigned c = 0; c < UNIFW_PROBE_COMPONENTS; c++) {
		assert_string_equal(a->signal[c], b->signal[c]);
		assert_string_equal(a->fallback[c], b->fallback[c]);
	}
	assert_int_equal(a->variant_count, b->variant_count);
	for (size_t i = 0; i < a->variant_count; i++) {
		assert_string_equal(a->variant[i].name, b->variant[i].name);
		assert_string_equal(a->variant[i].reason, b->variant[i].reason);
	}
	assert_int_equal(a->match_count, b->match_count);
	for (size_t i = 0; i < a->match_count; i++) {
		assert_int_equal(a->match[i].component, b->match[i].component);
		assert_int_equal(a->match[i].variant, b->match[i].variant);
		assert_string_equal(a->match[i].key, b->match[i].key);
		assert_string_equal(a->match[i].reason, b->match[i].reason);
	}
	assert_int_equal(a->bind_count, b->bind_count);
	for (size_t i = 0; i < a->bind_count; i++) {
		assert_int_equal(a->bind[i].component, b->bind[i].component);
		assert_int_equal(a->bind[i].variant, b->bind[i].variant);
		assert_string_equal(a->bind[i].path, b->bind[i].path);
		assert_string_equal(a->bind[i].reason, b->bind[i].reason);
	}
	assert_int_equal(a->prop_count, b->prop_count);
	for (size_t i = 0; i < a->prop_count; i++) {
		assert_int_equal(a->prop[i].component, b->prop[i].component);
		assert_string_equal(a->prop[i].key, b->prop[i].key);
		assert_string_equal(a->prop[i].value, b->prop[i].value);
		assert_string_equal(a->prop[i].reason, b->prop[i].reason);
	}
}

static void write_parse_round_trip(void **state)
{
	(void)state;
	struct unifw_probe_table t, back;
	struct unifw_error err;
	char *text = NULL;
	size_t len = 0;
	sample_table(&t);
	if (unifw_probe_table_write(&t, &text, &len, &err))
		fail_msg("write: %s: %s", err.where, err.msg);
	assert_int_equal(strlen(text), len);
	assert_memory_equal(text, "unifw-probe-rules 1\n", 20);
	assert_non_null(strstr(text, "\nmatch touch a516-like gt9xx the touch of a516-like\n"));
	assert_non_null(strstr(text, "\nbind touch a516-like etc/firmware/gt9xx_fw.bin rule x: etc/firmware/gt9xx_fw.bin\n"));
	assert_non_null(strstr(text, "\nprop board wiko-like ro.product.board= the phone's ro.product.board\n"));
	if (unifw_probe_table_parse(text, len, "t.rules", &back, &err))
		fail_msg("parse back: %s: %s\n%s", err.where, err.msg, text);
	assert_tables_equal(&t, &back);
	/* and the second write is byte for byte the first */
	char *again = NULL;
	size_t alen = 0;
	assert_int_equal(unifw_probe_table_write(&back, &again, &alen, &err), 0);
	assert_int_equal(alen, len);
	assert_memory_equal(again, text, len);
	free(again);
	free(text);
	unifw_probe_table_free(&back);
	unifw_probe_table_free(&t);
}

static void choose_first_match_per_component(void **state)
{
	(void)state;
	struct unifw_probe_table t;
	sample_table(&t);
	const char *i2c_a[] = { "kd_camera_hw", "gt9xx" };
	const char *i2c_w[] = { "mtk-tpd" };
	/* a516's panel, wiko's touch and board: each component on its own */
	assert_int_equal(unifw_probe_table_choose(&t, UNIFW_PROBE_PANEL, "otm8018b_dsi_vdo", i2c_w, 1, "9001004a5"), 0);
	assert_int_equal(unifw_probe_table_choose(&t, UNIFW_PROBE_TOUCH, "otm8018b_dsi_vdo", i2c_w, 1, "9001004a5"), 1);
	assert_int_equal(unifw_probe_table_choose(&t, UNIFW_PROBE_BOARD, "otm8018b_dsi_vdo", i2c_w, 1, "9001004a5"), 1);
	assert_int_equal(unifw_probe_table_choose(&t, UNIFW_PROBE_TOUCH, NULL, i2c_a, 2, NULL), 0);
	/* a CID prefix: "150100..." is a516's although "15" (wiko's, later in the table) matches too */
	assert_int_equal(unifw_probe_table_choose(&t, UNIFW_PROBE_BOARD, NULL, NULL, 0, "15010038474e4431"), 0);
	assert_int_equal(unifw_probe_table_choose(&t, UNIFW_PROBE_BOARD, NULL, NULL, 0, "15ff"), 1);
	/* nothing read or nothing known: fallback */
	assert_int_equal(unifw_probe_table_choose(&t, UNIFW_PROBE_PANEL, NULL, NULL, 0, NULL), -1);
	assert_int_equal(unifw_probe_table_choose(&t, UNIFW_PROBE_PANEL, "", NULL, 0, NULL), -1);
	assert_int_equal(unifw_probe_table_choose(&t, UNIFW_PROBE_PANEL, "otm8018b", NULL, 0, NULL), -1);
	assert_int_equal(unifw_probe_table_choose(&t, UNIFW_PROBE_BOARD, NULL, NULL, 0, "1"), -1);
	assert_int_equal(unifw_probe_table_choose(&t, UNIFW_PROBE_TOUCH, NULL, i2c_a, 1, NULL), -1);
	unifw_probe_table_free(&t);
}

static const char head[] = "unifw-probe-rules 1\n"
			   "signal panel s\nfallback panel f\nsignal touch s\nfallback touch f\n"
			   "signal board s\nfallback board f\n"
			   "variant v1 r\n";

/* head + line must be refused at line 9 with `want` in the message. */
static void refuse(const char *line, const char *want)
{
	char text[4096];
	struct unifw_probe_table t;
	struct unifw_error err;
	int n = snprintf(text, sizeof text, "%s%s", head, line);
	int rc = unifw_probe_table_parse(text, (size_t)n, "p.rules", &t, &err);
	if (rc == 0)
		fail_msg("accepted: %s", line);
	if (strcmp(err.where, "p.rules:9") || !strstr(err.msg, want))
		fail_msg("for \"%s\": %s: %s (wanted p.rules:9 and \"%s\")", line, err.where, err.msg, want);
	assert_null(t.bind);
	assert_int_equal(t.variant_count, 0);
}

static void table_refusals_name_the_line(void **state)
{
	(void)state;
	refuse("match panel v2 x r\n", "declared by an earlier \"variant\" line, found \"v2\"");
	refuse("match lcd v1 x r\n", "expected a component (panel, touch or board), found \"lcd\"");
	refuse("match board v1 15ABCD r\n", "[0-9a-f] (a CID prefix)");
	refuse("match touch v1 gt$9xx r\n", "[A-Za-z0-9._-]");
	refuse("match touch v1 gt9xx\n", "found only 4 field(s)");
	refuse("match touch v1  gt9xx r\n", "one space between fields");
	refuse("match touch v1 gt9xx  r\n", "one space between fields");
	refuse("match touch v1 gt9xx r \n", "without a trailing space");
	refuse("bind touch v1 ../../data/x r\n", "no \"..\"");
	refuse("bind touch v1 /etc/x r\n", "no leading '/'");
	refuse("bind touch v1 etc//x r\n", "no \"//\"");
	refuse("bind touch v1 etc/x$(reboot) r\n", "[A-Za-z0-9._/+-]");
	refuse("bind touch v1 etc/ r\n", "relative to /system");
	refuse("prop panel v1 ro.sf.lcd_density r\n", "expected KEY=VALUE");
	refuse("prop panel v1 =240 r\n", "expected KEY=VALUE");
	refuse("prop panel v1 ro$sf=1 r\n", "a property key [A-Za-z0-9._-]");
	refuse("variant v1 again\n", "expected a new variant name, found \"v1\"");
	refuse("variant V2 upper\n", "[a-z0-9._-]");
	refuse("variant abcdefghijklmnopqrstuvwxyz0123456 long\n", "1..32 characters");
	refuse("signal panel twice\n", "found a second one (the first at line 2)");
	refuse("mount -o bind /x /y\n", "expected signal, fallback, variant");
	refuse("match touch v1 gt9xx r\tx\n", "control byte 0x09");
	refuse("match touch v1 gt9xx r", "end with a newline");
}

static void table_refusals_whole_text(void **state)
{
	(void)state;
	struct unifw_probe_table t;
	struct unifw_error err;
	static const char magic[] = "unifw-probe-rules 2\n";
	assert_int_equal(unifw_probe_table_parse(magic, sizeof magic - 1, "p.rules", &t, &err), UNIFW_E_FORMAT);
	assert_string_equal(err.where, "p.rules:1");
	assert_non_null(strstr(err.msg, "expected \"unifw-probe-rules 1\""));
	assert_int_equal(unifw_probe_table_parse("", 0, "p.rules", &t, &err), UNIFW_E_TRUNCATED);
	/* a table without a fallback for the board */
	static const char nofb[] = "unifw-probe-rules 1\nsignal panel s\nfallback panel f\nsignal touch s\n"
				   "fallback touch f\nsignal board s\n";
	assert_int_equal(unifw_probe_table_parse(nofb, sizeof nofb - 1, "p.rules", &t, &err), UNIFW_E_FORMAT);
	assert_non_null(strstr(err.msg, "expected a \"fallback board <reason>\" line"));
	/* a line longer than the bound */
	char *big = malloc(UNIFW_PROBE_MAX_LINE + 64);
	assert_non_null(big);
	int n = snprintf(big, 64, "%s", "unifw-probe-rules 1\n");
	memset(big + n, 'x', UNIFW_PROBE_MAX_LINE + 1);
	big[n + UNIFW_PROBE_MAX_LINE + 1] = '\n';
	assert_int_equal(unifw_probe_table_parse(big, (size_t)n + UNIFW_PROBE_MAX_LINE + 2, "p.rules", &t, &err),
			 UNIFW_E_TOO_BIG);
	assert_string_equal(err.where, "p.rules:2");
	free(big);
	/* more variants than allowed */
	char text[8192];
	size_t at = (size_t)snprintf(text, sizeof text, "%s", head);
	for (unsigned i = 2; i <= UNIFW_PROBE_MAX_VARIANTS + 1; i++)
		at += (size_t)snprintf(text + at, sizeof text - at, "variant v%u r\n", i);
	assert_int_equal(unifw_probe_table_parse(text, at, "p.rules", &t, &err), UNIFW_E_TOO_BIG);
	assert_string_equal(err.where, "p.rules:24");
	/* a NUL byte */
	static const char nul[] = "unifw-probe-rules 1\nsignal panel a\0b\n";
	assert_int_equal(unifw_probe_table_parse(nul, sizeof nul - 1, "p.rules", &t, &err), UNIFW_E_FORMAT);
	assert_string_equal(err.where, "p.rules:2");
}

/* The writer refuses every field the parser would refuse, naming it. */
static void write_refuses_what_would_not_parse(void **state)
{
	(void)state;
	struct unifw_probe_table t;
	struct unifw_error err;
	char *text = NULL;
	size_t len;
	static const char *const want[] = {
		"variant name \"A516\"", "bind path \"../x\"", "match key \"gt 9xx\"", "lowercase hex CID prefix",
		"prop \"ro.sf=1 2\"", "the reason of a match line", "names variant 7", "variant name \"wiko-like\" is used twice",
		"the reason of a signal line",
	};
	for (unsigned i = 0; i < sizeof want / sizeof want[0]; i++) {
		sample_table(&t);
		switch (i) {
		case 0: snprintf(t.variant[0].name, sizeof t.variant[0].name, "A516"); break;
		case 1: snprintf(t.bind[1].path, sizeof t.bind[1].path, "../x"); break;
		case 2: snprintf(t.match[1].key, sizeof t.match[1].key, "gt 9xx"); break;
		case 3: snprintf(t.match[2].key, sizeof t.match[2].key, "15010X"); break;
		case 4: snprintf(t.prop[0].value, sizeof t.prop[0].value, "1 2"); snprintf(t.prop[0].key, sizeof t.prop[0].key, "ro.sf"); break;
		case 5: snprintf(t.match[0].reason, sizeof t.match[0].reason, "two\nlines"); break;
		case 6: t.bind[0].variant = 7; break;
		case 7: snprintf(t.variant[0].name, sizeof t.variant[0].name, "wiko-like"); break;
		case 8: t.signal[1][0] = '\0'; break;
		}
		assert_int_equal(unifw_probe_table_write(&t, &text, &len, &err), UNIFW_E_INVALID);
		if (!strstr(err.msg, want[i]))
			fail_msg("case %u: %s (wanted \"%s\")", i, err.msg, want[i]);
		unifw_probe_table_free(&t);
	}
}

static const char record_text[] = "unifw-probe 1\n"
				  "lcm otm8018b_dsi_vdo\n"
				  "i2c kd_camera_hw\n"
				  "i2c gt9xx\n"
				  "cid -\n"
				  "bound panel a516-like\n"
				  "bound touch a516-like\n"
				  "bound board -\n"
				  "bind /system/unifw/a516-like/etc/firmware/gt9xx_fw.bin /system/etc/firmware/gt9xx_fw.bin\n"
				  "prop ro.sf.lcd_density=240\n"
				  "bind /dev/unifw/build.prop /system/build.prop\n"
				  "fallback board no board overlay matched: the base's modem stays\n"
				  "done\n";

static void record_parses(void **state)
{
	(void)state;
	struct unifw_probe_record *r = malloc(sizeof *r);
	struct unifw_error err;
	assert_non_null(r);
	if (unifw_probe_record_parse(record_text, sizeof record_text - 1, "probe.txt", r, &err))
		fail_msg("%s: %s", err.where, err.msg);
	assert_string_equal(r->lcm, "otm8018b_dsi_vdo");
	assert_int_equal(r->i2c_count, 2);
	assert_string_equal(r->i2c[1], "gt9xx");
	assert_string_equal(r->cid, "");
	assert_string_equal(r->bound[UNIFW_PROBE_PANEL], "a516-like");
	assert_string_equal(r->bound[UNIFW_PROBE_BOARD], "");
	assert_int_equal(r->bind_count, 2);
	assert_string_equal(r->bind[0].source, "/system/unifw/a516-like/etc/firmware/gt9xx_fw.bin");
	assert_string_equal(r->bind[1].target, "/system/build.prop");
	assert_int_equal(r->prop_count, 1);
	assert_string_equal(r->prop[0], "ro.sf.lcd_density=240");
	assert_string_equal(r->fallback[UNIFW_PROBE_BOARD], "no board overlay matched: the base's modem stays");
	assert_string_equal(r->fallback[UNIFW_PROBE_PANEL], "");
	assert_true(r->done);
	/* stopped before "done": parses, done false */
	const char *cut = strstr(record_text, "bound board");
	assert_int_equal(unifw_probe_record_parse(record_text, (size_t)(cut - record_text), "probe.txt", r, &err), 0);
	assert_false(r->done);
	assert_string_equal(r->bound[UNIFW_PROBE_TOUCH], "a516-like");
	free(r);
}

static void record_refuse(const char *text, const char *where, const char *want)
{
	struct unifw_probe_record *r = malloc(sizeof *r);
	struct unifw_error err;
	assert_non_null(r);
	if (unifw_probe_record_parse(text, strlen(text), "probe.txt", r, &err) == 0)
		fail_msg("accepted: %s", text);
	if (strcmp(err.where, where) || !strstr(err.msg, want))
		fail_msg("%s: %s (wanted %s and \"%s\")", err.where, err.msg, where, want);
	assert_false(r->done);
	free(r);
}

static void record_refusals(void **state)
{
	(void)state;
	record_refuse("unifw-probe 2\n", "probe.txt:1", "expected \"unifw-probe 1\"");
	record_refuse("unifw-probe 1\nbind /system/unifw/v/../../data /system/x\n", "probe.txt:2", "no \"..\"");
	record_refuse("unifw-probe 1\nbind system/x /system/x\n", "probe.txt:2", "an absolute path");
	record_refuse("unifw-probe 1\nlcm a\nlcm b\n", "probe.txt:3", "first at line 2");
	record_refuse("unifw-probe 1\nbound panel X\n", "probe.txt:2", "variant name");
	record_refuse("unifw-probe 1\nbound panel -\ndone\n", "probe.txt:3", "\"bound touch\" line before \"done\"");
	record_refuse("unifw-probe 1\nbound panel -\nbound touch -\nbound board -\ndone\nlcm x\n", "probe.txt:6",
		      "nothing after \"done\"");
	record_refuse("unifw-probe 1\nprop ro.a=b c\n", "probe.txt:2", "found more fields");
	record_refuse("unifw-probe 1\ni2c gt9xx\nhello\n", "probe.txt:3", "expected lcm, i2c, cid");
	record_refuse("unifw-probe 1\ncid 0123\ndone", "probe.txt:3", "end with a newline");
	char text[2048];
	size_t at = (size_t)snprintf(text, sizeof text, "unifw-probe 1\n");
	for (unsigned i = 0; i <= UNIFW_PROBE_MAX_I2C; i++)
		at += (size_t)snprintf(text + at, sizeof text - at, "i2c dev%u\n", i);
	record_refuse(text, "probe.txt:18", "at most 16 i2c lines");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(write_parse_round_trip),
		cmocka_unit_test(choose_first_match_per_component),
		cmocka_unit_test(table_refusals_name_the_line),
		cmocka_unit_test(table_refusals_whole_text),
		cmocka_unit_test(write_refuses_what_would_not_parse),
		cmocka_unit_test(record_parses),
		cmocka_unit_test(record_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
