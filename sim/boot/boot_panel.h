/* unifw-sim — which LCM driver LK and the kernel pick for the phone's panel. The rules, with the
 * functions of MediaTek's MT6572 source they come from: docs/sim.md "Boot evaluation", rows lk panel
 * and kernel panel.
 *   LK      one driver built in -> used unconditionally; several -> each driver's compare_id in list
 *           order, the first that returns true wins; none -> the LAST driver is left initialised and
 *           LK passes "lcm=0-NAME" ("lcm=1-NAME" when one was found).
 *   kernel  one driver -> that one, else the one named in lcm=; else compare_id in order, none ->
 *           NULL: mtkfb gets no LCM driver (no framebuffer).
 * A driver's compare_id reads the panel's controller ID over DSI; what each driver then accepts is
 * data here (struct sim_lcm_driver). */
#ifndef UNIFW_SIM_BOOT_PANEL_H
#define UNIFW_SIM_BOOT_PANEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "firmware/model.h"

enum sim_lcm_probe {
	SIM_LCM_PROBE_NONE,   /* no compare_id (NULL): never chosen by auto-detection */
	SIM_LCM_PROBE_ID,     /* matches one controller IC and one module ID (a panel-specific driver) */
	SIM_LCM_PROBE_FAMILY, /* matches the controller IC only: any module built on it (e.g. any OTM8018B) */
	SIM_LCM_PROBE_ALWAYS, /* compare_id returns 1 unconditionally */
};

struct sim_lcm_driver {
	const char *name;   /* LCM_DRIVER.name */
	uint16_t ic;        /* the controller it drives (the ID its compare_id reads) */
	uint8_t module;     /* the module ID an ID probe also requires */
	enum sim_lcm_probe probe;
};

/* The sim's table of LCM drivers (names as the firmware carries them); NULL for a driver it does not
 * know (then: no compare_id that matches, no known controller). */
const struct sim_lcm_driver *sim_lcm_driver_find(const char *name);
/* What this driver's compare_id returns on the phone's panel. */
bool sim_lcm_compare_id(const struct sim_lcm_driver *d, const struct sim_model *m);
/* The driver was written for the panel's controller (its init sequence is that IC's). */
bool sim_lcm_fits(const char *name, const struct sim_model *m);

enum sim_lcm_rule {
	SIM_LCM_RULE_NONE,        /* no driver picked */
	SIM_LCM_RULE_ONLY_DRIVER, /* the only driver built in, used without asking the panel */
	SIM_LCM_RULE_BY_NAME,     /* kernel: the driver named in lcm= */
	SIM_LCM_RULE_COMPARE_ID,  /* the first whose compare_id matched */
	SIM_LCM_RULE_LAST_DRIVER, /* LK: nothing matched, the last one stays (lcm=0-NAME) */
};
const char *sim_lcm_rule_name(enum sim_lcm_rule r);

struct sim_lcm_choice {
	const char *name; /* points into the caller's list; NULL with SIM_LCM_RULE_NONE */
	enum sim_lcm_rule rule;
	bool found;       /* LK: the "1" of lcm=1-NAME (a compare_id matched, or the only driver) */
	bool fits;        /* the picked driver is for the panel's controller */
};

/* LK's pick among its drivers (list order). m NULL: no panel known, nothing matches. */
void sim_lk_choose_lcm(const char *const *names, size_t n, const struct sim_model *m, struct sim_lcm_choice *c);
/* The kernel's pick, given the name LK passed in lcm= (NULL: no lcm= on the command line). */
void sim_kernel_choose_lcm(const char *const *names, size_t n, const char *lcm_name, const struct sim_model *m,
			   struct sim_lcm_choice *c);

#endif
