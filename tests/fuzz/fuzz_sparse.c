/* libFuzzer: sparse streaming walk (CRC verified), random-access view reads, describe, and a
 * raw -> sparse -> raw round trip of the input bytes through our writer. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fuzz_driver.h"
#include "unifw/io.h"
#include "unifw/json.h"
#include "unifw/sparse.h"

static void view_reads(const uint8_t *d, size_t n)
{
	struct unifw_stream s;
	struct unifw_sparse_view *v;
	unifw_stream_from_mem(&s, d, n, "fuzz");
	if (unifw_sparse_view_open(&s, &v, NULL) == 0) {
		uint8_t buf[8192];
		uint64_t size = unifw_sparse_view_size(v);
		for (int i = 0; i < 8 && size; i++) {
			uint64_t off = (size / 8) * (uint64_t)i;
			size_t len = size - off < sizeof buf ? (size_t)(size - off) : sizeof buf;
			(void)unifw_sparse_view_pread(v, buf, len, off, NULL);
		}
		unifw_sparse_view_close(v);
	}
	unifw_stream_close(&s);
}

/* The fuzz input as a raw image: write it sparse, expand it, compare. */
static void writer_round_trip(const uint8_t *d, size_t n)
{
	int sp = memfd_create("sparse", 0), raw = memfd_create("raw", 0);
	struct unifw_stream in;
	struct unifw_sparse_write_opts o = {.block_size = 64};
	unifw_stream_from_mem(&in, d, n, "raw");
	if (unifw_sparse_write_stream(&in, sp, &o, NULL, NULL) != 0)
		abort();
	unifw_stream_close(&in);
	off_t len = lseek(sp, 0, SEEK_END);
	uint8_t *img = malloc((size_t)len);
	if (pread(sp, img, (size_t)len, 0) != len)
		abort();
	unifw_stream_from_mem(&in, img, (size_t)len, "sparse");
	if (unifw_sparse_expand_fd(&in, raw, NULL, NULL) != 0)
		abort();
	unifw_stream_close(&in);
	uint8_t *back = malloc(n + 64);
	ssize_t got = pread(raw, back, n + 64, 0);
	if (got != (ssize_t)((n + 63) / 64 * 64) || memcmp(back, d, n))
		abort();
	free(back);
	free(img);
	close(sp);
	close(raw);
}

static void fuzz_one(const uint8_t *d, size_t n)
{
	struct unifw_stream s;
	struct unifw_sparse_header h;
	struct unifw_sparse_sink sink = {.verify_crc = true};
	(void)unifw_sparse_probe(d, n, n);
	unifw_stream_from_mem(&s, d, n, "fuzz");
	(void)unifw_sparse_walk(&s, &sink, &h, NULL, NULL);
	unifw_stream_close(&s);
	view_reads(d, n);
	unifw_stream_from_mem(&s, d, n, "fuzz");
	struct unifw_jv *o = unifw_jv_object();
	(void)unifw_sparse_describe(&s, o, NULL);
	unifw_jv_free(o);
	unifw_stream_close(&s);
	writer_round_trip(d, n);
}

const struct fuzz_target fuzz_target = { .name = "sparse", .run = fuzz_one };
