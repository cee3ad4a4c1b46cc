/* The logo frames of a check report's side (docs/check.md "HTML report"): the LOGO image of a package
 * (folder, archive or scatter file), the LOGO file of a unifw backup, or the LOGO partition of a phone, as
 * unifw_logo_frames_json gives them. Only `unifw check --html` needs the pixels, so this is a second,
 * targeted read: a folder's one file, an archive streamed again up to its LOGO member, or the phone's
 * LOGO up to the end of its payload. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "unifw/archive.h"
#include "unifw/check.h"
#include "unifw/identify.h"
#include "unifw/io.h"
#include "unifw/logo.h"
#include "unifw/mtkhdr.h"
#include "unifw/package.h"
#include "unifw/phone.h"
#include "util/bytes.h"

static bool is_scatter_file(const char *path)
{
	size_t n = strlen(path);
	return !unifw_package_is_folder(path) && n > 4 && !strcasecmp(path + n - 4, ".txt");
}

/* The archive member named rel, read whole (bounded by the largest logo.bin). */
static int archive_member_bytes(const char *archive, const char *rel, uint8_t **buf, size_t *len,
				struct unifw_error *err)
{
	struct unifw_archive *a = NULL;
	int rc = unifw_archive_open(archive, &a, err);
	if (rc)
		return rc;
	struct unifw_archive_member m;
	int more;
	while ((more = unifw_archive_next(a, &m, err)) > 0) {
		if (m.kind != UNIFW_MEMBER_FILE || strcmp(m.name, rel))
			continue;
		struct unifw_stream s;
		rc = unifw_archive_member_stream(a, &s, err);
		if (!rc)
			rc = unifw_stream_read_all(&s, UNIFW_LOGO_MAX_FILE, buf, len, err);
		unifw_archive_close(a);
		return rc;
	}
	unifw_archive_close(a);
	if (more < 0)
		return more;
	return unifw_error_set(err, UNIFW_E_NOT_FOUND, archive, UNIFW_NO_OFFSET, "member %s: listed at opening, not found now",
			       rel);
}

static int logo_bytes(const struct unifw_package *p, const struct unifw_package_item *it, uint8_t **buf, size_t *len,
		      struct unifw_error *err)
{
	if (p->source == UNIFW_PACKAGE_ARCHIVE)
		return archive_member_bytes(p->path, it->path, buf, len, err);
	char full[4096];
	if (snprintf(full, sizeof full, "%s/%s", p->path, it->path) >= (int)sizeof full)
		return unifw_error_set(err, UNIFW_E_INVALID, it->path, UNIFW_NO_OFFSET, "path too long");
	return unifw_file_read_all(full, UNIFW_LOGO_MAX_FILE, buf, len, err);
}

int unifw_check_logo_frames(const char *path, struct unifw_jv **frames, struct unifw_error *err)
{
	*frames = NULL;
	struct unifw_package *p = NULL;
	int rc = is_scatter_file(path) ? unifw_package_open_scatter(path, &p, err) : unifw_package_open(path, &p, err);
	if (rc)
		return rc;
	const struct unifw_package_partition *logo = unifw_package_find(p, "LOGO");
	if (!logo || !logo->item) {
		unifw_package_free(p);
		*frames = unifw_jv_array(); /* nothing to show is not an error: the page says so */
		return *frames ? 0 : unifw_error_set(err, UNIFW_E_NOMEM, path, UNIFW_NO_OFFSET, "out of memory");
	}
	uint8_t *buf = NULL;
	size_t len = 0;
	rc = logo_bytes(p, logo->item, &buf, &len, err);
	if (!rc)
		rc = unifw_logo_frames_json(buf, len, logo->item->path, 0, 0, frames, err);
	free(buf);
	unifw_package_free(p);
	return rc;
}

/* ---------------------------------------------------------------- a phone's LOGO */

struct range_buf {
	uint8_t *buf;
	size_t len;
	uint64_t base;
};

static int to_range_buf(void *ctx, const uint8_t *data, size_t len, uint64_t off, struct unifw_error *err)
{
	struct range_buf *b = ctx;
	if (off < b->base || off - b->base > b->len || len > b->len - (off - b->base))
		return unifw_error_set(err, UNIFW_E_DEVICE, "LOGO", off, "the phone sent data beyond the range asked for");
	memcpy(b->buf + (off - b->base), data, len);
	return 0;
}

static int read_user(struct unifw_phone *ph, uint64_t off, size_t len, uint8_t **out, struct unifw_error *err)
{
	struct range_buf b = {malloc(len ? len : 1), len, off};
	if (!b.buf)
		return unifw_error_set(err, UNIFW_E_NOMEM, "LOGO", UNIFW_NO_OFFSET, "out of memory for %zu bytes", len);
	int rc = unifw_phone_read(ph, UNIFW_PHONE_USER, off, len, to_range_buf, &b, err);
	if (rc) {
		free(b.buf);
		return rc;
	}
	*out = b.buf;
	return 0;
}

/* How much of the partition to read: the MTK header's payload size says where logo.bin ends (the rest of
 * a 3-8 MiB partition is padding), bounded by the partition and by the largest logo.bin. */
static size_t logo_extent(const uint8_t *head, size_t head_len, uint64_t part_size)
{
	uint32_t payload = 0;
	uint64_t want = part_size;
	if (unifw_mtkhdr_is(head, head_len) && get_le32(head, head_len, 4, &payload) &&
	    (uint64_t)UNIFW_MTKHDR_SIZE + payload < want)
		want = (uint64_t)UNIFW_MTKHDR_SIZE + payload;
	return want > UNIFW_LOGO_MAX_FILE ? UNIFW_LOGO_MAX_FILE : (size_t)want;
}

int unifw_check_logo_frames_phone(struct unifw_phone *ph, struct unifw_jv **frames, struct unifw_error *err)
{
	*frames = NULL;
	struct unifw_phone_layout *l = calloc(1, sizeof *l);
	if (!l)
		return unifw_error_set(err, UNIFW_E_NOMEM, "phone", UNIFW_NO_OFFSET, "out of memory");
	int rc = unifw_phone_layout_read(ph, l, err);
	const struct unifw_phone_part_entry *e = NULL;
	for (size_t i = 0; !rc && i < l->count; i++)
		if (!strcasecmp(l->part[i].name, "LOGO") && l->part[i].offset != UINT64_MAX)
			e = &l->part[i];
	uint8_t *head = NULL, *buf = NULL;
	if (!rc && e && e->size >= UNIFW_MTKHDR_SIZE)
		rc = read_user(ph, e->offset, UNIFW_MTKHDR_SIZE, &head, err);
	if (!rc && head) {
		size_t len = logo_extent(head, UNIFW_MTKHDR_SIZE, e->size);
		rc = read_user(ph, e->offset, len, &buf, err);
		if (!rc)
			rc = unifw_logo_frames_json(buf, len, "LOGO", 0, 0, frames, err);
	} else if (!rc) {
		*frames = unifw_jv_array(); /* no LOGO in the phone's tables: nothing to show */
		if (!*frames)
			rc = unifw_error_set(err, UNIFW_E_NOMEM, "phone", UNIFW_NO_OFFSET, "out of memory");
	}
	free(head);
	free(buf);
	free(l);
	return rc;
}
