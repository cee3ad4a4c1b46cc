/* Android sparse: our writer and reader against each other and against the AOSP oracle tools
 * (simg2img / img2simg), CRC32 chunks, the random-access view, and hostile headers/chunks. */
#include "testutil.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "unifw/ext4.h"
#include "unifw/io.h"
#include "unifw/json.h"
#include "unifw/sparse.h"
#include "util/bytes.h"

#define BS 4096u

static uint32_t rng_state = 12345;
static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

/* 300 blocks + 1000 bytes: random runs, zero runs, 0xAABBCCDD fill runs, a partial last block. */
static uint8_t *make_raw(size_t *len)
{
	size_t n = 300 * BS + 1000;
	uint8_t *b = calloc(1, n);
	for (size_t blk = 0; blk < 300; blk++) {
		uint8_t *p = b + blk * BS;
		if (blk % 50 < 20)
			for (size_t i = 0; i < BS; i += 4)
				put_le32(p + i, rnd());
		else if (blk % 50 < 30)
			for (size_t i = 0; i < BS; i += 4)
				put_le32(p + i, 0xAABBCCDDu);
		/* else zeros */
	}
	for (size_t i = 300 * BS; i < n; i++)
		b[i] = (uint8_t)rnd();
	*len = n;
	return b;
}

static char *tmp_file(const char *dir, const char *name)
{
	char *p;
	assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
	return p;
}

static uint8_t *expand_with_unifw(const char *sparse_path, size_t *len, const char *dir)
{
	struct unifw_stream s;
	struct unifw_error e;
	char *out = tmp_file(dir, "expanded.raw");
	assert_int_equal(unifw_stream_open_file(&s, sparse_path, &e), 0);
	int rc = unifw_sparse_expand_file(&s, out, &e);
	unifw_stream_close(&s);
	if (rc)
		fail_msg("expand %s: %s", sparse_path, e.msg);
	uint8_t *b = test_read_file(out, len);
	free(out);
	return b;
}

static bool have_tool(const char *tool)
{
	char cmd[256];
	snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", tool);
	return test_run(cmd, NULL) == 0;
}

static void writer_round_trip_pads_last_block(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	char *raw = tmp_file(dir, "in.raw"), *sp = tmp_file(dir, "out.simg");
	size_t len, elen;
	uint8_t *data = make_raw(&len);
	test_write_file(raw, data, len);
	struct unifw_sparse_stats st;
	struct unifw_error e;
	assert_int_equal(unifw_sparse_write_file(raw, sp, NULL, &st, &e), 0);
	assert_true(st.raw >= 6);
	assert_true(st.fill >= 6);    /* zero runs and 0xAABBCCDD runs */
	uint8_t *exp = expand_with_unifw(sp, &elen, dir);
	assert_int_equal(elen, 301 * BS);
	assert_memory_equal(exp, data, len);
	for (size_t i = len; i < elen; i++)
		assert_int_equal(exp[i], 0);
	/* The sparse file is much smaller than the raw image. */
	struct stat sb;
	assert_int_equal(stat(sp, &sb), 0);
	assert_true((size_t)sb.st_size < len * 2 / 3);
	free(exp);
	free(data);
	free(raw);
	free(sp);
	test_rmtree(dir);
	free(dir);
}

static void holes_become_dont_care(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	char *raw = tmp_file(dir, "holey.raw"), *sp = tmp_file(dir, "holey.simg");
	int fd = open(raw, O_CREAT | O_WRONLY | O_TRUNC, 0644);
	uint8_t blk[BS];
	memset(blk, 0x5A, sizeof blk);
	assert_int_equal(pwrite(fd, blk, BS, 0), BS);
	assert_int_equal(pwrite(fd, blk, BS, 64 * BS), BS);
	assert_int_equal(ftruncate(fd, 128 * BS), 0);
	close(fd);
	fd = open(raw, O_RDONLY);
	off_t hole = lseek(fd, 0, SEEK_HOLE);
	close(fd);
	struct unifw_sparse_stats st;
	struct unifw_sparse_write_opts o = {0};
	assert_int_equal(unifw_sparse_write_file(raw, sp, &o, &st, NULL), 0);
	if (hole == BS) /* this filesystem reports holes */
		assert_true(st.dont_care >= 2);
	else
		print_message("note: %s reports no holes; DONT_CARE not exercised by holes\n", dir);
	/* zeros_as_dont_care turns zero blocks into DONT_CARE even without holes. */
	o.zeros_as_dont_care = true;
	assert_int_equal(unifw_sparse_write_file(raw, sp, &o, &st, NULL), 0);
	assert_true(st.dont_care >= 2);
	assert_int_equal(st.fill, 2); /* the two 0x5A blocks */
	size_t elen, rlen;
	uint8_t *exp = expand_with_unifw(sp, &elen, dir), *orig = test_read_file(raw, &rlen);
	assert_int_equal(elen, rlen);
	assert_memory_equal(exp, orig, rlen);
	free(exp);
	free(orig);
	free(raw);
	free(sp);
	test_rmtree(dir);
	free(dir);
}

static void oracle_simg2img_reads_our_sparse(void **state)
{
	(void)state;
	if (!have_tool("simg2img")) {
		print_message("SKIP: simg2img not installed (Debian android-sdk-libsparse-utils)\n");
		skip();
	}
	char *dir = test_mkdtemp();
	char *raw = tmp_file(dir, "in.raw"), *sp = tmp_file(dir, "ours.simg"), *back = tmp_file(dir, "back.raw");
	size_t len, blen;
	uint8_t *data = make_raw(&len);
	test_write_file(raw, data, len);
	assert_int_equal(unifw_sparse_write_file(raw, sp, NULL, NULL, NULL), 0);
	char cmd[2048];
	snprintf(cmd, sizeof cmd, "simg2img '%s' '%s' 2>&1", sp, back);
	assert_int_equal(test_run(cmd, NULL), 0);
	uint8_t *b = test_read_file(back, &blen);
	assert_int_equal(blen, 301 * BS);
	assert_memory_equal(b, data, len);
	free(b);
	free(data);
	free(raw);
	free(sp);
	free(back);
	test_rmtree(dir);
	free(dir);
}

static void oracle_img2simg_output_reads_back(void **state)
{
	(void)state;
	if (!have_tool("img2simg")) {
		print_message("SKIP: img2simg not installed (Debian android-sdk-libsparse-utils)\n");
		skip();
	}
	char *dir = test_mkdtemp();
	char *raw = tmp_file(dir, "in.raw"), *sp = tmp_file(dir, "aosp.simg");
	size_t len = 300 * BS, elen;
	size_t full;
	uint8_t *data = make_raw(&full);
	test_write_file(raw, data, len);
	char cmd[2048];
	snprintf(cmd, sizeof cmd, "img2simg '%s' '%s' 2>&1", raw, sp);
	assert_int_equal(test_run(cmd, NULL), 0);
	uint8_t *exp = expand_with_unifw(sp, &elen, dir);
	assert_int_equal(elen, len);
	assert_memory_equal(exp, data, len);
	/* Random access through the view agrees with the raw bytes. */
	struct unifw_stream s;
	struct unifw_sparse_view *v;
	struct unifw_error e;
	assert_int_equal(unifw_stream_open_file(&s, sp, &e), 0);
	assert_int_equal(unifw_sparse_view_open(&s, &v, &e), 0);
	assert_int_equal(unifw_sparse_view_size(v), len);
	uint8_t buf[3 * BS];
	for (int i = 0; i < 500; i++) {
		size_t n = rnd() % sizeof buf + 1;
		uint64_t off = rnd() % (len - n + 1);
		assert_int_equal(unifw_sparse_view_pread(v, buf, n, off, &e), 0);
		assert_memory_equal(buf, data + off, n);
	}
	assert_int_equal(unifw_sparse_view_pread(v, buf, 10, len - 5, &e), UNIFW_E_TRUNCATED);
	unifw_sparse_view_close(v);
	unifw_stream_close(&s);
	free(exp);
	free(data);
	free(raw);
	free(sp);
	test_rmtree(dir);
	free(dir);
}

static void stream_writer_matches_file_writer(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	char *sp = tmp_file(dir, "stream.simg");
	size_t len, elen;
	uint8_t *data = make_raw(&len);
	struct unifw_stream in;
	unifw_stream_from_mem(&in, data, len, "mem");
	int fd = open(sp, O_CREAT | O_RDWR | O_TRUNC, 0644);
	struct unifw_sparse_write_opts o = {.block_size = 1024};
	struct unifw_sparse_stats st;
	assert_int_equal(unifw_sparse_write_stream(&in, fd, &o, &st, NULL), 0);
	close(fd);
	unifw_stream_close(&in);
	uint8_t *exp = expand_with_unifw(sp, &elen, dir);
	assert_int_equal(elen, (len + 1023) / 1024 * 1024);
	assert_memory_equal(exp, data, len);
	o.block_size = 6; /* not a multiple of 4 */
	unifw_stream_from_mem(&in, data, len, "mem");
	fd = open(sp, O_CREAT | O_RDWR | O_TRUNC, 0644);
	assert_int_equal(unifw_sparse_write_stream(&in, fd, &o, &st, NULL), UNIFW_E_INVALID);
	close(fd);
	unifw_stream_close(&in);
	free(exp);
	free(data);
	free(sp);
	test_rmtree(dir);
	free(dir);
}

/* Our writer's output held in memory (via a temp file). */
static uint8_t *sparse_bytes(const uint8_t *raw, size_t rawlen, size_t *len)
{
	FILE *f = tmpfile();
	struct unifw_stream in;
	unifw_stream_from_mem(&in, raw, rawlen, "raw");
	assert_int_equal(unifw_sparse_write_stream(&in, fileno(f), NULL, NULL, NULL), 0);
	unifw_stream_close(&in);
	struct stat sb;
	fstat(fileno(f), &sb);
	uint8_t *b = malloc((size_t)sb.st_size + 16);
	assert_int_equal(pread(fileno(f), b, (size_t)sb.st_size, 0), sb.st_size);
	fclose(f);
	*len = (size_t)sb.st_size;
	return b;
}

static int walk_mem(const uint8_t *b, size_t len, bool verify, struct unifw_error *e)
{
	struct unifw_stream s;
	struct unifw_sparse_header h;
	struct unifw_sparse_sink sink = {.verify_crc = verify};
	unifw_stream_from_mem(&s, b, len, "mem.simg");
	int rc = unifw_sparse_walk(&s, &sink, &h, NULL, e);
	unifw_stream_close(&s);
	return rc;
}

static int view_mem(const uint8_t *b, size_t len, struct unifw_error *e)
{
	struct unifw_stream s;
	struct unifw_sparse_view *v = NULL;
	unifw_stream_from_mem(&s, b, len, "mem.simg");
	int rc = unifw_sparse_view_open(&s, &v, e);
	unifw_sparse_view_close(v);
	unifw_stream_close(&s);
	return rc;
}

static int describe_mem(const uint8_t *b, size_t len, bool seekable, struct unifw_error *e)
{
	struct unifw_stream s;
	struct unifw_jv *o = unifw_jv_object();
	unifw_stream_from_mem(&s, b, len, "mem.simg");
	if (!seekable)
		s.pread = NULL;
	int rc = unifw_sparse_describe(&s, o, e);
	unifw_stream_close(&s);
	unifw_jv_free(o);
	return rc;
}

/* Append a CRC32 chunk carrying the CRC of the whole expanded image. */
static void crc32_chunk_is_verified(void **state)
{
	(void)state;
	size_t rawlen, len;
	uint8_t *raw = make_raw(&rawlen);
	uint8_t *b = sparse_bytes(raw, rawlen, &len);
	uint8_t *padded = calloc(1, 301 * BS);
	memcpy(padded, raw, rawlen);
	uint32_t crc = (uint32_t)crc32(0, padded, 301 * BS);
	uint32_t chunks = 0;
	get_le32(b, len, 20, &chunks);
	put_le32(b + 20, chunks + 1);
	put_le16(b + len, UNIFW_SPARSE_CRC32);
	put_le16(b + len + 2, 0);
	put_le32(b + len + 4, 0);
	put_le32(b + len + 8, 16);
	put_le32(b + len + 12, crc);
	struct unifw_error e;
	assert_int_equal(walk_mem(b, len + 16, true, &e), 0);
	assert_int_equal(view_mem(b, len + 16, &e), 0);
	assert_int_equal(describe_mem(b, len + 16, true, &e), 0);
	put_le32(b + len + 12, crc ^ 1);
	assert_int_equal(describe_mem(b, len + 16, true, &e), UNIFW_E_FORMAT);
	assert_int_equal(e.offset, len + 12);
	assert_int_equal(describe_mem(b, len + 16, false, &e), UNIFW_E_FORMAT);
	assert_int_equal(walk_mem(b, len + 16, false, &e), 0); /* not verified: passes */
	assert_int_equal(walk_mem(b, len + 16, true, &e), UNIFW_E_FORMAT);
	assert_int_equal(e.offset, len + 12);
	assert_non_null(strstr(e.msg, "CRC32"));
	free(padded);
	free(raw);
	free(b);
}

/* The header's image_checksum, when nonzero, is the CRC-32 of the whole expanded image: checked. */
static void header_image_checksum_is_verified(void **state)
{
	(void)state;
	size_t rawlen, len;
	uint8_t *raw = make_raw(&rawlen);
	uint8_t *b = sparse_bytes(raw, rawlen, &len);
	uint8_t *padded = calloc(1, 301 * BS);
	memcpy(padded, raw, rawlen);
	uint32_t crc = (uint32_t)crc32(0, padded, 301 * BS);
	struct unifw_error e;
	put_le32(b + 24, crc);
	assert_int_equal(walk_mem(b, len, true, &e), 0);
	assert_int_equal(describe_mem(b, len, true, &e), 0);
	assert_int_equal(describe_mem(b, len, false, &e), 0);
	put_le32(b + 24, crc ^ 0x100);
	assert_int_equal(walk_mem(b, len, false, &e), 0); /* not verified: passes */
	assert_int_equal(walk_mem(b, len, true, &e), UNIFW_E_FORMAT);
	assert_int_equal(e.offset, 24);
	assert_non_null(strstr(e.msg, "image checksum"));
	/* a describe verifies an image that carries checksums (seekable or not): it is a broken sparse image */
	for (int seekable = 0; seekable < 2; seekable++) {
		assert_int_equal(describe_mem(b, len, seekable, &e), UNIFW_E_FORMAT);
		assert_int_equal(e.offset, 24);
		assert_non_null(strstr(e.msg, "broken sparse image"));
	}
	/* to-raw verifies it too and leaves no output */
	char *dir = test_mkdtemp(), *in = tmp_file(dir, "bad.simg"), *out = tmp_file(dir, "bad.raw");
	test_write_file(in, b, len);
	struct unifw_stream s;
	assert_int_equal(unifw_stream_open_file(&s, in, &e), 0);
	assert_int_equal(unifw_sparse_expand_file(&s, out, &e), UNIFW_E_FORMAT);
	unifw_stream_close(&s);
	assert_int_not_equal(access(out, F_OK), 0);
	test_rmtree(dir);
	free(dir);
	free(in);
	free(out);
	free(padded);
	free(raw);
	free(b);
}

/* The magic claims the file: a broken header is a broken sparse image (the describe says where), so that
 * detection never calls it something else and a flash never writes it raw. */
static void sparse_magic_with_broken_header_is_a_broken_sparse_image(void **state)
{
	(void)state;
	size_t rawlen, len;
	uint8_t *raw = make_raw(&rawlen);
	uint8_t *b = sparse_bytes(raw, rawlen, &len);
	struct { size_t off; uint32_t val; int width; uint64_t err_off; const char *what; } cases[] = {
		{12, 4098, 4, 12, "block size"},        /* blk_sz not a multiple of 4 */
		{8, 20, 2, 8, "file header size"},      /* header smaller than 28 bytes */
		{10, 8, 2, 10, "chunk header size"},
		{16, 300, 4, UNIFW_NO_OFFSET, "blocks"}, /* chunks cover more blocks than the header says */
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		uint8_t *c = malloc(len);
		memcpy(c, b, len);
		if (cases[i].width == 2)
			put_le16(c + cases[i].off, (uint16_t)cases[i].val);
		else
			put_le32(c + cases[i].off, cases[i].val);
		assert_true(unifw_sparse_probe(c, len, len));
		struct unifw_stream s;
		struct unifw_error e;
		struct unifw_jv *o = unifw_jv_object();
		unifw_stream_from_mem(&s, c, len, "broken.simg");
		assert_int_not_equal(unifw_sparse_describe(&s, o, &e), 0);
		unifw_stream_close(&s);
		assert_non_null(strstr(e.msg, "broken sparse image"));
		assert_non_null(strstr(e.msg, cases[i].what));
		if (cases[i].err_off != UNIFW_NO_OFFSET)
			assert_int_equal(e.offset, cases[i].err_off);
		assert_string_equal(e.where, "broken.simg");
		unifw_jv_free(o);
		free(c);
	}
	/* Without the magic it is not sparse. */
	b[0] ^= 0xFF;
	assert_false(unifw_sparse_probe(b, len, len));
	free(raw);
	free(b);
}

static void hostile_headers_and_chunks_name_offsets(void **state)
{
	(void)state;
	size_t rawlen, len;
	uint8_t *raw = make_raw(&rawlen);
	uint8_t *good = sparse_bytes(raw, rawlen, &len);
	uint8_t *b = malloc(len);
	struct unifw_error e;
	struct { size_t off; uint32_t val; int width; int code; uint64_t err_off; } cases[] = {
		{0, 0x12345678, 4, UNIFW_E_FORMAT, 0},              /* magic */
		{4, 2, 2, UNIFW_E_UNSUPPORTED, 4},                  /* major version */
		{8, 20, 2, UNIFW_E_FORMAT, 8},                      /* file header size < 28 */
		{10, 8, 2, UNIFW_E_FORMAT, 10},                     /* chunk header size < 12 */
		{12, 4098, 4, UNIFW_E_FORMAT, 12},                  /* block size not a multiple of 4 */
		{12, 0, 4, UNIFW_E_FORMAT, 12},
		{28, 0xBEEF, 2, UNIFW_E_FORMAT, 28},                /* unknown chunk type */
		{36, 7, 4, UNIFW_E_FORMAT, 36},                     /* chunk total size lies */
		{16, 10, 4, UNIFW_E_FORMAT, 32},                    /* first chunk runs past total blocks */
		{16, 5000, 4, UNIFW_E_FORMAT, 0},                   /* chunks cover fewer blocks than header */
		{20, 0x00FFFFFF, 4, UNIFW_E_TRUNCATED, 0},          /* more chunks than the file holds */
	};
	for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
		memcpy(b, good, len);
		if (cases[i].width == 2)
			put_le16(b + cases[i].off, (uint16_t)cases[i].val);
		else
			put_le32(b + cases[i].off, cases[i].val);
		int rc = walk_mem(b, len, true, &e);
		if (rc != cases[i].code)
			fail_msg("case %zu: expected %d, got %d (%s)", i, cases[i].code, rc, e.msg);
		if (cases[i].err_off)
			assert_int_equal(e.offset, cases[i].err_off);
		assert_string_equal(e.where, "mem.simg");
		assert_int_not_equal(view_mem(b, len, &e), 0);
	}
	/* Expanded size beyond any eMMC: 2^32-1 blocks of 16 MiB. */
	memcpy(b, good, len);
	put_le32(b + 12, 16u << 20);
	put_le32(b + 16, 0xFFFFFFFF);
	assert_int_equal(walk_mem(b, len, true, &e), UNIFW_E_TOO_BIG);
	assert_int_equal(e.offset, 16);
	/* Truncated inside RAW data: both readers fail, naming where the input ended. */
	assert_int_equal(walk_mem(good, len - 100, true, &e), UNIFW_E_TRUNCATED);
	assert_int_equal(e.offset, len - 100);
	assert_int_equal(view_mem(good, len - 100, &e), UNIFW_E_TRUNCATED);
	assert_int_equal(walk_mem(good, 20, true, &e), UNIFW_E_TRUNCATED);
	/* A file cut inside the header still has the magic: a broken sparse image, not some other type. */
	assert_true(unifw_sparse_probe(good, 20, 20));
	assert_false(unifw_sparse_probe(good, 3, 3));
	assert_true(unifw_sparse_probe(good, len, len));
	free(b);
	free(good);
	free(raw);
}

static bool make_ext4_image(const char *dir, const char *img)
{
	char cmd[4096];
	snprintf(cmd, sizeof cmd,
		 "mkdir -p '%s/root/app' && printf 'ro.product.model=Unifw Test\\nro.build.id=JDQ39\\n' > '%s/root/build.prop'"
		 " && mke2fs -q -F -t ext4 -b 4096 -L system -d '%s/root' '%s' 8M >/dev/null 2>&1",
		 dir, dir, dir, img);
	return test_run(cmd, NULL) == 0;
}

static void describe_sparse_ext4_reports_inner(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	char *img = tmp_file(dir, "system.raw"), *sp = tmp_file(dir, "system.simg");
	if (!make_ext4_image(dir, img)) {
		print_message("SKIP: mke2fs -d not available\n");
		test_rmtree(dir);
		skip();
	}
	assert_int_equal(unifw_sparse_write_file(img, sp, NULL, NULL, NULL), 0);
	struct unifw_stream s;
	struct unifw_error e;
	struct unifw_jv *o = unifw_jv_object();
	assert_int_equal(unifw_stream_open_file(&s, sp, &e), 0);
	assert_int_equal(unifw_sparse_describe(&s, o, &e), 0);
	unifw_stream_close(&s);
	assert_string_equal(unifw_jv_key_at(o, 0), "type");
	assert_string_equal(unifw_jv_str(unifw_jv_get(o, "type")), "sparse");
	assert_int_equal(unifw_jv_u64(unifw_jv_get(o, "expanded_size")), 8u << 20);
	assert_int_equal(unifw_jv_u64(unifw_jv_get(o, "block_size")), 4096);
	assert_true(unifw_jv_u64(unifw_jv_path(o, "chunks.raw")) > 0);
	assert_string_equal(unifw_jv_str(unifw_jv_path(o, "inner.type")), "ext4");
	assert_string_equal(unifw_jv_str(unifw_jv_path(o, "inner.label")), "system");
	struct unifw_jv *bp = unifw_jv_path(o, "inner.build_prop");
	assert_non_null(bp);
	assert_string_equal(unifw_jv_str(unifw_jv_get(bp, "ro.product.model")), "Unifw Test");
	assert_string_equal(unifw_jv_str(unifw_jv_get(bp, "ro.build.id")), "JDQ39");
	unifw_jv_free(o);
	/* Non-seekable input: walk the stream, superblock-only inner describe. */
	size_t len;
	uint8_t *b = test_read_file(sp, &len);
	unifw_stream_from_mem(&s, b, len, "member");
	s.pread = NULL;
	s.size = UNIFW_SIZE_UNKNOWN;
	o = unifw_jv_object();
	assert_int_equal(unifw_sparse_describe(&s, o, &e), 0);
	unifw_stream_close(&s);
	assert_string_equal(unifw_jv_str(unifw_jv_path(o, "inner.type")), "ext4");
	assert_true(unifw_jv_truthy(unifw_jv_path(o, "inner.partial")));
	assert_string_equal(unifw_jv_str(unifw_jv_path(o, "inner.label")), "system");
	unifw_jv_free(o);
	free(b);
	free(img);
	free(sp);
	test_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(writer_round_trip_pads_last_block),
		cmocka_unit_test(holes_become_dont_care),
		cmocka_unit_test(oracle_simg2img_reads_our_sparse),
		cmocka_unit_test(oracle_img2simg_output_reads_back),
		cmocka_unit_test(stream_writer_matches_file_writer),
		cmocka_unit_test(crc32_chunk_is_verified),
		cmocka_unit_test(header_image_checksum_is_verified),
		cmocka_unit_test(sparse_magic_with_broken_header_is_a_broken_sparse_image),
		cmocka_unit_test(hostile_headers_and_chunks_name_offsets),
		cmocka_unit_test(describe_sparse_ext4_reports_inner),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
