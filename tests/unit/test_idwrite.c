/* The mechanics of the identity writes (src/ops/identity_write.c): plans cut into ranges and diffed by sector,
 * the plan file (round trip; damaged, truncated, hostile files refused), the journal, and the executor over an
 * in-memory phone: every range read back, a phone that does not store a byte stops the job with the range
 * named and the journal interrupted, a resume finishes it, a stop request is honoured between ranges. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ops/idwrite_internal.h"
#include "unifw/hash.h"
#include "util/bytes.h"

#define MEM_SIZE (8u << 20)

struct mem_phone {
	uint8_t *user;
	unsigned writes;
	int lie_on_write;            /* the write with this index stores one byte wrong (-1: never) */
};

static int mem_read(void *ctx, enum unifw_phone_part part, uint64_t off, uint64_t len, unifw_phone_sink sink,
		    void *sink_ctx, struct unifw_error *err)
{
	struct mem_phone *m = ctx;
	assert_int_equal(part, UNIFW_PHONE_USER);
	assert_true(off + len <= MEM_SIZE);
	for (uint64_t at = 0; at < len; at += 65536) {
		uint64_t n = len - at < 65536 ? len - at : 65536;
		int rc = sink(sink_ctx, m->user + off + at, (size_t)n, off + at, err);
		if (rc)
			return rc;
	}
	return 0;
}

static int mem_write(void *ctx, enum unifw_phone_part part, uint64_t off, uint64_t len, unifw_phone_source source,
		     void *source_ctx, struct unifw_error *err)
{
	struct mem_phone *m = ctx;
	assert_int_equal(part, UNIFW_PHONE_USER);
	assert_true(off + len <= MEM_SIZE);
	for (uint64_t at = 0; at < len; at += 4096) {
		uint64_t n = len - at < 4096 ? len - at : 4096;
		int rc = source(source_ctx, m->user + off + at, (size_t)n, off + at, err);
		if (rc)
			return rc;
	}
	if ((int)m->writes++ == m->lie_on_write)
		m->user[off + len / 2] ^= 0x40;
	return 0;
}

static void mem_device(struct unifw_flash_device *dev, struct mem_phone *m)
{
	memset(dev, 0, sizeof *dev);
	dev->read = mem_read;
	dev->write = mem_write;
	dev->ctx = m;
}

static uint8_t *pattern(size_t len, unsigned seed)
{
	uint8_t *b = malloc(len);
	for (size_t i = 0; i < len; i++)
		b[i] = (uint8_t)(seed * 31 + i * 7 + (i >> 11));
	return b;
}

static void plans_are_cut_and_diffed(void **state)
{
	(void)state;
	struct idw_plan p = {0};
	struct unifw_error e;
	uint8_t *img = pattern(3u << 20 | 512, 1), *now = malloc(1u << 20);
	assert_int_equal(idw_plan_add(&p, "NVRAM", UNIFW_PHONE_USER, 0x400000, img, 3u << 20 | 512, &e), 0);
	assert_int_equal(p.count, 4);
	assert_int_equal(p.items[3].len, 512);
	assert_int_equal(p.items[3].off, 0x400000 + (3u << 20));
	assert_memory_equal(p.items[2].data, img + (2u << 20), 1u << 20);
	/* diff: bytes changed in sectors 3 and 4 (one run) and in sector 100 */
	memcpy(now, img, 1u << 20);
	now[3 * 512 + 10] ^= 1;
	now[4 * 512 + 500] ^= 1;
	now[100 * 512] ^= 1;
	idw_plan_free(&p);
	assert_int_equal(idw_plan_add_diff(&p, "NVRAM", UNIFW_PHONE_USER, 0x400000, img, now, 1u << 20, &e), 0);
	assert_int_equal(p.count, 2);
	assert_int_equal(p.items[0].off, 0x400000 + 3 * 512);
	assert_int_equal(p.items[0].len, 1024);
	assert_int_equal(p.items[1].off, 0x400000 + 100 * 512);
	assert_int_equal(p.items[1].len, 512);
	assert_memory_equal(p.items[0].data, now + 3 * 512, 1024);
	idw_plan_free(&p);
	free(img);
	free(now);
}

static void build_plan(struct idw_plan *p, uint8_t **img, size_t len)
{
	struct unifw_error e;
	memset(p, 0, sizeof *p);
	snprintf(p->op, sizeof p->op, "restore");
	memset(p->cid, 0x5A, 16);
	*img = pattern(len, 2);
	assert_int_equal(idw_plan_add(p, "PROTECT_F", UNIFW_PHONE_USER, 0x100000, *img, len, &e), 0);
}

static void plan_file_round_trip_and_damage(void **state)
{
	(void)state;
	char *dir = test_mkdtemp(), path[4200];
	snprintf(path, sizeof path, "%s/x.plan", dir);
	struct idw_plan p, q;
	uint8_t *img;
	struct unifw_error e;
	build_plan(&p, &img, (2u << 20) + 4096);
	assert_int_equal(idw_plan_save(path, &p, &e), 0);
	assert_int_equal(idw_plan_load(path, &q, &e), 0);
	assert_memory_equal(q.sha256, p.sha256, 32);
	assert_string_equal(q.op, "restore");
	assert_memory_equal(q.cid, p.cid, 16);
	assert_int_equal(q.count, p.count);
	for (size_t i = 0; i < p.count; i++) {
		assert_string_equal(q.items[i].name, "PROTECT_F");
		assert_int_equal(q.items[i].off, p.items[i].off);
		assert_int_equal(q.items[i].len, p.items[i].len);
		assert_memory_equal(q.items[i].data, p.items[i].data, p.items[i].len);
	}
	idw_plan_free(&q);
	size_t len = 0;
	uint8_t *b = test_read_file(path, &len);
	/* one flipped bit of the data: the SHA-256 says so */
	b[5000] ^= 1;
	test_write_file(path, b, len);
	assert_int_equal(idw_plan_load(path, &q, &e), UNIFW_E_FORMAT);
	assert_non_null(strstr(e.msg, "SHA-256"));
	b[5000] ^= 1;
	/* truncated */
	test_write_file(path, b, len - 100);
	assert_int_equal(idw_plan_load(path, &q, &e), UNIFW_E_FORMAT);
	/* a range longer than the file, the SHA-256 made right: the bounds catch it */
	put_le32(b + 48 + 44, 0x00F00000u);
	unifw_sha256(b, len - 32, b + len - 32);
	test_write_file(path, b, len);
	assert_int_equal(idw_plan_load(path, &q, &e), UNIFW_E_FORMAT);
	assert_non_null(strstr(e.msg, "range"));
	/* not a plan */
	test_write_file(path, "hello", 5);
	assert_int_equal(idw_plan_load(path, &q, &e), UNIFW_E_FORMAT);
	free(b);
	idw_plan_free(&p);
	free(img);
	test_rmtree(dir);
	free(dir);
}

static void journal_round_trip_and_hostile(void **state)
{
	(void)state;
	char *dir = test_mkdtemp(), path[4200];
	snprintf(path, sizeof path, "%s/x.journal", dir);
	struct idw_journal j = {0}, k;
	struct unifw_error e;
	snprintf(j.op, sizeof j.op, "set-mac");
	memset(j.cid, 'a', 32);
	memset(j.plan_sha256, 'b', 64);
	snprintf(j.state, sizeof j.state, "interrupted");
	j.total = 9;
	j.done = 4;
	snprintf(j.backup, sizeof j.backup, "/v/identity-1");
	snprintf(j.source, sizeof j.source, "set-mac");
	assert_int_equal(idw_journal_save(path, &j, &e), 0);
	assert_int_equal(idw_journal_load(path, &k, &e), 0);
	assert_string_equal(k.op, "set-mac");
	assert_string_equal(k.state, "interrupted");
	assert_int_equal(k.total, 9);
	assert_int_equal(k.done, 4);
	assert_string_equal(k.backup, "/v/identity-1");
	j.done = 10; /* more verified than planned */
	assert_int_equal(idw_journal_save(path, &j, &e), 0);
	assert_int_equal(idw_journal_load(path, &k, &e), UNIFW_E_FORMAT);
	test_write_file(path, "{\"type\":\"identity_write_journal\"}", 33);
	assert_int_equal(idw_journal_load(path, &k, &e), UNIFW_E_FORMAT);
	test_rmtree(dir);
	free(dir);
}

static void execute_verifies_and_resumes(void **state)
{
	(void)state;
	char *dir = test_mkdtemp(), path[4200];
	snprintf(path, sizeof path, "%s/x.journal", dir);
	struct mem_phone m = { calloc(1, MEM_SIZE), 0, 2 };
	struct unifw_flash_device dev;
	mem_device(&dev, &m);
	struct idw_plan p;
	uint8_t *img;
	build_plan(&p, &img, 4u << 20);
	struct idw_journal j = {0}, k;
	snprintf(j.op, sizeof j.op, "restore");
	memset(j.cid, 'a', 32);
	memset(j.plan_sha256, 'b', 64);
	j.total = p.count;
	struct idw_result r;
	struct unifw_error e;
	/* the third write stores a wrong byte: stopped there, two ranges verified */
	assert_int_equal(idw_execute(&dev, &p, &j, path, NULL, NULL, &r, &e), UNIFW_E_DEVICE);
	assert_non_null(strstr(e.msg, "PROTECT_F, range 3 of 4"));
	assert_non_null(strstr(e.msg, "read-back differs"));
	assert_int_equal(r.ranges_written, 2);
	assert_int_equal(idw_journal_load(path, &k, &e), 0);
	assert_string_equal(k.state, "interrupted");
	assert_int_equal(k.done, 2);
	/* resumed from the journal: the rest written, the phone holds the image */
	m.lie_on_write = -1;
	assert_int_equal(idw_execute(&dev, &p, &k, path, NULL, NULL, &r, &e), 0);
	assert_int_equal(r.ranges_resumed, 2);
	assert_int_equal(r.ranges_written, 2);
	assert_memory_equal(m.user + 0x100000, img, 4u << 20);
	assert_int_equal(idw_journal_load(path, &k, &e), 0);
	assert_string_equal(k.state, "done");
	assert_int_equal(k.done, 4);
	idw_plan_free(&p);
	free(img);
	free(m.user);
	test_rmtree(dir);
	free(dir);
}

static bool stop_after_two(void *ctx)
{
	struct mem_phone *m = ctx;
	return m->writes >= 2;
}

static void execute_stops_between_ranges(void **state)
{
	(void)state;
	char *dir = test_mkdtemp(), path[4200];
	snprintf(path, sizeof path, "%s/x.journal", dir);
	struct mem_phone m = { calloc(1, MEM_SIZE), 0, -1 };
	struct unifw_flash_device dev;
	mem_device(&dev, &m);
	struct unifw_cancel c = { stop_after_two, &m };
	struct idw_plan p;
	uint8_t *img;
	build_plan(&p, &img, 4u << 20);
	struct idw_journal j = {0}, k;
	snprintf(j.op, sizeof j.op, "restore");
	memset(j.cid, 'a', 32);
	memset(j.plan_sha256, 'b', 64);
	j.total = p.count;
	struct idw_result r;
	struct unifw_error e;
	assert_int_equal(idw_execute(&dev, &p, &j, path, NULL, &c, &r, &e), UNIFW_E_CANCELLED);
	assert_int_equal(m.writes, 2);
	assert_int_equal(idw_journal_load(path, &k, &e), 0);
	assert_string_equal(k.state, "interrupted");
	assert_int_equal(k.done, 2);
	idw_plan_free(&p);
	free(img);
	free(m.user);
	test_rmtree(dir);
	free(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(plans_are_cut_and_diffed),
		cmocka_unit_test(plan_file_round_trip_and_damage),
		cmocka_unit_test(journal_round_trip_and_hostile),
		cmocka_unit_test(execute_verifies_and_resumes),
		cmocka_unit_test(execute_stops_between_ranges),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
