/* unifw check: Android up. The modem the kernel's CCCI loader accepts, the touch driver, the camera
 * sensor driver, the identity nvram_daemon finds, the boot logo. Sources (l33tnoob/MT65x2_kernel_lk):
 * mediatek/platform/mt6572/kernel/drivers/dual_ccci/src/ccci_platform.c check_md_header /
 * find_img_to_open, core/mtk_ccci_helper.c (MD1_MEM_SIZE, get_md_post_fix);
 * mediatek/external/permission_check/permission_check.c (NVD_IMEI);
 * mediatek/kernel/drivers/conn_soc/drv_wlan/mt_wifi/wlan/common/wlan_lib.c wlanUpdateNetworkAddress;
 * mediatek/custom/common/cgen/cfgdefault/CFG_BT_Default.h; kernel/kernel/module.c check_modinfo (the WLAN
 * module's vermagic); dual_ccci/include/ccci_platform.h MD_CHECK_HEADER build_ver (the modem's board);
 * AOSP system/core/init/devices.c firmware_dirs (touch controller firmware). docs/check.md "Rules". */
#include "ops/check_internal.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------------ modem */

#define MD_HEADER_VERSION 2u /* ccci_platform_cfg.h MD_HEADER_VER_NO */

/* find_img_to_open: modem_1_<type>_n.img, then modem.img. A file for another type is not opened. */
static bool modem_for_type(const struct unifw_fingerprint *s, const char *type)
{
	if (!s->have_modem)
		return false;
	const char *base = strrchr(s->modem_path, '/');
	base = base ? base + 1 : s->modem_path;
	if (!strcmp(base, "modem.img"))
		return true;
	char want[32];
	snprintf(want, sizeof want, "modem_1_%s_n.img", type);
	return !strcmp(base, want);
}

static const char *md_rejects(const struct unifw_fingerprint *s, const struct unifw_fingerprint *k, char *why, size_t len)
{
	if (!modem_for_type(s, k->md1_type)) {
		snprintf(why, len, "no modem image for MD1 type %s in /system/etc/firmware%s%s", k->md1_type,
			 s->have_modem ? " (it has " : "", s->have_modem ? s->modem_path : "");
		if (s->have_modem)
			snprintf(why + strlen(why), len - strlen(why), ")");
		return "no image";
	}
	if (!s->modem_has_header || s->md_header_version != MD_HEADER_VERSION)
		return NULL; /* logged only: the image loads unchecked */
	if (s->md_bind_sys_id != 1) {
		snprintf(why, len, "bind_sys_id %u: not for MD SYS1", s->md_bind_sys_id);
		return "bind";
	}
	if (s->md_mem_size > k->md1_reserved) {
		snprintf(why, len, "the modem asks 0x%x bytes, the kernel reserves 0x%x (MD mem size mis-match)",
			 s->md_mem_size, k->md1_reserved);
		return "mem";
	}
	if (s->md_img_size && s->modem_size < s->md_img_size) {
		snprintf(why, len, "the header says 0x%x bytes, the file has 0x%llx", s->md_img_size,
			 (unsigned long long)s->modem_size);
		return "size";
	}
	return NULL;
}

/* A modem the loader accepts is still one board's: MD_CHECK_HEADER's build_ver ("project version") names the
 * project it was built for, and its RF front-end and band settings are compiled in, so another board's
 * modem starts but finds no network [I] (docs/sim.md "Boot evaluation", no_signal). The phone's own modem
 * is its board's: a build_ver other than the phone's own modem's predicts no_signal. Unknown on either side
 * (no header, a fingerprint from before issue 14): no prediction. */
static void ck_rules_modem_board(struct ck *c, const struct unifw_fingerprint *s)
{
	const struct unifw_fingerprint *ph = c->phone;
	if (s == ph || !s->md_build_ver[0] || !ph->md_build_ver[0])
		return;
	ck_compared(c, "modem build_ver of %s (%s) vs the phone's own modem (%s)", s == c->pkg ? "the package" : "the phone",
		    s->md_build_ver, ph->md_build_ver);
	if (!strcmp(s->md_build_ver, ph->md_build_ver))
		return;
	struct unifw_check_item *it = ck_effect(c, CK_BOOTS_WITH_FAULTS, "no_signal", "modem", "ANDROID");
	ck_msg(it, "the modem was built for another board: it loads, but its RF front-end and band settings are "
	       "another board's: no network (no calls, SMS or mobile data); NVRAM and the IMEI are untouched (keep "
	       "the phone's own modem: unifw port takes it)");
	ck_evidence(it, "modem from the package: build_ver '%s'; the phone's own modem: build_ver '%s' "
		    "(MD_CHECK_HEADER project version)", s->md_build_ver, ph->md_build_ver);
}

void ck_rules_modem(struct ck *c)
{
	const struct unifw_fingerprint *k = c->kernel_fp, *s = c->system_fp;
	if (!k || !s || !k->have_md1)
		return;
	char why[400];
	ck_compared(c, "modem (%s) vs the kernel's MD1 (%s, 0x%x reserved%s)", s == c->pkg ? "package" : "phone",
		    k->md1_type, k->md1_reserved, k->md1_assumed ? ", assumed" : "");
	if (!md_rejects(s, k, why, sizeof why)) {
		ck_rules_modem_board(c, s);
		return;
	}
	struct unifw_check_item *it = ck_effect(c, CK_BOOTS_WITH_FAULTS, "no_radio", "modem", "ANDROID");
	ck_msg(it, "the kernel's modem loader rejects the modem: Android boots without radio (no calls, SMS or mobile "
	       "data); the IMEI and calibration are untouched");
	ck_evidence(it, "%s (check_md_header); modem from %s, kernel from %s", why, s == c->pkg ? "the package" : "the phone",
		    k == c->pkg ? "the package" : "the phone");
}

/* ------------------------------------------------------------------ WiFi: the WLAN module */

static const char *side(const struct ck *c, const struct unifw_fingerprint *fp)
{
	return fp == c->pkg ? "the package" : "the phone";
}

/* The WLAN driver module of the system that mounts (/system/lib/modules/wlan_mt.ko), insmodded by the WiFi
 * HAL into the kernel that runs: Linux 3.4 kernel/module.c check_modinfo refuses a module whose vermagic is
 * not the kernel's (-ENOEXEC: "version magic '...' should be '...'") and WiFi stays off. The release (first
 * word) is compared: the rest is the same for every MT6572 build. A system without the module is judged
 * only when the phone's own has one (its WiFi is a module); a kernel with the driver built in ships none. */
void ck_rules_wifi(struct ck *c)
{
	const struct unifw_fingerprint *k = c->kernel_fp, *s = c->system_fp;
	if (!k || !s || !k->have_kernel || !k->kernel_version[0] || !s->have_wlan)
		return;
	if (!s->wlan_module_present && !(c->phone->have_wlan && c->phone->wlan_module_present))
		return;
	ck_compared(c, "WLAN module of %s's system (%s) vs %s's kernel %s", side(c, s),
		    s->wlan_module_present ? s->wlan_module_vermagic : "absent", side(c, k), k->kernel_version);
	if (s->wlan_module_present && unifw_kmod_release_matches(s->wlan_module_vermagic, k->kernel_version))
		return;
	struct unifw_check_item *it = ck_effect(c, CK_BOOTS_WITH_FAULTS, "no_wifi", "wifi", "ANDROID");
	if (!s->wlan_module_present) {
		ck_msg(it, "the system has no WLAN driver module (/system/lib/modules/wlan_mt.ko): WiFi cannot be turned on");
		ck_evidence(it, "system from %s: no wlan_mt.ko; the phone's own system has one (vermagic '%s')",
			    side(c, s), c->phone->wlan_module_vermagic);
		return;
	}
	ck_msg(it, "the system's WLAN driver module was built for another kernel: insmod fails and WiFi cannot be "
	       "turned on (take the phone's /system/lib/modules with its kernel)");
	ck_evidence(it, "wlan_mt.ko from %s: version magic '%s', kernel from %s: %s (kernel/module.c check_modinfo)",
		    side(c, s), s->wlan_module_vermagic[0] ? s->wlan_module_vermagic : "none readable", side(c, k),
		    k->kernel_version);
}

/* ------------------------------------------------------------------ touch */

static bool has_name(const struct unifw_names *l, const char *name)
{
	for (size_t i = 0; i < l->count && i < UNIFW_NAMES_MAX; i++)
		if (!strcasecmp(l->name[i], name))
			return true;
	return false;
}

/* The phone's touch controller is the one its own kernel drives (its kernel's touch driver); the kernel
 * probes its drivers on I2C and Android runs without touch when none answers [I]. */
void ck_rules_touch(struct ck *c)
{
	const struct unifw_fingerprint *k = c->kernel_fp;
	if (!k || !c->system_fp || !c->phone->have_kernel || !c->phone->kernel_touch.count || k == c->phone)
		return;
	const struct unifw_names *own = &c->phone->kernel_touch;
	bool any = false;
	for (size_t i = 0; i < own->count && i < UNIFW_NAMES_MAX && !any; i++)
		any = has_name(&k->kernel_touch, own->name[i]);
	ck_compared(c, "touch drivers vs the phone's (%s)", own->name[0]);
	if (any)
		return;
	char list[500];
	ck_names_text(&k->kernel_touch, list, sizeof list);
	struct unifw_check_item *it = ck_effect(c, CK_BOOTS_WITH_FAULTS, "no_touch", "kernel", "BOOTIMG");
	ck_msg(it, "the package's kernel has no driver for this phone's touch controller: the screen does not react "
	       "to touch");
	ck_evidence(it, "phone touch: %s; package kernel's touch drivers: %s", own->name[0], list);
}

/* The touch controller's firmware /system/etc/firmware/<T>_fw.bin, which the driver T requests by name through
 * ueventd (AOSP init devices.c firmware_dirs): the phone's own system carries a non-empty one for a touch
 * driver T of the phone's kernel, the running kernel has T, and the system that mounts has none (or an empty
 * one: the universal build's bind placeholder) -> touch_uncalibrated [I] (docs/sim.md "Boot evaluation").
 * Without T in the running kernel no_touch says it; unknown on either side: skipped. */
void ck_rules_touch_firmware(struct ck *c)
{
	const struct unifw_fingerprint *k = c->kernel_fp, *s = c->system_fp, *ph = c->phone;
	if (!k || !s || s == ph || !s->have_touch_fw || !ph->have_touch_fw || !ph->have_kernel)
		return;
	for (size_t i = 0; i < ph->touch_fw.count && i < UNIFW_NAMES_MAX; i++) {
		const char *t = ph->touch_fw.name[i];
		if (!has_name(&ph->kernel_touch, t) || !has_name(&k->kernel_touch, t))
			continue;
		ck_compared(c, "touch firmware %s_fw.bin in the system that mounts (the phone's own has it)", t);
		if (unifw_names_has(&s->touch_fw, t))
			continue;
		struct unifw_check_item *it = ck_effect(c, CK_BOOTS_WITH_FAULTS, "touch_uncalibrated", "touch", "ANDROID");
		ck_msg(it, "the system has no firmware for the phone's touch controller: its driver requests it through "
		       "ueventd and gets none, the controller runs without this panel's configuration (take the phone's "
		       "/system/etc/firmware/*_fw.bin)");
		ck_evidence(it, "/system/etc/firmware/%s_fw.bin: missing or empty in %s's system; the phone's own system "
			    "has it and its kernel drives %s", t, side(c, s), t);
		return;
	}
}

/* The phone's camera sensor is one its own kernel lists (kdSensorList names; which one is fitted is not
 * known from the kernel alone, so one driver in common is enough). A kernel without it boots; only the
 * camera does not open: a caveat with no boot effect. An empty list on either side is unknown. */
void ck_rules_camera(struct ck *c)
{
	const struct unifw_fingerprint *k = c->kernel_fp;
	if (!k || k == c->phone || !c->phone->have_kernel || !c->phone->kernel_camera.count ||
	    !k->kernel_camera.count)
		return;
	const struct unifw_names *own = &c->phone->kernel_camera;
	bool any = false;
	for (size_t i = 0; i < own->count && i < UNIFW_NAMES_MAX && !any; i++)
		any = unifw_names_has(&k->kernel_camera, own->name[i]);
	ck_compared(c, "camera sensor drivers vs the phone's (%s)", own->name[0]);
	if (any)
		return;
	char mine[500], theirs[500];
	ck_names_text(own, mine, sizeof mine);
	ck_names_text(&k->kernel_camera, theirs, sizeof theirs);
	struct unifw_check_item *it = ck_item(c, UNIFW_CHECK_CAVEATS, "no_camera", "kernel", "BOOTIMG", "");
	ck_msg(it, "the package's kernel has none of the phone's camera sensor drivers: the phone boots, the camera "
	       "does not work");
	ck_evidence(it, "phone kernel's camera drivers: %s; package kernel's camera drivers: %s", mine, theirs);
}

/* ------------------------------------------------------------------ identity */

static bool state_is(const char *s, const char *a, const char *b)
{
	return s && ((a && !strcmp(s, a)) || (b && !strcmp(s, b)));
}

struct nv_after {
	bool bin_ok, bin_imei, data, data_imei;
	const char *wifi, *bt;
	const char *bin_from, *data_from;
};

/* What nvram_daemon finds after the flash: the BinRegion in NVRAM and /data/nvram in USRDATA, both
 * through the PMT the phone ends up with. A stock userdata.img carries no /data/nvram. */
static void nv_after(struct ck *c, struct nv_after *nv)
{
	struct ck_placed at;
	memset(nv, 0, sizeof *nv);
	nv->bin_from = nv->data_from = "nothing";
	if (c->opts.repartition && c->phone->have_identity) {
		/* --repartition carries NVRAM (with PRO_INFO, PROTECT_F/S) to its new place (flash_repartition.c) */
		nv->bin_ok = c->phone->binregion_valid;
		nv->bin_imei = nv->bin_ok && c->phone->binregion_imei;
		nv->bin_from = "the phone's NVRAM, carried to the new layout";
		nv->wifi = c->phone->wifi_state;
		nv->bt = c->phone->bt_state;
	} else if (ck_placed_by_name(c, "NVRAM", NULL, &at) && at.fp && ck_name_is(at.part->name, "NVRAM", NULL) &&
		   at.fp->have_identity) {
		nv->bin_ok = at.fp->binregion_valid;
		nv->bin_imei = nv->bin_ok && at.fp->binregion_imei;
		nv->bin_from = at.fp == c->pkg ? "the package's NVRAM" : "the phone's NVRAM";
		nv->wifi = at.fp->wifi_state;
		nv->bt = at.fp->bt_state;
	}
	if (ck_placed_by_name(c, "USRDATA", "USERDATA", &at) && at.fp && ck_name_is(at.part->name, "USRDATA", "USERDATA")) {
		bool own = at.fp == c->phone;
		nv->data = at.fp->have_identity && at.fp->data_nvram;
		nv->data_imei = nv->data && at.fp->data_imei;
		nv->data_from = own ? "the phone's USRDATA" : "the package's userdata image";
		if (nv->data && !nv->bin_ok) {
			nv->wifi = at.fp->wifi_state;
			nv->bt = at.fp->bt_state;
		}
	}
	if (!nv->bin_ok && !nv->data)
		nv->wifi = nv->bt = "absent";
}

static void identity_item(struct ck *c, const char *code, const char *msg, const struct nv_after *nv, bool phone_lacks)
{
	struct unifw_check_item *it = ck_effect(c, CK_BOOTS_WITH_FAULTS, code, "identity", "NVRAM");
	ck_msg(it, "%s%s", msg, phone_lacks ? " (this is already the phone's state)" : " (identity that a plain flash "
	       "would lose: restore the phone's own NVRAM backup)");
	ck_evidence(it, "after the flash: BinRegion from %s (%s, IMEI record %s), /data/nvram from %s (%s); phone now: "
		    "BinRegion IMEI %s, /data/nvram %s, WiFi MAC %s, BT %s", nv->bin_from, nv->bin_ok ? "valid" : "invalid",
		    nv->bin_imei ? "yes" : "no", nv->data_from, nv->data ? "present" : "absent",
		    c->phone->binregion_imei ? "yes" : "no", c->phone->data_nvram ? "present" : "absent",
		    c->phone->wifi_state[0] ? c->phone->wifi_state : "?", c->phone->bt_state[0] ? c->phone->bt_state : "?");
}

void ck_rules_identity(struct ck *c)
{
	if (!c->kernel_fp || !c->system_fp || !c->phone->have_identity)
		return;
	struct nv_after nv;
	nv_after(c, &nv);
	ck_compared(c, "identity: NVRAM BinRegion and /data/nvram after the flash");
	const struct unifw_fingerprint *ph = c->phone;
	bool phone_imei = (ph->binregion_valid && ph->binregion_imei) || ph->data_imei;
	if (!nv.bin_imei && !nv.data_imei)
		identity_item(c, "imei_null", "no IMEI record in the NVRAM BinRegion nor in /data/nvram: the phone shows "
			      "\"IMEI null\" and has no network", &nv, !phone_imei);
	if (state_is(nv.wifi, "absent", "blank") || !nv.wifi || !nv.wifi[0])
		identity_item(c, "mac_random_each_boot", "no usable WiFi MAC: the WLAN driver makes one up at every boot "
			      "(00:08:22 + its boot-time tick)", &nv, state_is(ph->wifi_state, "absent", "blank"));
	else if (state_is(nv.wifi, "default", "template"))
		identity_item(c, "mac_template", "the stored WiFi MAC is MediaTek's 00:08:22 template: fixed but not the "
			      "phone's own", &nv, state_is(ph->wifi_state, "default", "template"));
	if (!state_is(nv.bt, "set", "ok"))
		identity_item(c, "default_bt_address", "the Bluetooth address is MediaTek's default (CFG_BT_Default.h): "
			      "every phone without its own NVRAM has it", &nv, !state_is(ph->bt_state, "set", "ok"));
}

/* ------------------------------------------------------------------ logo */

void ck_rules_logo(struct ck *c)
{
	const struct unifw_fp_part *p = ck_find_part(c->pkg, "LOGO", NULL);
	if (!c->pkg->have_logo || !c->phone->have_logo || !p || !ck_part_written(c, p))
		return;
	ck_compared(c, "logo %ux%u vs the phone's %ux%u", c->pkg->logo_width, c->pkg->logo_height, c->phone->logo_width,
		    c->phone->logo_height);
	if (c->pkg->logo_width == c->phone->logo_width && c->pkg->logo_height == c->phone->logo_height)
		return;
	struct unifw_check_item *it = ck_item(c, UNIFW_CHECK_CAVEATS, "logo_resolution", "logo", "LOGO", "");
	ck_msg(it, "the package's boot logo is made for another screen size: it shows cut or stretched");
	ck_evidence(it, "package logo %ux%u, phone logo %ux%u", c->pkg->logo_width, c->pkg->logo_height,
		    c->phone->logo_width, c->phone->logo_height);
}
