/* Scatter files: validation (the findings of `unifw scatter validate`), images next to the file
 * included. docs/format-scatter.md lists every check. */
#include "unifw/scatter.h"
#include "unifw/human.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "format/scatter_internal.h"
#include "util/bytes.h"

/* ------------------------------------------------------------------------------------------------ */
/* Validation                                                                                        */

#define MAX_FINDINGS 4096

struct vctx {
	const struct unifw_scatter *sc;
	const char *name;
	const struct unifw_scatter_check *opt;
	struct unifw_findings *out;
	uint64_t boot;   /* boot region size (linear start of MBR), 0 if none */
	uint64_t block;  /* unit of 0xFFFFxxxx addresses and NAND alignment */
	bool emmc, nand;
};

static void note(struct vctx *v, enum unifw_severity sev, const char *code, const struct unifw_scatter_part *p,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static void note(struct vctx *v, enum unifw_severity sev, const char *code, const struct unifw_scatter_part *p,
		 const char *fmt, ...)
{
	if (v->out->count > MAX_FINDINGS)
		return;
	if (v->out->count == MAX_FINDINGS) {
		unifw_findings_add(v->out, UNIFW_SEV_WARNING, "findings-truncated", v->name, 0, NULL,
				   "more than %d findings; the rest are not listed", MAX_FINDINGS);
		return;
	}
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	unifw_findings_add(v->out, sev, code, v->name, p ? p->line : 0, p ? p->name : NULL, "%s", msg);
}

/* How a partition is named in messages (some files have nameless entries). */
static const char *label(const struct unifw_scatter_part *p, char *buf, size_t n)
{
	if (p->name[0])
		snprintf(buf, n, "%s", p->name);
	else if (p->index >= 0)
		snprintf(buf, n, "unnamed entry SYS%d", p->index);
	else
		snprintf(buf, n, "unnamed entry at line %u", p->line);
	return buf;
}

static const char *hsize(uint64_t v, char *buf, size_t n) { return unifw_human_size(v, buf, n); }

/* Ordinary placement: has a linear start that is not counted from the end. */
static bool is_placed(const struct unifw_scatter_part *p)
{
	return (p->keys & KEY(UNIFW_SCATTER_K_LINEAR)) && !unifw_scatter_addr_is_from_end(p->linear_start);
}

static bool is_from_end(const struct unifw_scatter_part *p)
{
	return (p->keys & KEY(UNIFW_SCATTER_K_LINEAR)) && unifw_scatter_addr_is_from_end(p->linear_start);
}

/* The last placed entry of its address space (in file order): the one whose end the file cannot say. */
static bool is_last_placed(const struct unifw_scatter *sc, size_t i)
{
	for (size_t j = i + 1; j < sc->count; j++)
		if (is_placed(&sc->parts[j]) && same_space(&sc->parts[i], &sc->parts[j]))
			return false;
	return true;
}

static uint64_t end_of(const struct unifw_scatter_part *p)
{
	uint64_t e;
	return add_u64(p->linear_start, p->size, &e) ? e : UINT64_MAX;
}

static void check_info(struct vctx *v)
{
	const struct unifw_scatter *sc = v->sc;
	if (sc->dialect == UNIFW_SCATTER_V1) {
		char miss[160] = "";
		for (int id = 0; id < UNIFW_SCATTER_I_COUNT; id++)
			if (!(sc->info_keys & KEY(id)))
				snprintf(miss + strlen(miss), sizeof miss - strlen(miss), "%s%s", miss[0] ? ", " : "",
					 info_key_names[id]);
		if (miss[0])
			note(v, UNIFW_SEV_WARNING, "missing-key", NULL, "the info block lacks %s", miss);
	}
	if ((sc->info_keys & KEY(UNIFW_SCATTER_I_PLATFORM)) && !name_is(sc->platform, "MT6572"))
		note(v, UNIFW_SEV_WARNING, "platform", NULL,
		     "platform is '%s', not MT6572: a contrast chip; the MT6572 layout rules may not fit it",
		     sc->platform);
	if (sc->info_keys & KEY(UNIFW_SCATTER_I_VERSION)) {
		if (!strncmp(sc->config_version, "V1.1.", 5) && strcmp(sc->config_version, "V1.1.1"))
			note(v, UNIFW_SEV_INFO, "config-version", NULL,
			     "config_version %s: later chips' ptgen (MT6572 writes V1.1.1)", sc->config_version);
		else if (strcmp(sc->config_version, "V1.1.1"))
			note(v, UNIFW_SEV_WARNING, "config-version", NULL,
			     "config_version '%s' is not one ptgen writes (V1.1.1 on MT6572, V1.1.2 later)",
			     sc->config_version);
	}
	if (sc->storage_inferred)
		note(v, UNIFW_SEV_INFO, "storage-inferred", NULL, "the file states no storage; %s", v->nand
		     ? "taken as NAND: no MBR, EBR1 or PGPT entry (eMMC layouts have them)"
		     : "taken as EMMC: it has an MBR/EBR1/PGPT entry, which only eMMC layouts have");
	else if (!v->emmc && !v->nand)
		note(v, UNIFW_SEV_WARNING, "storage", NULL, "storage '%s' is neither EMMC nor NAND", sc->storage);
	if ((sc->info_keys & KEY(UNIFW_SCATTER_I_BLOCK_SIZE)) &&
	    (sc->block_size < 512 || (sc->block_size & (sc->block_size - 1))))
		note(v, UNIFW_SEV_WARNING, "block-size", NULL,
		     "block_size 0x%llx is not a power of two of at least 512 (ptgen: 0x20000 eMMC, 0x40000 NAND)",
		     (unsigned long long)sc->block_size);
}

/* Was the unknown key parts[i].extra[k] already listed (an earlier entry or earlier in this one)? */
static bool extra_seen_before(const struct unifw_scatter *sc, size_t i, size_t k)
{
	const char *key = sc->parts[i].extra[k].key;
	for (size_t j = 0; j <= i; j++) {
		size_t lim = j == i ? k : sc->parts[j].extra_count;
		for (size_t m = 0; m < lim; m++)
			if (!strcmp(sc->parts[j].extra[m].key, key))
				return true;
	}
	return false;
}

static void check_keys(struct vctx *v)
{
	const struct unifw_scatter *sc = v->sc;
	char unknown[200] = "";
	size_t with_unknown = 0;
	if (sc->dialect != UNIFW_SCATTER_V1)
		return;
	for (size_t i = 0; i < sc->count; i++) {
		const struct unifw_scatter_part *p = &sc->parts[i];
		char miss[300] = "", lb[96];
		for (int id = 0; id < UNIFW_SCATTER_K_COUNT; id++)
			if (!(p->keys & KEY(id)))
				snprintf(miss + strlen(miss), sizeof miss - strlen(miss), "%s%s", miss[0] ? ", " : "",
					 part_key_names[id]);
		if (!(p->keys & KEY(UNIFW_SCATTER_K_LINEAR)))
			note(v, UNIFW_SEV_ERROR, "missing-key", p, "%s has no linear_start_addr: where it lies is unknown",
			     label(p, lb, sizeof lb));
		else if (!(p->keys & KEY(UNIFW_SCATTER_K_NAME)))
			note(v, UNIFW_SEV_ERROR, "missing-key", p, "entry has no partition_name");
		if (miss[0])
			note(v, UNIFW_SEV_WARNING, "missing-key", p, "%s lacks %s (truncated entry?)", label(p, lb, sizeof lb),
			     miss);
		with_unknown += p->extra_count > 0;
		for (size_t k = 0; k < p->extra_count; k++)
			if (!extra_seen_before(sc, i, k) && strlen(unknown) + strlen(p->extra[k].key) + 3 < sizeof unknown)
				snprintf(unknown + strlen(unknown), sizeof unknown - strlen(unknown), "%s%s",
					 unknown[0] ? ", " : "", p->extra[k].key);
	}
	if (with_unknown)
		note(v, UNIFW_SEV_INFO, "unknown-key", NULL,
		     "%zu entries carry keys unifw does not interpret (%s); they are kept as written", with_unknown,
		     unknown);
	if (sc->info_extra_count)
		note(v, UNIFW_SEV_INFO, "unknown-key", NULL,
		     "the info block carries %zu keys unifw does not interpret (first: %s); kept as written",
		     sc->info_extra_count, sc->info_extra[0].key);
}

static void check_names(struct vctx *v)
{
	const struct unifw_scatter *sc = v->sc;
	const struct unifw_scatter_part *prev_idx = NULL;
	char lb[96];
	for (size_t i = 0; i < sc->count; i++) {
		const struct unifw_scatter_part *p = &sc->parts[i];
		if (!p->name[0])
			note(v, UNIFW_SEV_WARNING, "empty-name", p,
			     "%s has an empty partition_name: nothing can address it (tool-generated leftover?)",
			     label(p, lb, sizeof lb));
		for (size_t j = 0; j < i && p->name[0]; j++) {
			const struct unifw_scatter_part *q = &sc->parts[j];
			if (!strcmp(p->name, q->name)) {
				note(v, UNIFW_SEV_ERROR, "duplicate-name", p, "partition name %s is also used at line %u",
				     p->name, q->line);
				break;
			}
			if (name_is(p->name, q->name)) {
				note(v, UNIFW_SEV_WARNING, "duplicate-name", p,
				     "partition name %s differs only in case from %s at line %u", p->name, q->name, q->line);
				break;
			}
		}
		if (!(p->keys & KEY(UNIFW_SCATTER_K_INDEX)))
			continue;
		for (size_t j = 0; j < i; j++)
			if ((sc->parts[j].keys & KEY(UNIFW_SCATTER_K_INDEX)) && sc->parts[j].index == p->index) {
				note(v, UNIFW_SEV_WARNING, "duplicate-index", p, "partition_index SYS%d is also used at line %u",
				     p->index, sc->parts[j].line);
				break;
			}
		if (prev_idx && p->index > prev_idx->index + 1)
			note(v, UNIFW_SEV_INFO, "index-gap", p,
			     "partition_index jumps from SYS%d to SYS%d (entries removed by hand?); harmless for flashing",
			     prev_idx->index, p->index);
		prev_idx = p;
	}
}

static void check_sizes(struct vctx *v)
{
	const struct unifw_scatter *sc = v->sc;
	size_t derived = 0;
	char lb[96], hs[32];
	for (size_t i = 0; i < sc->count; i++) {
		const struct unifw_scatter_part *p = &sc->parts[i];
		if (!is_placed(p))
			continue;
		bool last = is_last_placed(sc, i);
		if (p->size_derived && p->size)
			derived++;
		else if (p->size_derived)
			note(v, last ? UNIFW_SEV_INFO : UNIFW_SEV_WARNING, "size-unknown", p, "%s: size unknown (left 0): %s",
			     label(p, lb, sizeof lb), last
			     ? "the last partition ends where the device (or BMTPOOL) begins, which the file does not say"
			     : "the next entry does not start after this one");
		else if (p->size == 0)
			note(v, last ? UNIFW_SEV_INFO : UNIFW_SEV_WARNING, "size-zero", p, "%s: partition_size 0%s",
			     label(p, lb, sizeof lb), last
			     ? ": ptgen's way of giving the last partition the rest of the device"
			     : " in the middle of the layout");
		if (p->size && end_of(p) == UINT64_MAX)
			note(v, UNIFW_SEV_ERROR, "size-overflow", p,
			     "%s: start 0x%llx + size 0x%llx does not fit in 64 bits", label(p, lb, sizeof lb),
			     (unsigned long long)p->linear_start, (unsigned long long)p->size);
		else if (p->size > ((uint64_t)1 << 40))
			note(v, UNIFW_SEV_WARNING, "size-implausible", p, "%s: size %s is beyond any MT6572 storage",
			     label(p, lb, sizeof lb), hsize(p->size, hs, sizeof hs));
	}
	if (derived)
		note(v, UNIFW_SEV_INFO, "size-derived", NULL,
		     "%zu sizes computed as the next entry's start minus this start (the %s form states no sizes; "
		     "see size_derived)", derived, unifw_scatter_dialect_name(sc->dialect));
}

static void check_region(struct vctx *v, const struct unifw_scatter_part *p)
{
	char lb[96];
	const struct unifw_scatter *sc = v->sc;
	bool mt6572 = !(sc->info_keys & KEY(UNIFW_SCATTER_I_PLATFORM)) || name_is(sc->platform, "MT6572");
	label(p, lb, sizeof lb);
	if (v->nand) {
		if (strcmp(p->region, "NONE"))
			note(v, UNIFW_SEV_ERROR, "region", p, "%s: region %s on NAND; NAND layouts use NONE", lb, p->region);
	} else if (v->emmc && part_is_preloader(p)) {
		if (!strcmp(p->region, "EMMC_BOOT1_BOOT2"))
			note(v, mt6572 ? UNIFW_SEV_ERROR : UNIFW_SEV_INFO, "region", p,
			     "%s: region EMMC_BOOT1_BOOT2 (later chips); MT6572 boots from EMMC_BOOT_1", lb);
		else if (strcmp(p->region, "EMMC_BOOT_1"))
			note(v, UNIFW_SEV_ERROR, "region", p,
			     "%s: region %s; the boot ROM reads the preloader from EMMC_BOOT_1", lb, p->region);
	} else if (v->emmc && strcmp(p->region, "EMMC_USER")) {
		note(v, UNIFW_SEV_ERROR, "region", p, "%s: region %s; on eMMC every partition but PRELOADER is EMMC_USER",
		     lb, p->region);
	}
}

static void check_storage_key(struct vctx *v, const struct unifw_scatter_part *p)
{
	const char *want = v->nand ? "HW_STORAGE_NAND" : v->emmc ? "HW_STORAGE_EMMC" : NULL;
	char lb[96];
	if (want && strcmp(p->storage, want))
		note(v, UNIFW_SEV_ERROR, "storage-mismatch", p, "%s: storage %s but the file's storage is %s (expected %s)",
		     label(p, lb, sizeof lb), p->storage, v->sc->storage, want);
}

static void check_regions(struct vctx *v)
{
	const struct unifw_scatter *sc = v->sc;
	char lb[96];
	for (size_t i = 0; i < sc->count; i++) {
		const struct unifw_scatter_part *p = &sc->parts[i];
		if (p->keys & KEY(UNIFW_SCATTER_K_REGION))
			check_region(v, p);
		if (p->keys & KEY(UNIFW_SCATTER_K_STORAGE))
			check_storage_key(v, p);
		/* V1.1.1 counts boot and user area as one linear space: a user partition below the MBR would
		 * sit on the boot region. */
		if (v->emmc && v->boot && is_placed(p) && !region_is_boot(p->region) && !part_is_preloader(p) &&
		    p->linear_start < v->boot && (p->keys & KEY(UNIFW_SCATTER_K_REGION)))
			note(v, UNIFW_SEV_ERROR, "in-boot-region", p,
			     "%s starts at 0x%llx, inside the boot region (user area starts at 0x%llx)",
			     label(p, lb, sizeof lb), (unsigned long long)p->linear_start, (unsigned long long)v->boot);
	}
}

static void check_boot_region(struct vctx *v)
{
	const struct unifw_scatter *sc = v->sc;
	char hs[32];
	if (!v->emmc || !v->boot)
		return;
	note(v, UNIFW_SEV_INFO, "boot-region", NULL,
	     "boot region 0x%llx (%s) = linear start of MBR: linear addresses count it, MBR/EBR entries and "
	     "/proc/dumchar_info do not", (unsigned long long)v->boot, hsize(v->boot, hs, sizeof hs));
	const struct unifw_scatter_part *pl = unifw_scatter_find(sc, "PRELOADER");
	if (pl && is_placed(pl) && pl->size && pl->size != v->boot && !pl->size_derived)
		note(v, UNIFW_SEV_WARNING, "boot-region", pl,
		     "PRELOADER size 0x%llx differs from the boot region 0x%llx (where MBR starts)",
		     (unsigned long long)pl->size, (unsigned long long)v->boot);
}

static void check_alignment(struct vctx *v)
{
	const struct unifw_scatter *sc = v->sc;
	bool stated = sc->block_size != 0;
	char lb[96];
	for (size_t i = 0; i < sc->count; i++) {
		const struct unifw_scatter_part *p = &sc->parts[i];
		if (!is_placed(p))
			continue;
		label(p, lb, sizeof lb);
		if (v->nand && (p->linear_start % v->block || p->size % v->block))
			note(v, stated ? UNIFW_SEV_ERROR : UNIFW_SEV_WARNING, "align", p,
			     "%s: start 0x%llx / size 0x%llx not on a NAND erase block of 0x%llx%s", lb,
			     (unsigned long long)p->linear_start, (unsigned long long)p->size, (unsigned long long)v->block,
			     stated ? "" : " (128 KiB assumed: the file states no block_size)");
		else if (!v->nand && (p->linear_start % 512 || p->size % 512))
			note(v, UNIFW_SEV_ERROR, "align", p,
			     "%s: start 0x%llx / size 0x%llx not a multiple of the 512-byte eMMC sector", lb,
			     (unsigned long long)p->linear_start, (unsigned long long)p->size);
	}
}

static void check_order(struct vctx *v)
{
	const struct unifw_scatter *sc = v->sc;
	const struct unifw_scatter_part *prev[2] = {NULL, NULL};
	char lb[96], lb2[96];
	for (size_t i = 0; i < sc->count; i++) {
		const struct unifw_scatter_part *p = &sc->parts[i];
		if (!is_placed(p))
			continue;
		int s = region_is_boot(p->region);
		if (prev[s] && p->linear_start < prev[s]->linear_start)
			note(v, UNIFW_SEV_WARNING, "order", p,
			     "%s starts at 0x%llx, before the previous entry %s (0x%llx): layouts list partitions in "
			     "address order", label(p, lb, sizeof lb), (unsigned long long)p->linear_start,
			     label(prev[s], lb2, sizeof lb2), (unsigned long long)prev[s]->linear_start);
		prev[s] = p;
	}
}

static void check_overlaps(struct vctx *v)
{
	const struct unifw_scatter *sc = v->sc;
	char lb[96], lb2[96];
	for (size_t i = 0; i < sc->count; i++) {
		const struct unifw_scatter_part *p = &sc->parts[i];
		if (!is_placed(p) || !p->size)
			continue;
		const struct unifw_scatter_part *first = NULL;
		size_t more = 0;
		for (size_t j = 0; j < i; j++) {
			const struct unifw_scatter_part *q = &sc->parts[j];
			if (!is_placed(q) || !q->size || !same_space(p, q))
				continue;
			if (p->linear_start < end_of(q) && q->linear_start < end_of(p)) {
				if (!first)
					first = q;
				else
					more++;
			}
		}
		if (first)
			note(v, UNIFW_SEV_ERROR, "overlap", p,
			     "%s [0x%llx, 0x%llx) overlaps %s [0x%llx, 0x%llx) at line %u%s", label(p, lb, sizeof lb),
			     (unsigned long long)p->linear_start, (unsigned long long)end_of(p), label(first, lb2, sizeof lb2),
			     (unsigned long long)first->linear_start, (unsigned long long)end_of(first), first->line,
			     more ? " and more partitions" : "");
	}
}

/* The largest block count below `blocks` among the 0xFFFFxxxx entries: where the next region counted
 * from the end starts (0 = the end itself). */
static uint64_t next_from_end(const struct unifw_scatter *sc, const struct unifw_scatter_part *p)
{
	uint64_t blocks = from_end_blocks(p->linear_start), next = 0;
	for (size_t j = 0; j < sc->count; j++) {
		const struct unifw_scatter_part *q = &sc->parts[j];
		if (q != p && is_from_end(q) && same_space(p, q)) {
			uint64_t b = from_end_blocks(q->linear_start);
			if (b < blocks && b > next)
				next = b;
		}
	}
	return next;
}

static void check_from_end(struct vctx *v)
{
	const struct unifw_scatter *sc = v->sc;
	char lb[96], hs[32], hs2[32], hx[40];
	const char *assumed = sc->block_size ? "" : " (128 KiB assumed: the file states no block_size)";
	for (size_t i = 0; i < sc->count; i++) {
		const struct unifw_scatter_part *p = &sc->parts[i];
		if (!is_from_end(p))
			continue;
		uint64_t blocks = from_end_blocks(p->linear_start), span = blocks_bytes(blocks, v->block);
		uint64_t room = blocks_bytes(blocks - next_from_end(sc, p), v->block);
		label(p, lb, sizeof lb);
		note(v, UNIFW_SEV_INFO, "from-end", p,
		     "%s at %s: starts %llu blocks of 0x%llx (%s) before the end of the device%s; size %s%s", lb,
		     fmt_hex(p->linear_start, sc->hex_upper, hx, sizeof hx), (unsigned long long)blocks,
		     (unsigned long long)v->block,
		     hsize(span, hs, sizeof hs), assumed, hsize(p->size, hs2, sizeof hs2),
		     p->size_derived ? " (derived from the block counts)" : "");
		if (p->size > span)
			note(v, UNIFW_SEV_WARNING, "from-end-size", p,
			     "%s: size 0x%llx is larger than the 0x%llx bytes between its start and the end of the device",
			     lb, (unsigned long long)p->size, (unsigned long long)span);
		else if (p->size > room)
			note(v, UNIFW_SEV_WARNING, "from-end-size", p,
			     "%s: size 0x%llx runs into the next region counted from the end (0x%llx bytes of room)", lb,
			     (unsigned long long)p->size, (unsigned long long)room);
	}
}

static const char *conv_text(unsigned c, uint64_t boot)
{
	if (c & CONV_ZERO)
		return "physical_start_addr is 0 everywhere: ptgen's output (it never fills the field)";
	if (c & CONV_LINEAR)
		return boot ? "physical_start_addr equals linear_start_addr: written by a readback tool"
			    : "physical_start_addr equals linear_start_addr (no boot region in the linear space: "
			      "also the user-area offset, as V1.1.2 files write it)";
	return "physical_start_addr = linear_start_addr - boot region: MTK Droid Tools' convention, the one the "
	       "MBR/EBR tables follow";
}

static void check_physical(struct vctx *v)
{
	const struct unifw_scatter *sc = v->sc;
	bool any;
	unsigned c = physical_conventions(sc, &any);
	char lb[96];
	if (!any)
		return;
	if (c) {
		note(v, UNIFW_SEV_INFO, "physical-convention", NULL, "%s (%s)", conv_text(c, v->boot), conv_name(c));
		return;
	}
	/* Mixed: name the convention most entries follow and the entries that do not. */
	unsigned votes[3] = {0, 0, 0}, best = 0;
	for (size_t i = 0; i < sc->count; i++)
		if (part_has_physical(&sc->parts[i]))
			for (unsigned k = 0; k < 3; k++)
				votes[k] += (part_conventions(&sc->parts[i], v->boot) >> k) & 1;
	for (unsigned k = 1; k < 3; k++)
		if (votes[k] > votes[best])
			best = k;
	char odd[300] = "";
	for (size_t i = 0; i < sc->count && strlen(odd) < 200; i++) {
		const struct unifw_scatter_part *p = &sc->parts[i];
		if (part_has_physical(p) && !(part_conventions(p, v->boot) & (1u << best)))
			snprintf(odd + strlen(odd), sizeof odd - strlen(odd), "%s%s (0x%llx)", odd[0] ? ", " : "",
				 label(p, lb, sizeof lb), (unsigned long long)p->physical_start);
	}
	note(v, UNIFW_SEV_WARNING, "physical-mixed", NULL,
	     "physical_start_addr follows no single convention: most entries are '%s', these are not: %s",
	     conv_name(1u << best), odd);
}

static bool in_list(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(s, *list))
			return true;
	return false;
}

static void check_values(struct vctx *v)
{
	static const char *const optypes[] = {"BOOTLOADERS", "BINREGION", "PROTECTED", "RESERVED", "UPDATE",
					      "INVISIBLE", NULL};
	static const char *const types[] = {"NONE", "SV5_BL_BIN", "NORMAL_ROM", "YAFFS_IMG", "EXT4_IMG", "UBI_IMG",
					    "FAT_IMG", NULL};
	const struct unifw_scatter *sc = v->sc;
	char lb[96];
	for (size_t i = 0; i < sc->count; i++) {
		const struct unifw_scatter_part *p = &sc->parts[i];
		label(p, lb, sizeof lb);
		if ((p->keys & KEY(UNIFW_SCATTER_K_OPTYPE)) && !in_list(p->operation_type, optypes))
			note(v, UNIFW_SEV_WARNING, "operation-type", p,
			     "%s: operation_type '%s' is not one ptgen writes (BOOTLOADERS, BINREGION, PROTECTED, "
			     "RESERVED, UPDATE, INVISIBLE)", lb, p->operation_type);
		if ((p->keys & KEY(UNIFW_SCATTER_K_TYPE)) && !in_list(p->type, types))
			note(v, UNIFW_SEV_INFO, "type", p, "%s: type '%s' is not one MT6572's ptgen writes", lb, p->type);
		bool no_file = !p->file_name[0] || !strcmp(p->file_name, "NONE");
		if ((p->keys & KEY(UNIFW_SCATTER_K_DOWNLOAD)) && (p->keys & KEY(UNIFW_SCATTER_K_FILE)) && p->is_download &&
		    no_file)
			note(v, UNIFW_SEV_INFO, "download-no-file", p,
			     "%s: is_download true but file_name is '%s': flash tools list it with no image and skip it", lb,
			     p->file_name);
	}
}

/* ---- images next to the scatter file ---- */

static bool file_name_safe(const char *n)
{
	/* The name comes from the file: never let it leave image_dir. */
	return n[0] && !strchr(n, '/') && !strchr(n, '\\') && strcmp(n, ".") && strcmp(n, "..");
}

/* Find `want` in dir exactly, else case-insensitively (packages made on Windows); *found gets the name. */
static int find_image(const char *dir, const char *want, char *found, size_t n, struct stat *st)
{
	char path[4096];
	snprintf(found, n, "%s", want);
	if (snprintf(path, sizeof path, "%s/%s", dir, want) < (int)sizeof path && stat(path, st) == 0)
		return 0;
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	int rc = -1;
	for (struct dirent *e; (e = readdir(d));) {
		if (strcasecmp(e->d_name, want))
			continue;
		snprintf(found, n, "%s", e->d_name);
		if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) < (int)sizeof path && stat(path, st) == 0)
			rc = 1;
		break;
	}
	closedir(d);
	return rc;
}

/* The entry a too-large image would spill into: the next placed one after p's start. */
static const struct unifw_scatter_part *next_placed(const struct unifw_scatter *sc, const struct unifw_scatter_part *p)
{
	const struct unifw_scatter_part *best = NULL;
	for (size_t j = 0; j < sc->count; j++) {
		const struct unifw_scatter_part *q = &sc->parts[j];
		if (q != p && is_placed(q) && same_space(p, q) && q->linear_start > p->linear_start &&
		    (!best || q->linear_start < best->linear_start))
			best = q;
	}
	return best;
}

static void check_image(struct vctx *v, const struct unifw_scatter_part *p)
{
	const char *dir = v->opt->image_dir;
	char lb[96], found[256], hs[32], hs2[32], lb2[96];
	struct stat st;
	label(p, lb, sizeof lb);
	if (!file_name_safe(p->file_name)) {
		note(v, UNIFW_SEV_ERROR, "unsafe-file-name", p,
		     "%s: file_name '%s' is not a plain file name (path separators or '..'); not opened", lb, p->file_name);
		return;
	}
	int rc = find_image(dir, p->file_name, found, sizeof found, &st);
	if (rc < 0) {
		note(v, UNIFW_SEV_WARNING, "image-missing", p, "%s: image %s is not in %s; this partition cannot be "
		     "downloaded", lb, p->file_name, dir);
		return;
	}
	if (rc > 0)
		note(v, UNIFW_SEV_INFO, "image-case", p, "%s: image %s found as %s (case differs)", lb, p->file_name, found);
	if (!S_ISREG(st.st_mode)) {
		note(v, UNIFW_SEV_ERROR, "image-not-file", p, "%s: %s/%s is not a regular file", lb, dir, found);
		return;
	}
	uint64_t fsize = (uint64_t)st.st_size;
	if (fsize == 0)
		note(v, UNIFW_SEV_WARNING, "image-empty", p, "%s: image %s is empty", lb, found);
	if (p->size == 0) {
		note(v, UNIFW_SEV_INFO, "image-size-unchecked", p, "%s: partition size not known; image %s (%s) not compared",
		     lb, found, hsize(fsize, hs, sizeof hs));
	} else if (fsize > p->size) {
		const struct unifw_scatter_part *nx = next_placed(v->sc, p);
		note(v, UNIFW_SEV_ERROR, "image-too-big", p,
		     "%s: image %s is %llu bytes (%s), larger than the partition's 0x%llx (%s) by %llu bytes: SP Flash "
		     "Tool refuses it (image larger than partition, errors 5056/5069)%s%s", lb, found,
		     (unsigned long long)fsize, hsize(fsize, hs, sizeof hs), (unsigned long long)p->size,
		     hsize(p->size, hs2, sizeof hs2), (unsigned long long)(fsize - p->size),
		     nx ? "; written anyway it would overwrite " : "", nx ? label(nx, lb2, sizeof lb2) : "");
	}
}

static void check_images(struct vctx *v)
{
	const struct unifw_scatter *sc = v->sc;
	bool any_file = false;
	for (size_t i = 0; i < sc->count; i++) {
		const struct unifw_scatter_part *p = &sc->parts[i];
		if (!(p->keys & KEY(UNIFW_SCATTER_K_FILE)))
			continue;
		any_file = true;
		bool dl = !(p->keys & KEY(UNIFW_SCATTER_K_DOWNLOAD)) || p->is_download;
		if (dl && p->file_name[0] && strcmp(p->file_name, "NONE"))
			check_image(v, p);
	}
	if (!any_file)
		note(v, UNIFW_SEV_INFO, "images-unchecked", NULL,
		     "the %s form names no image files: nothing in %s to compare", unifw_scatter_dialect_name(sc->dialect),
		     v->opt->image_dir);
}

static void check_device(struct vctx *v)
{
	const struct unifw_scatter *sc = v->sc;
	uint64_t dev = v->opt->device_size, tail = 0;
	char lb[96];
	for (size_t i = 0; i < sc->count; i++) {
		const struct unifw_scatter_part *p = &sc->parts[i];
		if (!is_from_end(p))
			continue;
		uint64_t span = blocks_bytes(from_end_blocks(p->linear_start), v->block);
		if (span > tail)
			tail = span;
		if (span > dev)
			note(v, UNIFW_SEV_ERROR, "exceeds-device", p, "%s starts %llu bytes before the end of a %llu-byte "
			     "device", label(p, lb, sizeof lb), (unsigned long long)span, (unsigned long long)dev);
	}
	for (size_t i = 0; i < sc->count; i++) {
		const struct unifw_scatter_part *p = &sc->parts[i];
		if (!is_placed(p) || region_is_boot(p->region))
			continue;
		if (end_of(p) > dev)
			note(v, UNIFW_SEV_ERROR, "exceeds-device", p, "%s ends at 0x%llx, past the device end 0x%llx",
			     label(p, lb, sizeof lb), (unsigned long long)end_of(p), (unsigned long long)dev);
		else if (tail && tail <= dev && end_of(p) > dev - tail)
			note(v, UNIFW_SEV_ERROR, "overlap", p, "%s ends at 0x%llx, inside the regions counted from the end "
			     "(they start at 0x%llx on this device)", label(p, lb, sizeof lb),
			     (unsigned long long)end_of(p), (unsigned long long)(dev - tail));
	}
}

int unifw_scatter_validate(const struct unifw_scatter *sc, const char *name, const struct unifw_scatter_check *opt,
			   struct unifw_findings *out, struct unifw_error *err)
{
	if (!sc || !out)
		return unifw_error_set(err, UNIFW_E_INVALID, name, UNIFW_NO_OFFSET, "no scatter model or findings list");
	struct vctx v = {.sc = sc, .name = name ? name : "scatter", .opt = opt, .out = out};
	v.nand = storage_is_nand(sc);
	v.emmc = name_is(sc->storage, "EMMC");
	v.boot = unifw_scatter_boot_region(sc);
	v.block = unifw_scatter_block(sc);
	check_info(&v);
	check_keys(&v);
	check_names(&v);
	check_sizes(&v);
	check_regions(&v);
	check_boot_region(&v);
	check_alignment(&v);
	check_order(&v);
	check_overlaps(&v);
	check_from_end(&v);
	check_physical(&v);
	check_values(&v);
	if (opt && opt->image_dir)
		check_images(&v);
	if (opt && opt->device_size)
		check_device(&v);
	return 0;
}
