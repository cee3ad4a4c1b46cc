/* unifw-sim — boot evaluation, Android up: the touch driver and what nvram_daemon finds (IMEI record,
 * WiFi MAC, Bluetooth address). docs/sim.md "Boot evaluation". */
#include "boot_eval_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "unifw/ext4.h"
#include "unifw/kernel.h"
#include "unifw/nvram.h"

/* ------------------------------------------------------------------ android: touch, NVRAM */

static bool kernel_has_touch(const struct eval *v)
{
	const char *want = unifw_touch_name_canonical(v->m->touch);
	for (size_t i = 0; want && i < v->kernel->touch.count; i++)
		if (!strcasecmp(v->kernel->touch.name[i], want))
			return true;
	return false;
}

void eval_check_touch(struct eval *v)
{
	if (!v->m || kernel_has_touch(v))
		return;
	char list[512];
	eval_names_list(&v->kernel->touch, list, sizeof list);
	eval_fault(v, "android", "no_touch",
		   "the kernel has no driver for this phone's touch controller %s (it has: %s): the screen does not "
		   "react to touch", v->m->touch, list);
}

/* The controller's configuration file /system/etc/firmware/<touch>_fw.bin: touch drivers ask for it by name
 * (request_firmware) and ueventd answers from /etc/firmware (AOSP system/core/init/devices.c firmware_dirs);
 * the universal build's EMPTY bind placeholder stands for it when the probe bound nothing over it. Without
 * it the controller keeps whatever configuration it has, not this panel's: a modelling choice [I]
 * (docs/sim.md "Boot evaluation"). Judged only when the kernel has the driver (else no_touch says it). */
#define TOUCH_FW_MAX (16u << 20)

void eval_check_touch_firmware(struct eval *v, const struct sim_sysview *sys)
{
	if (!v->m || !v->kernel || !kernel_has_touch(v))
		return;
	char path[128], from[4400], why[600];
	snprintf(path, sizeof path, "/etc/firmware/%.64s_fw.bin", v->m->touch);
	uint8_t *buf = NULL;
	size_t len = 0;
	struct unifw_error e = { 0 };
	int rc = sim_sysview_read(sys, path, TOUCH_FW_MAX, &buf, &len, from, sizeof from, &e);
	free(buf);
	if (rc && rc != UNIFW_E_NOT_FOUND) {
		eval_note(v, "android", "touch_firmware_unread", "/system%s is not judged: %s", path,
			  eval_errtext(&e, why, sizeof why));
		return;
	}
	struct unifw_jv *f = unifw_jv_set_obj(v->r->facts, "touch");
	unifw_jv_set_str(f, "firmware", rc ? "" : from);
	unifw_jv_set_uint(f, "firmware_size", rc ? 0 : len);
	if (rc == 0 && len > 0)
		return;
	eval_fault(v, "android", "touch_uncalibrated",
		   "the touch driver requests %.64s_fw.bin through ueventd (/etc/firmware) and gets none (/system%s is "
		   "%s): the controller runs without this panel's configuration: touches land off target or are "
		   "missed", v->m->touch, path, rc ? "missing" : "empty");
}

/* ------------------------------------------------------------------ android: the WLAN module */

/* The WLAN driver module in /system (UNIFW_WLAN_MODULE_PATH), which the WiFi HAL insmods when WiFi is
 * turned on: the running kernel refuses it when its vermagic is not its own (check_modinfo: "version magic
 * '...' should be '...'", -ENOEXEC), and WiFi stays off. Only the release is compared: the rest of
 * VERMAGIC_STRING is the same for every MT6572 build of the platform configuration. */
void eval_check_wifi(struct eval *v, const struct sim_sysview *sys)
{
	const char *path = "/system" UNIFW_WLAN_MODULE_PATH;
	const char *base = strrchr(path, '/') + 1;
	uint8_t *ko = NULL;
	size_t len = 0;
	char vermagic[UNIFW_KMOD_VERMAGIC_MAX] = "", why[600] = "";
	struct unifw_error e = { 0 };
	int rc = sim_sysview_read(sys, UNIFW_WLAN_MODULE_PATH, UNIFW_KMOD_MAX_FILE, &ko, &len, NULL, 0, &e);
	if (rc && rc != UNIFW_E_NOT_FOUND) { /* there, but not read here (unifw's fingerprint: unknown too) */
		eval_note(v, "android", "wlan_module_unread", "%s is not judged: %s", path, eval_errtext(&e, why, sizeof why));
		return;
	}
	bool present = rc == 0;
	bool magic = present && unifw_kmod_vermagic(ko, len, base, vermagic, &e) == 0;
	free(ko);
	if (present && !magic)
		eval_errtext(&e, why, sizeof why);
	bool loaded = magic && unifw_kmod_release_matches(vermagic, v->kernel->version);
	struct unifw_jv *f = unifw_jv_set_obj(v->r->facts, "wifi");
	unifw_jv_set_str(f, "module", present ? path : "");
	unifw_jv_set_str(f, "vermagic", vermagic);
	unifw_jv_set_bool(f, "loaded", loaded);
	if (!present)
		eval_fault(v, "android", "no_wifi",
			   "no WLAN driver module (%s is missing): the WiFi HAL's insmod fails and WiFi cannot be turned "
			   "on", path);
	else if (!magic)
		eval_fault(v, "android", "no_wifi",
			   "insmod of %s fails: the kernel finds no version magic in it (%s; kernel/module.c "
			   "check_modinfo refuses it): WiFi cannot be turned on", base, why);
	else if (!loaded)
		eval_fault(v, "android", "no_wifi",
			   "insmod of %s fails: version magic '%s' should be '%s%s' (kernel/module.c check_modinfo): the "
			   "module was built for another kernel, WiFi cannot be turned on", base, vermagic,
			   v->kernel->version, strchr(vermagic, ' ') ? strchr(vermagic, ' ') : "");
}

/* What nvram_daemon sees: /data/nvram on USRDATA (working copy), else the BinRegion it restores from. */
struct nv_view {
	bool data_present, data_imei, data_wifi, data_bt;
	uint8_t data_mac[6], data_btaddr[6];
	bool bin_ok, bin_imei;
	enum unifw_nvram_addr_state bin_wifi_state, bin_bt_state;
	uint8_t bin_mac[6], bin_btaddr[6];
};

static bool data_file6(struct unifw_ext4 *fs, const char *path, size_t at, uint8_t out[6])
{
	uint8_t *b = NULL;
	size_t len = 0;
	bool ok = unifw_ext4_read_file(fs, path, 4096, &b, &len, NULL) == 0 && len >= at + 6;
	if (ok)
		memcpy(out, b + at, 6);
	free(b);
	return ok;
}

static void read_data_nvram(struct eval *v, struct nv_view *nv)
{
	struct sim_flash_loc loc;
	if (eval_kernel_locate(v, "USRDATA", &loc) != 0)
		return;
	struct region_stream rs = { v->e, loc.offset, loc.size };
	struct unifw_stream s;
	struct unifw_ext4 *fs = NULL;
	eval_region_open(&rs, &s, "USRDATA");
	if (unifw_ext4_open(&s, &fs, NULL) != 0)
		return;
	struct unifw_ext4_dirent *ents = NULL;
	size_t n = 0;
	bool trunc = false;
	nv->data_present = unifw_ext4_list_dir(fs, "/nvram", 1000, &ents, &n, &trunc, NULL) == 0;
	free(ents);
	ents = NULL;
	/* The IMEI record is checked by name and size only: its bytes are never read. */
	if (nv->data_present && unifw_ext4_list_dir(fs, "/nvram/md/NVRAM/NVD_IMEI", 1000, &ents, &n, &trunc, NULL) == 0)
		for (size_t i = 0; i < n; i++)
			nv->data_imei |= !strcmp(ents[i].name, "MP0B_001") && ents[i].kind == 'f' && ents[i].size > 0;
	free(ents);
	if (nv->data_present) {
		nv->data_wifi = data_file6(fs, "/nvram/" UNIFW_NVRAM_WIFI, UNIFW_NVRAM_WIFI_MAC_OFFSET, nv->data_mac);
		nv->data_bt = data_file6(fs, "/nvram/" UNIFW_NVRAM_BT_ADDR, 0, nv->data_btaddr);
	}
	unifw_ext4_close(fs);
}

static int read_binregion(struct eval *v, struct nv_view *nv)
{
	struct sim_flash_loc loc;
	if (eval_kernel_locate(v, "NVRAM", &loc) != 0)
		return 0;
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc = eval_read_region(v, &loc, UNIFW_NVRAM_MAX_REGION, &buf, &len);
	if (rc)
		return rc;
	struct unifw_nvram nvr;
	if (unifw_nvram_parse(buf, len, "NVRAM", &nvr, NULL) == 0) {
		nv->bin_ok = true;
		const struct unifw_nvram_file *imei = unifw_nvram_find(&nvr, UNIFW_NVRAM_IMEI);
		nv->bin_imei = imei && imei->size > 0;
		nv->bin_wifi_state = unifw_nvram_wifi_mac(&nvr, buf, nv->bin_mac);
		nv->bin_bt_state = unifw_nvram_bt_addr(&nvr, buf, nv->bin_btaddr);
		unifw_nvram_free(&nvr);
	}
	free(buf);
	return 0;
}

static void address_fact(struct unifw_jv *f, const char *key, enum unifw_nvram_addr_state st, const uint8_t a[6])
{
	char s[18], k[32];
	snprintf(k, sizeof k, "%s_state", key);
	unifw_jv_set_str(f, k, unifw_nvram_addr_state_name(st));
	if (st == UNIFW_NVRAM_SET || st == UNIFW_NVRAM_DEFAULT) {
		unifw_nvram_format_mac(a, s);
		unifw_jv_set_str(f, key, s);
	}
}

/* WiFi: a blank (or missing) MAC and a stored 00:08:22 one are different troubles: the first changes
 * at every boot, the second is fixed but borrowed (unifw/nvram.h, docs/sim.md "Boot evaluation"). */
static void judge_wifi_mac(struct eval *v, enum unifw_nvram_addr_state st, const uint8_t mac[6])
{
	char s[18];
	unifw_nvram_format_mac(mac, s);
	if (st == UNIFW_NVRAM_BLANK || st == UNIFW_NVRAM_ABSENT)
		eval_fault(v, "android", "mac_random_each_boot",
			   "the WiFi NVRAM file %s: the WLAN driver makes up 00:08:22 plus three bytes of its boot-time tick "
			   "(wlanUpdateNetworkAddress), so the phone shows a different MAC after every boot (restore its own "
			   "NVRAM backup or set a MAC)", st == UNIFW_NVRAM_ABSENT ? "is missing" : "holds no usable MAC");
	else if (st == UNIFW_NVRAM_DEFAULT)
		eval_fault(v, "android", "mac_template",
			   "the WiFi NVRAM file stores %s, MediaTek's template prefix 00:08:22: the MAC stays the same from "
			   "boot to boot but is not this phone's own (copied from another phone's NVRAM or a template)", s);
}

static void judge_bt_address(struct eval *v, enum unifw_nvram_addr_state st, const uint8_t a[6])
{
	char s[18];
	unifw_nvram_format_mac(a, s);
	const char *chip = unifw_nvram_bt_default_chip(a);
	if (st == UNIFW_NVRAM_DEFAULT)
		eval_fault(v, "android", "default_bt_address",
			   "the Bluetooth address is %s, MediaTek's default for the %s (CFG_BT_Default.h stBtDefault): every "
			   "phone without its own NVRAM has it", s, chip ? chip : "combo chip");
	else if (st != UNIFW_NVRAM_SET)
		eval_fault(v, "android", "default_bt_address",
			   "the Bluetooth NVRAM file is %s: the phone comes up with MediaTek's default Bluetooth address "
			   "(nvram_daemon fills the record from CFG_BT_Default.h; its exact restore trigger is unconfirmed)",
			   unifw_nvram_addr_state_name(st));
}

static void judge_addresses(struct eval *v, const struct nv_view *nv, struct unifw_jv *f)
{
	enum unifw_nvram_addr_state wifi = nv->data_wifi ? unifw_nvram_wifi_mac_state(nv->data_mac)
				       : nv->bin_ok ? nv->bin_wifi_state : UNIFW_NVRAM_ABSENT;
	enum unifw_nvram_addr_state bt = nv->data_bt ? unifw_nvram_bt_addr_state(nv->data_btaddr)
				     : nv->bin_ok ? nv->bin_bt_state : UNIFW_NVRAM_ABSENT;
	const uint8_t *mac = nv->data_wifi ? nv->data_mac : nv->bin_mac;
	const uint8_t *bta = nv->data_bt ? nv->data_btaddr : nv->bin_btaddr;
	address_fact(f, "wifi_mac", wifi, mac);
	address_fact(f, "bt_address", bt, bta);
	judge_wifi_mac(v, wifi, mac);
	judge_bt_address(v, bt, bta);
}

int eval_stage_nvram(struct eval *v)
{
	struct nv_view nv = { 0 };
	read_data_nvram(v, &nv);
	int rc = read_binregion(v, &nv);
	if (rc)
		return rc;
	struct unifw_jv *f = unifw_jv_set_obj(v->r->facts, "nvram");
	unifw_jv_set_str(f, "source", nv.data_present ? "data" : nv.bin_ok ? "binregion" : "none");
	unifw_jv_set_bool(f, "binregion_valid", nv.bin_ok);
	bool imei = nv.data_imei || nv.bin_imei;
	unifw_jv_set_bool(f, "imei_record", imei);
	if (!imei)
		eval_fault(v, "android", "imei_null",
			   "no IMEI record in /data/nvram nor in the NVRAM BinRegion (%s): the phone shows \"IMEI null\" and "
			   "has no network; only the phone's own NVRAM backup brings it back",
			   nv.bin_ok ? "it lacks md/NVRAM/NVD_IMEI/MP0B_001" : "the partition is blank or damaged");
	else if (!nv.bin_imei)
		eval_note(v, "android", "binregion_without_imei",
			  "the NVRAM BinRegion holds no IMEI record: the IMEI lives only in /data/nvram and the next factory "
			  "reset or data format loses it (back the phone's NVRAM up now)");
	judge_addresses(v, &nv, f);
	return 0;
}
