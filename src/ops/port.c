/* unifw port: the driver (port.h; docs/port.md). Open both sides (the base: a package folder, archive or
 * scatter file; the phone: its unifw backup folder), fingerprint them, decide per partition of the phone's
 * table (port_layout.c), build OUT's images (port_boot.c, port_system.c, port_fit.c), write OUT's scatter
 * (the phone's, with file_name / is_download per decision), then fingerprint OUT and check it against the
 * phone with the same unifw_check every other command uses. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ops/port_image.h"
#include "ops/port_internal.h"
#include "unifw/archive.h"
#include "unifw/check.h"
#include "unifw/fingerprint.h"
#include "unifw/package.h"
#include "unifw/partname.h"
#include "unifw/port.h"

/* Boot and recovery images are read whole: an MT6572 BOOTIMG partition is 6-18 MiB. */
#define PORT_MAX_BOOTIMG (64u << 20)
#define PORT_SCATTER_NAME "MT6572_Android_scatter.txt"

struct port_job {
	const struct unifw_port_opts *o;
	struct unifw_port_result *r;
	struct unifw_package *base, *stock;
	struct unifw_scatter phone;   /* the backup's scatter: OUT's, once file_name / is_download are set */
	bool phone_loaded;
	const struct unifw_scatter *base_sc;
	struct unifw_fingerprint *base_fp, *phone_fp;
	struct unifw_port_rules rules;
	bool rules_loaded;
	bool take_modem;
	char modem_why[600];
	char tmp[4096];               /* an archive base's images are extracted here; "" none */
	char **base_file;             /* per base_sc->parts[i]: its image on disk, NULL none */
	struct port_part_plan *plan;
	size_t plan_n;
};

/* ------------------------------------------------------------------ files */

/* A file name from a scatter (hostile text) used inside a folder: one plain name, nothing that climbs. */
static bool safe_file_name(const char *s)
{
	return s && *s && strlen(s) < 200 && !strchr(s, '/') && !strchr(s, '\\') && strcmp(s, ".") && strcmp(s, "..") &&
	       strcasecmp(s, "NONE");
}

static int join(char *out, size_t cap, const char *dir, const char *name, struct unifw_error *err)
{
	if (snprintf(out, cap, "%s/%s", dir, name) >= (int)cap)
		return unifw_error_set(err, UNIFW_E_INVALID, name, UNIFW_NO_OFFSET, "path too long under %s", dir);
	return 0;
}

/* OUT: created, or an existing empty folder (a port never mixes with what was there). */
static int prepare_out(const char *dir, struct unifw_error *err)
{
	bool exists = false;
	int rc = unifw_dir_check_empty(dir, &exists, err);
	if (rc || exists)
		return rc;
	return mkdir(dir, 0755) == 0 ? 0 : unifw_error_sys(err, dir, "cannot create the output folder");
}

/* ------------------------------------------------------------------ the two sides */

/* What the user named: a folder, an archive or a scatter file (unifw_package_open_path, as unifw_fingerprint_path
 * opens it), which must be a firmware package. */
static int open_base(const char *path, struct unifw_package **p, struct unifw_error *err)
{
	int rc = unifw_package_open_path(path, p, err);
	if (rc)
		return rc;
	if ((*p)->kind != UNIFW_PACKAGE_FIRMWARE || !(*p)->chosen)
		return unifw_error_set(err, UNIFW_E_FORMAT, path, UNIFW_NO_OFFSET,
				       "the base is not a firmware package: no usable scatter file (%s)",
				       unifw_package_type(*p));
	return 0;
}

static int open_stock(struct port_job *j, struct unifw_error *err)
{
	const char *dir = j->o->stock;
	if (!unifw_package_is_folder(dir))
		return unifw_error_set(err, UNIFW_E_INVALID, dir, UNIFW_NO_OFFSET,
				       "--stock takes the phone's unifw backup folder; this is not a folder");
	int rc = unifw_package_open(dir, &j->stock, err);
	if (rc)
		return rc;
	if (j->stock->kind != UNIFW_PACKAGE_BACKUP || !j->stock->chosen)
		return unifw_error_set(err, UNIFW_E_FORMAT, dir, UNIFW_NO_OFFSET,
				       "not a unifw backup: %s (make one with `unifw backup -o DIR`)",
				       j->stock->kind != UNIFW_PACKAGE_BACKUP ? "no manifest.json of kind unifw-backup"
									     : "no scatter file of the phone's layout");
	char path[4096];
	if ((rc = join(path, sizeof path, dir, j->stock->chosen->item->path, err)) != 0)
		return rc;
	if ((rc = unifw_scatter_load(path, &j->phone, err)) != 0)
		return rc;
	j->phone_loaded = true;
	return 0;
}

/* ------------------------------------------------------------------ the modem */

/* unifw_check of the base against the phone judges the BASE's kernel with the base's modem. OUT runs the
 * PHONE's kernel (transplanted into the base's boot.img), so the question here is whether the phone's
 * kernel accepts the base's modem (its MD1 type and memory reservation against the base modem's header).
 * The check answers exactly that when it is asked about the phone as it will be after the port: the
 * phone's own fingerprint (layout, boot chain, kernel) with the base's modem facts. Its modem rule
 * (check_rules_android.c ck_rules_modem) then reports "no_radio" when the phone's kernel would reject the
 * base's modem, and "no_signal" when it would load a modem built for another board (its build_ver is not
 * the phone's own modem's): either way the phone's modem is what works. One code path decides it for
 * unifw check and for unifw port. */
static int decide_modem(struct port_job *j, struct unifw_error *err)
{
	struct unifw_fingerprint *probe = malloc(sizeof *probe);
	struct unifw_check_result *r = malloc(sizeof *r);
	if (!probe || !r) {
		free(probe);
		free(r);
		return unifw_error_set(err, UNIFW_E_NOMEM, "port", UNIFW_NO_OFFSET, "out of memory");
	}
	const struct unifw_fingerprint *b = j->base_fp;
	*probe = *j->phone_fp;
	probe->have_modem = b->have_modem;
	memcpy(probe->modem_path, b->modem_path, sizeof probe->modem_path);
	probe->modem_size = b->modem_size;
	probe->modem_has_header = b->modem_has_header;
	probe->md_header_version = b->md_header_version;
	probe->md_bind_sys_id = b->md_bind_sys_id;
	probe->md_mem_size = b->md_mem_size;
	probe->md_img_size = b->md_img_size;
	memcpy(probe->md_build_ver, b->md_build_ver, sizeof probe->md_build_ver);
	probe->have_mddb = b->have_mddb;
	unifw_check(probe, j->phone_fp, NULL, r);
	for (size_t i = 0; i < r->item_count && !j->take_modem; i++)
		if (!strcmp(r->items[i].code, "no_radio")) {
			j->take_modem = true;
			/* the evidence without its "modem from the package, kernel from ..." tail: the probe is neither */
			const char *ev = r->items[i].evidence, *tail = strstr(ev, " (check_md_header)");
			snprintf(j->modem_why, sizeof j->modem_why, "the phone's kernel rejects the base's modem (%.*s)",
				 tail ? (int)(tail - ev) : (int)strlen(ev), ev);
		} else if (!strcmp(r->items[i].code, "no_signal")) {
			j->take_modem = true;
			snprintf(j->modem_why, sizeof j->modem_why, "the base's modem is built for another board (build_ver "
				 "'%s', the phone's '%s'): it would load and find no network", b->md_build_ver,
				 j->phone_fp->md_build_ver);
		}
	free(probe);
	free(r);
	return 0;
}

/* ------------------------------------------------------------------ the base's images on disk */

static int base_index_of(const struct port_job *j, const struct unifw_package_partition *pp)
{
	ptrdiff_t i = pp->part - j->base_sc->parts;
	return i >= 0 && (size_t)i < j->base_sc->count ? (int)i : -1;
}

static bool plan_uses_base(const struct port_job *j, int bi)
{
	for (size_t i = 0; i < j->plan_n; i++)
		if (j->plan[i].base_index == bi)
			return true;
	return false;
}

/* A folder's images are used in place; an archive's are extracted, the ones the plan uses, in one pass over
 * it, to a temporary folder removed at the end (libext2fs and resize2fs need a file). */
static int locate_base_files(struct port_job *j, struct unifw_error *err)
{
	j->base_file = calloc(j->base_sc->count ? j->base_sc->count : 1, sizeof *j->base_file);
	if (!j->base_file)
		return unifw_error_set(err, UNIFW_E_NOMEM, "port", UNIFW_NO_OFFSET, "out of memory");
	bool archive = j->base->source == UNIFW_PACKAGE_ARCHIVE;
	if (archive) {
		const char *t = getenv("TMPDIR");
		snprintf(j->tmp, sizeof j->tmp, "%s/unifw-port-XXXXXX", t && *t ? t : "/tmp");
		if (!mkdtemp(j->tmp)) {
			int rc = unifw_error_sys(err, j->tmp, "no temporary folder for the base's images");
			j->tmp[0] = 0;
			return rc;
		}
	}
	char path[8192];
	for (size_t i = 0; i < j->base->part_count; i++) {
		const struct unifw_package_partition *pp = &j->base->parts[i];
		int bi = base_index_of(j, pp);
		if (bi < 0 || !pp->item || !plan_uses_base(j, bi))
			continue;
		int rc = join(path, sizeof path, archive ? j->tmp : j->base->path, pp->item->path, err);
		if (rc)
			return rc;
		if (!(j->base_file[bi] = strdup(path)))
			return unifw_error_set(err, UNIFW_E_NOMEM, "port", UNIFW_NO_OFFSET, "out of memory");
	}
	return 0;
}

static bool member_wanted(const struct port_job *j, const char *name)
{
	for (size_t i = 0; i < j->base->part_count; i++) {
		const struct unifw_package_partition *pp = &j->base->parts[i];
		int bi = base_index_of(j, pp);
		if (bi >= 0 && j->base_file[bi] && pp->item && !strcmp(pp->item->path, name))
			return true;
	}
	return false;
}

static int extract_base(struct port_job *j, struct unifw_error *err)
{
	if (j->base->source != UNIFW_PACKAGE_ARCHIVE)
		return 0;
	struct unifw_archive *ar = NULL;
	struct unifw_archive_member m;
	int rc = unifw_archive_open(j->base->path, &ar, err);
	if (rc)
		return rc;
	unifw_progress_begin(j->o->progress, "extract", j->base->path, 0);
	while ((rc = unifw_archive_next(ar, &m, err)) > 0)
		if (m.kind == UNIFW_MEMBER_FILE && member_wanted(j, m.name) &&
		    (rc = unifw_archive_extract_current_max(ar, j->tmp, UNIFW_ARCHIVE_MAX_EXTRACT, err)) != 0)
			break;
	unifw_archive_close(ar);
	unifw_progress_end(j->o->progress, rc < 0 ? rc : 0, NULL);
	return rc < 0 ? rc : 0;
}

/* ------------------------------------------------------------------ building OUT */

/* The name an image gets in OUT: the phone's scatter's, else the base's, else one made of the partition's. */
static void out_name(const struct port_job *j, const struct port_part_plan *pl, char *buf, size_t cap)
{
	const struct unifw_scatter_part *p = &j->phone.parts[pl->phone_index];
	if (safe_file_name(p->file_name)) {
		snprintf(buf, cap, "%s", p->file_name);
		return;
	}
	if (pl->base_index >= 0 && safe_file_name(j->base_sc->parts[pl->base_index].file_name)) {
		snprintf(buf, cap, "%s", j->base_sc->parts[pl->base_index].file_name);
		return;
	}
	size_t n = 0;
	for (const char *s = p->name; *s && n + 5 < cap && n < 48; s++)
		buf[n++] = (*s >= 'A' && *s <= 'Z') ? (char)(*s - 'A' + 'a') : ((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')) ? *s : '_';
	snprintf(buf + n, cap - n, "%s.img", n ? "" : "part");
}

/* The backup's image of a partition (its scatter names it). */
static int phone_file(const struct port_job *j, const struct unifw_scatter_part *p, char *path, size_t cap,
		      struct unifw_error *err)
{
	if (!safe_file_name(p->file_name))
		return unifw_error_set(err, UNIFW_E_NOT_FOUND, p->name, UNIFW_NO_OFFSET,
				       "the backup's scatter names no usable image for it (file_name \"%s\")", p->file_name);
	int rc = join(path, cap, j->o->stock, p->file_name, err);
	struct stat st;
	if (!rc && stat(path, &st) != 0)
		rc = unifw_error_sys(err, path, "the backup's image of %s", p->name);
	return rc;
}

static int build_boot(struct port_job *j, const struct port_part_plan *pl, const char *out, struct unifw_error *err)
{
	const struct unifw_scatter_part *p = &j->phone.parts[pl->phone_index];
	char stock_path[4096];
	uint8_t *base = NULL, *stock = NULL, *img = NULL;
	size_t base_len = 0, stock_len = 0, img_len = 0;
	int rc = phone_file(j, p, stock_path, sizeof stock_path, err);
	if (!rc)
		rc = unifw_file_read_all(j->base_file[pl->base_index], PORT_MAX_BOOTIMG, &base, &base_len, err);
	if (!rc)
		rc = unifw_file_read_all(stock_path, PORT_MAX_BOOTIMG, &stock, &stock_len, err);
	struct unifw_port_boot_in in = {
		.base = base, .base_len = base_len, .stock = stock, .stock_len = stock_len,
		.recovery = !strcmp(unifw_partname_resolve(p->name) ? unifw_partname_resolve(p->name) : p->name, "RECOVERY"),
		.rules = &j->rules, .partition = p->name,
	};
	if (!rc)
		rc = unifw_port_bootimg(&in, &img, &img_len, &j->r->report, err);
	if (!rc && p->size && img_len > p->size)
		rc = unifw_error_set(err, UNIFW_E_TOO_BIG, p->name, UNIFW_NO_OFFSET,
				     "the ported image is %zu bytes, the phone's partition %llu", img_len,
				     (unsigned long long)p->size);
	if (!rc)
		rc = unifw_file_write_atomic(out, img, img_len, err);
	free(base);
	free(stock);
	free(img);
	return rc;
}

static int build_system(struct port_job *j, const struct port_part_plan *pl, const char *out, struct unifw_error *err)
{
	const struct unifw_scatter_part *p = &j->phone.parts[pl->phone_index];
	char stock_path[4096];
	struct unifw_stream phone;
	int rc = phone_file(j, p, stock_path, sizeof stock_path, err);
	if (rc || (rc = unifw_stream_open_file(&phone, stock_path, err)) != 0)
		return rc;
	struct unifw_port_system_in in = {
		.base_path = j->base_file[pl->base_index], .phone = &phone, .partition_size = p->size,
		.rules = &j->rules, .take_modem = j->take_modem, .out_path = out, .partition = p->name,
		.progress = j->o->progress,
	};
	rc = unifw_port_system(&in, &j->r->report, err);
	unifw_stream_close(&phone);
	return rc;
}

static int build_one(struct port_job *j, const struct port_part_plan *pl, const char *out, struct unifw_error *err)
{
	const struct unifw_scatter_part *p = &j->phone.parts[pl->phone_index];
	char from[4096];
	int rc;
	switch (pl->how) {
	case PORT_HOW_PHONE:
		if ((rc = phone_file(j, p, from, sizeof from, err)) != 0)
			return rc;
		return port_copy_file(from, out, err);
	case PORT_HOW_BOOT: return build_boot(j, pl, out, err);
	case PORT_HOW_SYSTEM: return build_system(j, pl, out, err);
	case PORT_HOW_FIT:
		return unifw_port_fit_image(j->base_file[pl->base_index], p->size, out, p->name, &j->r->report, err);
	case PORT_HOW_BASE: return port_copy_file(j->base_file[pl->base_index], out, err);
	case PORT_HOW_IDENTITY:
	case PORT_HOW_KEEP: break;
	}
	return 0;
}

static bool name_taken(const struct port_job *j, size_t upto, const char *name)
{
	for (size_t i = 0; i < upto; i++) {
		const struct unifw_scatter_part *q = &j->phone.parts[j->plan[i].phone_index];
		if ((j->plan[i].how != PORT_HOW_IDENTITY && j->plan[i].how != PORT_HOW_KEEP) && !strcmp(q->file_name, name))
			return true;
	}
	return false;
}

static int port_partition(struct port_job *j, size_t i, struct unifw_error *err)
{
	const struct port_part_plan *pl = &j->plan[i];
	struct unifw_scatter_part *p = &j->phone.parts[pl->phone_index];
	char reason[700];
	snprintf(reason, sizeof reason, "%s", pl->reason);
	if (pl->how == PORT_HOW_SYSTEM && j->take_modem)
		snprintf(reason + strlen(reason), sizeof reason - strlen(reason),
			 "; %s: the phone's modem and its database are taken", j->modem_why);
	if (unifw_port_report_add(&j->r->report, p->name, "", pl->action, pl->source, "", "%s", reason))
		return unifw_error_set(err, UNIFW_E_NOMEM, "port", UNIFW_NO_OFFSET, "out of memory");
	if (pl->how == PORT_HOW_IDENTITY || pl->how == PORT_HOW_KEEP) {
		snprintf(p->file_name, sizeof p->file_name, "NONE");
		p->is_download = false;
		return 0;
	}
	char name[256], out[8192];
	out_name(j, pl, name, sizeof name);
	if (name_taken(j, i, name))
		return unifw_error_set(err, UNIFW_E_INVALID, p->name, UNIFW_NO_OFFSET,
				       "its image name %s is already another partition's in OUT", name);
	int rc = join(out, sizeof out, j->o->out_dir, name, err);
	if (rc)
		return rc;
	/* the system overlay reports its own progress (a long step); the others are one step each */
	bool own_step = pl->how != PORT_HOW_SYSTEM;
	if (own_step)
		unifw_progress_begin(j->o->progress, "port", p->name, 0);
	rc = build_one(j, pl, out, err);
	if (own_step)
		unifw_progress_end(j->o->progress, rc, rc ? NULL : pl->action);
	if (rc) {
		if (err && strcasecmp(err->where, p->name)) /* the partition named once: "ANDROID: ..." */
			unifw_error_prefix(err, "%s: ", p->name);
		return rc;
	}
	snprintf(p->file_name, sizeof p->file_name, "%s", name);
	p->is_download = pl->how != PORT_HOW_PHONE;
	return 0;
}

/* The base's images for partitions the phone's table does not have: not in OUT, said so. */
static int report_base_only(struct port_job *j, struct unifw_error *err)
{
	for (size_t i = 0; i < j->base->part_count; i++) {
		const struct unifw_package_partition *pp = &j->base->parts[i];
		if (!pp->item || unifw_scatter_find(&j->phone, pp->part->name) ||
		    port_layout_base_index(&j->phone, pp->part->name) >= 0)
			continue;
		if (unifw_port_report_add(&j->r->report, pp->part->name, "", UNIFW_PORT_ACT_SKIPPED, "base", "",
					  "the phone's table has no %s: the base's %s is not in OUT", pp->part->name,
					  pp->item->path))
			return unifw_error_set(err, UNIFW_E_NOMEM, "port", UNIFW_NO_OFFSET, "out of memory");
	}
	return 0;
}

/* ------------------------------------------------------------------ the job */

static int plan(struct port_job *j, struct unifw_error *err)
{
	size_t n = j->base_sc->count;
	bool *has = calloc(n ? n : 1, sizeof *has);
	const char **type = calloc(n ? n : 1, sizeof *type);
	uint64_t *bytes = calloc(n ? n : 1, sizeof *bytes);
	int rc = has && type && bytes ? 0 : unifw_error_set(err, UNIFW_E_NOMEM, "port", UNIFW_NO_OFFSET, "out of memory");
	for (size_t i = 0; !rc && i < j->base->part_count; i++) {
		const struct unifw_package_partition *pp = &j->base->parts[i];
		int bi = base_index_of(j, pp);
		if (bi < 0 || !pp->item || pp->item->error)
			continue;
		has[bi] = pp->part->is_download;
		type[bi] = pp->item->type;
		bytes[bi] = pp->image_bytes ? pp->image_bytes : pp->item->size;
	}
	struct port_layout_in in = {&j->phone, j->base_sc, has, type, bytes};
	if (!rc)
		rc = port_layout_decide(&in, &j->plan, &j->plan_n, err);
	free(has);
	free(type);
	free(bytes);
	return rc;
}

/* OUT fingerprinted and checked against the phone as `unifw check OUT --backup BACKUP` does. */
static int verify(struct port_job *j, const char *scatter, struct unifw_error *err)
{
	struct unifw_package *p = NULL;
	struct unifw_fingerprint *fp = malloc(sizeof *fp);
	struct unifw_check_result *cr = malloc(sizeof *cr);
	int rc = fp && cr ? 0 : unifw_error_set(err, UNIFW_E_NOMEM, "port", UNIFW_NO_OFFSET, "out of memory");
	unifw_progress_begin(j->o->progress, "check", j->o->out_dir, 0);
	if (!rc)
		rc = unifw_package_open_scatter(scatter, &p, err);
	if (!rc)
		rc = unifw_fingerprint_package(p, fp, err);
	if (!rc) {
		struct unifw_check_opts co = {0}; /* what `unifw flash OUT` writes: no preloader, no repartition */
		unifw_check(fp, j->phone_fp, &co, cr);
		j->r->check = unifw_check_to_json(cr);
		j->r->out_fingerprint = unifw_fingerprint_to_json(fp);
		j->r->phone_fingerprint = unifw_fingerprint_to_json(j->phone_fp);
		snprintf(j->r->verdict, sizeof j->r->verdict, "%s", unifw_check_verdict_code(cr->verdict));
	}
	unifw_progress_end(j->o->progress, rc, j->r->verdict);
	unifw_package_free(p);
	free(fp);
	free(cr);
	return rc;
}

static int fingerprints(struct port_job *j, struct unifw_error *err)
{
	j->base_fp = malloc(sizeof *j->base_fp);
	j->phone_fp = malloc(sizeof *j->phone_fp);
	if (!j->base_fp || !j->phone_fp)
		return unifw_error_set(err, UNIFW_E_NOMEM, "port", UNIFW_NO_OFFSET, "out of memory");
	int rc = unifw_fingerprint_package(j->base, j->base_fp, err);
	if (!rc)
		rc = unifw_fingerprint_package(j->stock, j->phone_fp, err);
	return rc ? rc : decide_modem(j, err);
}

static int run(struct port_job *j, struct unifw_error *err)
{
	const struct unifw_port_opts *o = j->o;
	int rc = open_base(o->base, &j->base, err);
	if (rc)
		return rc;
	j->base_sc = &j->base->chosen->sc;
	if ((rc = open_stock(j, err)) != 0 || (rc = plan(j, err)) != 0 || (rc = prepare_out(o->out_dir, err)) != 0)
		return rc;
	unifw_progress_begin(o->progress, "fingerprint", "base and phone", 0);
	rc = fingerprints(j, err);
	unifw_progress_end(o->progress, rc, NULL);
	if (rc || (rc = unifw_port_rules_builtin(&j->rules, err)) != 0)
		return rc;
	j->rules_loaded = true;
	if ((rc = locate_base_files(j, err)) != 0 || (rc = extract_base(j, err)) != 0)
		return rc;
	for (size_t i = 0; i < j->plan_n; i++)
		if ((rc = port_partition(j, i, err)) != 0)
			return rc;
	if ((rc = report_base_only(j, err)) != 0)
		return rc;
	char *scatter = j->r->scatter;
	if ((rc = join(scatter, sizeof j->r->scatter, o->out_dir, PORT_SCATTER_NAME, err)) != 0 ||
	    (rc = unifw_scatter_save(&j->phone, j->phone.dialect, scatter, err)) != 0)
		return rc;
	return verify(j, scatter, err);
}

static void job_free(struct port_job *j)
{
	if (j->tmp[0])
		unifw_remove_tree(j->tmp);
	for (size_t i = 0; j->base_file && j->base_sc && i < j->base_sc->count; i++)
		free(j->base_file[i]);
	free(j->base_file);
	free(j->plan);
	if (j->rules_loaded)
		unifw_port_rules_free(&j->rules);
	if (j->phone_loaded)
		unifw_scatter_free(&j->phone);
	unifw_package_free(j->base);
	unifw_package_free(j->stock);
	free(j->base_fp);
	free(j->phone_fp);
}

int unifw_port_run(const struct unifw_port_opts *opts, struct unifw_port_result *r, struct unifw_error *err)
{
	memset(r, 0, sizeof *r);
	unifw_port_report_init(&r->report);
	if (!opts || !opts->base || !opts->stock || !opts->out_dir)
		return unifw_error_set(err, UNIFW_E_INVALID, "port", UNIFW_NO_OFFSET,
				       "the base, the phone's backup (--stock) and the output folder are all needed");
	struct port_job j = {.o = opts, .r = r};
	int rc = run(&j, err);
	r->take_modem = j.take_modem;
	job_free(&j);
	return rc;
}

void unifw_port_result_free(struct unifw_port_result *r)
{
	unifw_port_report_free(&r->report);
	unifw_jv_free(r->check);
	unifw_jv_free(r->out_fingerprint);
	unifw_jv_free(r->phone_fingerprint);
	r->check = r->out_fingerprint = r->phone_fingerprint = NULL;
}

/* A deep copy through the text form (the check report is a few KiB); JSON null when absent. */
static struct unifw_jv *copy_jv(const struct unifw_jv *v)
{
	char *text = v ? unifw_jv_to_string(v, false) : NULL;
	struct unifw_jv *out = NULL;
	if (!text || unifw_jv_parse(text, strlen(text), "check", strlen(text) + 1, 64, &out, NULL) != 0)
		out = unifw_jv_null();
	free(text);
	return out;
}

struct unifw_jv *unifw_port_result_to_json(const struct unifw_port_result *r, const struct unifw_port_opts *opts)
{
	struct unifw_jv *o = unifw_jv_object();
	unifw_jv_set_str(o, "type", "port");
	unifw_jv_set_str(o, "base", opts && opts->base ? opts->base : "");
	unifw_jv_set_str(o, "stock", opts && opts->stock ? opts->stock : "");
	unifw_jv_set_str(o, "out", opts && opts->out_dir ? opts->out_dir : "");
	unifw_jv_set_str(o, "scatter", r->scatter);
	unifw_jv_set_bool(o, "take_modem", r->take_modem);
	unifw_jv_set(o, "changes", unifw_port_report_to_json(&r->report));
	unifw_jv_set(o, "check", copy_jv(r->check));
	unifw_jv_set_str(o, "verdict", r->verdict);
	return o;
}
