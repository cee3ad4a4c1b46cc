/* unifw port's per-partition decisions (src/ops/port_layout.c) on the corpus's real MT6572 layouts: the
 * phone's table is OUT's, partition for partition and in order; identity is never copied, the boot chain
 * is the phone's and not downloaded, BOOTIMG/RECOVERY are merged, ANDROID (or a KitKat layout's SYSTEM) is
 * the base's system with the phone's files, file systems are fitted; a base without a boot or system
 * image, or with an image too large for a partition it cannot shrink, is refused naming the partition. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ops/port_internal.h"
#include "unifw/partname.h"
#include "unifw/scatter.h"

struct base_view {
	bool has[UNIFW_SCATTER_MAX_PARTS];
	const char *type[UNIFW_SCATTER_MAX_PARTS];
	uint64_t bytes[UNIFW_SCATTER_MAX_PARTS];
};

static void load(const char *rel, struct unifw_scatter *sc)
{
	struct unifw_error e;
	if (unifw_scatter_load(corpus_path(rel), sc, &e))
		fail_msg("%s: %s", rel, e.msg);
}

/* A base with an image for every partition it downloads (or, in a flat file that names no files, every
 * partition); file systems are ext4; sizes within their partitions. */
static void view_all(const struct unifw_scatter *base, struct base_view *v)
{
	memset(v, 0, sizeof *v);
	for (size_t i = 0; i < base->count && i < UNIFW_SCATTER_MAX_PARTS; i++) {
		const struct unifw_scatter_part *p = &base->parts[i];
		bool named = p->file_name[0] && strcasecmp(p->file_name, "NONE");
		v->has[i] = base->dialect == UNIFW_SCATTER_FLAT || (named && p->is_download);
		const char *n = unifw_partname_resolve(p->name);
		v->type[i] = n && (!strcmp(n, "ANDROID") || !strcmp(n, "CACHE") || !strcmp(n, "USRDATA")) ? "ext4" : "unknown";
		v->bytes[i] = p->size / 2;
	}
}

static int decide(const struct unifw_scatter *phone, const struct unifw_scatter *base, const struct base_view *v,
		  struct port_part_plan **plan, size_t *n, struct unifw_error *e)
{
	struct port_layout_in in = {phone, base, v->has, v->type, v->bytes};
	return port_layout_decide(&in, plan, n, e);
}

static const struct port_part_plan *plan_of(const struct unifw_scatter *phone, struct port_part_plan *plan, size_t n,
					    const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(phone->parts[plan[i].phone_index].name, name))
			return &plan[i];
	fail_msg("no plan entry for %s", name);
	return NULL;
}

static int base_index(const struct unifw_scatter *base, const char *name)
{
	for (size_t i = 0; i < base->count; i++)
		if (!strcmp(base->parts[i].name, name))
			return (int)i;
	return -1;
}

/* The y600's layout (the phone) with the a516's package (the base): every partition's decision. */
static void y600_phone_a516_base(void **state)
{
	(void)state;
	struct unifw_scatter phone, base;
	load("scatter/mt6572_huawei_y600_ota_scatter.txt", &phone);
	load("scatter/mt6572_lenovo_a516_S117.txt", &base);
	struct base_view *v = calloc(1, sizeof *v);
	view_all(&base, v);
	struct port_part_plan *plan = NULL;
	size_t n = 0;
	struct unifw_error e;
	assert_int_equal(decide(&phone, &base, v, &plan, &n, &e), 0);
	assert_int_equal(n, phone.count);
	for (size_t i = 0; i < n; i++)
		assert_int_equal(plan[i].phone_index, i); /* OUT's table is the phone's, in its order */
	static const struct {
		const char *name;
		enum port_how how;
		const char *action, *source;
	} want[] = {
		{"PRELOADER", PORT_HOW_PHONE, "phone", "phone"},      {"MBR", PORT_HOW_PHONE, "phone", "phone"},
		{"EBR1", PORT_HOW_PHONE, "phone", "phone"},           {"UBOOT", PORT_HOW_PHONE, "phone", "phone"},
		{"LOGO", PORT_HOW_PHONE, "phone", "phone"},           {"PRO_INFO", PORT_HOW_IDENTITY, "skipped", "none"},
		{"NVRAM", PORT_HOW_IDENTITY, "skipped", "none"},      {"PROTECT_F", PORT_HOW_IDENTITY, "skipped", "none"},
		{"PROTECT_S", PORT_HOW_IDENTITY, "skipped", "none"},  {"SECCFG", PORT_HOW_KEEP, "skipped", "none"},
		{"SEC_RO", PORT_HOW_KEEP, "skipped", "none"},         {"MISC", PORT_HOW_KEEP, "skipped", "none"},
		{"EXPDB", PORT_HOW_KEEP, "skipped", "none"},          {"BOOTIMG", PORT_HOW_BOOT, "merged", "base+phone"},
		{"RECOVERY", PORT_HOW_BOOT, "merged", "base+phone"},  {"ANDROID", PORT_HOW_SYSTEM, "merged", "base+phone"},
		{"CACHE", PORT_HOW_FIT, "base", "base"},              {"USRDATA", PORT_HOW_FIT, "base", "base"},
		{"FAT", PORT_HOW_KEEP, "skipped", "none"}, /* only the phone has it */
	};
	for (size_t k = 0; k < sizeof want / sizeof *want; k++) {
		const struct port_part_plan *p = plan_of(&phone, plan, n, want[k].name);
		if (p->how != want[k].how)
			fail_msg("%s: %s, expected %s", want[k].name, port_how_name(p->how), port_how_name(want[k].how));
		assert_string_equal(p->action, want[k].action);
		assert_string_equal(p->source, want[k].source);
		assert_true(p->reason[0] != 0);
		bool takes_base = want[k].how == PORT_HOW_BOOT || want[k].how == PORT_HOW_SYSTEM || want[k].how == PORT_HOW_FIT;
		assert_int_equal(p->base_index, takes_base ? base_index(&base, want[k].name) : -1);
	}
	assert_non_null(strstr(plan_of(&phone, plan, n, "FAT")->reason, "only the phone"));
	free(plan);
	free(v);
	unifw_scatter_free(&phone);
	unifw_scatter_free(&base);
}

static bool mt6572_emmc(const char *rel, struct unifw_scatter *sc)
{
	struct unifw_error e;
	if (strncmp(rel, "scatter/mt6572_", 15) || strcasestr(rel, "nand") || unifw_scatter_load(corpus_path(rel), sc, &e))
		return false;
	if (!strcasecmp(sc->storage, "NAND")) {
		unifw_scatter_free(sc);
		return false;
	}
	return true;
}

/* Every MT6572 eMMC layout of the corpus as the phone, every other as the base: whatever the base, identity
 * is never taken, the boot chain is the phone's, the kernel partitions merged, the system ported (ANDROID
 * and a KitKat layout's SYSTEM answer to each other). */
static void every_corpus_pair_keeps_the_rules(void **state)
{
	(void)state;
	size_t nl = 0, pairs = 0;
	char **list = corpus_list("scatter", &nl);
	struct base_view *v = calloc(1, sizeof *v);
	for (size_t a = 0; a < nl; a++) {
		struct unifw_scatter phone;
		if (!mt6572_emmc(list[a], &phone))
			continue;
		for (size_t b = 0; b < nl; b++) {
			struct unifw_scatter base;
			if (b == a || !mt6572_emmc(list[b], &base))
				continue;
			view_all(&base, v);
			struct port_part_plan *plan = NULL;
			size_t n = 0;
			struct unifw_error e;
			if (decide(&phone, &base, v, &plan, &n, &e))
				fail_msg("%s on %s: %s: %s", list[b], list[a], e.where, e.msg);
			assert_int_equal(n, phone.count);
			for (size_t i = 0; i < n; i++) {
				const struct unifw_scatter_part *p = &phone.parts[plan[i].phone_index];
				const char *r = unifw_partname_resolve(p->name);
				r = r ? r : p->name;
				if (!strcmp(r, "NVRAM") || !strcmp(r, "PRO_INFO") || !strcmp(r, "PROTECT_F") || !strcmp(r, "PROTECT_S"))
					assert_int_equal(plan[i].how, PORT_HOW_IDENTITY);
				else if (!strcmp(r, "PRELOADER") || !strcmp(r, "UBOOT") || !strcmp(r, "MBR"))
					assert_int_equal(plan[i].how, PORT_HOW_PHONE);
				else if (!strcmp(r, "BOOTIMG"))
					assert_int_equal(plan[i].how, PORT_HOW_BOOT);
				else if (!strcmp(r, "ANDROID")) {
					assert_int_equal(plan[i].how, PORT_HOW_SYSTEM);
					assert_true(unifw_partname_matches("ANDROID", base.parts[plan[i].base_index].name));
				}
				if (plan[i].how == PORT_HOW_IDENTITY || plan[i].how == PORT_HOW_PHONE || plan[i].how == PORT_HOW_KEEP)
					assert_int_equal(plan[i].base_index, -1);
			}
			pairs++;
			free(plan);
			unifw_scatter_free(&base);
		}
		unifw_scatter_free(&phone);
	}
	free(v);
	test_free_list(list, nl);
	assert_true(pairs >= 200); /* some twenty eMMC layouts, each against the others */
}

/* What the base must have, and what cannot be fitted. */
static void refusals_name_the_partition(void **state)
{
	(void)state;
	struct unifw_scatter phone, base;
	load("scatter/mt6572_alcatel_4035_ota_scatter.txt", &phone);
	load("scatter/mt6572_alcatel_yaris_m_gsm_ota_scatter.txt", &base);
	struct base_view *v = calloc(1, sizeof *v);
	struct port_part_plan *plan = NULL;
	size_t n = 0;
	struct unifw_error e;
	static const char *const needed[] = {"BOOTIMG", "ANDROID"};
	for (size_t k = 0; k < 2; k++) {
		view_all(&base, v);
		v->has[base_index(&base, needed[k])] = false;
		assert_int_equal(decide(&phone, &base, v, &plan, &n, &e), UNIFW_E_NOT_FOUND);
		assert_string_equal(e.where, needed[k]);
		assert_null(plan);
	}
	/* no recovery image in the base: the phone keeps its own recovery */
	view_all(&base, v);
	v->has[base_index(&base, "RECOVERY")] = false;
	assert_int_equal(decide(&phone, &base, v, &plan, &n, &e), 0);
	assert_int_equal(plan_of(&phone, plan, n, "RECOVERY")->how, PORT_HOW_KEEP);
	/* CUSTPACK: a base image that is not a file system is copied when it fits, refused when it does not */
	assert_int_equal(plan_of(&phone, plan, n, "CUSTPACK")->how, PORT_HOW_BASE);
	free(plan);
	int ci = base_index(&base, "CUSTPACK");
	v->bytes[ci] = phone.parts[base_index(&phone, "CUSTPACK")].size + 1;
	assert_int_equal(decide(&phone, &base, v, &plan, &n, &e), UNIFW_E_TOO_BIG);
	assert_string_equal(e.where, "CUSTPACK");
	/* the same as an ext4 image: fitted (port_fit shrinks it or says by how much it is over) */
	v->type[ci] = "ext4";
	assert_int_equal(decide(&phone, &base, v, &plan, &n, &e), 0);
	assert_int_equal(plan_of(&phone, plan, n, "CUSTPACK")->how, PORT_HOW_FIT);
	free(plan);
	free(v);
	unifw_scatter_free(&phone);
	unifw_scatter_free(&base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(y600_phone_a516_base),
		cmocka_unit_test(every_corpus_pair_keeps_the_rules),
		cmocka_unit_test(refusals_name_the_partition),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
