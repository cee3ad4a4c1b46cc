/* libFuzzer: the unifw-sim boot evaluator over hostile flash contents. A factory image of the
 * a516-like model is made once; each input overwrites the start of one area (chosen by its first
 * byte: boot1, UBOOT, BOOTIMG, MBR, PMT, NVRAM, USRDATA, ANDROID) with the remaining bytes, the boot
 * is evaluated and its report rendered, then the area is restored. Inputs starting with 0xFF go to
 * the eMMC footer decoder instead (its model block). The image is made by the driver's init (setup). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "boot/boot_eval.h"
#include "boot/install_package.h"
#include "firmware/model.h"
#include "fuzz_driver.h"

static struct sim_emmc *img;
static char path[256];

static void remove_image(void)
{
	sim_emmc_close(img);
	unlink(path);
}

static int setup(void)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(path, sizeof path, "%s/fuzz-sim-boot-%d.img", tmp && *tmp ? tmp : "/tmp", (int)getpid());
	unlink(path);
	if (sim_emmc_create_from_model(path, sim_model_find("a516-like"), 1, &img, NULL) != 0)
		return -1;
	atexit(remove_image);
	return 0;
}

static void fuzz_footer(const uint8_t *data, size_t size)
{
	uint8_t f[SIM_EMMC_FOOTER_LEN];
	struct sim_emmc_geometry g;
	memset(f, 0, sizeof f);
	memcpy(f, data, size < sizeof f ? size : sizeof f);
	sim_emmc_footer_decode(f, sizeof f, &g, "footer", 0, NULL);
	/* a valid geometry with a model name round-trips */
	sim_model_geometry(sim_model_at(0), &g);
	sim_emmc_footer_encode(&g, f);
	sim_emmc_footer_decode(f, sizeof f, &g, "footer", 0, NULL);
}

static void fuzz_one(const uint8_t *data, size_t size)
{
	static const char *const areas[] = { "PRELOADER", "UBOOT", "BOOTIMG", "MBR", "PMT", "NVRAM", "USRDATA",
					     "ANDROID" };
	if (data[0] == 0xFF) {
		fuzz_footer(data + 1, size - 1);
		return;
	}
	struct sim_flash_loc loc;
	const char *area = areas[data[0] % (sizeof areas / sizeof *areas)];
	uint64_t user = sim_emmc_geometry(img)->size[SIM_PART_USER];
	if (!strcmp(area, "PMT"))
		loc = (struct sim_flash_loc){ SIM_PART_USER, user - 0x100000, 0x2000 };
	else if (sim_flash_locate(img, area, &loc, NULL) != 0)
		return;
	size_t n = size - 1 < loc.size ? size - 1 : (size_t)loc.size;
	uint8_t *saved = malloc(n ? n : 1);
	if (!saved || sim_emmc_read(img, loc.part, loc.offset, saved, n, NULL) != 0 ||
	    sim_emmc_write(img, loc.part, loc.offset, data + 1, n, NULL) != 0)
		abort();
	struct sim_boot_report r;
	if (sim_boot_evaluate(img, NULL, &r, NULL) == 0) {
		struct unifw_jv *j = sim_boot_report_json(&r);
		char *s = unifw_jv_to_string(j, false);
		free(s);
		unifw_jv_free(j);
		FILE *devnull = fopen("/dev/null", "w");
		if (devnull) {
			sim_boot_report_text(&r, devnull);
			fclose(devnull);
		}
		sim_boot_report_free(&r);
	}
	if (sim_emmc_write(img, loc.part, loc.offset, saved, n, NULL) != 0)
		abort();
	free(saved);
}

const struct fuzz_target fuzz_target = { .name = "sim_boot", .min_input = 1, .init = setup, .run = fuzz_one };
