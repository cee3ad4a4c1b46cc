/* Fuzz the EMI table code: the tag parser at every tag occurrence, the compiled emi_settings[] search,
 * the cross-check, CID matching with a CID taken from the input, the two-table fit, JSON, probe and describe. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fuzz_driver.h"
#include "unifw/emi.h"

static void fuzz_one(const uint8_t *data, size_t size)
{
	static struct unifw_emi_table t;
	static struct unifw_emi_compiled c;
	struct unifw_error err;
	(void)unifw_emi_probe(data, size, size);
	uint64_t off = unifw_emi_find_tag(data, size, 0);
	int tag_rc = off == UINT64_MAX ? -1 : unifw_emi_parse(data, size, off, "fuzz", &t, &err);
	int comp_rc = unifw_emi_find_compiled(data, size, &c, &err);
	if (tag_rc == 0) {
		uint8_t cid[UNIFW_EMI_CID_SIZE] = {0};
		memcpy(cid, data, size < sizeof cid ? size : sizeof cid);
		size_t idx;
		(void)unifw_emi_match_cid(&t, cid, &idx);
		(void)unifw_emi_count_cid_matches(&t, cid);
		if (t.count) { /* a CID built from an eMMC entry must match it or an earlier one */
			memcpy(cid, t.entry[0].id, sizeof cid);
			if ((t.entry[0].type >> 8) == 2 && t.entry[0].id_length >= 1 && t.entry[0].id_length <= 16 &&
			    (!unifw_emi_match_cid(&t, cid, &idx) || idx != 0))
				__builtin_trap();
		}
		if (comp_rc == 0)
			(void)unifw_emi_cross_check(&t, &c);
		struct unifw_emi_fit_result r;
		enum unifw_emi_fit fit = unifw_emi_check_fit(&t, comp_rc == 0 ? &c : NULL, cid, &r);
		/* "fits" only when both tables list the part (and the indexes point inside them) */
		if (fit == UNIFW_EMI_FIT_OK && (!r.tag_lists || !r.compiled_lists || r.tag_index >= t.count ||
						r.compiled_index >= c.count))
			__builtin_trap();
		struct unifw_jv *o = unifw_jv_object();
		unifw_emi_table_to_json(&t, o);
		unifw_jv_free(o);
	}
	struct unifw_stream s;
	struct unifw_jv *obj = unifw_jv_object();
	unifw_stream_from_mem(&s, data, size, "fuzz");
	(void)unifw_emi_describe(&s, obj, &err);
	unifw_stream_close(&s);
	unifw_jv_free(obj);
}

const struct fuzz_target fuzz_target = { .name = "emi", .run = fuzz_one };
