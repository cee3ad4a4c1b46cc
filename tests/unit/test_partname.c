/* Partition names (src/ops/partname.c): every partition of every MT6572 eMMC scatter of the corpus is a
 * name the table knows, in any case; the Android aliases land on their ptgen names; anything else is
 * unknown, and the list a refusal prints holds both. */
#include "testutil.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "unifw/partname.h"
#include "unifw/scatter.h"

static void every_corpus_mt6572_emmc_partition_is_known(void **state)
{
	(void)state;
	size_t n = 0, checked = 0;
	char **list = corpus_list("scatter", &n);
	for (size_t i = 0; i < n; i++) {
		struct unifw_scatter sc;
		struct unifw_error e;
		/* the MT6572 eMMC layouts: by file name (flat ota_scatter files name no platform) and storage */
		if (strncmp(list[i], "scatter/mt6572_", 15) || unifw_scatter_load(corpus_path(list[i]), &sc, &e))
			continue;
		bool ours = strcasecmp(sc.storage, "NAND") && !strcasestr(list[i], "nand");
		for (size_t k = 0; ours && k < sc.count; k++) {
			if (!sc.parts[k].name[0])
				continue;
			const char *r = unifw_partname_resolve(sc.parts[k].name);
			if (!r)
				fail_msg("%s: partition %s is not in the name table", list[i], sc.parts[k].name);
			/* SYSTEM (a KK layout's name for ANDROID) is an alias; every other is a ptgen name itself */
			if (strcmp(r, sc.parts[k].name) && strcmp(sc.parts[k].name, "SYSTEM"))
				fail_msg("%s: %s resolves to %s", list[i], sc.parts[k].name, r);
			assert_true(unifw_partname_matches(r, sc.parts[k].name));
			checked++;
		}
		unifw_scatter_free(&sc);
	}
	test_free_list(list, n);
	assert_true(checked >= 100); /* the corpus has a dozen MT6572 eMMC layouts of ~20 partitions */
}

static void aliases_resolve_and_unknown_names_do_not(void **state)
{
	(void)state;
	static const struct { const char *typed, *name; } cases[] = {
		{"boot", "BOOTIMG"},     {"Recovery", "RECOVERY"}, {"system", "ANDROID"},    {"cache", "CACHE"},
		{"userdata", "USRDATA"}, {"data", "USRDATA"},      {"lk", "UBOOT"},          {"uboot", "UBOOT"},
		{"logo", "LOGO"},        {"nvram", "NVRAM"},       {"preloader", "PRELOADER"}, {"misc", "MISC"},
		{"secro", "SEC_RO"},     {"protect_f", "PROTECT_F"}, {"protect1", "PROTECT_F"}, {"protect2", "PROTECT_S"},
		{"pro_info", "PRO_INFO"}, {"fat", "FAT"},          {"internal_sd", "FAT"},   {"custpack", "CUSTPACK"},
		{"expdb", "EXPDB"},      {"ebr1", "EBR1"},         {"mbr", "MBR"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		const char *r = unifw_partname_resolve(cases[i].typed);
		if (!r || strcmp(r, cases[i].name))
			fail_msg("%s resolves to %s, expected %s", cases[i].typed, r ? r : "(nothing)", cases[i].name);
		assert_true(unifw_partname_matches(cases[i].typed, cases[i].name));
	}
	assert_null(unifw_partname_resolve("zork"));
	assert_null(unifw_partname_resolve(""));
	assert_null(unifw_partname_resolve(NULL));
	assert_false(unifw_partname_matches("boot", "RECOVERY"));
	assert_true(unifw_partname_matches("NVRAM_X", "nvram_x")); /* a foreign name still matches itself */
	assert_false(unifw_partname_matches("zork", "BOOTIMG"));
	char list[2048];
	unifw_partname_accepted(list, sizeof list);
	assert_non_null(strstr(list, "PRELOADER, MBR, EBR1"));
	assert_non_null(strstr(list, "boot=BOOTIMG"));
	assert_non_null(strstr(list, "userdata=USRDATA"));
	char small[16];
	unifw_partname_accepted(small, sizeof small); /* cut, never overrun */
	assert_true(strlen(small) < sizeof small);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_corpus_mt6572_emmc_partition_is_known),
		cmocka_unit_test(aliases_resolve_and_unknown_names_do_not),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
