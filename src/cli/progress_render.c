/* Progress for the device commands (progress.h callbacks), drawn three ways:
 *  - a terminal (stderr is a tty): one bar per step, redrawn in place with \r at most ~10 times a
 *    second, with bytes, speed and ETA; the finished step stays as a line;
 *  - not a terminal: quiet lines on stderr, at the start and end of each step and every 10 %;
 *  - --json: one JSON object per line on stdout ({"event":"begin"|"progress"|"end"|"note", ...}),
 *    then the result object last (cli_json_result). */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "cli/cli.h"
#include "unifw/human.h"
#include "util/clock.h"

#define LONG_STEP (64u << 20) /* lines mode: start and every-10 % lines only for steps this large */

static void json_line(struct unifw_jv *o)
{
	unifw_jv_write(o, stdout, false); /* compact form ends with its newline: one object per line */
	fflush(stdout);
	unifw_jv_free(o);
}

static const char *rate(double bytes, double secs, char *buf, size_t cap)
{
	char h[32];
	if (secs <= 0.0005)
		return snprintf(buf, cap, "-"), buf;
	unifw_human_size((uint64_t)(bytes / secs), h, sizeof h);
	snprintf(buf, cap, "%.24s/s", h);
	return buf;
}

/* Columns of the terminal stderr is: TIOCGWINSZ, else $COLUMNS, else 80. Asked at every redraw, so a
 * resized window gets bars that fit from the next redraw on. */
static unsigned term_columns(void)
{
	struct winsize ws;
	if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	const char *env = getenv("COLUMNS");
	char *end;
	unsigned long c = env && *env ? strtoul(env, &end, 10) : 0;
	if (c > 0 && c < 10000 && !*end)
		return (unsigned)c;
	return 80;
}

/* A redraw: back to the first column, the text, then EL (erase to the end of the line) so that a shorter
 * text leaves nothing of a longer one behind. */
static void clear_bar(struct cli_progress *p)
{
	if (p->bar_drawn) {
		fputs("\r\033[K", stderr);
		p->bar_drawn = false;
	}
}

size_t cli_progress_format(const struct cli_progress *p, unsigned cols, double now, char *buf, size_t cap)
{
	char done[32], total[32] = "", sp[40], eta[32] = "", tail[192], head[48];
	double secs = now - p->t0;
	unifw_human_size(p->done, done, sizeof done);
	rate((double)(p->done - p->done0), secs, sp, sizeof sp);
	if (p->total) {
		unifw_human_size(p->total, total, sizeof total);
		double r = secs > 0.05 ? (double)(p->done - p->done0) / secs : 0;
		if (r > 0 && p->total > p->done) {
			unsigned long left = (unsigned long)((double)(p->total - p->done) / r + 0.5);
			snprintf(eta, sizeof eta, " ETA %lu:%02lu", left / 60, left % 60);
		}
	}
	snprintf(head, sizeof head, "%-6.6s %-12.12s", p->step, p->item);
	/* padded to a steady width, so that the bar does not jump as the numbers grow and shrink */
	snprintf(tail, sizeof tail, " %s%s%s %s%s", done, p->total ? "/" : "", total, sp, eta);
	snprintf(tail + strlen(tail), sizeof tail - strlen(tail), "%*s", (int)(36 - (strlen(tail) < 36 ? strlen(tail) : 36)), "");
	/* never the last column: a terminal may wrap there, and the next \r would redraw one line too low */
	size_t room = cols > 1 ? cols - 1 : 0, hl = strlen(head), tl = strlen(tail);
	if (room >= cap)
		room = cap - 1;
	int width = (int)room - (int)(hl + tl + 3); /* " [" ... "]" */
	if (width < 8) { /* narrow: the tail's padding goes before the bar does */
		while (tl && tail[tl - 1] == ' ')
			tail[--tl] = 0;
		width = (int)room - (int)(hl + tl + 3);
	}
	if (width > 40)
		width = 40;
	size_t n;
	if (width >= 8) {
		char bar[41];
		int fill = p->total ? (int)((double)p->done / (double)p->total * width) : 0;
		if (fill > width)
			fill = width;
		for (int i = 0; i < width; i++)
			bar[i] = i < fill ? '#' : (p->total ? '.' : ' ');
		bar[width] = 0;
		n = (size_t)snprintf(buf, cap, "%s [%s]%s", head, bar, tail);
	} else { /* too narrow for a bar: the numbers, cut to fit */
		n = (size_t)snprintf(buf, cap, "%s%s", head, tail);
	}
	if (n > room)
		n = room;
	buf[n] = 0;
	return n;
}

static void draw_bar(struct cli_progress *p, bool force)
{
	double t = unifw_mono_s();
	if (!force && t - p->last_draw < 0.1)
		return;
	p->last_draw = t;
	char line[512];
	cli_progress_format(p, term_columns(), t, line, sizeof line);
	fprintf(stderr, "\r%s\033[K", line);
	fflush(stderr);
	p->bar_drawn = true;
}

static void on_begin(void *ctx, const char *step, const char *item, uint64_t total)
{
	struct cli_progress *p = ctx;
	snprintf(p->step, sizeof p->step, "%s", step ? step : "");
	snprintf(p->item, sizeof p->item, "%s", item ? item : "");
	p->total = total;
	p->done = p->done0 = 0;
	p->first_update = true;
	p->t0 = unifw_mono_s();
	p->last_draw = 0;
	p->last_decile = 0;
	p->last_json = p->t0;
	if (p->mode == CLI_PROGRESS_JSON) {
		struct unifw_jv *o = unifw_jv_object();
		unifw_jv_set_str(o, "type", "event");
		unifw_jv_set_str(o, "event", "begin");
		unifw_jv_set_str(o, "step", p->step);
		if (item)
			unifw_jv_set_str(o, "item", p->item);
		unifw_jv_set_uint(o, "total", total);
		json_line(o);
	} else if (p->mode == CLI_PROGRESS_LINES) {
		/* quiet: steps that take a while announce themselves; every step reports its end */
		if (total >= LONG_STEP) {
			char h[32];
			unifw_human_size(total, h, sizeof h);
			fprintf(stderr, "%s%s%s: started (%s)\n", p->step, item ? " " : "", p->item, h);
		}
	} else {
		draw_bar(p, true);
	}
}

static void on_update(void *ctx, uint64_t done)
{
	struct cli_progress *p = ctx;
	if (p->first_update) {
		/* a resumed step starts part-way: speed counts only what moves now */
		p->done0 = done;
		p->first_update = false;
	}
	p->done = done;
	if (p->mode == CLI_PROGRESS_JSON) {
		double t = unifw_mono_s();
		if (t - p->last_json < 0.25 && done != p->total)
			return;
		p->last_json = t;
		struct unifw_jv *o = unifw_jv_object();
		unifw_jv_set_str(o, "type", "event");
		unifw_jv_set_str(o, "event", "progress");
		unifw_jv_set_str(o, "step", p->step);
		unifw_jv_set_str(o, "item", p->item);
		unifw_jv_set_uint(o, "done", done);
		unifw_jv_set_uint(o, "total", p->total);
		json_line(o);
	} else if (p->mode == CLI_PROGRESS_LINES) {
		if (p->total < LONG_STEP)
			return;
		unsigned decile = (unsigned)((double)done * 10 / (double)p->total);
		if (decile > p->last_decile && decile < 10) {
			p->last_decile = decile;
			fprintf(stderr, "%s %s: %u%%\n", p->step, p->item, decile * 10);
		}
	} else {
		draw_bar(p, false);
	}
}

static void on_end(void *ctx, int status, const char *summary)
{
	struct cli_progress *p = ctx;
	double secs = unifw_mono_s() - p->t0;
	char sp[40], h[32];
	rate((double)(p->done - p->done0), secs, sp, sizeof sp);
	unifw_human_size(p->done, h, sizeof h);
	if (p->mode == CLI_PROGRESS_JSON) {
		struct unifw_jv *o = unifw_jv_object();
		unifw_jv_set_str(o, "type", "event");
		unifw_jv_set_str(o, "event", "end");
		unifw_jv_set_str(o, "step", p->step);
		unifw_jv_set_str(o, "item", p->item);
		unifw_jv_set_str(o, "status", status == 0 ? "ok" : unifw_status_name(status));
		unifw_jv_set_uint(o, "done", p->done);
		unifw_jv_set_uint(o, "milliseconds", (uint64_t)(secs * 1000));
		if (summary)
			unifw_jv_set_str(o, "summary", summary);
		json_line(o);
		return;
	}
	if (p->mode == CLI_PROGRESS_BARS) {
		draw_bar(p, true);
		fputc('\n', stderr);
		p->bar_drawn = false;
		if (status == 0 && !summary)
			return;
		fprintf(stderr, "  %s%s\n", status == 0 ? "" : "FAILED: ", summary ? summary : unifw_status_name(status));
		return;
	}
	if (status == 0)
		fprintf(stderr, "%s%s%s: done%s%s, %.1f s, %s%s%s\n", p->step, p->item[0] ? " " : "", p->item,
			p->done ? ", " : "", p->done ? h : "", secs, sp, summary ? "; " : "", summary ? summary : "");
	else
		fprintf(stderr, "%s%s%s: FAILED (%s)\n", p->step, p->item[0] ? " " : "", p->item, unifw_status_name(status));
}

static void on_note(void *ctx, const char *level, const char *message)
{
	struct cli_progress *p = ctx;
	if (p->mode == CLI_PROGRESS_JSON) {
		struct unifw_jv *o = unifw_jv_object();
		unifw_jv_set_str(o, "type", "event");
		unifw_jv_set_str(o, "event", "note");
		unifw_jv_set_str(o, "level", level ? level : "info");
		unifw_jv_set_str(o, "message", message);
		json_line(o);
		return;
	}
	clear_bar(p);
	if (level && !strcmp(level, "plan"))
		fprintf(stderr, "  %s\n", message);
	else
		fprintf(stderr, "%s%s%s\n", level && strcmp(level, "info") && strcmp(level, "prompt") ? level : "",
			level && strcmp(level, "info") && strcmp(level, "prompt") ? ": " : "", message);
}

void cli_progress_init(struct cli_progress *p, bool json)
{
	memset(p, 0, sizeof *p);
	p->mode = json ? CLI_PROGRESS_JSON : isatty(STDERR_FILENO) ? CLI_PROGRESS_BARS : CLI_PROGRESS_LINES;
	const char *force = getenv("UNIFW_PROGRESS");
	if (!json && force && !strcmp(force, "bars"))
		p->mode = CLI_PROGRESS_BARS;
	else if (!json && force && !strcmp(force, "lines"))
		p->mode = CLI_PROGRESS_LINES;
	p->cb.begin = on_begin;
	p->cb.update = on_update;
	p->cb.end = on_end;
	p->cb.note = on_note;
	p->cb.ctx = p;
}

const struct unifw_progress *cli_progress_cb(struct cli_progress *p) { return &p->cb; }

int cli_json_result(const struct unifw_jv *result, const struct unifw_error *err)
{
	return cli_json_result_status(result, err, err ? CLI_FAIL : CLI_OK);
}

int cli_json_result_status(const struct unifw_jv *result, const struct unifw_error *err, int status)
{
	struct unifw_jv *o = unifw_jv_object();
	unifw_jv_set_str(o, "type", "event");
	unifw_jv_set_str(o, "event", "result");
	unifw_jv_set_bool(o, "ok", err == NULL);
	if (err)
		unifw_jv_set(o, "error", cli_error_json(err, status));
	/* the result is borrowed: serialise it inline */
	char *inner = result ? unifw_jv_to_string(result, false) : NULL;
	char *outer = unifw_jv_to_string(o, false);
	unifw_jv_free(o);
	if (outer) {
		size_t n = strlen(outer);
		if (inner && n > 1)
			printf("%.*s,\"result\":%s}\n", (int)(n - 1), outer, inner);
		else
			printf("%s\n", outer);
	}
	fflush(stdout);
	free(inner);
	free(outer);
	return status;
}
