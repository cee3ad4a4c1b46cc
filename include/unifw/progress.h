/* Progress reporting: jobs call these; the CLI draws them (bars on a terminal, quiet lines
 * otherwise, JSON events with --json). Nothing in the library prints. Implemented in
 * src/util/progress.c (dispatch only; rendering lives in src/cli/progress_render.c).
 * CONTRACT: names fixed; fields may be ADDED. */
#ifndef UNIFW_PROGRESS_H
#define UNIFW_PROGRESS_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct unifw_progress {
	/* A step starts: e.g. step "read", item "ANDROID", total bytes (0 if unknown). */
	void (*begin)(void *ctx, const char *step, const char *item, uint64_t total);
	/* done bytes so far within the current step */
	void (*update)(void *ctx, uint64_t done);
	/* The step ended; ok = 0 or a negative unifw_status */
	void (*end)(void *ctx, int status, const char *summary);
	/* A line of information for the user (plan lines, prompts: "plug in the powered-off phone now") */
	void (*note)(void *ctx, const char *level, const char *message);
	void *ctx;
};

/* NULL-safe helpers. */
void unifw_progress_begin(const struct unifw_progress *p, const char *step, const char *item, uint64_t total);
void unifw_progress_update(const struct unifw_progress *p, uint64_t done);
void unifw_progress_end(const struct unifw_progress *p, int status, const char *summary);
void unifw_progress_note(const struct unifw_progress *p, const char *level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#ifdef __cplusplus
}
#endif
#endif
