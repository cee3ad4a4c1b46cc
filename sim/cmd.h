/* unifw-sim — the subcommands around the phone models (cmd_factory.c), called from main.c. */
#ifndef UNIFW_SIM_CMD_H
#define UNIFW_SIM_CMD_H

#include <stdbool.h>
#include <stdio.h>

#include "boot/boot_eval.h"
#include "device/emmc.h"

int sim_cmd_models(void);
int sim_cmd_make_firmware(int argc, char **argv);
int sim_cmd_make_emmc(int argc, char **argv);
int sim_cmd_flash_package(int argc, char **argv);
int sim_cmd_erase(int argc, char **argv);
int sim_cmd_damage(int argc, char **argv);
int sim_cmd_boot(int argc, char **argv);
/* A size argument: 123, 0x..., 4K, 64M, 2G (binary units); false when malformed or beyond 64 bits. */
bool sim_parse_size(const char *s, uint64_t *v);
/* "unknown model" with the list of built-in ones; returns the usage exit status. */
int sim_unknown_model(const char *name);
/* "bad --unit" with the range; returns the usage exit status. */
int sim_unit_error(const char *arg);
/* Evaluate the image and print the report (text or JSON) to out. */
int sim_boot_print(struct sim_emmc *e, const struct sim_model *m, bool json, FILE *out, enum sim_verdict *verdict,
		   struct unifw_error *err);

#endif
