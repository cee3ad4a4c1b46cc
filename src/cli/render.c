/* Human rendering of a report tree (the same tree --json prints).
 * Packages get a summary, a partition table and findings, with a line on what each fact means for the
 * phone; single images get their facts as aligned "key  value" lines, uniform lists as tables, and a
 * short note on why the type matters. Sizes print with units, addresses as hex. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "unifw/human.h"

#define MAX_TABLE_ROWS 64
#define MAX_TABLE_COLS 9
#define CELL 96

/* --- tree access ----------------------------------------------------------------------------------- */

static const char *S(const struct unifw_jv *o, const char *k) { return unifw_jv_str(unifw_jv_path(o, k)); }

static uint64_t U(const struct unifw_jv *o, const char *k) { return unifw_jv_u64(unifw_jv_path(o, k)); }

static bool is_scalar(const struct unifw_jv *v)
{
	enum unifw_jv_type t = unifw_jv_type(v);
	return t != UNIFW_JV_ARRAY && t != UNIFW_JV_OBJECT;
}

static const char *size_text(uint64_t n, char *buf, size_t len) { return unifw_human_size(n, buf, len); }

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);
	return a >= b && !strcmp(s + a - b, suffix);
}

static bool is_size_key(const char *k)
{
	return !strcmp(k, "size") || ends_with(k, "_size") || ends_with(k, "_bytes") || !strcmp(k, "bytes");
}

static void scalar_text(const struct unifw_jv *v, const char *key, char *buf, size_t len)
{
	char h[32];
	switch (unifw_jv_type(v)) {
	case UNIFW_JV_NULL: snprintf(buf, len, "-"); break;
	case UNIFW_JV_BOOL: snprintf(buf, len, "%s", unifw_jv_truthy(v) ? "yes" : "no"); break;
	case UNIFW_JV_INT: snprintf(buf, len, "%" PRId64, unifw_jv_i64(v)); break;
	case UNIFW_JV_UINT:
		if (key && is_size_key(key) && unifw_jv_u64(v) >= 1024)
			snprintf(buf, len, "%s (%" PRIu64 " bytes)", size_text(unifw_jv_u64(v), h, sizeof h),
				 unifw_jv_u64(v));
		else
			snprintf(buf, len, "%" PRIu64, unifw_jv_u64(v));
		break;
	case UNIFW_JV_STRING: snprintf(buf, len, "%s", unifw_jv_str(v)); break;
	default: snprintf(buf, len, "..."); break;
	}
}

static void pretty_key(const char *k, char *out, size_t len)
{
	snprintf(out, len, "%s", k);
	for (char *p = out; *p; p++)
		if (*p == '_')
			*p = ' ';
}

/* --- generic object printing --------------------------------------------------------------------- */

static bool is_table(const struct unifw_jv *arr)
{
	size_t n = unifw_jv_len(arr);
	if (unifw_jv_type(arr) != UNIFW_JV_ARRAY || n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		const struct unifw_jv *o = unifw_jv_at(arr, i);
		if (unifw_jv_type(o) != UNIFW_JV_OBJECT)
			return false;
		for (size_t j = 0; j < unifw_jv_len(o); j++)
			if (!is_scalar(unifw_jv_at(o, j)))
				return false;
	}
	return true;
}

static void print_table(FILE *out, int indent, const struct unifw_jv *arr)
{
	const char *cols[MAX_TABLE_COLS];
	size_t ncol = 0, nrow = unifw_jv_len(arr), shown = nrow < MAX_TABLE_ROWS ? nrow : MAX_TABLE_ROWS;
	int width[MAX_TABLE_COLS];
	for (size_t i = 0; i < nrow; i++) {
		const struct unifw_jv *o = unifw_jv_at(arr, i);
		for (size_t j = 0; j < unifw_jv_len(o); j++) {
			const char *k = unifw_jv_key_at(o, j);
			size_t c = 0;
			while (c < ncol && strcmp(cols[c], k))
				c++;
			if (c == ncol && ncol < MAX_TABLE_COLS)
				cols[ncol++] = k;
		}
	}
	char cell[CELL];
	for (size_t c = 0; c < ncol; c++) {
		pretty_key(cols[c], cell, sizeof cell);
		width[c] = (int)strlen(cell);
		for (size_t i = 0; i < shown; i++) {
			scalar_text(unifw_jv_get(unifw_jv_at(arr, i), cols[c]), NULL, cell, sizeof cell);
			if ((int)strlen(cell) > width[c])
				width[c] = (int)strlen(cell);
		}
	}
	fprintf(out, "%*s", indent, "");
	for (size_t c = 0; c < ncol; c++) {
		pretty_key(cols[c], cell, sizeof cell);
		fprintf(out, "%-*s%s", c + 1 < ncol ? width[c] : 0, cell, c + 1 < ncol ? "  " : "\n");
	}
	for (size_t i = 0; i < shown; i++) {
		fprintf(out, "%*s", indent, "");
		for (size_t c = 0; c < ncol; c++) {
			scalar_text(unifw_jv_get(unifw_jv_at(arr, i), cols[c]), NULL, cell, sizeof cell);
			fprintf(out, "%-*s%s", c + 1 < ncol ? width[c] : 0, cell, c + 1 < ncol ? "  " : "\n");
		}
	}
	if (shown < nrow)
		fprintf(out, "%*s... %zu more (all of them in --json)\n", indent, "", nrow - shown);
}

static void print_scalar_list(FILE *out, const struct unifw_jv *arr)
{
	char cell[CELL];
	size_t n = unifw_jv_len(arr);
	if (!n) {
		fprintf(out, "(none)\n");
		return;
	}
	for (size_t i = 0; i < n; i++) {
		scalar_text(unifw_jv_at(arr, i), NULL, cell, sizeof cell);
		fprintf(out, "%s%s", cell, i + 1 < n ? ", " : "\n");
	}
}

static void print_object(FILE *out, const struct unifw_jv *o, int indent, int depth);

static void print_member(FILE *out, const char *key, const struct unifw_jv *v, int indent, int kw, int depth)
{
	char pk[64], cell[512];
	pretty_key(key, pk, sizeof pk);
	if (is_scalar(v)) {
		scalar_text(v, key, cell, sizeof cell);
		fprintf(out, "%*s%-*s  %s\n", indent, "", kw, pk, cell);
	} else if (unifw_jv_type(v) == UNIFW_JV_ARRAY && (unifw_jv_len(v) == 0 || is_scalar(unifw_jv_at(v, 0)))) {
		fprintf(out, "%*s%-*s  ", indent, "", kw, pk);
		print_scalar_list(out, v);
	} else if (depth > 6) {
		fprintf(out, "%*s%-*s  (nested; see --json)\n", indent, "", kw, pk);
	} else if (is_table(v)) {
		fprintf(out, "%*s%s:\n", indent, "", pk);
		print_table(out, indent + 2, v);
	} else if (unifw_jv_type(v) == UNIFW_JV_ARRAY) {
		fprintf(out, "%*s%s:\n", indent, "", pk);
		for (size_t i = 0; i < unifw_jv_len(v); i++) {
			fprintf(out, "%*s[%zu]\n", indent + 2, "", i);
			print_object(out, unifw_jv_at(v, i), indent + 4, depth + 1);
		}
	} else {
		fprintf(out, "%*s%s:\n", indent, "", pk);
		print_object(out, v, indent + 2, depth + 1);
	}
}

static void print_object(FILE *out, const struct unifw_jv *o, int indent, int depth)
{
	if (is_scalar(o)) {
		char cell[512];
		scalar_text(o, NULL, cell, sizeof cell);
		fprintf(out, "%*s%s\n", indent, "", cell);
		return;
	}
	int kw = 0;
	for (size_t i = 0; i < unifw_jv_len(o); i++) {
		const char *k = unifw_jv_key_at(o, i);
		int l = k ? (int)strlen(k) : 0;
		if (l > kw && l <= 28)
			kw = l;
	}
	for (size_t i = 0; i < unifw_jv_len(o); i++) {
		const char *k = unifw_jv_key_at(o, i);
		if (unifw_jv_type(o) == UNIFW_JV_ARRAY) {
			char key[24];
			snprintf(key, sizeof key, "[%zu]", i);
			print_member(out, key, unifw_jv_at(o, i), indent, kw, depth);
		} else if (k && strcmp(k, "type")) {
			print_member(out, k, unifw_jv_at(o, i), indent, kw, depth);
		}
	}
}

/* --- what the facts mean --------------------------------------------------------------------------- */

static const char *type_note(const char *type)
{
	static const struct {
		const char *type, *note;
	} notes[] = {
		{"preloader", "The preloader sets up DRAM from its EMI table: it boots only phones whose eMMC/DRAM part "
			      "is listed there. A preloader for other memory leaves the phone dead until a BROM "
			      "(test-point) recovery."},
		{"emi_info", "EMI table: the memory parts a preloader can start. The phone's eMMC CID must match one "
			     "entry's ID."},
		{"lk", "LK (the bootloader) brings up the display with one of the LCM drivers compiled in; a panel it "
		       "does not know stays white or black, and the kernel must carry a driver with the same name."},
		{"bootimg", "Boot/recovery image: the kernel must contain the LCM driver LK reports and the phone's "
			    "touch driver, or the screen or touch will not work."},
		{"kernel", "The kernel selects the display driver whose name LK passes on the command line (lcm=...): "
			   "a ported kernel must contain that exact name."},
		{"logo", "Boot logo frames are raw RGB565 at the panel resolution: a logo made for another resolution "
			 "shows garbled."},
		{"mbr", "MBR/EBR list only the file-system partitions, at addresses relative to the MBR (after the "
			"boot region); they must agree with the scatter."},
		{"ebr", "EBR entries are relative to the EBR itself (MediaTek packing); they must agree with the "
			"scatter."},
		{"nvram", "NVRAM holds this phone's own calibration and identity (IMEI records, MAC, BT address): back "
			  "it up; never write another phone's."},
		{"sparse", "Android sparse image: expands to its full size when written to the partition."},
		{"secro", "SEC_RO: security settings read-only area shipped with the firmware."},
		{"seccfg", "SECCFG: the bootloader lock state and security configuration of the phone."},
	};
	for (size_t i = 0; i < sizeof notes / sizeof *notes; i++)
		if (!strcmp(type, notes[i].type))
			return notes[i].note;
	return NULL;
}

/* Print text wrapped at ~100 columns on spaces. The cursor is at column `col` (a prefix was printed);
 * continuation lines start at column `indent`. */
static void print_wrapped(FILE *out, int col, int indent, const char *text)
{
	const char *p = text;
	bool first = true;
	while (*p) {
		int width = 100 - (first ? col : indent);
		int n = (int)strlen(p);
		if (width < 20)
			width = 20;
		if (n > width) {
			n = width;
			while (n > 0 && p[n] != ' ')
				n--;
			if (n == 0)
				n = width;
		}
		fprintf(out, "%*s%.*s\n", first ? 0 : indent, "", n, p);
		first = false;
		p += n;
		while (*p == ' ')
			p++;
	}
}

static void print_note(FILE *out, int indent, const char *note)
{
	fprintf(out, "%*s", indent, "");
	print_wrapped(out, indent, indent, note);
}

/* --- single image ---------------------------------------------------------------------------------- */

static void render_image(FILE *out, const struct unifw_jv *r)
{
	const char *type = S(r, "type");
	const char *path = S(r, "path");
	char h[32];
	fprintf(out, "%s", path ? path : "(image)");
	if (unifw_jv_get(r, "file_size"))
		fprintf(out, " (%s)", size_text(U(r, "file_size"), h, sizeof h));
	fprintf(out, "\nType: %s\n\n", type ? type : "?");
	print_object(out, r, 2, 0);
	const char *note = type ? type_note(type) : NULL;
	if (note) {
		fputc('\n', out);
		print_note(out, 2, note);
	}
}

/* --- packages ------------------------------------------------------------------------------------------ */

static void heading(FILE *out, const char *title)
{
	fprintf(out, "\n%s\n", title);
	for (size_t i = 0; title[i]; i++)
		fputc('-', out);
	fputc('\n', out);
}

static void fact(FILE *out, const char *label, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void fact(FILE *out, const char *label, const char *fmt, ...)
{
	va_list ap;
	fprintf(out, "  %-14s  ", label);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
}

static void join_names(const struct unifw_jv *arr, char *buf, size_t len)
{
	size_t used = 0;
	buf[0] = 0;
	for (size_t i = 0; i < unifw_jv_len(arr) && used + 1 < len; i++) {
		const char *s = unifw_jv_str(unifw_jv_at(arr, i));
		int w = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", s ? s : "?");
		if (w < 0)
			break;
		used += (size_t)w < len - used ? (size_t)w : len - used - 1;
	}
}

static void summary_preloader(FILE *out, const struct unifw_jv *pl)
{
	if (!pl)
		return;
	fact(out, "Preloader", "%s%s%s%s%s", S(pl, "file"), S(pl, "project") ? "  project " : "",
	     S(pl, "project") ? S(pl, "project") : "", S(pl, "platform") ? "  platform " : "",
	     S(pl, "platform") ? S(pl, "platform") : "");
	const struct unifw_jv *parts = unifw_jv_get(pl, "memory_parts");
	size_t n = unifw_jv_len(parts);
	if (!parts)
		return;
	fprintf(out, "  %-14s  supports %zu memory part%s:\n", "", n, n == 1 ? "" : "s");
	for (size_t i = 0; i < n; i++) {
		const struct unifw_jv *m = unifw_jv_at(parts, i);
		char h[32] = "";
		if (unifw_jv_get(m, "dram_size"))
			size_text(U(m, "dram_size"), h, sizeof h);
		fprintf(out, "  %-14s    %-10s %-8s id %s  %s%s%s%s%s\n", "", S(m, "vendor") ? S(m, "vendor") : "?",
			S(m, "name") ? S(m, "name") : "?", S(m, "id") ? S(m, "id") : "?",
			S(m, "storage") ? S(m, "storage") : "", S(m, "dram_type") ? " + " : "",
			S(m, "dram_type") ? S(m, "dram_type") : "", h[0] ? ", " : "", h);
	}
	print_note(out, 20, "-> it will only boot phones with one of these memory parts; on any other phone it "
			    "leaves the DRAM uninitialised (dead phone, BROM recovery needed).");
}

static void summary_kernel(FILE *out, const char *label, const struct unifw_jv *k)
{
	char names[512];
	if (!k)
		return;
	fact(out, label, "%s%s%s", S(k, "file"), S(k, "kernel_version") ? "  Linux " : "",
	     S(k, "kernel_version") ? S(k, "kernel_version") : "");
	if (unifw_jv_get(k, "lcm")) {
		join_names(unifw_jv_get(k, "lcm"), names, sizeof names);
		fact(out, "", "LCM drivers: %s", names[0] ? names : "(none found)");
	}
	if (unifw_jv_get(k, "touch")) {
		join_names(unifw_jv_get(k, "touch"), names, sizeof names);
		fact(out, "", "touch drivers: %s", names[0] ? names : "(none found)");
	}
	if (unifw_jv_get(k, "camera")) {
		join_names(unifw_jv_get(k, "camera"), names, sizeof names);
		fact(out, "", "camera drivers: %s", names[0] ? names : "(none found)");
	}
}

/* A universal image (docs/universal.md): the variants its probe table covers, each one's keys per component,
 * and what stays when no variant matches. */
static void summary_universal(FILE *out, const struct unifw_jv *u)
{
	static const char *const comps[] = {"panel", "touch", "board"};
	if (!u)
		return;
	fact(out, "Universal", "universal image: covers %" PRIu64 " variant%s", U(u, "variant_count"),
	     U(u, "variant_count") == 1 ? "" : "s");
	const struct unifw_jv *vs = unifw_jv_get(u, "variants");
	for (size_t i = 0; i < unifw_jv_len(vs); i++) {
		const struct unifw_jv *v = unifw_jv_at(vs, i);
		char keys[3][256];
		for (size_t c = 0; c < 3; c++) {
			join_names(unifw_jv_get(v, comps[c]), keys[c], sizeof keys[c]);
			if (!keys[c][0])
				snprintf(keys[c], sizeof keys[c], "(none: fallback)");
		}
		fact(out, "", "%s: panel %s; touch %s; board %s (%" PRIu64 " binds, %" PRIu64 " props)", S(v, "name"),
		     keys[0], keys[1], keys[2], U(v, "binds"), U(v, "props"));
	}
	const struct unifw_jv *cs = unifw_jv_get(u, "components");
	for (size_t i = 0; i < unifw_jv_len(cs); i++) {
		const struct unifw_jv *c = unifw_jv_at(cs, i);
		fact(out, "", "fallback %s: %s", S(c, "name"), S(c, "fallback") ? S(c, "fallback") : "");
	}
	print_note(out, 20, "-> at every boot the probe picks, per component, the first variant whose key matches "
			    "the phone; no match keeps the base's files (the fallback) and logs it.");
}

static void render_summary(FILE *out, const struct unifw_jv *r)
{
	const struct unifw_jv *s = unifw_jv_get(r, "summary");
	char h[32], names[512];
	if (!s || !unifw_jv_get(s, "platform")) {
		if (!unifw_jv_get(r, "scatter_file"))
			return;
	}
	heading(out, "Summary");
	if (S(s, "platform"))
		fact(out, "Platform", "%s%s%s", S(s, "platform"), S(s, "project") ? "  project " : "",
		     S(s, "project") ? S(s, "project") : "");
	uint64_t boot_region = strtoull(S(s, "boot_region") ? S(s, "boot_region") : "0", NULL, 16);
	if (S(s, "storage") && boot_region)
		fact(out, "Storage", "%s, boot region %s (MBR at %s)", S(s, "storage"), size_text(boot_region, h, sizeof h),
		     S(s, "boot_region"));
	else if (S(s, "storage"))
		fact(out, "Storage", "%s", S(s, "storage"));
	const struct unifw_jv *im = unifw_jv_get(s, "images");
	if (im)
		fact(out, "Images", "%" PRIu64 " named by the scatter: %" PRIu64 " present, %" PRIu64 " missing, %" PRIu64
		     " with problems", U(im, "named"), U(im, "present"), U(im, "missing"), U(im, "with_problems"));
	summary_preloader(out, unifw_jv_get(s, "preloader"));
	const struct unifw_jv *lk = unifw_jv_get(s, "lk");
	if (lk) {
		fact(out, "LK", "%s%s%s", S(lk, "file"), S(lk, "project") ? "  project " : "",
		     S(lk, "project") ? S(lk, "project") : "");
		if (unifw_jv_get(lk, "lcm")) {
			join_names(unifw_jv_get(lk, "lcm"), names, sizeof names);
			fact(out, "", "LCM drivers: %s", names[0] ? names : "(none found)");
			print_note(out, 20, "-> the phone's display panel must be driven by one of these, or the screen "
					    "stays white or black.");
		}
	}
	summary_kernel(out, "Boot", unifw_jv_get(s, "boot"));
	summary_kernel(out, "Recovery", unifw_jv_get(s, "recovery"));
	const struct unifw_jv *an = unifw_jv_get(s, "android");
	if (an) {
		bool archive = S(r, "source") && !strcmp(S(r, "source"), "archive");
		fact(out, "Android", "%s  from %s", S(an, "version") ? S(an, "version")
				     : archive ? "(version unknown: build.prop cannot be read from an archive member, which "
						 "is streamed once; extract system.img and run info on it)"
						 : "(version unknown: no readable /build.prop)",
		     S(an, "file"));
		const struct unifw_jv *prod = unifw_jv_get(an, "product");
		for (size_t i = 0; i < unifw_jv_len(prod); i++)
			fact(out, "", "%s=%s", unifw_jv_key_at(prod, i), unifw_jv_str(unifw_jv_at(prod, i)));
	}
	const struct unifw_jv *lg = unifw_jv_get(s, "logo");
	if (lg)
		fact(out, "Logo", "%s  %" PRIu64 " frames, %s", S(lg, "file"), U(lg, "frame_count"),
		     S(lg, "resolution") ? S(lg, "resolution") : "resolution unknown");
	summary_universal(out, unifw_jv_get(s, "universal"));
}

static const char *status_text(const char *st)
{
	static const struct {
		const char *key, *text;
	} map[] = {
		{"ok", "ok"},           {"missing", "MISSING"},       {"no_image", "-"},
		{"not_downloaded", "not downloaded"}, {"too_big", "TOO BIG"}, {"wrong_type", "WRONG TYPE"},
		{"wrong_platform", "WRONG PLATFORM"}, {"unreadable", "UNREADABLE"},
	};
	for (size_t i = 0; st && i < sizeof map / sizeof *map; i++)
		if (!strcmp(st, map[i].key))
			return map[i].text;
	return st ? st : "?";
}

static void render_partitions(FILE *out, const struct unifw_jv *parts)
{
	enum { NAME, START, SIZE, FILE_, TYPE, STATUS, NCOL };
	static const char *head[NCOL] = {"NAME", "START", "SIZE", "FILE", "TYPE", "STATUS"};
	size_t n = unifw_jv_len(parts);
	if (!n)
		return;
	char(*cells)[NCOL][CELL] = calloc(n, sizeof *cells);
	if (!cells)
		return;
	int w[NCOL];
	for (int c = 0; c < NCOL; c++)
		w[c] = (int)strlen(head[c]);
	for (size_t i = 0; i < n; i++) {
		const struct unifw_jv *p = unifw_jv_at(parts, i);
		char h[32];
		snprintf(cells[i][NAME], CELL, "%s", S(p, "name") && *S(p, "name") ? S(p, "name") : "(unnamed)");
		snprintf(cells[i][START], CELL, "%s", S(p, "linear") ? S(p, "linear") : "?");
		snprintf(cells[i][SIZE], CELL, "%s", U(p, "size") ? size_text(U(p, "size"), h, sizeof h) : "-");
		snprintf(cells[i][FILE_], CELL, "%s", S(p, "file") ? S(p, "file") : "-");
		snprintf(cells[i][TYPE], CELL, "%s", S(p, "image.kind") ? S(p, "image.kind") : "-");
		snprintf(cells[i][STATUS], CELL, "%s", status_text(S(p, "status")));
		for (int c = 0; c < NCOL; c++)
			if ((int)strlen(cells[i][c]) > w[c])
				w[c] = (int)strlen(cells[i][c]);
	}
	heading(out, "Partitions");
	fprintf(out, "  ");
	for (int c = 0; c < NCOL; c++)
		fprintf(out, c == SIZE ? "%*s%s" : "%-*s%s", c + 1 < NCOL ? w[c] : 0, head[c], c + 1 < NCOL ? "  " : "\n");
	for (size_t i = 0; i < n; i++) {
		fprintf(out, "  ");
		for (int c = 0; c < NCOL; c++)
			fprintf(out, c == SIZE ? "%*s%s" : "%-*s%s", c + 1 < NCOL ? w[c] : 0, cells[i][c],
				c + 1 < NCOL ? "  " : "\n");
	}
	free(cells);
}

static void render_files(FILE *out, const char *title, const struct unifw_jv *files)
{
	size_t n = unifw_jv_len(files);
	if (!n)
		return;
	heading(out, title);
	int wp = 4;
	for (size_t i = 0; i < n; i++) {
		const char *p = S(unifw_jv_at(files, i), "path");
		if (p && (int)strlen(p) > wp)
			wp = (int)strlen(p) > 60 ? 60 : (int)strlen(p);
	}
	for (size_t i = 0; i < n; i++) {
		const struct unifw_jv *f = unifw_jv_at(files, i);
		char h[32];
		const char *note = S(f, "error") ? S(f, "error") : S(f, "detail.hint");
		fprintf(out, "  %-*s  %10s  %-12s%s%s\n", wp, S(f, "path"), size_text(U(f, "size"), h, sizeof h),
			S(f, "kind") ? S(f, "kind") : "?", note ? "  " : "", note ? note : "");
	}
}

static void render_findings(FILE *out, const struct unifw_jv *f)
{
	size_t n = unifw_jv_len(f), counts[3] = {0, 0, 0};
	static const char *sev[3] = {"error", "warning", "info"};
	for (size_t i = 0; i < n; i++)
		for (int s = 0; s < 3; s++)
			counts[s] += S(unifw_jv_at(f, i), "severity") && !strcmp(S(unifw_jv_at(f, i), "severity"), sev[s]);
	char title[96];
	snprintf(title, sizeof title, "Findings: %zu error%s, %zu warning%s, %zu note%s", counts[0],
		 counts[0] == 1 ? "" : "s", counts[1], counts[1] == 1 ? "" : "s", counts[2], counts[2] == 1 ? "" : "s");
	heading(out, title);
	if (!n)
		fprintf(out, "  none: nothing to fix before using this package\n");
	/* Errors first, then warnings, then notes. */
	for (int s = 0; s < 3; s++)
		for (size_t i = 0; i < n; i++) {
			const struct unifw_jv *x = unifw_jv_at(f, i);
			if (!S(x, "severity") || strcmp(S(x, "severity"), sev[s]))
				continue;
			const char *part = S(x, "partition");
			const char *msg = S(x, "message") ? S(x, "message") : "";
			if (part && !strncmp(msg, part, strlen(part)) && msg[strlen(part)] == ':')
				part = NULL; /* the message already names it */
			char line[1024];
			snprintf(line, sizeof line, "%s%s%s [%s]", part ? part : "", part ? ": " : "", msg,
				 S(x, "code"));
			fprintf(out, "  %-7s  ", s == 0 ? "ERROR" : s == 1 ? "WARNING" : "note");
			print_wrapped(out, 11, 11, line);
		}
}

static void render_package(FILE *out, const struct unifw_jv *r)
{
	const char *type = S(r, "type");
	const char *what = !strcmp(type, "package") ? "Firmware package"
			   : !strcmp(type, "backup") ? "unifw backup"
			   : !strcmp(type, "folder") ? "Folder" : "Archive";
	fprintf(out, "%s: %s\n", what, S(r, "path"));
	if (!strcmp(S(r, "source"), "archive"))
		fact(out, "Archive", "%s, read in place (nothing extracted)",
		     S(r, "archive_format") && *S(r, "archive_format") ? S(r, "archive_format") : "?");
	if (S(r, "scatter_file")) {
		const struct unifw_jv *sc = unifw_jv_get(r, "scatters");
		size_t n = unifw_jv_len(sc);
		fact(out, "Scatter", "%s%s", S(r, "scatter_file"),
		     n > 1 ? "  (chosen among several; see findings)" : "");
	}
	if (unifw_jv_get(r, "manifest")) {
		const struct unifw_jv *m = unifw_jv_get(r, "manifest");
		for (size_t i = 0; i < unifw_jv_len(m); i++)
			if (is_scalar(unifw_jv_at(m, i)) && strcmp(unifw_jv_key_at(m, i), "kind")) {
				char cell[256];
				scalar_text(unifw_jv_at(m, i), unifw_jv_key_at(m, i), cell, sizeof cell);
				fact(out, unifw_jv_key_at(m, i), "%s", cell);
			}
	}
	render_summary(out, r);
	render_partitions(out, unifw_jv_get(r, "partitions"));
	render_files(out, unifw_jv_get(r, "files") ? "Files" : "Other files",
		     unifw_jv_get(r, "files") ? unifw_jv_get(r, "files") : unifw_jv_get(r, "extra_files"));
	render_findings(out, unifw_jv_get(r, "findings"));
}

void cli_render_human(FILE *out, const struct unifw_jv *report)
{
	const char *type = S(report, "type");
	if (type && (!strcmp(type, "package") || !strcmp(type, "backup") || !strcmp(type, "folder") ||
		     !strcmp(type, "archive")) && S(report, "source"))
		render_package(out, report);
	else
		render_image(out, report);
}
