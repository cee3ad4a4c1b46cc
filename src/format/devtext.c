/* Text device-information files. Formats seen in the corpus (docs/format-devtext.md, with provenance):
 * dumchar_info is printed by MediaTek's dumchar driver (/proc/dumchar_info): name, size, start, type,
 * map-to, with a legend after the table; MTK Droid Tools saves the same table as firmware.info. */
#include "unifw/devtext.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define DEVTEXT_MAX_BYTES (1u << 20)
#define DUMCHAR_MAX_PARTS 128

/* A line iterator over a bounded buffer (handles CRLF and a missing final newline). */
struct line_iter { const char *p, *end; unsigned lineno; };

static bool next_line(struct line_iter *it, char *line, size_t cap)
{
	if (it->p >= it->end)
		return false;
	const char *nl = memchr(it->p, '\n', (size_t)(it->end - it->p));
	const char *stop = nl ? nl : it->end;
	size_t n = (size_t)(stop - it->p);
	if (n && it->p[n - 1] == '\r')
		n--;
	if (n >= cap)
		n = 0; /* an over-long line reads as blank: no format here has meaningful lines that long, and a
			* value cut by the buffer would be reported as if it were whole */
	memcpy(line, it->p, n);
	line[n] = 0;
	it->p = nl ? nl + 1 : it->end;
	it->lineno++;
	return true;
}

static const char *skip_ws(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

static bool is_text(const uint8_t *b, size_t n)
{
	size_t bad = 0;
	for (size_t i = 0; i < n; i++) {
		if (b[i] == 0)
			return false;
		if (b[i] < 0x20 && b[i] != '\n' && b[i] != '\r' && b[i] != '\t')
			bad++;
	}
	return bad == 0;
}

/* "name 0xSIZE 0xSTART TYPE /dev/..." */
static bool parse_dumchar_line(const char *line, struct unifw_dumchar_part *p)
{
	char name[64], mapto[128];
	unsigned long long size, start;
	unsigned type;
	if (sscanf(line, "%63s 0x%llx 0x%llx %u %127s", name, &size, &start, &type, mapto) != 5)
		return false;
	snprintf(p->name, sizeof p->name, "%s", name);
	snprintf(p->map_to, sizeof p->map_to, "%s", mapto);
	p->size = size;
	p->start = start;
	p->type = type;
	return true;
}

static size_t count_dumchar_lines(const char *text, size_t len)
{
	struct line_iter it = {text, text + len, 0};
	char line[512];
	struct unifw_dumchar_part p;
	size_t n = 0;
	while (next_line(&it, line, sizeof line))
		n += parse_dumchar_line(line, &p);
	return n;
}

static bool has_assignment(const char *line, const char *key)
{
	size_t k = strlen(key);
	if (strncmp(line, key, k) != 0)
		return false;
	const char *r = skip_ws(line + k);
	return *r == ':' || *r == '=' || *r == '+' || *r == '?';
}

static bool looks_like_fstab_line(const char *line)
{
	char a[256], b[256], c[256];
	if (line[0] == '#' || sscanf(line, "%255s %255s %255s", a, b, c) != 3)
		return false;
	static const char *types[] = {"emmc", "ext4", "ext3", "ext2", "vfat", "yaffs2", "mtd", "ubifs", "auto",
				      "f2fs", "ntfs", "exfat", "swap", "tmpfs", "rawfs", "emmc-raw"};
	for (size_t i = 0; i < sizeof types / sizeof *types; i++)
		if ((!strcmp(b, types[i]) && a[0] == '/') || (!strcmp(c, types[i]) && b[0] == '/'))
			return true;
	return false;
}

enum unifw_devtext_kind unifw_devtext_kind(const char *text, size_t len)
{
	struct line_iter it = {text, text + len, 0};
	char line[1024];
	size_t fstab = 0, mounts = 0, board = 0, psize = 0, make_rules = 0, lines = 0;
	bool mbr_addr = false;

	if (count_dumchar_lines(text, len) >= 3)
		return UNIFW_DEVTEXT_DUMCHAR;
	while (next_line(&it, line, sizeof line)) {
		const char *l = skip_ws(line);
		if (!*l)
			continue;
		lines++;
		if (strstr(l, "$MBR_Start_Address_KB") == l && strchr(l, '='))
			mbr_addr = true;
		if (!strncmp(l, "/emmc@", 6) && strchr(l, '('))
			mounts++;
		if (looks_like_fstab_line(l))
			fstab++;
		if (has_assignment(l, "TARGET_BOARD_PLATFORM") || has_assignment(l, "BOARD_KERNEL_BASE") ||
		    has_assignment(l, "BOARD_MKBOOTIMG_ARGS") || has_assignment(l, "TARGET_BOOTLOADER_BOARD_NAME"))
			board++;
		if (!strncmp(l, "BOARD_", 6) && (strstr(l, ":=") || strchr(l, '=')) &&
		    (strstr(l, "_PARTITION_SIZE") || strstr(l, "UBIFS_") || strstr(l, "FLASH_BLOCK_SIZE")))
			psize++;
		if (!strncmp(l, "define ", 7) || (strchr(l, ':') && strstr(l, "$(")))
			make_rules++;
	}
	if (mbr_addr)
		return UNIFW_DEVTEXT_MBR_ADDR;
	if (mounts >= 2)
		return UNIFW_DEVTEXT_MOUNT_INFO;
	if (board)
		return UNIFW_DEVTEXT_BOARD_CONFIG;
	if (psize >= 2 && psize == lines)
		return UNIFW_DEVTEXT_PARTITION_SIZE;
	if (fstab >= 2)
		return UNIFW_DEVTEXT_FSTAB;
	if (make_rules >= 2)
		return UNIFW_DEVTEXT_MAKEFILE;
	return UNIFW_DEVTEXT_NONE;
}

const char *unifw_devtext_kind_name(enum unifw_devtext_kind k)
{
	switch (k) {
	case UNIFW_DEVTEXT_DUMCHAR: return "dumchar_info";
	case UNIFW_DEVTEXT_MOUNT_INFO: return "mount_info";
	case UNIFW_DEVTEXT_FSTAB: return "fstab";
	case UNIFW_DEVTEXT_BOARD_CONFIG: return "board_config";
	case UNIFW_DEVTEXT_PARTITION_SIZE: return "partition_size_mk";
	case UNIFW_DEVTEXT_MBR_ADDR: return "mbr_addr_pl";
	case UNIFW_DEVTEXT_MAKEFILE: return "makefile";
	case UNIFW_DEVTEXT_NONE: break;
	}
	return "unknown";
}

bool unifw_devtext_probe(const uint8_t *head, size_t head_len, uint64_t total_size)
{
	if (total_size > DEVTEXT_MAX_BYTES || head_len == 0 || !is_text(head, head_len))
		return false;
	return unifw_devtext_kind((const char *)head, head_len) != UNIFW_DEVTEXT_NONE;
}

int unifw_dumchar_parse(const char *text, size_t len, const char *name, struct unifw_dumchar *out,
			struct unifw_error *err)
{
	struct line_iter it = {text, text + len, 0};
	char line[512];
	struct unifw_dumchar_part p;

	memset(out, 0, sizeof *out);
	size_t n = count_dumchar_lines(text, len);
	if (n == 0)
		return unifw_error_set(err, UNIFW_E_FORMAT, name, 0,
				       "no dumchar_info rows: expected lines like 'name 0xSIZE 0xSTART 2 /dev/...'");
	if (n > DUMCHAR_MAX_PARTS)
		return unifw_error_set(err, UNIFW_E_TOO_BIG, name, UNIFW_NO_OFFSET,
				       "%zu partitions; at most %d expected", n, DUMCHAR_MAX_PARTS);
	out->parts = calloc(n, sizeof *out->parts);
	if (!out->parts)
		return unifw_error_set(err, UNIFW_E_NOMEM, name, UNIFW_NO_OFFSET, "out of memory");
	while (next_line(&it, line, sizeof line) && out->count < n)
		if (parse_dumchar_line(line, &p))
			out->parts[out->count++] = p;
	return 0;
}

void unifw_dumchar_free(struct unifw_dumchar *d)
{
	free(d->parts);
	d->parts = NULL;
	d->count = 0;
}

static void describe_dumchar(const char *text, size_t len, const char *name, struct unifw_jv *obj)
{
	struct unifw_dumchar d;
	if (unifw_dumchar_parse(text, len, name, &d, NULL))
		return;
	struct unifw_jv *arr = unifw_jv_set_arr(obj, "partitions");
	uint64_t boot_region = 0;
	for (size_t i = 0; i < d.count; i++) {
		const struct unifw_dumchar_part *p = &d.parts[i];
		struct unifw_jv *o = unifw_jv_push_obj(arr);
		unifw_jv_set_str(o, "type", "dumchar_partition");
		unifw_jv_set_str(o, "name", p->name);
		unifw_jv_set_uint(o, "size", p->size);
		unifw_jv_set_hex(o, "start", p->start);
		unifw_jv_set_str(o, "map_to", p->map_to);
		if (!strcmp(p->name, "preloader"))
			boot_region = p->size;
	}
	unifw_jv_set_uint(obj, "partition_count", d.count);
	/* dumchar's preloader row spans the whole boot region: it is where the MBR's linear address starts. */
	if (boot_region)
		unifw_jv_set_hex(obj, "boot_region", boot_region);
	unifw_dumchar_free(&d);
}

static void describe_mounts(const char *text, size_t len, struct unifw_jv *obj, bool fstab)
{
	struct line_iter it = {text, text + len, 0};
	char line[1024], a[256], b[256], c[256];
	struct unifw_jv *arr = unifw_jv_set_arr(obj, "mounts");
	while (next_line(&it, line, sizeof line)) {
		const char *l = skip_ws(line);
		if (*l == '#' || sscanf(l, "%255s %255s %255s", a, b, c) != 3)
			continue;
		if (fstab && !looks_like_fstab_line(l))
			continue;
		struct unifw_jv *o = unifw_jv_push_obj(arr);
		unifw_jv_set_str(o, "type", "mount");
		/* CWM/TWRP v1 fstab: "<mount> <type> <device>"; fs_mgr and mount.info: "<device> <mount> <type>". */
		bool twrp_order = fstab && a[0] == '/' && strncmp(a, "/dev", 4) && strncmp(a, "/emmc@", 6) &&
				  strncmp(a, "/devices", 8) && b[0] != '/';
		unifw_jv_set_str(o, "device", twrp_order ? c : a);
		unifw_jv_set_str(o, "mount_point", twrp_order ? a : b);
		unifw_jv_set_str(o, "fs_type", twrp_order ? b : c);
	}
	if (fstab)
		unifw_jv_set_str(obj, "column_order", "detected per line (fs_mgr or CWM/TWRP)");
}

/* KEY := value (also =, ?=, +=); values of interest are copied verbatim. */
static void describe_assignments(const char *text, size_t len, struct unifw_jv *obj, const char *const *keys,
				 size_t nkeys, const char *section)
{
	struct line_iter it = {text, text + len, 0};
	char line[1024];
	struct unifw_jv *vars = unifw_jv_set_obj(obj, section);
	unifw_jv_set_str(vars, "type", "variables");
	while (next_line(&it, line, sizeof line)) {
		const char *l = skip_ws(line);
		for (size_t i = 0; i < nkeys; i++) {
			if (!has_assignment(l, keys[i]))
				continue;
			const char *v = l + strlen(keys[i]);
			v = skip_ws(v);
			while (*v == ':' || *v == '=' || *v == '+' || *v == '?')
				v++;
			v = skip_ws(v);
			unifw_jv_set_str(vars, keys[i], v);
		}
	}
}

static void describe_board(const char *text, size_t len, struct unifw_jv *obj)
{
	static const char *const keys[] = {
		"TARGET_BOARD_PLATFORM", "TARGET_BOOTLOADER_BOARD_NAME", "BOARD_KERNEL_BASE", "BOARD_KERNEL_PAGESIZE",
		"BOARD_KERNEL_CMDLINE", "BOARD_MKBOOTIMG_ARGS", "BOARD_BOOTIMAGE_PARTITION_SIZE",
		"BOARD_RECOVERYIMAGE_PARTITION_SIZE", "BOARD_SYSTEMIMAGE_PARTITION_SIZE",
		"BOARD_USERDATAIMAGE_PARTITION_SIZE", "BOARD_CACHEIMAGE_PARTITION_SIZE", "BOARD_FLASH_BLOCK_SIZE",
		"TARGET_PREBUILT_KERNEL", "TARGET_RECOVERY_FSTAB", "RECOVERY_VARIANT"};
	describe_assignments(text, len, obj, keys, sizeof keys / sizeof *keys, "variables");
	const char *args = unifw_jv_str(unifw_jv_path(obj, "variables.BOARD_MKBOOTIMG_ARGS"));
	/* "--mtk 1" is the mkbootimg patch that adds MediaTek's 512-byte headers to kernel and ramdisk. */
	unifw_jv_set_bool(obj, "mtk_headers", args && strstr(args, "--mtk 1"));
}

static void describe_psize(const char *text, size_t len, struct unifw_jv *obj)
{
	struct line_iter it = {text, text + len, 0};
	char line[512], key[128], val[128];
	struct unifw_jv *vars = unifw_jv_set_obj(obj, "variables");
	unifw_jv_set_str(vars, "type", "variables");
	while (next_line(&it, line, sizeof line))
		if (sscanf(skip_ws(line), "%127[A-Z0-9_] := %127s", key, val) == 2 ||
		    sscanf(skip_ws(line), "%127[A-Z0-9_]:=%127s", key, val) == 2)
			if (strlen(key) < sizeof key - 1 && strlen(val) < sizeof val - 1) /* not cut by the buffers */
				unifw_jv_set_str(vars, key, val);
}

static void describe_mbr_addr(const char *text, size_t len, struct unifw_jv *obj)
{
	struct line_iter it = {text, text + len, 0};
	char line[256];
	unsigned long long kb;
	/* The assignment line, not the commented examples above it ("# $MBR_Start_Address_KB = 6*1024+128"). */
	while (next_line(&it, line, sizeof line)) {
		if (sscanf(skip_ws(line), "$MBR_Start_Address_KB = %llu", &kb) == 1 && kb < (1ull << 40)) {
			unifw_jv_set_uint(obj, "mbr_start_kb", kb);
			unifw_jv_set_hex(obj, "boot_region", kb * 1024);
			return;
		}
	}
}

int unifw_devtext_describe(struct unifw_stream *s, struct unifw_jv *obj, struct unifw_error *err)
{
	uint8_t *bytes;
	size_t len;
	int rc = unifw_stream_read_all(s, DEVTEXT_MAX_BYTES, &bytes, &len, err);
	if (rc)
		return rc;
	char *text = (char *)bytes; /* NUL-terminated by unifw_stream_read_all */
	enum unifw_devtext_kind k = unifw_devtext_kind(text, len);
	if (k == UNIFW_DEVTEXT_NONE) {
		free(text);
		return unifw_error_set(err, UNIFW_E_FORMAT, s->name, 0,
				       "not a recognised device-information text (dumchar_info, fstab, mount.info, "
				       "BoardConfig.mk, partition_size.mk, mbr_addr.pl)");
	}
	unifw_jv_set_str(obj, "type", unifw_devtext_kind_name(k));
	switch (k) {
	case UNIFW_DEVTEXT_DUMCHAR: describe_dumchar(text, len, s->name, obj); break;
	case UNIFW_DEVTEXT_MOUNT_INFO: describe_mounts(text, len, obj, false); break;
	case UNIFW_DEVTEXT_FSTAB: describe_mounts(text, len, obj, true); break;
	case UNIFW_DEVTEXT_BOARD_CONFIG: describe_board(text, len, obj); break;
	case UNIFW_DEVTEXT_PARTITION_SIZE: describe_psize(text, len, obj); break;
	case UNIFW_DEVTEXT_MBR_ADDR: describe_mbr_addr(text, len, obj); break;
	case UNIFW_DEVTEXT_MAKEFILE:
		unifw_jv_set_bool(obj, "mtk_header_recipe", memmem(text, len, "88\\x16\\x88\\x58", 14) != NULL);
		break;
	case UNIFW_DEVTEXT_NONE: break;
	}
	free(text);
	return 0;
}
