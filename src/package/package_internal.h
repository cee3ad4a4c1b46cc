/* Private to src/package: what package.c (open, helpers, the final pass), package_read.c (folder files and
 * archive members), package_join.c (scatter choice, scatter-to-file join, checks), package_manifest.c (backup
 * manifests) and package_json.c (the report) share. */
#ifndef UNIFW_PACKAGE_INTERNAL_H
#define UNIFW_PACKAGE_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unifw/archive.h"
#include "unifw/package.h"
#include "unifw/scatter.h"

#define DRAIN_CHUNK (256u * 1024u)
#define MANIFEST_NAME "manifest.json"
#define BACKUP_KIND "unifw-backup"

/* A text file (scatter candidate or manifest) kept whole for parsing after the pass. */
struct kept_text {
	size_t item;
	char *text;
	size_t len;
};

struct builder {
	struct unifw_package *p;
	uint8_t *head;            /* UNIFW_DETECT_HEAD bytes */
	uint8_t *chunk;           /* DRAIN_CHUNK bytes */
	struct kept_text *texts;
	size_t text_count;
	bool on_disk;             /* the archive is p->path (not memory) */
	const char *prefer;       /* the scatter to choose (package path), NULL: by score */
};

const char *pkg_base_name(const char *path);
char *pkg_dir_of(const char *path);
bool pkg_is_no_file(const char *file_name);
char *pkg_format_error(const struct unifw_error *e);
struct unifw_package_item *pkg_add_item(struct unifw_package *p, const char *path, uint64_t size,
					struct unifw_error *err);
int pkg_keep_text(struct builder *b, size_t item, char *text, size_t len);
bool pkg_wants_text(const char *type, const char *path, uint64_t size);
void pkg_settle_type(struct unifw_package_item *it, const char *detected);
void pkg_describe_mem(struct unifw_package_item *it, const char *text, size_t len, const uint8_t *head,
		      size_t head_len);
int pkg_read_folder(struct builder *b, struct unifw_error *err);
/* Only these files of the folder (package-relative names; each must be a regular file). */
int pkg_read_listed(struct builder *b, const char *const *rel, size_t n, struct unifw_error *err);
int pkg_read_archive(struct builder *b, struct unifw_archive *a, struct unifw_error *err);
const struct unifw_package_item *pkg_find_image(const struct unifw_package *p, const char *dir, const char *file);
void pkg_load_scatters(struct builder *b);
/* Bytes an image takes once written (a sparse image: its expanded size). */
uint64_t pkg_written_size(const struct unifw_package_item *it);
void pkg_join_partitions(struct unifw_package *p);
void pkg_check_lcm_pair(struct unifw_package *p, const struct unifw_package_partition *lk,
			const struct unifw_package_partition *boot);
void pkg_report_duplicates(struct unifw_package *p);
void pkg_report_extras(struct unifw_package *p);
void pkg_load_manifest(struct builder *b);
void pkg_check_manifest_hashes(struct unifw_package *p, const struct unifw_jv *v, const char *dir, int depth);
const char *pkg_human(uint64_t n, char *buf, size_t len);
const char *pkg_dialect_name(enum unifw_scatter_dialect d);

#endif
