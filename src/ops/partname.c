/* One table of partition names (include/unifw/partname.h): the MT6572 ptgen names of the corpus scatters
 * and the unifw-sim models, and the Android names (fstab, /dev/block/platform/.../by-name, TWRP) that
 * people type for the same partitions. */
#include "unifw/partname.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Every MT6572 eMMC ptgen name seen in the corpus scatters (/work/shared/corpus/scatter) and the models. */
static const char *const ptgen_names[] = {
	"PRELOADER", "MBR",  "EBR1",  "EBR2",     "PRO_INFO", "NVRAM",   "PROTECT_F", "PROTECT_S",
	"SECCFG",    "UBOOT", "BOOTIMG", "RECOVERY", "SEC_RO", "MISC",   "LOGO",      "EXPDB",
	"CUSTPACK",  "PRELOAD", "MOBILE_INFO", "ANDROID", "CACHE", "USRDATA", "FAT", "BMTPOOL", "OTP", "RESV",
};

struct alias {
	const char *alias, *name;
};

/* Android / Linux names -> ptgen names (the ptgen name itself is always accepted too). */
static const struct alias aliases[] = {
	{"boot", "BOOTIMG"},       {"system", "ANDROID"},   {"userdata", "USRDATA"}, {"data", "USRDATA"},
	{"lk", "UBOOT"},           {"secro", "SEC_RO"},     {"protect1", "PROTECT_F"}, {"protect2", "PROTECT_S"},
	{"internal_sd", "FAT"},
};

const char *unifw_partname_resolve(const char *name)
{
	if (!name || !*name)
		return NULL;
	for (size_t i = 0; i < sizeof ptgen_names / sizeof *ptgen_names; i++)
		if (!strcasecmp(name, ptgen_names[i]))
			return ptgen_names[i];
	for (size_t i = 0; i < sizeof aliases / sizeof *aliases; i++)
		if (!strcasecmp(name, aliases[i].alias))
			return aliases[i].name;
	return NULL;
}

void unifw_partname_accepted(char *out, size_t len)
{
	size_t used = 0;
	if (!len)
		return;
	out[0] = 0;
	for (size_t i = 0; i < sizeof ptgen_names / sizeof *ptgen_names && used < len; i++) {
		int n = snprintf(out + used, len - used, "%s%s", i ? ", " : "", ptgen_names[i]);
		used += n > 0 ? (size_t)n : 0;
	}
	for (size_t i = 0; i < sizeof aliases / sizeof *aliases && used < len; i++) {
		int n = snprintf(out + used, len - used, "%s%s=%s%s", i ? ", " : " (aliases: ", aliases[i].alias,
				 aliases[i].name, i + 1 == sizeof aliases / sizeof *aliases ? ")" : "");
		used += n > 0 ? (size_t)n : 0;
	}
}

bool unifw_partname_matches(const char *typed, const char *real)
{
	if (!typed || !real)
		return false;
	if (!strcasecmp(typed, real))
		return true;
	const char *a = unifw_partname_resolve(typed), *b = unifw_partname_resolve(real);
	return a && a == b;
}
