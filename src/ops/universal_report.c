/* unifw universal build: the result as JSON (unifw/universal.h, docs/json.md "universal"). The same document is
 * OUT/universal.json and what `unifw universal build --json` prints. */
#include "unifw/universal.h"

/* The keys the probe table gives variant v for component c (one per match line). */
static struct unifw_jv *keys_of(const struct unifw_probe_table *t, unsigned v, enum unifw_probe_component c)
{
	struct unifw_jv *a = unifw_jv_array();
	for (size_t i = 0; i < t->match_count; i++)
		if (t->match[i].variant == v && t->match[i].component == c)
			unifw_jv_push_str(a, t->match[i].key);
	return a;
}

static void variant_json(const struct unifw_univ_result *r, size_t i, struct unifw_jv *o)
{
	const struct unifw_univ_variant_report *v = &r->variant[i];
	unifw_jv_set_str(o, "type", "universal_variant");
	unifw_jv_set_str(o, "name", v->name);
	unifw_jv_set_str(o, "source", v->source);
	unifw_jv_set_str(o, "lcm", v->lcm);
	unifw_jv_set_str(o, "touch", v->touch);
	unifw_jv_set_str(o, "cid_prefix", v->cid_prefix);
	struct unifw_jv *keys = unifw_jv_set_obj(o, "keys");
	struct unifw_jv *files = unifw_jv_set_obj(o, "files");
	struct unifw_jv *props = unifw_jv_set_obj(o, "props");
	unifw_jv_set_str(keys, "type", "universal_keys");
	unifw_jv_set_str(files, "type", "universal_counts");
	unifw_jv_set_str(props, "type", "universal_counts");
	for (unsigned c = 0; c < UNIFW_PROBE_COMPONENTS; c++) {
		const char *cn = unifw_probe_component_name((enum unifw_probe_component)c);
		unifw_jv_set(keys, cn, keys_of(&r->table, (unsigned)i, (enum unifw_probe_component)c));
		unifw_jv_set_uint(files, cn, v->files[c]);
		unifw_jv_set_uint(props, cn, v->props[c]);
	}
	unifw_jv_set_uint(o, "android_size", v->android_size);
}

static struct unifw_jv *names(const char (*n)[64], size_t count)
{
	struct unifw_jv *a = unifw_jv_array();
	for (size_t i = 0; i < count; i++)
		unifw_jv_push_str(a, n[i]);
	return a;
}

struct unifw_jv *unifw_univ_result_to_json(const struct unifw_univ_result *r, const struct unifw_univ_opts *o)
{
	struct unifw_jv *j = unifw_jv_object();
	unifw_jv_set_str(j, "type", "universal");
	unifw_jv_set_str(j, "base", o && o->base ? o->base : "");
	struct unifw_jv *ph = unifw_jv_set_arr(j, "phones");
	for (size_t i = 0; o && i < o->phone_count; i++)
		unifw_jv_push_str(ph, o->phones[i]);
	unifw_jv_set_str(j, "out", o && o->out_dir ? o->out_dir : "");
	unifw_jv_set_str(j, "verdict", r->verdict);
	struct unifw_jv *ref = unifw_jv_set_arr(j, "refusals");
	for (size_t i = 0; i < r->refusal_count; i++)
		unifw_jv_push_str(ref, r->refusal[i]);
	struct unifw_jv *notes = unifw_jv_set_arr(j, "notes");
	for (size_t i = 0; i < r->note_count; i++)
		unifw_jv_push_str(notes, r->note[i]);
	bool built = r->refusal_count == 0 && r->verdict[0] && r->verdict[0] != 'r';
	struct unifw_jv *vs = unifw_jv_set_arr(j, "variants");
	for (size_t i = 0; built && i < r->variant_count; i++)
		variant_json(r, i, unifw_jv_push_obj(vs));
	unifw_jv_set_str(j, "scatter", built ? r->scatter : "");
	unifw_jv_set(j, "downloaded", names(r->downloaded, built ? r->downloaded_count : 0));
	unifw_jv_set(j, "never_downloaded", names(r->never, built ? r->never_count : 0));
	unifw_jv_set_uint(j, "placeholders", built ? r->placeholder_count : 0);
	unifw_jv_set_uint(j, "binds", built ? r->table.bind_count : 0);
	unifw_jv_set_uint(j, "props", built ? r->table.prop_count : 0);
	unifw_jv_set_uint(j, "system_size", built ? r->system_size : 0);
	unifw_jv_set_uint(j, "boot_size", built ? r->boot_size : 0);
	unifw_jv_set_uint(j, "min_android", r->min_android);
	unifw_jv_set_uint(j, "min_boot", r->min_boot);
	return j;
}
