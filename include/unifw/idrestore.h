/* unifw — writing a phone's identity back (docs/identity.md "Restore", "Set the addresses"):
 *
 *  restore      the phone's own NVRAM (BinRegion), PRO_INFO, PROTECT_F and PROTECT_S from a vault entry or a unifw
 *               backup folder of THIS phone (manifest CID = the phone's CID, every file's SHA-256 checked first),
 *               or a raw nvram.bin that a vault entry of this phone holds byte for byte; plus, when USRDATA is
 *               ext4, the /nvram folder inside it (/data/nvram on the phone): the entry's saved tree, else the
 *               files of the BinRegion;
 *  set-mac/bt   the WiFi MAC / Bluetooth address in the BinRegion (checksum and its bitmap-block copy refreshed)
 *               and in /data/nvram's copy of the file.
 *
 * Every job takes a vault backup of the phone's current identity first (reasons "restore", "set-mac", "set-bt"),
 * plans every byte it will write before the first write (USRDATA through the ext4 overlay of ext4_edit.h: only
 * the blocks libext2fs changed), saves that plan and a journal in STATE/identity-restore/<CID hex>.{plan,journal},
 * then writes range by range, each read back and compared. A cut job is continued with resume (the same plan,
 * from the first range not yet verified). Another phone's identity is never written; an IMEI record is copied
 * as the opaque bytes of the phone's own backup, never decoded, printed, generated or edited.
 * Implemented in src/ops/identity_restore.c (jobs) and src/ops/identity_write.c (plan, journal, writes). */
#ifndef UNIFW_IDRESTORE_H
#define UNIFW_IDRESTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unifw/error.h"
#include "unifw/flash.h"
#include "unifw/job.h"
#include "unifw/json.h"
#include "unifw/phone.h"
#include "unifw/progress.h"

#ifdef __cplusplus
extern "C" {
#endif

#define UNIFW_IDRESTORE_DIR "identity-restore"   /* under the STATE dir */
#define UNIFW_IDRESTORE_RANGE (1u << 20)         /* bytes per write, read-back and journal step */
#define UNIFW_IDRESTORE_MAX_IMAGE (64u << 20)    /* largest identity image read into memory */

enum unifw_idwrite_op { UNIFW_IDWRITE_RESTORE, UNIFW_IDWRITE_SET_MAC, UNIFW_IDWRITE_SET_BT };
const char *unifw_idwrite_op_name(enum unifw_idwrite_op op); /* "restore", "set-mac", "set-bt" */

struct unifw_idrestore_opts {
	enum unifw_idwrite_op op;
	/* restore: NULL = the vault's newest healthy entry of this phone (unifw_vault_newest_healthy); else a vault
	 * entry or unifw backup folder (manifest.json), or a raw nvram.bin file. */
	const char *from;
	uint8_t addr[6];             /* set-mac / set-bt: the new address (unifw_nvram_parse_mac) */
	bool plan_only;              /* plan and describe; nothing backed up, nothing written (with resume: the saved plan) */
	bool resume;                 /* continue the phone's interrupted identity write (any op) */
	const struct unifw_progress *progress;
	const struct unifw_cancel *cancel;
};

/* Run the job on a connected phone. *result (may be NULL; caller frees) gets {"type":"identity_write", ...}
 * (docs/json.md "identity restore / set-mac / set-bt"), also when the job failed after planning. */
int unifw_identity_write(struct unifw_phone *ph, const struct unifw_idrestore_opts *o, struct unifw_jv **result,
			 struct unifw_error *err);

/* STATE/identity-restore/<CID hex>.journal and .plan (directories not created). */
int unifw_idrestore_paths(const uint8_t cid[16], char *journal, char *plan, size_t cap, struct unifw_error *err);

#ifdef __cplusplus
}
#endif
#endif
