/* libFuzzer: NVRAM BinRegion parse, address reads, an edit on a copy, a rebuild of the
 * parsed file table through our writer, and the identity health check (idhealth.h). The IMEI record is
 * never an edit target. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_driver.h"
#include "unifw/idhealth.h"
#include "unifw/io.h"
#include "unifw/json.h"
#include "unifw/nvram.h"

static void rebuild(const struct unifw_nvram *nv, const uint8_t *d)
{
	uint64_t total = 0;
	for (size_t i = 0; i < nv->count; i++)
		total += nv->files[i].size;
	if (total > 0x20000 || nv->count > 900)
		return;
	struct unifw_nvram_input *in = calloc(nv->count, sizeof *in);
	for (size_t i = 0; i < nv->count; i++)
		in[i] = (struct unifw_nvram_input){nv->files[i].name, d + nv->files[i].offset, nv->files[i].size,
						   nv->files[i].category};
	uint8_t *out;
	size_t len;
	if (unifw_nvram_build(in, nv->count, 0x60000, &out, &len, NULL) == 0) {
		struct unifw_nvram again;
		if (unifw_nvram_parse(out, len, "rebuilt", &again, NULL) != 0 || again.count != nv->count ||
		    !again.data_offset_checked)
			abort();
		unifw_nvram_free(&again);
		free(out);
	}
	free(in);
}

static void fuzz_one(const uint8_t *d, size_t n)
{
	struct unifw_nvram nv;
	(void)unifw_nvram_probe(d, n, n);
	if (unifw_nvram_parse(d, n, "fuzz", &nv, NULL) == 0) {
		uint8_t a[6];
		(void)unifw_nvram_wifi_mac(&nv, d, a);
		(void)unifw_nvram_bt_addr(&nv, d, a);
		rebuild(&nv, d);
		unifw_nvram_free(&nv);
		uint8_t *copy = malloc(n);
		static const uint8_t mac[6] = {0x02, 0x11, 0x22, 0x33, 0x44, 0x55};
		memcpy(copy, d, n);
		(void)unifw_nvram_set_wifi_mac(copy, n, mac, NULL);
		(void)unifw_nvram_set_bt_addr(copy, n, mac, NULL);
		if (unifw_nvram_patch_file(copy, n, UNIFW_NVRAM_IMEI, 0, mac, 1, NULL) != UNIFW_E_UNSAFE)
			abort();
		free(copy);
	}
	struct unifw_idhealth h;
	if (unifw_idhealth_check(d, n, NULL, &h, NULL) == 0) {
		struct unifw_jv *j = unifw_jv_object();
		unifw_idhealth_to_json(&h, j);
		if (!h.verdict_count)
			abort(); /* every check ends with at least one verdict */
		unifw_jv_free(j);
		unifw_idhealth_free(&h);
	}
	struct unifw_stream s;
	unifw_stream_from_mem(&s, d, n, "fuzz");
	struct unifw_jv *o = unifw_jv_object();
	(void)unifw_nvram_describe(&s, o, NULL);
	unifw_jv_free(o);
	unifw_stream_close(&s);
}

const struct fuzz_target fuzz_target = { .name = "nvram", .run = fuzz_one };
