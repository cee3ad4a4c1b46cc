/* The logo frames of a check report's side (docs/check.md "HTML report"): the LOGO image of a package
 * (folder, archive or scatter file) or the LOGO file of a unifw backup, as unifw_logo_frames_json gives
 * them. Only `unifw check --html` needs the pixels, so this is a second, targeted read: a folder's one
 * file, or an archive streamed again up to its LOGO member. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "unifw/archive.h"
#include "unifw/check.h"
#include "unifw/io.h"
#include "unifw/logo.h"
#include "unifw/package.h"

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
