/* The probe table and the probe record (unifw/probe.h). PLACEHOLDER: the helper PROBE implements it. */
#include "unifw/probe.h"

#include <stdlib.h>
#include <string.h>

const char *unifw_probe_component_name(enum unifw_probe_component c)
{
	static const char *const names[] = { "panel", "touch", "board" };
	return (unsigned)c < UNIFW_PROBE_COMPONENTS ? names[c] : "?";
}

bool unifw_probe_component_parse(const char *s, enum unifw_probe_component *out)
{
	for (unsigned i = 0; i < UNIFW_PROBE_COMPONENTS; i++)
		if (!strcmp(s, unifw_probe_component_name((enum unifw_probe_component)i))) {
			*out = (enum unifw_probe_component)i;
			return true;
		}
	return false;
}

void unifw_probe_table_init(struct unifw_probe_table *t)
{
	memset(t, 0, sizeof *t);
}

void unifw_probe_table_free(struct unifw_probe_table *t)
{
	free(t->bind);
	free(t->prop);
	unifw_probe_table_init(t);
}

int unifw_probe_table_parse(const char *text, size_t len, const char *name, struct unifw_probe_table *t,
			    struct unifw_error *err)
{
	(void)text, (void)len, (void)t;
	return unifw_error_set(err, UNIFW_E_UNSUPPORTED, name, UNIFW_NO_OFFSET, "not implemented yet");
}

int unifw_probe_table_write(const struct unifw_probe_table *t, char **text, size_t *len, struct unifw_error *err)
{
	(void)t, (void)text, (void)len;
	return unifw_error_set(err, UNIFW_E_UNSUPPORTED, "probe.rules", UNIFW_NO_OFFSET, "not implemented yet");
}

int unifw_probe_table_choose(const struct unifw_probe_table *t, enum unifw_probe_component c, const char *lcm,
			     const char *const *i2c_names, size_t n, const char *cid_hex)
{
	(void)t, (void)c, (void)lcm, (void)i2c_names, (void)n, (void)cid_hex;
	return -1;
}

int unifw_probe_record_parse(const char *text, size_t len, const char *name, struct unifw_probe_record *r,
			     struct unifw_error *err)
{
	(void)text, (void)len, (void)r;
	return unifw_error_set(err, UNIFW_E_UNSUPPORTED, name, UNIFW_NO_OFFSET, "not implemented yet");
}
