/* unifw flash without a phone, the executing half: sparse images cut into ranges without expanding
 * DONT_CARE, the executor against an in-memory phone (bit-exact result, cuts at ten points each resumed,
 * a lying eMMC caught by the read-back, nothing sent for a refused plan or bad options) and the journal
 * (round trip, damage, another phone, another package). Fixture: flash_fixture.c. */
#include "flash_fixture.h"

/* ---------------------------------------------------------------- sparse ranges */

struct chunk_log {
	uint64_t raw, fill, dont_care;
	uint64_t dc_off[4096], dc_len[4096];
	size_t dc_count;
};

static int log_chunk(void *ctx, const struct unifw_sparse_chunk *c, struct unifw_error *err)
{
	struct chunk_log *l = ctx;
	(void)err;
	if (c->type == UNIFW_SPARSE_RAW)
		l->raw += c->out_size;
	else if (c->type == UNIFW_SPARSE_FILL)
		l->fill += c->out_size;
	else if (c->type == UNIFW_SPARSE_DONT_CARE && l->dc_count < 4096) {
		l->dont_care += c->out_size;
		l->dc_off[l->dc_count] = c->out_offset;
		l->dc_len[l->dc_count++] = c->out_size;
	}
	return 0;
}

/* A stream that only reads forward, like an archive member. */
struct fwd {
	struct unifw_stream *inner;
};
static ssize_t fwd_read(void *ctx, void *buf, size_t len, struct unifw_error *err)
{
	struct fwd *f = ctx;
	return f->inner->read(f->inner->ctx, buf, len, err);
}

static void sparse_chunks_stream_without_expanding_dont_care(void **state)
{
	(void)state;
	struct fixture fx;
	char path[4096], raw_path[4096];
	struct unifw_stream s, s2;
	struct unifw_error e;
	struct flash_ranges rs;
	static struct chunk_log log;
	fixture_open(&fx, LAYOUT, NPARTS);
	path_in(path, sizeof path, fx.pkg_path, "system.img");
	snprintf(raw_path, sizeof raw_path, "%s/system.img.raw", fx.root);

	assert_int_equal(unifw_stream_open_file(&s, path, &e), 0);
	struct unifw_sparse_sink sink = {.chunk = log_chunk, .ctx = &log};
	struct unifw_sparse_header h;
	assert_int_equal(unifw_sparse_walk(&s, &sink, &h, NULL, &e), 0);
	unifw_stream_close(&s);
	assert_true(log.fill > 0);
	assert_true(log.dont_care >= (1u << 20)); /* the holes and the zero run */

	assert_int_equal(unifw_stream_open_file(&s, path, &e), 0);
	assert_int_equal(flash_ranges_sparse(&s, RANGE, &rs, &e), 0);
	unifw_stream_close(&s);
	assert_int_equal(rs.wire_bytes, log.raw + log.fill);
	assert_int_equal(rs.skipped_bytes, log.dont_care);
	assert_int_equal(rs.extent, 6u << 20);
	size_t fills = 0;
	for (size_t i = 0; i < rs.piece_count; i++)
		fills += rs.pieces[i].kind == FLASH_PIECE_FILL;
	assert_true(fills > 0);
	for (size_t i = 0; i < rs.count; i++) {
		const struct flash_range *r = &rs.ranges[i];
		assert_true(r->len <= RANGE);
		assert_int_equal(r->off % 512, 0);
		for (size_t k = 0; k < log.dc_count; k++) /* no range touches a DONT_CARE run */
			assert_true(r->off + r->len <= log.dc_off[k] || r->off >= log.dc_off[k] + log.dc_len[k]);
	}

	/* the bytes handed out equal the raw image; once with pread, once forward-only, in odd pieces */
	size_t raw_len;
	uint8_t *raw = test_read_file(raw_path, &raw_len);
	assert_non_null(raw);
	for (int pass = 0; pass < 2; pass++) {
		struct fwd fw;
		assert_int_equal(unifw_stream_open_file(&s, path, &e), 0);
		struct unifw_stream *img = &s;
		if (pass == 1) {
			fw.inner = &s;
			memset(&s2, 0, sizeof s2);
			s2.read = fwd_read;
			s2.ctx = &fw;
			s2.size = s.size;
			img = &s2;
		}
		uint8_t buf[7777];
		for (size_t i = 0; i < rs.count; i++) {
			const struct flash_range *r = &rs.ranges[i];
			/* the kept copy (what a verified flash compares the read-back with) is the range's bytes;
			 * one spare byte past the range must stay untouched */
			uint8_t *copy = malloc((size_t)r->len + 1);
			assert_non_null(copy);
			copy[r->len] = 0xA5;
			struct flash_source src = {.rs = &rs, .range = r, .img = img, .piece = r->first, .copy = copy};
			for (uint64_t done = 0; done < r->len;) {
				size_t n = r->len - done < sizeof buf ? (size_t)(r->len - done) : sizeof buf;
				assert_int_equal(flash_source_fill(&src, buf, n, done, &e), 0);
				assert_memory_equal(buf, raw + r->off + done, n);
				done += n;
			}
			assert_memory_equal(copy, raw + r->off, (size_t)r->len);
			assert_int_equal(copy[r->len], 0xA5);
			free(copy);
		}
		unifw_stream_close(&s);
	}
	free(raw);
	flash_ranges_free(&rs);

	/* raw images cut on the range size; a zero-length image has no range */
	assert_int_equal(flash_ranges_raw(3 * RANGE + 100, RANGE, &rs, &e), 0);
	assert_int_equal(rs.count, 4);
	assert_int_equal(rs.ranges[3].len, 100);
	flash_ranges_free(&rs);
	assert_int_equal(flash_ranges_raw(0, RANGE, &rs, &e), 0);
	assert_int_equal(rs.count, 0);
	flash_ranges_free(&rs);
	assert_int_equal(flash_ranges_raw(10, 1000, &rs, &e), UNIFW_E_INVALID);
	fixture_close(&fx);
}

/* A sparse image whose checksums do not match its data (damaged after the plan was made) never becomes
 * ranges: the walk that cuts it verifies CRC32 chunks and the header checksum, before any write. */
static void sparse_ranges_verify_checksums(void **state)
{
	(void)state;
	struct fixture fx;
	char path[4096], raw_path[4096];
	struct unifw_stream s;
	struct unifw_error e;
	struct flash_ranges rs;
	fixture_open(&fx, LAYOUT, NPARTS);
	path_in(path, sizeof path, fx.pkg_path, "system.img");
	snprintf(raw_path, sizeof raw_path, "%s/system.img.raw", fx.root);
	size_t len, raw_len;
	uint8_t *b = test_read_file(path, &len), *raw = test_read_file(raw_path, &raw_len);
	uint32_t bs = 0, blocks = 0;
	get_le32(b, len, 12, &bs);
	get_le32(b, len, 16, &blocks);
	uint64_t size = (uint64_t)bs * blocks;
	uint8_t *padded = calloc(1, (size_t)size);
	memcpy(padded, raw, raw_len < size ? raw_len : (size_t)size);
	uint32_t crc = (uint32_t)crc32(0, padded, (uInt)size);
	for (int good = 1; good >= 0; good--) {
		put_le32(b + 24, good ? crc : crc ^ 0x80);
		unifw_stream_from_mem(&s, b, len, "system.img");
		int rc = flash_ranges_sparse(&s, RANGE, &rs, &e);
		unifw_stream_close(&s);
		if (good) {
			assert_int_equal(rc, 0);
			flash_ranges_free(&rs);
		} else {
			assert_int_equal(rc, UNIFW_E_FORMAT);
			assert_int_equal(e.offset, 24);
			assert_non_null(strstr(e.msg, "image checksum"));
			assert_int_equal(rs.count, 0);
		}
	}
	free(padded);
	free(raw);
	free(b);
	fixture_close(&fx);
}


static void execute_writes_every_image_bit_exact(void **state)
{
	struct exec_case *c = *state;
	struct unifw_flash_plan_opts o = {.verify = true, .with_preloader = true, .range_size = RANGE};
	struct seen seen = {0};
	struct unifw_progress prog = {s_begin, s_update, s_end, s_note, &seen};
	plan_ok(c->fx.pkg, &c->f, &o, &c->plan);
	assert_int_equal(c->plan.refusals, 0);
	c->job.o.progress = &prog;
	if (unifw_flash_execute(&c->dev, &c->plan, &c->job.o, &c->res, &c->e))
		fail_msg("execute: %s", c->e.msg);
	expected_phone(&c->plan, c->boot1, c->user);
	assert_phone_is(&c->m, c->boot1, c->user);
	/* the preloader landed in its EMMC_BOOT form, the identity partitions were not touched */
	assert_memory_equal(c->m.boot1, "EMMC_BOOT", 9);
	assert_int_equal(c->m.user[0xE00000 - BOOT_REGION], ERASED);
	/* the identity backup came first, once, into a fresh folder under backup_dir */
	assert_int_equal(c->m.backups, 1);
	assert_true(c->m.backup_call < c->m.first_write_call);
	assert_non_null(strstr(c->m.last_backup, c->job.backups));
	assert_string_equal(c->res.identity_backup, c->m.last_backup);
	/* DONT_CARE never went over the wire: what was sent is exactly RAW + FILL */
	assert_int_equal(c->res.bytes_sent, c->m.written);
	assert_true(c->res.bytes_skipped >= (2u << 20));
	assert_int_equal(c->res.bytes_sent + c->res.bytes_skipped, c->plan.write_bytes);
	assert_int_equal(c->res.bytes_verified, c->res.bytes_sent);
	assert_int_equal(c->res.partitions_written, 7);
	assert_false(c->res.verify_failed);
	/* progress: one bar per partition, never past its total */
	assert_int_equal(seen.begins, 7);
	assert_int_equal(seen.ends, 7);
	assert_false(seen.done_beyond_total);
	assert_true(seen.notes >= 1);
	/* the journal says done, and a resume of it is refused */
	struct unifw_flash_journal j;
	assert_int_equal(unifw_flash_journal_load(c->job.journal, &j, &c->e), 0);
	assert_string_equal(j.state, "done");
	assert_int_equal(j.part_count, 7);
	for (size_t i = 0; i < j.part_count; i++) {
		assert_int_equal(j.parts[i].written, j.parts[i].ranges);
		assert_int_equal(j.parts[i].verified, j.parts[i].ranges);
	}
	assert_int_equal(unifw_flash_journal_check(&j, &c->plan, &c->e), UNIFW_E_INVALID);
	assert_non_null(strstr(c->e.msg, "nothing to resume"));
	unifw_flash_journal_free(&j);
}

/* A wiped phone: the backup job finds no table; the identity partitions are read where the package puts
 * them (their bytes may well still be there) before the first write. */
static void execute_backs_up_identity_by_scatter_on_a_phone_without_tables(void **state)
{
	struct exec_case *c = *state;
	struct unifw_flash_plan_opts o = {.verify = true, .range_size = RANGE};
	memset(&c->f, 0, sizeof c->f);
	memcpy(c->f.cid, A516_CID, 16);
	c->f.boot1_size = BOOT1_SIZE;
	c->f.user_size = USER_SIZE;
	plan_ok(c->fx.pkg, &c->f, &o, &c->plan);
	c->m.no_table = true;
	fill_random(c->m.user + (0xE00000 - BOOT_REGION), 0x100000, 5); /* NVRAM bytes left behind */
	if (unifw_flash_execute(&c->dev, &c->plan, &c->job.o, &c->res, &c->e))
		fail_msg("execute: %s", c->e.msg);
	static const struct {
		const char *file;
		uint64_t linear;
	} want[] = {{"pro_info.bin", 0xD00000}, {"nvram.bin", 0xE00000}, {"protect_f.bin", 0xF00000},
		    {"protect_s.bin", 0x1000000}};
	uint8_t *nv = malloc(0x100000);
	fill_random(nv, 0x100000, 5);
	for (size_t i = 0; i < sizeof want / sizeof *want; i++) {
		char path[8192];
		size_t len;
		snprintf(path, sizeof path, "%s/%s", c->res.identity_backup, want[i].file);
		uint8_t *b = test_read_file(path, &len);
		if (!b)
			fail_msg("no %s in the identity backup", want[i].file);
		assert_int_equal(len, 0x100000);
		if (!strcmp(want[i].file, "nvram.bin"))
			assert_memory_equal(b, nv, len); /* read before ... */
		free(b);
	}
	char path[8192];
	size_t len;
	snprintf(path, sizeof path, "%s/identity-by-scatter.json", c->res.identity_backup);
	char *manifest = (char *)test_read_file(path, &len);
	assert_non_null(manifest);
	assert_non_null(strstr(manifest, "\"name\": \"NVRAM\""));
	assert_non_null(strstr(manifest, "\"offset\": \"0x200000\""));
	free(manifest);
	assert_true(c->m.first_write_call > 0); /* ... the flash went on */
	assert_int_equal(c->res.partitions_written, 7); /* six images and a PMT, the phone had none */
	const struct unifw_flash_entry *pe = entry(&c->plan, "PMT");
	assert_int_equal(pe->action, UNIFW_FLASH_WRITE);
	assert_int_equal(pe->offset, USER_SIZE - 0x100000);
	assert_int_equal(&c->plan.entries[c->plan.count - 1], pe); /* written last */
	struct unifw_pmt back;
	assert_int_equal(unifw_pmt_parse(c->m.user + pe->offset, 0x2000, "PMT", &back, &c->e), 0);
	assert_true(back.has_mirror && back.mirror_matches);
	assert_int_equal(back.count, NPARTS);
	assert_string_equal(back.entry[9].name, "ANDROID");
	assert_int_equal(back.entry[9].offset, 0x1380000);
	assert_int_equal(back.entry[9].size, 0x800000);
	expected_phone(&c->plan, c->boot1, c->user);
	memcpy(c->user + (0xE00000 - BOOT_REGION), nv, 0x100000); /* the phone's own NVRAM stays */
	assert_phone_is(&c->m, c->boot1, c->user);
	free(nv);
}

/* The by-scatter identity backup reads every partition twice: an error the READ checksum lets through
 * (two bytes that cancel in a 16-bit sum) in the first read of NVRAM stops the job before any write. */
static void execute_stops_when_an_identity_reread_differs(void **state)
{
	struct exec_case *c = *state;
	struct unifw_flash_plan_opts o = {.verify = true, .range_size = RANGE};
	memset(&c->f, 0, sizeof c->f);
	memcpy(c->f.cid, A516_CID, 16);
	c->f.boot1_size = BOOT1_SIZE;
	c->f.user_size = USER_SIZE;
	plan_ok(c->fx.pkg, &c->f, &o, &c->plan);
	c->m.no_table = true;
	uint64_t nv = 0xE00000 - BOOT_REGION, bad = nv + 0x1234;
	fill_random(c->m.user + nv, 0x100000, 5);
	c->m.user[bad] = 0x10;
	c->m.user[bad + 1] = 0x20;
	c->m.twin_armed = true;
	c->m.twin_off = bad;
	assert_int_equal(unifw_flash_execute(&c->dev, &c->plan, &c->job.o, &c->res, &c->e), UNIFW_E_DEVICE);
	assert_false(c->m.twin_armed); /* the fault did happen */
	assert_string_equal(c->res.failed_step, "backup");
	assert_int_equal(c->m.writes, 0);
	assert_false(c->res.wrote_anything);
	assert_non_null(strstr(c->e.msg, "identity backup (nothing written yet)"));
	assert_non_null(strstr(c->e.msg, "NVRAM"));
	char want[128];
	snprintf(want, sizeof want, "differs from the first at user area offset 0x%llx (byte 0x1234 of NVRAM: first read "
		 "0x11, second 0x10)", (unsigned long long)bad);
	if (!strstr(c->e.msg, want))
		fail_msg("\"%s\" lacks \"%s\"", c->e.msg, want);
	/* without the fault the same backup passes and the flash goes on */
	assert_int_equal(unifw_flash_execute(&c->dev, &c->plan, &c->job.o, &c->res, &c->e), 0);
	assert_true(c->m.writes > 0);
}

/* Resume: load the journal, plan again from the same package and phone, check, continue. */
static void resume(struct fixture *fx, const struct unifw_flash_facts *f, const struct unifw_flash_plan_opts *o,
		   struct unifw_flash_device *dev, struct job *job, struct unifw_flash_result *res)
{
	struct unifw_flash_journal j;
	struct unifw_flash_plan plan;
	struct unifw_error e;
	if (unifw_flash_journal_load(job->journal, &j, &e))
		fail_msg("journal: %s", e.msg);
	assert_string_equal(j.state, "interrupted");
	assert_true(j.last_error[0] != 0);
	struct unifw_flash_plan_opts jo = j.opts; /* options come from the journal */
	assert_int_equal(jo.verify, o->verify);
	plan_ok(fx->pkg, f, &jo, &plan);
	if (unifw_flash_journal_check(&j, &plan, &e))
		fail_msg("check: %s", e.msg);
	job->o.resume = &j;
	if (unifw_flash_execute(dev, &plan, &job->o, res, &e))
		fail_msg("resume: %s", e.msg);
	job->o.resume = NULL;
	unifw_flash_journal_free(&j);
	unifw_flash_plan_free(&plan);
}

static void execute_resumes_after_cuts_at_ten_points(void **state)
{
	struct exec_case *c = *state;
	struct unifw_flash_plan_opts o = {.verify = true, .with_preloader = true, .range_size = RANGE};
	plan_ok(c->fx.pkg, &c->f, &o, &c->plan);
	expected_phone(&c->plan, c->boot1, c->user);

	/* total bytes a clean run sends */
	assert_int_equal(unifw_flash_execute(&c->dev, &c->plan, &c->job.o, &c->res, &c->e), 0);
	uint64_t total = c->m.written;
	mp_free(&c->m);

	for (unsigned k = 1; k <= 10; k++) {
		uint64_t cut = total * k / 11 + k * 4099; /* not on a packet or range boundary */
		mp_init(&c->m, &c->dev);
		c->m.cut_at = cut;
		assert_int_equal(unifw_flash_execute(&c->dev, &c->plan, &c->job.o, &c->res, &c->e), UNIFW_E_IO);
		assert_string_equal(c->res.failed_step, "write");
		assert_true(c->res.failed_partition[0] != 0);
		assert_non_null(strstr(c->e.msg, "the link dropped"));
		assert_non_null(strstr(c->e.msg, c->res.failed_partition)); /* the error names the partition */
		assert_int_equal(c->m.backups, 1);
		uint64_t first = c->m.written;
		c->m.written = 0;
		resume(&c->fx, &c->f, &o, &c->dev, &c->job, &c->res);
		assert_phone_is(&c->m, c->boot1, c->user);
		assert_int_equal(c->m.backups, 1); /* not again on resume */
		/* the resume did not start over: at most one journal step is sent twice */
		assert_true(c->m.written + first <= total + UNIFW_FLASH_JOURNAL_EVERY + RANGE);
		assert_true(c->res.ranges_resumed > 0 || first < UNIFW_FLASH_JOURNAL_EVERY);
		mp_free(&c->m);
	}

	/* a cut while reading back */
	mp_init(&c->m, &c->dev);
	c->m.read_cut_at = total / 2;
	assert_int_equal(unifw_flash_execute(&c->dev, &c->plan, &c->job.o, &c->res, &c->e), UNIFW_E_TIMEOUT);
	assert_string_equal(c->res.failed_step, "verify");
	assert_non_null(strstr(c->e.msg, "verify "));
	resume(&c->fx, &c->f, &o, &c->dev, &c->job, &c->res);
	assert_phone_is(&c->m, c->boot1, c->user);
	mp_free(&c->m);

	/* a cut during the identity backup: nothing written, the resume backs up and flashes */
	mp_init(&c->m, &c->dev);
	c->m.fail_backup = true;
	assert_int_equal(unifw_flash_execute(&c->dev, &c->plan, &c->job.o, &c->res, &c->e), UNIFW_E_IO);
	assert_string_equal(c->res.failed_step, "backup");
	assert_non_null(strstr(c->e.msg, "identity backup (nothing written yet)"));
	assert_int_equal(c->m.writes, 0);
	resume(&c->fx, &c->f, &o, &c->dev, &c->job, &c->res);
	assert_int_equal(c->m.backups, 2);
	assert_phone_is(&c->m, c->boot1, c->user);
	mp_free(&c->m);

	/* no way to back up: refused before anything is sent */
	mp_init(&c->m, &c->dev);
	c->dev.backup_identity = NULL;
	assert_int_equal(unifw_flash_execute(&c->dev, &c->plan, &c->job.o, &c->res, &c->e), UNIFW_E_INVALID);
	assert_int_equal(c->m.calls, 0);
}

static void execute_catches_an_emmc_that_lies(void **state)
{
	struct exec_case *c = *state;
	struct unifw_flash_plan_opts o = {.verify = true, .range_size = RANGE};
	plan_ok(c->fx.pkg, &c->f, &o, &c->plan);
	expected_phone(&c->plan, c->boot1, c->user);
	c->m.lie_write = 5;
	assert_int_equal(unifw_flash_execute(&c->dev, &c->plan, &c->job.o, &c->res, &c->e), UNIFW_E_DEVICE);
	assert_true(c->res.verify_failed);
	assert_string_equal(c->res.failed_step, "verify");
	assert_non_null(strstr(c->e.msg, "reads back different from what was written"));
	resume(&c->fx, &c->f, &o, &c->dev, &c->job, &c->res);
	assert_phone_is(&c->m, c->boot1, c->user);

	/* one bad byte in the middle of a range (past the first packet): found, and named to the byte */
	mp_free(&c->m);
	mp_init(&c->m, &c->dev);
	job_init(&c->job, &c->fx);
	c->m.flip_write = 5;
	c->m.flip_at = PACKET + 1234;
	assert_int_equal(unifw_flash_execute(&c->dev, &c->plan, &c->job.o, &c->res, &c->e), UNIFW_E_DEVICE);
	assert_true(c->res.verify_failed);
	assert_true(c->m.flip_phone_off != 0);
	char want[96];
	snprintf(want, sizeof want, "first at byte 0x%llx of the range", (unsigned long long)c->m.flip_at);
	assert_non_null(strstr(c->e.msg, want));
	snprintf(want, sizeof want, "offset 0x%llx: read ", (unsigned long long)c->m.flip_phone_off);
	assert_non_null(strstr(c->e.msg, want));
	resume(&c->fx, &c->f, &o, &c->dev, &c->job, &c->res);
	assert_phone_is(&c->m, c->boot1, c->user);

	/* without verification the lie goes unnoticed: that is what --no-verify gives up */
	mp_free(&c->m);
	mp_init(&c->m, &c->dev);
	c->m.lie_write = 5;
	unifw_flash_plan_free(&c->plan);
	o.verify = false;
	plan_ok(c->fx.pkg, &c->f, &o, &c->plan);
	assert_int_equal(unifw_flash_execute(&c->dev, &c->plan, &c->job.o, &c->res, &c->e), 0);
	assert_int_equal(c->m.reads, 0);
	assert_int_equal(c->res.bytes_verified, 0);
	struct unifw_flash_journal j;
	assert_int_equal(unifw_flash_journal_load(c->job.journal, &j, &c->e), 0);
	assert_false(j.opts.verify);
	assert_int_equal(j.parts[0].verified, 0);
	assert_int_equal(j.parts[0].written, j.parts[0].ranges);
	unifw_flash_journal_free(&j);
}

/* flashrom's lifecycle rule: bad parameters fail before a single byte reaches the device. */
static void execute_sends_nothing_for_a_refused_plan_or_bad_options(void **state)
{
	struct exec_case *c = *state;
	struct unifw_flash_plan_opts o = {.verify = true, .with_preloader = true};

	default_facts(&c->f, HYNIX_CID); /* the preloader does not fit: refused */
	plan_ok(c->fx.pkg, &c->f, &o, &c->plan);
	assert_int_equal(unifw_flash_execute(&c->dev, &c->plan, &c->job.o, &c->res, &c->e), UNIFW_E_UNSAFE);
	assert_non_null(strstr(c->e.msg, "nothing is written"));
	assert_int_equal(c->m.calls, 0);
	assert_false(c->res.wrote_anything);
	unifw_flash_plan_free(&c->plan);

	default_facts(&c->f, A516_CID);
	plan_ok(c->fx.pkg, &c->f, &o, &c->plan);
	c->job.o.journal_path = NULL;
	assert_int_equal(unifw_flash_execute(&c->dev, &c->plan, &c->job.o, &c->res, &c->e), UNIFW_E_INVALID);
	c->job.o.journal_path = c->job.journal;
	c->job.o.backup_dir = NULL;
	assert_int_equal(unifw_flash_execute(&c->dev, &c->plan, &c->job.o, &c->res, &c->e), UNIFW_E_INVALID);
	c->job.o.backup_dir = c->job.backups;
	/* a journal that cannot be written (its folder is a file) */
	char bad[4096];
	snprintf(bad, sizeof bad, "%s/afile", c->fx.root);
	test_write_file(bad, "x", 1);
	snprintf(bad, sizeof bad, "%s/afile/flash.journal", c->fx.root);
	c->job.o.journal_path = bad;
	assert_true(unifw_flash_execute(&c->dev, &c->plan, &c->job.o, &c->res, &c->e) < 0);
	c->job.o.journal_path = c->job.journal;
	/* an identity backup folder that cannot be made */
	snprintf(bad, sizeof bad, "%s/afile/identity", c->fx.root);
	c->job.o.backup_dir = bad;
	assert_true(unifw_flash_execute(&c->dev, &c->plan, &c->job.o, &c->res, &c->e) < 0);
	c->job.o.backup_dir = c->job.backups;
	assert_int_equal(c->m.calls, 0);

	/* a journal of another phone */
	assert_int_equal(unifw_flash_execute(&c->dev, &c->plan, &c->job.o, &c->res, &c->e), 0);
	struct unifw_flash_journal j;
	assert_int_equal(unifw_flash_journal_load(c->job.journal, &j, &c->e), 0);
	snprintf(j.state, sizeof j.state, "interrupted");
	j.cid[5] ^= 1;
	size_t calls = c->m.calls;
	c->job.o.resume = &j;
	assert_int_equal(unifw_flash_execute(&c->dev, &c->plan, &c->job.o, &c->res, &c->e), UNIFW_E_UNSAFE);
	assert_non_null(strstr(c->e.msg, "never applied to another phone"));
	assert_int_equal(c->m.calls, calls);
	unifw_flash_journal_free(&j);
}

/* A zip package: images stream from the archive (forward only), sparse ones opened twice. */
static void execute_from_a_zip_package(void **state)
{
	struct exec_case *c = *state;
	struct unifw_flash_plan_opts o = {.verify = true, .range_size = RANGE};
	char cmd[8192], zip[4096];
	if (system("command -v zip >/dev/null 2>&1") != 0)
		skip();
	snprintf(zip, sizeof zip, "%s/fw.zip", c->fx.root);
	snprintf(cmd, sizeof cmd, "cd '%s' && zip -q -r '%s' .", c->fx.pkg_path, zip);
	assert_int_equal(system(cmd), 0);
	struct unifw_package *zp = open_pkg(zip);
	assert_int_equal(zp->source, UNIFW_PACKAGE_ARCHIVE);
	plan_ok(c->fx.pkg, &c->f, &o, &c->plan); /* the folder's plan: the expected result */
	expected_phone(&c->plan, c->boot1, c->user);
	unifw_flash_plan_free(&c->plan);
	plan_ok(zp, &c->f, &o, &c->plan);
	c->m.cut_at = 2u << 20;
	assert_int_equal(unifw_flash_execute(&c->dev, &c->plan, &c->job.o, &c->res, &c->e), UNIFW_E_IO);
	struct unifw_flash_journal j;
	assert_int_equal(unifw_flash_journal_load(c->job.journal, &j, &c->e), 0);
	c->job.o.resume = &j;
	if (unifw_flash_execute(&c->dev, &c->plan, &c->job.o, &c->res, &c->e))
		fail_msg("zip resume: %s", c->e.msg);
	assert_phone_is(&c->m, c->boot1, c->user);
	unifw_flash_journal_free(&j);
	unifw_package_free(zp);
}

/* ---------------------------------------------------------------- journal */

static void journal_round_trip_damage_and_refusals(void **state)
{
	(void)state;
	char *dir = test_mkdtemp();
	char path[4096];
	struct unifw_flash_journal j, k;
	struct unifw_error e;
	snprintf(path, sizeof path, "%s/x.journal", dir);
	memset(&j, 0, sizeof j);
	snprintf(j.state, sizeof j.state, "running");
	memcpy(j.cid, A516_CID, 16);
	for (int i = 0; i < 32; i++)
		j.plan_sha256[i] = (uint8_t)(i * 7);
	snprintf(j.package, sizeof j.package, "/tmp/pkg \"quoted\"");
	j.opts = (struct unifw_flash_plan_opts){.with_preloader = true, .verify = true, .range_size = RANGE};
	snprintf(j.started, sizeof j.started, "2024-01-02T03:04:05Z");
	snprintf(j.updated, sizeof j.updated, "2024-01-02T03:04:06Z");
	snprintf(j.identity_backup, sizeof j.identity_backup, "/tmp/id/20240102T030405Z");
	struct unifw_flash_journal_part parts[2] = {{"BOOTIMG", 4, 3, 3}, {"ANDROID", 0, 0, 0}};
	j.parts = parts;
	j.part_count = 2;
	assert_int_equal(unifw_flash_journal_save(path, &j, &e), 0);
	assert_int_equal(unifw_flash_journal_load(path, &k, &e), 0);
	assert_string_equal(k.state, "running");
	assert_memory_equal(k.cid, j.cid, 16);
	assert_memory_equal(k.plan_sha256, j.plan_sha256, 32);
	assert_string_equal(k.package, j.package);
	assert_true(k.opts.with_preloader && k.opts.verify && !k.opts.include_identity);
	assert_int_equal(k.opts.range_size, RANGE);
	assert_string_equal(k.identity_backup, j.identity_backup);
	assert_int_equal(k.part_count, 2);
	assert_string_equal(k.parts[0].name, "BOOTIMG");
	assert_int_equal(k.parts[0].ranges, 4);
	assert_int_equal(k.parts[0].written, 3);
	assert_int_equal(k.parts[0].verified, 3);
	assert_string_equal(k.opts.only, ""); /* no --only: no key, as journals before it */
	unifw_flash_journal_free(&k);
	/* --only is kept, so that --resume continues the same selection */
	snprintf(j.opts.only, sizeof j.opts.only, "BOOTIMG,LOGO");
	assert_int_equal(unifw_flash_journal_save(path, &j, &e), 0);
	assert_int_equal(unifw_flash_journal_load(path, &k, &e), 0);
	assert_string_equal(k.opts.only, "BOOTIMG,LOGO");
	unifw_flash_journal_free(&k);
	j.opts.only[0] = 0;
	assert_int_equal(unifw_flash_journal_save(path, &j, &e), 0);

	/* damaged files: each names what is wrong */
	size_t len;
	uint8_t *text = test_read_file(path, &len);
	test_write_file(path, text, len / 2); /* cut in the middle */
	assert_true(unifw_flash_journal_load(path, &k, &e) < 0);
	assert_non_null(strstr(e.msg, "damaged flash journal"));
	assert_string_equal(e.where, path);
	struct {
		const char *from, *to, *needle;
	} edits[] = {
		{"\"written\": 3", "\"written\": \"3\"", "\"written\": expected a non-negative number"},
		{"\"written\": 3", "\"written\": 5", "verified <= written <= ranges"},
		{"\"type\": \"unifw-flash-journal\"", "\"type\": \"other\"", "expected \"unifw-flash-journal\""},
		{"\"cid\": \"1501", "\"cid\": \"zz01", "expected 32 hex digits"},
		{"\"state\": \"running\"", "\"state\": \"half\"", "expected running, interrupted or done"},
		{"\"range_size\": 262144", "\"range_size\": 1000", "multiple of 512"},
		{"\"version\": 2", "\"version\": 9", "journal version 9"},
		/* edits that leave a well-formed journal: the integrity check refuses them */
		{"\"verified\": 3", "\"verified\": 2", "journal integrity check failed"},
		{"\"with_preloader\": true", "\"with_preloader\": false", "journal integrity check failed"},
		{"\"check_sha256\": \"", "\"check_sha256\": \"0", "expected 64 hex digits"},
		{"\"check_sha256\"", "\"no_check\"", "journal key \"check_sha256\": expected a string, missing"},
	};
	for (size_t i = 0; i < sizeof edits / sizeof *edits; i++) {
		char *copy = malloc(len + 64), *at = strstr((char *)text, edits[i].from);
		if (!at)
			fail_msg("fixture text lacks %s", edits[i].from);
		size_t pre = (size_t)(at - (char *)text), fl = strlen(edits[i].from);
		memcpy(copy, text, pre);
		strcpy(copy + pre, edits[i].to);
		memcpy(copy + pre + strlen(edits[i].to), at + fl, len - pre - fl);
		test_write_file(path, copy, len - fl + strlen(edits[i].to));
		free(copy);
		assert_true(unifw_flash_journal_load(path, &k, &e) < 0);
		if (!strstr(e.msg, edits[i].needle))
			fail_msg("edit %zu: message \"%s\" lacks \"%s\"", i, e.msg, edits[i].needle);
	}
	test_write_file(path, "not json at all", 15);
	assert_int_equal(unifw_flash_journal_load(path, &k, &e), UNIFW_E_FORMAT);
	assert_true(e.offset != UNIFW_NO_OFFSET);
	snprintf(path, sizeof path, "%s/absent.journal", dir);
	assert_int_equal(unifw_flash_journal_load(path, &k, &e), UNIFW_E_IO);
	free(text);

	/* where journals live */
	setenv("UNIFW_STATE_DIR", dir, 1);
	assert_int_equal(unifw_flash_journal_path(A516_CID, path, sizeof path, &e), 0);
	char want[4200];
	snprintf(want, sizeof want, "%s/flash/1501004e355530304d105a176a2cb301.journal", dir);
	assert_string_equal(path, want);
	unsetenv("UNIFW_STATE_DIR");
	setenv("XDG_STATE_HOME", "/x/state", 1);
	assert_int_equal(unifw_flash_state_dir(path, sizeof path, &e), 0);
	assert_string_equal(path, "/x/state/unifw");
	unsetenv("XDG_STATE_HOME");
	test_rmtree(dir);
	free(dir);
}

/* A journal that claims more than was done: as a "consistent lie" (edited, its integrity check computed
 * again, so it loads) the resume reads back every range it claims and writes the ones the phone lacks; as
 * a plain edit (check not recomputed) it is refused before anything is sent. */
static void journal_claims_are_checked_on_resume(void **state)
{
	struct exec_case *c = *state;
	struct unifw_flash_plan_opts o = {.verify = true, .with_preloader = true, .range_size = RANGE};
	plan_ok(c->fx.pkg, &c->f, &o, &c->plan);
	expected_phone(&c->plan, c->boot1, c->user);
	/* a clean run gives every partition's range count, and the job's size */
	assert_int_equal(unifw_flash_execute(&c->dev, &c->plan, &c->job.o, &c->res, &c->e), 0);
	uint64_t total = c->m.written;
	struct unifw_flash_journal full;
	assert_int_equal(unifw_flash_journal_load(c->job.journal, &full, &c->e), 0);
	mp_free(&c->m);

	mp_init(&c->m, &c->dev);
	c->m.cut_at = total / 3 + 4099;
	assert_int_equal(unifw_flash_execute(&c->dev, &c->plan, &c->job.o, &c->res, &c->e), UNIFW_E_IO);
	struct unifw_flash_journal j;
	assert_int_equal(unifw_flash_journal_load(c->job.journal, &j, &c->e), 0);
	assert_int_equal(j.part_count, full.part_count);
	uint64_t claimed = 0, true_done = 0;
	for (size_t i = 0; i < j.part_count; i++) {
		true_done += j.parts[i].verified;
		j.parts[i].ranges = j.parts[i].written = j.parts[i].verified = full.parts[i].ranges;
		claimed += full.parts[i].ranges;
	}
	assert_true(true_done < claimed);
	assert_int_equal(unifw_flash_journal_save(c->job.journal, &j, &c->e), 0); /* the lie, consistent */
	unifw_flash_journal_free(&j);

	/* tampered by hand: refused, nothing sent */
	size_t len;
	uint8_t *text = test_read_file(c->job.journal, &len);
	const char *from = "\"state\": \"interrupted\"", *to = "\"state\": \"running\"";
	char *at = strstr((char *)text, from);
	assert_non_null(at);
	char *edited = malloc(len + 1);
	assert_non_null(edited);
	size_t pre = (size_t)(at - (char *)text);
	memcpy(edited, text, pre);
	memcpy(edited + pre, to, strlen(to));
	memcpy(edited + pre + strlen(to), at + strlen(from), len - pre - strlen(from));
	char tampered[4200];
	snprintf(tampered, sizeof tampered, "%s.tampered", c->job.journal);
	test_write_file(tampered, edited, len - strlen(from) + strlen(to));
	free(edited);
	free(text);
	assert_int_equal(unifw_flash_journal_load(tampered, &j, &c->e), UNIFW_E_FORMAT);
	assert_non_null(strstr(c->e.msg, "journal integrity check failed"));
	assert_string_equal(c->e.where, tampered);

	/* the consistent lie loads and passes the plan check; the resume finds the missing ranges */
	size_t writes_before = c->m.writes;
	resume(&c->fx, &c->f, &o, &c->dev, &c->job, &c->res);
	assert_phone_is(&c->m, c->boot1, c->user);
	assert_int_equal(c->res.ranges_resumed, claimed);
	assert_int_equal(c->res.ranges_reverified + c->res.ranges_rewritten, claimed);
	assert_true(c->res.ranges_rewritten > 0);
	assert_true(c->res.ranges_reverified >= true_done); /* what was written is read back equal */
	assert_true(c->m.writes > writes_before);
	assert_false(c->res.verify_failed);
	mp_free(&c->m);
	unifw_flash_journal_free(&full);

	/* the same with --no-verify: written ranges are still read back before they are skipped */
	unifw_flash_plan_free(&c->plan);
	o.verify = false;
	plan_ok(c->fx.pkg, &c->f, &o, &c->plan);
	mp_init(&c->m, &c->dev);
	c->m.cut_at = total / 2;
	assert_int_equal(unifw_flash_execute(&c->dev, &c->plan, &c->job.o, &c->res, &c->e), UNIFW_E_IO);
	assert_int_equal(unifw_flash_journal_load(c->job.journal, &j, &c->e), 0);
	for (size_t i = 0; i < j.part_count; i++)
		j.parts[i].written = j.parts[i].ranges; /* started partitions claim all their ranges */
	assert_int_equal(unifw_flash_journal_save(c->job.journal, &j, &c->e), 0);
	unifw_flash_journal_free(&j);
	resume(&c->fx, &c->f, &o, &c->dev, &c->job, &c->res);
	assert_phone_is(&c->m, c->boot1, c->user);
	assert_true(c->res.ranges_rewritten > 0);
}

static void journal_resume_refuses_another_package(void **state)
{
	struct exec_case *c = *state;
	struct unifw_flash_plan other;
	struct unifw_flash_plan_opts o = {.verify = true, .range_size = RANGE};
	plan_ok(c->fx.pkg, &c->f, &o, &c->plan);
	c->m.cut_at = 3u << 20;
	assert_int_equal(unifw_flash_execute(&c->dev, &c->plan, &c->job.o, &c->res, &c->e), UNIFW_E_IO);
	struct unifw_flash_journal j;
	assert_int_equal(unifw_flash_journal_load(c->job.journal, &j, &c->e), 0);
	/* the same package with one image changed */
	write_random(c->fx.pkg_path, "boot.img", (1u << 20) + 3, 77);
	fixture_reopen(&c->fx);
	plan_ok(c->fx.pkg, &c->f, &j.opts, &other);
	assert_int_equal(unifw_flash_journal_check(&j, &other, &c->e), UNIFW_E_UNSAFE);
	assert_non_null(strstr(c->e.msg, "differ from those of the interrupted flash"));
	c->job.o.resume = &j;
	size_t calls = c->m.calls;
	assert_int_equal(unifw_flash_execute(&c->dev, &other, &c->job.o, &c->res, &c->e), UNIFW_E_UNSAFE);
	assert_int_equal(c->m.calls, calls);
	unifw_flash_journal_free(&j);
	unifw_flash_plan_free(&other);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sparse_chunks_stream_without_expanding_dont_care),
		cmocka_unit_test(sparse_ranges_verify_checksums),
		exec_test(execute_writes_every_image_bit_exact),
		exec_test(execute_backs_up_identity_by_scatter_on_a_phone_without_tables),
		exec_test(execute_stops_when_an_identity_reread_differs),
		exec_test(execute_resumes_after_cuts_at_ten_points),
		exec_test(execute_catches_an_emmc_that_lies),
		exec_test(execute_sends_nothing_for_a_refused_plan_or_bad_options),
		exec_test(execute_from_a_zip_package),
		cmocka_unit_test(journal_round_trip_damage_and_refusals),
		exec_test(journal_resume_refuses_another_package),
		exec_test(journal_claims_are_checked_on_resume),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
