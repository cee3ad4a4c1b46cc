/* Android boot images in folder form: unpack (one file per section, header.txt), header.txt, repack
 * (include/unifw/bootimg.h, docs/format-boot.md). */
#include "unifw/bootimg.h"

#include <errno.h>
#include <limits.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "unifw/hash.h"
#include "unifw/kernel.h"
#include "unifw/mtkhdr.h"
#include "unifw/ramdisk.h"
#include "format/bootimg_internal.h"
#include "util/bytes.h"

/* ------------------------------------------------------------------ files */

static int join(char *out, size_t cap, const char *dir, const char *name, struct unifw_error *err)
{
	if ((size_t)snprintf(out, cap, "%s/%s", dir, name) >= cap)
		return unifw_error_set(err, UNIFW_E_INVALID, dir, UNIFW_NO_OFFSET, "path too long");
	return 0;
}

static int write_in(const char *dir, const char *name, const void *p, size_t n, struct unifw_error *err)
{
	char path[PATH_MAX];
	int rc = join(path, sizeof path, dir, name, err);
	return rc ? rc : unifw_file_write_atomic(path, p, n, err);
}

static void sha256_hex(const uint8_t *p, size_t n, char out[65])
{
	uint8_t d[32];
	unifw_sha256(p, n, d);
	unifw_hex(d, 32, out);
}

/* header.txt string values: bytes up to the last non-zero one; backslash, non-printable bytes and
 * spaces at either end escaped as \\ and \xNN, so that every byte of the field round-trips. */
static void put_escaped(FILE *f, const uint8_t *field, size_t n)
{
	size_t end = n;
	while (end && !field[end - 1])
		end--;
	for (size_t i = 0; i < end; i++) {
		uint8_t c = field[i];
		if (c == '\\')
			fputs("\\\\", f);
		else if (c < 0x20 || c > 0x7e || (c == ' ' && (i == 0 || i == end - 1)))
			fprintf(f, "\\x%02x", c);
		else
			fputc(c, f);
	}
	fputc('\n', f);
}

/* ------------------------------------------------------------------ unpack */

struct unpacked {
	char sha[SEC_COUNT][65];
	bool mtk[SEC_COUNT];
	bool pad_file[SEC_COUNT + 1]; /* header page, kernel, ramdisk, second */
	bool tail_file;
	char tree_sha[65];            /* digest of ramdisk.d as extracted, "" when not extracted */
};

static const char *const pad_names[SEC_COUNT + 1] = {"pad_header", "pad_kernel", "pad_ramdisk", "pad_second"};

static int write_header_txt(const char *dir, const struct unifw_bootimg *img, const struct unpacked *u,
			    struct unifw_error *err)
{
	char *text = NULL, id[2 * UNIFW_BOOTIMG_ID_SIZE + 1];
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	const struct unifw_bootimg_hdr *h = &img->hdr;
	if (!f)
		return unifw_error_set(err, UNIFW_E_NOMEM, dir, UNIFW_NO_OFFSET, "out of memory");
	fprintf(f, "# unifw boot image header (Android boot image v0). Edit values, then run\n"
		   "#   unifw bootimg repack DIR -o IMAGE\n"
		   "# Sizes, MTK headers and the id are recomputed when kernel/ramdisk/second change;\n"
		   "# unchanged parts are written back byte for byte. See docs/format-boot.md.\n");
	fprintf(f, "page_size = %u\nkernel_addr = 0x%08x\nramdisk_addr = 0x%08x\nsecond_addr = 0x%08x\n", h->page_size,
		h->kernel_addr, h->ramdisk_addr, h->second_addr);
	fprintf(f, "tags_addr = 0x%08x\nheader_version = %u\nos_version = 0x%08x\n", h->tags_addr, h->header_version,
		h->os_version);
	fputs("name = ", f);
	put_escaped(f, h->name, sizeof h->name);
	fputs("cmdline = ", f);
	put_escaped(f, h->cmdline, sizeof h->cmdline);
	fputs("extra_cmdline = ", f);
	put_escaped(f, h->extra_cmdline, sizeof h->extra_cmdline);
	unifw_hex(h->id, sizeof h->id, id);
	fprintf(f, "id = %s\nid_ok = %s\n", id, img->id_ok ? "yes" : "no");
	for (int s = 0; s < SEC_COUNT; s++) {
		fprintf(f, "%s_sha256 = %s\n", sec_names[s], u->sha[s][0] ? u->sha[s] : "none");
		if (s != SEC_SECOND)
			fprintf(f, "%s_mtk_header = %s\n", sec_names[s], u->mtk[s] ? "yes" : "no");
	}
	for (int p = 0; p <= SEC_COUNT; p++)
		fprintf(f, "%s = %s\n", pad_names[p], u->pad_file[p] ? "file" : "zero");
	fprintf(f, "image_size = %llu\ntail = %s\n", (unsigned long long)img->file_size, u->tail_file ? "file" : "zero");
	if (u->tree_sha[0])
		fprintf(f, "# ramdisk.d as extracted: repack rebuilds the ramdisk from it when its digest differs\n"
			   "ramdisk_tree_sha256 = %s\n",
			u->tree_sha);
	if (fclose(f) != 0) {
		free(text);
		return unifw_error_set(err, UNIFW_E_NOMEM, dir, UNIFW_NO_OFFSET, "out of memory");
	}
	int rc = write_in(dir, UNIFW_BOOTIMG_HEADER_FILE, text, len, err);
	free(text);
	return rc;
}

/* The section's payload file, and its MTK header beside it when it has one. */
static int unpack_section(const char *dir, const struct unifw_bootimg *img, int s, struct unpacked *u,
			  struct unifw_error *err)
{
	uint64_t off = s == SEC_KERNEL ? img->kernel_off : s == SEC_RAMDISK ? img->ramdisk_off : img->second_off;
	size_t n = sec_size(&img->hdr, s);
	const uint8_t *p = img->base + off;
	char name[32];
	int rc;
	if (n == 0 && s != SEC_KERNEL)
		return 0;
	if (s != SEC_SECOND && n >= UNIFW_MTKHDR_SIZE && unifw_mtkhdr_is(p, n)) {
		snprintf(name, sizeof name, "%s.mtkhdr", sec_names[s]);
		if ((rc = write_in(dir, name, p, UNIFW_MTKHDR_SIZE, err)) != 0)
			return rc;
		u->mtk[s] = true;
		p += UNIFW_MTKHDR_SIZE;
		n -= UNIFW_MTKHDR_SIZE;
	}
	sha256_hex(p, n, u->sha[s]);
	return write_in(dir, sec_names[s], p, n, err);
}

/* Padding after the header and after each section, as far as the file goes; saved when not zero. */
static int unpack_padding(const char *dir, const struct unifw_bootimg *img, struct unpacked *u,
			  struct unifw_error *err)
{
	uint64_t off[SEC_COUNT];
	layout(&img->hdr, off);
	for (int p = 0; p <= SEC_COUNT; p++) {
		uint64_t start = p == 0 ? UNIFW_BOOTIMG_HDR_SIZE : off[p - 1] + sec_size(&img->hdr, p - 1);
		uint64_t end = p == 0 ? img->hdr.page_size : off[p - 1] + page_align(sec_size(&img->hdr, p - 1),
										   img->hdr.page_size);
		if (end > img->file_size)
			end = img->file_size;
		if (start >= end || unifw_all_bytes(img->base + start, (size_t)(end - start), 0))
			continue;
		char name[32];
		snprintf(name, sizeof name, "%s.bin", pad_names[p]);
		int rc = write_in(dir, name, img->base + start, (size_t)(end - start), err);
		if (rc)
			return rc;
		u->pad_file[p] = true;
	}
	if (img->file_size > img->layout_end &&
	    !unifw_all_bytes(img->base + img->layout_end, (size_t)(img->file_size - img->layout_end), 0)) {
		u->tail_file = true;
		return write_in(dir, "tail.bin", img->base + img->layout_end,
				(size_t)(img->file_size - img->layout_end), err);
	}
	return 0;
}

static int extract_ramdisk_tree(const char *dir, const struct unifw_bootimg *img, struct unpacked *u,
				struct unifw_error *err)
{
	struct unifw_ramdisk rd;
	char path[PATH_MAX];
	int rc;
	if (!img->hdr.ramdisk_size)
		return 0;
	if ((rc = join(path, sizeof path, dir, "ramdisk.d", err)) != 0)
		return rc;
	if ((rc = unifw_ramdisk_parse(img->base + img->ramdisk_off, img->hdr.ramdisk_size, "ramdisk section", &rd,
				      err)) != 0)
		return rc;
	rc = unifw_ramdisk_extract(&rd, path, NULL, err);
	unifw_ramdisk_free(&rd);
	/* what the folder shows now: repack compares it to tell an edited folder from an untouched one */
	return rc ? rc : unifw_ramdisk_dir_digest(path, u->tree_sha, err);
}

int unifw_bootimg_unpack(const char *img_path, const char *dir, const struct unifw_bootimg_unpack_opts *opts,
			 struct unifw_error *err)
{
	uint8_t *buf;
	size_t len;
	struct unifw_bootimg img;
	struct unpacked u;
	int rc = unifw_file_read_all(img_path, UNIFW_BOOTIMG_MAX_FILE, &buf, &len, err);
	if (rc)
		return rc;
	memset(&u, 0, sizeof u);
	rc = unifw_bootimg_hdr_parse(buf, len, img_path, &img.hdr, err);
	if (rc == 0 && len < img.hdr.page_size) {
		rc = unifw_error_set(err, UNIFW_E_INVALID, img_path, len,
				     "a bare %zu-byte boot header (no kernel or ramdisk follows): nothing to unpack", len);
		goto out_buf;
	}
	if (rc || (rc = unifw_bootimg_parse(buf, len, img_path, &img, err)) != 0)
		goto out_buf;
	if (img.hdr.header_version) {
		rc = unifw_error_set(err, UNIFW_E_UNSUPPORTED, img_path, 0x28,
				     "boot image header v%u; only v0 images are unpacked", img.hdr.header_version);
		goto out;
	}
	if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
		rc = unifw_error_sys(err, dir, "create directory");
		goto out;
	}
	for (int s = 0; s < SEC_COUNT && rc == 0; s++)
		rc = unpack_section(dir, &img, s, &u, err);
	if (rc == 0)
		rc = unpack_padding(dir, &img, &u, err);
	if (rc == 0 && opts && opts->extract_ramdisk)
		rc = extract_ramdisk_tree(dir, &img, &u, err);
	if (rc == 0)
		rc = write_header_txt(dir, &img, &u, err);
out:
	unifw_bootimg_free(&img);
out_buf:
	free(buf);
	return rc;
}

/* ------------------------------------------------------------------ header.txt */

struct header_txt {
	struct unifw_bootimg_hdr h;
	bool id_ok;
	char sha[SEC_COUNT][65]; /* "" = none */
	bool mtk[SEC_COUNT];
	bool pad_file[SEC_COUNT + 1];
	bool tail_file;
	uint64_t image_size;
	char tree_sha[65];       /* ramdisk_tree_sha256, optional: "" when absent */
	unsigned seen;           /* bit per required key */
};

enum { K_PAGE, K_KADDR, K_RADDR, K_SADDR, K_TAGS, K_HVER, K_OSVER, K_NAME, K_CMD, K_EXTRA, K_ID, K_IDOK, K_KSHA,
       K_KMTK, K_RSHA, K_RMTK, K_SSHA, K_PAD0, K_PAD1, K_PAD2, K_PAD3, K_ISIZE, K_TAIL, K_TREE, K_COUNT };
/* Keys an older unpack did not write. */
#define OPTIONAL_KEYS (1u << K_TREE)
static const char *const keys[K_COUNT] = {
	"page_size", "kernel_addr", "ramdisk_addr", "second_addr", "tags_addr", "header_version", "os_version", "name",
	"cmdline", "extra_cmdline", "id", "id_ok", "kernel_sha256", "kernel_mtk_header", "ramdisk_sha256",
	"ramdisk_mtk_header", "second_sha256", "pad_header", "pad_kernel", "pad_ramdisk", "pad_second", "image_size",
	"tail", "ramdisk_tree_sha256"};

/* Undo put_escaped into a fixed field; false when it does not fit or an escape is malformed. */
static bool unescape(const char *v, uint8_t *field, size_t n)
{
	size_t o = 0;
	memset(field, 0, n);
	for (size_t i = 0; v[i]; i++) {
		int c = (unsigned char)v[i];
		if (c == '\\') {
			if (v[i + 1] == '\\') {
				i++;
			} else if (v[i + 1] == 'x' && unifw_hexval(v[i + 2]) >= 0 && unifw_hexval(v[i + 3]) >= 0) {
				c = unifw_hexval(v[i + 2]) * 16 + unifw_hexval(v[i + 3]);
				i += 3;
			} else {
				return false;
			}
		}
		if (o >= n)
			return false;
		field[o++] = (uint8_t)c;
	}
	return true;
}

static bool parse_u64(const char *v, uint64_t max, uint64_t *out)
{
	char *end;
	if (!v[0] || v[0] == '-')
		return false;
	errno = 0;
	unsigned long long x = strtoull(v, &end, 0);
	if (errno || *end || x > max)
		return false;
	*out = x;
	return true;
}

static bool parse_choice(const char *v, const char *yes, const char *no, bool *out)
{
	if (!strcmp(v, yes))
		*out = true;
	else if (!strcmp(v, no))
		*out = false;
	else
		return false;
	return true;
}

static bool set_key(struct header_txt *t, int k, const char *v)
{
	uint64_t x = 0;
	uint32_t *u32[] = {&t->h.page_size, &t->h.kernel_addr, &t->h.ramdisk_addr, &t->h.second_addr, &t->h.tags_addr,
			   &t->h.header_version, &t->h.os_version};
	uint8_t d[32];
	switch (k) {
	case K_PAGE: case K_KADDR: case K_RADDR: case K_SADDR: case K_TAGS: case K_HVER: case K_OSVER:
		if (!parse_u64(v, UINT32_MAX, &x))
			return false;
		*u32[k] = (uint32_t)x;
		return true;
	case K_NAME: return unescape(v, t->h.name, sizeof t->h.name);
	case K_CMD: return unescape(v, t->h.cmdline, sizeof t->h.cmdline);
	case K_EXTRA: return unescape(v, t->h.extra_cmdline, sizeof t->h.extra_cmdline);
	case K_ID: return unifw_unhex(v, t->h.id, sizeof t->h.id);
	case K_IDOK: return parse_choice(v, "yes", "no", &t->id_ok);
	case K_KSHA: case K_RSHA: case K_SSHA: {
		int s = k == K_KSHA ? SEC_KERNEL : k == K_RSHA ? SEC_RAMDISK : SEC_SECOND;
		if (!strcmp(v, "none") && s != SEC_KERNEL) {
			t->sha[s][0] = '\0';
			return true;
		}
		if (!unifw_unhex(v, d, 32))
			return false;
		unifw_hex(d, 32, t->sha[s]);
		return true;
	}
	case K_KMTK: return parse_choice(v, "yes", "no", &t->mtk[SEC_KERNEL]);
	case K_RMTK: return parse_choice(v, "yes", "no", &t->mtk[SEC_RAMDISK]);
	case K_PAD0: case K_PAD1: case K_PAD2: case K_PAD3: return parse_choice(v, "file", "zero", &t->pad_file[k - K_PAD0]);
	case K_ISIZE: return parse_u64(v, UNIFW_BOOTIMG_MAX_FILE, &t->image_size);
	case K_TAIL: return parse_choice(v, "file", "zero", &t->tail_file);
	case K_TREE:
		if (!unifw_unhex(v, d, 32))
			return false;
		unifw_hex(d, 32, t->tree_sha);
		return true;
	default: return false;
	}
}

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

static int parse_header_line(struct header_txt *t, char *line, const char *path, uint64_t at, struct unifw_error *err)
{
	char *s = trim(line), *eq;
	if (!*s || *s == '#')
		return 0;
	if (!(eq = strchr(s, '=')))
		return unifw_error_set(err, UNIFW_E_FORMAT, path, at, "expected \"key = value\", found \"%.60s\"", s);
	*eq = '\0';
	char *key = trim(s), *val = trim(eq + 1);
	for (int k = 0; k < K_COUNT; k++) {
		if (strcmp(key, keys[k]))
			continue;
		if (!set_key(t, k, val))
			return unifw_error_set(err, UNIFW_E_FORMAT, path, at, "bad value for %s: \"%.80s\"", key, val);
		t->seen |= 1u << k;
		return 0;
	}
	return unifw_error_set(err, UNIFW_E_FORMAT, path, at, "unknown key \"%.60s\"", key);
}

static int read_header_txt(const char *dir, struct header_txt *t, struct unifw_error *err)
{
	char path[PATH_MAX];
	uint8_t *buf;
	size_t len;
	int rc = join(path, sizeof path, dir, UNIFW_BOOTIMG_HEADER_FILE, err);
	if (rc || (rc = unifw_file_read_all(path, HEADER_TXT_MAX, &buf, &len, err)) != 0)
		return rc;
	memset(t, 0, sizeof *t);
	char *text = (char *)buf; /* unifw_file_read_all ends it with a NUL */
	for (size_t at = 0; at < len && rc == 0;) {
		char *nl = memchr(text + at, '\n', len - at);
		size_t end = nl ? (size_t)(nl - text) : len;
		if (memchr(text + at, '\0', end - at))
			rc = unifw_error_set(err, UNIFW_E_FORMAT, path, at, "NUL byte in a line");
		else {
			text[end] = '\0';
			rc = parse_header_line(t, text + at, path, at, err);
		}
		at = end + 1;
	}
	free(text);
	for (int k = 0; k < K_COUNT && rc == 0; k++)
		if (!(t->seen & (1u << k)) && !(OPTIONAL_KEYS & (1u << k)))
			rc = unifw_error_set(err, UNIFW_E_FORMAT, path, UNIFW_NO_OFFSET, "key \"%s\" is missing", keys[k]);
	return rc;
}

/* ------------------------------------------------------------------ repack */

struct section {
	uint8_t *slot; /* what goes into the image, MTK header included */
	size_t len;
	bool changed;
};

static int read_in(const char *dir, const char *name, uint64_t max, uint8_t **buf, size_t *len, struct unifw_error *err)
{
	char path[PATH_MAX];
	int rc = join(path, sizeof path, dir, name, err);
	return rc ? rc : unifw_file_read_all(path, max, buf, len, err);
}

/* Strip an MTK header from a replacement file; *hdr receives it (has_hdr false when there was none). */
static int strip_mtk(const char *path, uint8_t *buf, size_t *len, uint8_t hdr[UNIFW_MTKHDR_SIZE], bool *has_hdr,
		     struct unifw_error *err)
{
	struct unifw_mtkhdr h;
	*has_hdr = false;
	if (*len < UNIFW_MTKHDR_SIZE || !unifw_mtkhdr_is(buf, *len))
		return 0;
	int rc = unifw_mtkhdr_parse(buf, *len, *len, &h, err);
	if (rc == 0 && h.missing)
		rc = unifw_error_set(err, UNIFW_E_TRUNCATED, path, *len, "%s header says %u bytes follow it, found %llu",
				     h.name, h.dsize, (unsigned long long)h.available);
	if (rc) {
		unifw_error_where(err, path);
		return rc;
	}
	memcpy(hdr, buf, UNIFW_MTKHDR_SIZE);
	memmove(buf, buf + UNIFW_MTKHDR_SIZE, h.dsize);
	*len = h.dsize;
	*has_hdr = true;
	return 0;
}

static int validate_payload(int s, const char *path, const uint8_t *p, size_t n, struct unifw_error *err)
{
	if (s == SEC_KERNEL && !unifw_zimage_is(p, n))
		return unifw_error_set(err, UNIFW_E_INVALID, path, UNIFW_ZIMAGE_MAGIC_OFF,
				       "expected a zImage (magic 0x016F2818 at 0x24) as the kernel");
	if (s == SEC_RAMDISK) {
		struct unifw_ramdisk rd;
		int rc = unifw_ramdisk_parse(p, n, path, &rd, err);
		if (rc)
			return rc;
		unifw_ramdisk_free(&rd);
	}
	return 0;
}

/* The MTK header to put before a changed payload: the replacement's own, else the saved one, else a
 * fresh one named default_name; name, maddr and mode are kept, the size is the new payload's. */
static int new_mtk_header(const char *dir, int s, const uint8_t *own, size_t payload_len, const char *default_name,
			  uint8_t out[UNIFW_MTKHDR_SIZE], struct unifw_error *err)
{
	struct unifw_mtkhdr h;
	uint8_t *saved = NULL;
	size_t n = 0;
	int rc = 0;
	const char *name = default_name;
	uint32_t maddr = UNIFW_MTKHDR_DEFAULT_ADDR, mode = UNIFW_MTKHDR_DEFAULT_ADDR;
	if (!own) {
		char file[32];
		snprintf(file, sizeof file, "%s.mtkhdr", sec_names[s]);
		if (read_in(dir, file, UNIFW_MTKHDR_SIZE, &saved, &n, NULL) == 0)
			own = saved;
	}
	if (own && unifw_mtkhdr_parse(own, own == saved ? n : UNIFW_MTKHDR_SIZE, UNIFW_MTKHDR_SIZE, &h, NULL) == 0 &&
	    h.name_clean) {
		name = h.name;
		maddr = h.maddr;
		mode = h.mode;
	}
	if (payload_len > UINT32_MAX)
		rc = unifw_error_set(err, UNIFW_E_TOO_BIG, sec_names[s], UNIFW_NO_OFFSET, "payload exceeds 4 GiB");
	else
		rc = unifw_mtkhdr_write(out, (uint32_t)payload_len, name, maddr, mode, err);
	free(saved);
	return rc;
}

/* default_mtk: the MTK header name for this section; add_mtk: give a changed payload such a header even
 * when the original section had none (a ramdisk added to a MediaTek image). */
/* A payload built in memory (the ramdisk rebuilt from ramdisk.d) instead of a file. */
struct payload {
	const uint8_t *p;
	size_t len;
	const char *name;
};

static int read_payload(const struct payload *mem, uint8_t **buf, size_t *len, struct unifw_error *err)
{
	*buf = malloc(mem->len ? mem->len : 1);
	if (!*buf)
		return unifw_error_set(err, UNIFW_E_NOMEM, mem->name, UNIFW_NO_OFFSET, "out of memory");
	memcpy(*buf, mem->p, mem->len);
	*len = mem->len;
	return 0;
}

static int load_section(const char *dir, const struct header_txt *t, int s, const char *override,
			const struct payload *mem, const char *default_mtk, bool add_mtk, struct section *sec,
			struct unifw_error *err)
{
	uint8_t *buf = NULL, own[UNIFW_MTKHDR_SIZE], hdr[UNIFW_MTKHDR_SIZE];
	size_t len = 0;
	bool has_own = false, want_mtk;
	char sha[65];
	int rc;

	memset(sec, 0, sizeof *sec);
	if (!override && !mem && !t->sha[s][0])
		return 0; /* the section was empty and stays empty */
	rc = mem ? read_payload(mem, &buf, &len, err)
	     : override ? unifw_file_read_all(override, UNIFW_BOOTIMG_MAX_FILE, &buf, &len, err)
			: read_in(dir, sec_names[s], UNIFW_BOOTIMG_MAX_FILE, &buf, &len, err);
	if (rc)
		return rc;
	if (override && s != SEC_SECOND && (rc = strip_mtk(override, buf, &len, own, &has_own, err)) != 0)
		goto fail;
	sha256_hex(buf, len, sha);
	sec->changed = override != NULL || mem != NULL || strcmp(sha, t->sha[s]) != 0;
	if (sec->changed &&
	    (rc = validate_payload(s, mem ? mem->name : override ? override : sec_names[s], buf, len, err)) != 0)
		goto fail;
	want_mtk = s != SEC_SECOND && (t->mtk[s] || has_own || (sec->changed && add_mtk));
	if (want_mtk && !sec->changed && t->mtk[s]) {
		/* unchanged: the original header, byte for byte */
		uint8_t *saved;
		size_t n;
		char file[32];
		snprintf(file, sizeof file, "%s.mtkhdr", sec_names[s]);
		if ((rc = read_in(dir, file, UNIFW_MTKHDR_SIZE, &saved, &n, err)) != 0)
			goto fail;
		if (n != UNIFW_MTKHDR_SIZE || !unifw_mtkhdr_is(saved, n)) {
			free(saved);
			rc = unifw_error_set(err, UNIFW_E_FORMAT, file, 0, "expected a 512-byte MTK header");
			goto fail;
		}
		memcpy(hdr, saved, UNIFW_MTKHDR_SIZE);
		free(saved);
	} else if (want_mtk && (rc = new_mtk_header(dir, s, has_own ? own : NULL, len, default_mtk, hdr, err)) != 0) {
		goto fail;
	}
	size_t extra = want_mtk ? UNIFW_MTKHDR_SIZE : 0;
	sec->slot = malloc(len + extra + 1);
	if (!sec->slot) {
		rc = unifw_error_set(err, UNIFW_E_NOMEM, sec_names[s], UNIFW_NO_OFFSET, "out of memory");
		goto fail;
	}
	if (extra)
		memcpy(sec->slot, hdr, extra);
	if (len)
		memcpy(sec->slot + extra, buf, len);
	sec->len = len + extra;
fail:
	free(buf);
	return rc;
}

/* Padding and tail files are used only where the layout is unchanged and their length still fits. */
static void apply_saved_bytes(const char *dir, const struct header_txt *t, bool same_layout, uint8_t *img,
			      const struct unifw_bootimg_hdr *h)
{
	uint64_t off[SEC_COUNT];
	layout(h, off);
	for (int p = 0; p <= SEC_COUNT && same_layout; p++) {
		if (!t->pad_file[p])
			continue;
		uint64_t start = p == 0 ? UNIFW_BOOTIMG_HDR_SIZE : off[p - 1] + sec_size(h, p - 1);
		uint64_t end = p == 0 ? h->page_size : off[p - 1] + page_align(sec_size(h, p - 1), h->page_size);
		if (end <= start)
			continue;
		uint8_t *b;
		size_t n;
		char file[32];
		snprintf(file, sizeof file, "%s.bin", pad_names[p]);
		if (read_in(dir, file, end - start, &b, &n, NULL) == 0) {
			/* a cut last page (image_size) stores fewer bytes: copy what there is */
			if (n <= end - start)
				memcpy(img + start, b, n);
			free(b);
		}
	}
}

static int assemble(const char *dir, const struct header_txt *t, struct section sec[SEC_COUNT], uint8_t **out,
		    size_t *out_len, struct unifw_error *err)
{
	bool changed = sec[0].changed || sec[1].changed || sec[2].changed;
	struct unifw_bootimg_hdr h = t->h;
	uint8_t *img;
	size_t len;
	int rc = unifw_bootimg_build(&h, sec[0].slot, sec[0].len, sec[1].slot, sec[1].len, sec[2].slot, sec[2].len,
				     changed, &img, &len, err);
	if (rc)
		return rc;
	/* same layout = every section has the size it had when unpacked */
	bool same_layout = !changed;
	apply_saved_bytes(dir, t, same_layout, img, &h);
	if (same_layout && t->image_size != len) {
		uint64_t data_end = UNIFW_BOOTIMG_HDR_SIZE;
		uint64_t off[SEC_COUNT];
		struct unifw_bootimg_hdr built;
		unifw_bootimg_hdr_parse(img, len, "built", &built, NULL);
		layout(&built, off);
		for (int s = 0; s < SEC_COUNT; s++)
			if (sec_size(&built, s))
				data_end = off[s] + sec_size(&built, s);
		if (t->image_size < data_end) {
			free(img);
			return unifw_error_set(err, UNIFW_E_FORMAT, UNIFW_BOOTIMG_HEADER_FILE, UNIFW_NO_OFFSET,
					       "image_size %llu would cut section data ending at %llu",
					       (unsigned long long)t->image_size, (unsigned long long)data_end);
		}
		uint8_t *n = realloc(img, (size_t)t->image_size ? (size_t)t->image_size : 1);
		if (!n) {
			free(img);
			return unifw_error_set(err, UNIFW_E_NOMEM, "boot image", UNIFW_NO_OFFSET, "out of memory");
		}
		img = n;
		if (t->image_size > len) {
			size_t tail = (size_t)t->image_size - len;
			uint8_t *b;
			size_t bn;
			memset(img + len, 0, tail);
			if (t->tail_file && read_in(dir, "tail.bin", tail, &b, &bn, NULL) == 0) {
				memcpy(img + len, b, bn <= tail ? bn : tail);
				free(b);
			}
		}
		len = (size_t)t->image_size;
	}
	*out = img;
	*out_len = len;
	return 0;
}

/* DIR/ramdisk.d, when there is one and its digest is not the one unpack recorded (or none was recorded):
 * the ramdisk rebuilt from it over DIR/ramdisk (owners, special files and setuid bits come from there),
 * compressed as DIR/ramdisk was. */
static int ramdisk_from_folder(const char *dir, const struct header_txt *t, uint8_t **out, size_t *out_len,
			       bool *use, struct unifw_error *err)
{
	char path[PATH_MAX], digest[65];
	struct stat st;
	struct unifw_ramdisk base, edited;
	uint8_t *raw = NULL;
	size_t raw_len = 0;
	int rc = join(path, sizeof path, dir, "ramdisk.d", err);
	*use = false;
	if (rc || lstat(path, &st) != 0)
		return rc; /* no folder: DIR/ramdisk as it is */
	if (!S_ISDIR(st.st_mode))
		return unifw_error_set(err, UNIFW_E_UNSAFE, path, UNIFW_NO_OFFSET,
				       "not a directory (a symlink?): the ramdisk folder is never followed elsewhere");
	if ((rc = unifw_ramdisk_dir_digest(path, digest, err)) != 0 || (t->tree_sha[0] && !strcmp(digest, t->tree_sha)))
		return rc; /* untouched: the image stays byte for byte */
	unifw_ramdisk_init(&base);
	if (t->sha[SEC_RAMDISK][0]) {
		if ((rc = read_in(dir, sec_names[SEC_RAMDISK], UNIFW_BOOTIMG_MAX_FILE, &raw, &raw_len, err)) != 0 ||
		    (rc = unifw_ramdisk_parse(raw, raw_len, sec_names[SEC_RAMDISK], &base, err)) != 0) {
			free(raw);
			return rc;
		}
		free(raw);
	}
	rc = unifw_ramdisk_from_dir(&base, path, &edited, err);
	if (rc == 0) {
		rc = unifw_ramdisk_write(&edited, base.compression, out, out_len, err);
		unifw_ramdisk_free(&edited);
	}
	unifw_ramdisk_free(&base);
	*use = rc == 0;
	return rc;
}

int unifw_bootimg_repack(const char *dir, const char *out_path, const struct unifw_bootimg_repack_opts *opts,
			 struct unifw_error *err)
{
	struct header_txt t;
	struct section sec[SEC_COUNT];
	uint8_t *img = NULL;
	size_t len = 0;
	int rc = read_header_txt(dir, &t, err);
	if (rc)
		return rc;
	memset(sec, 0, sizeof sec);
	rc = load_section(dir, &t, SEC_KERNEL, opts ? opts->kernel : NULL, NULL, "KERNEL", false, &sec[SEC_KERNEL],
			  err);
	/* a ramdisk added to an image whose kernel carries an MTK header gets a ROOTFS header */
	bool mtk_image = t.mtk[SEC_KERNEL] || (sec[SEC_KERNEL].len >= UNIFW_MTKHDR_SIZE &&
					       unifw_mtkhdr_is(sec[SEC_KERNEL].slot, sec[SEC_KERNEL].len));
	/* edits made in the extracted ramdisk folder, unless --ramdisk names a file (which wins) */
	struct payload folder = {.name = "ramdisk.d"};
	uint8_t *folder_rd = NULL;
	bool use_folder = false;
	if (rc == 0 && !(opts && opts->ramdisk))
		rc = ramdisk_from_folder(dir, &t, &folder_rd, &folder.len, &use_folder, err);
	folder.p = folder_rd;
	if (rc == 0)
		rc = load_section(dir, &t, SEC_RAMDISK, opts ? opts->ramdisk : NULL, use_folder ? &folder : NULL, "ROOTFS",
				  mtk_image, &sec[SEC_RAMDISK], err);
	free(folder_rd);
	if (rc == 0)
		rc = load_section(dir, &t, SEC_SECOND, NULL, NULL, NULL, false, &sec[SEC_SECOND], err);
	if (rc == 0)
		rc = assemble(dir, &t, sec, &img, &len, err);
	if (rc == 0)
		rc = unifw_file_write_atomic(out_path, img, len, err);
	free(img);
	for (int s = 0; s < SEC_COUNT; s++)
		free(sec[s].slot);
	return rc;
}
