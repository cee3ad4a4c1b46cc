/* unifw check: where the flash puts each image on this phone, as SP Flash Tool's Download does it and the
 * virtual phone's flash-package copies it (docs/check.md "Rules", layout): an image goes to its scatter
 * linear address minus the PHONE's boot region, a package whose images fall before the phone's user area
 * or past its end is refused whole (nothing written), and a Download of the whole package rewrites the
 * PMT from the scatter. The later stages then find UBOOT, BOOTIMG, NVRAM and USRDATA through that PMT
 * (preloader part_get, LK part_init_pmt, the kernel's dum-char; docs/sim.md "Boot evaluation"). */
#include "ops/check_internal.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static bool only_selects(const char *only, const char *name)
{
	if (!only[0])
		return true;
	size_t n = strlen(name);
	for (const char *p = only; *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);
		if (len == n && !strncasecmp(p, name, n))
			return true;
		p += len + (end ? 1 : 0);
	}
	return false;
}

static bool is_preloader(const struct unifw_fp_part *p)
{
	return !strcasecmp(p->name, "PRELOADER");
}

static bool is_identity(const char *name)
{
	return ck_name_is(name, "NVRAM", "PRO_INFO") || ck_name_is(name, "PROTECT_F", "PROTECT_S");
}

/* A user-area image the Download writes (the preloader is judged on its own). The identity partitions only
 * with include_identity (unifw flash's rule; a stock package does not download them anyway), and a backup
 * used as the package (a donor) never gives its user data (flash plan: donor_user_data). */
bool ck_part_written(const struct ck *c, const struct unifw_fp_part *p)
{
	if (c->refused || !p->download || !p->image_bytes || is_preloader(p) || !only_selects(c->opts.only, p->name))
		return false;
	if (is_identity(p->name) && !c->opts.include_identity)
		return false;
	return c->pkg->source != UNIFW_FP_BACKUP || !ck_name_is(p->name, "USRDATA", "FAT");
}

/* User-area offset of a linear address on the side's own terms (UINT64_MAX: before the user area). */
uint64_t ck_offset(const struct ck *c, const struct unifw_fingerprint *side, uint64_t linear)
{
	uint64_t base = side == c->pkg ? c->pkg_base : c->br;
	return linear >= base ? linear - base : UINT64_MAX;
}

static uint64_t phone_offset(const struct ck *c, uint64_t linear)
{
	return ck_offset(c, c->phone, linear);
}

/* The flash's own refusal: an image before the phone's user area (a package made for a smaller boot
 * region) or past its end, or larger than its partition (a sparse image: expanded). SP Flash Tool and the
 * sim's flash-package refuse those (the sim finds an oversized image only when it reaches it); nothing
 * of the package is taken to be written then. */
void ck_flash_model(struct ck *c)
{
	c->refused = false;
	c->br = c->phone->boot_region ? c->phone->boot_region : c->pkg->boot_region;
	/* --repartition writes the package's layout as its own: its offsets from its own boot region
	 * (flash_repartition.c) */
	c->pkg_base = c->opts.repartition && c->pkg->boot_region ? c->pkg->boot_region : c->br;
	if (c->pkg->storage[0] && strcasecmp(c->pkg->storage, "EMMC"))
		c->refused = true;
	for (size_t i = 0; !c->refused && c->pkg->have_layout && i < c->pkg->part_count; i++) {
		const struct unifw_fp_part *p = &c->pkg->parts[i];
		if (!ck_part_written(c, p))
			continue;
		uint64_t off = ck_offset(c, c->pkg, p->linear);
		uint64_t user = c->phone->user_size;
		if (off == UINT64_MAX || (user && (off > user || p->size > user - off)))
			c->refused = true;
		if (p->size && p->image_bytes > p->size) /* SP Flash Tool 5054/5056; unifw flash: too_big */
			c->refused = true;
	}
	c->pmt_from_package = !c->refused && c->pkg->have_layout && !c->opts.only[0];
}

bool ck_locate(const struct ck *c, const char *name, const char *alias, uint64_t *offset)
{
	const struct unifw_fingerprint *side = c->pmt_from_package ? c->pkg : c->phone;
	const struct unifw_fp_part *p = ck_find_part(side, name, alias);
	if (!p || ck_offset(c, side, p->linear) == UINT64_MAX)
		return false;
	*offset = ck_offset(c, side, p->linear);
	return true;
}

void ck_at(const struct ck *c, uint64_t offset, struct ck_placed *out)
{
	*out = (struct ck_placed){ CK_FROM_NOTHING, NULL, NULL, offset };
	for (size_t i = 0; c->pkg->have_layout && i < c->pkg->part_count; i++) {
		const struct unifw_fp_part *p = &c->pkg->parts[i];
		if (!ck_part_written(c, p))
			continue;
		uint64_t off = ck_offset(c, c->pkg, p->linear);
		if (off == offset) {
			*out = (struct ck_placed){ CK_FROM_PACKAGE, c->pkg, p, offset };
			return;
		}
		if (off != UINT64_MAX && offset > off && offset - off < p->image_bytes)
			*out = (struct ck_placed){ CK_FROM_CLOBBERED, NULL, p, offset };
	}
	if (out->origin == CK_FROM_CLOBBERED)
		return;
	for (size_t i = 0; c->phone->have_layout && i < c->phone->part_count; i++) {
		const struct unifw_fp_part *p = &c->phone->parts[i];
		if (!is_preloader(p) && phone_offset(c, p->linear) == offset) {
			*out = (struct ck_placed){ CK_FROM_PHONE, c->phone, p, offset };
			return;
		}
	}
}

bool ck_placed_by_name(const struct ck *c, const char *name, const char *alias, struct ck_placed *out)
{
	uint64_t off;
	if (!ck_locate(c, name, alias, &off)) {
		*out = (struct ck_placed){ CK_FROM_NOTHING, NULL, NULL, UINT64_MAX };
		return false;
	}
	ck_at(c, off, out);
	return true;
}

void ck_describe(const struct ck_placed *p, char *out, size_t len)
{
	switch (p->origin) {
	case CK_FROM_PACKAGE: snprintf(out, len, "the package's %s image", p->part->name); break;
	case CK_FROM_PHONE: snprintf(out, len, "the phone's own %s", p->part->name); break;
	case CK_FROM_CLOBBERED:
		snprintf(out, len, "the middle of the package's %s image", p->part->name);
		break;
	default: snprintf(out, len, "no partition's start"); break;
	}
}
