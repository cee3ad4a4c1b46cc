/* libFuzzer: the flash job's parsers of untrusted bytes: the journal (JSON from the state folder), sparse
 * images cut into ranges (chunk headers as a hostile package carries them) and the bytes handed out for
 * each range, and the EMMC_BOOT wrapper of a preloader (its result must read back as a boot-region dump). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_driver.h"
#include "ops/flash_internal.h"
#include "unifw/flash.h"
#include "unifw/io.h"
#include "unifw/preloader.h"

static void journal(const uint8_t *d, size_t n)
{
	struct unifw_flash_journal j;
	struct unifw_error e;
	if (unifw_flash_journal_parse((const char *)d, n, "fuzz", &j, &e) == 0) {
		for (size_t i = 0; i < j.part_count; i++)
			if (j.parts[i].verified > j.parts[i].written || j.parts[i].written > j.parts[i].ranges)
				abort(); /* the loader promises verified <= written <= ranges */
		unifw_flash_journal_free(&j);
	}
}

static void sparse_ranges(const uint8_t *d, size_t n)
{
	struct unifw_stream s;
	struct flash_ranges rs;
	struct unifw_error e;
	const uint64_t max = 4096;
	unifw_stream_from_mem(&s, d, n, "fuzz");
	if (flash_ranges_sparse(&s, max, &rs, &e) == 0) {
		uint64_t wire = 0;
		for (size_t i = 0; i < rs.count; i++) {
			const struct flash_range *r = &rs.ranges[i];
			if (r->len > max || r->off % 512 || r->first + r->count > rs.piece_count)
				abort();
			wire += r->len;
		}
		if (wire != rs.wire_bytes)
			abort();
		/* hand out the bytes of the first ranges in odd pieces; RAW data beyond the input is an error */
		struct unifw_stream img;
		uint8_t buf[1000];
		unifw_stream_from_mem(&img, d, n, "fuzz");
		for (size_t i = 0; i < rs.count && i < 64; i++) {
			struct flash_source src = {.rs = &rs, .range = &rs.ranges[i], .img = &img, .piece = rs.ranges[i].first};
			for (uint64_t done = 0; done < rs.ranges[i].len;) {
				size_t k = rs.ranges[i].len - done < sizeof buf ? (size_t)(rs.ranges[i].len - done) : sizeof buf;
				if (flash_source_fill(&src, buf, k, done, &e))
					break;
				done += k;
			}
		}
		unifw_stream_close(&img);
		flash_ranges_free(&rs);
	}
	unifw_stream_close(&s);
}

static void wrap(const uint8_t *d, size_t n)
{
	uint8_t *out;
	size_t len;
	struct unifw_error e;
	if (unifw_flash_wrap_preloader(d, n, "fuzz", &out, &len, &e) == 0) {
		static struct unifw_preloader pl;
		if (unifw_preloader_parse(out, len, "wrapped", &pl, &e) == 0 && pl.container != UNIFW_PRELOADER_EMMC_BOOT)
			abort();
		free(out);
	}
}

static void fuzz_one(const uint8_t *d, size_t n)
{
	journal(d, n);
	sparse_ranges(d, n);
	wrap(d, n);
}

const struct fuzz_target fuzz_target = { .name = "flash", .run = fuzz_one };
