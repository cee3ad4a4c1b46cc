/* unifw identify: the universal image's probe record (unifw/probe.h), when the phone has one. The probe
 * writes /data/unifw/probe.txt at every boot (USRDATA's /unifw/probe.txt): what it read (LCM, touch
 * names, CID) and which variant it bound per component, or the fallback it logged. identify shows it so that
 * a technician sees what the universal image did on this phone without booting Android (docs/identify.md
 * "Universal probe record"). Read through libext2fs over the DA (phone_ext4.h): only the blocks of that
 * file system it needs, nothing written. Absent: nothing shown; unreadable: a note; never a failure. */
#include "ops/identify_probe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops/phone_ext4.h"
#include "unifw/probe.h"

#define RECORD_PATH "/unifw/probe.txt"

static void record_json(struct unifw_jv *o, const struct unifw_probe_record *r)
{
	unifw_jv_set_str(o, "lcm", r->lcm);
	struct unifw_jv *i2c = unifw_jv_set_arr(o, "i2c");
	for (size_t i = 0; i < r->i2c_count && i < UNIFW_PROBE_MAX_I2C; i++)
		unifw_jv_push_str(i2c, r->i2c[i]);
	unifw_jv_set_str(o, "cid", r->cid);
	struct unifw_jv *cs = unifw_jv_set_arr(o, "components");
	for (unsigned c = 0; c < UNIFW_PROBE_COMPONENTS; c++) {
		struct unifw_jv *x = unifw_jv_push_obj(cs);
		unifw_jv_set_str(x, "type", "probe_component");
		unifw_jv_set_str(x, "name", unifw_probe_component_name((enum unifw_probe_component)c));
		if (r->bound[c][0])
			unifw_jv_set_str(x, "variant", r->bound[c]);
		else
			unifw_jv_set(x, "variant", NULL);
		if (r->fallback[c][0])
			unifw_jv_set_str(x, "fallback", r->fallback[c]);
	}
	unifw_jv_set_uint(o, "binds", r->bind_count);
	unifw_jv_set_uint(o, "props", r->prop_count);
	unifw_jv_set_bool(o, "done", r->done);
}

/* The record's text, or why it could not be had: 1 absent (no USRDATA file system, no record), 0 read. */
static int read_record(struct unifw_phone *ph, const struct unifw_phone_layout *l, uint8_t **buf, size_t *len,
		       struct unifw_error *err)
{
	struct ops_phone_ext4 *px = NULL;
	int rc = ops_phone_ext4_open(ph, l, "USRDATA", &px, err);
	/* no USRDATA, or one that holds no file system (erased, encrypted): no record to show */
	if (rc == UNIFW_E_NOT_FOUND || rc == UNIFW_E_FORMAT)
		return 1;
	if (rc)
		return rc;
	rc = unifw_ext4_read_file(ops_phone_ext4_fs(px), RECORD_PATH, UNIFW_PROBE_MAX_TEXT, buf, len, err);
	ops_phone_ext4_close(px);
	return rc == UNIFW_E_NOT_FOUND ? 1 : rc;
}

void ops_identify_probe(struct unifw_phone *ph, const struct unifw_phone_layout *l, struct unifw_jv *report)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	struct unifw_error e;
	unifw_error_clear(&e);
	int rc = read_record(ph, l, &buf, &len, &e);
	if (rc == 1)
		return;
	struct unifw_jv *o = unifw_jv_set_obj(report, "universal_probe");
	unifw_jv_set_str(o, "type", "universal_probe");
	unifw_jv_set_str(o, "source", "USRDATA:" RECORD_PATH);
	struct unifw_probe_record *r = rc ? NULL : calloc(1, sizeof *r);
	if (!rc && !r)
		rc = unifw_error_set(&e, UNIFW_E_NOMEM, RECORD_PATH, UNIFW_NO_OFFSET, "out of memory");
	if (!rc)
		rc = unifw_probe_record_parse((const char *)buf, len, "USRDATA:" RECORD_PATH, r, &e);
	if (rc) {
		char m[700];
		unifw_jv_set_str(o, "error", unifw_error_format(&e, m, sizeof m));
	} else {
		record_json(o, r);
	}
	free(r);
	free(buf);
}
