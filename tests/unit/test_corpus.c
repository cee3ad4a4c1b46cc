/* The whole corpus through `unifw_info`: every file in shared/corpus is identified by CONTENT with the
 * type its directory and name say, and its key facts agree with PROVENANCE.tsv (descriptions written
 * when the corpus was collected) and with the file names. Nothing here is re-typed from our own output. */
#include "testutil.h"

#include <ftw.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unifw/info.h"

struct prov_row { char path[256]; char desc[1536]; };
static struct prov_row *prov;
static size_t prov_count;
static char **files;
static size_t file_count;
static size_t corpus_root_len;

static void load_provenance(void)
{
	size_t len;
	char *t = (char *)corpus_read("PROVENANCE.tsv", &len);
	char *save = NULL;
	t = realloc(t, len + 1);
	t[len] = 0;
	for (char *line = strtok_r(t, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *tab1 = strchr(line, '\t');
		if (!tab1 || !strncmp(line, "local_path", 10))
			continue;
		/* columns: local path, repo, path in repo, commit, license, description, ... */
		char *col = tab1;
		for (int i = 0; i < 4 && col; i++)
			col = strchr(col + 1, '\t');
		if (!col)
			continue;
		char *end = strchr(col + 1, '\t');
		prov = realloc(prov, (prov_count + 1) * sizeof *prov);
		struct prov_row *r = &prov[prov_count++];
		snprintf(r->path, sizeof r->path, "%.*s", (int)(tab1 - line), line);
		snprintf(r->desc, sizeof r->desc, "%.*s", (int)(end ? end - col - 1 : (long)strlen(col + 1)), col + 1);
	}
	free(t);
}

static const char *desc_of(const char *rel)
{
	for (size_t i = 0; i < prov_count; i++)
		if (!strcmp(prov[i].path, rel))
			return prov[i].desc;
	return "";
}

/* First capture group of `pattern` in `s`, or "" */
static const char *capture(const char *s, const char *pattern, char *out, size_t cap)
{
	regex_t re;
	regmatch_t m[2];
	out[0] = 0;
	if (regcomp(&re, pattern, REG_EXTENDED) != 0)
		fail_msg("bad regex %s", pattern);
	if (regexec(&re, s, 2, m, 0) == 0 && m[1].rm_so >= 0)
		snprintf(out, cap, "%.*s", (int)(m[1].rm_eo - m[1].rm_so), s + m[1].rm_so);
	regfree(&re);
	return out;
}

static int collect(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_F) {
		files = realloc(files, (file_count + 1) * sizeof *files);
		files[file_count++] = strdup(path + corpus_root_len + 1);
	}
	return 0;
}

static int setup(void **state)
{
	(void)state;
	char root[4096];
	snprintf(root, sizeof root, "%s", corpus_path(""));
	size_t n = strlen(root);
	while (n && root[n - 1] == '/')
		root[--n] = 0;
	corpus_root_len = n;
	nftw(root, collect, 16, FTW_PHYS);
	load_provenance();
	return file_count ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	for (size_t i = 0; i < file_count; i++)
		free(files[i]);
	free(files);
	free(prov);
	return 0;
}

/* What a file is, from where the corpus put it and how it is named. */
static const char *expected_type(const char *rel)
{
	if (!strncmp(rel, "scatter/", 8))
		return "scatter";
	if (!strncmp(rel, "ptable/", 7))
		return strstr(rel, "_MBR") ? "mbr" : "ebr";
	if (!strncmp(rel, "preloader/emi_info/", 19))
		return "emi_info";
	if (!strncmp(rel, "preloader/", 10))
		return "preloader";
	if (!strncmp(rel, "kernel/", 7))
		return strstr(rel, ".img") ? "bootimg" : "kernel";
	if (!strncmp(rel, "bootimg/", 8))
		return strstr(rel, ".hdr") ? "boot_header" : "mtk_header";
	if (!strncmp(rel, "lk/", 3))
		return "lk";
	if (!strncmp(rel, "logo/", 5))
		return "logo";
	if (!strncmp(rel, "misc/", 5))
		return strstr(rel, "seccfg") ? "seccfg" : "secro";
	if (!strncmp(rel, "deviceinfo/", 11)) {
		if (strstr(rel, "dumchar_info") || strstr(rel, "firmware_info"))
			return "dumchar_info";
		if (strstr(rel, "mount_info"))
			return "mount_info";
		if (strstr(rel, "BoardConfig"))
			return "board_config";
		if (strstr(rel, "partition_size.mk"))
			return "partition_size_mk";
		if (strstr(rel, "mbr_addr.pl"))
			return "mbr_addr_pl";
		if (strstr(rel, "fstab"))
			return "fstab";
		return "makefile";
	}
	/* names/ lists, README, PROVENANCE, FILEINFO: corpus metadata, plain text to unifw. */
	return "text";
}

static const char *jstr(const struct unifw_jv *r, const char *path)
{
	const char *s = unifw_jv_str(unifw_jv_path(r, path));
	return s ? s : "";
}

static void check_kernel(const char *rel, const struct unifw_jv *r, const char *prefix)
{
	char want[64], comp[16];
	const char *d = desc_of(rel);
	/* version: from the file name (..._kernel_3.4.67_..., ..._3.4.5-BlackThunder_...), else "Linux X" in PROVENANCE */
	if (!*capture(rel, "_([0-9]+\\.[0-9]+\\.[0-9]+(-[A-Za-z]+)?)", want, sizeof want))
		capture(d, "Linux ([0-9]+\\.[0-9]+\\.[0-9]+)", want, sizeof want);
	char key[64];
	snprintf(key, sizeof key, "%sversion", prefix);
	const char *got = jstr(r, key);
	if (!*want || strncmp(got, want, strlen(want)))
		fail_msg("%s: kernel version '%s', expected prefix '%s'", rel, got, want);
	capture(d, "(gzip|XZ|xz)", comp, sizeof comp);
	snprintf(key, sizeof key, "%scompression", prefix);
	if (*comp && strcasecmp(jstr(r, key), comp))
		fail_msg("%s: compression '%s', PROVENANCE says '%s'", rel, jstr(r, key), comp);
}

static void check_logo(const char *rel, const struct unifw_jv *r)
{
	char count[16], res[32];
	const char *d = desc_of(rel);
	if (!*capture(d, "([0-9]+) zlib images", count, sizeof count))
		capture(d, "count\\(([0-9]+)\\)", count, sizeof count);
	capture(d, "([0-9]{3,4}x[0-9]{3,4})", res, sizeof res);
	assert_true(*count && *res);
	if (unifw_jv_u64(unifw_jv_get(r, "frame_count")) != strtoull(count, NULL, 10))
		fail_msg("%s: %llu frames, PROVENANCE says %s", rel,
			 (unsigned long long)unifw_jv_u64(unifw_jv_get(r, "frame_count")), count);
	if (strcmp(jstr(r, "resolution"), res))
		fail_msg("%s: resolution %s, PROVENANCE says %s", rel, jstr(r, "resolution"), res);
}

static void check_preloader(const char *rel, const struct unifw_jv *r)
{
	const char *d = desc_of(rel);
	const char *container = strstr(d, "EMMC_BOOT header @0") ? "emmc_boot" : strstr(d, "without GFH") ? "no_gfh" : "gfh";
	if (strcmp(jstr(r, "container"), container))
		fail_msg("%s: container %s, expected %s", rel, jstr(r, "container"), container);
	if (strcmp(jstr(r, "platform"), "MT6572"))
		fail_msg("%s: platform '%s', expected MT6572", rel, jstr(r, "platform"));
	const char *project = jstr(r, "project");
	/* Build outputs carry their project in the file name; a phone's boot-region dump need not. */
	if (!*project || (strcmp(container, "emmc_boot") && !strstr(rel, project)))
		fail_msg("%s: project '%s' not in the file name", rel, project);
	if (unifw_jv_len(unifw_jv_path(r, "emi.entries")) == 0)
		fail_msg("%s: no EMI (DRAM) entries found", rel);
}

static void check_lk(const char *rel, const struct unifw_jv *r)
{
	bool want_hdr = strstr(rel, "no-mtk-header") == NULL;
	if (unifw_jv_truthy(unifw_jv_get(r, "has_mtk_header")) != want_hdr)
		fail_msg("%s: has_mtk_header wrong", rel);
}

static void check_scatter(const char *rel, const struct unifw_jv *r)
{
	char chip[16];
	if (unifw_jv_u64(unifw_jv_get(r, "partition_count")) < 10)
		fail_msg("%s: only %llu partitions", rel, (unsigned long long)unifw_jv_u64(unifw_jv_get(r, "partition_count")));
	capture(rel, "^scatter/(mt[0-9]+)_", chip, sizeof chip);
	/* Only the V1.1.x dialect states the platform. */
	if (!strcmp(jstr(r, "dialect"), "v1") && strcasecmp(jstr(r, "platform"), chip))
		fail_msg("%s: platform %s, file name says %s", rel, jstr(r, "platform"), chip);
}

static void check_mtk_header(const char *rel, const struct unifw_jv *r)
{
	char name[16];
	capture(desc_of(rel), "name (KERNEL|ROOTFS|RECOVERY)", name, sizeof name);
	if (strcmp(jstr(r, "name"), name))
		fail_msg("%s: header name '%s', PROVENANCE says '%s'", rel, jstr(r, "name"), name);
}

static void every_corpus_file_identified_with_its_facts(void **state)
{
	(void)state;
	size_t checked = 0;
	for (size_t i = 0; i < file_count; i++) {
		const char *rel = files[i];
		struct unifw_jv *r = NULL;
		struct unifw_error e;
		unifw_error_clear(&e);
		char full[4096];
		snprintf(full, sizeof full, "%s", corpus_path(rel));
		if (unifw_info(full, &r, &e) != 0)
			fail_msg("%s: unifw_info failed: %s (offset %llu)", rel, e.msg, (unsigned long long)e.offset);
		const char *want = expected_type(rel);
		if (strcmp(jstr(r, "type"), want))
			fail_msg("%s: identified as '%s', expected '%s'", rel, jstr(r, "type"), want);
		if (!strcmp(want, "kernel"))
			check_kernel(rel, r, "");
		else if (!strcmp(want, "bootimg"))
			check_kernel(rel, r, "kernel.");
		else if (!strcmp(want, "logo"))
			check_logo(rel, r);
		else if (!strcmp(want, "preloader"))
			check_preloader(rel, r);
		else if (!strcmp(want, "lk"))
			check_lk(rel, r);
		else if (!strcmp(want, "scatter"))
			check_scatter(rel, r);
		else if (!strcmp(want, "mtk_header"))
			check_mtk_header(rel, r);
		unifw_jv_free(r);
		checked++;
	}
	/* The corpus has 120+ files; a walk that found few means a broken path, not a pass. */
	assert_true(checked >= 120);
	print_message("checked %zu corpus files\n", checked);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(every_corpus_file_identified_with_its_facts),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
