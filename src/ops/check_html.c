/* The HTML page of a `unifw check` report (docs/check.md "HTML report"): one self-contained file a person
 * can open anywhere: inline CSS, inline SVG, logos as data: URLs, a Content-Security-Policy that forbids
 * every fetch, and one small inline script that only records where the maps and the table were laid out
 * (the headless-browser test reads those boxes back from the DOM).
 *
 * Every string comes from the report, and the report's strings come from hostile files (partition names,
 * project names, build descriptions): each goes through html_text()/html_attr(). The page is built in
 * sections (sections[] below) so that later reports (issue 13's port report) add a section, not a page. */
#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "unifw/check.h"
#include "unifw/human.h"
#include "unifw/io.h"
#include "unifw/logo.h"

/* ---------------------------------------------------------------- escaping and JSON helpers */

/* Text and attribute values alike: the five characters that can end an element, an attribute or start
 * an entity, and control characters (which have no business in a report) as U+FFFD. */
static void html_text(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		switch (c) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default:
			if (c < 0x20 && c != '\n' && c != '\t')
				fputs("&#xFFFD;", f);
			else
				fputc(c, f);
		}
	}
}

static void html_attr(FILE *f, const char *name, const char *value)
{
	fprintf(f, " %s=\"", name);
	html_text(f, value);
	fputc('"', f);
}

static const char *jstr(const struct unifw_jv *obj, const char *key)
{
	const char *s = unifw_jv_str(unifw_jv_get(obj, key));
	return s ? s : "";
}

/* An address or size as the report writes it: a JSON number, or a "0x..." / decimal string. */
static bool jaddr(const struct unifw_jv *v, uint64_t *out)
{
	enum unifw_jv_type t = unifw_jv_type(v);
	if (v && t == UNIFW_JV_UINT) {
		*out = unifw_jv_u64(v);
		return true;
	}
	const char *s = unifw_jv_str(v);
	if (!s || !*s || !isdigit((unsigned char)*s))
		return false;
	char *end = NULL;
	unsigned long long x = strtoull(s, &end, 0);
	if (!end || *end)
		return false;
	*out = x;
	return true;
}

/* Verdicts by rank (check.h enum order); the report may carry the code or the text. */
static const struct {
	const char *code, *text;
} verdicts[] = {
	{"safe", "SAFE"},
	{"caveats", "WORKS WITH CAVEATS"},
	{"will_not_boot", "WILL NOT BOOT"},
	{"brick_risk", "BRICK RISK"},
};
#define VERDICT_COUNT (sizeof verdicts / sizeof verdicts[0])

static int verdict_rank(const char *v)
{
	for (size_t i = 0; v && i < VERDICT_COUNT; i++)
		if (!strcasecmp(v, verdicts[i].code) || !strcasecmp(v, verdicts[i].text))
			return (int)i;
	return -1;
}

static const char *verdict_class(int rank) { return rank >= 0 ? verdicts[rank].code : "unknown"; }
static const char *verdict_label(int rank) { return rank >= 0 ? verdicts[rank].text : "UNKNOWN"; }

/* ---------------------------------------------------------------- the report */

struct report_view {
	const struct unifw_jv *check, *package, *phone, *logos;
	const struct unifw_jv *port; /* `unifw port --html`: its report (docs/json.md "port"), NULL otherwise */
};

struct side_ref {
	const char *key;   /* "package" / "phone": report key, SVG id suffix */
	const char *title;
	const struct unifw_jv *fp;
};

static void sides_of(const struct report_view *r, struct side_ref out[2])
{
	out[0] = (struct side_ref){"package", "Package (what would be written)", r->package};
	out[1] = (struct side_ref){"phone", "Phone (what is there now)", r->phone};
}

static const char *fp_source_line(const struct unifw_jv *fp)
{
	const char *path = jstr(fp, "path");
	return *path ? path : jstr(fp, "source");
}

/* ---------------------------------------------------------------- page head */

static const char page_css[] =
	"body{font:14px/1.4 system-ui,sans-serif;margin:0;color:#1d2733;background:#f6f7f9}"
	"header{padding:14px 22px;color:#fff}"
	"header h1{margin:0;font-size:20px}"
	"header .verdict{font-size:28px;font-weight:700;letter-spacing:.5px}"
	"main{padding:10px 22px 30px}"
	"section{background:#fff;border:1px solid #d5dae1;border-radius:6px;padding:10px 14px;margin:12px 0}"
	"h2{font-size:17px;margin:4px 0 10px}h3{font-size:14px;margin:4px 0}"
	".cols{display:grid;grid-template-columns:660px minmax(0,1fr);gap:0 16px;align-items:start}"
	"@media (max-width:1180px){.cols{grid-template-columns:minmax(0,1fr)}}"
	"#verdicts{overflow-x:auto}"
	".maps{display:flex;gap:10px}.map{flex:1 1 0}"
	"svg text{font:10px monospace;fill:#1d2733}svg text.addr{fill:#6b7785}"
	"rect.part{stroke:#44546a;stroke-width:1}"
	"rect.part.same{fill:#dce8f5}rect.part.diff{fill:#ffd37a;stroke:#c0392b;stroke-width:2.5}"
	"rect.part.only{fill:#f7b9b0;stroke:#c0392b;stroke-width:2.5;stroke-dasharray:5 3}"
	"rect.boot-region{fill:#8e44ad}line.boot-line{stroke:#5b2c83;stroke-width:2}"
	".legend span{display:inline-block;margin-right:14px}"
	".sw{display:inline-block;width:14px;height:10px;border:1px solid #44546a;vertical-align:middle;margin-right:4px}"
	"table{border-collapse:collapse;width:100%}"
	"th,td{border:1px solid #d5dae1;padding:4px 6px;text-align:left;vertical-align:top}"
	"th{background:#eef1f5}"
	"table.findings{table-layout:fixed}col.c-verdict{width:150px}col.c-area{width:72px}col.c-part{width:100px}"
	"table.findings .badge{font-size:11px;white-space:normal}td.area,td.partition{overflow-wrap:anywhere}"
	"td.evidence,td.message{white-space:pre-wrap;overflow-wrap:anywhere}"
	".boot-effect,.refuses{font-size:12px;margin-top:3px}.refuses{color:#7b1010;font-weight:700}"
	"td.evidence{font:12px monospace}"
	"tr.diff td{background:#fff4dc}"
	".badge{display:inline-block;padding:1px 6px;border-radius:4px;color:#fff;font-weight:700;white-space:nowrap}"
	".v-brick_risk{background:#7b1010}.v-will_not_boot{background:#c0392b}"
	".v-caveats{background:#b9770e}.v-safe{background:#1e8449}.v-unknown{background:#566573}"
	"rect.badge.v-brick_risk{fill:#7b1010}rect.badge.v-will_not_boot{fill:#c0392b}"
	"rect.badge.v-caveats{fill:#b9770e}"
	".logos{display:flex;gap:24px;flex-wrap:wrap}"
	"figure{display:inline-block;margin:4px 10px 4px 0;text-align:center}"
	"figure img{max-width:200px;height:auto;border:1px solid #aaa;background:#000}"
	"figcaption{font-size:12px;color:#566573}"
	"code{font:12px monospace}";

/* One inline script (allowed by the policy below, nothing else is): after layout, record each boxed
 * element's page box as data-bbox="x,y,width,height" for the headless-browser test. */
static const char page_script[] =
	"window.addEventListener('load',function(){"
	"var n=document.querySelectorAll('[data-box]');"
	"for(var i=0;i<n.length;i++){var r=n[i].getBoundingClientRect();"
	"n[i].setAttribute('data-bbox',[r.left+window.scrollX,r.top+window.scrollY,r.width,r.height]"
	".map(Math.round).join(','));}"
	"document.body.setAttribute('data-laid-out','1');});";

static void page_head(FILE *f, const struct report_view *r)
{
	int rank = verdict_rank(jstr(r->check, "verdict"));
	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n", f);
	/* No network at all: every resource of the page is inline or a data: URL. */
	fputs("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; "
	      "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n",
	      f);
	fputs("<link rel=\"icon\" href=\"data:,\">\n<title>unifw check: ", f);
	html_text(f, verdict_label(rank));
	fprintf(f, "</title>\n<style>%s</style>\n</head>\n", page_css);
	fputs("<body>\n", f);
	fprintf(f, "<header class=\"v-%s\" id=\"verdict-banner\" data-verdict=\"%s\">", verdict_class(rank),
		verdict_class(rank));
	fputs("<h1>unifw check: will this firmware work on this phone?</h1><div class=\"verdict\">", f);
	html_text(f, verdict_label(rank));
	fputs("</div></header>\n<main>\n", f);
}

static void page_tail(FILE *f)
{
	fprintf(f, "</main>\n<script>%s</script>\n</body>\n</html>\n", page_script);
}

/* ---------------------------------------------------------------- summary */

/* The virtual phone's boot outcomes (docs/sim.md "Boot evaluation"), in words. */
static const struct {
	const char *code, *words;
} boot_words[] = {
	{"dead", "dead: the boot ROM refuses the preloader; the screen stays off"},
	{"brom_loop", "keeps coming back in BROM download mode: the preloader finds no memory settings"},
	{"stuck_brom", "stays in download mode: the preloader cannot load LK"},
	{"boot_loop", "boot loop: it restarts before Android comes up"},
	{"white_screen", "white screen from power-on: LK drives the panel with the wrong driver"},
	{"black_screen", "black screen after the logo: the kernel has no working panel driver"},
	{"boots_with_faults", "boots, with faults"},
	{"boots", "boots"},
};

static const char *boot_in_words(const char *code)
{
	for (size_t i = 0; i < sizeof boot_words / sizeof boot_words[0]; i++)
		if (!strcmp(code, boot_words[i].code))
			return boot_words[i].words;
	return "";
}

static void summary_side(FILE *f, const char *label, const struct unifw_jv *fp)
{
	fputs("<tr><th>", f);
	html_text(f, label);
	fputs("</th><td>", f);
	if (!fp || unifw_jv_type(fp) != UNIFW_JV_OBJECT) {
		fputs("(not in the report)</td></tr>\n", f);
		return;
	}
	fputs("<code>", f);
	html_text(f, fp_source_line(fp));
	fputs("</code> ", f);
	const char *src = jstr(fp, "source");
	if (*src) {
		fputs("(", f);
		html_text(f, src);
		fputs(")", f);
	}
	fputs("</td></tr>\n", f);
}

static void section_summary(FILE *f, const struct report_view *r)
{
	int rank = verdict_rank(jstr(r->check, "verdict"));
	const char *boot = jstr(r->check, "predicted_boot");
	fputs("<section id=\"summary\" data-box><h2>Verdict</h2>\n<table class=\"summary\">\n", f);
	fprintf(f, "<tr><th>verdict</th><td><span class=\"badge v-%s\">", verdict_class(rank));
	html_text(f, verdict_label(rank));
	fputs("</span></td></tr>\n<tr><th>predicted boot</th><td id=\"predicted-boot\"", f);
	html_attr(f, "data-boot", boot);
	fputs("><code>", f);
	html_text(f, *boot ? boot : "(not predicted)");
	fputs("</code> ", f);
	html_text(f, boot_in_words(boot));
	const struct unifw_jv *faults = unifw_jv_get(r->check, "predicted_faults");
	for (size_t i = 0; i < unifw_jv_len(faults) && i < 16; i++) {
		const char *fault = unifw_jv_str(unifw_jv_at(faults, i));
		fputs(i ? ", " : ": ", f);
		fputs("<code class=\"fault\">", f);
		html_text(f, fault ? fault : "?");
		fputs("</code>", f);
	}
	fputs("</td></tr>\n", f);
	summary_side(f, "package", r->package);
	summary_side(f, "phone", r->phone);
	fputs("</table>\n</section>\n", f);
}

/* ---------------------------------------------------------------- partition maps */

enum part_status { PART_SAME, PART_DIFF, PART_ONLY };

struct map_part {
	char name[32];
	uint64_t start, end;   /* [start, end) in linear addresses; end == start: no size */
	uint64_t pos, pos_end; /* the same on the shared axis (map_align) */
	unsigned mbr_index;
	char content[24];
	enum part_status status;
	int verdict;           /* the check's per-partition verdict (package side), -1 none */
};

struct map_side {
	const struct side_ref *ref;
	struct map_part parts[UNIFW_FP_MAX_PARTS];
	size_t count, dropped;  /* dropped: entries past UNIFW_FP_MAX_PARTS or without an address */
	bool have_boot;
	uint64_t boot_region;
	uint64_t shift;         /* linear -> axis: the largest boot region of both sides minus this side's */
};

static const struct unifw_jv *layout_parts(const struct unifw_jv *fp, const struct unifw_jv **layout)
{
	*layout = unifw_jv_get(fp, "layout");
	const struct unifw_jv *parts = unifw_jv_get(*layout, "parts");
	if (!parts)
		parts = unifw_jv_get(*layout, "partitions");
	if (!parts) {
		*layout = fp;
		parts = unifw_jv_get(fp, "parts");
	}
	return unifw_jv_type(parts) == UNIFW_JV_ARRAY ? parts : NULL;
}

static bool read_map_part(const struct unifw_jv *o, struct map_part *p)
{
	uint64_t linear = 0, size = 0;
	const char *name = unifw_jv_str(unifw_jv_get(o, "name"));
	if (!name || !jaddr(unifw_jv_get(o, "linear"), &linear))
		return false;
	memset(p, 0, sizeof *p);
	snprintf(p->name, sizeof p->name, "%s", name);
	if (!jaddr(unifw_jv_get(o, "size"), &size))
		size = 0;
	p->start = linear;
	p->end = size > UINT64_MAX - linear ? UINT64_MAX : linear + size;
	uint64_t idx = 0;
	if (jaddr(unifw_jv_get(o, "mbr_index"), &idx) && idx < 1000)
		p->mbr_index = (unsigned)idx;
	snprintf(p->content, sizeof p->content, "%s", jstr(o, "content"));
	p->verdict = -1;
	return true;
}

static void read_map_side(const struct side_ref *ref, struct map_side *s)
{
	memset(s, 0, sizeof *s);
	s->ref = ref;
	const struct unifw_jv *layout = NULL, *parts = layout_parts(ref->fp, &layout);
	s->have_boot = jaddr(unifw_jv_get(layout, "boot_region"), &s->boot_region);
	for (size_t i = 0; i < unifw_jv_len(parts); i++) {
		if (s->count < UNIFW_FP_MAX_PARTS && read_map_part(unifw_jv_at(parts, i), &s->parts[s->count]))
			s->count++;
		else
			s->dropped++;
	}
}

static const struct map_part *find_part(const struct map_side *s, const char *name)
{
	for (size_t i = 0; i < s->count; i++)
		if (!strcasecmp(s->parts[i].name, name))
			return &s->parts[i];
	return NULL;
}

/* Linear addresses count the boot region, and the two sides' boot regions may differ (0x600000 on one
 * eMMC, 0xC00000 on another) while their user areas hold the same layout. Both maps are aligned at the MBR
 * (user-area offset 0): the axis position is linear + (largest boot region - this side's), so the same
 * height is the same place in the user area, and each boot region sits above the MBR with its own size. */
static uint64_t add_sat(uint64_t a, uint64_t b) { return a > UINT64_MAX - b ? UINT64_MAX : a + b; }

static void map_align(struct map_side sides[2])
{
	uint64_t top = 0;
	for (int s = 0; s < 2; s++)
		if (sides[s].have_boot && sides[s].boot_region > top)
			top = sides[s].boot_region;
	for (int s = 0; s < 2; s++) {
		sides[s].shift = top - (sides[s].have_boot ? sides[s].boot_region : 0);
		for (size_t i = 0; i < sides[s].count; i++) {
			struct map_part *p = &sides[s].parts[i];
			p->pos = add_sat(p->start, sides[s].shift);
			p->pos_end = add_sat(p->end, sides[s].shift);
		}
	}
}

/* A partition differs when the other side has it at another place in the user area or with another size. */
static void mark_differences(struct map_side *a, const struct map_side *b)
{
	for (size_t i = 0; i < a->count; i++) {
		struct map_part *p = &a->parts[i];
		const struct map_part *q = find_part(b, p->name);
		p->status = !q ? PART_ONLY
			  : (q->pos != p->pos || q->end - q->start != p->end - p->start) ? PART_DIFF
											    : PART_SAME;
	}
}

static void mark_verdicts(struct map_side *s, const struct unifw_jv *check)
{
	const struct unifw_jv *parts = unifw_jv_get(check, "partitions");
	for (size_t i = 0; i < unifw_jv_len(parts); i++) {
		const struct unifw_jv *o = unifw_jv_at(parts, i);
		for (size_t k = 0; k < s->count; k++)
			if (!strcasecmp(s->parts[k].name, jstr(o, "name")))
				s->parts[k].verdict = verdict_rank(jstr(o, "verdict"));
	}
}

/* The address axis both maps share. Partitions run from 512 KiB to gigabytes (and BMTPOOL's flag address
 * 0xFFFFxxxx): a linear scale would hide the small ones. Every partition boundary of either side is a
 * tick (in map_align's positions); the stretch between two ticks gets a height that grows with the logarithm
 * of its length, so the same place sits at the same height on both sides and every partition is visible. */
#define AXIS_MAX (4u * UNIFW_FP_MAX_PARTS + 4u)
#define MAP_TOP 8.0

struct axis {
	uint64_t at[AXIS_MAX];
	double y[AXIS_MAX];
	size_t n;
	double height;
};

static void axis_add(struct axis *a, uint64_t v)
{
	if (a->n < AXIS_MAX)
		a->at[a->n++] = v;
}

static int cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
	return a < b ? -1 : a > b;
}

static double stretch_height(uint64_t len)
{
	double h = 12.0 + 6.0 * log2(1.0 + (double)len / 1048576.0);
	return h > 96.0 ? 96.0 : h;
}

static void axis_build(struct axis *a, const struct map_side sides[2])
{
	memset(a, 0, sizeof *a);
	axis_add(a, 0);
	for (int s = 0; s < 2; s++) {
		axis_add(a, sides[s].shift);
		if (sides[s].have_boot)
			axis_add(a, add_sat(sides[s].boot_region, sides[s].shift));
		for (size_t i = 0; i < sides[s].count; i++) {
			axis_add(a, sides[s].parts[i].pos);
			axis_add(a, sides[s].parts[i].pos_end);
		}
	}
	qsort(a->at, a->n, sizeof a->at[0], cmp_u64);
	size_t u = 0;
	for (size_t i = 0; i < a->n; i++)
		if (u == 0 || a->at[i] != a->at[u - 1])
			a->at[u++] = a->at[i];
	a->n = u;
	a->y[0] = MAP_TOP;
	for (size_t i = 1; i < a->n; i++)
		a->y[i] = a->y[i - 1] + stretch_height(a->at[i] - a->at[i - 1]);
	a->height = a->y[a->n - 1] + MAP_TOP;
}

static double axis_y(const struct axis *a, uint64_t v)
{
	size_t lo = 0, hi = a->n;
	while (lo + 1 < hi) {
		size_t mid = (lo + hi) / 2;
		if (a->at[mid] <= v)
			lo = mid;
		else
			hi = mid;
	}
	return a->y[lo];
}

#define MAP_WIDTH 300
#define MAP_X 84
#define MAP_W 212

static void map_part_svg(FILE *f, const struct map_part *p, const struct axis *a, double *last_label)
{
	static const char *status_class[] = {"same", "diff", "only"};
	double y0 = axis_y(a, p->pos), y1 = p->pos_end > p->pos ? axis_y(a, p->pos_end) : y0 + 4.0;
	double h = y1 - y0 < 3.0 ? 3.0 : y1 - y0;
	char size[32], linear[24], bytes[24];
	unifw_human_size(p->end - p->start, size, sizeof size);
	snprintf(linear, sizeof linear, "0x%" PRIX64, p->start);
	snprintf(bytes, sizeof bytes, "0x%" PRIX64, p->end - p->start);
	fprintf(f, "<rect class=\"part %s\" x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%.1f\"", status_class[p->status],
		MAP_X, y0, MAP_W, h);
	html_attr(f, "data-name", p->name);
	fprintf(f, " data-linear=\"%s\" data-size=\"%s\" data-status=\"%s\"><title>", linear, bytes,
		status_class[p->status]);
	html_text(f, p->name);
	fprintf(f, ": linear %s, %s (%s)", linear, bytes, size);
	if (p->mbr_index)
		fprintf(f, ", mmcblk0p%u", p->mbr_index);
	if (p->content[0]) {
		fputs(", ", f);
		html_text(f, p->content);
	}
	fputs("</title></rect>", f);
	if (p->verdict > 0)
		fprintf(f, "<rect class=\"badge v-%s\" x=\"%d\" y=\"%.1f\" width=\"8\" height=\"%.1f\"/>",
			verdict_class(p->verdict), MAP_X + MAP_W - 9, y0 + 1.0, h - 2.0 > 1.0 ? h - 2.0 : 1.0);
	double mid = y0 + h / 2.0 + 3.5;
	fprintf(f, "<text x=\"%d\" y=\"%.1f\">", MAP_X + 4, mid);
	html_text(f, p->name);
	fprintf(f, " %s</text>", size);
	/* Start addresses at the left, as long as they do not overprint the previous one. */
	if (y0 - *last_label >= 10.0 || *last_label < 0) {
		fprintf(f, "<text class=\"addr\" x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s</text>", MAP_X - 12, y0 + 8.0,
			linear);
		*last_label = y0;
	}
	fputc('\n', f);
}

/* The boot region (boot1, boot2, RPMB: linear 0 up to the MBR) as a bar beside the partitions, and the
 * line where the user area starts drawn over them (map_boot_line_svg, after the partitions). */
static void map_boot_region_svg(FILE *f, const struct map_side *s, const struct axis *a)
{
	if (!s->have_boot)
		return;
	double top = axis_y(a, s->shift), y = axis_y(a, add_sat(s->boot_region, s->shift));
	fprintf(f, "<rect class=\"boot-region\" x=\"%d\" y=\"%.1f\" width=\"6\" height=\"%.1f\""
		   " data-boot-region=\"0x%" PRIX64 "\"><title>boot region (boot1, boot2, RPMB): linear 0x0 to 0x%" PRIX64
		   ", where the MBR starts</title></rect>\n",
		MAP_X - 9, top, y - top > 2.0 ? y - top : 2.0, s->boot_region, s->boot_region);
}

static void map_boot_line_svg(FILE *f, const struct map_side *s, const struct axis *a)
{
	if (s->have_boot)
		fprintf(f, "<line class=\"boot-line\" x1=\"%d\" x2=\"%d\" y1=\"%.1f\" y2=\"%.1f\"/>\n", MAP_X - 9,
			MAP_X + MAP_W, axis_y(a, add_sat(s->boot_region, s->shift)),
			axis_y(a, add_sat(s->boot_region, s->shift)));
}

static int cmp_part_start(const void *x, const void *y)
{
	const struct map_part *a = x, *b = y;
	return a->start < b->start ? -1 : a->start > b->start;
}

static void map_side_svg(FILE *f, struct map_side *s, const struct axis *a)
{
	fputs("<div class=\"map\"><h3>", f);
	html_text(f, s->ref->title);
	fputs("</h3><div><code>", f);
	html_text(f, s->ref->fp ? fp_source_line(s->ref->fp) : "(not in the report)");
	fputs("</code></div>\n", f);
	fprintf(f, "<svg id=\"map-%s\" class=\"partition-map\" width=\"%d\" "
		   "height=\"%.0f\" viewBox=\"0 0 %d %.0f\" role=\"img\" data-parts=\"%zu\">\n",
		s->ref->key, MAP_WIDTH, a->height, MAP_WIDTH, a->height, s->count);
	map_boot_region_svg(f, s, a);
	qsort(s->parts, s->count, sizeof s->parts[0], cmp_part_start);
	double last_label = -1.0;
	for (size_t i = 0; i < s->count; i++)
		map_part_svg(f, &s->parts[i], a, &last_label);
	map_boot_line_svg(f, s, a);
	fputs("</svg>\n", f);
	if (s->count == 0)
		fputs("<p>No partition layout in this fingerprint.</p>\n", f);
	if (s->dropped)
		fprintf(f, "<p>%zu layout entries not drawn (no address, or past %u).</p>\n", s->dropped, UNIFW_FP_MAX_PARTS);
	fputs("</div>\n", f);
}

static void section_maps(FILE *f, const struct report_view *r)
{
	struct side_ref refs[2];
	sides_of(r, refs);
	/* Two sides of 64 partitions: on the heap, not on the caller's stack. */
	struct map_side *sides = calloc(2, sizeof *sides);
	struct axis *axis = calloc(1, sizeof *axis);
	fputs("<section id=\"maps\" data-box><h2>Partition maps</h2>\n", f);
	if (!sides || !axis) {
		fputs("<p>Out of memory: maps not drawn.</p></section>\n", f);
		free(sides);
		free(axis);
		return;
	}
	for (int i = 0; i < 2; i++)
		read_map_side(&refs[i], &sides[i]);
	map_align(sides);
	mark_differences(&sides[0], &sides[1]);
	mark_differences(&sides[1], &sides[0]);
	mark_verdicts(&sides[0], r->check);
	axis_build(axis, sides);
	fputs("<p class=\"legend\"><span><i class=\"sw\" style=\"background:#dce8f5\"></i>same place and size</span>"
	      "<span><i class=\"sw\" style=\"background:#ffd37a;border-color:#c0392b\"></i>other address or size</span>"
	      "<span><i class=\"sw\" style=\"background:#f7b9b0;border-color:#c0392b\"></i>only on this side</span>"
	      "<span><i class=\"sw\" style=\"background:#8e44ad\"></i>boot region; the line: where the MBR starts</span></p>\n"
	      "<p class=\"legend\">Both maps are aligned at the MBR: the same height is the same place in the user "
	      "area (addresses at the left are each side's linear addresses). Heights grow with the logarithm of "
	      "each stretch's length.</p>\n<div class=\"maps\">\n",
	      f);
	for (int i = 0; i < 2; i++)
		map_side_svg(f, &sides[i], axis);
	fputs("</div>\n</section>\n", f);
	free(sides);
	free(axis);
}

/* ---------------------------------------------------------------- verdict table */

static void item_cell(FILE *f, const char *cls, const char *s)
{
	fprintf(f, "<td class=\"%s\">", cls);
	html_text(f, s);
	fputs("</td>", f);
}

static void item_row(FILE *f, const struct unifw_jv *it)
{
	int rank = verdict_rank(jstr(it, "verdict"));
	const char *boot = jstr(it, "boot_effect");
	fprintf(f, "<tr class=\"item v-row-%s\"", verdict_class(rank));
	html_attr(f, "data-code", jstr(it, "code"));
	fprintf(f, " data-verdict=\"%s\"><td class=\"verdict\"><span class=\"badge v-%s\">", verdict_class(rank),
		verdict_class(rank));
	html_text(f, verdict_label(rank));
	fputs("</span>", f);
	if (*boot) {
		fputs("<div class=\"boot-effect\">boot: <code>", f);
		html_text(f, boot);
		fputs("</code></div>", f);
	}
	if (unifw_jv_truthy(unifw_jv_get(it, "flash_refuses")))
		fputs("<div class=\"refuses\">unifw flash refuses</div>", f);
	fputs("</td>", f);
	item_cell(f, "area", jstr(it, "area"));
	item_cell(f, "partition", jstr(it, "partition"));
	fputs("<td class=\"message\">", f);
	html_text(f, jstr(it, "message"));
	fputs(" <code>", f);
	html_text(f, jstr(it, "code"));
	fputs("</code></td>", f);
	item_cell(f, "evidence", jstr(it, "evidence"));
	fputs("</tr>\n", f);
}

static void section_verdicts(FILE *f, const struct report_view *r)
{
	const struct unifw_jv *items = unifw_jv_get(r->check, "items");
	size_t n = unifw_jv_type(items) == UNIFW_JV_ARRAY ? unifw_jv_len(items) : 0;
	fprintf(f, "<section id=\"verdicts\"><h2>Findings, worst first</h2>\n"
		   "<table id=\"verdict-table\" class=\"findings\" data-box data-items=\"%zu\">\n"
		   "<colgroup><col class=\"c-verdict\"><col class=\"c-area\"><col class=\"c-part\"><col><col></colgroup>\n<thead><tr><th>verdict</th><th>area</th>"
		   "<th>partition</th><th>what it means</th><th>evidence</th></tr></thead>\n<tbody>\n",
		n);
	/* Worst first whatever order the report came in; equal verdicts keep the report's order. */
	for (int rank = (int)VERDICT_COUNT - 1; rank >= -1; rank--)
		for (size_t i = 0; i < n; i++)
			if (verdict_rank(jstr(unifw_jv_at(items, i), "verdict")) == rank)
				item_row(f, unifw_jv_at(items, i));
	if (n == 0)
		fputs("<tr class=\"none\"><td colspan=\"5\">No findings: nothing stands in the way.</td></tr>\n", f);
	fputs("</tbody></table>\n</section>\n", f);
}

/* ---------------------------------------------------------------- port (unifw port --html) */

static void port_row(FILE *f, const struct unifw_jv *c)
{
	fputs("<tr class=\"port-change\"", f);
	html_attr(f, "data-partition", jstr(c, "partition"));
	html_attr(f, "data-action", jstr(c, "action"));
	fputs(">", f);
	item_cell(f, "partition", jstr(c, "partition"));
	fputs("<td class=\"path\"><code>", f);
	html_text(f, *jstr(c, "path") ? jstr(c, "path") : "(the partition)");
	fputs("</code></td>", f);
	item_cell(f, "action", jstr(c, "action"));
	item_cell(f, "source", jstr(c, "source"));
	item_cell(f, "rule", jstr(c, "rule"));
	item_cell(f, "message", jstr(c, "reason"));
	fputs("</tr>\n", f);
}

/* Every decision of the port: the partitions of the phone's table first, then the files, by partition. */
static void section_port(FILE *f, const struct report_view *r)
{
	if (unifw_jv_type(r->port) != UNIFW_JV_OBJECT)
		return;
	const struct unifw_jv *ch = unifw_jv_get(r->port, "changes");
	size_t n = unifw_jv_type(ch) == UNIFW_JV_ARRAY ? unifw_jv_len(ch) : 0;
	fputs("<section id=\"port\"><h2>Port</h2>\n<p>Built from the base <code>", f);
	html_text(f, jstr(r->port, "base"));
	fputs("</code> and the phone's backup <code>", f);
	html_text(f, jstr(r->port, "stock"));
	fputs("</code> into <code>", f);
	html_text(f, jstr(r->port, "out"));
	fprintf(f, "</code>; the verdict above is that firmware's on this phone.</p>\n"
		   "<table id=\"port-table\" data-changes=\"%zu\">\n<thead><tr><th>partition</th><th>file</th><th>action</th>"
		   "<th>from</th><th>rule</th><th>why</th></tr></thead>\n<tbody>\n",
		n);
	for (int files = 0; files < 2; files++)
		for (size_t i = 0; i < n; i++)
			if ((*jstr(unifw_jv_at(ch, i), "path") != 0) == files)
				port_row(f, unifw_jv_at(ch, i));
	fputs("</tbody></table>\n</section>\n", f);
}

/* ---------------------------------------------------------------- what was compared */

static void section_compared(FILE *f, const struct report_view *r)
{
	const struct unifw_jv *c = unifw_jv_get(r->check, "compared");
	fputs("<section id=\"compared\"><h2>What was compared</h2>\n<ul>\n", f);
	for (size_t i = 0; i < unifw_jv_len(c); i++) {
		const char *s = unifw_jv_str(unifw_jv_at(c, i));
		if (!s)
			continue;
		fputs("<li>", f);
		html_text(f, s);
		fputs("</li>\n", f);
	}
	fputs("</ul>\n</section>\n", f);
}

/* ---------------------------------------------------------------- logos */

static bool base64_ok(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n % 4 || n > 4u * UNIFW_LOGO_JSON_PNG_BYTES)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (!isalnum(c) && c != '+' && c != '/' && !(c == '=' && i >= n - 2))
			return false;
	}
	return true;
}

static void logo_frame(FILE *f, const char *side, const struct unifw_jv *fr)
{
	uint64_t index = 0, w = 0, h = 0;
	const char *b64 = jstr(fr, "png_base64");
	if (!jaddr(unifw_jv_get(fr, "index"), &index) || !jaddr(unifw_jv_get(fr, "width"), &w) ||
	    !jaddr(unifw_jv_get(fr, "height"), &h) || w == 0 || h == 0 || w > UNIFW_LOGO_MAX_DIM ||
	    h > UNIFW_LOGO_MAX_DIM || !base64_ok(b64)) {
		fputs("<p>A frame of this logo is not a valid PNG entry: not shown.</p>\n", f);
		return;
	}
	fprintf(f, "<figure><img class=\"logo-frame\" data-side=\"%s\" alt=\"%s logo frame %" PRIu64 "\" width=\"%" PRIu64
		   "\" height=\"%" PRIu64 "\" src=\"data:image/png;base64,",
		side, side, index, w, h);
	fputs(b64, f); /* checked above: only base64 characters */
	fprintf(f, "\"><figcaption>frame %" PRIu64 ", %" PRIu64 "x%" PRIu64 "</figcaption></figure>\n", index, w, h);
}

static void section_logos(FILE *f, const struct report_view *r)
{
	struct side_ref refs[2];
	sides_of(r, refs);
	fputs("<section id=\"logos\" data-box><h2>Boot logos</h2>\n<div class=\"logos\">\n", f);
	for (int s = 0; s < 2; s++) {
		const struct unifw_jv *frames = unifw_jv_get(r->logos, refs[s].key);
		fprintf(f, "<div class=\"logo-side\" id=\"logos-%s\"><h3>", refs[s].key);
		html_text(f, refs[s].title);
		fputs("</h3>\n", f);
		size_t n = unifw_jv_type(frames) == UNIFW_JV_ARRAY ? unifw_jv_len(frames) : 0;
		for (size_t i = 0; i < n && i < 2 * UNIFW_LOGO_JSON_FRAMES; i++)
			logo_frame(f, refs[s].key, unifw_jv_at(frames, i));
		if (n == 0)
			fputs("<p>No logo frames for this side.</p>\n", f);
		fputs("</div>\n", f);
	}
	fputs("</div>\n</section>\n", f);
}

/* ---------------------------------------------------------------- fingerprints side by side */

/* Every fact of both fingerprints as a row "key: package value | phone value", without knowing the keys:
 * the fingerprint JSON (docs/json.md "fingerprint") grows, the page follows. The layout is in the maps. */
#define FACT_ROWS_MAX 400u
#define FACT_DEPTH 4

struct fact_row {
	char key[128];
	char *val[2];
};

struct facts {
	struct fact_row rows[FACT_ROWS_MAX];
	size_t n;
};

static char *scalar_text(const struct unifw_jv *v)
{
	char *s = NULL;
	switch (unifw_jv_type(v)) {
	case UNIFW_JV_STRING: return strdup(unifw_jv_str(v));
	case UNIFW_JV_BOOL: return strdup(unifw_jv_truthy(v) ? "yes" : "no");
	case UNIFW_JV_UINT:
		if (asprintf(&s, "%" PRIu64, unifw_jv_u64(v)) < 0)
			return NULL;
		return s;
	case UNIFW_JV_INT:
		if (asprintf(&s, "%" PRId64, unifw_jv_i64(v)) < 0)
			return NULL;
		return s;
	default: return strdup("null");
	}
}

/* An array of scalars reads as a list; an array of objects as its count (the maps and table show more). */
static char *array_text(const struct unifw_jv *v)
{
	size_t n = unifw_jv_len(v), shown = n < 24 ? n : 24;
	if (n && unifw_jv_type(unifw_jv_at(v, 0)) >= UNIFW_JV_ARRAY) {
		char *s = NULL;
		return asprintf(&s, "[%zu entries]", n) < 0 ? NULL : s;
	}
	size_t cap = 16, len = 0;
	char *out = calloc(1, cap);
	for (size_t i = 0; out && i < shown; i++) {
		char *t = scalar_text(unifw_jv_at(v, i));
		size_t tl = t ? strlen(t) : 0;
		if (len + tl + 3 > cap) {
			cap = (len + tl + 3) * 2;
			char *grown = realloc(out, cap);
			if (!grown) {
				free(t);
				free(out);
				return NULL;
			}
			out = grown;
		}
		len += (size_t)snprintf(out + len, cap - len, "%s%s", i ? ", " : "", t ? t : "");
		free(t);
	}
	if (out && shown < n) {
		char *s = NULL;
		if (asprintf(&s, "%s ... (%zu in all)", out, n) >= 0) {
			free(out);
			out = s;
		}
	}
	return out;
}

static struct fact_row *fact_row_for(struct facts *fs, const char *key)
{
	for (size_t i = 0; i < fs->n; i++)
		if (!strcmp(fs->rows[i].key, key))
			return &fs->rows[i];
	if (fs->n == FACT_ROWS_MAX)
		return NULL;
	struct fact_row *r = &fs->rows[fs->n++];
	snprintf(r->key, sizeof r->key, "%s", key);
	return r;
}

static void collect_facts(struct facts *fs, int side, const struct unifw_jv *o, const char *prefix, int depth)
{
	for (size_t i = 0; i < unifw_jv_len(o); i++) {
		const char *k = unifw_jv_key_at(o, i);
		const struct unifw_jv *v = unifw_jv_at(o, i);
		/* The layout is drawn in the maps, notes are listed below; "type" only names the JSON object. */
		if (!k || !strcmp(k, "type") ||
		    (depth == 0 && (!strcmp(k, "layout") || !strcmp(k, "parts") || !strcmp(k, "notes"))))
			continue;
		char key[128];
		snprintf(key, sizeof key, "%s%s%s", prefix, *prefix ? "." : "", k);
		if (unifw_jv_type(v) == UNIFW_JV_OBJECT && depth < FACT_DEPTH) {
			collect_facts(fs, side, v, key, depth + 1);
			continue;
		}
		struct fact_row *r = fact_row_for(fs, key);
		if (!r || r->val[side])
			continue;
		r->val[side] = unifw_jv_type(v) == UNIFW_JV_ARRAY ? array_text(v)
				: unifw_jv_type(v) == UNIFW_JV_OBJECT ? strdup("{...}")
								       : scalar_text(v);
	}
}

static void fact_rows_html(FILE *f, const struct facts *fs)
{
	for (size_t i = 0; i < fs->n; i++) {
		const struct fact_row *r = &fs->rows[i];
		bool differ = !r->val[0] || !r->val[1] || strcmp(r->val[0], r->val[1]);
		fprintf(f, "<tr class=\"fact%s\"><th><code>", differ ? " diff" : "");
		html_text(f, r->key);
		fputs("</code></th>", f);
		for (int s = 0; s < 2; s++) {
			fputs("<td>", f);
			html_text(f, r->val[s] ? r->val[s] : "");
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
}

static void notes_html(FILE *f, const struct side_ref *ref)
{
	const struct unifw_jv *notes = unifw_jv_get(ref->fp, "notes");
	for (size_t i = 0; i < unifw_jv_len(notes) && i < 64; i++) {
		const char *s = unifw_jv_str(unifw_jv_at(notes, i));
		if (!s)
			continue;
		fputs("<li><b>", f);
		html_text(f, ref->key);
		fputs(":</b> ", f);
		html_text(f, s);
		fputs("</li>\n", f);
	}
}

static void section_fingerprints(FILE *f, const struct report_view *r)
{
	struct side_ref refs[2];
	sides_of(r, refs);
	struct facts *fs = calloc(1, sizeof *fs);
	fputs("<section id=\"fingerprints\"><h2>The two fingerprints</h2>\n", f);
	if (!fs) {
		fputs("<p>Out of memory: facts not listed.</p></section>\n", f);
		return;
	}
	for (int s = 0; s < 2; s++)
		collect_facts(fs, s, refs[s].fp, "", 0);
	fputs("<table id=\"facts\">\n<thead><tr><th>fact</th><th>package</th><th>phone</th></tr></thead>\n<tbody>\n", f);
	fact_rows_html(f, fs);
	fputs("</tbody></table>\n<h3>Notes: what could not be read</h3>\n<ul class=\"notes\">\n", f);
	for (int s = 0; s < 2; s++)
		notes_html(f, &refs[s]);
	fputs("</ul>\n</section>\n", f);
	for (size_t i = 0; i < fs->n; i++)
		for (int s = 0; s < 2; s++)
			free(fs->rows[i].val[s]);
	free(fs);
}

/* ---------------------------------------------------------------- the page */

typedef void (*section_fn)(FILE *f, const struct report_view *r);

/* In page order. The maps and the verdict table sit side by side (.cols) on a wide window. */
static const struct {
	section_fn fn;
	bool column_start, column_end;
} sections[] = {
	{section_summary, false, false},
	{section_port, false, false},
	{section_maps, true, false},
	{section_verdicts, false, false},
	{section_compared, false, true},
	{section_logos, false, false},
	{section_fingerprints, false, false},
};

static void page_write(FILE *f, const struct report_view *r)
{
	page_head(f, r);
	for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++) {
		if (sections[i].column_start)
			fputs("<div class=\"cols\">\n", f);
		/* The maps are one column; everything up to the column end is the other. */
		if (i > 0 && sections[i - 1].column_start)
			fputs("<div class=\"col-right\">\n", f);
		sections[i].fn(f, r);
		if (sections[i].column_end)
			fputs("</div>\n</div>\n", f);
	}
	page_tail(f);
}

int unifw_check_html_write(const struct unifw_jv *report, const char *out_path, struct unifw_error *err)
{
	const struct unifw_jv *check = unifw_jv_get(report, "check");
	if (unifw_jv_type(check) != UNIFW_JV_OBJECT)
		return unifw_error_set(err, UNIFW_E_INVALID, out_path, UNIFW_NO_OFFSET,
				       "check report: expected an object with a \"check\" object, found none");
	struct report_view r = {check, unifw_jv_get(report, "package"), unifw_jv_get(report, "phone"),
				unifw_jv_get(report, "logos"), unifw_jv_get(report, "port")};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (!f)
		return unifw_error_set(err, UNIFW_E_NOMEM, out_path, UNIFW_NO_OFFSET, "out of memory");
	page_write(f, &r);
	bool failed = ferror(f) != 0;
	if (fclose(f) != 0 || failed) {
		free(buf);
		return unifw_error_set(err, UNIFW_E_NOMEM, out_path, UNIFW_NO_OFFSET, "out of memory building the page");
	}
	int rc = unifw_file_write_atomic(out_path, buf, len, err);
	free(buf);
	return rc;
}
