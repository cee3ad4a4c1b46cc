/* unifw universal build (unifw/universal.h, docs/universal.md "Build"). Open the base and every phone,
 * fingerprint them, refuse (one reason per line) what the base's kernel cannot run, then build in a folder beside
 * OUT: the system image (the base's, with each phone's overlay files under /system/unifw/<variant>/ and empty
 * placeholders for bind targets the base lacks: port_system.c's unifw_port_system_files, fitted into the smallest
 * phone's ANDROID), the boot image (the base's kernel byte for byte; its ramdisk with the probe, its table and
 * /init.unifw.rc imported by init.rc), the base's cache, the base's scatter downloading only those, and
 * universal.json. The folder becomes OUT by rename: a failure or a refusal leaves no half package. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ops/port_image.h"
#include "unifw/archive.h"
#include "unifw/bootimg.h"
#include "unifw/ext4.h"
#include "unifw/fingerprint.h"
#include "unifw/io.h"
#include "unifw/kernel.h"
#include "unifw/mtkhdr.h"
#include "unifw/package.h"
#include "unifw/partname.h"
#include "unifw/port.h"
#include "unifw/ramdisk.h"
#include "unifw/sparse.h"
#include "unifw/universal.h"

#define UNIV_SCATTER_NAME "MT6572_Android_scatter.txt"
#define UNIV_MAX_BOOTIMG (64u << 20)
#define UNIV_MAX_PROP_TEXT (1u << 20)
#define UNIV_MAX_OVERLAY_FILES 4096u
#define UNIV_MAX_WALK_DEPTH 8u
#define UNIV_MAX_WALK_ENTRIES 200000u
#define UNIV_MAX_REFUSALS 256u

/* What init.rc imports (docs/universal.md "The package"): the probe runs once, as root, when /data is mounted and
 * before the `boot` trigger starts the services that read the files it binds (ccci_mdinit, the WLAN loader). */
static const char init_unifw_rc[] = "service unifw_probe /system/bin/sh /unifw/probe.sh\n"
				    "    user root\n"
				    "    oneshot\n"
				    "    disabled\n"
				    "\n"
				    "on post-fs-data\n"
				    "    mkdir /data/unifw 0700 root root\n"
				    "    start unifw_probe\n"
				    "    wait /dev/.unifw_probe_done 10\n";

struct univ_phone {
	const char *arg;
	struct unifw_package *pkg;
	struct unifw_fingerprint *fp;
	bool backup;
	char system_path[4096];
	char tmp[4096];                /* an archive's images are extracted here; "" none */
	struct unifw_stream file, st;  /* the system image; st: its expanded bytes (a sparse view over file) */
	struct unifw_sparse_view *view;
	bool file_open;
	struct unifw_ext4 *fs;
	uint64_t android_size, boot_size;
	char lcm[UNIFW_PROBE_KEY_MAX], lcm_how[160];
	char touch[UNIFW_NAMES_MAX][UNIFW_PROBE_KEY_MAX];
	size_t touch_count;
	char board[UNIFW_FP_MAX_EMI][UNIFW_PROBE_KEY_MAX];
	size_t board_count;
};

/* One overlay file: where it is in the phone's system, which component and rule take it. */
struct univ_file {
	size_t phone;
	enum unifw_probe_component component;
	const struct unifw_univ_rule *rule;
	char path[UNIFW_PROBE_PATH_MAX];
	char dest[UNIFW_PROBE_PATH_MAX + UNIFW_PROBE_NAME_MAX + 8];
};

struct univ_job {
	const struct unifw_univ_opts *o;
	struct unifw_univ_result *r;
	struct unifw_package *base;
	struct unifw_fingerprint *base_fp;
	char base_boot[4096], base_system[4096], base_cache[4096], base_scatter[4096];
	char base_tmp[4096];           /* an archive base's images are extracted here; "" none */
	struct univ_phone phone[UNIFW_UNIV_MAX_PHONES];
	size_t phone_count;
	struct unifw_univ_rules rules;
	bool rules_loaded;
	struct univ_file *file;
	size_t file_count;
	char **placeholder;
	size_t placeholder_count;
	char tmp[4096];                /* the folder OUT is built in, "" none */
	uint64_t min_android, min_boot;
	size_t min_android_phone, min_boot_phone;
	uint64_t walked;
};

/* ------------------------------------------------------------------ small helpers */

__attribute__((format(printf, 2, 3))) static int refuse(struct univ_job *j, const char *fmt, ...)
{
	struct unifw_univ_result *r = j->r;
	if (r->refusal_count == UNIV_MAX_REFUSALS)
		return 0;
	char (*n)[512] = realloc(r->refusal, (r->refusal_count + 1) * sizeof *n);
	if (!n)
		return UNIFW_E_NOMEM;
	r->refusal = n;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->refusal[r->refusal_count++], sizeof *n, fmt, ap);
	va_end(ap);
	return 0;
}

__attribute__((format(printf, 2, 3))) static int note(struct univ_job *j, const char *fmt, ...)
{
	struct unifw_univ_result *r = j->r;
	if (r->note_count == UNIV_MAX_REFUSALS)
		return 0;
	char (*n)[512] = realloc(r->note, (r->note_count + 1) * sizeof *n);
	if (!n)
		return UNIFW_E_NOMEM;
	r->note = n;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->note[r->note_count++], sizeof *n, fmt, ap);
	va_end(ap);
	return 0;
}

static int nomem(struct unifw_error *err)
{
	return unifw_error_set(err, UNIFW_E_NOMEM, "universal", UNIFW_NO_OFFSET, "out of memory");
}

static int join(char *out, size_t cap, const char *dir, const char *name, struct unifw_error *err)
{
	if (snprintf(out, cap, "%s/%s", dir, name) >= (int)cap)
		return unifw_error_set(err, UNIFW_E_INVALID, name, UNIFW_NO_OFFSET, "path too long under %s", dir);
	return 0;
}

static bool key_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
	       c == '-';
}

/* A key the probe table can carry ([A-Za-z0-9._-], 1..64). */
static bool key_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n >= UNIFW_PROBE_KEY_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!key_char(s[i]))
			return false;
	return true;
}

static bool names_have(const struct unifw_names *n, const char *name)
{
	for (size_t i = 0; i < n->count; i++)
		if (!strcmp(n->name[i], name))
			return true;
	return false;
}

/* The image file of a partition of an opened package (under root: the folder, or where its archive's members were
 * extracted), "" when it has none. */
static void image_path(const struct unifw_package *p, const char *root, const char *part, char *out, size_t cap)
{
	out[0] = 0;
	const struct unifw_package_partition *pp = unifw_package_find(p, part);
	if (pp && pp->item && !pp->item->error && !pp->item->unsafe &&
	    snprintf(out, cap, "%s/%s", root[0] ? root : p->path, pp->item->path) >= (int)cap)
		out[0] = 0;
}

static bool wanted_member(const struct unifw_package *p, const char *const *parts, size_t n, const char *name)
{
	if (p->chosen && p->chosen->item && !strcmp(p->chosen->item->path, name))
		return true;
	for (size_t i = 0; i < n; i++) {
		const struct unifw_package_partition *pp = unifw_package_find(p, parts[i]);
		if (pp && pp->item && !pp->item->unsafe && !strcmp(pp->item->path, name))
			return true;
	}
	return false;
}

/* An archive's scatter and the images of these partitions, extracted in one pass into a temporary folder *tmp
 * (libext2fs and the image readers want files; removed at the end). A folder needs nothing: *tmp stays "". */
static int extract_members(const struct unifw_package *p, const char *const *parts, size_t n, char *tmp, size_t cap,
			   const struct unifw_progress *pr, struct unifw_error *err)
{
	tmp[0] = 0;
	if (p->source != UNIFW_PACKAGE_ARCHIVE)
		return 0;
	const char *t = getenv("TMPDIR");
	snprintf(tmp, cap, "%s/unifw-universal-XXXXXX", t && *t ? t : "/tmp");
	if (!mkdtemp(tmp)) {
		int rc = unifw_error_sys(err, tmp, "no temporary folder for the images of %s", p->path);
		tmp[0] = 0;
		return rc;
	}
	struct unifw_archive *ar = NULL;
	struct unifw_archive_member m;
	int rc = unifw_archive_open(p->path, &ar, err);
	if (rc)
		return rc;
	unifw_progress_begin(pr, "extract", p->path, 0);
	while ((rc = unifw_archive_next(ar, &m, err)) > 0)
		if (m.kind == UNIFW_MEMBER_FILE && wanted_member(p, parts, n, m.name) &&
		    (rc = unifw_archive_extract_current_max(ar, tmp, UNIFW_ARCHIVE_MAX_EXTRACT, err)) != 0)
			break;
	unifw_archive_close(ar);
	unifw_progress_end(pr, rc < 0 ? rc : 0, NULL);
	return rc < 0 ? rc : 0;
}

static const char *partition_canon(const char *name)
{
	const char *c = unifw_partname_resolve(name);
	return c ? c : name;
}

/* ------------------------------------------------------------------ the base */

static int open_base(struct univ_job *j, struct unifw_error *err)
{
	int rc = unifw_package_open_path(j->o->base, &j->base, err);
	if (rc)
		return rc;
	if (j->base->kind != UNIFW_PACKAGE_FIRMWARE || !j->base->chosen)
		return unifw_error_set(err, UNIFW_E_FORMAT, j->o->base, UNIFW_NO_OFFSET,
				       "the base is not a firmware package: no usable scatter file (%s)",
				       unifw_package_type(j->base));
	static const char *const parts[] = { "BOOTIMG", "ANDROID", "CACHE" };
	if ((rc = extract_members(j->base, parts, 3, j->base_tmp, sizeof j->base_tmp, j->o->progress, err)) != 0)
		return rc;
	if ((rc = join(j->base_scatter, sizeof j->base_scatter, j->base_tmp[0] ? j->base_tmp : j->base->path,
		       j->base->chosen->item->path, err)) != 0)
		return rc;
	image_path(j->base, j->base_tmp, "BOOTIMG", j->base_boot, sizeof j->base_boot);
	image_path(j->base, j->base_tmp, "ANDROID", j->base_system, sizeof j->base_system);
	image_path(j->base, j->base_tmp, "CACHE", j->base_cache, sizeof j->base_cache);
	if (!(j->base_fp = malloc(sizeof *j->base_fp)))
		return nomem(err);
	if ((rc = unifw_fingerprint_package(j->base, j->base_fp, err)) != 0)
		return rc;
	if (!j->base_boot[0] && (rc = refuse(j, "the base has no boot image (BOOTIMG): nothing to start the phones with")))
		return nomem(err);
	if (!j->base_system[0] && (rc = refuse(j, "the base has no system image (ANDROID): nothing to lay the overlays into")))
		return nomem(err);
	if (j->base_boot[0] && !j->base_fp->have_kernel &&
	    refuse(j, "the base's boot image has no kernel unifw can read: its LCM and touch drivers are unknown"))
		return nomem(err);
	return 0;
}

/* ------------------------------------------------------------------ the phones */

static int open_phone_system(struct univ_phone *ph, struct unifw_error *err)
{
	struct port_image_info info;
	int rc = port_image_probe(ph->system_path, &info, err);
	if (!rc)
		rc = unifw_stream_open_file(&ph->file, ph->system_path, err);
	if (rc)
		return rc;
	ph->file_open = true;
	if (info.sparse) {
		if ((rc = unifw_sparse_view_open(&ph->file, &ph->view, err)) != 0)
			return rc;
		unifw_sparse_view_stream(ph->view, &ph->st);
		return unifw_ext4_open(&ph->st, &ph->fs, err);
	}
	return unifw_ext4_open(&ph->file, &ph->fs, err);
}

static int open_phone(struct univ_job *j, struct univ_phone *ph, struct unifw_error *err)
{
	int rc = unifw_package_open_path(ph->arg, &ph->pkg, err);
	if (rc)
		return rc;
	ph->backup = ph->pkg->kind == UNIFW_PACKAGE_BACKUP;
	if (!ph->pkg->chosen || (ph->pkg->kind != UNIFW_PACKAGE_BACKUP && ph->pkg->kind != UNIFW_PACKAGE_FIRMWARE))
		return unifw_error_set(err, UNIFW_E_FORMAT, ph->arg, UNIFW_NO_OFFSET,
				       "--phone takes a `unifw backup` folder or a stock package; this is a %s without a "
				       "usable scatter file", unifw_package_type(ph->pkg));
	static const char *const parts[] = { "ANDROID", "BOOTIMG" };
	if ((rc = extract_members(ph->pkg, parts, 2, ph->tmp, sizeof ph->tmp, j->o->progress, err)) != 0)
		return rc;
	if (!(ph->fp = malloc(sizeof *ph->fp)))
		return nomem(err);
	if ((rc = unifw_fingerprint_package(ph->pkg, ph->fp, err)) != 0)
		return rc;
	image_path(ph->pkg, ph->tmp, "ANDROID", ph->system_path, sizeof ph->system_path);
	const struct unifw_fp_part *a = unifw_fp_find_part(ph->fp, "ANDROID"), *b = unifw_fp_find_part(ph->fp, "BOOTIMG");
	ph->android_size = a ? a->size : 0;
	ph->boot_size = b ? b->size : 0;
	if (!ph->system_path[0])
		return refuse(j, "phone %s has no system image (ANDROID): its hardware files cannot be read", ph->arg) ? nomem(err) : 0;
	if (!ph->android_size || !ph->boot_size)
		return refuse(j, "phone %s: its table gives no size for %s: the package could not be fitted to it", ph->arg,
			      ph->android_size ? "BOOTIMG" : "ANDROID") ? nomem(err) : 0;
	return open_phone_system(ph, err);
}

/* [a-z0-9._-], 1..32: from ro.product.device, else ro.product.model, else the folder's name. */
static void variant_name(const struct univ_phone *ph, size_t index, char out[UNIFW_PROBE_NAME_MAX])
{
	const char *src = ph->fp->product_device[0] ? ph->fp->product_device
			  : ph->fp->product_model[0] ? ph->fp->product_model : port_base_name(ph->arg);
	size_t n = 0;
	for (const char *s = src; *s && n + 1 < UNIFW_PROBE_NAME_MAX; s++) {
		char c = *s >= 'A' && *s <= 'Z' ? (char)(*s - 'A' + 'a') : *s;
		out[n++] = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' ? c : '-';
	}
	out[n] = 0;
	if (!n || !strcmp(out, ".") || !strcmp(out, ".."))
		snprintf(out, UNIFW_PROBE_NAME_MAX, "phone%zu", index + 1);
}

/* The panel key: the panel the fingerprint concluded, else the phone's LK's only LCM driver. */
static int panel_key(struct univ_job *j, struct univ_phone *ph, const char *name)
{
	const struct unifw_fingerprint *fp = ph->fp;
	if (fp->panel_lcm[0]) {
		snprintf(ph->lcm, sizeof ph->lcm, "%s", fp->panel_lcm);
		snprintf(ph->lcm_how, sizeof ph->lcm_how, "the panel driver its LK selects (%s)",
			 fp->panel_rule[0] ? fp->panel_rule : "fingerprint");
	} else if (fp->have_lk && fp->lk_lcm.count == 1) {
		snprintf(ph->lcm, sizeof ph->lcm, "%s", fp->lk_lcm.name[0]);
		snprintf(ph->lcm_how, sizeof ph->lcm_how, "its LK's only LCM driver");
	} else {
		return refuse(j, "phone %s (%s): its panel's LCM driver is unknown (its LK has %zu LCM drivers%s): the probe "
				 "could not tell its panel", name, ph->arg, fp->have_lk ? fp->lk_lcm.count : (size_t)0,
			      fp->have_lk ? "" : ", LK unreadable");
	}
	if (!key_ok(ph->lcm))
		return refuse(j, "phone %s (%s): its LCM driver name \"%s\" is not a probe key ([A-Za-z0-9._-])", name, ph->arg,
			      ph->lcm);
	return 0;
}

/* The spellings of a touch driver's name as its kernel holds them (NUL-delimited strings equal to the table
 * spelling but for case): the i2c client's name in sysfs is the kernel's string ("gt9xx"), the fingerprint gives
 * the table's ("GT9XX"). */
static void spellings(struct univ_phone *ph, const uint8_t *img, size_t len, const char *canon)
{
	size_t cl = strlen(canon);
	size_t before = ph->touch_count;
	for (size_t i = 0; i + cl < len && ph->touch_count < UNIFW_NAMES_MAX; i++) {
		if ((i && img[i - 1]) || img[i + cl] || strncasecmp((const char *)img + i, canon, cl))
			continue;
		char name[UNIFW_PROBE_KEY_MAX];
		snprintf(name, sizeof name, "%.*s", (int)cl, (const char *)img + i);
		bool dup = !key_ok(name);
		for (size_t k = 0; k < ph->touch_count && !dup; k++)
			dup = !strcmp(ph->touch[k], name);
		if (!dup)
			snprintf(ph->touch[ph->touch_count++], UNIFW_PROBE_KEY_MAX, "%s", name);
	}
	if (ph->touch_count == before && key_ok(canon) && ph->touch_count < UNIFW_NAMES_MAX)
		snprintf(ph->touch[ph->touch_count++], UNIFW_PROBE_KEY_MAX, "%s", canon);
}

/* The phone's kernel, decompressed (its boot image's kernel section). NULL when it cannot be read. */
static uint8_t *phone_kernel_image(const struct univ_phone *ph, size_t *len)
{
	char path[4096];
	image_path(ph->pkg, ph->tmp, "BOOTIMG", path, sizeof path);
	uint8_t *boot = NULL, *image = NULL;
	size_t bl = 0;
	struct unifw_bootimg b;
	struct unifw_kernel_info ki;
	memset(&b, 0, sizeof b);
	struct unifw_kernel_opts ko = { .image = &image, .image_len = len };
	if (path[0] && unifw_file_read_all(path, UNIV_MAX_BOOTIMG, &boot, &bl, NULL) == 0 &&
	    unifw_bootimg_parse(boot, bl, path, &b, NULL) == 0 && b.hdr.kernel_size &&
	    unifw_kernel_inspect(boot + b.kernel_off, b.hdr.kernel_size, "kernel", &ko, &ki, NULL) != 0)
		image = NULL;
	unifw_bootimg_free(&b);
	free(boot);
	return image;
}

static int touch_keys(struct univ_job *j, struct univ_phone *ph, const char *name)
{
	const struct unifw_names *t = &ph->fp->kernel_touch;
	if (!ph->fp->have_kernel)
		return refuse(j, "phone %s (%s): its kernel cannot be read: its touch driver is unknown", name, ph->arg);
	size_t il = 0;
	uint8_t *img = t->count ? phone_kernel_image(ph, &il) : NULL;
	for (size_t i = 0; i < t->count; i++)
		spellings(ph, img ? img : (const uint8_t *)"", img ? il : 0, t->name[i]);
	free(img);
	if (!ph->touch_count)
		return refuse(j, "phone %s (%s): its kernel has no touch driver unifw knows: the probe could not tell its "
				 "touch controller", name, ph->arg);
	return 0;
}

static void hex(const uint8_t *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		snprintf(out + 2 * i, 3, "%02x", b[i]);
}

/* A backup: its CID's first 9 bytes (MID CBX OID PNM). A stock package knows no CID: every memory part its
 * preloader's EMI table lists (the CID prefix the preloader compares, id_length bytes). */
static int board_keys(struct univ_job *j, struct univ_phone *ph, const char *name)
{
	const struct unifw_fingerprint *fp = ph->fp;
	if (fp->have_cid) {
		hex(fp->cid, 9, ph->board[0]);
		ph->board_count = 1;
		return 0;
	}
	const struct unifw_fp_emi *emi = fp->have_emi_compiled ? fp->emi_compiled : fp->emi_tag;
	size_t n = fp->have_emi_compiled ? fp->emi_compiled_count : fp->emi_tag_count;
	for (size_t i = 0; i < n && ph->board_count < UNIFW_FP_MAX_EMI; i++) {
		size_t l = emi[i].id_length > 16 ? 16 : emi[i].id_length;
		if (!l)
			continue;
		hex(emi[i].id, l, ph->board[ph->board_count]);
		bool dup = false;
		for (size_t k = 0; k < ph->board_count && !dup; k++)
			dup = !strcmp(ph->board[k], ph->board[ph->board_count]);
		ph->board_count += !dup;
	}
	if (!ph->board_count)
		return refuse(j, "phone %s (%s): %s: the probe could not tell its board", name, ph->arg,
			      ph->backup ? "its backup's manifest has no eMMC CID and its preloader lists no memory part"
					 : "a stock package has no CID and its preloader lists no memory part");
	return 0;
}

/* The index the base's kernel mounts a partition from (mmcblk0pN, its compiled map), 0 when unknown. */
static unsigned kmap_index(const struct unifw_fingerprint *k, const char *name, const char *alias)
{
	for (size_t i = 0; k->have_kmap && i < k->kmap_count && i < UNIFW_FP_MAX_PARTS; i++)
		if (!strcasecmp(k->kmap[i].name, name) || (alias && !strcasecmp(k->kmap[i].name, alias)))
			return k->kmap[i].index;
	return 0;
}

/* The kernel mounts /emmc@android, @cache, @usrdata as mmcblk0p<its compiled index>, the N-th entry of the
 * phone's MBR/EBR (docs/check.md "Kernel partition map"; unifw check's ck_rules_mounts judges the same way).
 * /system elsewhere than the phone's ANDROID: no system, the phone reboots in a loop (refused). /cache or /data on
 * another of the three mounted partitions: mount_wrong_fs (refused). On a partition nothing else mounts (a phone
 * with CUSTPACK before USRDATA): it boots, with the data in that partition: a note. */
static const struct {
	const char *part, *alias, *mount;
} mounts[] = { { "ANDROID", "SYSTEM", "/system" }, { "CACHE", NULL, "/cache" }, { "USRDATA", "USERDATA", "/data" } };

static const struct unifw_fp_part *phone_part(const struct univ_phone *ph, size_t m)
{
	const struct unifw_fp_part *p = unifw_fp_find_part(ph->fp, mounts[m].part);
	return p || !mounts[m].alias ? p : unifw_fp_find_part(ph->fp, mounts[m].alias);
}

/* The phone's partition at mmcblk0p<index>, NULL when none of its table has that MBR/EBR entry. */
static const struct unifw_fp_part *part_at(const struct univ_phone *ph, unsigned index)
{
	for (size_t i = 0; i < ph->fp->part_count && i < UNIFW_FP_MAX_PARTS; i++)
		if (ph->fp->parts[i].mbr_index == index)
			return &ph->fp->parts[i];
	return NULL;
}

static int partition_map(struct univ_job *j, const struct univ_phone *ph, const char *name)
{
	const char *how = j->base_fp->kmap_assumed ? "assumed" : "compiled";
	for (size_t i = 0; i < sizeof mounts / sizeof mounts[0]; i++) {
		unsigned k = kmap_index(j->base_fp, mounts[i].part, mounts[i].alias);
		const struct unifw_fp_part *p = phone_part(ph, i), *there = k ? part_at(ph, k) : NULL;
		if (!k || !p || !p->mbr_index || p->mbr_index == k)
			continue;
		bool mounted = false;
		for (size_t o = 0; o < sizeof mounts / sizeof mounts[0] && there; o++)
			mounted |= phone_part(ph, o) == there;
		char what[96];
		snprintf(what, sizeof what, "%s%s", there ? "its " : "no partition", there ? there->name : "");
		if (i == 0 || mounted || !there) {
			if (refuse(j, "the base's kernel mounts %s from mmcblk0p%u (its %s partition map): on phone %s (%s) that is "
				      "%s, its %s is mmcblk0p%u (its MBR/EBR)", mounts[i].mount, k, how, name, ph->arg, what,
				   mounts[i].part, p->mbr_index))
				return UNIFW_E_NOMEM;
		} else if (note(j, "phone %s (%s): the base's kernel mounts %s from mmcblk0p%u (its %s partition map), which "
				   "is its %s, not its %s (mmcblk0p%u): it boots with %s there", name, ph->arg, mounts[i].mount,
				k, how, there->name, mounts[i].part, p->mbr_index, mounts[i].mount)) {
			return UNIFW_E_NOMEM;
		}
	}
	return 0;
}

/* Does the base's kernel drive this phone's panel and touch controller? */
static int drivers(struct univ_job *j, struct univ_phone *ph, const char *name)
{
	const struct unifw_fingerprint *b = j->base_fp;
	if (!b->have_kernel)
		return 0;
	if (ph->lcm[0] && !names_have(&b->kernel_lcm, ph->lcm) &&
	    refuse(j, "the base's kernel has no LCM driver %s (phone %s, %s: %s)", ph->lcm, name, ph->arg, ph->lcm_how))
		return UNIFW_E_NOMEM;
	const struct unifw_names *t = &ph->fp->kernel_touch;
	for (size_t i = 0; i < t->count; i++)
		if (!names_have(&b->kernel_touch, t->name[i]) &&
		    refuse(j, "the base's kernel has no touch driver %s (phone %s, %s: its kernel's touch driver)",
			   t->name[i], name, ph->arg))
			return UNIFW_E_NOMEM;
	return 0;
}

static int phones(struct univ_job *j, struct unifw_error *err)
{
	struct unifw_univ_result *r = j->r;
	for (size_t i = 0; i < j->phone_count; i++) {
		struct univ_phone *ph = &j->phone[i];
		struct unifw_univ_variant_report *v = &r->variant[i];
		unifw_progress_begin(j->o->progress, "fingerprint", ph->arg, 0);
		size_t before = r->refusal_count;
		int rc = open_phone(j, ph, err);
		unifw_progress_end(j->o->progress, rc, NULL);
		if (rc) {
			unifw_error_prefix(err, "phone %s: ", ph->arg);
			return rc;
		}
		r->variant_count = i + 1;
		snprintf(v->source, sizeof v->source, "%s", ph->arg);
		if (r->refusal_count > before)
			continue;
		variant_name(ph, i, v->name);
		for (size_t k = 0; k < i; k++)
			if (!strcmp(r->variant[k].name, v->name) &&
			    refuse(j, "phones %s and %s give the same variant name %s (ro.product.device): list each model once",
				   r->variant[k].source, ph->arg, v->name))
				return nomem(err);
		if (panel_key(j, ph, v->name) || touch_keys(j, ph, v->name) || board_keys(j, ph, v->name) ||
		    drivers(j, ph, v->name) || partition_map(j, ph, v->name))
			return nomem(err);
		snprintf(v->lcm, sizeof v->lcm, "%s", ph->lcm);
		snprintf(v->touch, sizeof v->touch, "%s", ph->touch_count ? ph->touch[0] : "");
		snprintf(v->cid_prefix, sizeof v->cid_prefix, "%s", ph->board_count ? ph->board[0] : "");
		v->android_size = ph->android_size;
		if (!j->min_android || ph->android_size < j->min_android) {
			j->min_android = r->min_android = ph->android_size;
			j->min_android_phone = i;
		}
		if (!j->min_boot || ph->boot_size < j->min_boot) {
			j->min_boot = r->min_boot = ph->boot_size;
			j->min_boot_phone = i;
		}
	}
	return 0;
}

/* ------------------------------------------------------------------ the overlay files */

static const struct unifw_univ_rule *never_rule(const struct univ_job *j, const struct univ_phone *ph,
						const char *path)
{
	for (size_t i = 0; i < j->rules.count; i++) {
		const struct unifw_univ_rule *r = &j->rules.rule[i];
		if (r->kind == UNIFW_UNIV_NEVER && unifw_univ_pattern_match(r->pattern, path, ph->touch[0], ph->lcm))
			return r;
	}
	return NULL;
}

/* The first FILE rule that takes path (any of the phone's touch names stands for {touch}). */
static const struct unifw_univ_rule *file_rule(const struct univ_job *j, const struct univ_phone *ph,
					       const char *path)
{
	for (size_t i = 0; i < j->rules.count; i++) {
		const struct unifw_univ_rule *r = &j->rules.rule[i];
		if (r->kind != UNIFW_UNIV_FILE)
			continue;
		for (size_t t = 0; t < (ph->touch_count ? ph->touch_count : 1); t++)
			if (unifw_univ_pattern_match(r->pattern, path, ph->touch_count ? ph->touch[t] : "", ph->lcm))
				return r;
	}
	return NULL;
}

static bool path_ok(const char *p)
{
	size_t n = strlen(p);
	if (!n || n >= UNIFW_PROBE_PATH_MAX || p[0] == '/' || strstr(p, ".."))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!key_char(p[i]) && p[i] != '/' && p[i] != '+')
			return false;
	return true;
}

static int add_overlay(struct univ_job *j, size_t pi, const char *path, const struct unifw_univ_rule *rule,
		       struct unifw_error *err)
{
	if (j->file_count == UNIV_MAX_OVERLAY_FILES || j->file_count == UNIFW_PROBE_MAX_BINDS)
		return unifw_error_set(err, UNIFW_E_TOO_BIG, j->phone[pi].arg, UNIFW_NO_OFFSET,
				       "the rules take more than %u files from the phones (the probe table's limit)",
				       UNIFW_PROBE_MAX_BINDS);
	if (j->file_count % 64 == 0) {
		struct univ_file *n = realloc(j->file, (j->file_count + 64) * sizeof *n);
		if (!n)
			return nomem(err);
		j->file = n;
	}
	struct univ_file *f = &j->file[j->file_count++];
	memset(f, 0, sizeof *f);
	f->phone = pi;
	f->component = rule->component;
	f->rule = rule;
	snprintf(f->path, sizeof f->path, "%s", path);
	snprintf(f->dest, sizeof f->dest, "unifw/%s/%s", j->r->variant[pi].name, path);
	j->r->variant[pi].files[rule->component]++;
	return 0;
}

/* Every regular file of the phone's system (depth-bounded; a directory linked into itself is bounded by the
 * entry count), through the never and file rules. */
static int walk(struct univ_job *j, size_t pi, const char *dir, unsigned depth, struct unifw_error *err)
{
	struct univ_phone *ph = &j->phone[pi];
	char abs[UNIFW_PROBE_PATH_MAX + 2], rel[UNIFW_PROBE_PATH_MAX];
	snprintf(abs, sizeof abs, "/%s", dir);
	struct unifw_ext4_dirent *ents = NULL;
	size_t n = 0;
	struct unifw_error e2;
	int rc = unifw_ext4_list_dir(ph->fs, abs, UNIFW_EXT4_MAX_DIR_ENTRIES, &ents, &n, NULL, &e2);
	if (rc == UNIFW_E_NOT_FOUND || rc == UNIFW_E_INVALID)
		return 0;
	if (rc) {
		*err = e2;
		return rc;
	}
	if ((j->walked += n) > UNIV_MAX_WALK_ENTRIES)
		rc = unifw_error_set(err, UNIFW_E_TOO_BIG, ph->arg, UNIFW_NO_OFFSET,
				     "more than %u directory entries in the phone's system (a directory linked into itself?)",
				     UNIV_MAX_WALK_ENTRIES);
	for (size_t i = 0; !rc && i < n; i++) {
		if (snprintf(rel, sizeof rel, "%s%s%s", dir, *dir ? "/" : "", ents[i].name) >= (int)sizeof rel)
			continue;
		if (ents[i].kind == 'd' && depth > 1) {
			rc = walk(j, pi, rel, depth - 1, err);
		} else if (ents[i].kind == 'f' && path_ok(rel) && !never_rule(j, ph, rel)) {
			const struct unifw_univ_rule *fr = file_rule(j, ph, rel);
			if (fr && ents[i].size > UNIFW_EXT4_MAX_FILE)
				rc = refuse(j, "phone %s (%s): its /system/%s is %llu bytes, more than the %u MiB an overlay file "
					       "may be", j->r->variant[pi].name, ph->arg, rel, (unsigned long long)ents[i].size,
					    UNIFW_EXT4_MAX_FILE >> 20) ? nomem(err) : 0;
			else if (fr)
				rc = add_overlay(j, pi, rel, fr, err);
		}
	}
	free(ents);
	return rc;
}

static int placeholder_add(struct univ_job *j, const char *path, struct unifw_error *err)
{
	for (size_t i = 0; i < j->placeholder_count; i++)
		if (!strcmp(j->placeholder[i], path))
			return 0;
	char **n = realloc(j->placeholder, (j->placeholder_count + 1) * sizeof *n);
	if (!n)
		return nomem(err);
	j->placeholder = n;
	if (!(n[j->placeholder_count] = strdup(path)))
		return nomem(err);
	j->placeholder_count++;
	return 0;
}

/* ------------------------------------------------------------------ the probe table */

static void one_line(char *s)
{
	for (char *p = s; *p; p++)
		if (*p == '\n' || *p == '\r' || *p == '\t')
			*p = ' ';
}

static void copy_reason(char *dst, const char *src)
{
	snprintf(dst, UNIFW_PROBE_REASON_MAX, "%s", src);
	one_line(dst);
}

static int table_head(struct univ_job *j, struct unifw_error *err)
{
	struct unifw_probe_table *t = &j->r->table;
	for (unsigned c = 0; c < UNIFW_PROBE_COMPONENTS; c++) {
		const struct unifw_univ_rule *s = unifw_univ_rules_find(&j->rules, UNIFW_UNIV_SIGNAL, c);
		const struct unifw_univ_rule *f = unifw_univ_rules_find(&j->rules, UNIFW_UNIV_FALLBACK, c);
		if (!s || !f)
			return unifw_error_set(err, UNIFW_E_FORMAT, "universal.rules", UNIFW_NO_OFFSET,
					       "no [%s %s] section: the probe would not know how to tell the %s apart",
					       s ? "fallback" : "signal", unifw_probe_component_name(c),
					       unifw_probe_component_name(c));
		copy_reason(t->signal[c], s->reason);
		copy_reason(t->fallback[c], f->reason);
	}
	return 0;
}

static void add_match(struct unifw_probe_table *t, enum unifw_probe_component c, unsigned v, const char *key,
		      const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void add_match(struct unifw_probe_table *t, enum unifw_probe_component c, unsigned v, const char *key,
		      const char *fmt, ...)
{
	if (t->match_count == sizeof t->match / sizeof t->match[0])
		return;
	struct unifw_probe_match *m = &t->match[t->match_count++];
	m->component = c;
	m->variant = v;
	snprintf(m->key, sizeof m->key, "%s", key);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m->reason, sizeof m->reason, fmt, ap);
	va_end(ap);
}

static int table_variant(struct univ_job *j, size_t i)
{
	struct unifw_probe_table *t = &j->r->table;
	const struct univ_phone *ph = &j->phone[i];
	const char *name = j->r->variant[i].name;
	struct unifw_probe_variant *v = &t->variant[t->variant_count++];
	/* name lives in r too: GCC cannot tell the two arrays apart (-Wrestrict), so copy by length */
	size_t nlen = strnlen(name, sizeof v->name - 1);
	memcpy(v->name, name, nlen);
	v->name[nlen] = 0;
	snprintf(v->reason, sizeof v->reason, "%s %s (%s, ro.product.device %s)",
		 ph->backup ? "the backup" : "the stock package", ph->arg, ph->fp->product_model[0] ? ph->fp->product_model : "no model",
		 ph->fp->product_device[0] ? ph->fp->product_device : "none");
	one_line(v->reason); /* a path with a line break must not split the table's line */
	add_match(t, UNIFW_PROBE_PANEL, (unsigned)i, ph->lcm, "%s's panel: %s", name, ph->lcm_how);
	for (size_t k = 0; k < ph->touch_count; k++)
		add_match(t, UNIFW_PROBE_TOUCH, (unsigned)i, ph->touch[k], "%s's kernel has the touch driver %s", name,
			  ph->touch[k]);
	for (size_t k = 0; k < ph->board_count; k++)
		add_match(t, UNIFW_PROBE_BOARD, (unsigned)i, ph->board[k],
			  ph->backup ? "%s's eMMC: the first 9 bytes of its CID (MID CBX OID PNM, from its backup)"
				     : "%s: a memory part its preloader's EMI table lists (a stock package has no CID)",
			  name);
	return 0;
}

static int table_binds(struct univ_job *j, struct unifw_error *err)
{
	struct unifw_probe_table *t = &j->r->table;
	if (j->file_count && !(t->bind = calloc(j->file_count, sizeof *t->bind)))
		return nomem(err);
	for (size_t i = 0; i < j->file_count; i++) {
		const struct univ_file *f = &j->file[i];
		struct unifw_probe_bind *b = &t->bind[t->bind_count++];
		b->component = f->component;
		b->variant = (unsigned)f->phone;
		snprintf(b->path, sizeof b->path, "%s", f->path);
		copy_reason(b->reason, f->rule->reason);
	}
	return 0;
}

/* The first "key=value" of key in build.prop text (Android keeps the first value of a ro. property). */
static bool prop_value(const char *text, size_t len, const char *key, char *out, size_t cap)
{
	size_t kl = strlen(key), pos = 0;
	while (pos < len) {
		size_t end = pos;
		while (end < len && text[end] != '\n')
			end++;
		size_t ll = end - pos;
		if (ll && text[pos + ll - 1] == '\r')
			ll--;
		if (ll > kl && !memcmp(text + pos, key, kl) && text[pos + kl] == '=') {
			size_t vl = ll - kl - 1;
			if (vl + 1 > cap)
				return false;
			memcpy(out, text + pos + kl + 1, vl);
			out[vl] = 0;
			return true;
		}
		pos = end + 1;
	}
	return false;
}

static bool value_ok(const char *v)
{
	if (!*v)
		return false;
	for (const char *p = v; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f)
			return false;
	return true;
}

static int table_props(struct univ_job *j, size_t pi, struct unifw_error *err)
{
	struct unifw_probe_table *t = &j->r->table;
	uint8_t *text = NULL;
	size_t len = 0;
	struct unifw_error e2;
	if (unifw_ext4_read_file(j->phone[pi].fs, "/build.prop", UNIV_MAX_PROP_TEXT, &text, &len, &e2))
		return 0; /* no build.prop: no properties */
	int rc = 0;
	for (size_t i = 0; !rc && i < j->rules.count; i++) {
		const struct unifw_univ_rule *r = &j->rules.rule[i];
		char value[sizeof t->prop[0].value];
		if (r->kind != UNIFW_UNIV_PROP || strlen(r->pattern) >= sizeof t->prop[0].key ||
		    !prop_value((const char *)text, len, r->pattern, value, sizeof value) || !value_ok(value))
			continue;
		if (t->prop_count == UNIFW_PROBE_MAX_PROPS) {
			rc = unifw_error_set(err, UNIFW_E_TOO_BIG, j->phone[pi].arg, UNIFW_NO_OFFSET,
					     "the rules take more than %u properties from the phones", UNIFW_PROBE_MAX_PROPS);
			break;
		}
		if (t->prop_count % 16 == 0) {
			struct unifw_probe_prop *n = realloc(t->prop, (t->prop_count + 16) * sizeof *n);
			if (!n) {
				rc = nomem(err);
				break;
			}
			t->prop = n;
		}
		struct unifw_probe_prop *p = &t->prop[t->prop_count++];
		memset(p, 0, sizeof *p);
		p->component = r->component;
		p->variant = (unsigned)pi;
		snprintf(p->key, sizeof p->key, "%s", r->pattern);
		snprintf(p->value, sizeof p->value, "%s", value);
		copy_reason(p->reason, r->reason);
		j->r->variant[pi].props[r->component]++;
	}
	free(text);
	return rc;
}

static int build_table(struct univ_job *j, struct unifw_error *err)
{
	struct unifw_probe_table *t = &j->r->table;
	unifw_probe_table_init(t);
	int rc = table_head(j, err);
	for (size_t i = 0; !rc && i < j->phone_count; i++)
		rc = table_variant(j, i);
	if (!rc)
		rc = table_binds(j, err);
	for (size_t i = 0; !rc && i < j->phone_count; i++)
		rc = table_props(j, i, err);
	return rc;
}

/* ------------------------------------------------------------------ the images */

static int collect_overlays(struct univ_job *j, struct unifw_error *err)
{
	struct unifw_ext4 *base_fs = NULL;
	struct unifw_stream file = { 0 }, st;
	struct unifw_sparse_view *view = NULL;
	struct port_image_info info;
	int rc = 0;
	for (size_t i = 0; !rc && i < j->phone_count; i++)
		rc = walk(j, i, "", UNIV_MAX_WALK_DEPTH, err);
	/* the bind targets the base lacks */
	if (!rc)
		rc = port_image_probe(j->base_system, &info, err);
	if (!rc)
		rc = unifw_stream_open_file(&file, j->base_system, err);
	if (!rc && info.sparse && !(rc = unifw_sparse_view_open(&file, &view, err)))
		unifw_sparse_view_stream(view, &st);
	if (!rc)
		rc = unifw_ext4_open(info.sparse ? &st : &file, &base_fs, err);
	for (size_t i = 0; !rc && i < j->file_count; i++) {
		char abs[UNIFW_PROBE_PATH_MAX + 2];
		struct unifw_ext4_stat s;
		snprintf(abs, sizeof abs, "/%s", j->file[i].path);
		if (unifw_ext4_lstat(base_fs, abs, &s, NULL) != 0)
			rc = placeholder_add(j, j->file[i].path, err);
	}
	unifw_ext4_close(base_fs);
	if (view) {
		unifw_stream_close(&st);
		unifw_sparse_view_close(view);
	}
	if (file.close)
		unifw_stream_close(&file);
	return rc;
}

static int build_system(struct univ_job *j, struct unifw_port_report *rep, struct unifw_error *err)
{
	struct unifw_port_file *files = calloc(j->file_count ? j->file_count : 1, sizeof *files);
	if (!files)
		return nomem(err);
	for (size_t i = 0; i < j->file_count; i++) {
		const struct univ_file *f = &j->file[i];
		files[i] = (struct unifw_port_file){ .dest = f->dest, .source = j->phone[f->phone].fs,
						     .source_path = f->path, .rule = f->rule->id, .reason = f->rule->reason };
	}
	char out[4200];
	int rc = join(out, sizeof out, j->tmp, "system.img", err);
	struct unifw_port_files_in in = {
		.base_path = j->base_system, .files = files, .file_count = j->file_count,
		.placeholders = (const char *const *)j->placeholder, .placeholder_count = j->placeholder_count,
		.partition_size = j->min_android, .out_path = out, .partition = "ANDROID", .progress = j->o->progress,
	};
	if (!rc)
		rc = unifw_port_system_files(&in, rep, err);
	free(files);
	if (rc == UNIFW_E_TOO_BIG) {
		/* the sizes are in the fit's message */
		rc = refuse(j, "the system image does not fit the smallest phone's ANDROID (%s, %llu bytes): %s",
			    j->r->variant[j->min_android_phone].name, (unsigned long long)j->min_android, err->msg)
			     ? nomem(err)
			     : 0;
		return rc;
	}
	struct stat st;
	if (!rc && stat(out, &st) == 0) {
		struct port_image_info info;
		if (port_image_probe(out, &info, NULL) == 0)
			j->r->system_size = info.expanded;
	}
	return rc;
}

/* The edited ramdisk, gzip'd, behind the base's MTK header when it had one. */
static int ramdisk_bytes(struct unifw_ramdisk *rd, uint8_t **out, size_t *out_len, struct unifw_error *err)
{
	uint8_t *gz = NULL;
	size_t gl = 0;
	int rc = unifw_ramdisk_write(rd, UNIFW_RD_GZIP, &gz, &gl, err);
	if (rc)
		return rc;
	size_t hl = rd->has_mtk_header ? UNIFW_MTKHDR_SIZE : 0;
	if (gl > UINT32_MAX - UNIFW_MTKHDR_SIZE || !(*out = malloc(gl + hl))) {
		free(gz);
		return nomem(err);
	}
	if (hl && (rc = unifw_mtkhdr_write(*out, (uint32_t)gl, rd->mtk.name[0] ? rd->mtk.name : "ROOTFS", rd->mtk.maddr,
					    rd->mtk.mode, err)) != 0) {
		free(gz);
		free(*out);
		*out = NULL;
		return rc;
	}
	memcpy(*out + hl, gz, gl);
	*out_len = gl + hl;
	free(gz);
	return 0;
}

static int edit_ramdisk(struct univ_job *j, struct unifw_ramdisk *rd, struct unifw_error *err)
{
	char *table = NULL;
	size_t tl = 0;
	int rc = unifw_probe_table_write(&j->r->table, &table, &tl, err);
	if (!rc)
		rc = unifw_ramdisk_add_file(rd, "unifw/probe.sh", 0750, unifw_probe_script_text, unifw_probe_script_text_len,
					    err);
	if (!rc)
		rc = unifw_ramdisk_add_file(rd, "unifw/probe.rules", 0640, table, tl, err);
	free(table);
	if (!rc)
		rc = unifw_ramdisk_add_file(rd, "init.unifw.rc", 0750, init_unifw_rc, sizeof init_unifw_rc - 1, err);
	if (rc)
		return rc;
	const struct unifw_ramdisk_entry *init = unifw_ramdisk_find(rd, "init.rc");
	if (!init || init->type != UNIFW_RD_FILE)
		return unifw_error_set(err, UNIFW_E_FORMAT, "BOOTIMG", UNIFW_NO_OFFSET,
				       "the base's ramdisk has no init.rc to import /init.unifw.rc from");
	static const char imp[] = "import /init.unifw.rc\n";
	bool nl = init->size && init->data[init->size - 1] != '\n';
	size_t nlen = init->size + nl + sizeof imp - 1;
	char *text = malloc(nlen);
	if (!text)
		return nomem(err);
	if (init->size)
		memcpy(text, init->data, init->size);
	if (nl)
		text[init->size] = '\n';
	memcpy(text + init->size + nl, imp, sizeof imp - 1);
	rc = unifw_ramdisk_add_file(rd, "init.rc", init->mode & 07777, text, nlen, err);
	free(text);
	return rc;
}

static int build_boot(struct univ_job *j, struct unifw_error *err)
{
	uint8_t *img = NULL, *rdb = NULL, *out = NULL;
	size_t len = 0, rdl = 0, out_len = 0;
	struct unifw_bootimg b;
	struct unifw_ramdisk rd;
	memset(&b, 0, sizeof b);
	unifw_ramdisk_init(&rd);
	int rc = unifw_file_read_all(j->base_boot, UNIV_MAX_BOOTIMG, &img, &len, err);
	if (!rc)
		rc = unifw_bootimg_parse(img, len, "the base's boot image", &b, err);
	if (!rc && !b.hdr.ramdisk_size)
		rc = unifw_error_set(err, UNIFW_E_FORMAT, j->base_boot, UNIFW_NO_OFFSET, "the base's boot image has no ramdisk");
	if (!rc)
		rc = unifw_ramdisk_parse(img + b.ramdisk_off, b.hdr.ramdisk_size, "the base's ramdisk", &rd, err);
	if (!rc)
		rc = edit_ramdisk(j, &rd, err);
	if (!rc)
		rc = ramdisk_bytes(&rd, &rdb, &rdl, err);
	if (!rc) /* the kernel section and the header fields are the base's, byte for byte */
		rc = unifw_bootimg_build(&b.hdr, img + b.kernel_off, b.hdr.kernel_size, rdb, rdl,
					 b.hdr.second_size ? img + b.second_off : NULL, b.hdr.second_size, true, &out, &out_len,
					 err);
	char path[4200];
	if (!rc && out_len > j->min_boot)
		rc = refuse(j, "the boot image is %zu bytes, the smallest phone's BOOTIMG (%s) %llu", out_len,
			    j->r->variant[j->min_boot_phone].name, (unsigned long long)j->min_boot)
			     ? nomem(err)
			     : 0;
	else if (!rc && !(rc = join(path, sizeof path, j->tmp, "boot.img", err)))
		rc = unifw_file_write_atomic(path, out, out_len, err);
	j->r->boot_size = out_len;
	free(out);
	free(rdb);
	unifw_ramdisk_free(&rd);
	unifw_bootimg_free(&b);
	free(img);
	return rc;
}

/* The base's scatter: BOOTIMG, ANDROID and (when the base has one) CACHE downloaded; nothing else is in OUT. */
static int build_scatter(struct univ_job *j, struct unifw_error *err)
{
	struct unifw_scatter sc;
	int rc = unifw_scatter_load(j->base_scatter, &sc, err);
	if (rc)
		return rc;
	struct unifw_univ_result *r = j->r;
	for (size_t i = 0; i < sc.count; i++) {
		struct unifw_scatter_part *p = &sc.parts[i];
		const char *c = partition_canon(p->name), *file = NULL;
		if (!strcmp(c, "BOOTIMG"))
			file = "boot.img";
		else if (!strcmp(c, "ANDROID"))
			file = "system.img";
		else if (!strcmp(c, "CACHE") && j->base_cache[0])
			file = "cache.img";
		if (file) {
			snprintf(p->file_name, sizeof p->file_name, "%s", file);
			p->is_download = true;
			if (r->downloaded_count < sizeof r->downloaded / sizeof r->downloaded[0])
				snprintf(r->downloaded[r->downloaded_count++], sizeof r->downloaded[0], "%s", p->name);
		} else {
			snprintf(p->file_name, sizeof p->file_name, "NONE");
			p->is_download = false;
			if (r->never_count < sizeof r->never / sizeof r->never[0] && p->name[0])
				snprintf(r->never[r->never_count++], sizeof r->never[0], "%s", p->name);
		}
	}
	char path[4200];
	if (!(rc = join(path, sizeof path, j->tmp, UNIV_SCATTER_NAME, err)))
		rc = unifw_scatter_save(&sc, sc.dialect, path, err);
	unifw_scatter_free(&sc);
	return rc;
}

/* ------------------------------------------------------------------ OUT */

/* OUT must be absent or an empty folder; the package is built in a folder beside it. */
static int prepare_tmp(struct univ_job *j, struct unifw_error *err)
{
	const char *out = j->o->out_dir;
	bool exists = false;
	int rc = unifw_dir_check_empty(out, &exists, err);
	if (rc)
		return rc;
	size_t l = strlen(out);
	while (l > 1 && out[l - 1] == '/')
		l--;
	if (snprintf(j->tmp, sizeof j->tmp, "%.*s.unifw-XXXXXX", (int)l, out) >= (int)sizeof j->tmp) {
		j->tmp[0] = 0;
		return unifw_error_set(err, UNIFW_E_INVALID, out, UNIFW_NO_OFFSET, "path too long");
	}
	if (!mkdtemp(j->tmp)) {
		rc = unifw_error_sys(err, j->tmp, "cannot create the folder OUT is built in");
		j->tmp[0] = 0;
		return rc;
	}
	chmod(j->tmp, 0755);
	return 0;
}

static int finish_out(struct univ_job *j, struct unifw_error *err)
{
	const char *out = j->o->out_dir;
	snprintf(j->r->verdict, sizeof j->r->verdict, "built");
	snprintf(j->r->scatter, sizeof j->r->scatter, "%s/%s", out, UNIV_SCATTER_NAME);
	struct unifw_jv *js = unifw_univ_result_to_json(j->r, j->o);
	char *text = js ? unifw_jv_to_string(js, true) : NULL;
	unifw_jv_free(js);
	char path[4200];
	int rc = text ? join(path, sizeof path, j->tmp, "universal.json", err) : nomem(err);
	if (!rc) {
		size_t tl = strlen(text);
		text[tl] = '\n'; /* the NUL becomes the last newline */
		rc = unifw_file_write_atomic(path, text, tl + 1, err);
	}
	free(text);
	if (rc)
		return rc;
	(void)rmdir(out); /* an empty OUT makes way; a non-empty one makes rename fail */
	if (rename(j->tmp, out) != 0)
		return unifw_error_sys(err, out, "cannot rename %s to the output folder", j->tmp);
	j->tmp[0] = 0;
	return 0;
}

static int build(struct univ_job *j, struct unifw_error *err)
{
	struct unifw_port_report rep;
	unifw_port_report_init(&rep);
	int rc = unifw_univ_rules_builtin(&j->rules, err);
	j->rules_loaded = rc == 0;
	unifw_progress_begin(j->o->progress, "overlays", "the phones' systems", 0);
	if (!rc)
		rc = collect_overlays(j, err);
	if (!rc && j->r->refusal_count) {
		unifw_progress_end(j->o->progress, rc, "refused");
		return 0;
	}
	if (!rc)
		rc = build_table(j, err);
	unifw_progress_end(j->o->progress, rc, NULL);
	if (!rc)
		rc = prepare_tmp(j, err);
	if (!rc)
		rc = build_system(j, &rep, err);
	j->r->placeholder_count = j->placeholder_count;
	if (!rc && !j->r->refusal_count) {
		unifw_progress_begin(j->o->progress, "boot", "BOOTIMG", 0);
		rc = build_boot(j, err);
		unifw_progress_end(j->o->progress, rc, NULL);
	}
	if (!rc && !j->r->refusal_count && j->base_cache[0]) {
		char path[4200];
		unifw_progress_begin(j->o->progress, "copy", "CACHE", 0);
		if (!(rc = join(path, sizeof path, j->tmp, "cache.img", err)))
			rc = port_copy_file(j->base_cache, path, err);
		unifw_progress_end(j->o->progress, rc, NULL);
	}
	if (!rc && !j->r->refusal_count)
		rc = build_scatter(j, err);
	if (!rc && !j->r->refusal_count)
		rc = finish_out(j, err);
	unifw_port_report_free(&rep);
	return rc;
}

static int run(struct univ_job *j, struct unifw_error *err)
{
	const struct unifw_univ_opts *o = j->o;
	if (o->phone_count > UNIFW_UNIV_MAX_PHONES)
		return refuse(j, "%zu phones: a universal image covers at most %u (the probe table's limit)", o->phone_count,
			      UNIFW_UNIV_MAX_PHONES)
			       ? nomem(err)
			       : 0;
	j->phone_count = o->phone_count;
	for (size_t i = 0; i < j->phone_count; i++)
		j->phone[i].arg = o->phones[i];
	unifw_progress_begin(o->progress, "fingerprint", o->base, 0);
	int rc = open_base(j, err);
	unifw_progress_end(o->progress, rc, NULL);
	if (rc) {
		unifw_error_prefix(err, "the base: ");
		return rc;
	}
	if ((rc = phones(j, err)) != 0 || j->r->refusal_count)
		return rc;
	return build(j, err);
}

static void job_free(struct univ_job *j)
{
	if (j->tmp[0])
		unifw_remove_tree(j->tmp);
	for (size_t i = 0; i < j->phone_count; i++) {
		struct univ_phone *ph = &j->phone[i];
		unifw_ext4_close(ph->fs);
		if (ph->view) {
			unifw_stream_close(&ph->st);
			unifw_sparse_view_close(ph->view);
		}
		if (ph->file_open)
			unifw_stream_close(&ph->file);
		unifw_package_free(ph->pkg);
		free(ph->fp);
		if (ph->tmp[0])
			unifw_remove_tree(ph->tmp);
	}
	if (j->base_tmp[0])
		unifw_remove_tree(j->base_tmp);
	for (size_t i = 0; i < j->placeholder_count; i++)
		free(j->placeholder[i]);
	free(j->placeholder);
	free(j->file);
	if (j->rules_loaded)
		unifw_univ_rules_free(&j->rules);
	unifw_package_free(j->base);
	free(j->base_fp);
	free(j);
}

int unifw_univ_build(const struct unifw_univ_opts *o, struct unifw_univ_result *r, struct unifw_error *err)
{
	memset(r, 0, sizeof *r);
	unifw_probe_table_init(&r->table);
	if (!o || !o->base || !o->out_dir || (o->phone_count && !o->phones))
		return unifw_error_set(err, UNIFW_E_INVALID, "universal", UNIFW_NO_OFFSET,
				       "the base, the phones and the output folder are all needed");
	if (!o->phone_count)
		return unifw_error_set(err, UNIFW_E_INVALID, "universal", UNIFW_NO_OFFSET, "no phone: give --phone at least once");
	struct univ_job *j = calloc(1, sizeof *j);
	if (!j)
		return nomem(err);
	j->o = o;
	j->r = r;
	int rc = run(j, err);
	if (!rc && r->refusal_count) {
		snprintf(r->verdict, sizeof r->verdict, "refused");
		r->table.bind_count = r->table.prop_count = 0;
	}
	job_free(j);
	return rc;
}

void unifw_univ_result_free(struct unifw_univ_result *r)
{
	free(r->refusal);
	free(r->note);
	unifw_probe_table_free(&r->table);
	memset(r, 0, sizeof *r);
}
