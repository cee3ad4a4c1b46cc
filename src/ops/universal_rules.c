/* data/universal.rules: parse, find, match (unifw/universal.h). PLACEHOLDER: the helper PROBE implements it. */
#include "unifw/universal.h"

#include <stdlib.h>
#include <string.h>

extern const char unifw_universal_rules_text[];
extern const size_t unifw_universal_rules_text_len;

int unifw_univ_rules_parse(const char *text, size_t len, const char *name, struct unifw_univ_rules *out,
			   struct unifw_error *err)
{
	(void)text, (void)len;
	memset(out, 0, sizeof *out);
	return unifw_error_set(err, UNIFW_E_UNSUPPORTED, name, UNIFW_NO_OFFSET, "not implemented yet");
}

int unifw_univ_rules_builtin(struct unifw_univ_rules *out, struct unifw_error *err)
{
	return unifw_univ_rules_parse(unifw_universal_rules_text, unifw_universal_rules_text_len, "universal.rules", out, err);
}

void unifw_univ_rules_free(struct unifw_univ_rules *r)
{
	free(r->rule);
	memset(r, 0, sizeof *r);
}

const struct unifw_univ_rule *unifw_univ_rules_find(const struct unifw_univ_rules *r, enum unifw_univ_rule_kind kind,
						     enum unifw_probe_component c)
{
	for (size_t i = 0; i < r->count; i++)
		if (r->rule[i].kind == kind && r->rule[i].component == c)
			return &r->rule[i];
	return NULL;
}

bool unifw_univ_pattern_match(const char *pattern, const char *path, const char *touch, const char *lcm)
{
	(void)pattern, (void)path, (void)touch, (void)lcm;
	return false;
}
