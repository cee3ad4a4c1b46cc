/* unifw port: what OUT gets for each partition of the phone's table (port_internal.h; docs/port.md "What
 * comes from where"). OUT's layout is the phone's, always: the phone's preloader, LK and kernel find their
 * partitions through the phone's own table, so the base's images are fitted into it, never the reverse. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ops/port_internal.h"
#include "unifw/flash.h"
#include "unifw/partname.h"

const char *port_how_name(enum port_how h)
{
	switch (h) {
	case PORT_HOW_PHONE: return "phone";
	case PORT_HOW_IDENTITY: return "identity";
	case PORT_HOW_KEEP: return "keep";
	case PORT_HOW_BOOT: return "boot";
	case PORT_HOW_SYSTEM: return "system";
	case PORT_HOW_FIT: return "fit";
	case PORT_HOW_BASE: return "base";
	}
	return "?";
}

/* The ptgen name a partition answers to (boot -> BOOTIMG), else the name as written. */
static const char *ptgen(const char *name)
{
	const char *r = unifw_partname_resolve(name);
	return r ? r : name;
}

int port_layout_base_index(const struct unifw_scatter *base, const char *phone_name)
{
	for (size_t i = 0; i < base->count; i++)
		if (!strcasecmp(base->parts[i].name, phone_name))
			return (int)i;
	for (size_t i = 0; i < base->count; i++)
		if (unifw_partname_matches(phone_name, base->parts[i].name))
			return (int)i;
	return -1;
}

/* The boot chain and the table: what the phone's own preloader and LK need to come up on its hardware
 * (the preloader's EMI table lists its DRAM, LK carries its panel's LCM driver, the MBR/EBRs are the
 * layout its kernel was built for, the logo has its panel's resolution). OUT carries copies for the
 * record; nothing of them is downloaded. */
static const char *boot_chain_reason(const char *n)
{
	if (!strcmp(n, "PRELOADER"))
		return "the phone's own preloader (its EMI table knows this phone's DRAM); never the base's";
	if (!strcmp(n, "UBOOT"))
		return "the phone's own LK (it carries the LCM driver of this phone's panel); never the base's";
	if (!strcmp(n, "MBR") || !strncmp(n, "EBR", 3))
		return "the phone's own partition table: OUT keeps the phone's layout";
	if (!strcmp(n, "LOGO"))
		return "the phone's own boot logo (made for its panel's resolution)";
	return NULL;
}

/* Partitions port never writes although a base may carry an image for them. */
static const char *kept_reason(const char *n)
{
	static const struct {
		const char *name, *why;
	} t[] = {
		{"SECCFG", "secure-boot settings of the phone: the phone keeps its own"},
		{"SEC_RO", "the phone's secure read-only data (secro): the phone keeps its own"},
		{"MISC", "the bootloader message area: the phone keeps what it has"},
		{"EXPDB", "the phone's exception log area: the phone keeps what it has"},
		{"BMTPOOL", "the eMMC's bad-block pool at the end of the device: never written"},
		{"OTP", "one-time-programmable area: never written"},
	};
	for (size_t i = 0; i < sizeof t / sizeof *t; i++)
		if (!strcmp(n, t[i].name))
			return t[i].why;
	return NULL;
}

__attribute__((format(printf, 5, 6))) static void set(struct port_part_plan *pl, enum port_how how, const char *action,
							 const char *source, const char *fmt, ...)
{
	pl->how = how;
	snprintf(pl->action, sizeof pl->action, "%s", action);
	snprintf(pl->source, sizeof pl->source, "%s", source);
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(pl->reason, sizeof pl->reason, fmt, ap);
	va_end(ap);
}

static bool base_has(const struct port_layout_in *in, int bi)
{
	return bi >= 0 && in->base_has_image[bi];
}

static int missing(const char *part, const char *what, struct unifw_error *err)
{
	return unifw_error_set(err, UNIFW_E_NOT_FOUND, part, UNIFW_NO_OFFSET, "%s", what);
}

/* A base image for a partition outside the boot chain, the identity and the fixed ones. */
static int decide_base_image(const struct port_layout_in *in, const struct unifw_scatter_part *p, int bi,
			     struct port_part_plan *pl, struct unifw_error *err)
{
	const char *type = in->base_image_type && in->base_image_type[bi] ? in->base_image_type[bi] : "";
	const char *n = ptgen(p->name);
	if (!strcmp(type, "ext4") || !strcmp(type, "sparse") || !strcmp(n, "CACHE") || !strcmp(n, "USRDATA")) {
		set(pl, PORT_HOW_FIT, UNIFW_PORT_ACT_BASE, "base",
		    "the base's file system, fitted to the phone's partition (%s)", p->name);
		return 0;
	}
	uint64_t bytes = in->base_image_bytes ? in->base_image_bytes[bi] : 0;
	if (p->size && bytes > p->size)
		return unifw_error_set(err, UNIFW_E_TOO_BIG, p->name, UNIFW_NO_OFFSET,
				       "the base's image (%s, %llu bytes) does not fit the phone's partition of %llu bytes",
				       in->base->parts[bi].file_name, (unsigned long long)bytes,
				       (unsigned long long)p->size);
	set(pl, PORT_HOW_BASE, UNIFW_PORT_ACT_BASE, "base", "the base's image as it is (%s); it fits the phone's partition",
	    in->base->parts[bi].file_name);
	return 0;
}

static int decide_one(const struct port_layout_in *in, size_t i, struct port_part_plan *pl, struct unifw_error *err)
{
	const struct unifw_scatter_part *p = &in->phone->parts[i];
	const char *n = ptgen(p->name), *why;
	int bi = port_layout_base_index(in->base, p->name);
	memset(pl, 0, sizeof *pl);
	pl->phone_index = i;
	pl->base_index = -1;
	if (unifw_flash_is_identity(p->name, p->operation_type)) {
		set(pl, PORT_HOW_IDENTITY, UNIFW_PORT_ACT_SKIPPED, "none",
		    "identity (IMEI record, calibration, addresses): never copied into OUT, never downloaded; the phone "
		    "keeps its own");
		return 0;
	}
	if ((why = boot_chain_reason(n))) {
		set(pl, PORT_HOW_PHONE, UNIFW_PORT_ACT_PHONE, "phone", "%s; copied from the backup, not downloaded", why);
		return 0;
	}
	if ((why = kept_reason(n))) {
		set(pl, PORT_HOW_KEEP, UNIFW_PORT_ACT_SKIPPED, "none", "%s", why);
		return 0;
	}
	bool boot = !strcmp(n, "BOOTIMG"), recovery = !strcmp(n, "RECOVERY"), system = !strcmp(n, "ANDROID");
	if (!base_has(in, bi)) {
		if (boot)
			return missing(p->name, "the base has no boot image (boot.img): nothing to take Android's ramdisk from", err);
		if (system)
			return missing(p->name, "the base has no system image (system.img): nothing to port", err);
		set(pl, PORT_HOW_KEEP, UNIFW_PORT_ACT_SKIPPED, "none", "%s",
		    bi >= 0 ? "the base has no image for it: not downloaded, the phone keeps what it has"
			    : "only the phone has this partition: not downloaded, the phone keeps what it has");
		return 0;
	}
	pl->base_index = bi;
	if (boot || recovery) {
		set(pl, PORT_HOW_BOOT, UNIFW_PORT_ACT_MERGED, "base+phone",
		    "the phone's kernel (it drives this phone's panel, touch and modem) with the base's ramdisk%s",
		    recovery ? " (recovery)" : "");
		return 0;
	}
	if (system) {
		set(pl, PORT_HOW_SYSTEM, UNIFW_PORT_ACT_MERGED, "base+phone",
		    "the base's Android with the phone's hardware files (data/port.rules)");
		return 0;
	}
	return decide_base_image(in, p, bi, pl, err);
}

static bool phone_has(const struct unifw_scatter *sc, const char *ptgen_name)
{
	for (size_t i = 0; i < sc->count; i++)
		if (!strcmp(ptgen(sc->parts[i].name), ptgen_name))
			return true;
	return false;
}

int port_layout_decide(const struct port_layout_in *in, struct port_part_plan **out, size_t *n, struct unifw_error *err)
{
	*out = NULL;
	*n = 0;
	if (!phone_has(in->phone, "BOOTIMG") || !phone_has(in->phone, "ANDROID"))
		return unifw_error_set(err, UNIFW_E_NOT_FOUND, "MT6572_Android_scatter.txt", UNIFW_NO_OFFSET,
				       "the phone's table has no %s partition: not an MT6572 Android layout",
				       phone_has(in->phone, "BOOTIMG") ? "ANDROID" : "BOOTIMG");
	struct port_part_plan *pl = calloc(in->phone->count ? in->phone->count : 1, sizeof *pl);
	if (!pl)
		return unifw_error_set(err, UNIFW_E_NOMEM, "port", UNIFW_NO_OFFSET, "out of memory");
	for (size_t i = 0; i < in->phone->count; i++) {
		int rc = decide_one(in, i, &pl[i], err);
		if (rc) {
			free(pl);
			return rc;
		}
	}
	*out = pl;
	*n = in->phone->count;
	return 0;
}
