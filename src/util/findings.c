#include "unifw/findings.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void unifw_findings_add(struct unifw_findings *f, enum unifw_severity sev, const char *code, const char *where,
			unsigned line, const char *partition, const char *fmt, ...)
{
	if (f->count == f->cap) {
		size_t cap = f->cap ? f->cap * 2 : 16;
		struct unifw_finding *items = realloc(f->items, cap * sizeof *items);
		if (!items)
			return;
		f->items = items;
		f->cap = cap;
	}
	struct unifw_finding *x = &f->items[f->count++];
	va_list ap;
	x->severity = sev;
	x->line = line;
	snprintf(x->code, sizeof x->code, "%s", code ? code : "");
	snprintf(x->where, sizeof x->where, "%s", where ? where : "");
	snprintf(x->partition, sizeof x->partition, "%s", partition ? partition : "");
	va_start(ap, fmt);
	unifw_vsnprintf_words(x->msg, sizeof x->msg, fmt, ap);
	va_end(ap);
}

size_t unifw_findings_count(const struct unifw_findings *f, enum unifw_severity sev)
{
	size_t n = 0;
	for (size_t i = 0; i < f->count; i++)
		n += f->items[i].severity == sev;
	return n;
}

void unifw_findings_free(struct unifw_findings *f)
{
	free(f->items);
	f->items = NULL;
	f->count = f->cap = 0;
}

const char *unifw_severity_name(enum unifw_severity s)
{
	switch (s) {
	case UNIFW_SEV_INFO: return "info";
	case UNIFW_SEV_WARNING: return "warning";
	case UNIFW_SEV_ERROR: return "error";
	}
	return "?";
}

struct unifw_jv *unifw_findings_to_json(const struct unifw_findings *f)
{
	struct unifw_jv *arr = unifw_jv_array();
	for (size_t i = 0; i < f->count; i++) {
		const struct unifw_finding *x = &f->items[i];
		struct unifw_jv *o = unifw_jv_push_obj(arr);
		unifw_jv_set_str(o, "type", "finding");
		unifw_jv_set_str(o, "severity", unifw_severity_name(x->severity));
		unifw_jv_set_str(o, "code", x->code);
		unifw_jv_set_str(o, "file", x->where);
		if (x->line)
			unifw_jv_set_uint(o, "line", x->line);
		if (x->partition[0])
			unifw_jv_set_str(o, "partition", x->partition);
		unifw_jv_set_str(o, "message", x->msg);
	}
	return arr;
}
