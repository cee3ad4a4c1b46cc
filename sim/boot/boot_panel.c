/* unifw-sim — LK's and the kernel's LCM driver choice (boot_panel.h, docs/sim.md "Boot evaluation"). */
#include "boot_panel.h"

#include <string.h>

/* Controller IDs as the drivers' compare_id read them: OTM8018B 0x8009, HX8389B 0x89 (written 0x8389
 * here), ILI9806E 0x0604; NT35512 and HX8379A values are the sim's own [I]. Registers and sources:
 * docs/sim.md "Boot evaluation", "LCM drivers and panel IDs". */
#define IC_OTM8018B 0x8009u
#define IC_NT35512 0x5512u
#define IC_HX8389B 0x8389u
#define IC_HX8379A 0x8379u
#define IC_ILI9806E 0x0604u

/* Probe behaviours, each after a driver of the same family in MediaTek's tree (docs/sim.md "LCM
 * drivers and panel IDs"):
 *   otm8018b_*       compare_id reads only the IC ID: any OTM8018B module;
 *   nt35512_*_dj     compare_id reads the ID, then returns 1 unconditionally;
 *   hx8389b_*, hx8379a_*, ili9806e_*  compare the ID read; the sim also requires a module ID for them
 *                    [I], standing for the vendor-specific drivers that read an ID pin or a module
 *                    register. */
static const struct sim_lcm_driver drivers[] = {
	{ "otm8018b_dsi_vdo", IC_OTM8018B, 0x01, SIM_LCM_PROBE_FAMILY },
	{ "otm8018b_dsi_vdo_dijing", IC_OTM8018B, 0x02, SIM_LCM_PROBE_FAMILY },
	{ "nt35512_wvga_dsi_vdo_dj", IC_NT35512, 0x01, SIM_LCM_PROBE_ALWAYS },
	{ "hx8389b_kelai_dsi_vdo_qhd", IC_HX8389B, 0x01, SIM_LCM_PROBE_ID },
	{ "hx8379a_wvga_dsi_vdo", IC_HX8379A, 0x01, SIM_LCM_PROBE_ID },
	{ "ili9806e_wvga_dsi_vdo", IC_ILI9806E, 0x01, SIM_LCM_PROBE_ID },
};

const struct sim_lcm_driver *sim_lcm_driver_find(const char *name)
{
	for (size_t i = 0; name && i < sizeof drivers / sizeof *drivers; i++)
		if (!strcmp(drivers[i].name, name))
			return &drivers[i];
	return NULL;
}

bool sim_lcm_compare_id(const struct sim_lcm_driver *d, const struct sim_model *m)
{
	if (!d)
		return false;
	switch (d->probe) {
	case SIM_LCM_PROBE_ALWAYS: return true;
	case SIM_LCM_PROBE_FAMILY: return m && d->ic == m->panel_ic;
	case SIM_LCM_PROBE_ID: return m && d->ic == m->panel_ic && d->module == m->panel_module;
	default: return false;
	}
}

bool sim_lcm_fits(const char *name, const struct sim_model *m)
{
	const struct sim_lcm_driver *d = sim_lcm_driver_find(name);
	return m && d && d->ic == m->panel_ic;
}

const char *sim_lcm_rule_name(enum sim_lcm_rule r)
{
	static const char *const names[] = { "none", "only_driver", "lcm_name", "compare_id", "last_driver" };
	return (unsigned)r < sizeof names / sizeof *names ? names[r] : "none";
}

static void pick(struct sim_lcm_choice *c, const char *name, enum sim_lcm_rule rule, bool found,
		 const struct sim_model *m)
{
	*c = (struct sim_lcm_choice){ name, rule, found, sim_lcm_fits(name, m) };
}

/* compare_id over the list in order; the index of the first match or n. */
static size_t first_match(const char *const *names, size_t n, const struct sim_model *m)
{
	for (size_t i = 0; i < n; i++)
		if (sim_lcm_compare_id(sim_lcm_driver_find(names[i]), m))
			return i;
	return n;
}

void sim_lk_choose_lcm(const char *const *names, size_t n, const struct sim_model *m, struct sim_lcm_choice *c)
{
	*c = (struct sim_lcm_choice){ NULL, SIM_LCM_RULE_NONE, false, false };
	if (n == 0)
		return;
	if (n == 1) { /* "we need to verify whether the lcm is connected" — commented out in the source */
		pick(c, names[0], SIM_LCM_RULE_ONLY_DRIVER, true, m);
		return;
	}
	size_t i = first_match(names, n, m);
	if (i < n)
		pick(c, names[i], SIM_LCM_RULE_COMPARE_ID, true, m);
	else /* the failed loop leaves lcm_drv = the last driver tried */
		pick(c, names[n - 1], SIM_LCM_RULE_LAST_DRIVER, false, m);
}

void sim_kernel_choose_lcm(const char *const *names, size_t n, const char *lcm_name, const struct sim_model *m,
			   struct sim_lcm_choice *c)
{
	*c = (struct sim_lcm_choice){ NULL, SIM_LCM_RULE_NONE, false, false };
	if (n == 1) {
		pick(c, names[0], SIM_LCM_RULE_ONLY_DRIVER, true, m);
		return;
	}
	for (size_t i = 0; lcm_name && i < n; i++)
		if (!strcmp(names[i], lcm_name)) {
			pick(c, names[i], SIM_LCM_RULE_BY_NAME, true, m);
			return;
		}
	size_t i = first_match(names, n, m); /* DISP_DetectDevice */
	if (i < n)
		pick(c, names[i], SIM_LCM_RULE_COMPARE_ID, true, m);
}
