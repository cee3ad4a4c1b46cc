/* unifw universal's rules (src/ops/universal_rules.c, data/universal.rules): the built-in file parses with
 * every rule explained and sourced, one signal and one fallback per component, the files and props the
 * design lists and the never rules; hostile or incomplete text is refused naming the line; the pattern
 * matcher keeps '*' inside one segment and fills {touch} / {lcm}. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unifw/universal.h"

static void builtin_is_complete(void **state)
{
	(void)state;
	struct unifw_univ_rules r;
	struct unifw_error err;
	if (unifw_univ_rules_builtin(&r, &err))
		fail_msg("built-in rules: %s: %s", err.where, err.msg);
	unsigned kinds[5] = { 0 };
	for (size_t i = 0; i < r.count; i++) {
		const struct unifw_univ_rule *x = &r.rule[i];
		assert_true(x->id[0] && x->line > 0);
		/* a reason in words and a source naming something public */
		if (strlen(x->reason) < 30 || strlen(x->source) < 20)
			fail_msg("rule %s: reason or source too thin", x->id);
		assert_true(strstr(x->source, "MT65x2 tree") || strstr(x->source, "AOSP") || strstr(x->source, "Linux") ||
			    strstr(x->source, "Android"));
		kinds[x->kind]++;
		/* signal and fallback reasons go into the probe's log line: short enough to keep whole */
		if (x->kind == UNIFW_UNIV_SIGNAL || x->kind == UNIFW_UNIV_FALLBACK)
			assert_true(strlen(x->reason) < 250);
		if (x->kind == UNIFW_UNIV_PROP)
			assert_null(strstr(x->pattern, "ro.build."));
	}
	assert_int_equal(kinds[UNIFW_UNIV_SIGNAL], 3);
	assert_int_equal(kinds[UNIFW_UNIV_FALLBACK], 3);
	assert_true(kinds[UNIFW_UNIV_FILE] >= 8 && kinds[UNIFW_UNIV_PROP] >= 3 && kinds[UNIFW_UNIV_NEVER] >= 1);
	for (unsigned c = 0; c < UNIFW_PROBE_COMPONENTS; c++) {
		const struct unifw_univ_rule *s = unifw_univ_rules_find(&r, UNIFW_UNIV_SIGNAL, c);
		assert_non_null(s);
		assert_int_equal(s->component, c);
		assert_non_null(unifw_univ_rules_find(&r, UNIFW_UNIV_FALLBACK, c));
	}
	/* the signals say where the probe reads */
	assert_non_null(strstr(unifw_univ_rules_find(&r, UNIFW_UNIV_SIGNAL, UNIFW_PROBE_PANEL)->reason, "lcm="));
	assert_non_null(strstr(unifw_univ_rules_find(&r, UNIFW_UNIV_SIGNAL, UNIFW_PROBE_TOUCH)->reason, "/sys/bus/i2c"));
	assert_non_null(strstr(unifw_univ_rules_find(&r, UNIFW_UNIV_SIGNAL, UNIFW_PROBE_BOARD)->reason, "cid"));
	/* what goes where: each path to the component the design puts it in, and what never goes */
	static const struct {
		const char *path;
		int kind; /* UNIFW_UNIV_FILE or NEVER; -1: nothing */
		enum unifw_probe_component c;
	} want[] = {
		{ "etc/firmware/gt9xx_fw.bin", UNIFW_UNIV_FILE, UNIFW_PROBE_TOUCH },
		{ "usr/idc/gt9xx.idc", UNIFW_UNIV_FILE, UNIFW_PROBE_TOUCH },
		{ "usr/idc/mtk-tpd.idc", -1, 0 }, /* another controller's idc */
		{ "etc/firmware/modem_1_wg_n.img", UNIFW_UNIV_FILE, UNIFW_PROBE_BOARD },
		{ "etc/firmware/catcher_filter_1_wg_n.bin", UNIFW_UNIV_FILE, UNIFW_PROBE_BOARD },
		{ "etc/mddb/BPLGUInfoCustomAppSrcP_MT6572_S00_MOLY", UNIFW_UNIV_FILE, UNIFW_PROBE_BOARD },
		{ "usr/keylayout/mtk-kpd.kl", UNIFW_UNIV_FILE, UNIFW_PROBE_BOARD },
		{ "usr/keychars/mtk-kpd.kcm", UNIFW_UNIV_FILE, UNIFW_PROBE_BOARD },
		{ "etc/firmware/WIFI_RAM_CODE_MT6572", UNIFW_UNIV_FILE, UNIFW_PROBE_BOARD },
		{ "lib/modules/mtk_wmt_wifi.ko", UNIFW_UNIV_NEVER, 0 },
		{ "build.prop", UNIFW_UNIV_NEVER, 0 },
		{ "bin/sh", -1, 0 },
	};
	for (unsigned i = 0; i < sizeof want / sizeof want[0]; i++) {
		const struct unifw_univ_rule *hit = NULL;
		for (size_t k = 0; k < r.count && !hit; k++)
			if ((r.rule[k].kind == UNIFW_UNIV_FILE || r.rule[k].kind == UNIFW_UNIV_NEVER) &&
			    unifw_univ_pattern_match(r.rule[k].pattern, want[i].path, "gt9xx", "otm8018b_dsi_vdo"))
				hit = &r.rule[k];
		if (want[i].kind < 0) {
			if (hit)
				fail_msg("%s matched %s", want[i].path, hit->id);
			continue;
		}
		if (!hit || (int)hit->kind != want[i].kind ||
		    (want[i].kind == UNIFW_UNIV_FILE && hit->component != want[i].c))
			fail_msg("%s: %s", want[i].path, hit ? hit->id : "no rule");
	}
	/* the props of the design, per component */
	static const struct {
		const char *key;
		enum unifw_probe_component c;
	} props[] = { { "ro.sf.lcd_density", UNIFW_PROBE_PANEL },
		      { "ro.sf.hwrotation", UNIFW_PROBE_PANEL },
		      { "ro.product.board", UNIFW_PROBE_BOARD } };
	for (unsigned i = 0; i < 3; i++) {
		bool found = false;
		for (size_t k = 0; k < r.count; k++)
			found |= r.rule[k].kind == UNIFW_UNIV_PROP && !strcmp(r.rule[k].pattern, props[i].key) &&
				 r.rule[k].component == props[i].c;
		if (!found)
			fail_msg("no [prop %s %s] rule", unifw_probe_component_name(props[i].c), props[i].key);
	}
	unifw_univ_rules_free(&r);
}

static void pattern_match_cases(void **state)
{
	(void)state;
	/* '*' within one segment */
	assert_true(unifw_univ_pattern_match("usr/keylayout/*.kl", "usr/keylayout/mtk-kpd.kl", NULL, NULL));
	assert_true(unifw_univ_pattern_match("usr/keylayout/*.kl", "/usr/keylayout/.kl", NULL, NULL));
	assert_false(unifw_univ_pattern_match("usr/keylayout/*.kl", "usr/keylayout/sub/mtk-kpd.kl", NULL, NULL));
	assert_false(unifw_univ_pattern_match("usr/*", "usr/keylayout/mtk-kpd.kl", NULL, NULL));
	assert_true(unifw_univ_pattern_match("etc/mddb/*", "etc/mddb/BPLGU", NULL, NULL));
	assert_false(unifw_univ_pattern_match("etc/mddb/*", "etc/mddb", NULL, NULL));
	assert_true(unifw_univ_pattern_match("etc/firmware/modem*.img", "etc/firmware/modem.img", NULL, NULL));
	assert_false(unifw_univ_pattern_match("etc/firmware/modem*.img", "etc/firmware/modem_1.img.bak", NULL, NULL));
	assert_true(unifw_univ_pattern_match("a/*b*c*/d", "a/xxbyyczz/d", NULL, NULL));
	assert_false(unifw_univ_pattern_match("a/*b*c*/d", "a/xxb/c/d", NULL, NULL));
	assert_true(unifw_univ_pattern_match("build.prop", "build.prop", NULL, NULL));
	assert_false(unifw_univ_pattern_match("build.prop", "build.prop.bak", NULL, NULL));
	/* placeholders: the phone's names, never a wildcard; an unknown name matches nothing */
	assert_true(unifw_univ_pattern_match("etc/firmware/{touch}_fw.bin", "etc/firmware/gt9xx_fw.bin", "gt9xx", NULL));
	assert_false(unifw_univ_pattern_match("etc/firmware/{touch}_fw.bin", "etc/firmware/ft5x0x_fw.bin", "gt9xx", NULL));
	assert_false(unifw_univ_pattern_match("etc/firmware/{touch}_fw.bin", "etc/firmware/_fw.bin", "", NULL));
	assert_false(unifw_univ_pattern_match("etc/firmware/{touch}_fw.bin", "etc/firmware/gt9xx_fw.bin", NULL, NULL));
	assert_false(unifw_univ_pattern_match("usr/idc/{touch}.idc", "usr/idc/x.idc", "*", NULL));
	assert_false(unifw_univ_pattern_match("usr/idc/{touch}.idc", "usr/idc/a/b.idc", "a/b", NULL));
	assert_true(unifw_univ_pattern_match("etc/{lcm}/*.bin", "etc/otm8018b/x.bin", "gt9xx", "otm8018b"));
	/* a pattern built to make a backtracking matcher explode still answers quickly */
	char pat[160], path[300];
	for (unsigned i = 0; i < 70; i++)
		memcpy(pat + 2 * i, "*a", 2);
	pat[140] = 'b';
	pat[141] = '\0';
	memset(path, 'a', 299);
	path[299] = '\0';
	assert_false(unifw_univ_pattern_match(pat, path, NULL, NULL));
}

static const char sigs[] = "[signal panel]\nid=s1\nreason=r\nsource=s\n[signal touch]\nid=s2\nreason=r\nsource=s\n"
			   "[signal board]\nid=s3\nreason=r\nsource=s\n[fallback panel]\nid=f1\nreason=r\nsource=s\n"
			   "[fallback touch]\nid=f2\nreason=r\nsource=s\n[fallback board]\nid=f3\nreason=r\nsource=s\n";

/* sigs (24 lines) + text must fail with "line N: ...words..." */
static void refuse(const char *text, unsigned line, const char *words)
{
	char buf[4096], want[32];
	struct unifw_univ_rules r;
	struct unifw_error err;
	int n = snprintf(buf, sizeof buf, "%s%s", sigs, text);
	if (unifw_univ_rules_parse(buf, (size_t)n, "u.rules", &r, &err) == 0)
		fail_msg("accepted: %s", text);
	snprintf(want, sizeof want, "line %u: ", line);
	if (strcmp(err.where, "u.rules") || strncmp(err.msg, want, strlen(want)) || !strstr(err.msg, words))
		fail_msg("for %s: %s: %s (wanted \"%s...%s\")", text, err.where, err.msg, want, words);
	assert_null(r.rule);
	assert_int_equal(r.count, 0);
}

static void refusals_name_the_line(void **state)
{
	(void)state;
	struct unifw_univ_rules r;
	struct unifw_error err;
	/* the minimal complete file parses */
	assert_int_equal(unifw_univ_rules_parse(sigs, strlen(sigs), "u.rules", &r, &err), 0);
	assert_int_equal(r.count, 6);
	assert_int_equal(r.rule[3].kind, UNIFW_UNIV_FALLBACK);
	assert_int_equal(r.rule[3].line, 13);
	unifw_univ_rules_free(&r);
	refuse("[file touch ../etc/x]\n", 25, "holds \"..\"");
	refuse("[file touch /etc/x]\n", 25, "relative to /system");
	refuse("[file touch etc/{panel}.bin]\n", 25, "other than {touch} or {lcm}");
	refuse("[file touch etc/a?b]\n", 25, "outside [A-Za-z0-9._/+*-]");
	refuse("[file screen etc/x]\n", 25, "unknown component \"screen\"");
	refuse("[file touch]\n", 25, "[file COMPONENT PATTERN]");
	refuse("[never a b]\n", 25, "[never PATTERN]");
	refuse("[take phone x]\n", 25, "unknown rule");
	refuse("[prop panel ro sf]\n", 25, "[prop COMPONENT KEY]");
	refuse("[prop panel ro.sf*]\n", 25, "property key");
	refuse("[signal board]\nid=s9\nreason=r\nsource=s\n", 25, "a second [signal board] rule (the first at line 9)");
	refuse("[never lib/x]\nid=s1\n", 26, "duplicate id \"s1\"");
	refuse("[never lib/x]\nid=n1\nreason=r\n", 25, "no \"source =\" line");
	/* a file without its fallbacks */
	static const char partial[] = "[signal panel]\nid=s1\nreason=r\nsource=s\n";
	assert_int_equal(unifw_univ_rules_parse(partial, sizeof partial - 1, "u.rules", &r, &err), UNIFW_E_FORMAT);
	assert_non_null(strstr(err.msg, "no [fallback panel] rule"));
	assert_null(r.rule);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(builtin_is_complete),
		cmocka_unit_test(pattern_match_cases),
		cmocka_unit_test(refusals_name_the_line),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
