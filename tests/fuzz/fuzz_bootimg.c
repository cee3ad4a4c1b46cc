/* libFuzzer harness for boot images. Inputs starting with "ANDROID!" are parsed as images (header,
 * layout, MTK sections, id; rebuilt with the writer and parsed again; small ones also described,
 * which inflates the kernel). Other inputs are used as an unpacked directory's header.txt and repacked,
 * which exercises the header.txt parser against a real unpacked image. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz_driver.h"
#include "unifw/bootimg.h"
#include "unifw/io.h"

static char workdir[256];

/* Remove what setup() and header_txt() create; the names are fixed (see unifw_bootimg_unpack). */
static void cleanup(void)
{
	static const char *const files[] = {UNIFW_BOOTIMG_HEADER_FILE, "kernel", "ramdisk", "second", "kernel.mtkhdr",
					    "ramdisk.mtkhdr"};
	char path[512];
	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		snprintf(path, sizeof path, "%s/%s", workdir, files[i]);
		unlink(path);
	}
	rmdir(workdir);
	snprintf(path, sizeof path, "%s.img", workdir);
	unlink(path);
	snprintf(path, sizeof path, "%s.out", workdir);
	unlink(path);
}

/* A small valid image unpacked once: its header.txt is what the fuzzer replaces. */
static int setup(void)
{
	struct unifw_bootimg_hdr h;
	uint8_t *img = NULL;
	size_t len;
	char path[512];
	memset(&h, 0, sizeof h);
	h.page_size = 2048;
	h.kernel_addr = 0x10008000;
	snprintf(workdir, sizeof workdir, "/tmp/unifw-fuzz-bootimg-%d", (int)getpid());
	snprintf(path, sizeof path, "%s.img", workdir);
	if (unifw_bootimg_build(&h, (const uint8_t *)"kernel bytes", 12, (const uint8_t *)"ramdisk", 7, NULL, 0, true, &img,
				&len, NULL) == 0 &&
	    unifw_file_write_atomic(path, img, len, NULL) == 0)
		(void)unifw_bootimg_unpack(path, workdir, NULL, NULL);
	free(img);
	atexit(cleanup);
	return 0; /* without the image, header_txt's repacks fail early: still worth running */
}

static void image(const uint8_t *d, size_t n)
{
	struct unifw_bootimg img, again;
	struct unifw_error err;
	if (unifw_bootimg_parse(d, n, "fuzz", &img, &err) != 0)
		return;
	if (n < 16384) {
		struct unifw_jv *o = unifw_jv_object();
		unifw_bootimg_to_json(&img, o);
		unifw_jv_free(o);
	}
	uint8_t *out;
	size_t len;
	const struct unifw_bootimg_hdr *h = &img.hdr;
	if (unifw_bootimg_build(h, d + img.kernel_off, h->kernel_size, h->ramdisk_size ? d + img.ramdisk_off : NULL,
				h->ramdisk_size, h->second_size ? d + img.second_off : NULL, h->second_size, false, &out,
				&len, &err) == 0) {
		if (unifw_bootimg_parse(out, len, "rebuilt", &again, &err) != 0 || again.id_ok != img.id_ok)
			abort(); /* what we build must parse, with the same id verdict */
		unifw_bootimg_free(&again);
		free(out);
	}
	unifw_bootimg_free(&img);
}

static void header_txt(const uint8_t *d, size_t n)
{
	char path[512], out[512];
	struct unifw_error err;
	snprintf(path, sizeof path, "%s/%s", workdir, UNIFW_BOOTIMG_HEADER_FILE);
	snprintf(out, sizeof out, "%s.out", workdir);
	if (unifw_file_write_atomic(path, d, n, NULL) != 0)
		return;
	(void)unifw_bootimg_repack(workdir, out, NULL, &err);
}

static void fuzz_one(const uint8_t *d, size_t n)
{
	(void)unifw_bootimg_probe(d, n, n);
	if (n >= 8 && !memcmp(d, "ANDROID!", 8))
		image(d, n);
	else if (n < 65536)
		header_txt(d, n);
}

const struct fuzz_target fuzz_target = { .name = "bootimg", .init = setup, .run = fuzz_one };
