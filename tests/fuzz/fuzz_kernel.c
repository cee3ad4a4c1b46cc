/* libFuzzer harness: zImage kernel inspection with a small decompression bound so a run stays fast, and the
 * vermagic of a module file (kmod.c). */
#include <stdlib.h>

#include "fuzz_driver.h"
#include "unifw/kernel.h"

static void fuzz_one(const uint8_t *d, size_t n)
{
	static struct unifw_kernel_info info;
	struct unifw_kernel_opts opts = {.max_decompressed = 4u << 20};
	struct unifw_error err;
	struct unifw_jv *o;

	(void)unifw_kernel_probe(d, n, n);
	if (unifw_kernel_inspect(d, n, "fuzz", &opts, &info, &err) == 0) {
		o = unifw_jv_object();
		unifw_kernel_info_to_json(&info, o);
		unifw_jv_free(o);
	}
	char vermagic[UNIFW_KMOD_VERMAGIC_MAX];
	if (unifw_kmod_vermagic(d, n, "fuzz.ko", vermagic, &err) == 0)
		(void)unifw_kmod_release_matches(vermagic, "3.4.67");
	/* the record scanner on raw bytes, as lk.c uses it */
	struct unifw_names *a = calloc(2, sizeof *a);
	if (a) {
		(void)unifw_lcm_records_scan(d, n, 0x80020000u, &a[0], &a[1]);
		free(a);
	}
}

const struct fuzz_target fuzz_target = { .name = "kernel", .run = fuzz_one };
