/* The fixture of the unifw-sim boot-evaluation tests (test_sim_boot*.c): a model's factory eMMC image in
 * a temporary directory, packages made by the firmware factory and flashed into it, the evaluation and
 * its expected verdict, reason and fault codes. */
#ifndef UNIFW_TEST_SIM_BOOT_FIXTURE_H
#define UNIFW_TEST_SIM_BOOT_FIXTURE_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#include "boot/boot_eval.h"
#include "boot/boot_modem.h"
#include "boot/boot_panel.h"
#include "boot/install_package.h"
#include "device/emmc.h"
#include "firmware/factory.h"
#include "firmware/model.h"
#include "unifw/nvram.h"
#include "unifw/pmt.h"
#include "unifw/preloader.h"

struct fixture {
	char *dir;
	char img[1024];
	struct sim_emmc *e;
	const struct sim_model *m;
};

void phone_open(struct fixture *f, const char *model);
void phone_close(struct fixture *f);
void package(struct fixture *f, const struct sim_firmware *fw, const struct sim_model *m, const char *name,
	     char *out, size_t cap);
void flash(struct fixture *f, const char *dir, const struct sim_flash_opts *o);
void evaluate(struct fixture *f, struct sim_boot_report *r);
bool has_code(const struct sim_boot_item *items, size_t n, const char *code);
void expect(struct fixture *f, enum sim_verdict v, const char *reason_code, const char *fault_code);
void overwrite(struct fixture *f, const char *part, uint64_t off, const void *b, size_t n);

#endif
