/* libFuzzer harness: unifw port's rule table (src/ops/port_rules.c): parse any text; a table that parses
 * has every field filled and bounded, unique ids, and match() of any path answers from it. */
#include <stdlib.h>
#include <string.h>

#include "fuzz_driver.h"
#include "unifw/port.h"

static void check_table(const struct unifw_port_rules *r, const uint8_t *d, size_t n)
{
	if (r->count > UNIFW_PORT_MAX_RULES)
		abort();
	for (size_t i = 0; i < r->count; i++) {
		const struct unifw_port_rule *x = &r->rule[i];
		if (!x->id[0] || !x->reason[0] || !x->source[0] || !x->pattern[0] || x->pattern[0] == '/' || !x->line)
			abort(); /* every field is required */
		if (strnlen(x->id, sizeof x->id) == sizeof x->id || strnlen(x->reason, sizeof x->reason) == sizeof x->reason)
			abort();
		for (size_t j = 0; j < i; j++)
			if (!strcmp(r->rule[j].id, x->id))
				abort(); /* ids are unique */
	}
	/* any path (the input's head, as text) matches at most a rule of the table, of the scope asked */
	char path[256];
	size_t pl = n < sizeof path - 1 ? n : sizeof path - 1;
	memcpy(path, d, pl);
	path[pl] = '\0';
	for (int s = UNIFW_PORT_SCOPE_RAMDISK; s <= UNIFW_PORT_SCOPE_PROP; s++) {
		const struct unifw_port_rule *m = unifw_port_rules_match(r, (enum unifw_port_scope)s, path);
		if (m && (m < r->rule || m >= r->rule + r->count || m->scope != (enum unifw_port_scope)s))
			abort();
	}
}

static void fuzz_one(const uint8_t *d, size_t n)
{
	struct unifw_port_rules r;
	struct unifw_error err;
	if (unifw_port_rules_parse((const char *)d, n, "fuzz.rules", &r, &err) == 0) {
		check_table(&r, d, n);
		unifw_port_rules_free(&r);
	} else if (r.rule || r.count) {
		abort(); /* a refused text leaves nothing behind */
	}
}

const struct fuzz_target fuzz_target = { .name = "port_rules", .run = fuzz_one };
