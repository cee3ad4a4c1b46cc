/* Identity health (unifw/idhealth.h, docs/identity.md "Identity health"): the BinRegion and the /data/nvram
 * copy judged file by file. The IMEI record is looked at by name and size only; its bytes are never read. */
#include "unifw/idhealth.h"

#include <dirent.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ops/phone_ext4.h"
#include "unifw/backup.h"
#include "unifw/identify.h"
#include "unifw/io.h"

#define NVRAM_PREFIX "/data/nvram/"
#define CALIBRATION_DIR "md/NVRAM/CALIBRAT/"
#define IMEI_SIM2 "md/NVRAM/NVD_IMEI/MP0B_002"
#define SMALL_FILE (64u << 10) /* the WiFi and Bluetooth files are a few hundred bytes */

/* The identity files and the least size each must have (docs/identity.md lists the sources). */
struct expect {
	const char *path, *what;
	uint64_t min_size;
	bool only_when_present; /* SIM 2's record exists on dual-SIM phones only */
};
static const struct expect expected[] = {
	{UNIFW_NVRAM_IMEI, "IMEI record (SIM 1)", 1, false},
	{IMEI_SIM2, "IMEI record (SIM 2)", 1, true},
	/* WIFI_CFG_PARAM_STRUCT: two u16 versions, then the 6-byte MAC */
	{UNIFW_NVRAM_WIFI, "WiFi settings (MAC at offset 4)", UNIFW_NVRAM_WIFI_MAC_OFFSET + 6, false},
	{UNIFW_NVRAM_BT_ADDR, "Bluetooth settings (address first)", 6, false},
};

const char *unifw_idh_level_name(enum unifw_idh_level l)
{
	switch (l) {
	case UNIFW_IDH_OK: return "ok";
	case UNIFW_IDH_NOTE: return "note";
	case UNIFW_IDH_WARNING: return "warning";
	default: return "error";
	}
}

static void verdict(struct unifw_idhealth *h, enum unifw_idh_level level, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void verdict(struct unifw_idhealth *h, enum unifw_idh_level level, const char *code, const char *fmt, ...)
{
	if (level > h->worst)
		h->worst = level;
	if (h->verdict_count == UNIFW_IDH_MAX_VERDICTS)
		return;
	struct unifw_idh_verdict *v = &h->verdict[h->verdict_count++];
	v->level = level;
	snprintf(v->code, sizeof v->code, "%s", code);
	va_list ap;
	va_start(ap, fmt);
	unifw_vsnprintf_words(v->text, sizeof v->text, fmt, ap);
	va_end(ap);
}

static const struct unifw_idh_file *find_file(const struct unifw_idh_copy *c, const char *path)
{
	for (size_t i = 0; i < c->file_count; i++)
		if (!strcmp(c->files[i].path, path))
			return &c->files[i];
	return NULL;
}

/* The items and counts every copy gets, from its file list. */
static void judge_items(struct unifw_idh_copy *c)
{
	c->item_count = 0;
	for (size_t i = 0; i < sizeof expected / sizeof *expected; i++) {
		const struct unifw_idh_file *f = find_file(c, expected[i].path);
		if (!f && expected[i].only_when_present)
			continue;
		struct unifw_idh_item *it = &c->items[c->item_count++];
		it->path = expected[i].path;
		it->what = expected[i].what;
		it->present = f != NULL;
		it->size = f ? f->size : 0;
		it->min_size = expected[i].min_size;
		it->size_ok = f && f->size >= expected[i].min_size;
	}
	for (size_t i = 0; i < c->file_count; i++)
		c->calibration_files += !strncmp(c->files[i].path, CALIBRATION_DIR, strlen(CALIBRATION_DIR));
	c->dual_sim = find_file(c, IMEI_SIM2) != NULL;
}

static const struct unifw_idh_item *item(const struct unifw_idh_copy *c, const char *path)
{
	for (size_t i = 0; c->available && i < c->item_count; i++)
		if (!strcmp(c->items[i].path, path))
			return &c->items[i];
	return NULL;
}

static bool has_ok(const struct unifw_idh_copy *c, const char *path)
{
	const struct unifw_idh_item *it = item(c, path);
	return it && it->size_ok;
}

/* ---------------------------------------------------------------- the two copies */

static int read_binregion(const uint8_t *buf, size_t len, struct unifw_idh_copy *c, struct unifw_error *err)
{
	struct unifw_nvram nv;
	struct unifw_error why;
	unifw_error_clear(&why);
	if (!buf) {
		snprintf(c->note, sizeof c->note, "no NVRAM image");
		return 0;
	}
	if (unifw_nvram_parse(buf, len, "NVRAM", &nv, &why) < 0) {
		unifw_snprintf_words(c->note, sizeof c->note, "not a readable BinRegion: %s", why.msg);
		return 0;
	}
	c->files = calloc(nv.count ? nv.count : 1, sizeof *c->files);
	if (!c->files) {
		unifw_nvram_free(&nv);
		return unifw_error_set(err, UNIFW_E_NOMEM, "NVRAM", UNIFW_NO_OFFSET, "out of memory");
	}
	for (size_t i = 0; i < nv.count; i++) {
		const char *n = nv.files[i].name;
		if (!strncmp(n, NVRAM_PREFIX, strlen(NVRAM_PREFIX)))
			n += strlen(NVRAM_PREFIX);
		snprintf(c->files[i].path, sizeof c->files[i].path, "%s", n);
		c->files[i].size = nv.files[i].size;
	}
	c->file_count = nv.count;
	c->wifi_state = unifw_nvram_wifi_mac(&nv, buf, c->wifi_mac);
	c->bt_state = unifw_nvram_bt_addr(&nv, buf, c->bt_addr);
	c->available = true;
	unifw_nvram_free(&nv);
	judge_items(c);
	return 0;
}

static bool tree_bytes6(const struct unifw_idh_tree *t, const char *rel, size_t at, uint8_t out[6])
{
	uint8_t *b = NULL;
	size_t len = 0;
	bool ok = t->read && t->read(t->ctx, rel, SMALL_FILE, &b, &len, NULL) == 0 && len >= at + 6;
	if (ok)
		memcpy(out, b + at, 6);
	free(b);
	return ok;
}

static int read_tree(const struct unifw_idh_tree *t, struct unifw_idh_copy *c, struct unifw_error *err)
{
	if (!t || !t->files) {
		snprintf(c->note, sizeof c->note, "%s", t && t->absent_note ? t->absent_note : "no /data/nvram copy");
		return 0;
	}
	c->files = calloc(t->count ? t->count : 1, sizeof *c->files);
	if (!c->files)
		return unifw_error_set(err, UNIFW_E_NOMEM, "nvram tree", UNIFW_NO_OFFSET, "out of memory");
	memcpy(c->files, t->files, t->count * sizeof *c->files);
	c->file_count = t->count;
	c->available = true;
	c->wifi_state = tree_bytes6(t, UNIFW_NVRAM_WIFI, UNIFW_NVRAM_WIFI_MAC_OFFSET, c->wifi_mac)
				? unifw_nvram_wifi_mac_state(c->wifi_mac)
				: find_file(c, UNIFW_NVRAM_WIFI) ? UNIFW_NVRAM_BLANK : UNIFW_NVRAM_ABSENT;
	c->bt_state = tree_bytes6(t, UNIFW_NVRAM_BT_ADDR, 0, c->bt_addr) ? unifw_nvram_bt_addr_state(c->bt_addr)
		      : find_file(c, UNIFW_NVRAM_BT_ADDR) ? UNIFW_NVRAM_BLANK : UNIFW_NVRAM_ABSENT;
	judge_items(c);
	return 0;
}

/* ---------------------------------------------------------------- verdicts */

static void judge_imei(struct unifw_idhealth *h)
{
	const struct unifw_idh_copy *b = &h->binregion, *t = &h->tree;
	bool in_bin = has_ok(b, UNIFW_NVRAM_IMEI), in_tree = has_ok(t, UNIFW_NVRAM_IMEI);
	if (!in_bin && !in_tree)
		verdict(h, UNIFW_IDH_ERROR, "imei_missing",
			"IMEI record missing: this phone will show IMEI null (no %s in %s%s%s); only this phone's own NVRAM "
			"backup brings it back",
			UNIFW_NVRAM_IMEI, b->available ? "the BinRegion" : "a readable BinRegion",
			t->available ? " nor in /data/nvram" : "", t->available ? "" : " and no /data/nvram copy was read");
	else if (!in_bin)
		verdict(h, UNIFW_IDH_WARNING, "binregion_lacks_imei",
			b->available ? "BinRegion lacks the IMEI record that /data/nvram has: the next data wipe loses it"
				     : "the NVRAM BinRegion is blank or damaged while /data/nvram has the IMEI record: the next "
				       "data wipe loses it");
	else if (t->available && !in_tree)
		verdict(h, UNIFW_IDH_NOTE, "tree_lacks_imei",
			"/data/nvram lacks the IMEI record the BinRegion holds: the BinRegion is the only copy");
	const struct unifw_idh_item *x = item(b, UNIFW_NVRAM_IMEI), *y = item(t, UNIFW_NVRAM_IMEI);
	if (x && y && x->present && y->present && x->size != y->size)
		verdict(h, UNIFW_IDH_WARNING, "imei_size_differs",
			"the IMEI record is %llu bytes in the BinRegion and %llu in /data/nvram: one copy is damaged",
			(unsigned long long)x->size, (unsigned long long)y->size);
	if (b->available && t->available && b->dual_sim != t->dual_sim)
		verdict(h, UNIFW_IDH_WARNING, "sim2_imei_one_copy",
			"the second SIM's IMEI record (%s) is only in %s", IMEI_SIM2,
			b->dual_sim ? "the BinRegion" : "/data/nvram");
}

static void judge_calibration(struct unifw_idhealth *h)
{
	const struct unifw_idh_copy *b = &h->binregion, *t = &h->tree;
	size_t bin = b->available ? b->calibration_files : 0, tree = t->available ? t->calibration_files : 0;
	if ((b->available || t->available) && !bin && !tree)
		verdict(h, UNIFW_IDH_ERROR, "calibration_missing",
			"no calibration files (%s): the radio runs uncalibrated; only this phone's own NVRAM backup has them",
			CALIBRATION_DIR);
	else if (b->available && !bin)
		verdict(h, UNIFW_IDH_WARNING, "binregion_lacks_calibration",
			"BinRegion lacks the calibration files that /data/nvram has: the next data wipe loses them");
}

static const struct unifw_idh_copy *live_copy(const struct unifw_idhealth *h, bool wifi)
{
	/* /data/nvram is what the phone uses once booted; the BinRegion only when there is none */
	const struct unifw_idh_copy *t = &h->tree;
	if (t->available && (wifi ? t->wifi_state : t->bt_state) != UNIFW_NVRAM_ABSENT)
		return t;
	return h->binregion.available ? &h->binregion : NULL;
}

static void judge_addresses(struct unifw_idhealth *h)
{
	char s[18];
	const struct unifw_idh_copy *w = live_copy(h, true), *b = live_copy(h, false);
	if (w) {
		unifw_nvram_format_mac(w->wifi_mac, s);
		if (w->wifi_state == UNIFW_NVRAM_DEFAULT)
			verdict(h, UNIFW_IDH_WARNING, "wifi_mac_template",
				"WiFi MAC is MediaTek's 00:08:22 template (%s): the same from boot to boot, but not this "
				"phone's own", s);
		else if (w->wifi_state != UNIFW_NVRAM_SET)
			verdict(h, UNIFW_IDH_WARNING, "wifi_mac_blank",
				"WiFi MAC is %s: the WLAN driver makes up 00:08:22 plus three bytes of its boot-time tick, a "
				"different MAC after every boot", w->wifi_state == UNIFW_NVRAM_ABSENT ? "missing" : "blank");
	}
	if (b) {
		unifw_nvram_format_mac(b->bt_addr, s);
		const char *chip = unifw_nvram_bt_default_chip(b->bt_addr);
		if (b->bt_state == UNIFW_NVRAM_DEFAULT)
			verdict(h, UNIFW_IDH_WARNING, "bt_address_default",
				"Bluetooth address is MediaTek's default for the %s (%s): every phone without its own NVRAM "
				"has it", chip ? chip : "combo chip", s);
		else if (b->bt_state != UNIFW_NVRAM_SET)
			verdict(h, UNIFW_IDH_WARNING, "bt_address_blank", "Bluetooth address is %s",
				b->bt_state == UNIFW_NVRAM_ABSENT ? "missing" : "blank");
	}
	const struct unifw_idh_copy *x = &h->binregion, *y = &h->tree;
	if (x->available && y->available && x->wifi_state == UNIFW_NVRAM_SET && y->wifi_state == UNIFW_NVRAM_SET &&
	    memcmp(x->wifi_mac, y->wifi_mac, 6))
		verdict(h, UNIFW_IDH_NOTE, "wifi_mac_differs",
			"the WiFi MAC of the BinRegion and of /data/nvram differ: the phone uses /data/nvram's");
}

int unifw_idhealth_check(const uint8_t *binregion, size_t len, const struct unifw_idh_tree *tree,
			 struct unifw_idhealth *out, struct unifw_error *err)
{
	memset(out, 0, sizeof *out);
	int rc = read_binregion(binregion, len, &out->binregion, err);
	if (!rc)
		rc = read_tree(tree, &out->tree, err);
	if (rc) {
		unifw_idhealth_free(out);
		return rc;
	}
	if (!out->binregion.available && !out->tree.available)
		verdict(out, UNIFW_IDH_ERROR, "imei_missing",
			"IMEI record missing: this phone will show IMEI null (the NVRAM BinRegion is %s and there is no "
			"/data/nvram copy)", out->binregion.note);
	else {
		judge_imei(out);
		judge_calibration(out);
		judge_addresses(out);
	}
	if (!out->verdict_count)
		verdict(out, UNIFW_IDH_OK, "identity_complete",
			"IMEI record, calibration files, WiFi MAC and Bluetooth address are present and set");
	return 0;
}

void unifw_idhealth_free(struct unifw_idhealth *h)
{
	free(h->binregion.files);
	free(h->tree.files);
	h->binregion.files = h->tree.files = NULL;
}

/* ---------------------------------------------------------------- JSON */

static void address_json(struct unifw_jv *o, const char *key, enum unifw_nvram_addr_state st, const uint8_t a[6])
{
	char s[18], k[40];
	snprintf(k, sizeof k, "%s_state", key);
	unifw_jv_set_str(o, k, unifw_nvram_addr_state_name(st));
	if (st == UNIFW_NVRAM_SET || st == UNIFW_NVRAM_DEFAULT) {
		unifw_nvram_format_mac(a, s);
		unifw_jv_set_str(o, key, s);
	} else {
		unifw_jv_set(o, key, NULL);
	}
}

static void copy_json(const struct unifw_idh_copy *c, struct unifw_jv *o)
{
	unifw_jv_set_str(o, "type", "identity_copy");
	unifw_jv_set_bool(o, "available", c->available);
	if (!c->available) {
		unifw_jv_set_str(o, "note", c->note);
		return;
	}
	unifw_jv_set_uint(o, "file_count", c->file_count);
	struct unifw_jv *files = unifw_jv_set_arr(o, "files");
	for (size_t i = 0; i < c->file_count; i++) {
		struct unifw_jv *f = unifw_jv_push_obj(files);
		unifw_jv_set_str(f, "type", "nvram_file");
		unifw_jv_set_str(f, "name", c->files[i].path);
		unifw_jv_set_uint(f, "size", c->files[i].size);
	}
	address_json(o, "wifi_mac", c->wifi_state, c->wifi_mac);
	address_json(o, "bt_address", c->bt_state, c->bt_addr);
	struct unifw_jv *items = unifw_jv_set_arr(o, "identity_files");
	for (size_t i = 0; i < c->item_count; i++) {
		const struct unifw_idh_item *it = &c->items[i];
		struct unifw_jv *x = unifw_jv_push_obj(items);
		unifw_jv_set_str(x, "type", "identity_file");
		unifw_jv_set_str(x, "name", it->path);
		unifw_jv_set_str(x, "what", it->what);
		unifw_jv_set_bool(x, "present", it->present);
		unifw_jv_set_uint(x, "size", it->size);
		unifw_jv_set_uint(x, "min_size", it->min_size);
		unifw_jv_set_bool(x, "size_ok", it->size_ok);
	}
	unifw_jv_set_uint(o, "calibration_files", c->calibration_files);
	unifw_jv_set_bool(o, "dual_sim", c->dual_sim);
}

void unifw_idhealth_to_json(const struct unifw_idhealth *h, struct unifw_jv *obj)
{
	unifw_jv_set_bool(obj, "healthy", h->worst != UNIFW_IDH_ERROR);
	unifw_jv_set_str(obj, "worst", unifw_idh_level_name(h->worst));
	copy_json(&h->binregion, unifw_jv_set_obj(obj, "binregion"));
	copy_json(&h->tree, unifw_jv_set_obj(obj, "nvram_tree"));
	struct unifw_jv *arr = unifw_jv_set_arr(obj, "verdicts");
	for (size_t i = 0; i < h->verdict_count; i++) {
		struct unifw_jv *v = unifw_jv_push_obj(arr);
		unifw_jv_set_str(v, "type", "identity_verdict");
		unifw_jv_set_str(v, "level", unifw_idh_level_name(h->verdict[i].level));
		unifw_jv_set_str(v, "code", h->verdict[i].code);
		unifw_jv_set_str(v, "text", h->verdict[i].text);
	}
}

/* ---------------------------------------------------------------- sources */

struct file_list {
	struct unifw_idh_file *v;
	size_t n, cap;
	bool nomem;
};

static void push_file(struct file_list *l, const char *rel, uint64_t size)
{
	if (l->n == l->cap) {
		size_t ncap = l->cap ? l->cap * 2 : 32;
		struct unifw_idh_file *nv = realloc(l->v, ncap * sizeof *nv);
		if (!nv) {
			l->nomem = true;
			return;
		}
		l->v = nv;
		l->cap = ncap;
	}
	snprintf(l->v[l->n].path, sizeof l->v[l->n].path, "%s", rel);
	l->v[l->n++].size = size;
}

/* Regular files under a folder on disk (links not followed; bounded as the phone walk is). */
static void disk_walk(const char *root, const char *rel, unsigned depth, struct file_list *l)
{
	char path[4400];
	snprintf(path, sizeof path, "%s%s%s", root, rel[0] ? "/" : "", rel);
	DIR *d = depth < OPS_TREE_MAX_DEPTH ? opendir(path) : NULL;
	struct dirent *de;
	while (d && (de = readdir(d)) && l->n < OPS_TREE_MAX_ENTRIES && !l->nomem) {
		char sub[4400], subrel[1024];
		struct stat st;
		if (!ops_tree_name_ok(de->d_name) ||
		    snprintf(subrel, sizeof subrel, "%s%s%s", rel, rel[0] ? "/" : "", de->d_name) >= (int)sizeof subrel ||
		    snprintf(sub, sizeof sub, "%s/%s", root, subrel) >= (int)sizeof sub || lstat(sub, &st) < 0)
			continue;
		if (S_ISREG(st.st_mode))
			push_file(l, subrel, (uint64_t)st.st_size);
		else if (S_ISDIR(st.st_mode))
			disk_walk(root, subrel, depth + 1, l);
	}
	if (d)
		closedir(d);
}

static int disk_read(void *ctx, const char *rel, size_t max, uint8_t **buf, size_t *len, struct unifw_error *err)
{
	char path[4400];
	snprintf(path, sizeof path, "%s/%s", (const char *)ctx, rel);
	return unifw_file_read_all(path, max, buf, len, err);
}

static int check_with_tree(const uint8_t *bin, size_t len, const char *tree_dir, const char *absent,
			   struct unifw_idhealth *out, struct unifw_error *err)
{
	static const struct unifw_idh_file no_files[1]; /* an empty tree is a tree: files must not be NULL */
	struct file_list l = {0};
	struct stat st;
	struct unifw_idh_tree t = {.read = disk_read, .ctx = (void *)tree_dir, .absent_note = absent};
	if (tree_dir && lstat(tree_dir, &st) == 0 && S_ISDIR(st.st_mode)) {
		disk_walk(tree_dir, "", 0, &l);
		if (l.nomem) {
			free(l.v);
			return unifw_error_set(err, UNIFW_E_NOMEM, tree_dir, UNIFW_NO_OFFSET, "out of memory");
		}
		t.files = l.v ? l.v : no_files;
		t.count = l.n;
	}
	int rc = unifw_idhealth_check(bin, len, &t, out, err);
	free(l.v);
	return rc;
}

int unifw_idhealth_of_file(const char *path, struct unifw_idhealth *out, struct unifw_error *err)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc = unifw_file_read_all(path, UNIFW_NVRAM_MAX_REGION, &buf, &len, err);
	if (!rc)
		rc = check_with_tree(buf, len, NULL, "a raw NVRAM image has no /data/nvram copy", out, err);
	free(buf);
	return rc;
}

int unifw_idhealth_of_folder(const char *dir, struct unifw_idhealth *out, struct unifw_error *err)
{
	char bin[4400], tree[4400];
	uint8_t *buf = NULL;
	size_t len = 0;
	struct unifw_error why;
	unifw_error_clear(&why);
	snprintf(bin, sizeof bin, "%s/nvram.bin", dir);
	snprintf(tree, sizeof tree, "%s/%s", dir, "nvram");
	struct stat st;
	if (stat(dir, &st) < 0 || !S_ISDIR(st.st_mode))
		return unifw_error_set(err, UNIFW_E_NOT_FOUND, dir, UNIFW_NO_OFFSET, "not a folder");
	int rc = unifw_file_read_all(bin, UNIFW_NVRAM_MAX_REGION, &buf, &len, &why);
	if (rc == UNIFW_E_NOMEM || rc == UNIFW_E_TOO_BIG) {
		*err = why;
		return rc;
	}
	rc = check_with_tree(rc ? NULL : buf, len, tree, "the folder has no nvram/ copy of /data/nvram", out, err);
	if (!rc && !buf)
		snprintf(out->binregion.note, sizeof out->binregion.note, "no nvram.bin in the folder");
	free(buf);
	return rc;
}

/* ---------------------------------------------------------------- from the phone */

static int ext4_tree_read(void *ctx, const char *rel, size_t max, uint8_t **buf, size_t *len, struct unifw_error *err)
{
	char path[1100];
	snprintf(path, sizeof path, "/nvram/%s", rel);
	return unifw_ext4_read_file(ctx, path, max, buf, len, err);
}

static int read_partition(struct unifw_phone *ph, const struct unifw_phone_layout *l, const char *name,
			  uint8_t **buf, size_t *len, struct unifw_error *err)
{
	const struct unifw_phone_part_entry *p = NULL;
	for (size_t i = 0; i < l->count && !p; i++)
		if (!strcmp(l->part[i].name, name) && l->part[i].offset != UINT64_MAX)
			p = &l->part[i];
	if (!p)
		return unifw_error_set(err, UNIFW_E_NOT_FOUND, name, UNIFW_NO_OFFSET, "the partition table has no %s", name);
	if (p->size > UNIFW_NVRAM_MAX_REGION)
		return unifw_error_set(err, UNIFW_E_TOO_BIG, name, UNIFW_NO_OFFSET, "partition of %llu bytes; limit %u",
				       (unsigned long long)p->size, UNIFW_NVRAM_MAX_REGION);
	struct unifw_stream s;
	int rc = ops_phone_range_stream(ph, p->offset, p->size, name, &s, err);
	if (rc)
		return rc;
	*buf = malloc(p->size ? (size_t)p->size : 1);
	*len = (size_t)p->size;
	rc = *buf ? s.pread(s.ctx, *buf, *len, 0, err)
		  : unifw_error_set(err, UNIFW_E_NOMEM, name, UNIFW_NO_OFFSET, "out of memory");
	unifw_stream_close(&s);
	return rc;
}

int unifw_idhealth_of_phone(struct unifw_phone *ph, struct unifw_idhealth *out, struct unifw_error *err)
{
	struct unifw_phone_layout *l = calloc(1, sizeof *l);
	uint8_t *bin = NULL;
	size_t len = 0;
	struct ops_phone_ext4 *px = NULL;
	struct ops_tree walk = {0};
	struct unifw_idh_file *files = NULL;
	char absent[300] = "";
	struct unifw_error why;
	unifw_error_clear(&why);
	int rc = l ? unifw_phone_layout_read(ph, l, err) : unifw_error_set(err, UNIFW_E_NOMEM, "phone", 0, "out of memory");
	if (rc)
		goto out;
	rc = read_partition(ph, l, "NVRAM", &bin, &len, &why);
	if (rc && rc != UNIFW_E_NOT_FOUND) {
		*err = why;
		goto out;
	}
	unifw_error_clear(&why);
	rc = ops_phone_ext4_open(ph, l, "USRDATA", &px, &why);
	if (!rc)
		rc = ops_ext4_walk(ops_phone_ext4_fs(px), "/nvram", &walk, &why);
	if (rc == UNIFW_E_NOT_FOUND || rc == UNIFW_E_FORMAT || rc == UNIFW_E_LIBRARY) {
		unifw_snprintf_words(absent, sizeof absent, "no /nvram in USRDATA: %s", why.msg);
		rc = 0;
	} else if (rc) {
		*err = why;
		goto out;
	}
	struct unifw_idh_tree t = {.read = ext4_tree_read, .ctx = ops_phone_ext4_fs(px), .absent_note = absent};
	if (!absent[0]) {
		files = calloc(walk.count ? walk.count : 1, sizeof *files);
		if (!files) {
			rc = unifw_error_set(err, UNIFW_E_NOMEM, "phone", UNIFW_NO_OFFSET, "out of memory");
			goto out;
		}
		for (size_t i = 0; i < walk.count; i++)
			if (walk.v[i].kind == 'f') {
				snprintf(files[t.count].path, sizeof files[t.count].path, "%s", walk.v[i].path);
				files[t.count++].size = walk.v[i].size;
			}
		t.files = files;
	}
	rc = unifw_idhealth_check(bin, len, &t, out, err);
out:
	free(files);
	ops_tree_free(&walk);
	ops_phone_ext4_close(px);
	free(bin);
	free(l);
	return rc;
}
