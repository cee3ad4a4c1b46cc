/* What the flash unit tests share (test_flash.c: the plan; test_flash_exec.c: sparse ranges, the
 * executor and the journal): a package built in a temporary folder with the project's writers
 * (scatter, MBR/EBR, sparse) around the real Lenovo A516 preloader and Mobiwire S10 lk, the phone's
 * facts, and an in-memory phone for the executor. Moved out of test_flash.c (issue 10). */
#ifndef UNIFW_TEST_FLASH_FIXTURE_H
#define UNIFW_TEST_FLASH_FIXTURE_H

#include "testutil.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "ops/flash_internal.h"
#include "unifw/emi.h"
#include "unifw/flash.h"
#include "unifw/identify.h"
#include "unifw/mbr.h"
#include "unifw/package.h"
#include "unifw/pmt.h"
#include "unifw/preloader.h"
#include "unifw/scatter.h"
#include "unifw/sparse.h"
#include "util/bytes.h"

#define BOOT_REGION 0xC00000u
#define USER_SIZE (48u << 20)
#define BOOT1_SIZE (4u << 20)
#define RANGE (256u << 10)
#define A516_PRELOADER "preloader/mt6572_lenovo_a516_S118_preloader_a516_row.bin"
/* The Lenovo A516's eMMC (Samsung KMN5U000ZM "N5U00M", which the A516 preloader's EMI table lists);
 * serial, date and CRC made up. */
extern const uint8_t A516_CID[16];
/* A Hynix part that preloader does not list. */
extern const uint8_t HYNIX_CID[16];
struct part_def {
	const char *name;
	uint64_t linear, size;
	const char *file;
	bool download;
	const char *type, *region, *optype;
	bool in_mbr;
};

#define NPARTS 13u /* LAYOUT's entries (another count does not compile) */
extern const struct part_def LAYOUT[NPARTS];
void fill_random(uint8_t *b, size_t n, uint32_t seed);
void path_in(char *out, size_t len, const char *dir, const char *name);
/* A raw image with holes, data, a repeated pattern and zeros, turned into a sparse image whose zero
 * and hole blocks are DONT_CARE. */
void write_sparse(const char *dir, const char *name, uint64_t raw_size, uint32_t seed);
void write_random(const char *dir, const char *name, size_t len, uint32_t seed);
struct unifw_package *open_pkg(const char *path);
struct phone_tables {
	struct unifw_pmt pmt;
	uint8_t mbr[1024];
};

void tables_from_layout(struct phone_tables *t, const struct part_def *parts, size_t n);
void facts_from_tables(struct unifw_flash_facts *f, const struct phone_tables *t, const uint8_t cid[16]);
void default_facts(struct unifw_flash_facts *f, const uint8_t cid[16]);
const struct unifw_flash_entry *entry(const struct unifw_flash_plan *p, const char *name);
void plan_ok(const struct unifw_package *pkg, const struct unifw_flash_facts *f,
		    const struct unifw_flash_plan_opts *o, struct unifw_flash_plan *plan);
bool has_finding(const struct unifw_flash_plan *p, const char *code, const char *needle);
struct fixture {
	char *root;
	char *pkg_path;
	struct unifw_package *pkg;
};

void fixture_open(struct fixture *fx, const struct part_def *parts, size_t n);
/* Replace one image of the fixture's package and open it again. */
void fixture_reopen(struct fixture *fx);
void fixture_close(struct fixture *fx);
#define PACKET 0x9000u /* odd on purpose: sources are asked for pieces that do not follow the ranges */
#define ERASED 0xEE
struct memphone {
	uint8_t *boot1, *user;
	size_t calls, reads, writes, backups;
	size_t first_write_call, backup_call;
	uint64_t written;      /* payload bytes stored (or lied about) */
	uint64_t cut_at;       /* a write fails when `written` would pass this (0 = never; fires once) */
	uint64_t read_bytes;
	uint64_t read_cut_at;  /* a read fails when read_bytes would pass this (0 = never; fires once) */
	size_t lie_write;      /* this write call (1-based) is acknowledged but not stored (0 = none) */
	size_t flip_write;     /* this write call (1-based) stores byte flip_at of its range inverted */
	uint64_t flip_at;
	uint64_t flip_phone_off; /* set: where on the phone the inverted byte went */
	bool fail_backup;      /* the next identity backup fails (the link drops while reading NVRAM) */
	bool no_table;         /* the identity backup finds no partition table (a blank or wiped eMMC) */
	bool twin_armed;       /* the next read of user byte twin_off gets it +1 and the next byte -1 (once): */
	uint64_t twin_off;     /* an error a 16-bit byte-sum checksum does not see */
	char last_backup[4096];
};

void mp_init(struct memphone *m, struct unifw_flash_device *dev);
void mp_free(struct memphone *m);
/* What the phone must hold after the plan ran: erased bytes, and each written image at its offset
 * (sparse: RAW and FILL chunks only; DONT_CARE keeps what was there). */
struct expect_ctx {
	uint8_t *dst;
};

void expected_phone(const struct unifw_flash_plan *plan, uint8_t *boot1, uint8_t *user);
void assert_phone_is(const struct memphone *m, const uint8_t *boot1, const uint8_t *user);
struct job {
	char journal[4096], backups[4096];
	struct unifw_flash_exec_opts o;
};

void job_init(struct job *j, const struct fixture *fx);
/* Progress seen by the executor's caller. */
struct seen {
	size_t begins, ends, notes;
	uint64_t last_total, last_done;
	bool done_beyond_total;
};

void s_begin(void *ctx, const char *step, const char *item, uint64_t total);
void s_update(void *ctx, uint64_t done);
void s_end(void *ctx, int status, const char *summary);
void s_note(void *ctx, const char *level, const char *msg);
/* What every executor test starts from (cmocka setup/teardown): the fixture package, an A516 phone in
 * memory, a job in the fixture's folder, room for what the phone must hold afterwards. The test plans
 * with its own options. */
struct exec_case {
	struct fixture fx;
	struct unifw_flash_facts f;
	struct unifw_flash_plan plan;
	struct memphone m;
	struct unifw_flash_device dev;
	struct unifw_flash_result res;
	struct job job;
	struct unifw_error e;
	uint8_t *boot1, *user;
};

int exec_case_setup(void **state);
int exec_case_teardown(void **state);
#define exec_test(t) cmocka_unit_test_setup_teardown(t, exec_case_setup, exec_case_teardown)

#endif
