/* NVRAM BinRegion (MediaTek libfile_op backup of /data/nvram): parser, MAC/BT access, writer.
 * Sources and certainty: docs/format-nvram.md. The IMEI record is opaque: this file never reads
 * its bytes beyond reporting its size, and refuses to write it. */
#include "unifw/nvram.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/bytes.h"

#define PREFIX 12u      /* map_size, dat_size, clean-boot flag (block 0, before the map) */
#define MAP_HEAD 12u    /* checksum, common file count, custom file count (start of the map) */
#define IMEI_DIR "NVD_IMEI"

static uint64_t header_size(unsigned ncounts) { return ncounts * 2ull + 8; }

/* ---------------------------------------------------------------- checksum */

uint32_t unifw_nvram_checksum(const uint8_t *data, size_t len)
{
	uint32_t cs = 0, w, tail = 0;
	size_t words = len / 4;
	for (size_t i = 0; i < words; i++) {
		w = (uint32_t)data[4 * i] | (uint32_t)data[4 * i + 1] << 8 | (uint32_t)data[4 * i + 2] << 16 |
		    (uint32_t)data[4 * i + 3] << 24;
		if (i % 2 == 0)
			cs ^= w;
		else
			cs += w;
	}
	for (size_t i = 0; i < len % 4; i++)
		tail |= (uint32_t)data[4 * words + i] << (8 * i);
	cs += tail;
	return cs ^ (uint32_t)len;
}

/* ---------------------------------------------------------------- header scan */

struct cand {
	uint64_t off;
	unsigned ncounts;
	int16_t counts[10];
	size_t n;
	uint32_t buf_len, flag;
	int rank;              /* 3 prefix agrees, 2 DATA_FLAG, 1 libfile_op path name, 0 none */
};

static bool name_ok(const uint8_t *field, size_t *nl)
{
	size_t l = unifw_fieldlen(field, UNIFW_NVRAM_NAME_SIZE);
	if (l == 0 || l == UNIFW_NVRAM_NAME_SIZE)
		return false;
	for (size_t i = 0; i < l; i++)
		if (field[i] < 0x20 || field[i] > 0x7E)
			return false;
	if (nl)
		*nl = l;
	return true;
}

static bool read_counts(const uint8_t *b, size_t len, uint64_t off, unsigned ncounts, struct cand *c)
{
	uint64_t total = 0;
	uint16_t v;
	memset(c, 0, sizeof *c);
	c->off = off;
	c->ncounts = ncounts;
	for (unsigned i = 0; i < ncounts; i++) {
		if (!get_le16(b, len, off + 2 * i, &v) || (int16_t)v < 0)
			return false;
		c->counts[i] = (int16_t)v;
		total += (int16_t)v;
	}
	if (total == 0 || total > UNIFW_NVRAM_MAX_FILES)
		return false;
	c->n = (size_t)total;
	return get_le32(b, len, off + 2 * ncounts, &c->buf_len) && get_le32(b, len, off + 2 * ncounts + 4, &c->flag);
}

static bool prefix_agrees(const uint8_t *b, size_t len, const struct cand *c)
{
	uint32_t map_size;
	if (c->off < PREFIX + MAP_HEAD)
		return false;
	return get_le32(b, len, c->off - PREFIX - MAP_HEAD, &map_size) &&
	       map_size == MAP_HEAD + header_size(c->ncounts) + c->n * UNIFW_NVRAM_TITLE_SIZE;
}

static int rank_candidate(const uint8_t *b, size_t len, struct cand *c)
{
	const uint64_t first = c->off + header_size(c->ncounts);
	size_t nl;
	if (first + UNIFW_NVRAM_TITLE_SIZE > len || !name_ok(b + first + 12, &nl) || !memchr(b + first + 12, '/', nl))
		return 0;
	/* The table ends after n titles (0xFF padding follows): a title-like entry right after it
	 * means these counts are a misreading of some other header. */
	const uint64_t after = first + c->n * UNIFW_NVRAM_TITLE_SIZE;
	if (after + UNIFW_NVRAM_TITLE_SIZE <= len && name_ok(b + after + 12, NULL) && b[after + 12] == '/')
		return 0;
	if (prefix_agrees(b, len, c))
		return 3;
	if (c->flag == UNIFW_NVRAM_DATA_FLAG)
		return 2;
	return nl > 12 && !memcmp(b + first + 12, "/data/nvram/", 12) ? 1 : 0;
}

/* Best candidate in the first SCAN_LIMIT bytes: highest rank, then lowest offset; the 10-count
 * header (MT6572's libfile_op.h) is tried before the 8-count one at each offset. */
static bool find_header(const uint8_t *b, size_t len, struct cand *best)
{
	best->rank = 0;
	uint64_t limit = len < UNIFW_NVRAM_SCAN_LIMIT ? len : UNIFW_NVRAM_SCAN_LIMIT;
	for (uint64_t off = 0; off + 24 <= limit; off += 4) {
		for (unsigned v = 0; v < 2; v++) {
			struct cand c;
			if (!read_counts(b, len, off, v ? 8 : 10, &c))
				continue;
			c.rank = rank_candidate(b, len, &c);
			if (c.rank > best->rank)
				*best = c;
			if (best->rank == 3)
				return true;
		}
	}
	return best->rank > 0;
}

/* ---------------------------------------------------------------- table validation */

static int read_titles(const uint8_t *b, size_t len, const char *name, struct unifw_nvram *nv, uint64_t data_size,
		       struct unifw_error *err)
{
	uint64_t t0 = nv->header_offset + header_size(nv->header_counts), prev_end = 0;
	if (t0 + (uint64_t)nv->count * UNIFW_NVRAM_TITLE_SIZE > len)
		return unifw_error_set(err, UNIFW_E_TRUNCATED, name, len, "%zu file titles from 0x%llx run past the end",
				       nv->count, (unsigned long long)t0);
	unsigned cat = 0;
	uint64_t cat_end = (uint64_t)nv->counts[0];
	for (size_t i = 0; i < nv->count; i++) {
		struct unifw_nvram_file *f = &nv->files[i];
		uint64_t t = t0 + i * UNIFW_NVRAM_TITLE_SIZE;
		uint32_t start = 0, size = 0;
		size_t nl = 0;
		get_le32(b, len, t + 4, &start);
		get_le32(b, len, t + 8, &size);
		if (!name_ok(b + t + 12, &nl))
			return unifw_error_set(err, UNIFW_E_FORMAT, name, t + 12,
					       "file %zu: expected a printable NUL-terminated name of 1..127 bytes", i);
		if ((int32_t)start < 0 || (int32_t)size < 0)
			return unifw_error_set(err, UNIFW_E_FORMAT, name, t + ((int32_t)start < 0 ? 4 : 8),
					       "file %zu (%.*s): expected a non-negative start and size, found %d and %d", i,
					       (int)nl, (const char *)b + t + 12, (int32_t)start, (int32_t)size);
		if ((uint64_t)start + size > data_size)
			return unifw_error_set(err, UNIFW_E_FORMAT, name, t + 8,
					       "file %zu (%.*s): bytes %u..%llu run past the %llu-byte data block", i, (int)nl,
					       (const char *)b + t + 12, start, (unsigned long long)start + size,
					       (unsigned long long)data_size);
		/* nvram_daemon stores the bodies back to back in title order. */
		if (start < prev_end)
			return unifw_error_set(err, UNIFW_E_FORMAT, name, t + 4,
					       "file %zu (%.*s): starts at %u, inside the previous file (ends at %llu)", i,
					       (int)nl, (const char *)b + t + 12, start, (unsigned long long)prev_end);
		prev_end = (uint64_t)start + size;
		while (i >= cat_end && cat + 1 < nv->header_counts)
			cat_end += (uint64_t)nv->counts[++cat];
		memcpy(f->name, b + t + 12, nl);
		f->name[nl] = 0;
		f->start = start;
		f->size = size;
		f->category = cat;
		f->title_offset = t;
		f->offset = nv->data_offset + start;
	}
	return 0;
}

/* The data block starts one erase block after the map block; the erase size is not stored,
 * so try power-of-two sizes that hold the map and keep the one whose checksum matches. */
static void locate_data(const uint8_t *b, size_t len, struct unifw_nvram *nv)
{
	uint64_t p = nv->header_offset - PREFIX - MAP_HEAD, fallback = 0;
	/* 128 KiB first (what NVM_GetDeviceInfo reports for eMMC), then 512 B .. 4 MiB. */
	for (uint64_t k = 0, e = UNIFW_NVRAM_BLOCK; e <= (4u << 20); e = 512u << k++) {
		if (k && e == UNIFW_NVRAM_BLOCK)
			continue;
		if (e < PREFIX + (uint64_t)nv->map_size || p + e + nv->dat_size > len)
			continue;
		if (!fallback || e == UNIFW_NVRAM_BLOCK)
			fallback = e;
		if (unifw_nvram_checksum(b + p + e, nv->dat_size) == nv->checksum) {
			nv->data_offset = p + e;
			nv->erase_block = e;
			nv->data_offset_checked = true;
			return;
		}
	}
	nv->data_offset = fallback ? p + fallback : len;
	nv->erase_block = fallback;
}

static void read_prefix(const uint8_t *b, size_t len, struct unifw_nvram *nv)
{
	uint64_t p = nv->header_offset - PREFIX - MAP_HEAD;
	get_le32(b, len, p, &nv->map_size);
	get_le32(b, len, p + 4, &nv->dat_size);
	get_le32(b, len, p + 8, &nv->clean_boot_flag);
	get_le32(b, len, p + 12, &nv->checksum);
}

int unifw_nvram_parse(const uint8_t *buf, size_t len, const char *name, struct unifw_nvram *nv,
		      struct unifw_error *err)
{
	struct cand c;
	memset(nv, 0, sizeof *nv);
	if (!find_header(buf, len, &c))
		return unifw_error_set(err, UNIFW_E_NOT_FOUND, name, 0,
				       "no File_Title_Header (NVRAM BinRegion) in the first %u bytes: expected counts "
				       "followed by titles with /data/nvram file names (blank or erased region?)",
				       UNIFW_NVRAM_SCAN_LIMIT);
	nv->region_size = len;
	nv->header_offset = c.off;
	nv->header_counts = c.ncounts;
	memcpy(nv->counts, c.counts, sizeof c.counts);
	nv->buf_len = c.buf_len;
	nv->backup_flag = c.flag;
	nv->count = c.n;
	nv->prefix = c.rank == 3;
	uint64_t data_size = nv->buf_len;
	if (nv->prefix) {
		read_prefix(buf, len, nv);
		locate_data(buf, len, nv);
		/* libfile_op sums only the last file size of each directory into iFileBufLen;
		 * the prefix's dat_size is the real data length. */
		data_size = nv->dat_size;
	} else {
		nv->data_offset = c.off + header_size(c.ncounts) + c.n * UNIFW_NVRAM_TITLE_SIZE;
	}
	if (nv->data_offset > len || data_size > len - nv->data_offset)
		return unifw_error_set(err, UNIFW_E_TRUNCATED, name, len,
				       "file data of %llu bytes at 0x%llx runs past the end of the region",
				       (unsigned long long)data_size, (unsigned long long)nv->data_offset);
	nv->files = calloc(nv->count, sizeof *nv->files);
	if (!nv->files)
		return unifw_error_set(err, UNIFW_E_NOMEM, name, UNIFW_NO_OFFSET, "out of memory");
	int rc = read_titles(buf, len, name, nv, data_size, err);
	if (rc)
		unifw_nvram_free(nv);
	return rc;
}

void unifw_nvram_free(struct unifw_nvram *nv)
{
	if (nv) {
		free(nv->files);
		nv->files = NULL;
		nv->count = 0;
	}
}

const struct unifw_nvram_file *unifw_nvram_find(const struct unifw_nvram *nv, const char *suffix)
{
	size_t sl = strlen(suffix);
	for (size_t i = 0; i < nv->count; i++) {
		size_t nl = strlen(nv->files[i].name);
		if (nl >= sl && !strcmp(nv->files[i].name + nl - sl, suffix) && (nl == sl || nv->files[i].name[nl - sl - 1] == '/'))
			return &nv->files[i];
	}
	return NULL;
}

/* ---------------------------------------------------------------- MAC / BT */

const char *unifw_nvram_addr_state_name(enum unifw_nvram_addr_state s)
{
	switch (s) {
	case UNIFW_NVRAM_BLANK: return "blank";
	case UNIFW_NVRAM_DEFAULT: return "default";
	case UNIFW_NVRAM_SET: return "set";
	default: return "absent";
	}
}

static enum unifw_nvram_addr_state read_addr(const struct unifw_nvram *nv, const uint8_t *buf, const char *file,
					     uint32_t at, uint8_t out[6])
{
	const struct unifw_nvram_file *f = unifw_nvram_find(nv, file);
	memset(out, 0, 6);
	if (!f)
		return UNIFW_NVRAM_ABSENT;
	if (f->size < at + 6)
		return UNIFW_NVRAM_BLANK;
	memcpy(out, buf + f->offset + at, 6);
	return UNIFW_NVRAM_SET;
}

enum unifw_nvram_addr_state unifw_nvram_wifi_mac_state(const uint8_t mac[6])
{
	/* wlanUpdateNetworkAddress generates an address when the stored one is all zero or has the
	 * group bit (IS_BMCAST_MAC_ADDR: broadcast and multicast) set. */
	if (unifw_all_bytes(mac, 6, 0) || (mac[0] & 0x01))
		return UNIFW_NVRAM_BLANK;
	/* 00:08:22 is the prefix the driver uses for the made-up ones: stored, it is a copied template. */
	if (mac[0] == 0x00 && mac[1] == 0x08 && mac[2] == 0x22)
		return UNIFW_NVRAM_DEFAULT;
	return UNIFW_NVRAM_SET;
}

/* MediaTek's default BT addresses, the address field of every stBtDefault_* record (docs/format-nvram.md,
 * with its source). */
static const struct {
	const char *chip;
	uint8_t addr[6];
} bt_defaults[] = {
	{ "MT6572", { 0x00, 0x00, 0x46, 0x65, 0x72, 0x01 } }, { "MT6571", { 0x00, 0x00, 0x46, 0x65, 0x71, 0x01 } },
	{ "MT6582", { 0x00, 0x00, 0x46, 0x65, 0x82, 0x01 } }, { "MT6592", { 0x00, 0x00, 0x46, 0x65, 0x92, 0x01 } },
	{ "MT6620", { 0x00, 0x00, 0x46, 0x66, 0x20, 0x01 } }, { "MT6628", { 0x00, 0x00, 0x46, 0x66, 0x28, 0x01 } },
	{ "MT6630", { 0x00, 0x00, 0x46, 0x66, 0x30, 0x01 } }, { "MT6622", { 0x00, 0x00, 0x46, 0x66, 0x22, 0x01 } },
	{ "MT6626", { 0x00, 0x00, 0x46, 0x66, 0x26, 0x01 } },
};

const char *unifw_nvram_bt_default_chip(const uint8_t addr[6])
{
	for (size_t i = 0; i < sizeof bt_defaults / sizeof *bt_defaults; i++)
		if (!memcmp(addr, bt_defaults[i].addr, 6))
			return bt_defaults[i].chip;
	return NULL;
}

enum unifw_nvram_addr_state unifw_nvram_bt_addr_state(const uint8_t addr[6])
{
	if (unifw_all_bytes(addr, 6, 0) || unifw_all_bytes(addr, 6, 0xFF))
		return UNIFW_NVRAM_BLANK;
	return unifw_nvram_bt_default_chip(addr) ? UNIFW_NVRAM_DEFAULT : UNIFW_NVRAM_SET;
}

enum unifw_nvram_addr_state unifw_nvram_wifi_mac(const struct unifw_nvram *nv, const uint8_t *buf, uint8_t mac[6])
{
	enum unifw_nvram_addr_state s = read_addr(nv, buf, UNIFW_NVRAM_WIFI, UNIFW_NVRAM_WIFI_MAC_OFFSET, mac);
	return s == UNIFW_NVRAM_SET ? unifw_nvram_wifi_mac_state(mac) : s;
}

enum unifw_nvram_addr_state unifw_nvram_bt_addr(const struct unifw_nvram *nv, const uint8_t *buf, uint8_t addr[6])
{
	enum unifw_nvram_addr_state s = read_addr(nv, buf, UNIFW_NVRAM_BT_ADDR, 0, addr);
	return s == UNIFW_NVRAM_SET ? unifw_nvram_bt_addr_state(addr) : s;
}

int unifw_nvram_parse_mac(const char *s, uint8_t mac[6], struct unifw_error *err)
{
	for (int i = 0; i < 6; i++) {
		const char *p = s + 3 * i;
		int hi = unifw_hexval(p[0]), lo = hi < 0 ? -1 : unifw_hexval(p[1]);
		char sep = lo < 0 ? 0 : p[2];
		if (hi < 0 || lo < 0 || (i < 5 ? (sep != ':' && sep != '-') : sep != 0))
			return unifw_error_set(err, UNIFW_E_INVALID, NULL, UNIFW_NO_OFFSET,
					       "expected an address like 00:11:22:33:44:55, found '%.40s'", s);
		mac[i] = (uint8_t)(hi << 4 | lo);
	}
	if (unifw_all_bytes(mac, 6, 0) || unifw_all_bytes(mac, 6, 0xFF) || (mac[0] & 1))
		return unifw_error_set(err, UNIFW_E_INVALID, NULL, UNIFW_NO_OFFSET,
				       "'%.40s' is all-zero, broadcast or multicast: not a device address", s);
	return 0;
}

void unifw_nvram_format_mac(const uint8_t m[6], char out[18])
{
	snprintf(out, 18, "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4], m[5]);
}

/* ---------------------------------------------------------------- editing */

static bool is_imei_path(const char *s)
{
	return strstr(s, IMEI_DIR) != NULL || strstr(s, "MP0B_001") != NULL;
}

/* The last good block holds bitmap x3 (one byte per block), 0xAABBCCDD and a copy of the map
 * block; the bitmap length depends on reserved-block settings, so search it. */
static void refresh_bitmap_copy(uint8_t *buf, size_t len, const struct unifw_nvram *nv)
{
	uint64_t e = nv->erase_block;
	if (!e || len / e < 3)
		return;
	uint64_t nblocks = len / e, lowest = nblocks > 17 ? nblocks - 17 : 0;
	for (uint64_t blk = nblocks - 1; blk > lowest; blk--) {
		for (uint64_t m = nblocks; m + 16 > nblocks && m > 0; m--) {
			uint64_t at = blk * e + 3 * m;
			uint32_t flag = 0, map_size = 0;
			if (!get_le32(buf, len, at, &flag) || flag != UNIFW_NVRAM_BITMAP_FLAG ||
			    !get_le32(buf, len, at + 4, &map_size) || map_size != nv->map_size ||
			    !unifw_in_bounds(len, at + 4 + PREFIX, 4))
				continue;
			put_le32(buf + at + 4 + PREFIX, nv->checksum);
			return;
		}
	}
}

int unifw_nvram_patch_file(uint8_t *buf, size_t len, const char *suffix, uint32_t offset, const uint8_t *bytes,
			   size_t n, struct unifw_error *err)
{
	if (is_imei_path(suffix))
		return unifw_error_set(err, UNIFW_E_UNSAFE, suffix, UNIFW_NO_OFFSET,
				       "refused: unifw never writes or alters an IMEI record");
	struct unifw_nvram nv;
	int rc = unifw_nvram_parse(buf, len, NULL, &nv, err);
	if (rc)
		return rc;
	const struct unifw_nvram_file *f = unifw_nvram_find(&nv, suffix);
	if (!f)
		rc = unifw_error_set(err, UNIFW_E_NOT_FOUND, suffix, UNIFW_NO_OFFSET, "no such file in the NVRAM region");
	else if (is_imei_path(f->name))
		rc = unifw_error_set(err, UNIFW_E_UNSAFE, f->name, UNIFW_NO_OFFSET,
				     "refused: unifw never writes or alters an IMEI record");
	else if ((uint64_t)offset + n > f->size)
		rc = unifw_error_set(err, UNIFW_E_INVALID, f->name, f->offset,
				     "edit of %zu bytes at %u runs past the %u-byte file", n, offset, f->size);
	if (!rc) {
		memcpy(buf + f->offset + offset, bytes, n);
		if (nv.data_offset_checked) {
			nv.checksum = unifw_nvram_checksum(buf + nv.data_offset, nv.dat_size);
			put_le32(buf + nv.header_offset - MAP_HEAD, nv.checksum);
			refresh_bitmap_copy(buf, len, &nv);
		}
	}
	unifw_nvram_free(&nv);
	return rc;
}

int unifw_nvram_set_wifi_mac(uint8_t *buf, size_t len, const uint8_t mac[6], struct unifw_error *err)
{
	return unifw_nvram_patch_file(buf, len, UNIFW_NVRAM_WIFI, UNIFW_NVRAM_WIFI_MAC_OFFSET, mac, 6, err);
}

int unifw_nvram_set_bt_addr(uint8_t *buf, size_t len, const uint8_t addr[6], struct unifw_error *err)
{
	return unifw_nvram_patch_file(buf, len, UNIFW_NVRAM_BT_ADDR, 0, addr, 6, err);
}

/* ---------------------------------------------------------------- writer */

static int check_inputs(const struct unifw_nvram_input *files, size_t n, uint64_t region, unsigned ncounts,
			uint64_t *dat, struct unifw_error *err)
{
	if (ncounts != 8 && ncounts != 10)
		return unifw_error_set(err, UNIFW_E_INVALID, NULL, UNIFW_NO_OFFSET,
				       "header counts: expected 10 (MT6572 libfile_op.h) or 8, found %u", ncounts);
	if (n == 0 || n > UNIFW_NVRAM_MAX_FILES)
		return unifw_error_set(err, UNIFW_E_INVALID, NULL, UNIFW_NO_OFFSET, "file count: expected 1..%u, found %zu",
				       UNIFW_NVRAM_MAX_FILES, n);
	if (region % UNIFW_NVRAM_BLOCK || region < 3ull * UNIFW_NVRAM_BLOCK || region > UNIFW_NVRAM_MAX_REGION)
		return unifw_error_set(err, UNIFW_E_INVALID, NULL, UNIFW_NO_OFFSET,
				       "region size 0x%llx: expected a multiple of 0x%x, at least 3 blocks, at most 0x%x",
				       (unsigned long long)region, UNIFW_NVRAM_BLOCK, UNIFW_NVRAM_MAX_REGION);
	*dat = 0;
	for (size_t i = 0; i < n; i++) {
		size_t nl = strlen(files[i].name);
		bool printable = nl > 0 && nl < UNIFW_NVRAM_NAME_SIZE;
		for (size_t k = 0; printable && k < nl; k++)
			printable = files[i].name[k] >= 0x20 && files[i].name[k] <= 0x7E;
		if (!printable || files[i].category >= ncounts)
			return unifw_error_set(err, UNIFW_E_INVALID, files[i].name, UNIFW_NO_OFFSET,
					       "file %zu: expected a printable name of 1..127 bytes and category 0..%u", i,
					       ncounts - 1);
		*dat += files[i].size;
	}
	uint64_t map = PREFIX + MAP_HEAD + header_size(ncounts) + n * (uint64_t)UNIFW_NVRAM_TITLE_SIZE;
	uint64_t data_blocks = (*dat + UNIFW_NVRAM_BLOCK - 1) / UNIFW_NVRAM_BLOCK;
	if (map > UNIFW_NVRAM_BLOCK || 1 + data_blocks + 1 > region / UNIFW_NVRAM_BLOCK)
		return unifw_error_set(err, UNIFW_E_TOO_BIG, NULL, UNIFW_NO_OFFSET,
				       "%zu files / %llu bytes do not fit: the map needs one block, the data %llu of the %llu blocks",
				       n, (unsigned long long)*dat, (unsigned long long)data_blocks,
				       (unsigned long long)(region / UNIFW_NVRAM_BLOCK - 2));
	return 0;
}

/* Map block: prefix, map head, header, titles (files grouped by category), 0xFF to 512 bytes. */
static uint64_t write_map(uint8_t *b, const struct unifw_nvram_input *files, size_t n, uint64_t dat, unsigned ncounts)
{
	uint64_t map_size = MAP_HEAD + header_size(ncounts) + n * (uint64_t)UNIFW_NVRAM_TITLE_SIZE;
	uint64_t mem = (PREFIX + map_size + 511) / 512 * 512;
	memset(b, 0xFF, (size_t)mem);
	put_le32(b, (uint32_t)map_size);
	put_le32(b + 4, (uint32_t)dat);
	/* b + 8: clean-boot flag, left 0xFFFFFFFF as FileOp_BackupToBinRegion_All leaves it. */
	put_le32(b + 12, 0);      /* checksum, filled in by the caller */
	put_le32(b + 16, 0);      /* common / custom file counts of the CFG tables: unknown here */
	put_le32(b + 20, 0);
	uint8_t *h = b + PREFIX + MAP_HEAD, *t = h + header_size(ncounts);
	memset(h, 0, (size_t)header_size(ncounts));
	uint32_t start = 0;
	for (unsigned cat = 0; cat < ncounts; cat++) {
		uint16_t cnt = 0;
		for (size_t i = 0; i < n; i++) {
			if (files[i].category != cat)
				continue;
			put_le32(t, 7); /* NameSize: libfile_op writes the constant 7 */
			put_le32(t + 4, start);
			put_le32(t + 8, files[i].size);
			memset(t + 12, 0, UNIFW_NVRAM_NAME_SIZE);
			memcpy(t + 12, files[i].name, strlen(files[i].name));
			start += files[i].size;
			t += UNIFW_NVRAM_TITLE_SIZE;
			cnt++;
		}
		put_le16(h + 2 * cat, cnt);
	}
	put_le32(h + 2 * ncounts, (uint32_t)dat);          /* iFileBufLen: the data size */
	put_le32(h + 2 * ncounts + 4, UNIFW_NVRAM_DATA_FLAG); /* BackupFlag */
	return mem;
}

int unifw_nvram_build(const struct unifw_nvram_input *files, size_t n, uint64_t region_size, uint8_t **out,
		      size_t *out_len, struct unifw_error *err)
{
	return unifw_nvram_build_counts(files, n, region_size, 10, out, out_len, err);
}

int unifw_nvram_build_counts(const struct unifw_nvram_input *files, size_t n, uint64_t region_size,
			     unsigned header_counts, uint8_t **out, size_t *out_len, struct unifw_error *err)
{
	uint64_t region = region_size ? region_size : UNIFW_NVRAM_DEFAULT_REGION, dat = 0;
	int rc = check_inputs(files, n, region, header_counts, &dat, err);
	if (rc)
		return rc;
	uint8_t *b = calloc(1, (size_t)region);
	if (!b)
		return unifw_error_set(err, UNIFW_E_NOMEM, NULL, UNIFW_NO_OFFSET, "out of memory");
	uint64_t mem = write_map(b, files, n, dat, header_counts);
	uint8_t *d = b + UNIFW_NVRAM_BLOCK;
	memset(d, 0xFF, (size_t)((dat + UNIFW_NVRAM_BLOCK - 1) / UNIFW_NVRAM_BLOCK * UNIFW_NVRAM_BLOCK));
	for (unsigned cat = 0; cat < header_counts; cat++)
		for (size_t i = 0; i < n; i++)
			if (files[i].category == cat) {
				if (files[i].size)
					memcpy(d, files[i].data, files[i].size);
				d += files[i].size;
			}
	put_le32(b + PREFIX, unifw_nvram_checksum(b + UNIFW_NVRAM_BLOCK, (size_t)dat));
	/* Last block: bad-block bitmap three times (all good on eMMC), the flag, the map copy. */
	uint64_t nblocks = region / UNIFW_NVRAM_BLOCK;
	uint8_t *bm = b + (nblocks - 1) * UNIFW_NVRAM_BLOCK;
	memset(bm, 0xFF, UNIFW_NVRAM_BLOCK);
	memset(bm, 0, (size_t)(3 * nblocks));
	put_le32(bm + 3 * nblocks, UNIFW_NVRAM_BITMAP_FLAG);
	memcpy(bm + 3 * nblocks + 4, b, (size_t)mem);
	*out = b;
	*out_len = (size_t)region;
	return 0;
}

/* ---------------------------------------------------------------- probe / describe */

bool unifw_nvram_probe(const uint8_t *head, size_t head_len, uint64_t total_size)
{
	struct cand c;
	(void)total_size;
	/* Prefix-confirmed or DATA_FLAG headers only: a bare path name is too weak for detection. */
	return find_header(head, head_len, &c) && c.rank >= 2;
}

static void describe_addr(struct unifw_jv *obj, const char *key, const char *state_key,
			  enum unifw_nvram_addr_state st, const uint8_t a[6])
{
	char s[18];
	if (st == UNIFW_NVRAM_SET || st == UNIFW_NVRAM_DEFAULT) {
		unifw_nvram_format_mac(a, s);
		unifw_jv_set_str(obj, key, s);
	} else {
		unifw_jv_set(obj, key, NULL);
	}
	unifw_jv_set_str(obj, state_key, unifw_nvram_addr_state_name(st));
}

static void describe_parsed(struct unifw_jv *obj, const struct unifw_nvram *nv, const uint8_t *buf)
{
	uint8_t a[6];
	unifw_jv_set_str(obj, "type", "nvram");
	unifw_jv_set_uint(obj, "region_size", nv->region_size);
	unifw_jv_set_uint(obj, "header_offset", nv->header_offset);
	unifw_jv_set_uint(obj, "header_counts", nv->header_counts);
	unifw_jv_set_hex(obj, "backup_flag", nv->backup_flag);
	unifw_jv_set_uint(obj, "data_offset", nv->data_offset);
	unifw_jv_set_uint(obj, "data_size", nv->prefix ? nv->dat_size : nv->buf_len);
	unifw_jv_set_bool(obj, "checksum_ok", nv->data_offset_checked);
	unifw_jv_set_uint(obj, "file_count", nv->count);
	struct unifw_jv *arr = unifw_jv_set_arr(obj, "files");
	for (size_t i = 0; i < nv->count; i++) {
		struct unifw_jv *o = unifw_jv_push_obj(arr);
		unifw_jv_set_str(o, "type", "nvram_file");
		unifw_jv_set_str(o, "name", nv->files[i].name);
		unifw_jv_set_uint(o, "size", nv->files[i].size);
	}
	describe_addr(obj, "wifi_mac", "wifi_mac_state", unifw_nvram_wifi_mac(nv, buf, a), a);
	describe_addr(obj, "bt_address", "bt_address_state", unifw_nvram_bt_addr(nv, buf, a), a);
	const struct unifw_nvram_file *imei = unifw_nvram_find(nv, UNIFW_NVRAM_IMEI);
	struct unifw_jv *im = unifw_jv_set_obj(obj, "imei_record");
	unifw_jv_set_str(im, "type", "imei_record");
	unifw_jv_set_bool(im, "present", imei != NULL);
	unifw_jv_set_uint(im, "size", imei ? imei->size : 0);
}

int unifw_nvram_describe(struct unifw_stream *s, struct unifw_jv *obj, struct unifw_error *err)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	int rc = unifw_stream_read_all(s, UNIFW_NVRAM_MAX_REGION, &buf, &len, err);
	if (rc)
		return rc;
	struct unifw_nvram nv;
	rc = unifw_nvram_parse(buf, len, s->name, &nv, err);
	if (!rc) {
		describe_parsed(obj, &nv, buf);
		unifw_nvram_free(&nv);
	}
	free(buf);
	return rc;
}
