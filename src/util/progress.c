#include "unifw/progress.h"

#include <stdarg.h>
#include <stdio.h>

void unifw_progress_begin(const struct unifw_progress *p, const char *step, const char *item, uint64_t total)
{
	if (p && p->begin)
		p->begin(p->ctx, step, item, total);
}

void unifw_progress_update(const struct unifw_progress *p, uint64_t done)
{
	if (p && p->update)
		p->update(p->ctx, done);
}

void unifw_progress_end(const struct unifw_progress *p, int status, const char *summary)
{
	if (p && p->end)
		p->end(p->ctx, status, summary);
}

void unifw_progress_note(const struct unifw_progress *p, const char *level, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	if (!p || !p->note)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	p->note(p->ctx, level, msg);
}
