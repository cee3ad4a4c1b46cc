/* Private to the fingerprint sources (src/ops/fingerprint*.c): the per-image extractors that a package,
 * a backup and a phone share. Each takes the bytes (or the open file system) of one image, whatever
 * read them, and fills its part of the fingerprint; what it cannot read becomes a note. */
#ifndef UNIFW_OPS_FINGERPRINT_INTERNAL_H
#define UNIFW_OPS_FINGERPRINT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unifw/ext4.h"
#include "unifw/fingerprint.h"
#include "unifw/idhealth.h"
#include "unifw/kernel.h"
#include "unifw/lk.h"
#include "unifw/modem.h"

/* Bounds of what one source reads of each image (a hostile package cannot take more). */
#define FP_MAX_PRELOADER (8u << 20)
#define FP_MAX_LK UNIFW_LK_MAX_FILE
#define FP_MAX_BOOT (32u << 20)
#define FP_MAX_LOGO (16u << 20)
#define FP_MAX_MODEM UNIFW_MD_MAX_FILE
#define FP_MAX_MODEM_CAND 6u

/* A modem image the system's /etc/firmware holds; which one the kernel loads depends on its MD1 type. */
struct fp_modem_cand {
	char path[128];            /* as the phone sees it: /system/etc/firmware/... */
	uint64_t size;
	bool read;                 /* the header was looked at */
	bool has_header;
	struct unifw_md_header h;
};

struct fp_ctx {
	struct unifw_fingerprint *fp;
	struct unifw_ext4 *system; /* while fp_from_system runs */
	struct fp_modem_cand modem[FP_MAX_MODEM_CAND];
	size_t modem_count;
};

void fp_note(struct unifw_fingerprint *fp, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void fp_copy(char *dst, size_t cap, const char *src);

void fp_from_preloader(struct fp_ctx *c, const uint8_t *buf, size_t len, const char *name);
void fp_from_lk(struct fp_ctx *c, const uint8_t *buf, size_t len, const char *name);
/* A whole boot image (or the header page + kernel + ramdisk sections, as far as they are read). */
void fp_from_bootimg(struct fp_ctx *c, const uint8_t *buf, size_t len, const char *name);
/* A kernel on its own (raw zImage or behind its MTK header), as a loose folder may hold one. */
void fp_from_kernel(struct fp_ctx *c, const uint8_t *buf, size_t len, const char *name);
void fp_from_logo(struct fp_ctx *c, const uint8_t *buf, size_t len, const char *name);
/* The system file system: /build.prop, the modem images of /etc/firmware and the modem database. */
void fp_from_system(struct fp_ctx *c, struct unifw_ext4 *fs, const char *name);
/* The identity facts of an identity-health check (BinRegion, /data/nvram). */
void fp_from_idhealth(struct fp_ctx *c, const struct unifw_idhealth *h);
/* /nvram of a user-data file system, when no tree was given to the identity check. */
void fp_from_userdata(struct fp_ctx *c, struct unifw_ext4 *fs);
/* fingerprint_universal.c: a universal image (struct unifw_fp_universal): the probe table of a boot image
 * (from_bootimg reads it when the ramdisk has one; from_table copies it), the overlays of a system
 * (/unifw/<variant>/ of the file system), and the JSON both ways. */
struct unifw_probe_table;
void fp_universal_from_table(struct unifw_fingerprint *fp, const struct unifw_probe_table *t);
void fp_universal_from_bootimg(struct fp_ctx *c, const uint8_t *buf, size_t len, const char *name);
void fp_universal_overlays(struct fp_ctx *c, struct unifw_ext4 *fs);
void fp_universal_to_json(struct unifw_jv *r, const struct unifw_fingerprint *fp);
int fp_universal_from_json(const struct unifw_jv *j, struct unifw_fingerprint *fp, struct unifw_error *err);
/* What is derived once every image was seen: the modem the kernel loads, the assumed index map and MD1
 * reservation, the panel LK selects. */
void fp_finish(struct fp_ctx *c);

#endif
