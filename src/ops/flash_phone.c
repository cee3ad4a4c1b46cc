/* The flash job on a real connected phone (phone.h): the facts the plan needs, and the device the
 * executor drives. Kept apart from flash.c so that the executor's tests run against an in-memory phone. */
#include "ops/flash_internal.h"

#include <stdio.h>
#include <string.h>

#include "unifw/backup.h"
#include "unifw/identify.h"
#include "unifw/vault.h"

int unifw_flash_facts_read(struct unifw_phone *ph, struct unifw_flash_facts *f, struct unifw_error *err)
{
	memset(f, 0, sizeof *f);
	const struct unifw_phone_info *info = unifw_phone_info(ph);
	if (!info)
		return unifw_error_set(err, UNIFW_E_INVALID, "phone", UNIFW_NO_OFFSET, "no phone information");
	f->mode = info->mode;
	if (info->have_cid)
		memcpy(f->cid, info->cid, 16);
	if (info->have_dram_info)
		memcpy(f->dram_info, info->dram_info, 16);
	f->boot1_size = info->boot1_size;
	f->user_size = info->user_size;
	f->boot_region = unifw_phone_boot_region(ph);
	struct unifw_error e;
	unifw_error_clear(&e);
	int rc = unifw_phone_layout_read(ph, &f->layout, &e);
	if (rc == UNIFW_E_NOT_FOUND) {
		unifw_snprintf_words(f->layout_note, sizeof f->layout_note, "%s", e.msg);
		return 0;
	}
	if (rc < 0) {
		*err = e;
		unifw_error_prefix(err, "reading the phone's partition table: ");
		return rc;
	}
	f->have_layout = true;
	return 0;
}

static int dev_read(void *ctx, enum unifw_phone_part part, uint64_t off, uint64_t len, unifw_phone_sink sink,
		    void *sink_ctx, struct unifw_error *err)
{
	return unifw_phone_read(ctx, part, off, len, sink, sink_ctx, err);
}

static int dev_write(void *ctx, enum unifw_phone_part part, uint64_t off, uint64_t len, unifw_phone_source source,
		     void *source_ctx, struct unifw_error *err)
{
	return unifw_phone_write(ctx, part, off, len, source, source_ctx, err);
}

static int dev_backup(void *ctx, const char *dir, struct unifw_error *err)
{
	/* a vault entry (docs/identity.md): the identity images plus the /nvram tree of USRDATA */
	struct unifw_vault_backup_opts o = {.reason = "flash"};
	struct unifw_jv *summary = NULL;
	int rc = unifw_vault_backup_into(ctx, dir, &o, &summary, err);
	unifw_jv_free(summary);
	return rc;
}

void unifw_flash_device_from_phone(struct unifw_flash_device *dev, struct unifw_phone *ph)
{
	memset(dev, 0, sizeof *dev);
	dev->read = dev_read;
	dev->write = dev_write;
	dev->backup_identity = dev_backup;
	dev->ctx = ph;
}

int unifw_flash_facts_scan_identity(struct unifw_phone *ph, const struct unifw_scatter *sc, struct unifw_flash_facts *f,
				    struct unifw_error *err)
{
	int rc = unifw_idregions_scan_phone(ph, f->have_layout ? &f->layout : NULL, sc, &f->identity_regions, err);
	if (rc)
		unifw_error_prefix(err, "before planning: ");
	return rc;
}
