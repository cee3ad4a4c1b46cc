/* The package report (include/unifw/package.h, docs/json.md). */
#include "unifw/package.h"

#include "package/package_internal.h"
#include "unifw/hash.h"

/* --- JSON report ------------------------------------------------------------------------------------ */

static struct unifw_jv *jv_clone(const struct unifw_jv *v, int depth)
{
	if (!v || depth > 64)
		return unifw_jv_null();
	switch (unifw_jv_type(v)) {
	case UNIFW_JV_NULL: return unifw_jv_null();
	case UNIFW_JV_BOOL: return unifw_jv_bool(unifw_jv_truthy(v));
	case UNIFW_JV_INT: return unifw_jv_int(unifw_jv_i64(v));
	case UNIFW_JV_UINT: return unifw_jv_uint(unifw_jv_u64(v));
	case UNIFW_JV_STRING: return unifw_jv_string(unifw_jv_str(v));
	case UNIFW_JV_ARRAY: {
		struct unifw_jv *a = unifw_jv_array();
		for (size_t i = 0; i < unifw_jv_len(v); i++)
			unifw_jv_push(a, jv_clone(unifw_jv_at(v, i), depth + 1));
		return a;
	}
	case UNIFW_JV_OBJECT: {
		struct unifw_jv *o = unifw_jv_object();
		for (size_t i = 0; i < unifw_jv_len(v); i++)
			unifw_jv_set(o, unifw_jv_key_at(v, i), jv_clone(unifw_jv_at(v, i), depth + 1));
		return o;
	}
	}
	return unifw_jv_null();
}

static void item_json(struct unifw_jv *o, const struct unifw_package_item *it, bool with_path)
{
	unifw_jv_set_str(o, "type", "file");
	if (with_path)
		unifw_jv_set_str(o, "path", it->path);
	unifw_jv_set_str(o, "kind", it->type); /* what the content is */
	unifw_jv_set_uint(o, "size", it->size);
	if (it->has_sha256) {
		char hex[65];
		unifw_hex(it->sha256, 32, hex);
		unifw_jv_set_str(o, "sha256", hex);
	}
	if (it->error)
		unifw_jv_set_str(o, "error", it->error);
	if (it->unsafe)
		unifw_jv_set_str(o, "unsafe_name", it->unsafe);
	if (it->detail)
		unifw_jv_set(o, "detail", jv_clone(it->detail, 0));
}

static void partitions_json(struct unifw_jv *root, const struct unifw_package *p)
{
	struct unifw_jv *arr = unifw_jv_set_arr(root, "partitions");
	for (size_t i = 0; i < p->part_count; i++) {
		const struct unifw_package_partition *pp = &p->parts[i];
		const struct unifw_scatter_part *sp = pp->part;
		struct unifw_jv *o = unifw_jv_push_obj(arr);
		unifw_jv_set_str(o, "type", "package_partition");
		unifw_jv_set_str(o, "name", sp->name);
		unifw_jv_set_hex(o, "linear", sp->linear_start);
		unifw_jv_set_uint(o, "size", sp->size);
		if (sp->region[0])
			unifw_jv_set_str(o, "region", sp->region);
		unifw_jv_set_bool(o, "is_download", sp->is_download);
		if (pkg_is_no_file(sp->file_name))
			unifw_jv_set(o, "file", NULL);
		else
			unifw_jv_set_str(o, "file", sp->file_name);
		unifw_jv_set_str(o, "status", pp->status ? pp->status : "no_image");
		if (pp->item) {
			unifw_jv_set_str(o, "path", pp->item->path);
			struct unifw_jv *img = unifw_jv_set_obj(o, "image");
			item_json(img, pp->item, false);
			if (pp->image_bytes != pp->item->size)
				unifw_jv_set_uint(img, "written_size", pp->image_bytes);
		}
	}
}

static void scatters_json(struct unifw_jv *root, const struct unifw_package *p)
{
	struct unifw_jv *arr = unifw_jv_set_arr(root, "scatters");
	for (size_t i = 0; i < p->scatter_count; i++) {
		const struct unifw_package_scatter *s = &p->scatters[i];
		struct unifw_jv *o = unifw_jv_push_obj(arr);
		unifw_jv_set_str(o, "type", "scatter_candidate");
		unifw_jv_set_str(o, "path", s->item->path);
		unifw_jv_set_bool(o, "chosen", s == p->chosen);
		if (s->parsed) {
			unifw_jv_set_str(o, "dialect", pkg_dialect_name(s->sc.dialect));
			unifw_jv_set_str(o, "platform", s->sc.platform);
			unifw_jv_set_str(o, "project", s->sc.project);
			unifw_jv_set_uint(o, "partition_count", s->sc.count);
		} else if (s->item->error) {
			unifw_jv_set_str(o, "error", s->item->error);
		}
	}
}

struct unifw_jv *unifw_package_to_json(const struct unifw_package *p)
{
	struct unifw_jv *r = unifw_jv_object();
	unifw_jv_set_str(r, "type", unifw_package_type(p));
	unifw_jv_set_str(r, "source", p->source == UNIFW_PACKAGE_FOLDER ? "folder" : "archive");
	unifw_jv_set_str(r, "path", p->path);
	if (p->source == UNIFW_PACKAGE_ARCHIVE)
		unifw_jv_set_str(r, "archive_format", p->archive_format);
	if (p->manifest)
		unifw_jv_set(r, "manifest", jv_clone(p->manifest, 0));
	if (p->chosen) {
		unifw_jv_set_str(r, "scatter_file", p->chosen->item->path);
		unifw_jv_set_str(r, "base_dir", p->base_dir ? p->base_dir : "");
		if (p->chosen->item->detail)
			unifw_jv_set(r, "scatter", jv_clone(p->chosen->item->detail, 0));
	}
	/* Placeholder keeping the key order stable: unifw_info fills it (ops layer). */
	unifw_jv_set(r, "summary", NULL);
	if (p->scatter_count)
		scatters_json(r, p);
	if (p->chosen)
		partitions_json(r, p);
	/* Without a scatter every file is listed; with one, those it does not name. */
	struct unifw_jv *files = unifw_jv_set_arr(r, p->chosen ? "extra_files" : "files");
	for (size_t i = 0; i < p->item_count; i++) {
		const struct unifw_package_item *it = &p->items[i];
		if (it->matched || (p->chosen && it == p->chosen->item))
			continue;
		item_json(unifw_jv_push_obj(files), it, true);
	}
	unifw_jv_set(r, "findings", unifw_findings_to_json(&p->findings));
	return r;
}

