/* Firmware packages: a folder or an archive (.zip/.7z/.rar/.tar.*) holding a scatter file plus the
 * images its file_name fields name; and unifw backup folders (manifest.json, kind "unifw-backup").
 *
 * Opening a package takes ONE pass over its files (an archive is read once, member after member):
 * every regular file is detected by content and described while it is the current one, archive members
 * are hashed (SHA-256) as they stream, folder files when they are small. Afterwards the scatter is chosen
 * (several: prefer an MT6572 one with file names that match), its partitions are joined with the files,
 * and the checks run (missing image, image larger than its partition, wrong content for a partition,
 * preloader for another platform, unsafe or duplicate member names...). Nothing is written anywhere. */
#ifndef UNIFW_PACKAGE_H
#define UNIFW_PACKAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unifw/error.h"
#include "unifw/findings.h"
#include "unifw/json.h"
#include "unifw/scatter.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A folder with more regular files than this (searched UNIFW_PACKAGE_MAX_DEPTH levels deep) is not a package. */
#define UNIFW_PACKAGE_MAX_FILES 4096u
#define UNIFW_PACKAGE_MAX_DEPTH 6u
/* Scatter files and manifest.json larger than this are not read as such. */
#define UNIFW_PACKAGE_MAX_TEXT (1024u * 1024u)
/* Nesting a backup manifest may have (unifw_jv_parse). */
#define UNIFW_PACKAGE_JSON_DEPTH 32u
/* Folder files up to this size are hashed (archive members always are: they stream through anyway). */
#define UNIFW_PACKAGE_HASH_LIMIT (64ull << 20)

enum unifw_package_source { UNIFW_PACKAGE_FOLDER, UNIFW_PACKAGE_ARCHIVE };
enum unifw_package_kind {
	UNIFW_PACKAGE_FIRMWARE, /* "package": a scatter was found */
	UNIFW_PACKAGE_BACKUP,   /* "backup": manifest.json of kind unifw-backup */
	UNIFW_PACKAGE_LOOSE,    /* "folder" / "archive": neither; files are listed and described */
};

/* One regular file of the package (folder file or archive member). */
struct unifw_package_item {
	char *path;               /* relative to the package root, '/' separators */
	uint64_t size;            /* bytes (archive: bytes read; the declared size if reading failed) */
	char type[32];            /* content type: the describe's "type", else detection's, "unknown" */
	bool has_sha256;
	uint8_t sha256[32];
	struct unifw_jv *detail;  /* describe output (owned), NULL if none */
	char *error;              /* why it could not be read or described, NULL if fine */
	const char *unsafe;       /* member name would escape a target directory: why; NULL if safe */
	bool matched;             /* named by the chosen scatter */
};

struct unifw_package_scatter {
	const struct unifw_package_item *item; /* the scatter file */
	bool parsed;
	struct unifw_scatter sc;               /* its describe output is item->detail */
	int score;                             /* choice ranking (see package.c) */
};

struct unifw_package_partition {
	const struct unifw_scatter_part *part; /* in the chosen scatter */
	const struct unifw_package_item *item; /* image found for it, NULL if none */
	const char *status; /* "ok", "missing", "no_image", "not_downloaded", "too_big", "wrong_type",
			       "wrong_platform", "unreadable" */
	uint64_t image_bytes; /* bytes the image occupies on the partition (sparse: expanded size) */
};

struct unifw_package {
	enum unifw_package_source source;
	enum unifw_package_kind kind;
	char *path;               /* as given */
	char archive_format[64];  /* libarchive's name, "" for folders */
	struct unifw_package_item *items;
	size_t item_count;
	struct unifw_package_scatter *scatters;
	size_t scatter_count;
	const struct unifw_package_scatter *chosen; /* NULL if no usable scatter */
	char *base_dir;           /* directory of the chosen scatter ("" = root); images are looked up there */
	struct unifw_package_partition *parts;
	size_t part_count;
	struct unifw_jv *manifest; /* backup manifest (owned), NULL if none */
	struct unifw_findings findings;
};

/* Open a folder or an archive file as a package. A folder or archive with neither a scatter nor a
 * backup manifest still opens (kind LOOSE) so that its files are listed. Free with unifw_package_free. */
int unifw_package_open(const char *path, struct unifw_package **out, struct unifw_error *err);
/* A scatter FILE of a package folder (SP Flash Tool's "scatter-loading file"): its folder opened as the
 * package with that very scatter chosen. A file that is not a readable scatter fails (UNIFW_E_FORMAT). */
int unifw_package_open_scatter(const char *scatter_path, struct unifw_package **out, struct unifw_error *err);
/* What a user names on the command line: a folder or an archive (unifw_package_open), or a scatter file
 * (unifw_package_open_scatter: a small text file that is neither an archive nor compressed). */
int unifw_package_open_path(const char *path, struct unifw_package **out, struct unifw_error *err);
/* One image file as a package (unifw write): its folder's path, items = the image (described, hashed up to
 * UNIFW_PACKAGE_HASH_LIMIT) and, when the folder has one, its manifest.json (a unifw backup manifest that
 * may vouch for the image: docs/flash.md "Identity images"); no other file is read. */
int unifw_package_open_image(const char *image, struct unifw_package **out, struct unifw_error *err);
/* SHA-256 of every folder file the opening did not hash (larger than UNIFW_PACKAGE_HASH_LIMIT), into
 * item->sha256, with progress (step "hash"): a backup's files are checked against its manifest before
 * a phone is contacted. Archives: nothing to do (members are hashed as they stream). */
struct unifw_progress;
int unifw_package_hash_files(struct unifw_package *p, const struct unifw_progress *progress, struct unifw_error *err);
/* Bytes an item takes once written: a sparse image's expanded size, else its size. */
uint64_t unifw_package_item_written_size(const struct unifw_package_item *it);
/* Same over an archive held in memory (used by the fuzzer). */
int unifw_package_open_archive_mem(const void *buf, size_t len, const char *name, struct unifw_package **out,
				   struct unifw_error *err);
void unifw_package_free(struct unifw_package *p);

/* True if path is a directory (a package / backup / loose folder). */
bool unifw_package_is_folder(const char *path);
/* "package", "backup", "folder" or "archive". */
const char *unifw_package_type(const struct unifw_package *p);

/* The report (docs/json.md): type, source, path, scatter, partitions, extra_files, findings...
 * Caller frees. */
struct unifw_jv *unifw_package_to_json(const struct unifw_package *p);

/* Partition by name (case-insensitive), NULL if absent. */
const struct unifw_package_partition *unifw_package_find(const struct unifw_package *p, const char *name);

#ifdef __cplusplus
}
#endif
#endif
