/* unifw port: the kernel transplant (include/unifw/port.h, docs/port.md "Kernel transplant").
 *
 * A boot or recovery image is [header page][kernel][ramdisk][second]. The kernel must be the phone's: it
 * holds the LCM and touch drivers of its panel and the partition map its eMMC was laid out with, and the
 * phone's LK loads it at the addresses of the phone's header. The ramdisk is Android's (the base's init,
 * init.rc, sepolicy), except for what the rule table says belongs to the hardware (fstab, modules, the
 * hardware init scripts). So: the stock image's header fields and kernel section, the base's ramdisk
 * merged with the phone's files the ramdisk rules name. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "unifw/bootimg.h"
#include "unifw/kernel.h"
#include "unifw/mtkhdr.h"
#include "unifw/port.h"
#include "unifw/ramdisk.h"

struct port_boot {
	const struct unifw_port_boot_in *in;
	const char *part;
	struct unifw_bootimg base, stock;
	struct unifw_ramdisk base_rd, stock_rd;
	struct unifw_port_report *rep;
	struct unifw_error *err;
};

/* One line of the report; the text is cut to the report's field (unifw_port_change.reason). */
__attribute__((format(printf, 6, 7))) static int report(struct port_boot *pb, const char *path, const char *action,
							const char *source, const struct unifw_port_rule *rule,
							const char *fmt, ...)
{
	char why[sizeof((struct unifw_port_change *)0)->reason];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	if (unifw_port_report_add(pb->rep, pb->part, path, action, source, rule ? rule->id : "", "%s", why))
		return unifw_error_set(pb->err, UNIFW_E_NOMEM, pb->part, UNIFW_NO_OFFSET, "out of memory");
	return 0;
}

/* ------------------------------------------------------------------ the two images */

static int parse_sides(struct port_boot *pb)
{
	const struct unifw_port_boot_in *in = pb->in;
	char name[96];
	int rc;
	snprintf(name, sizeof name, "the base's %s image", pb->part);
	if ((rc = unifw_bootimg_parse(in->base, in->base_len, name, &pb->base, pb->err)) != 0)
		return rc;
	if (!pb->base.hdr.ramdisk_size)
		return unifw_error_set(pb->err, UNIFW_E_FORMAT, name, UNIFW_NO_OFFSET,
				       "it has no ramdisk (ramdisk_size 0): nothing to run Android with");
	if ((rc = unifw_ramdisk_parse(in->base + pb->base.ramdisk_off, pb->base.hdr.ramdisk_size, name, &pb->base_rd,
				      pb->err)) != 0) {
		unifw_error_prefix(pb->err, "the base's %s ramdisk cannot be read: ", pb->part);
		return rc;
	}
	/* the phone's image is a whole partition from a backup: bytes after the image are its tail, ignored */
	snprintf(name, sizeof name, "the phone's %s image", pb->part);
	if ((rc = unifw_bootimg_parse(in->stock, in->stock_len, name, &pb->stock, pb->err)) != 0)
		return rc;
	if (pb->stock.hdr.kernel_size == 0)
		return unifw_error_set(pb->err, UNIFW_E_FORMAT, name, 0x08,
				       "it has no kernel (kernel_size 0): the phone's kernel is what port transplants");
	if (!pb->stock.hdr.ramdisk_size)
		return 0; /* nothing to take from it: every rule reports "kept" */
	if ((rc = unifw_ramdisk_parse(in->stock + pb->stock.ramdisk_off, pb->stock.hdr.ramdisk_size, name,
				      &pb->stock_rd, pb->err)) != 0) {
		unifw_error_prefix(pb->err, "the phone's %s ramdisk cannot be read: ", pb->part);
		return rc;
	}
	return 0;
}

/* ------------------------------------------------------------------ the ramdisk merge */

static struct unifw_ramdisk_entry *find_mut(struct unifw_ramdisk *rd, const char *path)
{
	return (struct unifw_ramdisk_entry *)unifw_ramdisk_find(rd, path);
}

static void copy_owner(struct unifw_ramdisk_entry *dst, const struct unifw_ramdisk_entry *src)
{
	dst->mode = src->mode;
	dst->uid = src->uid;
	dst->gid = src->gid;
	dst->mtime = src->mtime;
}

/* Directories on the way to a phone file the base lacks come with the phone's owner and mode (e.g.
 * lib/modules 0755 root). */
static int add_parents(struct port_boot *pb, const char *path)
{
	char prefix[512];
	for (const char *slash = strchr(path, '/'); slash; slash = strchr(slash + 1, '/')) {
		size_t n = (size_t)(slash - path);
		if (n >= sizeof prefix)
			return unifw_error_set(pb->err, UNIFW_E_TOO_BIG, pb->part, UNIFW_NO_OFFSET, "path too long: %.80s",
					       path);
		memcpy(prefix, path, n);
		prefix[n] = '\0';
		if (unifw_ramdisk_find(&pb->base_rd, prefix))
			continue;
		const struct unifw_ramdisk_entry *ph = unifw_ramdisk_find(&pb->stock_rd, prefix);
		int rc = unifw_ramdisk_add_dir(&pb->base_rd, prefix, ph ? ph->mode & 07777 : 0755, pb->err);
		if (rc)
			return rc;
		if (ph)
			copy_owner(find_mut(&pb->base_rd, prefix), ph);
	}
	return 0;
}

static const char *type_word(enum unifw_rd_type t)
{
	return t == UNIFW_RD_DIR ? "directory" : t == UNIFW_RD_SYMLINK ? "symlink" : t == UNIFW_RD_FILE ? "file"
												      : "special file";
}

/* One file of the phone that a `phone` rule names: it replaces the base's or joins it. */
static int take_entry(struct port_boot *pb, const struct unifw_ramdisk_entry *ph, const struct unifw_port_rule *rule)
{
	const char *path = unifw_ramdisk_canonical(ph->path);
	const struct unifw_ramdisk_entry *had = unifw_ramdisk_find(&pb->base_rd, path);
	int rc;
	if (had && had->type == UNIFW_RD_DIR)
		return 0; /* a directory of the base stays; the phone's files below it are taken one by one */
	if (had && ph->type == had->type && ph->size == had->size && ph->mode == had->mode && ph->uid == had->uid &&
	    ph->gid == had->gid && (!ph->size || !memcmp(ph->data, had->data, ph->size)) &&
	    (!ph->link == !had->link) && (!ph->link || !strcmp(ph->link, had->link)))
		return 0; /* the same file on both sides: nothing changes */
	if ((rc = add_parents(pb, path)) != 0)
		return rc;
	if (ph->type == UNIFW_RD_SYMLINK)
		rc = unifw_ramdisk_add_symlink(&pb->base_rd, path, ph->link, pb->err);
	else
		rc = unifw_ramdisk_add_file(&pb->base_rd, path, ph->mode & 07777, ph->data, ph->size, pb->err);
	if (rc)
		return rc;
	copy_owner(find_mut(&pb->base_rd, path), ph);
	if (had)
		return report(pb, path, UNIFW_PORT_ACT_REPLACED, "phone", rule, "%s (the phone's %s of %zu bytes; the base's had %zu)",
			      rule->reason, type_word(ph->type), ph->size, had->size);
	return report(pb, path, UNIFW_PORT_ACT_ADDED, "phone", rule, "%s (the phone's %s of %zu bytes; the base has none)",
		      rule->reason, type_word(ph->type), ph->size);
}

/* A `base` rule that met a phone file differing from the base's: said, so that nobody wonders. */
static int keep_base(struct port_boot *pb, const struct unifw_ramdisk_entry *ph, const struct unifw_port_rule *rule)
{
	const char *path = unifw_ramdisk_canonical(ph->path);
	const struct unifw_ramdisk_entry *had = unifw_ramdisk_find(&pb->base_rd, path);
	if (ph->type == UNIFW_RD_DIR || (had && had->size == ph->size && (!ph->size || !memcmp(ph->data, had->data, ph->size))))
		return 0;
	return report(pb, path, UNIFW_PORT_ACT_BASE, "base", rule, "%s", rule->reason);
}

/* The fstab the base's init.rc mounts (`mount_all /fstab`) must be the phone's even when the phone names
 * its own differently (JB builds: /fstab, KK: /fstab.mt6572): the phone's one fstab goes under the
 * base's name. Names with a property in them (${ro.hardware}) are left alone. */
static int phone_fstab_under_base_name(struct port_boot *pb, const char *name)
{
	const struct unifw_port_rule *rule = unifw_port_rules_match(pb->in->rules, UNIFW_PORT_SCOPE_RAMDISK, name);
	const struct unifw_ramdisk_entry *only = NULL;
	size_t found = 0;
	if (!rule || rule->take != UNIFW_PORT_TAKE_PHONE || !unifw_ramdisk_path_safe(name) ||
	    unifw_ramdisk_find(&pb->stock_rd, name))
		return 0; /* not a phone file, or taken by its own name already */
	for (size_t i = 0; i < pb->stock_rd.count; i++) {
		const struct unifw_ramdisk_entry *e = &pb->stock_rd.entries[i];
		if (e->type == UNIFW_RD_FILE &&
		    unifw_port_rules_match(pb->in->rules, UNIFW_PORT_SCOPE_RAMDISK, e->path) == rule) {
			only = e;
			found++;
		}
	}
	if (found != 1)
		return 0; /* none, or several the phone chooses between: nothing to guess */
	const struct unifw_ramdisk_entry *had = unifw_ramdisk_find(&pb->base_rd, name);
	if (had && had->type == UNIFW_RD_DIR)
		return 0;
	int rc = unifw_ramdisk_add_file(&pb->base_rd, name, only->mode & 07777, only->data, only->size, pb->err);
	if (rc)
		return rc;
	copy_owner(find_mut(&pb->base_rd, name), only);
	return report(pb, name, had ? UNIFW_PORT_ACT_REPLACED : UNIFW_PORT_ACT_ADDED, "phone", rule,
		      "%s (the phone's %s, %zu bytes, under the name the base's init.rc mounts: mount_all /%s)",
		      rule->reason, unifw_ramdisk_canonical(only->path), only->size, name);
}

static int fstabs_the_base_mounts(struct port_boot *pb)
{
	const struct unifw_ramdisk_entry *init_rc = unifw_ramdisk_find(&pb->base_rd, "init.rc");
	char line[512];
	int rc = 0;
	if (!init_rc || !init_rc->size || init_rc->type != UNIFW_RD_FILE)
		return 0;
	const char *p = (const char *)init_rc->data, *end = p + init_rc->size;
	while (p < end && rc == 0) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);
		if (n < sizeof line) {
			memcpy(line, p, n);
			line[n] = '\0';
			char *w = line + strspn(line, " \t"), name[256];
			if (!strncmp(w, "mount_all", 9) && (w[9] == ' ' || w[9] == '\t') &&
			    sscanf(w + 9, " %255s", name) == 1 && !strchr(name, '$'))
				rc = phone_fstab_under_base_name(pb, unifw_ramdisk_canonical(name));
		}
		p += n + 1;
	}
	return rc;
}

static int merge_ramdisk(struct port_boot *pb)
{
	const struct unifw_port_rules *rules = pb->in->rules;
	bool met[UNIFW_PORT_MAX_RULES] = {false}; /* a phone entry (not a directory) matched the rule */
	int rc = 0;
	if (rules->count > UNIFW_PORT_MAX_RULES)
		return unifw_error_set(pb->err, UNIFW_E_INVALID, pb->part, UNIFW_NO_OFFSET, "more than %u rules",
				       UNIFW_PORT_MAX_RULES);
	for (size_t i = 0; i < pb->stock_rd.count && rc == 0; i++) {
		const struct unifw_ramdisk_entry *ph = &pb->stock_rd.entries[i];
		const struct unifw_port_rule *rule = unifw_port_rules_match(rules, UNIFW_PORT_SCOPE_RAMDISK, ph->path);
		if (!rule || !unifw_ramdisk_canonical(ph->path)[0])
			continue;
		if (ph->type != UNIFW_RD_DIR)
			met[rule - rules->rule] = true;
		if (rule->take == UNIFW_PORT_TAKE_BASE)
			rc = keep_base(pb, ph, rule);
		else if (rule->take == UNIFW_PORT_TAKE_PHONE && (ph->type == UNIFW_RD_FILE || ph->type == UNIFW_RD_SYMLINK))
			rc = take_entry(pb, ph, rule);
		/* hard links and device nodes are never hardware files of a ramdisk; the base's stay */
	}
	if (rc == 0)
		rc = fstabs_the_base_mounts(pb);
	for (size_t i = 0; i < rules->count && rc == 0; i++) {
		const struct unifw_port_rule *rule = &rules->rule[i];
		if (rule->scope != UNIFW_PORT_SCOPE_RAMDISK || rule->take != UNIFW_PORT_TAKE_PHONE || met[i])
			continue;
		rc = report(pb, rule->pattern, UNIFW_PORT_ACT_KEPT, "base", rule,
			    "the phone's ramdisk has no %s: the base's stays (if it has one)", rule->pattern);
	}
	return rc;
}

/* The merged ramdisk, gzip'd behind an MTK header named ROOTFS or RECOVERY (what MediaTek LK checks). */
static int build_ramdisk(struct port_boot *pb, uint8_t **out, size_t *out_len)
{
	uint8_t *gz;
	size_t gz_len;
	int rc = unifw_ramdisk_write(&pb->base_rd, UNIFW_RD_GZIP, &gz, &gz_len, pb->err);
	if (rc)
		return rc;
	if (gz_len > UINT32_MAX - UNIFW_MTKHDR_SIZE) {
		free(gz);
		return unifw_error_set(pb->err, UNIFW_E_TOO_BIG, pb->part, UNIFW_NO_OFFSET, "merged ramdisk of %zu bytes",
				       gz_len);
	}
	uint8_t *buf = malloc(gz_len + UNIFW_MTKHDR_SIZE);
	if (!buf) {
		free(gz);
		return unifw_error_set(pb->err, UNIFW_E_NOMEM, pb->part, UNIFW_NO_OFFSET, "out of memory");
	}
	uint32_t maddr = pb->base_rd.has_mtk_header ? pb->base_rd.mtk.maddr : UNIFW_MTKHDR_DEFAULT_ADDR;
	uint32_t mode = pb->base_rd.has_mtk_header ? pb->base_rd.mtk.mode : UNIFW_MTKHDR_DEFAULT_ADDR;
	rc = unifw_mtkhdr_write(buf, (uint32_t)gz_len, pb->in->recovery ? "RECOVERY" : "ROOTFS", maddr, mode, pb->err);
	memcpy(buf + UNIFW_MTKHDR_SIZE, gz, gz_len);
	free(gz);
	if (rc) {
		free(buf);
		return rc;
	}
	*out = buf;
	*out_len = gz_len + UNIFW_MTKHDR_SIZE;
	return 0;
}

/* ------------------------------------------------------------------ the kernel */

/* The stock kernel section as it is; a bare zImage gets the KERNEL header MediaTek LK looks for. */
static int kernel_section(struct port_boot *pb, uint8_t **out, size_t *out_len)
{
	const uint8_t *k = pb->in->stock + pb->stock.kernel_off;
	size_t kl = pb->stock.hdr.kernel_size;
	bool has = kl >= UNIFW_MTKHDR_SIZE && unifw_mtkhdr_is(k, kl);
	uint8_t *buf = malloc(kl + (has ? 0 : UNIFW_MTKHDR_SIZE));
	if (!buf)
		return unifw_error_set(pb->err, UNIFW_E_NOMEM, pb->part, UNIFW_NO_OFFSET, "out of memory");
	if (!has) {
		int rc = unifw_mtkhdr_write(buf, (uint32_t)kl, "KERNEL", UNIFW_MTKHDR_DEFAULT_ADDR,
					    UNIFW_MTKHDR_DEFAULT_ADDR, pb->err);
		if (rc) {
			free(buf);
			return rc;
		}
	}
	memcpy(buf + (has ? 0 : UNIFW_MTKHDR_SIZE), k, kl);
	*out = buf;
	*out_len = kl + (has ? 0 : UNIFW_MTKHDR_SIZE);
	return 0;
}

static void kernel_version(const uint8_t *k, size_t kl, char *out, size_t cap)
{
	struct unifw_kernel_info ki;
	if (unifw_kernel_inspect(k, kl, "kernel", NULL, &ki, NULL) == 0 && ki.version[0])
		snprintf(out, cap, "%s", ki.version);
	else
		snprintf(out, cap, "unknown version");
}

static int report_kernel(struct port_boot *pb, bool added_hdr)
{
	char phone[64], base[64];
	kernel_version(pb->in->stock + pb->stock.kernel_off, pb->stock.hdr.kernel_size, phone, sizeof phone);
	kernel_version(pb->in->base + pb->base.kernel_off, pb->base.hdr.kernel_size, base, sizeof base);
	return report(pb, "kernel", UNIFW_PORT_ACT_PHONE, "phone", NULL,
		      "the phone's kernel: its LCM/touch drivers and partition map (kernel %s, %u bytes, replaces the "
		      "base's kernel %s)%s",
		      phone, pb->stock.hdr.kernel_size, base, added_hdr ? "; a KERNEL MTK header was added" : "");
}

static int report_header(struct port_boot *pb)
{
	const struct unifw_bootimg_hdr *h = &pb->stock.hdr;
	return report(pb, "header", UNIFW_PORT_ACT_PHONE, "phone", NULL,
		 "header fields of the phone's image: page_size %u, kernel_addr 0x%08x, ramdisk_addr 0x%08x, "
		 "tags_addr 0x%08x, cmdline \"%.120s\" (the phone's LK loads and boots the image with them)",
		 h->page_size, h->kernel_addr, h->ramdisk_addr, h->tags_addr, (const char *)h->cmdline);
}

/* ------------------------------------------------------------------ the job */

static int assemble(struct port_boot *pb, uint8_t **out, size_t *out_len)
{
	uint8_t *kernel = NULL, *ramdisk = NULL;
	size_t kl = 0, rl = 0;
	int rc = kernel_section(pb, &kernel, &kl);
	if (rc == 0)
		rc = merge_ramdisk(pb);
	if (rc == 0)
		rc = build_ramdisk(pb, &ramdisk, &rl);
	if (rc == 0) {
		const uint8_t *second = pb->base.hdr.second_size ? pb->in->base + pb->base.second_off : NULL;
		rc = unifw_bootimg_build(&pb->stock.hdr, kernel, kl, ramdisk, rl, second, pb->base.hdr.second_size, true,
					 out, out_len, pb->err);
	}
	if (rc == 0)
		rc = report_kernel(pb, kl != pb->stock.hdr.kernel_size);
	if (rc == 0)
		rc = report_header(pb);
	free(kernel);
	free(ramdisk);
	if (rc) {
		free(*out);
		*out = NULL;
	}
	return rc;
}

int unifw_port_bootimg(const struct unifw_port_boot_in *in, uint8_t **out, size_t *out_len,
		       struct unifw_port_report *rep, struct unifw_error *err)
{
	struct port_boot pb;
	memset(&pb, 0, sizeof pb);
	pb.in = in;
	pb.part = in->partition ? in->partition : in->recovery ? "RECOVERY" : "BOOTIMG";
	pb.rep = rep;
	pb.err = err;
	unifw_ramdisk_init(&pb.base_rd);
	unifw_ramdisk_init(&pb.stock_rd);
	*out = NULL;
	*out_len = 0;
	if (!in->rules)
		return unifw_error_set(err, UNIFW_E_INVALID, pb.part, UNIFW_NO_OFFSET, "no rule table");
	int rc = parse_sides(&pb);
	if (rc == 0)
		rc = assemble(&pb, out, out_len);
	unifw_ramdisk_free(&pb.base_rd);
	unifw_ramdisk_free(&pb.stock_rd);
	unifw_bootimg_free(&pb.base);
	unifw_bootimg_free(&pb.stock);
	return rc;
}
