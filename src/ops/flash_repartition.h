/* Firmware Upgrade (`unifw flash PACKAGE --repartition`, docs/flash.md "Firmware Upgrade (--repartition)"):
 * the package's layout replaces the phone's, and the identity partitions are carried from their old places
 * to the new partitions of the same name through the identity backup (the vault entry), never read from the
 * phone once its table may have changed. Internal to the flash layer (flash_plan.c, flash.c). */
#ifndef UNIFW_OPS_FLASH_REPARTITION_H
#define UNIFW_OPS_FLASH_REPARTITION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ops/flash_internal.h"

#define FLASH_REPART_MAX_CARRY 4u

/* One identity partition: where it is on the phone now (old) and where the package puts it (new). */
struct flash_repart_carry {
	char name[64];
	bool ext4;                   /* PROTECT_F / PROTECT_S: resized with e2fsprogs when the sizes differ */
	bool have_old;               /* the phone's table names it (always, except on a resume) */
	uint64_t old_offset, old_size; /* user area */
	uint64_t new_offset, new_size;
};

struct unifw_flash_repart {
	bool have_old_layout;
	struct unifw_phone_layout old; /* the phone's layout when the plan was made */
	uint64_t phone_boot_region;  /* the phone's linear address of user offset 0: the PMT is written in it */
	uint64_t user_size;
	struct flash_repart_carry carry[FLASH_REPART_MAX_CARRY];
	size_t carry_count;
};

/* After every entry is planned: identity entries become carries, the tables (MBR, EBRn) and a PMT for the
 * phone's boot region go first, partitions without an image are zeroed, and the order becomes tables,
 * identity, firmware. Refusals are recorded in the plan. */
int flash_repart_plan(struct unifw_flash_plan *plan, const struct unifw_flash_facts *f, const char *scatter_name,
		      struct unifw_error *err);
void flash_repart_free(struct unifw_flash_plan *plan);
void flash_repart_to_json(const struct unifw_flash_plan *plan, struct unifw_jv *o);

/* The PMT of the package's layout with every user-area address moved into the phone's linear space
 * (user offset = package linear - package boot region; stored offset = user offset + phone boot region). */
int flash_repart_pmt(const struct unifw_flash_plan *plan, uint8_t *out, struct unifw_error *err);

/* The carried images, made from the identity backup entry before the first write: each file's SHA-256
 * checked against the entry's manifest, raw ones padded with zeros to the new size, ext4 ones resized. */
struct flash_repart_image {
	char name[64];
	uint8_t *buf;                /* new_size bytes */
	uint64_t len;
	bool resized;
};
struct flash_repart_images {
	struct flash_repart_image img[FLASH_REPART_MAX_CARRY];
	size_t count;
};
int flash_repart_prepare(const struct unifw_flash_plan *plan, const char *entry, struct flash_repart_images *out,
			 struct unifw_error *err);
const struct flash_repart_image *flash_repart_find_image(const struct flash_repart_images *imgs, const char *name);
void flash_repart_images_free(struct flash_repart_images *imgs);

/* Ranges of `size` zero bytes (FILL pieces of pattern 0). */
int flash_ranges_zero(uint64_t size, uint64_t max, struct flash_ranges *out, struct unifw_error *err);
/* The journal phase an entry belongs to: "table", "identity" or "firmware". */
const char *flash_repart_phase(const struct unifw_flash_entry *e);

#endif
