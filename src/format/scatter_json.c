/* Scatter files: the JSON describe and the content probe. docs/format-scatter.md "JSON". */
#include "unifw/scatter.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "format/scatter_internal.h"
#include "util/bytes.h"

/* ------------------------------------------------------------------------------------------------ */
/* JSON, describe, probe                                                                             */

static void set_str_or_null(struct unifw_jv *o, const char *key, bool present, const char *s)
{
	if (present)
		unifw_jv_set_str(o, key, s);
	else
		unifw_jv_set(o, key, NULL);
}

static void part_json(const struct unifw_scatter_part *p, struct unifw_jv *o)
{
	unifw_jv_set_str(o, "type", "scatter_partition");
	uint32_t k = p->keys;
	if (p->index >= 0)
		unifw_jv_set_int(o, "index", p->index);
	else
		unifw_jv_set(o, "index", NULL);
	unifw_jv_set_str(o, "name", p->name);
	set_str_or_null(o, "file", k & KEY(UNIFW_SCATTER_K_FILE), p->file_name);
	if (k & KEY(UNIFW_SCATTER_K_DOWNLOAD))
		unifw_jv_set_bool(o, "is_download", p->is_download);
	else
		unifw_jv_set(o, "is_download", NULL);
	set_str_or_null(o, "kind", k & KEY(UNIFW_SCATTER_K_TYPE), p->type);
	unifw_jv_set_hex(o, "linear", p->linear_start);
	if (k & KEY(UNIFW_SCATTER_K_PHYSICAL))
		unifw_jv_set_hex(o, "physical", p->physical_start);
	else
		unifw_jv_set(o, "physical", NULL);
	unifw_jv_set_bool(o, "from_end", unifw_scatter_addr_is_from_end(p->linear_start));
	unifw_jv_set_uint(o, "size", p->size);
	unifw_jv_set_bool(o, "size_derived", p->size_derived);
	set_str_or_null(o, "region", k & KEY(UNIFW_SCATTER_K_REGION), p->region);
	set_str_or_null(o, "storage", k & KEY(UNIFW_SCATTER_K_STORAGE), p->storage);
	set_str_or_null(o, "operation_type", k & KEY(UNIFW_SCATTER_K_OPTYPE), p->operation_type);
	unifw_jv_set_uint(o, "line", p->line);
}

int unifw_scatter_to_json(const struct unifw_scatter *sc, const char *name, struct unifw_jv *obj,
			  struct unifw_error *err)
{
	uint32_t ik = sc->info_keys;
	unifw_jv_set_str(obj, "type", "scatter");
	unifw_jv_set_str(obj, "dialect", unifw_scatter_dialect_name(sc->dialect));
	set_str_or_null(obj, "config_version", ik & KEY(UNIFW_SCATTER_I_VERSION), sc->config_version);
	set_str_or_null(obj, "platform", ik & KEY(UNIFW_SCATTER_I_PLATFORM), sc->platform);
	set_str_or_null(obj, "project", ik & KEY(UNIFW_SCATTER_I_PROJECT), sc->project);
	unifw_jv_set_str(obj, "storage", sc->storage);
	unifw_jv_set_bool(obj, "storage_inferred", sc->storage_inferred);
	set_str_or_null(obj, "boot_channel", ik & KEY(UNIFW_SCATTER_I_BOOT_CHANNEL), sc->boot_channel);
	if (ik & KEY(UNIFW_SCATTER_I_BLOCK_SIZE))
		unifw_jv_set_uint(obj, "block_size", sc->block_size);
	else
		unifw_jv_set(obj, "block_size", NULL);
	unifw_jv_set_hex(obj, "boot_region", unifw_scatter_boot_region(sc));
	unifw_jv_set_uint(obj, "partition_count", sc->count);
	struct unifw_jv *arr = unifw_jv_set_arr(obj, "partitions");
	for (size_t i = 0; i < sc->count; i++)
		part_json(&sc->parts[i], unifw_jv_push_obj(arr));
	unifw_jv_set_str(obj, "physical_address_convention", unifw_scatter_physical_convention(sc));
	struct unifw_findings f = {0};
	int rc = unifw_scatter_validate(sc, name, NULL, &f, err);
	if (!rc) {
		unifw_jv_set_uint(obj, "errors", unifw_findings_count(&f, UNIFW_SEV_ERROR));
		unifw_jv_set_uint(obj, "warnings", unifw_findings_count(&f, UNIFW_SEV_WARNING));
		unifw_jv_set(obj, "findings", unifw_findings_to_json(&f));
	}
	unifw_findings_free(&f);
	if (!rc && unifw_jv_oom(obj))
		rc = unifw_error_set(err, UNIFW_E_NOMEM, name, UNIFW_NO_OFFSET, "out of memory building the JSON report");
	return rc;
}

int unifw_scatter_describe(struct unifw_stream *s, struct unifw_jv *obj, struct unifw_error *err)
{
	uint8_t *bytes = NULL;
	size_t n = 0;
	int rc = unifw_stream_read_all(s, UNIFW_SCATTER_MAX_FILE, &bytes, &n, err);
	char *buf = (char *)bytes;
	struct unifw_scatter sc;
	if (!rc && !(rc = unifw_scatter_parse(buf, n, s->name, &sc, err))) {
		rc = unifw_scatter_to_json(&sc, s->name, obj, err);
		unifw_scatter_free(&sc);
	}
	free(buf);
	return rc;
}

/* A flat/braces line: NAME (identifier characters) blank 0xHEX, or a lone brace. */
static int probe_flat_line(const struct line *ln)
{
	if (line_is(ln, "{") || line_is(ln, "}"))
		return 0;
	size_t i = skip_blanks(ln, 0), s = i;
	while (i < ln->len && is_key_char((unsigned char)ln->p[i]))
		i++;
	if (i == s || i >= ln->len || !is_blank((unsigned char)ln->p[i]))
		return -1;
	i = skip_blanks(ln, i);
	if (ln->len - i < 3 || ln->p[i] != '0' || (ln->p[i + 1] | 0x20) != 'x')
		return -1;
	for (i += 2; i < ln->len; i++)
		if (!isxdigit((unsigned char)ln->p[i]))
			return -1;
	return 1;
}

bool unifw_scatter_probe(const uint8_t *head, size_t head_len, uint64_t total_size)
{
	const char *t = (const char *)head;
	if (!head || head_len == 0 || (total_size != UNIFW_SIZE_UNKNOWN && total_size > UNIFW_SCATTER_MAX_FILE))
		return false;
	if (memchr(head, 0, head_len))
		return false;
	if (memmem(t, head_len, "- general: MTK_PLATFORM_CFG", 27) ||
	    (memmem(t, head_len, "partition_index:", 16) && memmem(t, head_len, "linear_start_addr:", 18)))
		return true;
	/* Flat/braces: every complete line is an entry, a brace, a comment or blank; at least two entries. */
	bool cut = total_size == UNIFW_SIZE_UNKNOWN || total_size > head_len;
	size_t len = head_len, pos = text_start(t, head_len), entries = 0;
	if (cut) {
		const char *nl = memrchr(t, '\n', head_len);
		len = nl ? (size_t)(nl - t) + 1 : 0;
	}
	unsigned no = 0;
	struct line ln;
	while (next_line(t, len, &pos, &no, &ln)) {
		if (ln.len == 0 || line_is_comment(&ln))
			continue;
		int r = probe_flat_line(&ln);
		if (r < 0)
			return false;
		entries += (size_t)r;
	}
	return entries >= 2;
}
