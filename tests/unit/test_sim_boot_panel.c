/* unifw-sim boot evaluation, the panel: LK and kernel pick LCM drivers as MediaTek's source does (one
 * driver unconditionally, else compare_id in order, LK's last driver on no match; the kernel's only
 * driver, the lcm= name, compare_id, else no framebuffer) (issues 9.3, 9.4). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sim_boot_fixture.h"

/* ------------------------------------------------------------------ panel choice (issue 9.3, 9.4) */

static void port_lk(struct fixture *f, const struct sim_firmware *fw, const char *const *lcm, size_t n)
{
	struct sim_driver_set d = { .lcm = lcm, .lcm_count = n };
	uint8_t *img = NULL;
	size_t len = 0;
	assert_int_equal(sim_build_lk(fw, lcm ? &d : NULL, 1, &img, &len, NULL), 0);
	overwrite(f, "UBOOT", 0, img, len);
	free(img);
}

static void port_kernel(struct fixture *f, const struct sim_firmware *fw, const char *const *lcm, size_t n)
{
	struct sim_driver_set d = { .lcm = lcm, .lcm_count = n };
	uint8_t *img = NULL;
	size_t len = 0;
	assert_int_equal(sim_build_bootimg(fw, lcm ? &d : NULL, false, 1, &img, &len, NULL), 0);
	overwrite(f, "BOOTIMG", 0, img, len);
	free(img);
}

static void expect_fact(const struct sim_boot_report *r, const char *path, const char *want)
{
	const char *got = unifw_jv_str(unifw_jv_path(r->facts, path));
	if (!got || strcmp(got, want)) {
		sim_boot_report_text(r, stderr);
		fail_msg("%s: expected %s, got %s", path, want, got ? got : "(none)");
	}
}

/* The universal ROM's LK and kernel (hx8379a ID, ili9806e ID, otm8018b_dijing any-OTM8018B, in that order)
 * on every model: the outcome follows from each panel's controller, not from driver names. */
static void test_universal_lk_and_kernel_panel_outcome_on_each_model(void **state)
{
	(void)state;
	static const struct {
		const char *model, *lk_rule, *cmdline, *lk_reason;
	} want[] = {
		{ "a516-like", "compare_id", "lcm=1-otm8018b_dsi_vdo_dijing", NULL },  /* another OTM8018B module */
		{ "wiko-like", "last_driver", "lcm=0-otm8018b_dsi_vdo_dijing", "lk_no_lcm" }, /* NT35512 */
		{ "s10-like", "last_driver", "lcm=0-otm8018b_dsi_vdo_dijing", "lk_no_lcm" },  /* HX8389B */
		{ "y600-like", "compare_id", "lcm=1-otm8018b_dsi_vdo_dijing", NULL },  /* its own OTM8018B module */
	};
	assert_int_equal(sizeof want / sizeof *want, sim_model_count());
	for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
		struct fixture f;
		phone_open(&f, want[i].model);
		port_lk(&f, sim_firmware_universal(), NULL, 0);
		port_kernel(&f, sim_firmware_universal(), NULL, 0);
		struct sim_boot_report r;
		evaluate(&f, &r);
		expect_fact(&r, "lk.lcm_rule", want[i].lk_rule);
		expect_fact(&r, "lk.lcm_cmdline", want[i].cmdline);
		/* the kernel finds the name LK passed (both carry the same list) */
		expect_fact(&r, "kernel.lcm_rule", "lcm_name");
		expect_fact(&r, "kernel.lcm_chosen", "otm8018b_dsi_vdo_dijing");
		if (want[i].lk_reason) { /* the kernel's table may add a worse verdict later (another layout) */
			assert_true(has_code(r.reasons, r.reason_count, want[i].lk_reason));
			assert_int_equal(r.reasons[0].verdict, SIM_VERDICT_WHITE_SCREEN);
			assert_string_equal(r.reasons[0].code, want[i].lk_reason);
		}
		assert_false(has_code(r.reasons, r.reason_count, "lk_wrong_lcm"));
		assert_false(has_code(r.reasons, r.reason_count, "kernel_no_lcm"));
		assert_false(has_code(r.reasons, r.reason_count, "kernel_wrong_lcm"));
		if (!want[i].lk_reason)
			assert_false(has_code(r.reasons, r.reason_count, "lk_no_lcm"));
		sim_boot_report_free(&r);
		phone_close(&f);
	}
}

/* A one-driver LK never calls compare_id: it uses its driver even on a panel it was not written for,
 * and passes lcm=1-NAME. */
static void test_lk_single_driver_used_without_asking_the_panel(void **state)
{
	(void)state;
	struct fixture f;
	static const char *const hx[] = { "hx8389b_kelai_dsi_vdo_qhd" };
	phone_open(&f, "a516-like"); /* OTM8018B */
	port_lk(&f, f.m->stock, hx, 1);
	expect(&f, SIM_VERDICT_WHITE_SCREEN, "lk_wrong_lcm", NULL);
	struct sim_boot_report r;
	evaluate(&f, &r);
	expect_fact(&r, "lk.lcm_rule", "only_driver");
	expect_fact(&r, "lk.lcm_cmdline", "lcm=1-hx8389b_kelai_dsi_vdo_qhd");
	assert_non_null(strstr(r.reasons[0].message, "without asking the panel"));
	sim_boot_report_free(&r);
	phone_close(&f);
}

/* compare_id runs in list order: a driver whose compare_id returns 1 for any panel wins when it comes
 * first; after the panel's own driver it is never reached. */
static void test_lk_always_true_compare_id_wins_only_when_first(void **state)
{
	(void)state;
	struct fixture f;
	static const char *const nt_first[] = { "nt35512_wvga_dsi_vdo_dj", "otm8018b_dsi_vdo" };
	static const char *const nt_last[] = { "otm8018b_dsi_vdo", "nt35512_wvga_dsi_vdo_dj" };
	phone_open(&f, "a516-like");
	port_lk(&f, f.m->stock, nt_first, 2);
	expect(&f, SIM_VERDICT_WHITE_SCREEN, "lk_wrong_lcm", NULL);
	struct sim_boot_report r;
	evaluate(&f, &r);
	expect_fact(&r, "lk.lcm_rule", "compare_id");
	expect_fact(&r, "lk.lcm_cmdline", "lcm=1-nt35512_wvga_dsi_vdo_dj");
	sim_boot_report_free(&r);
	port_lk(&f, f.m->stock, nt_last, 2);
	expect(&f, SIM_VERDICT_BOOTS, NULL, NULL);
	evaluate(&f, &r);
	expect_fact(&r, "lk.lcm_cmdline", "lcm=1-otm8018b_dsi_vdo");
	sim_boot_report_free(&r);
	phone_close(&f);
}

/* The kernel: its only driver whatever lcm= says; else the name; else compare_id (DISP_DetectDevice). */
static void test_kernel_takes_only_driver_then_name_then_compare_id(void **state)
{
	(void)state;
	struct fixture f;
	static const char *const dijing[] = { "otm8018b_dsi_vdo_dijing" };
	static const char *const hx8379a[] = { "hx8379a_wvga_dsi_vdo" };
	static const char *const fallback[] = { "hx8379a_wvga_dsi_vdo", "otm8018b_dsi_vdo_dijing" };
	phone_open(&f, "a516-like"); /* LK passes lcm=1-otm8018b_dsi_vdo */
	port_kernel(&f, f.m->stock, dijing, 1); /* another name, the only driver: taken, and it fits OTM8018B */
	struct sim_boot_report r;
	evaluate(&f, &r);
	assert_int_equal(r.verdict, SIM_VERDICT_BOOTS);
	expect_fact(&r, "kernel.lcm_rule", "only_driver");
	sim_boot_report_free(&r);
	port_kernel(&f, f.m->stock, hx8379a, 1); /* the only driver, for another controller */
	expect(&f, SIM_VERDICT_BLACK_SCREEN, "kernel_wrong_lcm", NULL);
	port_kernel(&f, f.m->stock, fallback, 2); /* no otm8018b_dsi_vdo: compare_id finds the OTM8018B one */
	evaluate(&f, &r);
	assert_int_equal(r.verdict, SIM_VERDICT_BOOTS);
	expect_fact(&r, "kernel.lcm_rule", "compare_id");
	expect_fact(&r, "kernel.lcm_chosen", "otm8018b_dsi_vdo_dijing");
	sim_boot_report_free(&r);
	phone_close(&f);
}

/* The choice rules alone, on a copy of s10-like whose HX8389B panel has another module ID: its
 * hx8389b_kelai driver (ID probe) then refuses it, though it is for the same controller. */
static void test_lcm_choice_rules(void **state)
{
	(void)state;
	struct sim_model other = *sim_model_find("s10-like");
	other.panel_module = 2;
	static const char *const list[] = { "ili9806e_wvga_dsi_vdo", "hx8389b_kelai_dsi_vdo_qhd" };
	struct sim_lcm_choice c;
	sim_lk_choose_lcm(list, 2, sim_model_find("s10-like"), &c);
	assert_int_equal(c.rule, SIM_LCM_RULE_COMPARE_ID);
	assert_string_equal(c.name, "hx8389b_kelai_dsi_vdo_qhd");
	assert_true(c.found && c.fits);
	sim_lk_choose_lcm(list, 2, &other, &c); /* nothing matches: the last driver, lcm=0, but it fits */
	assert_int_equal(c.rule, SIM_LCM_RULE_LAST_DRIVER);
	assert_string_equal(c.name, "hx8389b_kelai_dsi_vdo_qhd");
	assert_false(c.found);
	assert_true(c.fits);
	sim_lk_choose_lcm(list, 0, &other, &c);
	assert_int_equal(c.rule, SIM_LCM_RULE_NONE);
	assert_null(c.name);
	/* an unknown driver has no compare_id the sim knows: never picked by probing, but the only one is used */
	static const char *const unknown[] = { "abc1234_dsi_vdo", "ili9806e_wvga_dsi_vdo" };
	sim_kernel_choose_lcm(unknown, 2, "nonexistent_dsi_vdo", &other, &c);
	assert_int_equal(c.rule, SIM_LCM_RULE_NONE);
	sim_kernel_choose_lcm(unknown, 1, NULL, &other, &c);
	assert_int_equal(c.rule, SIM_LCM_RULE_ONLY_DRIVER);
	assert_false(c.fits);
	sim_kernel_choose_lcm(list, 2, "ili9806e_wvga_dsi_vdo", &other, &c); /* the name wins over compare_id */
	assert_int_equal(c.rule, SIM_LCM_RULE_BY_NAME);
	assert_string_equal(c.name, "ili9806e_wvga_dsi_vdo");
	assert_false(c.fits);

	/* the whole evaluation: the phone's image with that LK reports the note, not a screen fault */
	struct fixture f;
	phone_open(&f, "s10-like");
	f.m = &other;
	port_lk(&f, f.m->stock, list, 2);
	struct sim_boot_report r;
	struct unifw_error err = { 0 };
	assert_int_equal(sim_boot_evaluate(f.e, &other, &r, &err), 0);
	assert_int_equal(r.verdict, SIM_VERDICT_BOOTS);
	assert_true(has_code(r.notes, r.note_count, "lk_lcm_not_detected"));
	expect_fact(&r, "lk.lcm_cmdline", "lcm=0-hx8389b_kelai_dsi_vdo_qhd");
	sim_boot_report_free(&r);
	phone_close(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_universal_lk_and_kernel_panel_outcome_on_each_model),
		cmocka_unit_test(test_lk_single_driver_used_without_asking_the_panel),
		cmocka_unit_test(test_lk_always_true_compare_id_wins_only_when_first),
		cmocka_unit_test(test_kernel_takes_only_driver_then_name_then_compare_id),
		cmocka_unit_test(test_lcm_choice_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
