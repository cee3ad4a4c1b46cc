/* The adapter between the preloader's EMI table (src/format/emi.c) and the legacy DA core's input
 * (entry bytes + ID). Only struct fields are read, so the core keeps no link dependency on the
 * parser. A v11 block is a 0x70-byte header and 0xA8-byte entries (docs/format-preloader.md); the
 * DA takes one such entry. */
#include <stdlib.h>
#include <string.h>

#include "unifw/da_legacy.h"
#include "unifw/emi.h"
#include "util/bytes.h"

int unifw_da_emi_from_table(const struct unifw_emi_table *table, const uint8_t *buf, size_t len,
			    struct unifw_da_emi_entry *entries, size_t max, struct unifw_da_emi *out,
			    struct unifw_error *err)
{
	char *end = NULL;
	unsigned long version = strtoul(table->version, &end, 10);
	if (end == table->version || version == 0 || version > 99)
		return unifw_error_set(err, UNIFW_E_FORMAT, "EMI settings", table->offset,
				       "expected a 2-digit MTK_BLOADER_INFO_v version, found '%s'", table->version);
	if (table->count > max || table->count > UNIFW_EMI_MAX_ENTRIES)
		return unifw_error_set(err, UNIFW_E_TOO_BIG, "EMI settings", table->offset,
				       "%zu EMI entries, room for %zu", table->count, max);
	for (size_t i = 0; i < table->count; i++) {
		uint64_t off;
		if (!mul_u64(i, UNIFW_EMI_ENTRY_SIZE, &off) || !add_u64(off, table->entries_offset, &off) ||
		    !unifw_in_bounds(len, off, UNIFW_EMI_ENTRY_SIZE))
			return unifw_error_set(err, UNIFW_E_TRUNCATED, "EMI settings", table->entries_offset,
					       "entry %zu of %zu lies outside the %zu-byte buffer", i, table->count, len);
		entries[i].data = buf + off;
		entries[i].len = UNIFW_EMI_ENTRY_SIZE;
		memcpy(entries[i].id, table->entry[i].id, sizeof entries[i].id);
		/* an out-of-range id_length makes the entry unmatchable, never a longer compare */
		entries[i].id_len = table->entry[i].id_length <= 16 ? table->entry[i].id_length : 0;
	}
	out->version = (uint32_t)version;
	out->entries = entries;
	out->count = table->count;
	return 0;
}
