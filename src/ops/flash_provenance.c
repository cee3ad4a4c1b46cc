/* Where a package's identity images come from (issue 8.4). NVRAM, PRO_INFO, PROTECT_F and PROTECT_S hold
 * one phone's IMEI record, RF calibration and addresses: written to another phone they clone an identity.
 * So an identity image is written only when the package carries a unifw backup manifest (manifest.json,
 * docs/backup.md) whose phone CID is the connected phone's and whose SHA-256 for that very file is the
 * image's; anything else is refused, whatever the options (docs/flash.md "Identity images"). */
#include "ops/flash_internal.h"

#include <stdio.h>
#include <string.h>

#include "unifw/hash.h"
#include "util/bytes.h"
#include "unifw/json.h"


/* The manifest's path inside the package; *dir_len = the length of its folder ("" at the root): its "file"
 * names are relative to it. */
const char *flash_manifest_path(const struct unifw_package *pkg, size_t *dir_len)
{
	for (size_t i = 0; i < pkg->item_count; i++) {
		const struct unifw_package_item *it = &pkg->items[i];
		if (strcmp(it->type, "backup_manifest"))
			continue;
		const char *slash = strrchr(it->path, '/');
		*dir_len = slash ? (size_t)(slash - it->path) : 0;
		return it->path;
	}
	return NULL;
}

const struct unifw_jv *flash_manifest_entry(const struct unifw_package *pkg, const char *path)
{
	size_t dir_len = 0;
	const char *dir = flash_manifest_path(pkg, &dir_len);
	if (!dir)
		return NULL;
	if (dir_len) {
		if (strncmp(path, dir, dir_len) || path[dir_len] != '/')
			return NULL; /* outside the backup's folder: the manifest says nothing about it */
		path += dir_len + 1;
	}
	const struct unifw_jv *parts = unifw_jv_get(pkg->manifest, "partitions");
	size_t n = parts && unifw_jv_type(parts) == UNIFW_JV_ARRAY ? unifw_jv_len(parts) : 0;
	for (size_t i = 0; i < n; i++) {
		const struct unifw_jv *x = unifw_jv_at(parts, i);
		const char *file = unifw_jv_str(unifw_jv_get(x, "file"));
		if (file && !strcmp(file, path))
			return x;
	}
	return NULL;
}

const struct unifw_package_item *flash_manifest_item(const struct unifw_package *pkg, const char *file)
{
	size_t dir_len = 0;
	const char *dir = flash_manifest_path(pkg, &dir_len);
	if (!dir || strchr(file, '/'))
		return NULL; /* unifw backup writes flat folders: a "file" with a slash is not one of its files */
	for (size_t i = 0; i < pkg->item_count; i++) {
		const char *p = pkg->items[i].path;
		if ((!dir_len || (!strncmp(p, dir, dir_len) && p[dir_len] == '/')) && !strcmp(p + (dir_len ? dir_len + 1 : 0), file))
			return &pkg->items[i];
	}
	return NULL;
}

int flash_image_sha256(const struct unifw_package *pkg, const struct unifw_package_item *it, uint8_t out[32],
			struct unifw_error *err)
{
	if (it->has_sha256) {
		memcpy(out, it->sha256, 32);
		return 0;
	}
	struct flash_image img;
	int rc = flash_image_open(pkg, it, &img, err);
	if (rc)
		return rc;
	rc = unifw_sha256_stream(&img.s, out, err);
	flash_image_close(&img);
	return rc;
}

int flash_identity_provenance(const struct unifw_package *pkg, const struct unifw_package_item *it,
			      const uint8_t phone_cid[16], struct flash_provenance *out, struct unifw_error *err)
{
	memset(out, 0, sizeof *out);
	char phone[33];
	flash_cid_hex(phone_cid, phone);
	if (unifw_all_bytes(phone_cid, 16, 0)) {
		out->code = "identity_no_provenance";
		snprintf(out->why, sizeof out->why,
			 "the phone's eMMC CID is unknown, so %s cannot be shown to come from this phone", it->path);
		return 0;
	}
	const struct unifw_jv *entry = pkg->manifest ? flash_manifest_entry(pkg, it->path) : NULL;
	if (!entry) {
		out->code = "identity_no_provenance";
		snprintf(out->why, sizeof out->why,
			 "%s has no provenance: %s, so nothing shows it comes from this phone (CID %s); a package's "
			 "identity image belongs to another phone and would clone its IMEI record",
			 it->path, pkg->manifest ? "the package's backup manifest does not list it"
						 : "the package carries no unifw backup manifest (manifest.json)", phone);
		return 0;
	}
	const char *cid_hex = unifw_jv_str(unifw_jv_path(pkg->manifest, "phone.emmc.cid.raw"));
	uint8_t cid[16];
	if (!cid_hex || strlen(cid_hex) != 32 || !unifw_unhex(cid_hex, cid, 16)) {
		out->code = "identity_no_provenance";
		snprintf(out->why, sizeof out->why,
			 "%s: the package's backup manifest records no phone CID (phone.emmc.cid.raw), so it cannot "
			 "be shown to come from this phone (CID %s)", it->path, phone);
		return 0;
	}
	/* The CRC7 byte is part of the CID the eMMC reports: all 16 bytes must match. */
	if (memcmp(cid, phone_cid, 16)) {
		out->code = "identity_other_phone";
		snprintf(out->why, sizeof out->why,
			 "%s comes from a backup of another phone: the manifest's CID is %.32s, this phone's is %s; "
			 "writing it would clone that phone's IMEI record and calibration", it->path, cid_hex, phone);
		return 0;
	}
	const char *want = unifw_jv_str(unifw_jv_get(entry, "sha256"));
	uint8_t got[32];
	char got_hex[65];
	int rc = flash_image_sha256(pkg, it, got, err);
	if (rc)
		return rc;
	unifw_hex(got, 32, got_hex);
	if (!want || strcasecmp(want, got_hex)) {
		out->code = "identity_hash_mismatch";
		snprintf(out->why, sizeof out->why,
			 "%s: SHA-256 %s is not the %.64s the backup manifest of this phone records for it: the file "
			 "changed since the backup (or was replaced)", it->path, got_hex, want ? want : "(none)");
		return 0;
	}
	snprintf(out->why, sizeof out->why, "%s is this phone's own (backup manifest: CID %s, SHA-256 %s)",
		 it->path, phone, got_hex);
	return 0;
}
