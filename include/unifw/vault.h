/* unifw — the identity vault (docs/identity.md "The vault"): one place per phone, keyed by its eMMC CID, for
 * every identity backup unifw makes: the automatic ones before flash, format, restore, set-mac/set-bt and
 * Firmware Upgrade, and `unifw identity backup` on demand.
 *
 *   STATE/identity/<CID hex, 32 chars>/identity-YYYYMMDD-HHMMSS/    one entry (UTC; "-2"... when taken)
 *       manifest.json       unifw backup manifest, scope "identity" (docs/backup.md), plus the vault keys:
 *                           "vault": {"reason", "nvram_tree": [{"path","size","mode","uid","gid","sha256"}]}
 *       preloader.bin nvram.bin pro_info.bin protect_f.img protect_s.img   (as unifw_backup_identity writes them)
 *       nvram/...           the /nvram tree of USRDATA (/data/nvram on the phone), read through libext2fs,
 *                           when USRDATA is ext4 and holds one
 *
 * STATE is unifw_flash_state_dir's ($UNIFW_STATE_DIR, $XDG_STATE_HOME/unifw, ~/.local/state/unifw). Nothing
 * in the vault is ever deleted except by unifw_vault_prune, which never deletes a phone's oldest entry nor its
 * newest. Entries are private (0700). Implemented in src/ops/vault.c. */
#ifndef UNIFW_VAULT_H
#define UNIFW_VAULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unifw/error.h"
#include "unifw/job.h"
#include "unifw/json.h"
#include "unifw/phone.h"
#include "unifw/progress.h"

#ifdef __cplusplus
extern "C" {
#endif

#define UNIFW_VAULT_PATH 4096
#define UNIFW_VAULT_NVRAM_TREE "nvram"     /* sub-folder of an entry holding USRDATA's /nvram */

/* STATE/identity (not created). */
int unifw_vault_root(char *out, size_t cap, struct unifw_error *err);
/* STATE/identity/<CID hex> (not created). */
int unifw_vault_phone_dir(const uint8_t cid[16], char *out, size_t cap, struct unifw_error *err);

struct unifw_vault_backup_opts {
	const char *reason;          /* "flash", "format", "restore", "set-mac", "set-bt", "repartition", "manual" */
	const char *phone_dir;       /* NULL: unifw_vault_phone_dir of the connected phone; else this folder */
	const struct unifw_progress *progress;
	const struct unifw_cancel *cancel;
};
/* A new entry of the connected phone: unifw_backup_identity (each image read twice and compared) and the
 * /nvram tree of USRDATA when the phone's table has an ext4 USRDATA holding /nvram. *entry receives the
 * entry's path; *summary (may be NULL) its manifest. A failure leaves no half entry that list would count as
 * complete (the manifest is written last). */
int unifw_vault_backup(struct unifw_phone *ph, const struct unifw_vault_backup_opts *o, char *entry, size_t cap,
		       struct unifw_jv **summary, struct unifw_error *err);

/* The same into an existing empty folder `dir` (flash's executor makes and journals its folder first). The
 * folder holds UNIFW_VAULT_INCOMPLETE until the manifest with the "vault" key is written. */
#define UNIFW_VAULT_INCOMPLETE ".vault-incomplete"
int unifw_vault_backup_into(struct unifw_phone *ph, const char *dir, const struct unifw_vault_backup_opts *o,
			    struct unifw_jv **summary, struct unifw_error *err);

struct unifw_vault_entry {
	char path[UNIFW_VAULT_PATH];
	char name[64];               /* identity-YYYYMMDD-HHMMSS */
	char created[32];            /* the manifest's "created" (ISO 8601 UTC) */
	char reason[32];
	uint64_t bytes;              /* bytes the entry's files take */
	bool complete;               /* has its manifest */
	bool has_nvram_tree;
};
struct unifw_vault_phone {
	char cid[33];                /* hex */
	struct unifw_vault_entry *entries; /* oldest first */
	size_t count;
	uint64_t bytes;
};
/* Every phone of the vault (root NULL: the default) with its entries. Free with unifw_vault_list_free. */
int unifw_vault_list(const char *root, struct unifw_vault_phone **phones, size_t *count, struct unifw_error *err);
void unifw_vault_list_free(struct unifw_vault_phone *phones, size_t count);

/* The manifest.json of a vault entry or a unifw backup folder, parsed (at most 8 MiB, nesting 16: the files
 * unifw writes are a few KiB deep 5). The one reader of it for the vault, identity restore and --repartition;
 * a missing file fails with the I/O error of opening it (sys_errno ENOENT). */
int unifw_vault_manifest_load(const char *dir, struct unifw_jv **manifest, struct unifw_error *err);
/* Its partitions[] object whose "name" is `name` (any case), or NULL. */
const struct unifw_jv *unifw_vault_manifest_part(const struct unifw_jv *manifest, const char *name);

/* Every file of an entry against its manifest's SHA-256 (the images and the nvram tree): a missing file or a
 * hash mismatch fails with UNIFW_E_FORMAT naming the entry, the file, the expected and the found digest. */
int unifw_vault_entry_verify(const char *entry, struct unifw_error *err);
/* The phone's newest entry that verifies and whose NVRAM passes the health check (idhealth.h: no verdict of
 * level error, i.e. neither the IMEI record nor the calibration files missing from both copies);
 * UNIFW_E_NOT_FOUND when there is none (the message names the newest entry refused and why). */
int unifw_vault_newest_healthy(const uint8_t cid[16], char *entry, size_t cap, struct unifw_error *err);

struct unifw_vault_prune_result {
	size_t deleted;
	uint64_t bytes_freed;
};
/* The prune rule on one phone's entries (oldest first): del[i] true for the entries that go, the oldest
 * first, until `keep` (< 2 acts as 2) remain; never entries[0] nor entries[count-1]. Returns how many. */
size_t unifw_vault_prune_select(const struct unifw_vault_phone *p, size_t keep, bool *del);
/* Delete entries of one phone (cid NULL: every phone) down to `keep` per phone, oldest first, but never the
 * phone's oldest entry nor its newest (keep < 2 acts as 2). dry_run: count only. */
int unifw_vault_prune(const char *root, const uint8_t *cid, size_t keep, bool dry_run,
		      struct unifw_vault_prune_result *res, struct unifw_error *err);

#ifdef __cplusplus
}
#endif
#endif
