/* Identity regions recognised by content (include/unifw/idregion.h): NVRAM BinRegions and protect_f /
 * protect_s ext4 file systems, wherever a table, a scatter or the standard MT6572 layout says a partition
 * may start, whatever it is called there. */
#include "unifw/idregion.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "unifw/backup.h"
#include "unifw/ext4.h"
#include "unifw/hash.h"
#include "unifw/human.h"
#include "unifw/io.h"
#include "unifw/nvram.h"
#include "ops/reread.h"

/* Backup reads go in pieces of this size (a region is streamed to its file, never held whole). */
#define BACKUP_PIECE (1u << 20)
/* Candidate starts: every table entry, every scatter entry, the standard positions. */
#define MAX_CANDIDATES (2 * UNIFW_PHONE_MAX_PARTS + 3)

static const char *const protect_labels[] = {"protect_f", "protect_s"};

bool unifw_idregion_recognise(const uint8_t *head, size_t len, uint64_t avail, struct unifw_idregion *out)
{
	struct unifw_ext4_super sb;
	memset(out, 0, sizeof *out);
	if (!unifw_ext4_parse_super(head, len, "region", &sb, NULL)) {
		for (size_t i = 0; i < sizeof protect_labels / sizeof *protect_labels; i++) {
			if (strcasecmp(sb.label, protect_labels[i]))
				continue;
			out->kind = UNIFW_IDREGION_PROTECT;
			snprintf(out->label, sizeof out->label, "%s", sb.label);
			/* blocks x block size as the superblock says; a hostile count stops at the user area's end */
			uint64_t bytes = sb.blocks <= UINT64_MAX / sb.block_size ? sb.blocks * sb.block_size : UINT64_MAX;
			out->size = bytes < avail ? bytes : avail;
			return out->size > 0;
		}
		return false;
	}
	if (!unifw_nvram_probe(head, len, avail))
		return false;
	out->kind = UNIFW_IDREGION_NVRAM;
	/* The header does not state the region's size: the MT6572 NVRAM partition is 5 MiB in every ptgen
	 * layout (a table entry at the same start, when there is one, replaces this). */
	out->size = UNIFW_NVRAM_DEFAULT_REGION < avail ? UNIFW_NVRAM_DEFAULT_REGION : avail;
	return out->size > 0;
}

struct candidate {
	uint64_t offset;
	const char *name;          /* partition starting there ("" none) */
	const char *found_by;
	const struct unifw_phone_part_entry *entry; /* the phone's table entry starting there, or NULL */
};

static void add_candidate(struct candidate *c, size_t *n, uint64_t off, uint64_t user_size, const char *name,
			  const char *found_by, const struct unifw_phone_part_entry *entry)
{
	if (off >= user_size || *n >= MAX_CANDIDATES)
		return;
	for (size_t i = 0; i < *n; i++)
		if (c[i].offset == off) {
			/* the phone's own table names a start best; then the scatter */
			if (entry && !c[i].entry) {
				c[i].entry = entry;
				c[i].name = name;
				c[i].found_by = found_by;
			} else if (!c[i].name[0]) {
				c[i].name = name;
			}
			return;
		}
	c[(*n)++] = (struct candidate){.offset = off, .name = name, .found_by = found_by, .entry = entry};
}

static size_t gather(struct candidate *c, const struct unifw_phone_layout *l, const struct unifw_scatter *sc,
		     uint64_t user_size)
{
	size_t n = 0;
	for (size_t i = 0; l && i < l->count; i++)
		if (l->part[i].offset != UINT64_MAX && !l->part[i].from_end)
			add_candidate(c, &n, l->part[i].offset, user_size, l->part[i].name, "phone table", &l->part[i]);
	uint64_t boot = sc ? unifw_scatter_boot_region(sc) : 0;
	for (size_t i = 0; sc && boot && i < sc->count; i++) {
		const struct unifw_scatter_part *p = &sc->parts[i];
		if (!unifw_scatter_addr_is_from_end(p->linear_start) && p->linear_start >= boot)
			add_candidate(c, &n, p->linear_start - boot, user_size, p->name, "package scatter", NULL);
	}
	static const uint64_t std[] = {UNIFW_IDREGION_STD_NVRAM, UNIFW_IDREGION_STD_PROTECT_F,
				       UNIFW_IDREGION_STD_PROTECT_S};
	for (size_t i = 0; i < sizeof std / sizeof *std; i++)
		add_candidate(c, &n, std[i], user_size, "", "standard MT6572 position", NULL);
	return n;
}

static void fill_from_candidate(struct unifw_idregion *r, const struct candidate *c)
{
	r->offset = c->offset;
	snprintf(r->name, sizeof r->name, "%s", c->name);
	snprintf(r->found_by, sizeof r->found_by, "%s", c->found_by);
	const struct unifw_phone_part_entry *e = c->entry;
	/* The phone's own table is the authority on its own NVRAM's extent; an ext4 states its own. */
	if (e && e->size && r->kind == UNIFW_IDREGION_NVRAM) {
		r->size = e->size;
		r->size_from_table = true;
	}
	r->named_identity = e && unifw_backup_is_identity(e->name) && e->size >= r->size;
}

static void sort_regions(struct unifw_idregions *out)
{
	for (size_t i = 1; i < out->count; i++)
		for (size_t k = i; k > 0 && out->r[k - 1].offset > out->r[k].offset; k--) {
			struct unifw_idregion t = out->r[k];
			out->r[k] = out->r[k - 1];
			out->r[k - 1] = t;
		}
}

int unifw_idregions_scan(unifw_idregion_reader read, void *ctx, const struct unifw_phone_layout *layout,
			 const struct unifw_scatter *sc, uint64_t user_size, struct unifw_idregions *out,
			 struct unifw_error *err)
{
	memset(out, 0, sizeof *out);
	struct candidate *c = calloc(MAX_CANDIDATES, sizeof *c);
	uint8_t *head = malloc(UNIFW_IDREGION_PROBE_BYTES);
	int rc = 0;
	if (!c || !head)
		rc = unifw_error_set(err, UNIFW_E_NOMEM, "identity scan", UNIFW_NO_OFFSET, "out of memory");
	size_t n = rc ? 0 : gather(c, layout, sc, user_size);
	for (size_t i = 0; i < n && !rc; i++) {
		uint64_t avail = user_size - c[i].offset;
		size_t len = avail < UNIFW_IDREGION_PROBE_BYTES ? (size_t)avail : UNIFW_IDREGION_PROBE_BYTES;
		len -= len % 512; /* the DA reads whole sectors */
		if (!len)
			continue;
		if ((rc = ops_read_into(read, ctx, UNIFW_PHONE_USER, c[i].offset, head, len, err)) < 0) {
			unifw_error_prefix(err, "looking for identity content at user 0x%llx (%s): ",
					   (unsigned long long)c[i].offset, c[i].name[0] ? c[i].name : c[i].found_by);
			break;
		}
		out->candidates++;
		struct unifw_idregion r;
		if (!unifw_idregion_recognise(head, len, avail, &r))
			continue;
		fill_from_candidate(&r, &c[i]);
		if (out->count < UNIFW_IDREGION_MAX)
			out->r[out->count++] = r;
	}
	out->scanned = rc == 0;
	sort_regions(out);
	free(head);
	free(c);
	return rc;
}

int unifw_idregion_read_phone(void *ctx, enum unifw_phone_part part, uint64_t off, uint64_t len, unifw_phone_sink sink,
			      void *sink_ctx, struct unifw_error *err)
{
	return ops_reread_phone(ctx, part, off, len, sink, sink_ctx, err);
}

int unifw_idregions_scan_phone(struct unifw_phone *ph, const struct unifw_phone_layout *layout,
			       const struct unifw_scatter *sc, struct unifw_idregions *out, struct unifw_error *err)
{
	uint64_t user = unifw_phone_part_size(ph, UNIFW_PHONE_USER);
	if (!user && layout)
		user = layout->user_size;
	return unifw_idregions_scan(unifw_idregion_read_phone, ph, layout, sc, user, out, err);
}

const struct unifw_idregion *unifw_idregions_overlap(const struct unifw_idregions *r, uint64_t off, uint64_t len)
{
	for (size_t i = 0; r && i < r->count; i++) {
		const struct unifw_idregion *x = &r->r[i];
		if (len && off < x->offset + x->size && x->offset < off + len && off + len > off)
			return x;
	}
	return NULL;
}

void unifw_idregion_how(const struct unifw_idregion *r, char *out, size_t len)
{
	if (r->kind == UNIFW_IDREGION_NVRAM)
		snprintf(out, len, "NVRAM BinRegion header");
	else
		snprintf(out, len, "ext4 volume label %s", r->label);
}

void unifw_idregion_describe(const struct unifw_idregion *r, char *out, size_t len)
{
	char how[64], sz[32];
	unifw_idregion_how(r, how, sizeof how);
	snprintf(out, len, "%s at user 0x%llx, %s (%s)", r->name[0] ? r->name : "(unnamed)",
		 (unsigned long long)r->offset, unifw_human_size(r->size, sz, sizeof sz), how);
}

void unifw_idregions_to_json(const struct unifw_idregions *r, struct unifw_jv *obj)
{
	unifw_jv_set_str(obj, "type", "identity_regions");
	char how[64];
	unifw_jv_set_bool(obj, "scanned", r->scanned);
	unifw_jv_set_uint(obj, "candidates", r->candidates);
	struct unifw_jv *arr = unifw_jv_set_arr(obj, "regions");
	for (size_t i = 0; i < r->count; i++) {
		const struct unifw_idregion *x = &r->r[i];
		struct unifw_jv *o = unifw_jv_push_obj(arr);
		unifw_jv_set_str(o, "type", "identity_region");
		unifw_idregion_how(x, how, sizeof how);
		unifw_jv_set_str(o, "name", x->name);
		unifw_jv_set_str(o, "kind", x->kind == UNIFW_IDREGION_NVRAM ? "nvram" : "protect");
		unifw_jv_set_str(o, "label", x->label);
		unifw_jv_set_hex(o, "offset", x->offset);
		unifw_jv_set_uint(o, "size", x->size);
		unifw_jv_set_str(o, "recognised_by", how);
		unifw_jv_set_str(o, "found_by", x->found_by);
		unifw_jv_set_bool(o, "named_identity", x->named_identity);
	}
}

/* ---------------------------------------------------------------- backup */

static void file_name(const struct unifw_idregion *r, char *out, size_t len)
{
	char name[65];
	size_t k = 0;
	for (const char *c = r->name[0] ? r->name : "unnamed"; *c && k + 1 < sizeof name; c++)
		name[k++] = (char)((*c >= 'A' && *c <= 'Z') ? *c + 32 : ((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ? *c : '_'));
	name[k] = 0;
	snprintf(out, len, "region-%llx-%s.bin", (unsigned long long)r->offset, name);
}

/* Read the region a second time and compare it with what the first read left in fd: a READ packet carries
 * only a 16-bit sum, and two errors that cancel in it pass (docs/flash.md "identity backup read twice"). */
static int reread_region(unifw_idregion_reader read, void *ctx, const struct unifw_idregion *r, int fd, const char *path,
			 struct unifw_error *err)
{
	struct ops_reread v;
	int rc = ops_reread_compare(read, ctx, UNIFW_PHONE_USER, r->offset, r->size, fd, 0, path, NULL, &v, err);
	if (rc || v.first_diff == UINT64_MAX)
		return rc;
	return unifw_error_set(err, UNIFW_E_DEVICE, path, v.first_diff,
			       "two reads of the phone differ at user 0x%llx: first 0x%02x, second 0x%02x; nothing was "
			       "written (a link that corrupts reads must not be trusted with an identity backup)",
			       (unsigned long long)(r->offset + v.first_diff), (unsigned)v.file_byte, v.phone_byte);
}

/* Stream one region into dir/<file> (fsync'd), hashing it on the way, then read it again and compare. */
static int backup_one(unifw_idregion_reader read, void *ctx, const struct unifw_idregion *r, const char *path,
		      uint8_t *buf, uint8_t digest[32], struct unifw_error *err)
{
	struct unifw_sha256 h;
	int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return unifw_error_sys(err, path, "create");
	int rc = unifw_sha256_init(&h) < 0 ? unifw_error_set(err, UNIFW_E_NOMEM, path, UNIFW_NO_OFFSET, "out of memory") : 0;
	for (uint64_t done = 0; !rc && done < r->size;) {
		size_t n = r->size - done < BACKUP_PIECE ? (size_t)(r->size - done) : BACKUP_PIECE;
		rc = ops_read_into(read, ctx, UNIFW_PHONE_USER, r->offset + done, buf, n, err);
		if (!rc)
			rc = unifw_fd_write_all(fd, buf, n, path, err);
		if (!rc)
			unifw_sha256_update(&h, buf, n);
		done += n;
	}
	unifw_sha256_final(&h, digest);
	if (!rc)
		rc = reread_region(read, ctx, r, fd, path, err);
	if (!rc && fsync(fd) < 0)
		rc = unifw_error_sys(err, path, "fsync");
	close(fd);
	return rc;
}

int unifw_idregions_backup(unifw_idregion_reader read, void *ctx, const struct unifw_idregions *r, const char *dir,
			   struct unifw_error *err)
{
	struct unifw_jv *m = unifw_jv_object();
	unifw_jv_set_str(m, "type", "unifw-identity-regions");
	unifw_jv_set_str(m, "why", "identity content (NVRAM BinRegion, protect_f/protect_s ext4) found where the "
				  "phone's table does not name it as an identity partition: read before the first write");
	struct unifw_jv *arr = unifw_jv_set_arr(m, "regions");
	uint8_t *buf = malloc(BACKUP_PIECE);
	int rc = buf ? 0 : unifw_error_set(err, UNIFW_E_NOMEM, dir, UNIFW_NO_OFFSET, "out of memory");
	size_t saved = 0;
	for (size_t i = 0; r && i < r->count && !rc; i++) {
		const struct unifw_idregion *x = &r->r[i];
		char file[128], path[PATH_MAX], hex[65], how[64];
		uint8_t digest[32];
		if (x->named_identity)
			continue;
		file_name(x, file, sizeof file);
		if (snprintf(path, sizeof path, "%s/%s", dir, file) >= (int)sizeof path)
			rc = unifw_error_set(err, UNIFW_E_INVALID, dir, UNIFW_NO_OFFSET, "path too long");
		if (!rc && (rc = backup_one(read, ctx, x, path, buf, digest, err)) < 0)
			unifw_error_prefix(err, "identity region %s at user 0x%llx: ", x->name[0] ? x->name : "(unnamed)",
					   (unsigned long long)x->offset);
		if (rc)
			break;
		unifw_hex(digest, 32, hex);
		unifw_idregion_how(x, how, sizeof how);
		struct unifw_jv *o = unifw_jv_push_obj(arr);
		unifw_jv_set_str(o, "name", x->name);
		unifw_jv_set_str(o, "file", file);
		unifw_jv_set_hex(o, "offset", x->offset);
		unifw_jv_set_uint(o, "size", x->size);
		unifw_jv_set_str(o, "recognised_by", how);
		unifw_jv_set_str(o, "sha256", hex);
		saved++;
	}
	char path[PATH_MAX];
	char *text = rc || !saved ? NULL : unifw_jv_to_string(m, true);
	if (!rc && saved && !text)
		rc = unifw_error_set(err, UNIFW_E_NOMEM, dir, UNIFW_NO_OFFSET, "out of memory");
	if (!rc && saved && snprintf(path, sizeof path, "%s/identity-regions.json", dir) >= (int)sizeof path)
		rc = unifw_error_set(err, UNIFW_E_INVALID, dir, UNIFW_NO_OFFSET, "path too long");
	if (!rc && saved)
		rc = unifw_file_write_atomic(path, text, strlen(text), err);
	free(text);
	free(buf);
	unifw_jv_free(m);
	return rc;
}
