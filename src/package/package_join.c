/* After the pass (package.c): the scatter is chosen, joined with the files, and each partition checked
 * (content type, platform, size), with the package-wide checks (duplicates, extras, LCM pairs). */
#include "unifw/package.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "package/package_internal.h"

/* --- after the pass: scatters, manifest, join, checks ----------------------------------------------- */

const char *pkg_dialect_name(enum unifw_scatter_dialect d)
{
	switch (d) {
	case UNIFW_SCATTER_V1: return "v1";
	case UNIFW_SCATTER_FLAT: return "flat";
	case UNIFW_SCATTER_BRACES: return "braces";
	}
	return "?";
}

static bool path_in_dir_eq(const char *dir, const char *rel, const char *path)
{
	size_t dl = strlen(dir);
	char want[UNIFW_ARCHIVE_MAX_NAME + 1];
	unifw_archive_normalise_name(rel, want, sizeof want);
	if (dl == 0)
		return !strcasecmp(want, path);
	return !strncasecmp(path, dir, dl) && path[dl] == '/' && !strcasecmp(path + dl + 1, want);
}

const struct unifw_package_item *pkg_find_image(const struct unifw_package *p, const char *dir, const char *file)
{
	for (size_t i = 0; i < p->item_count; i++)
		if (path_in_dir_eq(dir, file, p->items[i].path))
			return &p->items[i];
	return NULL;
}

/* Ranking when a package holds several scatters: an MT6572 one first, then one with file names (V1.x),
 * then the one whose file names match the most files next to it. */
static int scatter_score(const struct unifw_package *p, const struct unifw_package_scatter *s)
{
	if (!s->parsed)
		return -1;
	int score = 0;
	if (strcasestr(s->sc.platform, "MT6572"))
		score += 1000;
	if (s->sc.dialect == UNIFW_SCATTER_V1)
		score += 100;
	char *dir = pkg_dir_of(s->item->path);
	for (size_t i = 0; dir && i < s->sc.count; i++)
		if (!pkg_is_no_file(s->sc.parts[i].file_name) && pkg_find_image(p, dir, s->sc.parts[i].file_name))
			score += 1;
	free(dir);
	return score;
}

void pkg_load_scatters(struct builder *b)
{
	struct unifw_package *p = b->p;
	size_t n = 0;
	for (size_t i = 0; i < b->text_count; i++)
		n += !strcmp(p->items[b->texts[i].item].type, "scatter");
	if (!n)
		return;
	p->scatters = calloc(n, sizeof *p->scatters);
	if (!p->scatters)
		return;
	for (size_t i = 0; i < b->text_count; i++) {
		struct unifw_package_item *it = &p->items[b->texts[i].item];
		if (strcmp(it->type, "scatter"))
			continue;
		struct unifw_package_scatter *s = &p->scatters[p->scatter_count++];
		struct unifw_error e;
		unifw_error_clear(&e);
		s->item = it;
		s->parsed = unifw_scatter_parse(b->texts[i].text, b->texts[i].len, it->path, &s->sc, &e) == 0;
		if (!s->parsed && !it->error)
			it->error = pkg_format_error(&e);
		s->score = scatter_score(p, s);
	}
	for (size_t i = 0; i < p->scatter_count; i++)
		if (p->scatters[i].parsed && (!p->chosen || p->scatters[i].score > p->chosen->score))
			p->chosen = &p->scatters[i];
	/* a scatter FILE was named (unifw flash PATH/MT6572_Android_scatter.txt): that one, when it reads */
	for (size_t i = 0; b->prefer && i < p->scatter_count; i++)
		if (p->scatters[i].parsed && !strcmp(p->scatters[i].item->path, b->prefer))
			p->chosen = &p->scatters[i];
	if (p->scatter_count > 1 && p->chosen)
		unifw_findings_add(&p->findings, UNIFW_SEV_INFO, "several-scatters", p->chosen->item->path, 0, NULL,
				   "%zu scatter files in the package; using this one (platform %s, %s, %d images named "
				   "and present)", p->scatter_count, p->chosen->sc.platform[0] ? p->chosen->sc.platform : "?",
				   pkg_dialect_name(p->chosen->sc.dialect), p->chosen->score % 100);
	for (size_t i = 0; i < p->scatter_count; i++)
		if (!p->scatters[i].parsed)
			unifw_findings_add(&p->findings, UNIFW_SEV_WARNING, "scatter-unreadable",
					   p->scatters[i].item->path, 0, NULL, "looks like a scatter file but does not parse: %s",
					   p->scatters[i].item->error ? p->scatters[i].item->error : "?");
}

/* Which content types a partition may hold. NULL = anything (raw areas: PRO_INFO, MISC, EXPDB...). */
static const char *const *expected_types(const char *part, const char *storage)
{
	static const char *const preloader[] = {"preloader", NULL};
	static const char *const mbr[] = {"mbr", NULL};
	static const char *const ebr[] = {"ebr", "mbr", NULL};
	static const char *const lk[] = {"lk", NULL};
	static const char *const boot[] = {"bootimg", NULL};
	static const char *const logo[] = {"logo", NULL};
	static const char *const secro[] = {"secro", NULL};
	static const char *const seccfg[] = {"seccfg", NULL};
	static const char *const nvram[] = {"nvram", NULL};
	static const char *const pmt[] = {"pmt", NULL};
	static const char *const fs[] = {"ext4", "sparse", NULL};
	static const struct {
		const char *name;
		const char *const *types;
	} table[] = {
		{"PRELOADER", preloader}, {"MBR", mbr},       {"EBR1", ebr},       {"EBR2", ebr},
		{"UBOOT", lk},            {"LK", lk},         {"BOOTIMG", boot},   {"BOOT", boot},
		{"RECOVERY", boot},       {"LOGO", logo},     {"SEC_RO", secro},   {"SECRO", secro},
		{"SECCFG", seccfg},       {"NVRAM", nvram},   {"PMT", pmt},        {"ANDROID", fs},
		{"SYSTEM", fs},           {"CACHE", fs},      {"USRDATA", fs},     {"USERDATA", fs},
		{"CUSTPACK", fs},         {"PROTECT_F", fs},  {"PROTECT_S", fs},
	};
	/* NAND packages carry UBI/YAFFS images that no module describes yet: no expectation for file systems. */
	bool nand = storage && !strcasecmp(storage, "NAND");
	for (size_t i = 0; i < sizeof table / sizeof *table; i++)
		if (!strcasecmp(part, table[i].name))
			return nand && table[i].types == fs ? NULL : table[i].types;
	return NULL;
}

static bool type_in(const char *type, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(type, *list))
			return true;
	return false;
}

static uint64_t detail_u64(const struct unifw_jv *d, const char *const *keys)
{
	for (; *keys; keys++) {
		const struct unifw_jv *v = unifw_jv_path(d, *keys);
		if (unifw_jv_type(v) == UNIFW_JV_UINT || unifw_jv_type(v) == UNIFW_JV_INT)
			return unifw_jv_u64(v);
		const char *s = unifw_jv_str(v);
		if (s && !strncmp(s, "0x", 2))
			return strtoull(s, NULL, 16);
	}
	return 0;
}

static const char *detail_str(const struct unifw_jv *d, const char *const *keys)
{
	for (; *keys; keys++) {
		const char *s = unifw_jv_str(unifw_jv_path(d, *keys));
		if (s && *s)
			return s;
	}
	return NULL;
}

/* Bytes the image takes once written: a sparse image expands to blocks x block size. */
uint64_t pkg_written_size(const struct unifw_package_item *it)
{
	static const char *const sparse_keys[] = {"expanded_size", "image_size", "raw_size", "output_size", NULL};
	if (!strcmp(it->type, "sparse")) {
		uint64_t n = detail_u64(it->detail, sparse_keys);
		if (n)
			return n;
	}
	return it->size;
}

/* One status per partition: the most fundamental problem wins (content that cannot be read, then
 * content of the wrong kind, then a preloader for another chip, then a size that does not fit). */
static const char *severity_status(const char *current, const char *next)
{
	static const char *const rank[] = {"unreadable", "wrong_type", "wrong_platform", "too_big", "ok"};
	size_t a = 0, b = 0;
	while (a < 4 && strcmp(rank[a], current))
		a++;
	while (b < 4 && strcmp(rank[b], next))
		b++;
	return b < a ? next : current;
}

/* A module's own findings about an image (e.g. a boot image whose MTK header names disagree) belong
 * to the package report too, under the partition the image is for. */
static void adopt_module_findings(struct unifw_package *p, const struct unifw_package_item *it, const char *part)
{
	const struct unifw_jv *f = unifw_jv_get(it->detail, "findings");
	for (size_t i = 0; i < unifw_jv_len(f); i++) {
		const struct unifw_jv *x = unifw_jv_at(f, i);
		const char *sev = unifw_jv_str(unifw_jv_get(x, "severity"));
		const char *code = unifw_jv_str(unifw_jv_get(x, "code"));
		const char *msg = unifw_jv_str(unifw_jv_get(x, "message"));
		if (!sev || !code || !msg)
			continue;
		enum unifw_severity level = !strcmp(sev, "error")     ? UNIFW_SEV_ERROR
					    : !strcmp(sev, "warning") ? UNIFW_SEV_WARNING
								      : UNIFW_SEV_INFO;
		unifw_findings_add(&p->findings, level, code, it->path, (unsigned)unifw_jv_u64(unifw_jv_get(x, "line")),
				   part, "%s", msg);
	}
}

static void check_partition(struct unifw_package *p, struct unifw_package_partition *pp)
{
	const struct unifw_scatter_part *sp = pp->part;
	const struct unifw_package_item *it = pp->item;
	char a[32], b[32];
	pp->status = "ok";
	if (it->error) {
		pp->status = "unreadable";
		unifw_findings_add(&p->findings, UNIFW_SEV_ERROR, "image-unreadable", it->path, 0, sp->name,
				   "%s", it->error);
	}
	adopt_module_findings(p, it, sp->name);
	pp->image_bytes = pkg_written_size(it);
	bool sized = sp->size && !unifw_scatter_addr_is_from_end(sp->linear_start);
	if (sized && pp->image_bytes > sp->size) {
		pp->status = severity_status(pp->status, "too_big");
		unifw_findings_add(&p->findings, UNIFW_SEV_ERROR, "image-too-big", it->path, 0, sp->name,
				   "image is %s (%llu bytes)%s but partition %s holds %s (0x%llx): SP Flash Tool refuses it "
				   "(error 5056/5069) and a raw write would overrun into the next partition",
				   pkg_human(pp->image_bytes, a, sizeof a), (unsigned long long)pp->image_bytes,
				   pp->image_bytes != it->size ? " once unsparsed" : "", sp->name, pkg_human(sp->size, b, sizeof b),
				   (unsigned long long)sp->size);
	}
	const char *const *want = expected_types(sp->name, p->chosen->sc.storage);
	if (want && !it->error && !type_in(it->type, want)) {
		bool bricks = !strcasecmp(sp->name, "PRELOADER") || !strcasecmp(sp->name, "MBR");
		pp->status = severity_status(pp->status, "wrong_type");
		unifw_findings_add(&p->findings, bricks ? UNIFW_SEV_ERROR : UNIFW_SEV_WARNING, "image-wrong-type",
				   it->path, 0, sp->name, "partition %s expects %s content, the image is %s%s", sp->name,
				   want[0], it->type,
				   bricks ? ": flashing it leaves the phone unable to boot" : "");
	}
	if (!strcmp(it->type, "preloader")) {
		static const char *const keys[] = {"platform", "chip", "rom_info.platform", NULL};
		const char *plat = detail_str(it->detail, keys);
		const char *target = p->chosen->sc.platform[0] ? p->chosen->sc.platform : "MT6572";
		if (plat && strcasecmp(plat, target)) {
			pp->status = severity_status(pp->status, "wrong_platform");
			unifw_findings_add(&p->findings, UNIFW_SEV_ERROR, "preloader-wrong-platform", it->path, 0,
					   sp->name, "preloader is built for %s but the package is for %s: it will not boot "
					   "this phone (BROM/test-point recovery needed)", plat, target);
		}
	}
}

void pkg_join_partitions(struct unifw_package *p)
{
	const struct unifw_scatter *sc = &p->chosen->sc;
	p->base_dir = pkg_dir_of(p->chosen->item->path);
	p->parts = calloc(sc->count ? sc->count : 1, sizeof *p->parts);
	if (!p->base_dir || !p->parts)
		return;
	p->part_count = sc->count;
	for (size_t i = 0; i < sc->count; i++) {
		struct unifw_package_partition *pp = &p->parts[i];
		const struct unifw_scatter_part *sp = &sc->parts[i];
		pp->part = sp;
		if (pkg_is_no_file(sp->file_name)) {
			pp->status = "no_image";
			continue;
		}
		pp->item = pkg_find_image(p, p->base_dir, sp->file_name);
		if (!pp->item) {
			pp->status = sp->is_download ? "missing" : "not_downloaded";
			if (sp->is_download)
				unifw_findings_add(&p->findings, UNIFW_SEV_WARNING, "image-missing", p->chosen->item->path,
						   sp->line, sp->name, "%s (file_name: %s) is not in the package: "
						   "a download of this package leaves partition %s as it is on the phone",
						   sp->file_name, sp->file_name, sp->name);
			continue;
		}
		((struct unifw_package_item *)pp->item)->matched = true;
		check_partition(p, pp);
	}
	if (sc->dialect != UNIFW_SCATTER_V1)
		unifw_findings_add(&p->findings, UNIFW_SEV_INFO, "scatter-without-files", p->chosen->item->path, 0,
				   NULL, "this scatter (%s style) names no image files: it describes a layout but "
				   "cannot drive a download", pkg_dialect_name(sc->dialect));
	const char *plat = sc->platform;
	if (plat[0] && !strcasestr(plat, "MT6572"))
		unifw_findings_add(&p->findings, UNIFW_SEV_WARNING, "not-mt6572", p->chosen->item->path, 0, NULL,
				   "package platform is %s; unifw's checks are written for MT6572", plat);
}

static bool names_overlap(const struct unifw_jv *a, const struct unifw_jv *b)
{
	for (size_t i = 0; i < unifw_jv_len(a); i++)
		for (size_t j = 0; j < unifw_jv_len(b); j++) {
			const char *x = unifw_jv_str(unifw_jv_at(a, i)), *y = unifw_jv_str(unifw_jv_at(b, j));
			if (x && y && !strcmp(x, y))
				return true;
		}
	return false;
}

static void append_names(char *buf, size_t len, const struct unifw_jv *a)
{
	size_t used = strlen(buf);
	for (size_t i = 0; i < unifw_jv_len(a) && used + 1 < len; i++) {
		int w = snprintf(buf + used, len - used, "%s%s", used ? ", " : "", unifw_jv_str(unifw_jv_at(a, i)));
		if (w < 0 || (size_t)w >= len - used)
			break;
		used += (size_t)w;
	}
}

/* LK picks the panel driver and passes its name on the kernel command line (lcm=1-<name>); the kernel
 * looks the name up among its own drivers with strcmp (docs/format-boot.md). A kernel that has none of
 * LK's drivers leaves the screen white or black once Android starts. */
void pkg_check_lcm_pair(struct unifw_package *p, const struct unifw_package_partition *lk,
			const struct unifw_package_partition *boot)
{
	if (!lk || !boot || !lk->item || !boot->item || strcmp(lk->item->type, "lk") ||
	    strcmp(boot->item->type, "bootimg"))
		return;
	const struct unifw_jv *l1 = unifw_jv_get(lk->item->detail, "lcm_drivers");
	const struct unifw_jv *l2 = unifw_jv_get(lk->item->detail, "lcm_drivers_unlisted");
	const struct unifw_jv *k1 = unifw_jv_path(boot->item->detail, "kernel.lcm_drivers");
	const struct unifw_jv *k2 = unifw_jv_path(boot->item->detail, "kernel.lcm_drivers_unlisted");
	if (unifw_jv_len(l1) + unifw_jv_len(l2) == 0 || unifw_jv_len(k1) + unifw_jv_len(k2) == 0)
		return; /* one side's list is unknown: nothing to compare */
	if (names_overlap(l1, k1) || names_overlap(l1, k2) || names_overlap(l2, k1) || names_overlap(l2, k2))
		return;
	char lks[256] = "", ks[256] = "";
	append_names(lks, sizeof lks, l1);
	append_names(lks, sizeof lks, l2);
	append_names(ks, sizeof ks, k1);
	append_names(ks, sizeof ks, k2);
	unifw_findings_add(&p->findings, UNIFW_SEV_WARNING, "lcm-mismatch", boot->item->path, 0, boot->part->name,
			   "LK (%s) drives %s but the %s kernel has only %s: the kernel cannot find LK's display "
			   "driver, the screen stays white or black after the boot logo", lk->item->path, lks,
			   boot->part->name, ks);
}

static int cmp_item_ptr(const void *x, const void *y)
{
	const struct unifw_package_item *const *a = x, *const *b = y;
	int c = strcasecmp((*a)->path, (*b)->path);
	return c ? c : ((*a) < (*b) ? -1 : (*a) > (*b));
}

/* Every file of a group sharing one name gets an error: whichever a partition's image lookup finds, its
 * content is ambiguous (a flash tool or an extraction may take another), so it is never flashed. */
static void mark_ambiguous(struct unifw_package_item **v, size_t first, size_t end)
{
	char msg[512];
	snprintf(msg, sizeof msg, "%zu files are named '%s' (names compared ignoring case): which one would be "
		 "flashed is ambiguous", end - first, v[first]->path);
	for (size_t k = first; k < end; k++)
		if (!v[k]->error)
			v[k]->error = strdup(msg);
}

void pkg_report_duplicates(struct unifw_package *p)
{
	size_t n = p->item_count;
	if (n < 2)
		return;
	struct unifw_package_item **v = malloc(n * sizeof *v);
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		v[i] = &p->items[i];
	qsort(v, n, sizeof *v, cmp_item_ptr);
	for (size_t i = 1; i < n; i++) {
		if (strcasecmp(v[i - 1]->path, v[i]->path) || (i >= 2 && !strcasecmp(v[i - 2]->path, v[i]->path)))
			continue;
		size_t end = i + 1;
		while (end < n && !strcasecmp(v[end]->path, v[i]->path))
			end++;
		unifw_findings_add(&p->findings, UNIFW_SEV_WARNING, "duplicate-name", p->path, 0, NULL,
				   "'%s' appears %zu times (names compared ignoring case): an extracting tool may keep "
				   "any of them, so none is flashed", v[i]->path, end - (i - 1));
		mark_ambiguous(v, i - 1, end);
	}
	free(v);
}

void pkg_report_extras(struct unifw_package *p)
{
	size_t n = 0;
	char list[400] = "";
	size_t used = 0;
	for (size_t i = 0; i < p->item_count; i++) {
		const struct unifw_package_item *it = &p->items[i];
		if (it->matched || (p->chosen && it == p->chosen->item))
			continue;
		if (n < 8) {
			int w = snprintf(list + used, sizeof list - used, "%s%s", n ? ", " : "", it->path);
			if (w > 0 && (size_t)w < sizeof list - used)
				used += (size_t)w;
		}
		n++;
	}
	if (n)
		unifw_findings_add(&p->findings, UNIFW_SEV_INFO, "extra-files", p->path, 0, NULL,
				   "%zu file%s not named by the scatter: %s%s", n, n == 1 ? "" : "s", list,
				   n > 8 ? ", ..." : "");
}

