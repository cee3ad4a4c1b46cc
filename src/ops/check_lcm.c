/* unifw check: the LCM knowledge table (driver name -> the controller it drives, how its compare_id
 * probes) and the two choices made with it: LK's (mediatek/platform/mt6572/lk/disp_drv.c
 * disp_drv_get_lcm_driver: one driver -> used without compare_id; several -> the first whose compare_id
 * returns true; none -> the LAST driver stays, lcm=0-NAME) and the kernel's
 * (mediatek/platform/common/kernel/drivers/video/disp_drv.c disp_get_lcm_name_boot ->
 * DISP_SelectDeviceBoot, mediatek/platform/mt6572/kernel/drivers/video/disp_hal.c disphal_get_lcm_driver:
 * one driver -> it; else the one named in lcm=; else compare_id in order; none -> NULL, no framebuffer).
 * All in l33tnoob/MT65x2_kernel_lk. The names are the corpus's (names/lcm_selected.txt) and the virtual
 * phone's; the data is unifw's own. docs/check.md "Rules", LK. */
#include "ops/check_internal.h"

#include <stdio.h>
#include <string.h>

/* Controller IDs as each family's lcm_compare_id reads them (mediatek/custom/common/kernel/lcm/<driver>/
 * <driver>.c in l33tnoob/MT65x2_kernel_lk or the corpus repository named): OTM8018B 0x8009 (register
 * 0xA1, LCM_ID_OTM8018B), HX8389B 0x89 (register 0xF4; written 0x8389 as the virtual phone does),
 * ILI9806E 0x0604 (registers 0x00..0x02). NT35512 and HX8379A: the virtual phone's values [I]. The other
 * corpus drivers: the controller named by the chip token, probed by ID (any module of it) [I]. */
#define IC_OTM8018B 0x8009u
#define IC_OTM8019A 0x8019u
#define IC_OTM8009A 0x8090u /* the sim-free stand-in: another controller than OTM8018B [I] */
#define IC_NT35512 0x5512u
#define IC_NT35510 0x5510u
#define IC_NT35310 0x5310u
#define IC_NT35582 0x5582u
#define IC_HX8389B 0x8389u
#define IC_HX8379A 0x8379u
#define IC_HX8357 0x8357u
#define IC_HX8347 0x8347u
#define IC_ILI9806E 0x0604u
#define IC_ILI9806 0x9806u
#define IC_ILI9806C 0x980cu
#define IC_ILI9488 0x9488u
#define IC_ST7701 0x7701u

#define SRC_OTM "otm8018b_dsi_vdo.c lcm_compare_id (reads 0xA1, accepts any 0x8009 module)"
#define SRC_NT "nt35512_dsi_vdo.c lcm_compare_id (reads the ID, returns 1)"
#define SRC_HX89 "hx8389b_qhd_dsi_vdo.c lcm_compare_id (reads 0xF4); module ID as the virtual phone [I]"
#define SRC_ILI "ili9806e_fwvga_dsi_vdo_txd.c lcm_compare_id (registers 0x00..0x02); module ID [I]"
#define SRC_CHIP "[I] the chip token of the name; compare_id taken to accept that controller"

static const struct ck_lcm table[] = {
	/* the virtual phone's drivers: probes as docs/sim.md "LCM drivers and panel IDs" */
	{ "otm8018b_dsi_vdo", IC_OTM8018B, 0x01, CK_PROBE_FAMILY, SRC_OTM },
	{ "otm8018b_dsi_vdo_dijing", IC_OTM8018B, 0x02, CK_PROBE_FAMILY, SRC_OTM },
	{ "nt35512_wvga_dsi_vdo_dj", IC_NT35512, 0x01, CK_PROBE_ALWAYS, SRC_NT },
	{ "hx8389b_kelai_dsi_vdo_qhd", IC_HX8389B, 0x01, CK_PROBE_ID, SRC_HX89 },
	{ "hx8379a_wvga_dsi_vdo", IC_HX8379A, 0x01, CK_PROBE_ID, "[I] the virtual phone's own" },
	{ "ili9806e_wvga_dsi_vdo", IC_ILI9806E, 0x01, CK_PROBE_ID, SRC_ILI },
	/* MT6572 trees of the corpus (names/lcm_selected.txt) */
	{ "otm8018b_dsi_vdo_6572_trust", IC_OTM8018B, 0, CK_PROBE_FAMILY, SRC_OTM },
	{ "otm8018b_wvga_dsi_vdo", IC_OTM8018B, 0, CK_PROBE_FAMILY, SRC_OTM },
	{ "otm8019a_dsi_vdo_djn", IC_OTM8019A, 0, CK_PROBE_FAMILY, SRC_CHIP },
	{ "otm8019a_wvga_dsi_vdo", IC_OTM8019A, 0, CK_PROBE_FAMILY, SRC_CHIP },
	{ "otm8009a_6572_dsi_cmd", IC_OTM8009A, 0, CK_PROBE_FAMILY, SRC_CHIP },
	{ "otm8009_jingtai_JTD040347S_HSD_WVGA_MCU18", IC_OTM8009A, 0, CK_PROBE_FAMILY, SRC_CHIP },
	{ "nt35510_6575_dsi", IC_NT35510, 0, CK_PROBE_FAMILY, SRC_CHIP },
	{ "nt35510_dsi_cmd_6572", IC_NT35510, 0, CK_PROBE_FAMILY, SRC_CHIP },
	{ "nt35310_6572_soul3p5", IC_NT35310, 0, CK_PROBE_FAMILY, SRC_CHIP },
	{ "nt35582_mcu_6575", IC_NT35582, 0, CK_PROBE_FAMILY, SRC_CHIP },
	{ "hx8379a_6572_dsi_vdo", IC_HX8379A, 0, CK_PROBE_FAMILY, SRC_CHIP },
	{ "hx8379a_dsi_vdo_tcl_bidrectional", IC_HX8379A, 0, CK_PROBE_FAMILY, SRC_CHIP },
	{ "hx8357c_hvga_dsi_vdo", IC_HX8357, 0, CK_PROBE_FAMILY, SRC_CHIP },
	{ "hx8357d_6572_soul3p5", IC_HX8357, 0, CK_PROBE_FAMILY, SRC_CHIP },
	{ "hx8347_pd800", IC_HX8347, 0, CK_PROBE_FAMILY, SRC_CHIP },
	{ "ili9806e_6572_dsi_vdo", IC_ILI9806E, 0, CK_PROBE_FAMILY, SRC_ILI },
	{ "ili9806e_dsi_cmd_txd", IC_ILI9806E, 0, CK_PROBE_FAMILY, SRC_ILI },
	{ "ili9806e_dsi_vdo_6572", IC_ILI9806E, 0, CK_PROBE_FAMILY, SRC_ILI },
	{ "ili9806e_dsi_vdo_6572_hvga_txd", IC_ILI9806E, 0, CK_PROBE_FAMILY, SRC_ILI },
	{ "ili9806e_wvga_dsi_vdo_txd", IC_ILI9806E, 0, CK_PROBE_FAMILY, SRC_ILI },
	{ "tongxinta_ili9806e_wvga_dsi_vdo_mid4006", IC_ILI9806E, 0, CK_PROBE_FAMILY, SRC_ILI },
	{ "ili9806_6572_dsi_vdo", IC_ILI9806, 0, CK_PROBE_FAMILY, SRC_CHIP },
	{ "ili9806_6572_dsi_vdo_txd", IC_ILI9806, 0, CK_PROBE_FAMILY, SRC_CHIP },
	{ "ili9806_wvga_dsi", IC_ILI9806, 0, CK_PROBE_FAMILY, SRC_CHIP },
	{ "ili9806c_6572_dsi_vdo", IC_ILI9806C, 0, CK_PROBE_FAMILY, SRC_CHIP },
	{ "ili9806c_wvga_dsi_vdo", IC_ILI9806C, 0, CK_PROBE_FAMILY, SRC_CHIP },
	{ "ili9488_6572_soul3p5", IC_ILI9488, 0, CK_PROBE_FAMILY, SRC_CHIP },
	{ "ili9488_6575_dsi", IC_ILI9488, 0, CK_PROBE_FAMILY, SRC_CHIP },
	{ "ili9488_hvga_dsi", IC_ILI9488, 0, CK_PROBE_FAMILY, SRC_CHIP },
	{ "st7701_fwvga_dsi_vdo_boe", IC_ST7701, 0, CK_PROBE_FAMILY, SRC_CHIP },
};

const struct ck_lcm *ck_lcm_find(const char *name)
{
	for (size_t i = 0; name && i < sizeof table / sizeof *table; i++)
		if (!strcmp(table[i].name, name))
			return &table[i];
	return NULL;
}

/* The phone's panel is what its own LK drives: the driver's controller and module. */
bool ck_panel_of(const struct unifw_fingerprint *phone, struct ck_panel *panel)
{
	const struct ck_lcm *d = ck_lcm_find(phone->panel_lcm);
	*panel = (struct ck_panel){ phone->panel_lcm[0] ? phone->panel_lcm : NULL, d ? d->ic : 0, d ? d->module : 0 };
	return panel->driver != NULL;
}

/* What a driver's compare_id returns on this panel; an unknown driver never matches (as the virtual
 * phone's boot_panel.c takes it), the phone's own driver always does. */
bool ck_lcm_compare_id(const char *name, const struct ck_panel *panel)
{
	if (!panel || !name)
		return false;
	if (panel->driver && !strcmp(name, panel->driver))
		return true;
	const struct ck_lcm *d = ck_lcm_find(name);
	if (!d)
		return false;
	switch (d->probe) {
	case CK_PROBE_ALWAYS: return true;
	case CK_PROBE_FAMILY: return panel->ic && d->ic == panel->ic;
	case CK_PROBE_ID: return panel->ic && d->ic == panel->ic && (!d->module || !panel->module || d->module == panel->module);
	default: return false;
	}
}

/* Written for the panel's controller (its init sequence is that IC's). */
bool ck_lcm_fits(const char *name, const struct ck_panel *panel)
{
	if (!name || !panel || !panel->driver)
		return false;
	if (!strcmp(name, panel->driver))
		return true;
	const struct ck_lcm *d = ck_lcm_find(name);
	return d && panel->ic && d->ic == panel->ic;
}

const char *ck_lcm_rule_name(enum ck_lcm_rule r)
{
	static const char *const names[] = { "none", "only_driver", "lcm_name", "compare_id", "last_driver" };
	return (unsigned)r < sizeof names / sizeof *names ? names[r] : "none";
}

static void pick(struct ck_lcm_pick *o, const char *name, enum ck_lcm_rule rule, bool found, const struct ck_panel *p)
{
	*o = (struct ck_lcm_pick){ name, rule, found, ck_lcm_fits(name, p) };
}

static size_t first_match(const struct unifw_names *l, const struct ck_panel *p)
{
	for (size_t i = 0; i < l->count; i++)
		if (ck_lcm_compare_id(l->name[i], p))
			return i;
	return l->count;
}

void ck_lk_pick(const struct unifw_names *list, const struct ck_panel *panel, struct ck_lcm_pick *out)
{
	*out = (struct ck_lcm_pick){ NULL, CK_RULE_NONE, false, false };
	size_t n = list->count < UNIFW_NAMES_MAX ? list->count : UNIFW_NAMES_MAX;
	if (n == 0)
		return;
	if (n == 1) { /* lcm_count == 1: the compare_id block is commented out in disp_drv_get_lcm_driver */
		pick(out, list->name[0], CK_RULE_ONLY, true, panel);
		return;
	}
	size_t i = first_match(list, panel);
	if (i < n)
		pick(out, list->name[i], CK_RULE_COMPARE_ID, true, panel);
	else /* the failed loop leaves lcm_drv at the last driver tried */
		pick(out, list->name[n - 1], CK_RULE_LAST, false, panel);
}

void ck_kernel_pick(const struct unifw_names *list, const char *lcm_name, const struct ck_panel *panel,
		    struct ck_lcm_pick *out)
{
	*out = (struct ck_lcm_pick){ NULL, CK_RULE_NONE, false, false };
	size_t n = list->count < UNIFW_NAMES_MAX ? list->count : UNIFW_NAMES_MAX;
	if (n == 1) {
		pick(out, list->name[0], CK_RULE_ONLY, true, panel);
		return;
	}
	for (size_t i = 0; lcm_name && i < n; i++)
		if (!strcmp(list->name[i], lcm_name)) {
			pick(out, list->name[i], CK_RULE_BY_NAME, true, panel);
			return;
		}
	size_t i = first_match(list, panel); /* DISP_DetectDevice */
	if (i < n)
		pick(out, list->name[i], CK_RULE_COMPARE_ID, true, panel);
}

void ck_names_text(const struct unifw_names *l, char *out, size_t len)
{
	size_t used = 0;
	out[0] = 0;
	for (size_t i = 0; i < l->count && i < UNIFW_NAMES_MAX && used < len; i++) {
		int n = snprintf(out + used, len - used, "%s%s", i ? ", " : "", l->name[i]);
		if (n < 0)
			break;
		used += (size_t)n;
	}
	if (!l->count)
		snprintf(out, len, "none");
}
