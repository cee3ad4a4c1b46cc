/* The flash unit tests' fixture (flash_fixture.h). */
#include "flash_fixture.h"

/* The Lenovo A516's eMMC (Samsung KMN5U000ZM "N5U00M", which the A516 preloader's EMI table lists);
 * serial, date and CRC made up. */
const uint8_t A516_CID[16] = {0x15, 0x01, 0x00, 0x4E, 0x35, 0x55, 0x30, 0x30,
			      0x4D, 0x10, 0x5A, 0x17, 0x6A, 0x2C, 0xB3, 0x01};
/* A Hynix part that preloader does not list. */
const uint8_t HYNIX_CID[16] = {0x90, 0x01, 0x4A, 0x48, 0x38, 0x47, 0x31, 0x65,
			       0x02, 0x10, 0x11, 0x22, 0x33, 0x44, 0x55, 0x01};

/* its size must be NPARTS: the header declares LAYOUT[NPARTS], another count does not compile */
const struct part_def LAYOUT[] = {
	{"PRELOADER", 0, BOOT_REGION, "preloader_a516_row.bin", true, "SV5_BL_BIN", "EMMC_BOOT_1", "BOOTLOADERS", false},
	{"MBR", 0xC00000, 0x80000, "MBR", true, "NORMAL_ROM", "EMMC_USER", "UPDATE", false},
	{"EBR1", 0xC80000, 0x80000, "EBR1", true, "NORMAL_ROM", "EMMC_USER", "UPDATE", false},
	{"PRO_INFO", 0xD00000, 0x100000, "pro_info.bin", true, "NORMAL_ROM", "EMMC_USER", "PROTECTED", false},
	{"NVRAM", 0xE00000, 0x100000, "nvram.bin", true, "NORMAL_ROM", "EMMC_USER", "BINREGION", false},
	{"PROTECT_F", 0xF00000, 0x100000, "NONE", false, "YAFFS_IMG", "EMMC_USER", "PROTECTED", true},
	{"PROTECT_S", 0x1000000, 0x100000, "NONE", false, "YAFFS_IMG", "EMMC_USER", "PROTECTED", true},
	{"UBOOT", 0x1100000, 0x80000, "lk.bin", true, "NORMAL_ROM", "EMMC_USER", "UPDATE", false},
	{"BOOTIMG", 0x1180000, 0x200000, "boot.img", true, "NORMAL_ROM", "EMMC_USER", "UPDATE", false},
	{"ANDROID", 0x1380000, 0x800000, "system.img", true, "YAFFS_IMG", "EMMC_USER", "UPDATE", true},
	{"CACHE", 0x1B80000, 0x200000, "NONE", false, "YAFFS_IMG", "EMMC_USER", "INVISIBLE", true},
	{"USRDATA", 0x1D80000, 0x400000, "userdata.img", true, "YAFFS_IMG", "EMMC_USER", "UPDATE", true},
	{"BMTPOOL", 0xFFFF0008, 0x100000, "NONE", false, "NONE", "EMMC_USER", "RESERVED", false},
};

void fill_random(uint8_t *b, size_t n, uint32_t seed)
{
	uint64_t s = seed * 0x9E3779B97F4A7C15ull + 1;
	for (size_t i = 0; i < n; i++) {
		s ^= s << 13;
		s ^= s >> 7;
		s ^= s << 17;
		b[i] = (uint8_t)s;
	}
}

void path_in(char *out, size_t len, const char *dir, const char *name)
{
	snprintf(out, len, "%s/%s", dir, name);
}

/* ---------------------------------------------------------------- package fixture */

static void write_scatter(const char *dir, const struct part_def *parts, size_t n)
{
	struct unifw_scatter sc;
	struct unifw_error e;
	char path[4096];
	memset(&sc, 0, sizeof sc);
	sc.dialect = UNIFW_SCATTER_V1;
	snprintf(sc.config_version, sizeof sc.config_version, "V1.1.1");
	snprintf(sc.platform, sizeof sc.platform, "MT6572");
	snprintf(sc.project, sizeof sc.project, "unifwtest");
	snprintf(sc.storage, sizeof sc.storage, "EMMC");
	snprintf(sc.boot_channel, sizeof sc.boot_channel, "MSDC_0");
	sc.block_size = 0x20000;
	sc.info_keys = (1u << UNIFW_SCATTER_I_COUNT) - 1;
	sc.parts = calloc(n, sizeof *sc.parts);
	sc.count = n;
	for (size_t i = 0; i < n; i++) {
		struct unifw_scatter_part *p = &sc.parts[i];
		p->index = (int)i;
		snprintf(p->name, sizeof p->name, "%s", parts[i].name);
		snprintf(p->file_name, sizeof p->file_name, "%s", parts[i].file);
		p->is_download = parts[i].download;
		snprintf(p->type, sizeof p->type, "%s", parts[i].type);
		p->linear_start = parts[i].linear;
		p->size = parts[i].size;
		snprintf(p->region, sizeof p->region, "%s", parts[i].region);
		snprintf(p->storage, sizeof p->storage, "HW_STORAGE_EMMC");
		p->boundary_check = true;
		snprintf(p->operation_type, sizeof p->operation_type, "%s", parts[i].optype);
		p->keys = (1u << UNIFW_SCATTER_K_COUNT) - 1;
	}
	path_in(path, sizeof path, dir, "MT6572_Android_scatter.txt");
	if (unifw_scatter_save(&sc, UNIFW_SCATTER_V1, path, &e))
		fail_msg("scatter_save: %s", e.msg);
	free(sc.parts);
}

/* MBR and EBR1 sectors for the ext4 partitions of a layout, as ptgen writes them. */
static void build_mbr(const struct part_def *parts, size_t n, uint8_t out[1024])
{
	struct unifw_mbr_layout_part lp[16];
	size_t k = 0;
	uint64_t ebr1 = 0;
	struct unifw_error e;
	for (size_t i = 0; i < n; i++) {
		if (parts[i].in_mbr)
			lp[k++] = (struct unifw_mbr_layout_part){.offset = parts[i].linear - BOOT_REGION, .size = parts[i].size};
		if (!strcmp(parts[i].name, "EBR1"))
			ebr1 = parts[i].linear - BOOT_REGION;
	}
	struct unifw_mbr_layout l = {.parts = lp, .count = k, .ebr_offsets = &ebr1, .ebr_count = 1, .last_to_end = false};
	if (unifw_mbr_build(&l, out, 1024, &e))
		fail_msg("mbr_build: %s", e.msg);
}

/* A raw image with holes, data, a repeated pattern and zeros, turned into a sparse image whose zero
 * and hole blocks are DONT_CARE. */
void write_sparse(const char *dir, const char *name, uint64_t raw_size, uint32_t seed)
{
	char raw[4096], out[4096];
	struct unifw_error e;
	snprintf(raw, sizeof raw, "%s/%s.raw", dir, name);
	path_in(out, sizeof out, dir, name);
	int fd = open(raw, O_CREAT | O_TRUNC | O_WRONLY, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)raw_size), 0);
	size_t chunk = 640u << 10;
	uint8_t *b = malloc(chunk);
	fill_random(b, chunk, seed);
	assert_int_equal(pwrite(fd, b, chunk, 0), (ssize_t)chunk);
	for (size_t i = 0; i < chunk; i += 4)
		memcpy(b + i, "\xAB\xCD\x12\x34", 4);
	assert_int_equal(pwrite(fd, b, 256u << 10, 1u << 20), (ssize_t)(256u << 10));
	fill_random(b, chunk, seed + 7);
	if (raw_size > (3u << 20))
		assert_int_equal(pwrite(fd, b, chunk, 3u << 20), (ssize_t)chunk);
	memset(b, 0, chunk);
	assert_int_equal(pwrite(fd, b, 64u << 10, 2u << 20), (ssize_t)(64u << 10));
	free(b);
	close(fd);
	struct unifw_sparse_write_opts o = {.block_size = 4096, .zeros_as_dont_care = true};
	if (unifw_sparse_write_file(raw, out, &o, NULL, &e))
		fail_msg("sparse: %s", e.msg);
}

void write_random(const char *dir, const char *name, size_t len, uint32_t seed)
{
	char path[4096];
	uint8_t *b = malloc(len ? len : 1);
	fill_random(b, len, seed);
	path_in(path, sizeof path, dir, name);
	test_write_file(path, b, len);
	free(b);
}

static void copy_corpus(const char *dir, const char *rel, const char *name)
{
	size_t len;
	uint8_t *b = corpus_read(rel, &len);
	char path[4096];
	path_in(path, sizeof path, dir, name);
	test_write_file(path, b, len);
	free(b);
}

/* The package folder: <root>/pkg; the raw sources of sparse images stay in <root>. */
static char *make_package(const char *root, const struct part_def *parts, size_t n)
{
	char *pkg;
	uint8_t mbr[1024];
	assert_true(asprintf(&pkg, "%s/pkg", root) > 0);
	mkdir(pkg, 0755);
	write_scatter(pkg, parts, n);
	copy_corpus(pkg, A516_PRELOADER, "preloader_a516_row.bin");
	build_mbr(parts, n, mbr);
	char path[4096];
	path_in(path, sizeof path, pkg, "MBR");
	test_write_file(path, mbr, 512);
	path_in(path, sizeof path, pkg, "EBR1");
	test_write_file(path, mbr + 512, 512);
	write_random(pkg, "pro_info.bin", 64u << 10, 11);
	write_random(pkg, "nvram.bin", 96u << 10, 12);
	copy_corpus(pkg, "lk/mt6572_mobiwire_s10_lk.bin", "lk.bin");
	write_random(pkg, "boot.img", (1u << 20) + 3, 13);
	write_sparse(pkg, "system.img", 6u << 20, 14);
	write_sparse(pkg, "userdata.img", 4u << 20, 15);
	/* the raw sources are not part of the package */
	snprintf(path, sizeof path, "mv '%s'/*.raw '%s'/", pkg, root);
	assert_int_equal(system(path), 0);
	return pkg;
}

struct unifw_package *open_pkg(const char *path)
{
	struct unifw_package *p = NULL;
	struct unifw_error e;
	if (unifw_package_open(path, &p, &e))
		fail_msg("package_open: %s", e.msg);
	assert_int_equal(p->kind, UNIFW_PACKAGE_FIRMWARE);
	return p;
}

/* ---------------------------------------------------------------- phone facts */

void tables_from_layout(struct phone_tables *t, const struct part_def *parts, size_t n)
{
	memset(t, 0, sizeof *t);
	snprintf(t->pmt.version, sizeof t->pmt.version, "1.0");
	for (size_t i = 0; i < n && i < UNIFW_PMT_MAX_ENTRIES; i++) {
		snprintf(t->pmt.entry[i].name, sizeof t->pmt.entry[i].name, "%s", parts[i].name);
		t->pmt.entry[i].offset = parts[i].linear;
		t->pmt.entry[i].size = parts[i].size;
		t->pmt.count++;
	}
	build_mbr(parts, n, t->mbr);
}

void facts_from_tables(struct unifw_flash_facts *f, const struct phone_tables *t, const uint8_t cid[16])
{
	struct unifw_mbr_table mbr;
	struct unifw_error e;
	const uint8_t *secs[2] = {t->mbr, t->mbr + 512};
	const size_t lens[2] = {512, 512};
	memset(f, 0, sizeof *f);
	f->mode = "preloader";
	if (cid)
		memcpy(f->cid, cid, 16);
	f->boot1_size = BOOT1_SIZE;
	f->user_size = USER_SIZE;
	f->boot_region = BOOT_REGION;
	if (unifw_mbr_table_from_sectors(secs, lens, 2, USER_SIZE / 512, &mbr, &e))
		fail_msg("mbr table: %s", e.msg);
	if (unifw_phone_layout_merge(t->pmt.count ? &t->pmt : NULL, &mbr, BOOT_REGION, USER_SIZE, &f->layout, &e))
		fail_msg("layout merge: %s", e.msg);
	f->have_layout = true;
}

void default_facts(struct unifw_flash_facts *f, const uint8_t cid[16])
{
	static struct phone_tables t;
	tables_from_layout(&t, LAYOUT, NPARTS);
	facts_from_tables(f, &t, cid);
}

const struct unifw_flash_entry *entry(const struct unifw_flash_plan *p, const char *name)
{
	for (size_t i = 0; i < p->count; i++)
		if (!strcmp(p->entries[i].name, name))
			return &p->entries[i];
	fail_msg("no plan entry %s", name);
	return NULL;
}

void plan_ok(const struct unifw_package *pkg, const struct unifw_flash_facts *f,
		    const struct unifw_flash_plan_opts *o, struct unifw_flash_plan *plan)
{
	struct unifw_error e;
	if (unifw_flash_plan(pkg, f, o, plan, &e))
		fail_msg("plan: %s", e.msg);
}

bool has_finding(const struct unifw_flash_plan *p, const char *code, const char *needle)
{
	for (size_t i = 0; i < p->findings.count; i++)
		if (!strcmp(p->findings.items[i].code, code) && (!needle || strstr(p->findings.items[i].msg, needle)))
			return true;
	return false;
}

void fixture_open(struct fixture *fx, const struct part_def *parts, size_t n)
{
	fx->root = test_mkdtemp();
	fx->pkg_path = make_package(fx->root, parts, n);
	fx->pkg = open_pkg(fx->pkg_path);
}

/* Replace one image of the fixture's package and open it again. */
void fixture_reopen(struct fixture *fx)
{
	unifw_package_free(fx->pkg);
	fx->pkg = open_pkg(fx->pkg_path);
}

void fixture_close(struct fixture *fx)
{
	unifw_package_free(fx->pkg);
	test_rmtree(fx->root);
	free(fx->root);
	free(fx->pkg_path);
}


/* ---------------------------------------------------------------- an in-memory phone */


static uint8_t *mp_area(struct memphone *m, enum unifw_phone_part part, uint64_t off, uint64_t len, struct unifw_error *err)
{
	uint64_t size = part == UNIFW_PHONE_BOOT1 ? BOOT1_SIZE : part == UNIFW_PHONE_USER ? USER_SIZE : 0;
	if (!size || off > size || len > size - off) {
		unifw_error_set(err, UNIFW_E_INVALID, "memphone", off, "range outside partition %d", (int)part);
		return NULL;
	}
	return (part == UNIFW_PHONE_BOOT1 ? m->boot1 : m->user) + off;
}

static int mp_write(void *ctx, enum unifw_phone_part part, uint64_t off, uint64_t len, unifw_phone_source src,
		    void *sctx, struct unifw_error *err)
{
	struct memphone *m = ctx;
	m->calls++;
	m->writes++;
	if (!m->first_write_call)
		m->first_write_call = m->calls;
	uint8_t *dst = mp_area(m, part, off, len, err);
	if (!dst)
		return UNIFW_E_INVALID;
	static uint8_t buf[PACKET];
	for (uint64_t pos = 0; pos < len;) {
		size_t n = len - pos < PACKET ? (size_t)(len - pos) : PACKET;
		int rc = src(sctx, buf, n, pos, err);
		if (rc)
			return rc;
		if (m->cut_at && m->written + n > m->cut_at) {
			m->cut_at = 0;
			return unifw_error_set(err, UNIFW_E_IO, "WRITE", pos, "the link dropped (cable pulled)");
		}
		if (m->writes != m->lie_write)
			memcpy(dst + pos, buf, n);
		if (m->writes == m->flip_write && m->flip_at >= pos && m->flip_at < pos + n) {
			dst[m->flip_at] ^= 0xFF;
			m->flip_phone_off = off + m->flip_at;
		}
		m->written += n;
		pos += n;
	}
	return 0;
}

static int mp_read(void *ctx, enum unifw_phone_part part, uint64_t off, uint64_t len, unifw_phone_sink sink,
		   void *sctx, struct unifw_error *err)
{
	struct memphone *m = ctx;
	m->calls++;
	m->reads++;
	const uint8_t *p = mp_area(m, part, off, len, err);
	if (!p)
		return UNIFW_E_INVALID;
	for (uint64_t pos = 0; pos < len;) {
		size_t n = len - pos < 0x7000 ? (size_t)(len - pos) : 0x7000;
		if (m->read_cut_at && m->read_bytes + n > m->read_cut_at) {
			m->read_cut_at = 0;
			return unifw_error_set(err, UNIFW_E_TIMEOUT, "READ", pos, "no answer within 5000 ms");
		}
		const uint8_t *data = p + pos;
		uint8_t twin[0x7000];
		uint64_t at = off + pos;
		if (m->twin_armed && part == UNIFW_PHONE_USER && m->twin_off >= at && m->twin_off + 1 < at + n) {
			memcpy(twin, data, n);
			twin[m->twin_off - at]++;
			twin[m->twin_off - at + 1]--;
			data = twin;
			m->twin_armed = false;
		}
		int rc = sink(sctx, data, n, pos, err);
		if (rc)
			return rc;
		m->read_bytes += n;
		pos += n;
	}
	return 0;
}

static int mp_backup(void *ctx, const char *dir, struct unifw_error *err)
{
	struct memphone *m = ctx;
	struct stat st;
	m->calls++;
	m->backups++;
	m->backup_call = m->calls;
	if (m->no_table)
		return unifw_error_set(err, UNIFW_E_NOT_FOUND, "partition table", UNIFW_NO_OFFSET,
				       "the phone has neither a PMT nor an MBR");
	if (m->fail_backup) {
		m->fail_backup = false;
		return unifw_error_set(err, UNIFW_E_IO, "READ", 0x3000, "the link dropped (cable pulled)");
	}
	if (stat(dir, &st) || !S_ISDIR(st.st_mode))
		return unifw_error_set(err, UNIFW_E_IO, dir, UNIFW_NO_OFFSET, "backup folder missing");
	snprintf(m->last_backup, sizeof m->last_backup, "%s", dir);
	char path[4200];
	snprintf(path, sizeof path, "%s/nvram.bin", dir);
	test_write_file(path, m->user + (0xE00000 - BOOT_REGION), 0x100000);
	return 0;
}

void mp_init(struct memphone *m, struct unifw_flash_device *dev)
{
	memset(m, 0, sizeof *m);
	m->boot1 = malloc(BOOT1_SIZE);
	m->user = malloc(USER_SIZE);
	memset(m->boot1, ERASED, BOOT1_SIZE);
	memset(m->user, ERASED, USER_SIZE);
	*dev = (struct unifw_flash_device){.read = mp_read, .write = mp_write, .backup_identity = mp_backup, .ctx = m};
}

void mp_free(struct memphone *m)
{
	free(m->boot1);
	free(m->user);
	m->boot1 = m->user = NULL;
}

static int expect_chunk(void *ctx, const struct unifw_sparse_chunk *c, struct unifw_error *err)
{
	struct expect_ctx *x = ctx;
	(void)err;
	if (c->type == UNIFW_SPARSE_FILL)
		for (uint64_t i = 0; i < c->out_size; i += 4)
			memcpy(x->dst + c->out_offset + i, &c->value, 4);
	return 0;
}

static int expect_data(void *ctx, uint64_t out, const uint8_t *buf, size_t len, struct unifw_error *err)
{
	struct expect_ctx *x = ctx;
	(void)err;
	memcpy(x->dst + out, buf, len);
	return 0;
}

void expected_phone(const struct unifw_flash_plan *plan, uint8_t *boot1, uint8_t *user)
{
	struct unifw_error e;
	memset(boot1, ERASED, BOOT1_SIZE);
	memset(user, ERASED, USER_SIZE);
	for (size_t i = 0; i < plan->count; i++) {
		const struct unifw_flash_entry *en = &plan->entries[i];
		if (en->action != UNIFW_FLASH_WRITE)
			continue;
		if (en->form == UNIFW_FLASH_FORM_PMT) {
			static uint8_t pmt[UNIFW_FLASH_PMT_BYTES];
			assert_int_equal(flash_pmt_from_scatter(&plan->pkg->chosen->sc, pmt, &e), 0);
			memcpy(user + en->offset, pmt, sizeof pmt);
			continue;
		}
		char path[8192];
		snprintf(path, sizeof path, "%s/%s", plan->pkg->path, en->image);
		size_t len;
		uint8_t *img = test_read_file(path, &len);
		assert_non_null(img);
		uint8_t *dst = (en->part == UNIFW_PHONE_BOOT1 ? boot1 : user) + en->offset;
		if (en->form == UNIFW_FLASH_FORM_SPARSE) {
			struct unifw_stream s;
			struct expect_ctx x = {dst};
			struct unifw_sparse_sink sink = {.chunk = expect_chunk, .data = expect_data, .ctx = &x};
			struct unifw_sparse_header h;
			unifw_stream_from_mem(&s, img, len, en->image);
			assert_int_equal(unifw_sparse_walk(&s, &sink, &h, NULL, &e), 0);
			unifw_stream_close(&s);
		} else if (en->form == UNIFW_FLASH_FORM_PRELOADER) {
			uint8_t *w;
			size_t wl;
			assert_int_equal(unifw_flash_wrap_preloader(img, len, en->image, &w, &wl, &e), 0);
			memcpy(dst, w, wl);
			free(w);
		} else {
			memcpy(dst, img, len);
		}
		free(img);
	}
}

void assert_phone_is(const struct memphone *m, const uint8_t *boot1, const uint8_t *user)
{
	for (size_t off = 0; off < USER_SIZE; off += 4096)
		if (memcmp(m->user + off, user + off, 4096))
			fail_msg("user area differs in the 4 KiB block at 0x%zx (linear 0x%zx)", off, off + BOOT_REGION);
	assert_memory_equal(m->boot1, boot1, BOOT1_SIZE);
}

void job_init(struct job *j, const struct fixture *fx)
{
	memset(j, 0, sizeof *j);
	char hex[33];
	flash_cid_hex(A516_CID, hex);
	snprintf(j->journal, sizeof j->journal, "%s/state/flash/%s.journal", fx->root, hex);
	snprintf(j->backups, sizeof j->backups, "%s/identity", fx->root);
	j->o.journal_path = j->journal;
	j->o.backup_dir = j->backups;
	j->o.package_path = fx->pkg_path;
}

void s_begin(void *ctx, const char *step, const char *item, uint64_t total)
{
	struct seen *s = ctx;
	(void)step;
	(void)item;
	s->begins++;
	s->last_total = total;
}
void s_update(void *ctx, uint64_t done)
{
	struct seen *s = ctx;
	s->last_done = done;
	s->done_beyond_total |= done > s->last_total;
}
void s_end(void *ctx, int status, const char *summary)
{
	(void)status;
	(void)summary;
	((struct seen *)ctx)->ends++;
}
void s_note(void *ctx, const char *level, const char *msg)
{
	(void)level;
	(void)msg;
	((struct seen *)ctx)->notes++;
}

int exec_case_setup(void **state)
{
	struct exec_case *c = calloc(1, sizeof *c);
	assert_non_null(c);
	fixture_open(&c->fx, LAYOUT, NPARTS);
	default_facts(&c->f, A516_CID);
	mp_init(&c->m, &c->dev);
	job_init(&c->job, &c->fx);
	c->boot1 = malloc(BOOT1_SIZE);
	c->user = malloc(USER_SIZE);
	assert_true(c->boot1 && c->user);
	*state = c;
	return 0;
}

int exec_case_teardown(void **state)
{
	struct exec_case *c = *state;
	mp_free(&c->m);
	unifw_flash_plan_free(&c->plan);
	fixture_close(&c->fx);
	free(c->boot1);
	free(c->user);
	free(c);
	return 0;
}
