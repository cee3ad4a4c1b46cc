/* The text form both rules files share (data/port.rules, data/universal.rules): '#' comments, blank lines,
 * "[WORD WORD ...]" section headers, and under each header the three lines "id = ...", "reason = ...",
 * "source = ...". This reader does the parts that are the same for both (line bounds, NUL and control
 * bytes, header words, keys given once and not empty, values bounded by their field, ids unique, every
 * section complete); each file's parser only says what its header words mean and where a section's keys
 * go. Errors: where = the file's name, offset = the line's byte offset, message "line N: ...". */
#ifndef UNIFW_RULES_TEXT_H
#define UNIFW_RULES_TEXT_H

#include <stddef.h>
#include <stdint.h>

#include "unifw/error.h"

#define RULES_TEXT_MAX_LINE 1024u      /* longer than any field allows, short enough to print */
#define RULES_TEXT_MAX_TEXT (1u << 20) /* hundreds of rules of ~1.2 KiB each fit many times over */
#define RULES_TEXT_MAX_WORDS 8u

struct rules_text;

/* Where the key lines of the section just opened go (the caller's own bounded fields). */
struct rules_text_keys {
	char *id, *reason, *source;
	size_t id_cap, reason_cap, source_cap;
};

struct rules_text_ops {
	const char *header_form; /* e.g. "[SCOPE TAKE PATTERN]", for messages */
	/* A header's words (n of them, at most RULES_TEXT_MAX_WORDS + 1 so "too many" can be told), `line` the
	 * whole header text. Fill *keys, or return rules_text_error(). */
	int (*header)(void *ctx, struct rules_text *rt, char **words, unsigned n, const char *line,
		      struct rules_text_keys *keys);
};

/* The line being read (for a section's line field). */
unsigned rules_text_line(const struct rules_text *rt);
/* A UNIFW_E_FORMAT error at the current line. */
int rules_text_error(struct rules_text *rt, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

int rules_text_parse(const char *text, size_t len, const char *name, const struct rules_text_ops *ops, void *ctx,
		     struct unifw_error *err);

#endif
