/* libFuzzer harness: ramdisk parse ([MTK header +] gzip/plain cpio), JSON, an edit, and a write/parse
 * round trip that must keep every entry. Extraction is exercised by the unit tests (it writes files). */
#include <stdlib.h>
#include <string.h>

#include "unifw/ramdisk.h"

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);

int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n)
{
	struct unifw_ramdisk rd, back;
	struct unifw_error err;
	uint8_t *out;
	size_t len;

	(void)unifw_ramdisk_probe(d, n, n);
	if (unifw_ramdisk_parse(d, n, "fuzz", &rd, &err) != 0)
		return 0;
	struct unifw_jv *o = unifw_jv_object();
	unifw_ramdisk_to_json(&rd, o, 16);
	unifw_jv_free(o);
	(void)unifw_ramdisk_add_file(&rd, "init.fuzz.rc", 0640, "on boot\n", 8, &err);
	(void)unifw_ramdisk_remove(&rd, "sbin", &err);
	if (unifw_ramdisk_write(&rd, UNIFW_RD_GZIP, &out, &len, &err) == 0) {
		if (unifw_ramdisk_parse(out, len, "again", &back, &err) == 0) {
			if (back.count != rd.count)
				abort(); /* what we write, we read back whole */
			unifw_ramdisk_free(&back);
		}
		free(out);
	}
	unifw_ramdisk_free(&rd);
	return 0;
}
