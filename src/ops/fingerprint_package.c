/* Fingerprint of a package or a unifw backup folder (include/unifw/fingerprint.h): the layout from the
 * chosen scatter (a backup's is the phone's table), the phone facts of a backup's manifest, then ONE pass
 * over the images that matter (a folder's files, or an archive's members in archive order), each handed
 * to the extractor the phone also uses (fingerprint.c). A system image is read through libext2fs: from a
 * folder in place (a sparse one through its view), from an archive after extracting that one member to a
 * temporary folder (ext4 needs random access; memory stays bounded). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ops/fingerprint_internal.h"
#include "unifw/archive.h"
#include "unifw/mbr.h"
#include "unifw/package.h"
#include "unifw/sparse.h"
#include "util/bytes.h"

enum fp_role { FP_R_NONE, FP_R_PRELOADER, FP_R_LK, FP_R_BOOT, FP_R_LOGO, FP_R_SYSTEM, FP_R_USERDATA, FP_R_MBR,
	       FP_R_KERNEL };

struct fp_pkg {
	struct fp_ctx c;
	const struct unifw_package *p;
	bool seen[FP_R_KERNEL + 1]; /* a loose folder: the first image of each kind is the one read */
	/* MBR and EBR1.. first sectors, for the mmcblk0pN of each partition */
	uint8_t mbr[1 + UNIFW_MBR_MAX_EBRS][UNIFW_MBR_SECTOR_SIZE];
	bool have_mbr[1 + UNIFW_MBR_MAX_EBRS];
};

static enum fp_role role_of(const char *name, unsigned *ebr)
{
	static const struct {
		const char *name;
		enum fp_role role;
	} t[] = {
		{"PRELOADER", FP_R_PRELOADER}, {"UBOOT", FP_R_LK},	  {"LK", FP_R_LK},
		{"BOOTIMG", FP_R_BOOT},	       {"LOGO", FP_R_LOGO},	  {"ANDROID", FP_R_SYSTEM},
		{"SYSTEM", FP_R_SYSTEM},       {"USRDATA", FP_R_USERDATA}, {"MBR", FP_R_MBR},
	};
	*ebr = 0;
	for (size_t i = 0; i < sizeof t / sizeof *t; i++)
		if (!strcasecmp(name, t[i].name))
			return t[i].role;
	if (!strncasecmp(name, "EBR", 3) && name[3] >= '1' && name[3] <= '8' && !name[4]) {
		*ebr = (unsigned)(name[3] - '0');
		return FP_R_MBR;
	}
	return FP_R_NONE;
}

/* --- layout --------------------------------------------------------------------------------------- */

static const struct unifw_jv *manifest_part(const struct unifw_package *p, const char *name)
{
	const struct unifw_jv *arr = unifw_jv_get(p->manifest, "partitions");
	for (size_t i = 0; i < unifw_jv_len(arr); i++) {
		const char *n = unifw_jv_str(unifw_jv_get(unifw_jv_at(arr, i), "name"));
		if (n && !strcasecmp(n, name))
			return unifw_jv_at(arr, i);
	}
	return NULL;
}

static void part_content(struct fp_pkg *k, const struct unifw_package_partition *pp, struct unifw_fp_part *d)
{
	if (k->p->kind == UNIFW_PACKAGE_BACKUP) {
		const char *content = unifw_jv_str(unifw_jv_get(manifest_part(k->p, pp->part->name), "content"));
		fp_copy(d->content, sizeof d->content, content && !strcmp(content, "empty") ? "blank" : content);
		d->download = pp->item && content && strcmp(content, "empty");
		d->image_bytes = d->download ? pp->item->size : 0;
		return;
	}
	d->download = pp->part->is_download && pp->item;
	d->image_bytes = pp->item ? pp->image_bytes : 0;
	if (!pp->item)
		return;
	const char *inner = unifw_jv_str(unifw_jv_path(pp->item->detail, "inner.type"));
	fp_copy(d->content, sizeof d->content, !strcmp(pp->item->type, "sparse") && inner ? inner : pp->item->type);
}

static void layout(struct fp_pkg *k)
{
	struct unifw_fingerprint *fp = k->c.fp;
	const struct unifw_scatter *sc = &k->p->chosen->sc;
	fp_copy(fp->platform, sizeof fp->platform, sc->platform);
	fp_copy(fp->storage, sizeof fp->storage, sc->storage);
	fp_copy(fp->project, sizeof fp->project, sc->project);
	fp->have_layout = true;
	fp->boot_region = unifw_scatter_boot_region(sc);
	for (size_t i = 0; i < k->p->part_count && fp->part_count < UNIFW_FP_MAX_PARTS; i++) {
		const struct unifw_package_partition *pp = &k->p->parts[i];
		struct unifw_fp_part *d = &fp->parts[fp->part_count++];
		fp_copy(d->name, sizeof d->name, pp->part->name);
		d->linear = pp->part->linear_start;
		d->size = pp->part->size;
		part_content(k, pp, d);
		if (pp->item && pp->item->has_sha256) {
			d->has_sha256 = true;
			memcpy(d->sha256, pp->item->sha256, 32);
		}
	}
	if (k->p->part_count > UNIFW_FP_MAX_PARTS)
		fp_note(fp, "the scatter lists %zu partitions: the first %u are kept", k->p->part_count, UNIFW_FP_MAX_PARTS);
}

/* mmcblk0pN of each partition from the MBR/EBR images: an entry's user-area offset is its linear
 * address minus the boot region. */
static void mbr_indices(struct fp_pkg *k)
{
	struct unifw_fingerprint *fp = k->c.fp;
	const uint8_t *sectors[1 + UNIFW_MBR_MAX_EBRS];
	size_t lens[1 + UNIFW_MBR_MAX_EBRS], n = 0;
	while (n < 1 + UNIFW_MBR_MAX_EBRS && k->have_mbr[n]) {
		sectors[n] = k->mbr[n];
		lens[n] = UNIFW_MBR_SECTOR_SIZE;
		n++;
	}
	if (n < 2)
		return; /* no MBR, or no EBR1: no chain to follow */
	struct unifw_mbr_table *t = malloc(sizeof *t);
	struct unifw_error e = { 0 };
	if (!t || unifw_mbr_table_from_sectors(sectors, lens, n, 0, t, &e) != 0) {
		fp_note(fp, "MBR/EBR images: the partition chain cannot be followed (%s)", t ? e.msg : "out of memory");
		free(t);
		return;
	}
	for (size_t i = 0; i < t->count; i++) {
		uint64_t off = t->part[i].start_lba * UNIFW_MBR_SECTOR_SIZE;
		for (size_t j = 0; j < fp->part_count; j++)
			if (fp->parts[j].linear >= fp->boot_region && fp->parts[j].linear - fp->boot_region == off &&
			    fp->parts[j].linear < 0xFFFF0000u)
				fp->parts[j].mbr_index = t->part[i].kernel_index;
	}
	free(t);
}

/* --- a backup's phone facts ----------------------------------------------------------------------- */

static void backup_phone(struct fp_pkg *k)
{
	struct unifw_fingerprint *fp = k->c.fp;
	const struct unifw_jv *ph = unifw_jv_get(k->p->manifest, "phone");
	const char *cid = unifw_jv_str(unifw_jv_path(ph, "emmc.cid.raw"));
	if (cid && strlen(cid) == 32) {
		bool ok = true;
		for (size_t i = 0; i < 16 && ok; i++) {
			int hi = unifw_hexval(cid[2 * i]), lo = unifw_hexval(cid[2 * i + 1]);
			ok = hi >= 0 && lo >= 0;
			fp->cid[i] = (uint8_t)(hi << 4 | lo);
		}
		fp->have_cid = ok;
	}
	fp->user_size = unifw_jv_u64(unifw_jv_path(ph, "emmc.user_size"));
	const char *hw = unifw_jv_str(unifw_jv_path(ph, "chip.hw_code"));
	if (hw)
		fp->hw_code = (uint16_t)strtoul(hw, NULL, 16);
	const char *chip = unifw_jv_str(unifw_jv_path(ph, "chip.name"));
	if (chip && !fp->platform[0])
		fp_copy(fp->platform, sizeof fp->platform, chip);
	if (!fp->have_cid)
		fp_note(fp, "the backup's manifest has no eMMC CID");
	/* BMTPOOL's "0xFFFFnnnn" (nnnn blocks of 128 KiB before the end) as the address it is on this phone */
	for (size_t i = 0; i < fp->part_count && fp->user_size; i++) {
		struct unifw_fp_part *p = &fp->parts[i];
		uint64_t back = (p->linear & 0xFFFFu) * 0x20000u;
		if (p->linear >= 0xFFFF0000u && p->linear <= 0xFFFFFFFFu && back <= fp->user_size)
			p->linear = fp->boot_region + fp->user_size - back;
	}
}

/* --- reading one image ---------------------------------------------------------------------------- */

static size_t role_max(enum fp_role r)
{
	switch (r) {
	case FP_R_PRELOADER: return FP_MAX_PRELOADER;
	case FP_R_LK: return FP_MAX_LK;
	case FP_R_BOOT: return FP_MAX_BOOT;
	case FP_R_LOGO: return FP_MAX_LOGO;
	case FP_R_KERNEL: return FP_MAX_BOOT;
	default: return UNIFW_MBR_SECTOR_SIZE;
	}
}

static void image_bytes(struct fp_pkg *k, enum fp_role r, unsigned ebr, const uint8_t *b, size_t n, const char *name)
{
	switch (r) {
	case FP_R_PRELOADER: fp_from_preloader(&k->c, b, n, name); break;
	case FP_R_LK: fp_from_lk(&k->c, b, n, name); break;
	case FP_R_BOOT: fp_from_bootimg(&k->c, b, n, name); break;
	case FP_R_LOGO: fp_from_logo(&k->c, b, n, name); break;
	case FP_R_KERNEL: fp_from_kernel(&k->c, b, n, name); break;
	case FP_R_MBR:
		if (n >= UNIFW_MBR_SECTOR_SIZE) {
			memcpy(k->mbr[ebr], b, UNIFW_MBR_SECTOR_SIZE);
			k->have_mbr[ebr] = true;
		}
		break;
	default: break;
	}
}

/* The MBR/EBR images are read for their first sector only; the others whole, up to their bound. */
static void read_small(struct fp_pkg *k, enum fp_role r, unsigned ebr, struct unifw_stream *s, const char *name)
{
	size_t max = role_max(r);
	uint8_t *buf = NULL;
	size_t len = 0;
	struct unifw_error e = { 0 };
	int rc;
	if (r == FP_R_MBR) {
		buf = malloc(max);
		ssize_t got = buf ? unifw_stream_read(s, buf, max, &e) : -1;
		rc = got < 0 ? -1 : 0;
		len = got < 0 ? 0 : (size_t)got;
	} else {
		rc = unifw_stream_read_all(s, max, &buf, &len, &e);
	}
	if (rc)
		fp_note(k->c.fp, "%s: not read (%s)", name, e.msg[0] ? e.msg : "out of memory");
	else
		image_bytes(k, r, ebr, buf, len, name);
	free(buf);
}

/* An ext4 image (raw or sparse) over a pread-capable stream. */
static void read_fs(struct fp_pkg *k, enum fp_role r, struct unifw_stream *s, const char *name)
{
	uint8_t head[UNIFW_SPARSE_HEADER_SIZE];
	struct unifw_error e = { 0 };
	struct unifw_sparse_view *v = NULL;
	struct unifw_stream view, *fs_stream = s;
	struct unifw_ext4 *fs = NULL;
	if (s->pread(s->ctx, head, sizeof head, 0, &e) == 0 && unifw_sparse_probe(head, sizeof head, s->size)) {
		if (unifw_sparse_view_open(s, &v, &e) != 0) {
			fp_note(k->c.fp, "%s: sparse image not readable (%s)", name, e.msg);
			return;
		}
		unifw_sparse_view_stream(v, &view);
		fs_stream = &view;
	}
	if (unifw_ext4_open(fs_stream, &fs, &e) != 0) {
		fp_note(k->c.fp, "%s: not an ext4 file system (%s)", name, e.msg);
		if (r == FP_R_SYSTEM)
			k->c.fp->have_android = true; /* present, but nothing Android could mount */
	} else if (r == FP_R_SYSTEM) {
		fp_from_system(&k->c, fs, name);
	} else {
		fp_from_userdata(&k->c, fs);
	}
	if (fs)
		unifw_ext4_close(fs);
	if (v) {
		unifw_stream_close(&view); /* frees the stream's own context, not the view */
		unifw_sparse_view_close(v);
	}
}

/* An archive member that needs random access: extracted alone to a temporary folder, read, removed. */
static void read_fs_member(struct fp_pkg *k, enum fp_role r, struct unifw_archive *ar, const char *member)
{
	const char *t = getenv("TMPDIR");
	char dir[4096], path[8192];
	struct unifw_error e = { 0 };
	struct unifw_stream s;
	snprintf(dir, sizeof dir, "%s/unifw-fp-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(dir)) {
		fp_note(k->c.fp, "%s: no temporary folder to read it in", member);
		return;
	}
	if (unifw_archive_extract_current_max(ar, dir, UNIFW_ARCHIVE_MAX_EXTRACT, &e) != 0)
		fp_note(k->c.fp, "%s: not extracted (%s)", member, e.msg);
	else if (snprintf(path, sizeof path, "%s/%s", dir, member) < (int)sizeof path &&
		 unifw_stream_open_file(&s, path, &e) == 0) {
		read_fs(k, r, &s, member);
		unifw_stream_close(&s);
	}
	unifw_remove_tree(dir);
}

/* A folder or archive without a scatter (kind LOOSE, e.g. a collection of dumps): its images by content,
 * the first of each kind. */
static enum fp_role loose_role(const char *type)
{
	static const struct {
		const char *type;
		enum fp_role role;
	} t[] = {
		{"preloader", FP_R_PRELOADER}, {"lk", FP_R_LK}, {"bootimg", FP_R_BOOT}, {"logo", FP_R_LOGO}, {"kernel", FP_R_KERNEL},
	};
	for (size_t i = 0; i < sizeof t / sizeof *t; i++)
		if (!strcmp(type, t[i].type))
			return t[i].role;
	return FP_R_NONE;
}

static const struct unifw_package_item *loose_wanted(struct fp_pkg *k, const char *member, enum fp_role *r)
{
	for (size_t i = 0; i < k->p->item_count; i++) {
		const struct unifw_package_item *it = &k->p->items[i];
		if (it->error || strcmp(it->path, member))
			continue;
		*r = loose_role(it->type);
		if (*r == FP_R_NONE || k->seen[*r])
			return NULL;
		k->seen[*r] = true;
		return it;
	}
	return NULL;
}

static const struct unifw_package_partition *wanted(const struct fp_pkg *k, const char *member, enum fp_role *r,
						    unsigned *ebr)
{
	for (size_t i = 0; i < k->p->part_count; i++) {
		const struct unifw_package_partition *pp = &k->p->parts[i];
		if (!pp->item || pp->item->error || strcmp(pp->item->path, member))
			continue;
		*r = role_of(pp->part->name, ebr);
		if (*r == FP_R_USERDATA && k->p->kind != UNIFW_PACKAGE_BACKUP)
			*r = FP_R_NONE; /* a package's user data says nothing of a phone's identity */
		if (*r != FP_R_NONE)
			return pp;
	}
	return NULL;
}

static int pass_archive(struct fp_pkg *k, struct unifw_error *err)
{
	struct unifw_archive *ar = NULL;
	struct unifw_archive_member m;
	int rc = unifw_archive_open(k->p->path, &ar, err);
	if (rc)
		return rc;
	while ((rc = unifw_archive_next(ar, &m, err)) > 0) {
		enum fp_role r;
		unsigned ebr = 0;
		if (m.kind != UNIFW_MEMBER_FILE)
			continue;
		if (k->p->chosen ? !wanted(k, m.name, &r, &ebr) : !loose_wanted(k, m.name, &r))
			continue;
		if (r == FP_R_SYSTEM || r == FP_R_USERDATA) {
			read_fs_member(k, r, ar, m.name);
			continue;
		}
		struct unifw_stream s;
		if ((rc = unifw_archive_member_stream(ar, &s, err)) != 0)
			break;
		read_small(k, r, ebr, &s, m.name);
	}
	unifw_archive_close(ar);
	return rc < 0 ? rc : 0;
}

/* Folder files in the scatter's order: the boot image before the system (the kernel's MD1 type then
 * says which modem image to read). */
static void pass_folder(struct fp_pkg *k)
{
	for (size_t i = 0; i < k->p->part_count; i++) {
		const struct unifw_package_partition *pp = &k->p->parts[i];
		enum fp_role r;
		unsigned ebr;
		if (!pp->item || wanted(k, pp->item->path, &r, &ebr) != pp)
			continue;
		char path[8192];
		struct unifw_stream s;
		struct unifw_error e = { 0 };
		if (snprintf(path, sizeof path, "%s/%s", k->p->path, pp->item->path) >= (int)sizeof path ||
		    unifw_stream_open_file(&s, path, &e) != 0) {
			fp_note(k->c.fp, "%s: cannot be opened (%s)", pp->item->path, e.msg);
			continue;
		}
		if (r == FP_R_SYSTEM || r == FP_R_USERDATA)
			read_fs(k, r, &s, pp->item->path);
		else
			read_small(k, r, ebr, &s, pp->item->path);
		unifw_stream_close(&s);
	}
}

static void pass_loose_folder(struct fp_pkg *k)
{
	for (size_t i = 0; i < k->p->item_count; i++) {
		enum fp_role r;
		const struct unifw_package_item *it = loose_wanted(k, k->p->items[i].path, &r);
		char path[8192];
		struct unifw_stream s;
		struct unifw_error e = { 0 };
		if (!it)
			continue;
		if (snprintf(path, sizeof path, "%s/%s", k->p->path, it->path) >= (int)sizeof path ||
		    unifw_stream_open_file(&s, path, &e) != 0) {
			fp_note(k->c.fp, "%s: cannot be opened (%s)", it->path, e.msg);
			continue;
		}
		read_small(k, r, 0, &s, it->path);
		unifw_stream_close(&s);
	}
}

static void backup_identity(struct fp_pkg *k)
{
	struct unifw_idhealth h;
	struct unifw_error e = { 0 };
	bool had_userdata = k->c.fp->data_nvram;
	bool userdata_imei = k->c.fp->data_imei;
	if (unifw_idhealth_of_folder(k->p->path, &h, &e) != 0) {
		fp_note(k->c.fp, "identity: %s", e.msg);
		return;
	}
	fp_from_idhealth(&k->c, &h);
	if (!h.tree.available) { /* no nvram/ folder: what USRDATA's /nvram holds, read in the pass */
		k->c.fp->data_nvram = had_userdata;
		k->c.fp->data_imei = userdata_imei;
	}
	unifw_idhealth_free(&h);
}

int unifw_fingerprint_package(const struct unifw_package *p, struct unifw_fingerprint *fp, struct unifw_error *err)
{
	memset(fp, 0, sizeof *fp);
	struct fp_pkg *k = calloc(1, sizeof *k);
	if (!k)
		return unifw_error_set(err, UNIFW_E_NOMEM, p->path, UNIFW_NO_OFFSET, "out of memory");
	k->c.fp = fp;
	k->p = p;
	fp->source = p->kind == UNIFW_PACKAGE_BACKUP ? UNIFW_FP_BACKUP : UNIFW_FP_PACKAGE;
	fp_copy(fp->path, sizeof fp->path, p->path);
	int rc = 0;
	if (!p->chosen) {
		fp_note(fp, "no usable scatter file: no layout; images taken by their content");
		if (p->kind == UNIFW_PACKAGE_BACKUP)
			backup_phone(k); /* a backup of some partitions (--partition): the phone is still known */
		if (p->source == UNIFW_PACKAGE_ARCHIVE)
			rc = pass_archive(k, err);
		else
			pass_loose_folder(k);
		fp_finish(&k->c);
	} else {
		layout(k);
		if (p->kind == UNIFW_PACKAGE_BACKUP)
			backup_phone(k);
		if (p->source == UNIFW_PACKAGE_ARCHIVE)
			rc = pass_archive(k, err);
		else
			pass_folder(k);
		mbr_indices(k);
		if (!rc && p->kind == UNIFW_PACKAGE_BACKUP)
			backup_identity(k);
		fp_finish(&k->c);
	}
	free(k);
	return rc;
}

int unifw_fingerprint_path(const char *path, struct unifw_fingerprint *fp, struct unifw_error *err)
{
	struct unifw_package *p = NULL;
	int rc = unifw_package_open_path(path, &p, err);
	if (rc == UNIFW_E_FORMAT && !unifw_package_is_folder(path))
		unifw_error_prefix(err, "a fingerprint is of a package folder, an archive, a scatter file or a backup "
					"folder, not of one image (unifw info describes one): ");
	if (rc)
		return rc;
	rc = unifw_fingerprint_package(p, fp, err);
	unifw_package_free(p);
	return rc;
}
