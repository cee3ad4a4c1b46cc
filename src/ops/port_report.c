/* unifw port: the report of every decision (port.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unifw/port.h"

void unifw_port_report_init(struct unifw_port_report *r)
{
	memset(r, 0, sizeof *r);
}

void unifw_port_report_free(struct unifw_port_report *r)
{
	free(r->items);
	memset(r, 0, sizeof *r);
}

static int grow(struct unifw_port_report *r)
{
	if (r->count < r->cap)
		return 0;
	size_t cap = r->cap ? r->cap * 2 : 32;
	struct unifw_port_change *n = realloc(r->items, cap * sizeof *n);
	if (!n)
		return UNIFW_E_NOMEM;
	r->items = n;
	r->cap = cap;
	return 0;
}

int unifw_port_report_add(struct unifw_port_report *r, const char *partition, const char *path, const char *action,
			  const char *source, const char *rule, const char *fmt, ...)
{
	if (grow(r))
		return UNIFW_E_NOMEM;
	struct unifw_port_change *c = &r->items[r->count++];
	memset(c, 0, sizeof *c);
	snprintf(c->partition, sizeof c->partition, "%s", partition ? partition : "");
	snprintf(c->path, sizeof c->path, "%s", path ? path : "");
	snprintf(c->action, sizeof c->action, "%s", action ? action : "");
	snprintf(c->source, sizeof c->source, "%s", source ? source : "");
	snprintf(c->rule, sizeof c->rule, "%s", rule ? rule : "");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->reason, sizeof c->reason, fmt, ap);
	va_end(ap);
	return 0;
}

struct unifw_jv *unifw_port_report_to_json(const struct unifw_port_report *r)
{
	struct unifw_jv *arr = unifw_jv_array();
	for (size_t i = 0; i < r->count; i++) {
		const struct unifw_port_change *c = &r->items[i];
		struct unifw_jv *o = unifw_jv_push_obj(arr);
		unifw_jv_set_str(o, "type", "port_change"); /* every JSON object's first key (docs/json.md) */
		unifw_jv_set_str(o, "partition", c->partition);
		unifw_jv_set_str(o, "path", c->path);
		unifw_jv_set_str(o, "action", c->action);
		unifw_jv_set_str(o, "source", c->source);
		unifw_jv_set_str(o, "rule", c->rule);
		unifw_jv_set_str(o, "reason", c->reason);
	}
	return arr;
}
