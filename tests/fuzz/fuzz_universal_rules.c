/* libFuzzer harness: unifw universal's rules file (src/ops/universal_rules.c on src/ops/rules_text.c): parse
 * any text; a file that parses has every field filled and bounded, unique ids, one signal and one fallback
 * per component, and the pattern matcher answers for any path (the input's head) without running away. */
#include <stdlib.h>
#include <string.h>

#include "fuzz_driver.h"
#include "unifw/universal.h"

static void check_rules(const struct unifw_univ_rules *r, const uint8_t *d, size_t n)
{
	unsigned signals = 0, fallbacks = 0;
	for (size_t i = 0; i < r->count; i++) {
		const struct unifw_univ_rule *x = &r->rule[i];
		if (!x->id[0] || !x->reason[0] || !x->source[0] || !x->line)
			abort(); /* every key is required */
		if ((x->kind == UNIFW_UNIV_FILE || x->kind == UNIFW_UNIV_NEVER) &&
		    (!x->pattern[0] || x->pattern[0] == '/' || strstr(x->pattern, "..")))
			abort();
		for (size_t j = 0; j < i; j++)
			if (!strcmp(r->rule[j].id, x->id))
				abort(); /* ids are unique */
		signals += x->kind == UNIFW_UNIV_SIGNAL;
		fallbacks += x->kind == UNIFW_UNIV_FALLBACK;
	}
	if (signals != UNIFW_PROBE_COMPONENTS || fallbacks != UNIFW_PROBE_COMPONENTS)
		abort();
	char path[256];
	size_t pl = n < sizeof path - 1 ? n : sizeof path - 1;
	memcpy(path, d, pl);
	path[pl] = '\0';
	for (size_t i = 0; i < r->count; i++)
		(void)unifw_univ_pattern_match(r->rule[i].pattern, path, "gt9xx", path);
}

static void fuzz_one(const uint8_t *d, size_t n)
{
	struct unifw_univ_rules r;
	struct unifw_error err;
	if (unifw_univ_rules_parse((const char *)d, n, "fuzz.rules", &r, &err) == 0) {
		check_rules(&r, d, n);
		unifw_univ_rules_free(&r);
	} else if (r.rule || r.count) {
		abort(); /* a refused text leaves nothing behind */
	}
}

const struct fuzz_target fuzz_target = { .name = "universal_rules", .run = fuzz_one };
