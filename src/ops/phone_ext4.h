/* An ext4 file system inside a partition of the connected phone, read through libext2fs (ext4.h) without
 * copying the partition: each block libext2fs asks for is a unifw_phone_read of the phone's user area
 * (a few 64 KiB pieces cached), and a bounded walk of a folder of it (the identity vault's /nvram tree).
 * Read-only. Implemented in src/ops/phone_ext4.c. */
#ifndef UNIFW_OPS_PHONE_EXT4_H
#define UNIFW_OPS_PHONE_EXT4_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unifw/error.h"
#include "unifw/ext4.h"
#include "unifw/identify.h"
#include "unifw/io.h"
#include "unifw/phone.h"

struct ops_phone_ext4;
/* Open partition `name` of layout l (read by the caller) as ext4: UNIFW_E_NOT_FOUND when the table has no
 * such partition, UNIFW_E_FORMAT when its superblock is not ext4's (the message says which). */
int ops_phone_ext4_open(struct unifw_phone *ph, const struct unifw_phone_layout *l, const char *name,
			struct ops_phone_ext4 **out, struct unifw_error *err);
struct unifw_ext4 *ops_phone_ext4_fs(struct ops_phone_ext4 *p);
void ops_phone_ext4_close(struct ops_phone_ext4 *p);
/* The pread-capable stream over [off, off+size) of the user area (exposed for tests and other readers). */
int ops_phone_range_stream(struct unifw_phone *ph, uint64_t off, uint64_t size, const char *name,
			   struct unifw_stream *s, struct unifw_error *err);

/* A bounded walk of a folder: entries are named relative to the folder ("md/NVRAM/NVD_IMEI/MP0B_001"). */
#define OPS_TREE_MAX_DEPTH 16u
#define OPS_TREE_MAX_ENTRIES 4096u
#define OPS_TREE_MAX_BYTES (64u << 20)
struct ops_tree_entry {
	char path[1024];
	char kind;                  /* 'f', 'd', 'l' (target recorded, never followed), 'o' */
	uint32_t mode, uid, gid;
	uint64_t size;
	char target[256];           /* symbolic links */
};
struct ops_tree {
	struct ops_tree_entry *v;
	size_t count;
	uint64_t file_bytes;
	bool truncated;             /* a bound was reached: entries after it were left out */
	char note[256];             /* which bound, or a name refused */
	size_t refused;             /* names that could escape the folder or are not printable */
};
/* Walk `root` (absolute, e.g. "/nvram") of fs. UNIFW_E_NOT_FOUND when root does not exist. */
int ops_ext4_walk(struct unifw_ext4 *fs, const char *root, struct ops_tree *out, struct unifw_error *err);
void ops_tree_free(struct ops_tree *t);
/* A directory entry name that is safe as a path component on the host ("", ".", "..", '/', control
 * characters: no). */
bool ops_tree_name_ok(const char *name);
/* A relative path a manifest names that stays inside its folder: every component ops_tree_name_ok (so no
 * "..", "." or empty one), no leading or trailing '/'. The one check of the vault and of identity restore. */
bool ops_rel_path_ok(const char *rel);

#endif
