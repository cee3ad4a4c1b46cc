/* unifw — identity health (docs/identity.md "Identity health"): what a phone's NVRAM BinRegion and its
 * /data/nvram copy (the folder nvram at the root of USRDATA) hold of what makes the phone that phone: the
 * file table, the WiFi MAC and Bluetooth address with their states (nvram.h), and whether the IMEI record(s)
 * and the calibration files are there with plausible sizes; then plain-language verdicts.
 * The IMEI record is judged by name and size only: its bytes are never read, decoded or printed.
 * Sources of a check: a phone (src/ops/identity_health.c reads NVRAM and /nvram of USRDATA), a backup folder
 * or vault entry (nvram.bin + nvram/), or a raw nvram.bin. Implemented in src/ops/identity_health.c. */
#ifndef UNIFW_IDHEALTH_H
#define UNIFW_IDHEALTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unifw/error.h"
#include "unifw/json.h"
#include "unifw/nvram.h"
#include "unifw/phone.h"

#ifdef __cplusplus
extern "C" {
#endif

enum unifw_idh_level { UNIFW_IDH_OK, UNIFW_IDH_NOTE, UNIFW_IDH_WARNING, UNIFW_IDH_ERROR };
const char *unifw_idh_level_name(enum unifw_idh_level l); /* "ok", "note", "warning", "error" */

/* One file of a copy (BinRegion table or /nvram tree), path relative to /data/nvram. */
struct unifw_idh_file {
	char path[1024];
	uint64_t size;
};

/* One expected identity file in one copy. */
struct unifw_idh_item {
	const char *path;           /* relative to /data/nvram, e.g. "md/NVRAM/NVD_IMEI/MP0B_001" */
	const char *what;           /* "IMEI record (SIM 1)", "WiFi settings", ... */
	bool present;
	uint64_t size;
	uint64_t min_size;          /* the size the check expects at least (docs/identity.md gives each source) */
	bool size_ok;
};
#define UNIFW_IDH_MAX_ITEMS 8u

struct unifw_idh_copy {
	bool available;             /* the copy was read and understood */
	char note[256];             /* why not, when not */
	struct unifw_idh_file *files; /* its file table (BinRegion) or its regular files (tree) */
	size_t file_count;
	enum unifw_nvram_addr_state wifi_state, bt_state;
	uint8_t wifi_mac[6], bt_addr[6];
	struct unifw_idh_item items[UNIFW_IDH_MAX_ITEMS];
	size_t item_count;
	size_t calibration_files;   /* files under md/NVRAM/CALIBRAT/ */
	bool dual_sim;              /* MP0B_002 present */
};

struct unifw_idh_verdict {
	enum unifw_idh_level level;
	char code[40];              /* stable: "imei_missing", "binregion_lacks_imei", "wifi_mac_template", ... */
	char text[480];
};
#define UNIFW_IDH_MAX_VERDICTS 24u

struct unifw_idhealth {
	struct unifw_idh_copy binregion, tree;
	struct unifw_idh_verdict verdict[UNIFW_IDH_MAX_VERDICTS];
	size_t verdict_count;
	enum unifw_idh_level worst;
};

/* The /data/nvram copy as the caller found it: its regular files (relative paths) and a way to read the
 * small ones the check needs (the WiFi and Bluetooth files; never the IMEI record). NULL tree: no copy. */
struct unifw_idh_tree {
	const struct unifw_idh_file *files;
	size_t count;
	int (*read)(void *ctx, const char *rel, size_t max, uint8_t **buf, size_t *len, struct unifw_error *err);
	void *ctx;
	const char *absent_note;    /* files NULL: why there is no tree ("USRDATA is not ext4", ...) */
};

/* Judge a BinRegion (NULL or unparsable: said in binregion.note) and an optional tree. Only a failure to
 * allocate is an error; everything else is a verdict. Free with unifw_idhealth_free. */
int unifw_idhealth_check(const uint8_t *binregion, size_t len, const struct unifw_idh_tree *tree,
			 struct unifw_idhealth *out, struct unifw_error *err);
void unifw_idhealth_free(struct unifw_idhealth *h);
/* {"healthy","worst","binregion":{...},"nvram_tree":{...},"verdicts":[{"level","code","text"}]} */
void unifw_idhealth_to_json(const struct unifw_idhealth *h, struct unifw_jv *obj);

/* The same from a backup folder or vault entry (its nvram.bin and, when there, its nvram/ tree). */
int unifw_idhealth_of_folder(const char *dir, struct unifw_idhealth *out, struct unifw_error *err);
/* From a raw NVRAM image (nvram.bin). */
int unifw_idhealth_of_file(const char *path, struct unifw_idhealth *out, struct unifw_error *err);
/* From a connected phone: its NVRAM partition and /nvram of USRDATA (read-only). */
int unifw_idhealth_of_phone(struct unifw_phone *ph, struct unifw_idhealth *out, struct unifw_error *err);

#ifdef __cplusplus
}
#endif
#endif
