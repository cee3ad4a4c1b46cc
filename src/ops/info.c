/* `unifw info` (include/unifw/info.h): package, backup, loose folder/archive, or a single image.
 * The summary pulls the facts a technician asks first out of the module describes; each fact is looked
 * up under the key its module documents (docs/format-*.md), so a module that does not know a fact simply
 * leaves it out of the summary. */
#include "unifw/info.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "unifw/archive.h"
#include "unifw/detect.h"
#include "unifw/hash.h"
#include "unifw/io.h"

/* --- reading facts out of describe trees ---------------------------------------------------------- */

static const struct unifw_jv *first_path(const struct unifw_jv *d, const char *const *paths)
{
	for (; d && *paths; paths++) {
		const struct unifw_jv *v = unifw_jv_path(d, *paths);
		if (v && unifw_jv_type(v) != UNIFW_JV_NULL)
			return v;
	}
	return NULL;
}

static void copy_str(struct unifw_jv *dst, const char *key, const struct unifw_jv *d, const char *const *paths)
{
	const char *s = unifw_jv_str(first_path(d, paths));
	if (s && *s)
		unifw_jv_set_str(dst, key, s);
}

static void copy_num(struct unifw_jv *dst, const char *key, const struct unifw_jv *d, const char *const *paths)
{
	const struct unifw_jv *v = first_path(d, paths);
	if (unifw_jv_type(v) == UNIFW_JV_UINT || unifw_jv_type(v) == UNIFW_JV_INT)
		unifw_jv_set_uint(dst, key, unifw_jv_u64(v));
}

/* An array of names: strings as they are, objects by their "name" (or "id") member. */
static void copy_names(struct unifw_jv *dst, const char *key, const struct unifw_jv *d, const char *const *paths)
{
	const struct unifw_jv *v = first_path(d, paths);
	if (unifw_jv_type(v) != UNIFW_JV_ARRAY)
		return;
	struct unifw_jv *out = unifw_jv_set_arr(dst, key);
	for (size_t i = 0; i < unifw_jv_len(v); i++) {
		const struct unifw_jv *x = unifw_jv_at(v, i);
		const char *s = unifw_jv_str(x);
		if (!s)
			s = unifw_jv_str(unifw_jv_get(x, "name"));
		if (!s)
			s = unifw_jv_str(unifw_jv_get(x, "id"));
		if (s)
			unifw_jv_push_str(out, s);
	}
}

/* --- summary parts ------------------------------------------------------------------------------- */

static const struct unifw_package_partition *part_of_type(const struct unifw_package *p, const char *const *names,
							   const char *type)
{
	for (; *names; names++) {
		const struct unifw_package_partition *pp = unifw_package_find(p, *names);
		if (pp && pp->item && !strcmp(pp->item->type, type))
			return pp;
	}
	return NULL;
}

static struct unifw_jv *image_block(struct unifw_jv *sum, const char *key, const struct unifw_package_partition *pp)
{
	struct unifw_jv *o = unifw_jv_set_obj(sum, key);
	unifw_jv_set_str(o, "type", "image_summary");
	unifw_jv_set_str(o, "partition", pp->part->name);
	unifw_jv_set_str(o, "file", pp->item->path);
	return o;
}

/* One entry per memory part the preloader's EMI table accepts: the phone must carry one of them.
 * The ID is cut to the bytes the preloader compares (id_length: MID, CBX, OID, PNM of the eMMC CID). */
static void memory_parts(struct unifw_jv *o, const struct unifw_jv *d)
{
	const struct unifw_jv *v = unifw_jv_path(d, "emi.entries");
	if (unifw_jv_type(v) != UNIFW_JV_ARRAY)
		return;
	struct unifw_jv *out = unifw_jv_set_arr(o, "memory_parts");
	for (size_t i = 0; i < unifw_jv_len(v); i++) {
		const struct unifw_jv *e = unifw_jv_at(v, i);
		struct unifw_jv *m = unifw_jv_push_obj(out);
		unifw_jv_set_str(m, "type", "memory_part");
		static const char *const vendor[] = {"manufacturer", NULL};
		static const char *const name[] = {"pnm", NULL};
		static const char *const kind[] = {"storage", NULL};
		static const char *const type[] = {"dram_type", NULL};
		static const char *const size[] = {"dram_size", NULL};
		copy_str(m, "vendor", e, vendor);
		copy_str(m, "name", e, name);
		const char *id = unifw_jv_str(unifw_jv_get(e, "id"));
		uint64_t id_len = unifw_jv_u64(unifw_jv_get(e, "id_length"));
		if (id) {
			size_t n = strlen(id);
			if (id_len && id_len * 2 < n)
				n = (size_t)id_len * 2;
			unifw_jv_set(m, "id", unifw_jv_stringn(id, n));
		}
		copy_str(m, "storage", e, kind);
		copy_str(m, "dram_type", e, type);
		copy_num(m, "dram_size", e, size);
	}
}

static void preloader_summary(struct unifw_jv *sum, const struct unifw_package *p)
{
	static const char *const names[] = {"PRELOADER", NULL};
	const struct unifw_package_partition *pp = part_of_type(p, names, "preloader");
	if (!pp)
		return;
	const struct unifw_jv *d = pp->item->detail;
	struct unifw_jv *o = image_block(sum, "preloader", pp);
	static const char *const project[] = {"project", "emi.project", NULL};
	static const char *const platform[] = {"platform", "rom_info.platform", NULL};
	copy_str(o, "project", d, project);
	copy_str(o, "platform", d, platform);
	memory_parts(o, d);
}

static void lk_summary(struct unifw_jv *sum, const struct unifw_package *p)
{
	static const char *const names[] = {"UBOOT", "LK", NULL};
	const struct unifw_package_partition *pp = part_of_type(p, names, "lk");
	if (!pp)
		return;
	const struct unifw_jv *d = pp->item->detail;
	struct unifw_jv *o = image_block(sum, "lk", pp);
	static const char *const project[] = {"project", "product", "base_project", NULL};
	static const char *const platform[] = {"platform", NULL};
	static const char *const lcm[] = {"lcm_drivers", NULL};
	static const char *const unlisted[] = {"lcm_drivers_unlisted", NULL};
	copy_str(o, "project", d, project);
	copy_str(o, "platform", d, platform);
	copy_names(o, "lcm", d, lcm);
	copy_names(o, "lcm_unlisted", d, unlisted);
}

static void kernel_summary(struct unifw_jv *sum, const char *key, const struct unifw_package *p, const char *part)
{
	const char *names[] = {part, NULL};
	const struct unifw_package_partition *pp = part_of_type(p, names, "bootimg");
	if (!pp)
		return;
	const struct unifw_jv *d = pp->item->detail;
	struct unifw_jv *o = image_block(sum, key, pp);
	static const char *const version[] = {"kernel.version", NULL};
	static const char *const lcm[] = {"kernel.lcm_drivers", NULL};
	static const char *const touch[] = {"kernel.touch_drivers", NULL};
	static const char *const camera[] = {"kernel.camera_drivers", NULL};
	static const char *const cmdline[] = {"cmdline", NULL};
	copy_str(o, "kernel_version", d, version);
	copy_names(o, "lcm", d, lcm);
	copy_names(o, "touch", d, touch);
	copy_names(o, "camera", d, camera);
	copy_str(o, "cmdline", d, cmdline);
}

/* ro.build.* / ro.product.* from the system image's /build.prop: the ext4 describe reads it when the
 * image can be read at random (a folder file, or a sparse image's view); a zip member cannot. */
static void android_summary(struct unifw_jv *sum, const struct unifw_package *p)
{
	static const char *const names[] = {"ANDROID", "SYSTEM", NULL};
	const struct unifw_package_partition *pp = part_of_type(p, names, "ext4");
	if (!pp)
		pp = part_of_type(p, names, "sparse");
	if (!pp)
		return;
	static const char *const props[] = {"build_prop", "inner.build_prop", NULL};
	const struct unifw_jv *bp = first_path(pp->item->detail, props);
	struct unifw_jv *o = image_block(sum, "android", pp);
	if (unifw_jv_type(bp) != UNIFW_JV_OBJECT)
		return;
	/* Property names contain dots, which unifw_jv_path would split: walk the keys. */
	struct unifw_jv *prod = NULL;
	for (size_t i = 0; i < unifw_jv_len(bp); i++) {
		const char *k = unifw_jv_key_at(bp, i);
		const char *v = unifw_jv_str(unifw_jv_at(bp, i));
		if (!k || !v)
			continue;
		if (!strcmp(k, "ro.build.version.release"))
			unifw_jv_set_str(o, "version", v);
		else if (!strcmp(k, "ro.build.version.sdk"))
			unifw_jv_set_str(o, "sdk", v);
		else if (!strcmp(k, "ro.build.display.id"))
			unifw_jv_set_str(o, "build", v);
		else if (!strncmp(k, "ro.product.", 11)) {
			if (!prod) {
				prod = unifw_jv_set_obj(o, "product");
				unifw_jv_set_str(prod, "type", "properties");
			}
			unifw_jv_set_str(prod, k, v);
		}
	}
}

static void logo_summary(struct unifw_jv *sum, const struct unifw_package *p)
{
	static const char *const names[] = {"LOGO", NULL};
	const struct unifw_package_partition *pp = part_of_type(p, names, "logo");
	if (!pp)
		return;
	struct unifw_jv *o = image_block(sum, "logo", pp);
	static const char *const res[] = {"resolution", NULL};
	static const char *const count[] = {"frame_count", NULL};
	copy_str(o, "resolution", pp->item->detail, res);
	copy_num(o, "frame_count", pp->item->detail, count);
}

static void image_counts(struct unifw_jv *sum, const struct unifw_package *p)
{
	uint64_t named = 0, present = 0, missing = 0, problems = 0;
	for (size_t i = 0; i < p->part_count; i++) {
		const struct unifw_package_partition *pp = &p->parts[i];
		const char *st = pp->status ? pp->status : "";
		if (!strcmp(st, "no_image"))
			continue;
		named++;
		present += pp->item != NULL;
		missing += !strcmp(st, "missing");
		problems += pp->item && strcmp(st, "ok");
	}
	struct unifw_jv *o = unifw_jv_set_obj(sum, "images");
	unifw_jv_set_str(o, "type", "image_counts");
	unifw_jv_set_uint(o, "named", named);
	unifw_jv_set_uint(o, "present", present);
	unifw_jv_set_uint(o, "missing", missing);
	unifw_jv_set_uint(o, "with_problems", problems);
}

struct unifw_jv *unifw_info_summary(const struct unifw_package *p)
{
	struct unifw_jv *sum = unifw_jv_object();
	unifw_jv_set_str(sum, "type", "summary");
	if (p->chosen) {
		const struct unifw_scatter *sc = &p->chosen->sc;
		if (sc->platform[0])
			unifw_jv_set_str(sum, "platform", sc->platform);
		if (sc->project[0])
			unifw_jv_set_str(sum, "project", sc->project);
		if (sc->storage[0])
			unifw_jv_set_str(sum, "storage", sc->storage);
		if (sc->config_version[0])
			unifw_jv_set_str(sum, "config_version", sc->config_version);
		unifw_jv_set_hex(sum, "boot_region", unifw_scatter_boot_region(sc));
		unifw_jv_set_uint(sum, "partition_count", sc->count);
		image_counts(sum, p);
		preloader_summary(sum, p);
		lk_summary(sum, p);
		kernel_summary(sum, "boot", p, "BOOTIMG");
		kernel_summary(sum, "recovery", p, "RECOVERY");
		android_summary(sum, p);
		logo_summary(sum, p);
	}
	struct unifw_jv *f = unifw_jv_set_obj(sum, "findings");
	unifw_jv_set_str(f, "type", "finding_counts");
	unifw_jv_set_uint(f, "error", unifw_findings_count(&p->findings, UNIFW_SEV_ERROR));
	unifw_jv_set_uint(f, "warning", unifw_findings_count(&p->findings, UNIFW_SEV_WARNING));
	unifw_jv_set_uint(f, "info", unifw_findings_count(&p->findings, UNIFW_SEV_INFO));
	return sum;
}

/* --- entry points ---------------------------------------------------------------------------------- */

static int info_package(const char *path, struct unifw_jv **report, struct unifw_error *err)
{
	struct unifw_package *p = NULL;
	int rc = unifw_package_open(path, &p, err);
	if (rc)
		return rc;
	struct unifw_jv *r = unifw_package_to_json(p);
	/* to_json leaves "summary" as a placeholder right after the scatter facts. */
	unifw_jv_set(r, "summary", unifw_info_summary(p));
	unifw_package_free(p);
	if (unifw_jv_oom(r)) {
		unifw_jv_free(r);
		return unifw_error_set(err, UNIFW_E_NOMEM, path, UNIFW_NO_OFFSET, "out of memory building the report");
	}
	*report = r;
	return 0;
}

static int info_image(const char *path, const uint8_t *head, size_t head_len, struct unifw_jv **report,
		      struct unifw_error *err)
{
	struct unifw_stream s;
	int rc = unifw_stream_open_file(&s, path, err);
	if (rc)
		return rc;
	struct unifw_jv *r = unifw_jv_object();
	uint64_t size = s.size;
	rc = unifw_detect_describe(&s, head, head_len, r, err);
	unifw_stream_close(&s);
	if (rc) {
		unifw_jv_free(r);
		return rc;
	}
	if (!unifw_jv_get(r, "path"))
		unifw_jv_set_str(r, "path", path);
	if (size != UNIFW_SIZE_UNKNOWN && !unifw_jv_get(r, "file_size"))
		unifw_jv_set_uint(r, "file_size", size);
	if (size <= UNIFW_PACKAGE_HASH_LIMIT && unifw_stream_open_file(&s, path, err) == 0) {
		uint8_t sha[32];
		char hex[65];
		if (unifw_sha256_stream(&s, sha, err) == 0) {
			unifw_hex(sha, 32, hex);
			unifw_jv_set_str(r, "sha256", hex);
		}
		unifw_stream_close(&s);
	}
	*report = r;
	return 0;
}

int unifw_info(const char *path, struct unifw_jv **report, struct unifw_error *err)
{
	struct stat st;
	*report = NULL;
	if (stat(path, &st) < 0)
		return unifw_error_sys(err, path, "cannot open");
	if (S_ISDIR(st.st_mode))
		return info_package(path, report, err);
	uint8_t *head = NULL;
	size_t head_len = 0;
	int rc = unifw_file_read_head(path, UNIFW_DETECT_HEAD, &head, &head_len, NULL, err);
	if (rc)
		return rc;
	if (head_len == 0) {
		free(head);
		return unifw_error_set(err, UNIFW_E_TRUNCATED, path, 0, "file is empty: expected a firmware image or package");
	}
	/* An archive when its first bytes say so; an image when a module claims them (a gzip'd ramdisk is an
	 * image); other compressed data is tried as an archive (a .tar.bz2 shows nothing in its first
	 * 64 KiB) and described as an image if libarchive does not take it. */
	const char *type = unifw_detect(head, head_len, UNIFW_SIZE_UNKNOWN);
	bool claimed = strcmp(type, "unknown") && strcmp(type, "text");
	if (unifw_archive_probe(head, head_len)) {
		rc = info_package(path, report, err);
	} else if (!claimed && unifw_archive_compressed(head, head_len)) {
		rc = info_package(path, report, err);
		if (rc == UNIFW_E_FORMAT && err && err->offset == 0) {
			unifw_error_clear(err);
			rc = info_image(path, head, head_len, report, err);
		}
	} else {
		rc = info_image(path, head, head_len, report, err);
	}
	free(head);
	return rc;
}
