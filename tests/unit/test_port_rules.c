/* unifw port's rule table (src/ops/port_rules.c, data/port.rules): the parser refuses hostile or
 * incomplete text naming the file and the line, the first matching rule of a scope decides, and the
 * built-in table parses with every rule explained and sourced. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unifw/port.h"

static const char good[] = "# comment\n"
			   "\n"
			   "[ramdisk phone fstab*]\n"
			   "id = rd-fstab\n"
			   "reason = the phone's partitions\n"
			   "source = somewhere public\n"
			   "\n"
			   "[ramdisk base init.rc]\n"
			   "  id=rd-init\n"
			   "reason =   Android's own   \n"
			   "source = AOSP\n"
			   "[system phone usr/keylayout/*.kl]\n"
			   "id = sys-kl\n"
			   "reason = keys\n"
			   "source = AOSP docs\n"
			   "[system base usr/*]\n"
			   "id = sys-usr\n"
			   "reason = the rest\n"
			   "source = x\n"
			   "[prop phone ro.sf.*]\n"
			   "id = prop-sf\n"
			   "reason = panel\n"
			   "source = y\n"
			   "[system phone-if-modem-rejected etc/firmware/modem*.img]\n"
			   "id = sys-modem\n"
			   "reason = modem\n"
			   "source = z";

static void parses_every_field(void **state)
{
	(void)state;
	struct unifw_port_rules r;
	struct unifw_error err;
	assert_int_equal(unifw_port_rules_parse(good, strlen(good), "t.rules", &r, &err), 0);
	assert_int_equal(r.count, 6);
	assert_int_equal(r.rule[0].scope, UNIFW_PORT_SCOPE_RAMDISK);
	assert_int_equal(r.rule[0].take, UNIFW_PORT_TAKE_PHONE);
	assert_string_equal(r.rule[0].pattern, "fstab*");
	assert_string_equal(r.rule[0].id, "rd-fstab");
	assert_string_equal(r.rule[0].reason, "the phone's partitions");
	assert_int_equal(r.rule[0].line, 3);
	assert_int_equal(r.rule[1].take, UNIFW_PORT_TAKE_BASE);
	assert_string_equal(r.rule[1].id, "rd-init");
	assert_string_equal(r.rule[1].reason, "Android's own"); /* spaces around the value trimmed */
	assert_int_equal(r.rule[1].line, 8);
	assert_int_equal(r.rule[4].scope, UNIFW_PORT_SCOPE_PROP);
	assert_int_equal(r.rule[5].take, UNIFW_PORT_TAKE_PHONE_IF_MODEM);
	assert_string_equal(r.rule[5].source, "z"); /* last line without a newline */
	unifw_port_rules_free(&r);
}

static void match_first_rule_of_the_scope(void **state)
{
	(void)state;
	struct unifw_port_rules r;
	struct unifw_error err;
	assert_int_equal(unifw_port_rules_parse(good, strlen(good), "t.rules", &r, &err), 0);
	const struct unifw_port_rule *m = unifw_port_rules_match(&r, UNIFW_PORT_SCOPE_RAMDISK, "fstab.mt6572");
	assert_non_null(m);
	assert_string_equal(m->id, "rd-fstab");
	/* "./" and "/" are stripped; FNM_PATHNAME keeps '*' inside one directory */
	assert_string_equal(unifw_port_rules_match(&r, UNIFW_PORT_SCOPE_RAMDISK, "./fstab")->id, "rd-fstab");
	assert_string_equal(unifw_port_rules_match(&r, UNIFW_PORT_SCOPE_RAMDISK, "/init.rc")->id, "rd-init");
	assert_null(unifw_port_rules_match(&r, UNIFW_PORT_SCOPE_RAMDISK, "etc/fstab"));
	assert_null(unifw_port_rules_match(&r, UNIFW_PORT_SCOPE_RAMDISK, "init"));
	/* the scope matters: the ramdisk rules never decide a system path */
	assert_null(unifw_port_rules_match(&r, UNIFW_PORT_SCOPE_SYSTEM, "fstab.mt6572"));
	/* the first match wins: keylayouts are the phone's although the later "usr/ star" rule says base */
	assert_string_equal(unifw_port_rules_match(&r, UNIFW_PORT_SCOPE_SYSTEM, "usr/keylayout/mtk-kpd.kl")->id,
			    "sys-kl");
	assert_string_equal(unifw_port_rules_match(&r, UNIFW_PORT_SCOPE_SYSTEM, "/usr/idc")->id, "sys-usr");
	assert_null(unifw_port_rules_match(&r, UNIFW_PORT_SCOPE_SYSTEM, "usr/idc/mtk-tpd.idc")); /* a star stays in one level */
	assert_string_equal(unifw_port_rules_match(&r, UNIFW_PORT_SCOPE_PROP, "ro.sf.lcd_density")->id, "prop-sf");
	assert_null(unifw_port_rules_match(&r, UNIFW_PORT_SCOPE_PROP, "ro.build.id"));
	unifw_port_rules_free(&r);
}

/* Each bad text fails with UNIFW_E_FORMAT, the file's name and "line N:" of the culprit. */
static void expect_error(const char *text, unsigned line, const char *words)
{
	struct unifw_port_rules r;
	struct unifw_error err;
	char want[32];
	memset(&err, 0, sizeof err);
	int rc = unifw_port_rules_parse(text, strlen(text), "bad.rules", &r, &err);
	if (rc != UNIFW_E_FORMAT)
		fail_msg("expected a format error for:\n%s\ngot %d (%s)", text, rc, err.msg);
	assert_string_equal(err.where, "bad.rules");
	snprintf(want, sizeof want, "line %u: ", line);
	if (strncmp(err.msg, want, strlen(want)) || !strstr(err.msg, words))
		fail_msg("for:\n%s\nwanted \"%s...%s\", got \"%s\"", text, want, words, err.msg);
	assert_null(r.rule);
	assert_int_equal(r.count, 0);
}

#define RULE(h, id) h "\nid = " id "\nreason = r\nsource = s\n"

static void refuses_bad_text_naming_the_line(void **state)
{
	(void)state;
	expect_error("[ramdisk phone fstab*]\nid = a\nreason = r\n", 1, "no \"source =\" line");
	expect_error("[ramdisk phone fstab*]\nreason = r\nsource = s\n[system phone x]\n", 1, "no \"id =\"");
	expect_error(RULE("[ramdisk phone a]", "x") RULE("[ramdisk phone b]", "x"), 6, "duplicate id \"x\"");
	expect_error("\n\n[vendor phone a]\n", 3, "unknown scope \"vendor\"");
	expect_error("[ramdisk mine a]\n", 1, "unknown take \"mine\"");
	expect_error("[ramdisk phone]\n", 1, "three words");
	expect_error("[ramdisk phone a b]\n", 1, "three words");
	expect_error("[ramdisk phone a\n", 1, "must end with ']'");
	expect_error("[ramdisk phone /init.rc]\n", 1, "starts with '/'");
	expect_error("[ramdisk phone a]\nid = a\ncolour = red\n", 3, "unknown key \"colour\"");
	expect_error("[ramdisk phone a]\nid = a\nid = b\n", 3, "\"id\" given twice");
	expect_error("[ramdisk phone a]\nid = \n", 2, "\"id\" is empty");
	expect_error("[ramdisk phone a]\nid = a b\n", 2, "only letters");
	expect_error("[ramdisk phone a]\nid = a\nreason r\n", 3, "expected \"key = value\"");
	expect_error("# c\nid = a\n", 2, "before the first");
	expect_error("[ramdisk phone a]\nid = a\x01\n", 2, "control character");
}

static void refuses_oversized_parts(void **state)
{
	(void)state;
	char *text = malloc(64 * 1024);
	assert_non_null(text);
	/* a line past 1024 bytes */
	int n = snprintf(text, 4096, "[ramdisk phone a]\nid = a\nreason = ");
	memset(text + n, 'x', 1100);
	strcpy(text + n + 1100, "\nsource = s\n");
	expect_error(text, 3, "line of 1109 bytes");
	/* a reason longer than its field (511) though the line is within bounds */
	n = snprintf(text, 4096, "[ramdisk phone a]\nid = a\nreason = ");
	memset(text + n, 'x', 600);
	strcpy(text + n + 600, "\nsource = s\n");
	expect_error(text, 3, "\"reason\" of 600 bytes");
	/* a pattern past 127 bytes */
	n = snprintf(text, 4096, "[ramdisk phone ");
	memset(text + n, 'p', 200);
	strcpy(text + n + 200, "]\n");
	expect_error(text, 1, "pattern of 200 bytes");
	/* one rule more than UNIFW_PORT_MAX_RULES */
	size_t at = 0;
	for (unsigned i = 0; i <= UNIFW_PORT_MAX_RULES; i++)
		at += (size_t)snprintf(text + at, 64 * 1024 - at, "[prop phone p%u]\nid=i%u\nreason=r\nsource=s\n", i, i);
	expect_error(text, 4 * UNIFW_PORT_MAX_RULES + 1, "more than 256 rules");
	/* a NUL inside the text */
	static const char nul[] = "[ramdisk phone a]\nid = a\0b\nreason = r\nsource = s\n";
	struct unifw_port_rules r;
	struct unifw_error err;
	assert_int_equal(unifw_port_rules_parse(nul, sizeof nul - 1, "nul.rules", &r, &err), UNIFW_E_FORMAT);
	assert_non_null(strstr(err.msg, "line 2: NUL byte"));
	free(text);
}

static void builtin_table_is_complete(void **state)
{
	(void)state;
	struct unifw_port_rules r;
	struct unifw_error err;
	if (unifw_port_rules_builtin(&r, &err))
		fail_msg("built-in rules: %s: %s", err.where, err.msg);
	unsigned scopes[3] = {0};
	for (size_t i = 0; i < r.count; i++) {
		const struct unifw_port_rule *x = &r.rule[i];
		assert_true(x->id[0] && x->pattern[0]);
		/* a reason in words and a source naming something public */
		assert_true(strlen(x->reason) >= 20);
		assert_true(strlen(x->source) >= 10);
		scopes[x->scope]++;
		/* never a build identity, never anything IMEI-like */
		if (x->scope == UNIFW_PORT_SCOPE_PROP) {
			assert_null(strstr(x->pattern, "ro.build."));
			assert_null(strcasestr(x->pattern, "imei"));
		}
	}
	assert_true(scopes[UNIFW_PORT_SCOPE_RAMDISK] >= 8 && scopes[UNIFW_PORT_SCOPE_SYSTEM] >= 5 &&
		    scopes[UNIFW_PORT_SCOPE_PROP] >= 4);
	/* the decisions the port depends on */
	static const struct {
		enum unifw_port_scope s;
		const char *path;
		enum unifw_port_take take;
	} want[] = {
		{UNIFW_PORT_SCOPE_RAMDISK, "fstab.mt6572", UNIFW_PORT_TAKE_PHONE},
		{UNIFW_PORT_SCOPE_RAMDISK, "./fstab", UNIFW_PORT_TAKE_PHONE},
		{UNIFW_PORT_SCOPE_RAMDISK, "etc/recovery.fstab", UNIFW_PORT_TAKE_PHONE},
		{UNIFW_PORT_SCOPE_RAMDISK, "lib/modules/mtk_wmt_wifi.ko", UNIFW_PORT_TAKE_PHONE},
		{UNIFW_PORT_SCOPE_RAMDISK, "init.project.rc", UNIFW_PORT_TAKE_PHONE},
		{UNIFW_PORT_SCOPE_RAMDISK, "meta_init.modem.rc", UNIFW_PORT_TAKE_PHONE},
		{UNIFW_PORT_SCOPE_RAMDISK, "ueventd.mt6572.rc", UNIFW_PORT_TAKE_PHONE},
		{UNIFW_PORT_SCOPE_RAMDISK, "init", UNIFW_PORT_TAKE_BASE},
		{UNIFW_PORT_SCOPE_RAMDISK, "init.rc", UNIFW_PORT_TAKE_BASE},
		{UNIFW_PORT_SCOPE_RAMDISK, "default.prop", UNIFW_PORT_TAKE_BASE},
		{UNIFW_PORT_SCOPE_RAMDISK, "file_contexts", UNIFW_PORT_TAKE_BASE},
		{UNIFW_PORT_SCOPE_RAMDISK, "sepolicy", UNIFW_PORT_TAKE_BASE},
		{UNIFW_PORT_SCOPE_SYSTEM, "usr/keylayout/mtk-kpd.kl", UNIFW_PORT_TAKE_PHONE},
		{UNIFW_PORT_SCOPE_SYSTEM, "usr/idc/mtk-tpd.idc", UNIFW_PORT_TAKE_PHONE},
		{UNIFW_PORT_SCOPE_SYSTEM, "etc/firmware/ft6x06_fw.bin", UNIFW_PORT_TAKE_PHONE},
		{UNIFW_PORT_SCOPE_SYSTEM, "lib/modules/wlan.ko", UNIFW_PORT_TAKE_PHONE},
		{UNIFW_PORT_SCOPE_SYSTEM, "etc/firmware/modem_1_wg_n.img", UNIFW_PORT_TAKE_PHONE_IF_MODEM},
		{UNIFW_PORT_SCOPE_SYSTEM, "etc/mddb/BPLGUInfoCustomAppSrcP_MT6572_S00_SIM_MD_WG_N",
		 UNIFW_PORT_TAKE_PHONE_IF_MODEM},
		{UNIFW_PORT_SCOPE_PROP, "ro.sf.lcd_density", UNIFW_PORT_TAKE_PHONE},
		{UNIFW_PORT_SCOPE_PROP, "ro.board.platform", UNIFW_PORT_TAKE_PHONE},
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		const struct unifw_port_rule *m = unifw_port_rules_match(&r, want[i].s, want[i].path);
		if (!m || m->take != want[i].take)
			fail_msg("%s: %s", want[i].path, m ? m->id : "no rule");
	}
	/* Android's files and build identity are never the phone's */
	assert_null(unifw_port_rules_match(&r, UNIFW_PORT_SCOPE_RAMDISK, "ueventd.rc"));
	assert_null(unifw_port_rules_match(&r, UNIFW_PORT_SCOPE_SYSTEM, "build.prop"));
	assert_null(unifw_port_rules_match(&r, UNIFW_PORT_SCOPE_SYSTEM, "framework/framework.jar"));
	assert_null(unifw_port_rules_match(&r, UNIFW_PORT_SCOPE_PROP, "ro.build.fingerprint"));
	unifw_port_rules_free(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parses_every_field),
		cmocka_unit_test(match_first_rule_of_the_scope),
		cmocka_unit_test(refuses_bad_text_naming_the_line),
		cmocka_unit_test(refuses_oversized_parts),
		cmocka_unit_test(builtin_table_is_complete),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
