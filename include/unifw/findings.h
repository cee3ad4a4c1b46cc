/* Findings: what a validator or checker found, with where and how bad.
 * Used by scatter validation, package checks and (later) device checks. */
#ifndef UNIFW_FINDINGS_H
#define UNIFW_FINDINGS_H

#include <stddef.h>
#include <stdint.h>

#include "unifw/json.h"

#ifdef __cplusplus
extern "C" {
#endif

enum unifw_severity { UNIFW_SEV_INFO, UNIFW_SEV_WARNING, UNIFW_SEV_ERROR };

struct unifw_finding {
	enum unifw_severity severity;
	char code[48];        /* stable machine id, e.g. "overlap", "size-mismatch" */
	char where[256];      /* file name */
	unsigned line;        /* 1-based line in `where`, 0 if none */
	char partition[64];   /* partition concerned, "" if none */
	char msg[512];        /* what is wrong, expected vs found, what it means */
};

struct unifw_findings {
	struct unifw_finding *items;
	size_t count, cap;
};

/* Append a finding (copies strings; silently drops on OOM but sets count unchanged). */
void unifw_findings_add(struct unifw_findings *f, enum unifw_severity sev, const char *code, const char *where,
			unsigned line, const char *partition, const char *fmt, ...)
	__attribute__((format(printf, 7, 8)));
size_t unifw_findings_count(const struct unifw_findings *f, enum unifw_severity sev);
void unifw_findings_free(struct unifw_findings *f);
const char *unifw_severity_name(enum unifw_severity s);
/* As a JSON array of {severity, code, file, line, partition, message}. */
struct unifw_jv *unifw_findings_to_json(const struct unifw_findings *f);

#ifdef __cplusplus
}
#endif
#endif
