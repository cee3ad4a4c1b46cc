/* unifw-sim — what the phone would do at power-on with what is in its flash (docs/sim.md
 * "Boot evaluation"). The MT6572 boot chain, stage by stage:
 *   brom       boot1 must hold a preloader in its EMMC_BOOT form, built for MT6572
 *   preloader  its EMI table must list the phone's memory part (CID bytes); it finds LK through the PMT
 *   lk         drives the panel (its LCM driver list), loads BOOTIMG (header, KERNEL/ROOTFS sections)
 *   kernel     must drive the panel LK chose, find its partitions where MBR/EBR put them, mount ANDROID
 *   android    touch driver, WLAN module (its vermagic), NVRAM (IMEI record, WiFi MAC, Bluetooth address)
 * The verdict is the worst outcome reached: dead > brom_loop > stuck_brom > boot_loop > white_screen >
 * black_screen > boots_with_faults > boots. */
#ifndef UNIFW_SIM_BOOT_EVAL_H
#define UNIFW_SIM_BOOT_EVAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "device/emmc.h"
#include "firmware/model.h"
#include "unifw/error.h"
#include "unifw/json.h"

enum sim_verdict {
	SIM_VERDICT_BOOTS,
	SIM_VERDICT_BOOTS_WITH_FAULTS,
	SIM_VERDICT_BLACK_SCREEN,
	SIM_VERDICT_WHITE_SCREEN,
	SIM_VERDICT_BOOT_LOOP,
	SIM_VERDICT_STUCK_BROM,
	/* The preloader finds no emi_settings[] entry for the memory part: it armed BROM download mode
	 * before the DRAM step, so every power-on ends in BROM download mode (a matching preloader
	 * written there recovers it; no test point). */
	SIM_VERDICT_BROM_LOOP,
	SIM_VERDICT_DEAD,
};

#define SIM_BOOT_MAX_ITEMS 16u

struct sim_boot_item {
	char stage[16];   /* brom, preloader, lk, kernel, android */
	char code[32];    /* stable machine code, e.g. emi_no_match */
	char message[1024];
	enum sim_verdict verdict; /* what this item alone means */
};

struct sim_boot_report {
	enum sim_verdict verdict;
	char summary[256];
	const struct sim_model *model;      /* the hardware (from the image footer), NULL if unknown */
	struct sim_boot_item reasons[SIM_BOOT_MAX_ITEMS]; /* why the verdict is not "boots" */
	size_t reason_count;
	struct sim_boot_item faults[SIM_BOOT_MAX_ITEMS];  /* it boots, but: no touch, IMEI null, ... */
	size_t fault_count;
	struct sim_boot_item notes[SIM_BOOT_MAX_ITEMS];   /* worth knowing, harmless today */
	size_t note_count;
	struct unifw_jv *facts;             /* what each stage found (owned) */
	/* The model fitted with the memory part its CID names when that is a second-source entry of its
	 * stock EMI table (make-emmc --emmc-part); model then points here. */
	struct sim_model second_source;
};

/* Evaluate the image. model: the hardware; NULL = the model named in the image footer (none: the
 * panel and touch checks are skipped and a note says so). Fails only when the image cannot be read;
 * a broken flash is a verdict, not an error. Free with sim_boot_report_free. */
int sim_boot_evaluate(struct sim_emmc *e, const struct sim_model *model, struct sim_boot_report *r,
		      struct unifw_error *err);
void sim_boot_report_free(struct sim_boot_report *r);

const char *sim_verdict_name(enum sim_verdict v);
/* Exit status of `unifw-sim boot`: 0 boots, 3 boots_with_faults, 4 black_screen, 5 white_screen,
 * 6 boot_loop, 7 stuck_brom, 8 dead, 9 brom_loop (added later, so not in rank order) (1 = the image
 * could not be read, 2 = usage). */
int sim_verdict_exit_code(enum sim_verdict v);

/* Only the BootROM and the preloader's DRAM step (cheap: no LK, kernel or file system is read): true
 * when the phone keeps coming back in BROM download mode (verdict brom_loop). The served phone checks
 * this at start. Fails only when the image cannot be read. */
int sim_boot_brom_loops(struct sim_emmc *e, const struct sim_model *model, bool *loops, struct unifw_error *err);

/* {"verdict","summary","model","reasons":[{"stage","code","message","verdict"}],"faults":[...],
 *  "notes":[...],"facts":{...}}. Caller frees. */
struct unifw_jv *sim_boot_report_json(const struct sim_boot_report *r);
void sim_boot_report_text(const struct sim_boot_report *r, FILE *out);

#endif
