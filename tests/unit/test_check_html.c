/* unifw_check_html_write: the page of a check report (docs/check.md "HTML report"). Reports are built
 * here in the JSON form `unifw check --json` prints; tests/e2e/check_html.sh opens real ones in Chromium. */
#include "testutil.h"
#include "package_fixtures.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "unifw/check.h"
#include "unifw/json.h"
#include "unifw/logo.h"

struct part_spec {
	const char *name;
	uint64_t linear, size;
};

static struct unifw_jv *fingerprint_json(const char *source, const char *path, uint64_t boot_region,
					 const struct part_spec *parts, size_t n)
{
	struct unifw_jv *fp = unifw_jv_object();
	unifw_jv_set_str(fp, "source", source);
	unifw_jv_set_str(fp, "path", path);
	unifw_jv_set_str(fp, "platform", "MT6572");
	struct unifw_jv *layout = unifw_jv_set_obj(fp, "layout");
	unifw_jv_set_hex(layout, "boot_region", boot_region);
	struct unifw_jv *arr = unifw_jv_set_arr(layout, "parts");
	for (size_t i = 0; i < n; i++) {
		struct unifw_jv *p = unifw_jv_push_obj(arr);
		unifw_jv_set_str(p, "name", parts[i].name);
		unifw_jv_set_hex(p, "linear", parts[i].linear);
		unifw_jv_set_hex(p, "size", parts[i].size);
		unifw_jv_set_uint(p, "mbr_index", i + 1);
	}
	unifw_jv_push_str(unifw_jv_set_arr(fp, "notes"), "no modem <found>");
	return fp;
}

static void add_item(struct unifw_jv *items, const char *verdict, const char *code, const char *part,
		     const char *message, const char *evidence)
{
	struct unifw_jv *it = unifw_jv_push_obj(items);
	unifw_jv_set_str(it, "verdict", verdict);
	unifw_jv_set_str(it, "code", code);
	unifw_jv_set_str(it, "area", "layout");
	unifw_jv_set_str(it, "partition", part);
	unifw_jv_set_str(it, "message", message);
	unifw_jv_set_str(it, "evidence", evidence);
	unifw_jv_set_str(it, "boot_effect", "");
	unifw_jv_set_bool(it, "flash_refuses", !strcmp(verdict, "brick_risk"));
}

static const char hostile_name[] = "<img src=x onerror=alert(1)>";

/* Package: 4 partitions, one of them hostile-named; phone: another boot region, BOOTIMG larger, a CACHE. */
static struct unifw_jv *sample_report(void)
{
	static const struct part_spec pkg[] = {{"PRELOADER", 0, 0xC00000},
					       {"MBR", 0xC00000, 0x80000},
					       {"BOOTIMG", 0x1000000, 0x600000},
					       {hostile_name, 0x2000000, 0x100000}};
	/* The same user-area offsets under a smaller boot region: MBR is in the same place, BOOTIMG is larger. */
	static const struct part_spec phone[] = {{"PRELOADER", 0, 0x600000},
						 {"MBR", 0x600000, 0x80000},
						 {"BOOTIMG", 0xA00000, 0x800000},
						 {"CACHE", 0x4000000, 0x7E00000}};
	struct unifw_jv *r = unifw_jv_object();
	struct unifw_jv *c = unifw_jv_set_obj(r, "check");
	unifw_jv_set_str(c, "verdict", "brick_risk");
	unifw_jv_set_str(c, "verdict_text", "BRICK RISK");
	unifw_jv_set_str(c, "predicted_boot", "brom_loop");
	unifw_jv_set_arr(c, "predicted_faults");
	struct unifw_jv *items = unifw_jv_set_arr(c, "items");
	/* Deliberately not worst first: the page sorts. */
	add_item(items, "caveats", "logo_resolution", "LOGO", "another logo size", "720x1280 vs 480x854");
	add_item(items, "brick_risk", "emi_no_match", "PRELOADER", "</td></tr><script>alert(2)</script>",
		 "CID 15 01 00 & \"quoted\" 'single'");
	add_item(items, "will_not_boot", "lk_wrong_lcm", "UBOOT", "white screen", "ili9806e vs otm8018b");
	struct unifw_jv *parts = unifw_jv_set_arr(c, "partitions");
	struct unifw_jv *pp = unifw_jv_push_obj(parts);
	unifw_jv_set_str(pp, "name", "PRELOADER");
	unifw_jv_set_str(pp, "verdict", "brick_risk");
	struct unifw_jv *cmp = unifw_jv_set_arr(c, "compared");
	unifw_jv_push_str(cmp, "preloader EMI vs CID");
	unifw_jv_set(r, "package", fingerprint_json("package", "/pkgs/universal & <co>", 0xC00000, pkg, 4));
	unifw_jv_set(r, "phone", fingerprint_json("backup", "/backups/a516", 0x600000, phone, 4));
	return r;
}

static char *render(const struct unifw_jv *report, char **dir_out)
{
	char *dir = test_mkdtemp();
	char path[512];
	snprintf(path, sizeof path, "%s/report.html", dir);
	struct unifw_error e = {0};
	assert_int_equal(unifw_check_html_write(report, path, &e), 0);
	size_t len;
	char *html = (char *)test_read_file(path, &len);
	char *z = realloc(html, len + 1);
	assert_non_null(z);
	z[len] = '\0';
	*dir_out = dir;
	return z;
}

static void done(char *dir)
{
	test_rmtree(dir);
	free(dir);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/* The rects of one side's map: from its <svg id="map-SIDE"> to its </svg>. */
static char *map_of(const char *html, const char *side)
{
	char open[64];
	snprintf(open, sizeof open, "<svg id=\"map-%s\"", side);
	const char *a = strstr(html, open);
	assert_non_null(a);
	const char *b = strstr(a, "</svg>");
	assert_non_null(b);
	return strndup(a, (size_t)(b - a));
}

static void strings_from_the_report_are_escaped(void **state)
{
	(void)state;
	struct unifw_jv *r = sample_report();
	char *dir, *html = render(r, &dir);
	assert_null(strstr(html, "<img src=x"));
	assert_non_null(strstr(html, "&lt;img src=x onerror=alert(1)&gt;"));
	assert_null(strstr(html, "<script>alert"));
	assert_non_null(strstr(html, "&lt;/td&gt;&lt;/tr&gt;&lt;script&gt;alert(2)"));
	assert_non_null(strstr(html, "CID 15 01 00 &amp; &quot;quoted&quot; &#39;single&#39;"));
	assert_non_null(strstr(html, "/pkgs/universal &amp; &lt;co&gt;"));
	assert_non_null(strstr(html, "no modem &lt;found&gt;"));
	/* The page's only script is its own. */
	assert_int_equal(count(html, "<script"), 1);
	free(html);
	done(dir);
	unifw_jv_free(r);
}

static void port_change(struct unifw_jv *changes, const char *part, const char *path, const char *action,
			const char *reason)
{
	struct unifw_jv *o = unifw_jv_push_obj(changes);
	unifw_jv_set_str(o, "type", "port_change");
	unifw_jv_set_str(o, "partition", part);
	unifw_jv_set_str(o, "path", path);
	unifw_jv_set_str(o, "action", action);
	unifw_jv_set_str(o, "source", "phone");
	unifw_jv_set_str(o, "rule", "");
	unifw_jv_set_str(o, "reason", reason);
}

/* `unifw port --html`: the Port section only when the report holds "port"; partitions before files,
 * whatever order the report lists them in; every string escaped. */
static void port_section_only_with_a_port_report(void **state)
{
	(void)state;
	struct unifw_jv *r = sample_report();
	char *dir, *html = render(r, &dir);
	assert_null(strstr(html, "<section id=\"port\">"));
	free(html);
	done(dir);
	struct unifw_jv *port = unifw_jv_set_obj(r, "port");
	unifw_jv_set_str(port, "type", "port");
	unifw_jv_set_str(port, "base", "/roms/universal <b>");
	unifw_jv_set_str(port, "stock", "/backups/y600");
	unifw_jv_set_str(port, "out", "/out");
	struct unifw_jv *ch = unifw_jv_set_arr(port, "changes");
	port_change(ch, "BOOTIMG", "init.rc", "base", "the base's init.rc");
	port_change(ch, "NVRAM", "", "skipped", "identity: never copied");
	port_change(ch, "ANDROID", "usr/idc/<x>.idc", "added", "touch </td><script>alert(3)</script>");
	html = render(r, &dir);
	const char *sec = strstr(html, "<section id=\"port\">");
	assert_non_null(sec);
	assert_non_null(strstr(html, "data-changes=\"3\""));
	assert_int_equal(count(html, "<tr class=\"port-change\""), 3);
	const char *nvram = strstr(sec, "data-partition=\"NVRAM\""), *boot = strstr(sec, "data-partition=\"BOOTIMG\"");
	assert_true(nvram && boot && nvram < boot); /* the partition line before the files */
	assert_non_null(strstr(sec, "/roms/universal &lt;b&gt;"));
	assert_non_null(strstr(sec, "usr/idc/&lt;x&gt;.idc"));
	assert_null(strstr(html, "<script>alert(3)"));
	assert_int_equal(count(html, "<script"), 1);
	free(html);
	done(dir);
	unifw_jv_free(r);
}

static void maps_draw_each_side_and_mark_differences(void **state)
{
	(void)state;
	struct unifw_jv *r = sample_report();
	char *dir, *html = render(r, &dir);
	char *pkg = map_of(html, "package"), *phone = map_of(html, "phone");
	assert_int_equal(count(pkg, "<rect class=\"part "), 4);
	assert_int_equal(count(phone, "<rect class=\"part "), 4);
	/* PRELOADER spans each side's boot region (sizes differ), BOOTIMG changed size; MBR sits at user-area
	 * offset 0 on both sides: the same place although its linear addresses differ. */
	assert_int_equal(count(pkg, "class=\"part diff\""), 2);
	assert_non_null(strstr(pkg, "class=\"part same\" x=\"84\""));
	assert_non_null(strstr(pkg, "data-name=\"MBR\" data-linear=\"0xC00000\" data-size=\"0x80000\" data-status=\"same\""));
	assert_non_null(strstr(pkg, "data-name=\"BOOTIMG\" data-linear=\"0x1000000\" data-size=\"0x600000\" data-status=\"diff\""));
	assert_int_equal(count(pkg, "class=\"part only\""), 1);
	assert_int_equal(count(phone, "class=\"part only\""), 1); /* CACHE */
	assert_non_null(strstr(phone, "data-name=\"CACHE\" data-linear=\"0x4000000\" data-size=\"0x7E00000\""));
	assert_non_null(strstr(pkg, "data-boot-region=\"0xC00000\""));
	assert_non_null(strstr(phone, "data-boot-region=\"0x600000\""));
	/* The package's PRELOADER carries the check's per-partition verdict. */
	assert_non_null(strstr(pkg, "class=\"badge v-brick_risk\""));
	free(pkg);
	free(phone);
	free(html);
	done(dir);
	unifw_jv_free(r);
}

/* The y of the rect of partition name in a map. */
static double rect_y(const char *map, const char *name)
{
	char key[64];
	snprintf(key, sizeof key, "data-name=\"%s\"", name);
	const char *a = strstr(map, key);
	assert_non_null(a);
	while (strncmp(a, " y=\"", 4)) /* y= is in the same tag, before the name */
		a--;
	return strtod(a + 4, NULL);
}

/* Both maps share one axis, aligned at the MBR: the same user-area offset is at the same height on both
 * sides whatever the boot regions; a later offset is lower. */
static void both_maps_share_the_address_axis(void **state)
{
	(void)state;
	struct unifw_jv *r = sample_report();
	char *dir, *html = render(r, &dir);
	char *pkg = map_of(html, "package"), *phone = map_of(html, "phone");
	assert_float_equal(rect_y(pkg, "MBR"), rect_y(phone, "MBR"), 0.01);
	assert_float_equal(rect_y(pkg, "BOOTIMG"), rect_y(phone, "BOOTIMG"), 0.01);
	assert_true(rect_y(pkg, "BOOTIMG") > rect_y(pkg, "MBR") + 1.0);
	assert_true(rect_y(phone, "CACHE") > rect_y(phone, "BOOTIMG") + 1.0);
	/* The smaller boot region starts lower: its PRELOADER ends where the MBR starts on both sides. */
	assert_true(rect_y(phone, "PRELOADER") > rect_y(pkg, "PRELOADER") + 1.0);
	free(pkg);
	free(phone);
	free(html);
	done(dir);
	unifw_jv_free(r);
}

static void verdict_table_lists_every_item_worst_first(void **state)
{
	(void)state;
	struct unifw_jv *r = sample_report();
	char *dir, *html = render(r, &dir);
	assert_non_null(strstr(html, "id=\"verdict-table\" class=\"findings\" data-box data-items=\"3\""));
	assert_int_equal(count(html, "<tr class=\"item "), 3);
	const char *brick = strstr(html, "data-code=\"emi_no_match\""), *nb = strstr(html, "data-code=\"lk_wrong_lcm\""),
		   *cav = strstr(html, "data-code=\"logo_resolution\"");
	assert_true(brick && nb && cav);
	assert_true(brick < nb && nb < cav);
	assert_non_null(strstr(html, "data-verdict=\"brick_risk\""));
	assert_non_null(strstr(html, "data-boot=\"brom_loop\""));
	assert_non_null(strstr(html, "<li>preloader EMI vs CID</li>"));
	free(html);
	done(dir);
	unifw_jv_free(r);
}

static void page_references_nothing_outside_itself(void **state)
{
	(void)state;
	struct unifw_jv *r = sample_report();
	char *dir, *html = render(r, &dir);
	assert_null(strstr(html, "http://"));
	assert_null(strstr(html, "https://"));
	assert_null(strstr(html, "src=\"/"));
	assert_non_null(strstr(html, "default-src 'none'"));
	free(html);
	done(dir);
	unifw_jv_free(r);
}

static void logo_frames_are_inline_images(void **state)
{
	(void)state;
	static uint8_t px[240 * 320 * 2];
	for (size_t i = 0; i < sizeof px; i++)
		px[i] = (uint8_t)(i / 640);
	struct unifw_logo_image img = {px, 240, 320};
	uint8_t *logo = NULL;
	size_t len = 0;
	assert_int_equal(unifw_logo_build(&img, 1, 0, 0, &logo, &len, NULL), 0);
	struct unifw_jv *frames = NULL;
	assert_int_equal(unifw_logo_frames_json(logo, len, "LOGO", 0, 0, &frames, NULL), 0);
	struct unifw_jv *r = sample_report();
	struct unifw_jv *logos = unifw_jv_set_obj(r, "logos");
	unifw_jv_set(logos, "package", frames);
	/* A hostile report: a "base64" that would end the attribute is not written. */
	struct unifw_jv *bad = unifw_jv_push_obj(unifw_jv_set_arr(logos, "phone"));
	unifw_jv_set_uint(bad, "index", 0);
	unifw_jv_set_uint(bad, "width", 2);
	unifw_jv_set_uint(bad, "height", 2);
	unifw_jv_set_str(bad, "png_base64", "AAAA\"><script>x</script>");
	char *dir, *html = render(r, &dir);
	assert_int_equal(count(html, "<img class=\"logo-frame\" data-side=\"package\""), 1);
	assert_int_equal(count(html, "data-side=\"phone\""), 0);
	assert_non_null(strstr(html, "width=\"240\" height=\"320\" src=\"data:image/png;base64,iVBORw0KGgo"));
	assert_null(strstr(html, "<script>x"));
	free(html);
	done(dir);
	unifw_jv_free(r);
	free(logo);
}

static void report_without_check_is_refused(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	char path[512];
	snprintf(path, sizeof path, "%s/report.html", dir);
	struct unifw_jv *r = unifw_jv_object();
	unifw_jv_set_str(r, "check", "not an object");
	struct unifw_error e = {0};
	assert_int_equal(unifw_check_html_write(r, path, &e), UNIFW_E_INVALID);
	assert_non_null(strstr(e.msg, "\"check\""));
	struct stat st;
	assert_int_not_equal(stat(path, &st), 0);
	unifw_jv_free(r);
	done(dir);
}

/* A report whose sides are missing (a check that could not fingerprint them): the page still says the
 * verdict and that there is nothing to draw. */
static void report_without_sides_still_renders(void **state)
{
	(void)state;
	struct unifw_jv *r = unifw_jv_object();
	struct unifw_jv *c = unifw_jv_set_obj(r, "check");
	unifw_jv_set_str(c, "verdict", "safe");
	unifw_jv_set_str(c, "predicted_boot", "boots");
	char *dir, *html = render(r, &dir);
	assert_non_null(strstr(html, "data-verdict=\"safe\""));
	assert_int_equal(count(html, "<rect class=\"part "), 0);
	assert_int_equal(count(html, "No partition layout in this fingerprint."), 2);
	assert_non_null(strstr(html, "No findings: nothing stands in the way."));
	assert_int_equal(count(html, "No logo frames for this side."), 2);
	free(html);
	done(dir);
	unifw_jv_free(r);
}

/* A fingerprint with more partitions than a layout holds, and sizes that overflow: drawn up to the bound. */
static void oversized_layouts_are_bounded(void **state)
{
	(void)state;
	struct unifw_jv *r = sample_report();
	struct unifw_jv *parts = unifw_jv_path(r, "package.layout.parts");
	for (unsigned i = 0; i < 100; i++) {
		struct unifw_jv *p = unifw_jv_push_obj(parts);
		unifw_jv_set_strf(p, "name", "P%u", i);
		unifw_jv_set_hex(p, "linear", UINT64_MAX - i);
		unifw_jv_set_hex(p, "size", UINT64_MAX);
	}
	char *dir, *html = render(r, &dir);
	char *pkg = map_of(html, "package");
	assert_int_equal(count(pkg, "<rect class=\"part "), UNIFW_FP_MAX_PARTS);
	assert_non_null(strstr(html, "40 layout entries not drawn"));
	free(pkg);
	free(html);
	done(dir);
	unifw_jv_free(r);
}

/* ---------------------------------------------------------------- a side's logo frames */

static struct unifw_jv *logo_frames_ok(const char *path)
{
	struct unifw_jv *frames = NULL;
	struct unifw_error e = {0};
	int rc = unifw_check_logo_frames(path, &frames, &e);
	if (rc)
		fprintf(stderr, "%s: %s\n", e.where, e.msg);
	assert_int_equal(rc, 0);
	assert_non_null(frames);
	return frames;
}

/* The A516 package (corpus logo) as a folder, its scatter file and a zip: the same frames each way, frame 0
 * at the logo's panel size. */
static void logo_frames_of_a_package_folder_scatter_and_zip(void **state)
{
	(void)state;
	struct member m[A516_COUNT];
	size_t n = a516_members(m, "");
	char *dir = test_mkdtemp();
	char folder[512], zip[512], scatter[600];
	snprintf(folder, sizeof folder, "%s/pkg", dir);
	assert_int_equal(mkdir(folder, 0755), 0);
	snprintf(zip, sizeof zip, "%s/pkg.zip", dir);
	write_folder(folder, m, n);
	write_archive(zip, "zip", NULL, false, m, n);
	struct unifw_jv *a = logo_frames_ok(folder), *b = logo_frames_ok(zip);
	struct unifw_package *p = open_ok(folder);
	snprintf(scatter, sizeof scatter, "%s/%s", folder, p->chosen->item->path);
	unifw_package_free(p);
	struct unifw_jv *c = logo_frames_ok(scatter);
	size_t len;
	uint8_t *logo = corpus_read("logo/mt6572_lenovo_a516_logo.bin", &len);
	struct unifw_logo lg;
	assert_int_equal(unifw_logo_parse(logo, len, "a516", &lg, NULL), 0);
	assert_true(unifw_jv_len(a) >= 1);
	assert_int_equal(unifw_jv_u64(unifw_jv_path(a, "0.width")), lg.width);
	assert_int_equal(unifw_jv_u64(unifw_jv_path(a, "0.height")), lg.height);
	char *ja = unifw_jv_to_string(a, false), *jb = unifw_jv_to_string(b, false), *jc = unifw_jv_to_string(c, false);
	assert_string_equal(ja, jb);
	assert_string_equal(ja, jc);
	free(ja);
	free(jb);
	free(jc);
	unifw_logo_free(&lg);
	free(logo);
	unifw_jv_free(a);
	unifw_jv_free(b);
	unifw_jv_free(c);
	free_members(m, n);
	test_rmtree(dir);
	free(dir);
}

static void package_without_logo_gives_no_frames_and_broken_logo_fails(void **state)
{
	(void)state;
	struct member m[A516_COUNT];
	size_t n = a516_members(m, "");
	size_t logo = n;
	for (size_t i = 0; i < n; i++)
		if (!strcmp(m[i].name, "logo.bin"))
			logo = i;
	assert_true(logo < n);
	char *dir = test_mkdtemp();
	char folder[512];
	/* The logo's frame table pointing past the payload: the package still opens, the frames cannot be read. */
	snprintf(folder, sizeof folder, "%s/broken", dir);
	assert_int_equal(mkdir(folder, 0755), 0);
	memset(m[logo].data + 512 + 8, 0xEE, 4);
	write_folder(folder, m, n);
	struct unifw_jv *frames = (struct unifw_jv *)dir;
	struct unifw_error e = {0};
	assert_int_not_equal(unifw_check_logo_frames(folder, &frames, &e), 0);
	assert_null(frames);
	assert_non_null(strstr(e.where, "logo.bin"));
	/* Without its image the LOGO partition has nothing to show. */
	snprintf(folder, sizeof folder, "%s/nologo", dir);
	assert_int_equal(mkdir(folder, 0755), 0);
	struct member last = m[n - 1];
	m[n - 1] = m[logo];
	m[logo] = last;
	write_folder(folder, m, n - 1);
	frames = logo_frames_ok(folder);
	assert_int_equal(unifw_jv_type(frames), UNIFW_JV_ARRAY);
	assert_int_equal(unifw_jv_len(frames), 0);
	unifw_jv_free(frames);
	free_members(m, n);
	test_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(strings_from_the_report_are_escaped),
		cmocka_unit_test(port_section_only_with_a_port_report),
		cmocka_unit_test(maps_draw_each_side_and_mark_differences),
		cmocka_unit_test(both_maps_share_the_address_axis),
		cmocka_unit_test(verdict_table_lists_every_item_worst_first),
		cmocka_unit_test(page_references_nothing_outside_itself),
		cmocka_unit_test(logo_frames_are_inline_images),
		cmocka_unit_test(report_without_check_is_refused),
		cmocka_unit_test(report_without_sides_still_renders),
		cmocka_unit_test(oversized_layouts_are_bounded),
		cmocka_unit_test(logo_frames_of_a_package_folder_scatter_and_zip),
		cmocka_unit_test(package_without_logo_gives_no_frames_and_broken_logo_fails),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
