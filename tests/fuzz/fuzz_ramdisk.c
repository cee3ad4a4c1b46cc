/* libFuzzer harness: ramdisk parse ([MTK header +] gzip/plain cpio) against the bounded-memory scan, JSON,
 * an edit, and a write/parse round trip that must keep every entry. Extraction is exercised by the unit tests (it writes files). */
#include <stdlib.h>
#include <string.h>

#include "fuzz_driver.h"
#include "unifw/ramdisk.h"

static void fuzz_one(const uint8_t *d, size_t n)
{
	struct unifw_ramdisk rd, back;
	struct unifw_error err;
	uint8_t *out;
	size_t len;

	(void)unifw_ramdisk_probe(d, n, n);
	/* the bounded-memory scan (describe's reader) sees as many entries as parse when both read the input
	 * (the scan also refuses more than 8 MiB of names, and symlink targets over 4095 bytes) */
	struct unifw_ramdisk sc;
	int scan_rc = unifw_ramdisk_scan(d, n, "fuzz", &sc, &err);
	if (unifw_ramdisk_parse(d, n, "fuzz", &rd, &err) != 0) {
		if (scan_rc == 0)
			unifw_ramdisk_free(&sc);
		return;
	}
	if (scan_rc == 0) {
		if (sc.count != rd.count)
			abort();
		unifw_ramdisk_free(&sc);
	}
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
}

const struct fuzz_target fuzz_target = { .name = "ramdisk", .run = fuzz_one };
