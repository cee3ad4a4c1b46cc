/* unifw-sim — USRDATA /unifw/probe.txt (boot_probe_data.h). The file system is edited with unifw_ext4_edit
 * (the overlay `unifw identity set-mac` also writes USRDATA with) over a pread stream of the partition, and the
 * changed byte ranges go back through the sim's own eMMC storage: nothing opens the image file behind it. */
#include "boot_probe_data.h"

#include <stdbool.h>

#include "boot_eval_internal.h"
#include "unifw/ext4_edit.h"

#define RECORD_DIR "/" SIM_PROBE_RECORD_DIR
#define RECORD_FILE RECORD_DIR "/" SIM_PROBE_RECORD_NAME

/* /unifw (0700 root:root, init.unifw.rc's mkdir), then the record (0600 root:root), replaced when there. */
static int put(struct unifw_ext4_edit *ed, const uint8_t *text, size_t len, struct unifw_error *err)
{
	struct unifw_ext4_edit_stat st;
	int rc = unifw_ext4_edit_mkdir(ed, RECORD_DIR, 0700, 0, 0, err);
	bool exists = !rc && unifw_ext4_edit_stat(ed, RECORD_FILE, &st, NULL) == 0;
	if (!rc)
		rc = exists ? unifw_ext4_edit_replace_file(ed, RECORD_FILE, text, len, err)
			    : unifw_ext4_edit_create_file(ed, RECORD_FILE, text, len, 0600, 0, 0, err);
	return rc ? rc : unifw_ext4_edit_commit(ed, err);
}

int sim_usrdata_put_record(struct sim_emmc *e, const uint8_t *text, size_t len, struct unifw_error *err)
{
	struct sim_flash_loc loc;
	int rc = sim_flash_locate(e, "USRDATA", &loc, err);
	if (rc)
		return rc;
	struct region_stream rs = { e, loc.offset, loc.size };
	struct unifw_stream s;
	eval_region_open(&rs, &s, "USRDATA");
	struct unifw_ext4_edit *ed = NULL;
	rc = unifw_ext4_edit_open(&s, &ed, err);
	if (!rc)
		rc = put(ed, text, len, err); /* on failure nothing is written: the old state stays */
	if (!rc) {
		const struct unifw_ext4_change *ch;
		size_t n;
		unifw_ext4_edit_changes(ed, &ch, &n);
		for (size_t i = 0; i < n && !rc; i++)
			rc = sim_emmc_write(e, SIM_PART_USER, loc.offset + ch[i].offset, ch[i].data, ch[i].len, err);
	}
	unifw_ext4_edit_free(ed);
	if (rc)
		unifw_error_prefix(err, "USRDATA %s: ", RECORD_FILE);
	return rc;
}
