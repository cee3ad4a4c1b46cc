/* Fingerprints (include/unifw/fingerprint.h): the per-image extractors shared by a package, a backup and
 * a phone (fingerprint_internal.h), and what is derived from all of them (fp_finish). Sources of each
 * rule: docs/check.md "Fingerprints". */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ops/fingerprint_internal.h"
#include "unifw/bootimg.h"
#include "unifw/emi.h"
#include "unifw/lk.h"
#include "unifw/logo.h"
#include "unifw/mtkhdr.h"
#include "unifw/preloader.h"
#include "unifw/ramdisk.h"
#include "util/bytes.h"

void fp_copy(char *dst, size_t cap, const char *src)
{
	if (cap)
		snprintf(dst, cap, "%s", src ? src : "");
}

void fp_note(struct unifw_fingerprint *fp, const char *fmt, ...)
{
	if (fp->note_count >= UNIFW_FP_MAX_NOTES)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(fp->notes[fp->note_count++], sizeof fp->notes[0], fmt, ap);
	va_end(ap);
}

const char *unifw_fp_source_name(enum unifw_fp_source s)
{
	switch (s) {
	case UNIFW_FP_PACKAGE: return "package";
	case UNIFW_FP_BACKUP: return "backup";
	case UNIFW_FP_PHONE: return "phone";
	}
	return "unknown";
}

const struct unifw_fp_part *unifw_fp_find_part(const struct unifw_fingerprint *fp, const char *name)
{
	for (size_t i = 0; fp && name && i < fp->part_count; i++)
		if (!strcasecmp(fp->parts[i].name, name))
			return &fp->parts[i];
	return NULL;
}

/* --- preloader ------------------------------------------------------------------------------------ */

static void emi_copy(struct unifw_fp_emi *d, const struct unifw_emi_entry *e, uint32_t id_bytes)
{
	memset(d, 0, sizeof *d);
	memcpy(d->id, e->id, id_bytes < sizeof d->id ? id_bytes : sizeof d->id);
	d->id_length = e->id_length;
	d->type = e->type;
	d->dram_vendor = e->dram_vendor;
	d->rank_size[0] = e->rank_size[0];
	d->rank_size[1] = e->rank_size[1];
}

static void preloader_emi(struct fp_ctx *c, const uint8_t *buf, size_t len, const struct unifw_preloader *pl,
			  const char *name)
{
	struct unifw_fingerprint *fp = c->fp;
	struct unifw_emi_table *tag = malloc(sizeof *tag);
	struct unifw_emi_compiled *cc = malloc(sizeof *cc);
	struct unifw_error e = { 0 };
	if (!tag || !cc) {
		fp_note(fp, "%s: out of memory reading the EMI tables", name);
	} else {
		if (unifw_preloader_emi_table(buf, len, pl, tag, &e) == 0) {
			for (size_t i = 0; i < tag->count && fp->emi_tag_count < UNIFW_FP_MAX_EMI; i++)
				emi_copy(&fp->emi_tag[fp->emi_tag_count++], &tag->entry[i], UNIFW_EMI_ID_SIZE);
			if (!fp->preloader_project[0])
				fp_copy(fp->preloader_project, sizeof fp->preloader_project, tag->project);
		} else {
			fp_note(fp, "%s: no MTK_BLOADER_INFO table (%s)", name, e.msg);
		}
		unifw_error_clear(&e);
		if (unifw_preloader_emi_compiled(buf, len, pl, cc, &e) == 0) {
			fp->have_emi_compiled = true;
			for (size_t i = 0; i < cc->count && fp->emi_compiled_count < UNIFW_FP_MAX_EMI; i++)
				emi_copy(&fp->emi_compiled[fp->emi_compiled_count++], &cc->entry[i],
					 UNIFW_EMI_COMPILED_ID_SIZE);
		} else {
			fp_note(fp, "%s: no compiled emi_settings[] found (%s)", name, e.msg);
		}
	}
	free(tag);
	free(cc);
}

void fp_from_preloader(struct fp_ctx *c, const uint8_t *buf, size_t len, const char *name)
{
	struct unifw_fingerprint *fp = c->fp;
	struct unifw_preloader *pl = malloc(sizeof *pl);
	struct unifw_error e = { 0 };
	if (!pl) {
		fp_note(fp, "%s: out of memory", name);
		return;
	}
	if (unifw_preloader_parse(buf, len, name, pl, &e) != 0) {
		fp_note(fp, "%s: not a readable preloader (%s)", name, e.msg);
		free(pl);
		return;
	}
	fp->have_preloader = true;
	if (pl->has_rominfo)
		fp_copy(fp->preloader_platform, sizeof fp->preloader_platform, pl->rominfo.platform);
	/* Newer preloaders also compare the DRAM vendor (MR5) and ranks, and log this when none fits
	 * (docs/format-preloader.md "EMI table"). */
	fp->preloader_dram_info_match = unifw_memfind(buf, len, 0, "no DRAM info match", 18) != SIZE_MAX;
	preloader_emi(c, buf, len, pl, name);
	free(pl);
}

/* --- LK ------------------------------------------------------------------------------------------- */

static void names_append(struct unifw_names *dst, const struct unifw_names *src)
{
	for (size_t i = 0; i < src->count; i++)
		unifw_names_add(dst, src->name[i]);
	if (src->truncated)
		dst->truncated = true;
}

void fp_from_lk(struct fp_ctx *c, const uint8_t *buf, size_t len, const char *name)
{
	struct unifw_fingerprint *fp = c->fp;
	struct unifw_lk_info *lk = malloc(sizeof *lk);
	struct unifw_error e = { 0 };
	if (!lk) {
		fp_note(fp, "%s: out of memory", name);
		return;
	}
	if (unifw_lk_inspect(buf, len, name, lk, &e) != 0) {
		fp_note(fp, "%s: not a readable LK (%s)", name, e.msg);
		free(lk);
		return;
	}
	fp->have_lk = true;
	fp->lk_has_header = lk->has_mtk_header;
	fp_copy(fp->lk_platform, sizeof fp->lk_platform, lk->platform);
	fp_copy(fp->lk_project, sizeof fp->lk_project, lk->project);
	memset(&fp->lk_lcm, 0, sizeof fp->lk_lcm);
	names_append(&fp->lk_lcm, &lk->lcm);
	names_append(&fp->lk_lcm, &lk->lcm_unlisted);
	free(lk);
}

/* --- boot image, kernel, ramdisk ------------------------------------------------------------------ */

static void mtk_name(char *dst, size_t cap, const uint8_t *p, uint64_t n)
{
	dst[0] = '\0';
	if (unifw_mtkhdr_is(p, (size_t)n))
		unifw_copy_field(dst, cap, p + 8, 32 < cap - 1 ? 32 : cap - 1);
}

static void kernel_records(struct fp_ctx *c, const uint8_t *img, size_t len)
{
	struct unifw_fingerprint *fp = c->fp;
	struct unifw_kernel_records *r = malloc(sizeof *r);
	if (!r)
		return;
	unifw_kernel_find_records(img, len, r);
	if (r->have_kmap) {
		fp->have_kmap = true;
		fp->kmap_assumed = false;
		fp->kmap_count = 0;
		for (size_t i = 0; i < r->kmap_count && fp->kmap_count < UNIFW_FP_MAX_PARTS; i++) {
			struct unifw_fp_kmap *k = &fp->kmap[fp->kmap_count++];
			fp_copy(k->name, sizeof k->name, r->kmap[i].name);
			k->index = r->kmap[i].index;
		}
	}
	if (r->have_ccci) {
		fp->have_md1 = true;
		fp->md1_assumed = false;
		fp_copy(fp->md1_type, sizeof fp->md1_type, r->md1_type);
		fp->md1_reserved = r->md1_reserved;
	}
	free(r);
}

static void kernel_section(struct fp_ctx *c, const uint8_t *p, size_t n, const char *name)
{
	struct unifw_fingerprint *fp = c->fp;
	struct unifw_kernel_info *k = malloc(sizeof *k);
	uint8_t *img = NULL;
	size_t img_len = 0;
	struct unifw_kernel_opts ko = { .image = &img, .image_len = &img_len };
	struct unifw_error e = { 0 };
	if (!k) {
		fp_note(fp, "%s: out of memory", name);
		return;
	}
	if (unifw_kernel_inspect(p, n, name, &ko, k, &e) != 0) {
		fp_note(fp, "%s: the kernel does not decompress (%s)", name, e.msg);
		free(k);
		return;
	}
	fp->have_kernel = true;
	fp_copy(fp->kernel_version, sizeof fp->kernel_version, k->version);
	fp_copy(fp->kernel_compression, sizeof fp->kernel_compression, unifw_kernel_comp_name(k->compression));
	memset(&fp->kernel_lcm, 0, sizeof fp->kernel_lcm);
	names_append(&fp->kernel_lcm, &k->lcm);
	names_append(&fp->kernel_lcm, &k->lcm_unlisted);
	fp->kernel_touch = k->touch;
	fp->kernel_camera = k->camera;
	kernel_records(c, img, img_len);
	free(img);
	free(k);
}

/* True when the ramdisk carries a universal image's probe table (unifw/universal.h). */
static bool ramdisk_section(struct fp_ctx *c, const uint8_t *p, size_t n, const char *name)
{
	struct unifw_ramdisk rd;
	struct unifw_error e = { 0 };
	bool probe = false;
	unifw_ramdisk_init(&rd);
	/* The scan keeps no file data: bounded memory whatever the ramdisk inflates to. */
	if (unifw_ramdisk_scan(p, n, name, &rd, &e) == 0) {
		c->fp->ramdisk_has_init = unifw_ramdisk_find(&rd, "init") && unifw_ramdisk_find(&rd, "init.rc");
		probe = unifw_ramdisk_find(&rd, "unifw/probe.rules") != NULL;
	} else {
		fp_note(c->fp, "%s: the ramdisk cannot be read (%s)", name, e.msg);
	}
	unifw_ramdisk_free(&rd);
	return probe;
}

void fp_from_bootimg(struct fp_ctx *c, const uint8_t *buf, size_t len, const char *name)
{
	struct unifw_fingerprint *fp = c->fp;
	struct unifw_bootimg img;
	struct unifw_error e = { 0 };
	fp->have_boot = true;
	if (unifw_bootimg_parse(buf, len, name, &img, &e) != 0) {
		fp->boot_valid = false;
		fp_copy(fp->boot_problem, sizeof fp->boot_problem, e.msg);
		return;
	}
	fp->boot_valid = true;
	fp->boot_page_size = img.hdr.page_size;
	const uint8_t *k = buf + img.kernel_off, *rd = buf + img.ramdisk_off;
	mtk_name(fp->boot_kernel_name, sizeof fp->boot_kernel_name, k, img.hdr.kernel_size);
	mtk_name(fp->boot_ramdisk_name, sizeof fp->boot_ramdisk_name, rd, img.hdr.ramdisk_size);
	kernel_section(c, k, img.hdr.kernel_size, name);
	bool probe = ramdisk_section(c, rd, img.hdr.ramdisk_size, name);
	unifw_bootimg_free(&img);
	if (probe) /* only then is the ramdisk read with its data: the probe table */
		fp_universal_from_bootimg(c, buf, len, name);
}

void fp_from_kernel(struct fp_ctx *c, const uint8_t *buf, size_t len, const char *name)
{
	kernel_section(c, buf, len, name);
}

/* --- logo ----------------------------------------------------------------------------------------- */

void fp_from_logo(struct fp_ctx *c, const uint8_t *buf, size_t len, const char *name)
{
	struct unifw_logo logo;
	struct unifw_error e = { 0 };
	if (unifw_logo_parse(buf, len, name, &logo, &e) != 0) {
		fp_note(c->fp, "%s: not a readable logo (%s)", name, e.msg);
		return;
	}
	c->fp->have_logo = true;
	c->fp->logo_width = logo.width;
	c->fp->logo_height = logo.height;
	c->fp->logo_frames = logo.count;
	unifw_logo_free(&logo);
}

/* --- system: build.prop, modem, modem database ---------------------------------------------------- */

static void build_prop_value(const char *text, size_t len, const char *key, char *dst, size_t cap)
{
	size_t klen = strlen(key);
	for (size_t i = 0; i < len;) {
		size_t end = i;
		while (end < len && text[end] != '\n')
			end++;
		if (end - i > klen && !memcmp(text + i, key, klen) && text[i + klen] == '=') {
			size_t n = end - i - klen - 1;
			while (n && (text[i + klen + 1 + n - 1] == '\r' || text[i + klen + 1 + n - 1] == ' '))
				n--;
			if (n >= cap)
				n = cap - 1;
			memcpy(dst, text + i + klen + 1, n);
			dst[n] = '\0';
		}
		i = end + 1;
	}
}

static void system_build_prop(struct fp_ctx *c, struct unifw_ext4 *fs, const char *name)
{
	struct unifw_fingerprint *fp = c->fp;
	uint8_t *buf = NULL;
	size_t len = 0;
	struct unifw_error e = { 0 };
	if (unifw_ext4_read_file(fs, "/build.prop", 1u << 20, &buf, &len, &e) != 0) {
		fp_note(fp, "%s: no /build.prop (%s)", name, e.msg);
		return;
	}
	const char *t = (const char *)buf;
	fp->system_valid = true;
	build_prop_value(t, len, "ro.build.version.release", fp->android_release, sizeof fp->android_release);
	build_prop_value(t, len, "ro.product.board", fp->product_board, sizeof fp->product_board);
	build_prop_value(t, len, "ro.product.device", fp->product_device, sizeof fp->product_device);
	build_prop_value(t, len, "ro.product.model", fp->product_model, sizeof fp->product_model);
	build_prop_value(t, len, "ro.product.brand", fp->product_brand, sizeof fp->product_brand);
	build_prop_value(t, len, "ro.build.display.id", fp->build_display, sizeof fp->build_display);
	free(buf);
}

/* The names the CCCI loader tries (find_img_to_open): modem_1_<type>_n.img for the kernel's MD1 type,
 * then modem.img. */
static bool modem_name(const char *n)
{
	size_t len = strlen(n);
	if (!strcmp(n, "modem.img"))
		return true;
	return len > 15 && len < 24 && !strncmp(n, "modem_1_", 8) && !strcmp(n + len - 6, "_n.img");
}

static void modem_candidates(struct fp_ctx *c, struct unifw_ext4 *fs)
{
	struct unifw_ext4_dirent *ents = NULL;
	size_t n = 0;
	bool trunc = false;
	if (unifw_ext4_list_dir(fs, "/etc/firmware", 1000, &ents, &n, &trunc, NULL) != 0)
		return;
	for (size_t i = 0; i < n && c->modem_count < FP_MAX_MODEM_CAND; i++) {
		if (ents[i].kind != 'f' || !modem_name(ents[i].name))
			continue;
		struct fp_modem_cand *m = &c->modem[c->modem_count++];
		memset(m, 0, sizeof *m);
		snprintf(m->path, sizeof m->path, "/system/etc/firmware/%.64s", ents[i].name);
		m->size = ents[i].size;
	}
	free(ents);
}

static void modem_read_header(struct fp_ctx *c, struct unifw_ext4 *fs, struct fp_modem_cand *m)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	struct unifw_error e = { 0 };
	m->read = true;
	if (unifw_ext4_read_file(fs, m->path + strlen("/system"), FP_MAX_MODEM, &buf, &len, &e) != 0) {
		fp_note(c->fp, "%s: cannot be read (%s)", m->path, e.msg);
		return;
	}
	m->size = len;
	m->has_header = unifw_md_header_parse(buf, len, m->path, &m->h, NULL) == 0;
	free(buf);
}

static bool mddb_name(const char *n) { return !strncmp(n, "BPLGUInfoCustomApp", 18); }

/* The modem database: /etc/mddb holding files (the MediaTek layout), or a BPLGUInfoCustomApp* file
 * beside the modem. */
static bool has_mddb(struct unifw_ext4 *fs)
{
	static const char *const dirs[] = {"/etc/mddb", "/etc/firmware"};
	bool found = false;
	for (size_t d = 0; d < 2 && !found; d++) {
		struct unifw_ext4_dirent *ents = NULL;
		size_t n = 0;
		bool trunc = false;
		if (unifw_ext4_list_dir(fs, dirs[d], 1000, &ents, &n, &trunc, NULL) == 0)
			for (size_t i = 0; i < n && !found; i++)
				found = ents[i].kind == 'f' && (d == 0 || mddb_name(ents[i].name));
		free(ents);
	}
	return found;
}

static struct fp_modem_cand *modem_choice(struct fp_ctx *c, const char *type)
{
	char want[48];
	snprintf(want, sizeof want, "/system/etc/firmware/modem_1_%s_n.img", type);
	for (size_t i = 0; i < c->modem_count; i++)
		if (!strcmp(c->modem[i].path, want))
			return &c->modem[i];
	for (size_t i = 0; i < c->modem_count; i++)
		if (!strcmp(c->modem[i].path, "/system/etc/firmware/modem.img"))
			return &c->modem[i];
	return NULL;
}

/* The WLAN driver module and its vermagic (kmod.c): absent, present without a readable vermagic (the kernel
 * refuses it too), or present with one. A file that is there but cannot be read (over UNIFW_KMOD_MAX_FILE,
 * not a regular file, a broken file system) leaves the module unknown. */
static void system_wlan_module(struct unifw_fingerprint *fp, struct unifw_ext4 *fs)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	struct unifw_error e = { 0 };
	int rc = unifw_ext4_read_file(fs, UNIFW_WLAN_MODULE_PATH, UNIFW_KMOD_MAX_FILE, &buf, &len, &e);
	if (rc && rc != UNIFW_E_NOT_FOUND) {
		fp_note(fp, "/system%s: not read (%s)", UNIFW_WLAN_MODULE_PATH, e.msg);
		return;
	}
	fp->have_wlan = true;
	fp->wlan_module_present = rc == 0;
	if (fp->wlan_module_present && unifw_kmod_vermagic(buf, len, "wlan_mt.ko", fp->wlan_module_vermagic, &e) != 0)
		fp_note(fp, "/system%s: no vermagic (%s)", UNIFW_WLAN_MODULE_PATH, e.msg);
	free(buf);
}

/* Touch controller firmware: /etc/firmware/T_fw.bin, which a touch driver T asks ueventd for by name
 * (AOSP init devices.c firmware_dirs). An empty file (the universal build's bind placeholder) gives the
 * driver nothing: only non-empty ones are listed. */
static void system_touch_firmware(struct unifw_fingerprint *fp, struct unifw_ext4 *fs)
{
	static const char suffix[] = "_fw.bin";
	const size_t sl = sizeof suffix - 1;
	struct unifw_ext4_dirent *ents = NULL;
	size_t n = 0;
	bool trunc = false;
	struct unifw_error e = { 0 };
	int rc = unifw_ext4_list_dir(fs, "/etc/firmware", 1000, &ents, &n, &trunc, &e);
	if (rc && rc != UNIFW_E_NOT_FOUND) {
		fp_note(fp, "/system/etc/firmware: not listed (%s)", e.msg);
		return;
	}
	fp->have_touch_fw = true;
	fp->touch_fw.truncated = trunc;
	for (size_t i = 0; rc == 0 && i < n; i++) {
		size_t len = strlen(ents[i].name);
		if (ents[i].kind != 'f' || ents[i].size == 0 || len <= sl || len - sl >= UNIFW_NAME_LEN ||
		    strcmp(ents[i].name + len - sl, suffix))
			continue;
		if (fp->touch_fw.count == UNIFW_NAMES_MAX) {
			fp->touch_fw.truncated = true;
			break;
		}
		snprintf(fp->touch_fw.name[fp->touch_fw.count++], UNIFW_NAME_LEN, "%.*s", (int)(len - sl), ents[i].name);
	}
	free(ents);
}

void fp_from_system(struct fp_ctx *c, struct unifw_ext4 *fs, const char *name)
{
	struct unifw_fingerprint *fp = c->fp;
	fp->have_android = true;
	system_build_prop(c, fs, name);
	system_wlan_module(fp, fs);
	system_touch_firmware(fp, fs);
	fp->have_mddb = has_mddb(fs);
	modem_candidates(c, fs);
	fp_universal_overlays(c, fs); /* a universal image's /system/unifw/<variant>/ */
	/* Only the image the kernel would load is read when its MD1 type is known (a phone reads ~5 MiB per
	 * modem); otherwise every candidate, and fp_finish picks. */
	struct fp_modem_cand *m = fp->have_md1 ? modem_choice(c, fp->md1_type) : NULL;
	if (m)
		modem_read_header(c, fs, m);
	else
		for (size_t i = 0; i < c->modem_count; i++)
			modem_read_header(c, fs, &c->modem[i]);
}

/* --- identity ------------------------------------------------------------------------------------- */

static bool copy_has_imei(const struct unifw_idh_copy *cp)
{
	for (size_t i = 0; i < cp->item_count; i++)
		if (cp->items[i].path && strstr(cp->items[i].path, "NVD_IMEI/MP0B_001"))
			return cp->items[i].present;
	return false;
}

void fp_from_idhealth(struct fp_ctx *c, const struct unifw_idhealth *h)
{
	struct unifw_fingerprint *fp = c->fp;
	fp->have_identity = true;
	fp->binregion_valid = h->binregion.available;
	fp->binregion_imei = h->binregion.available && copy_has_imei(&h->binregion);
	if (h->tree.available) {
		fp->data_nvram = true;
		fp->data_imei = copy_has_imei(&h->tree);
	}
	const struct unifw_idh_copy *src = h->binregion.available ? &h->binregion : &h->tree;
	fp_copy(fp->wifi_state, sizeof fp->wifi_state, unifw_nvram_addr_state_name(src->wifi_state));
	fp_copy(fp->bt_state, sizeof fp->bt_state, unifw_nvram_addr_state_name(src->bt_state));
}

void fp_from_userdata(struct fp_ctx *c, struct unifw_ext4 *fs)
{
	struct unifw_ext4_stat st;
	c->fp->have_identity = true;
	c->fp->data_nvram = unifw_ext4_lstat(fs, "/nvram", &st, NULL) == 0 && st.kind == 'd';
	c->fp->data_imei = unifw_ext4_lstat(fs, "/nvram/md/NVRAM/NVD_IMEI/MP0B_001", &st, NULL) == 0 && st.kind == 'f';
}

/* --- derived -------------------------------------------------------------------------------------- */

static void modem_finish(struct fp_ctx *c, const char *type)
{
	struct unifw_fingerprint *fp = c->fp;
	struct fp_modem_cand *m = modem_choice(c, type);
	if (!m) {
		if (fp->have_android && fp->system_valid)
			fp_note(fp, "/system/etc/firmware has neither modem_1_%s_n.img nor modem.img", type);
		return;
	}
	fp->have_modem = m->read;
	fp_copy(fp->modem_path, sizeof fp->modem_path, m->path);
	fp->modem_size = m->size;
	fp->modem_has_header = m->has_header;
	if (m->has_header) {
		fp->md_header_version = m->h.header_version;
		fp->md_bind_sys_id = m->h.bind_sys_id;
		fp->md_mem_size = m->h.mem_size;
		fp->md_img_size = m->h.md_img_size;
		fp_copy(fp->md_build_ver, sizeof fp->md_build_ver, m->h.build_ver);
	}
}

/* No record in the kernel: it was built with its own package's partition table, so its index map is
 * the layout's MBR order (mmcblk0pN of each partition the MBR/EBR chain lists). */
static void kmap_assume(struct unifw_fingerprint *fp)
{
	if (fp->have_kmap || !fp->have_kernel || !fp->have_layout)
		return;
	fp->have_kmap = true;
	fp->kmap_assumed = true;
	fp->kmap_count = 0;
	for (size_t i = 0; i < fp->part_count && fp->kmap_count < UNIFW_FP_MAX_PARTS; i++) {
		const struct unifw_fp_part *p = &fp->parts[i];
		if (!strcasecmp(p->name, "PRELOADER") || !strcasecmp(p->name, "BMTPOOL") || p->name[0] == '(')
			continue;
		struct unifw_fp_kmap *k = &fp->kmap[fp->kmap_count++];
		fp_copy(k->name, sizeof k->name, p->name);
		k->index = p->mbr_index;
	}
}

/* MT6572's default CCCI configuration: MD1_MEM_SIZE 22 MiB, modem type wg (l33tnoob/MT65x2_kernel_lk
 * mediatek/platform/mt6572/kernel/core/mtk_ccci_helper.c). */
#define FP_MD1_DEFAULT_SIZE (22u << 20)

static void panel_choice(struct unifw_fingerprint *fp)
{
	if (fp->source == UNIFW_FP_PACKAGE)
		return;
	if (fp->have_lk && fp->lk_lcm.count == 1) {
		/* LK with one driver uses it whatever the panel (disp_drv.c disp_drv_get_lcm_driver, lcm_count == 1) */
		fp_copy(fp->panel_lcm, sizeof fp->panel_lcm, fp->lk_lcm.name[0]);
		fp_copy(fp->panel_rule, sizeof fp->panel_rule, "only_driver");
	} else {
		fp->panel_lcm[0] = '\0';
		fp_copy(fp->panel_rule, sizeof fp->panel_rule, "unknown");
	}
}

void fp_finish(struct fp_ctx *c)
{
	struct unifw_fingerprint *fp = c->fp;
	if (!fp->have_md1 && fp->have_kernel) {
		fp->have_md1 = true;
		fp->md1_assumed = true;
		fp_copy(fp->md1_type, sizeof fp->md1_type, "wg");
		fp->md1_reserved = FP_MD1_DEFAULT_SIZE;
	}
	modem_finish(c, fp->have_md1 ? fp->md1_type : "wg");
	kmap_assume(fp);
	panel_choice(fp);
}
