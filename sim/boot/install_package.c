/* unifw-sim — flashing a package into the eMMC image, erasing, locating partitions (install_package.h). */
#include "install_package.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "firmware/factory.h"
#include "firmware/fw_build.h"
#include "unifw/io.h"
#include "unifw/pmt.h"
#include "unifw/preloader.h"
#include "unifw/scatter.h"
#include "unifw/sparse.h"
#include "util/bytes.h"

#define COPY_CHUNK (1u << 20)

uint64_t sim_emmc_boot_region(const struct sim_emmc *e)
{
	const struct sim_emmc_geometry *g = sim_emmc_geometry(e);
	return g->size[SIM_PART_BOOT1] + g->size[SIM_PART_BOOT2] + g->size[SIM_PART_RPMB];
}

/* ------------------------------------------------------------------ writing one image */

struct target {
	struct sim_emmc *e;
	unsigned part;
	uint64_t base;   /* partition start in `part` */
	uint64_t room;   /* partition size */
	const char *name;
};

static int write_at(struct target *t, uint64_t off, const void *buf, size_t len, struct unifw_error *err)
{
	if (off > t->room || len > t->room - off)
		return unifw_error_set(err, UNIFW_E_TOO_BIG, t->name, off,
				       "image data at 0x%llx+0x%zx runs past the partition's 0x%llx bytes",
				       (unsigned long long)off, len, (unsigned long long)t->room);
	return sim_emmc_write(t->e, t->part, t->base + off, buf, len, err);
}

static int sparse_chunk(void *ctx, const struct unifw_sparse_chunk *c, struct unifw_error *err)
{
	struct target *t = ctx;
	if (c->type != UNIFW_SPARSE_FILL)
		return 0;
	if (c->out_offset > t->room || c->out_size > t->room - c->out_offset)
		return unifw_error_set(err, UNIFW_E_TOO_BIG, t->name, c->file_offset,
				       "fill chunk at 0x%llx runs past the partition", (unsigned long long)c->out_offset);
	if (c->value == 0) /* erased eMMC reads 0: punching a hole keeps the image sparse */
		return sim_emmc_erase(t->e, t->part, t->base + c->out_offset, c->out_size, err);
	uint8_t pattern[4096];
	for (size_t i = 0; i < sizeof pattern; i += 4)
		put_le32(pattern + i, c->value);
	for (uint64_t done = 0; done < c->out_size; done += sizeof pattern) {
		size_t n = c->out_size - done < sizeof pattern ? (size_t)(c->out_size - done) : sizeof pattern;
		int rc = write_at(t, c->out_offset + done, pattern, n, err);
		if (rc)
			return rc;
	}
	return 0;
}

static int sparse_data(void *ctx, uint64_t out_offset, const uint8_t *buf, size_t len, struct unifw_error *err)
{
	return write_at(ctx, out_offset, buf, len, err);
}

static int write_sparse(struct target *t, struct unifw_stream *s, struct unifw_error *err)
{
	uint8_t head[UNIFW_SPARSE_HEADER_SIZE];
	struct unifw_sparse_header h;
	int rc = s->pread(s->ctx, head, sizeof head, 0, err);
	if (rc == 0)
		rc = unifw_sparse_parse_header(head, sizeof head, s->name, &h, err);
	if (rc)
		return rc;
	uint64_t expanded = (uint64_t)h.total_blocks * h.block_size;
	if (expanded > t->room)
		return unifw_error_set(err, UNIFW_E_TOO_BIG, s->name, 0,
				       "sparse image expands to 0x%llx bytes, partition %s holds 0x%llx (SP Flash Tool 5054)",
				       (unsigned long long)expanded, t->name, (unsigned long long)t->room);
	struct unifw_sparse_sink sink = { .chunk = sparse_chunk, .data = sparse_data, .ctx = t, .verify_crc = true };
	return unifw_sparse_walk(s, &sink, &h, NULL, err);
}

static int write_raw(struct target *t, struct unifw_stream *s, struct unifw_error *err)
{
	if (s->size > t->room)
		return unifw_error_set(err, UNIFW_E_TOO_BIG, s->name, 0,
				       "image of 0x%llx bytes, partition %s holds 0x%llx (SP Flash Tool 5054)",
				       (unsigned long long)s->size, t->name, (unsigned long long)t->room);
	uint8_t *buf = malloc(COPY_CHUNK);
	if (!buf)
		return unifw_error_set(err, UNIFW_E_NOMEM, s->name, UNIFW_NO_OFFSET, "out of memory");
	int rc = 0;
	for (uint64_t off = 0;;) {
		ssize_t n = unifw_stream_read(s, buf, COPY_CHUNK, err);
		if (n <= 0) {
			rc = (int)n;
			break;
		}
		if ((rc = write_at(t, off, buf, (size_t)n, err)) != 0)
			break;
		off += (uint64_t)n;
	}
	free(buf);
	return rc;
}

static int write_image(struct target *t, const char *path, struct unifw_error *err)
{
	struct unifw_stream s;
	int rc = unifw_stream_open_file(&s, path, err);
	if (rc)
		return rc;
	uint8_t magic[4] = { 0 };
	uint32_t m = 0;
	if (s.size >= 4 && s.pread(s.ctx, magic, 4, 0, NULL) == 0)
		get_le32(magic, 4, 0, &m);
	rc = m == UNIFW_SPARSE_MAGIC ? write_sparse(t, &s, err) : write_raw(t, &s, err);
	unifw_stream_close(&s);
	return rc;
}

/* PRELOADER: BROM reads boot1 only through the EMMC_BOOT header, so the DA writes that form. */
static int write_preloader(struct sim_emmc *e, const char *path, struct unifw_error *err)
{
	uint8_t *gfh = NULL, *wrapped = NULL;
	size_t len = 0, wlen = 0;
	int rc = unifw_file_read_all(path, UNIFW_PRELOADER_MAX_SIZE, &gfh, &len, err);
	if (rc)
		return rc;
	if (len >= 9 && !memcmp(gfh, "EMMC_BOOT", 9)) { /* already a boot-region dump */
		wrapped = gfh;
		wlen = len;
		gfh = NULL;
	} else {
		rc = sim_wrap_emmc_boot(gfh, len, &wrapped, &wlen, err);
	}
	const uint64_t boot1 = sim_emmc_geometry(e)->size[SIM_PART_BOOT1];
	if (rc == 0 && wlen > boot1)
		rc = unifw_error_set(err, UNIFW_E_TOO_BIG, path, 0, "preloader of 0x%zx bytes does not fit boot1 (0x%llx)",
				     wlen, (unsigned long long)boot1);
	if (rc == 0)
		rc = sim_emmc_erase(e, SIM_PART_BOOT1, 0, boot1, err);
	if (rc == 0)
		rc = sim_emmc_write(e, SIM_PART_BOOT1, 0, wrapped, wlen, err);
	free(gfh);
	free(wrapped);
	return rc;
}

/* ------------------------------------------------------------------ the package */

static bool selected(const struct sim_flash_opts *o, const char *name)
{
	if (!o->only)
		return true;
	for (size_t i = 0; i < o->only_count; i++)
		if (!strcasecmp(o->only[i], name))
			return true;
	return false;
}

static bool is_boot_region(const struct unifw_scatter_part *p)
{
	return !strcasecmp(p->region, "EMMC_BOOT_1") || !strcasecmp(p->name, "PRELOADER");
}

static int user_target(struct sim_emmc *e, const struct unifw_scatter_part *p, struct target *t,
		       struct unifw_error *err)
{
	uint64_t br = sim_emmc_boot_region(e), user = sim_emmc_geometry(e)->size[SIM_PART_USER];
	if (p->linear_start < br)
		return unifw_error_set(err, UNIFW_E_INVALID, p->name, UNIFW_NO_OFFSET,
				       "linear address 0x%llx lies in this phone's 0x%llx-byte boot region: the package "
				       "was made for a smaller boot region",
				       (unsigned long long)p->linear_start, (unsigned long long)br);
	uint64_t off = p->linear_start - br;
	if (off > user || p->size > user - off)
		return unifw_error_set(err, UNIFW_E_INVALID, p->name, UNIFW_NO_OFFSET,
				       "partition 0x%llx+0x%llx lies beyond the 0x%llx-byte user area",
				       (unsigned long long)off, (unsigned long long)p->size, (unsigned long long)user);
	*t = (struct target){ e, SIM_PART_USER, off, p->size, p->name };
	return 0;
}

static int flash_part(struct sim_emmc *e, const char *dir, const struct unifw_scatter_part *p, const char *file,
		      const struct sim_flash_opts *o, struct unifw_error *err)
{
	char path[PATH_MAX];
	if (snprintf(path, sizeof path, "%s/%s", dir, file) >= (int)sizeof path || strstr(file, ".."))
		return unifw_error_set(err, UNIFW_E_UNSAFE, file, UNIFW_NO_OFFSET, "file name refused");
	int rc;
	if (is_boot_region(p)) {
		rc = write_preloader(e, path, err);
	} else {
		struct target t;
		rc = user_target(e, p, &t, err);
		if (rc == 0)
			rc = write_image(&t, path, err);
	}
	if (rc == 0 && o->progress)
		o->progress(o->ctx, p->name, 0);
	return rc;
}

/* What a factory line programs besides the package: the identity partitions (never downloaded by SP
 * Flash Tool) and USRDATA as the phone leaves it after its first boot (with /data/nvram). */
static const char *factory_file(const char *name)
{
	static const struct { const char *part, *file; } map[] = {
		{ "NVRAM", "factory/nvram.bin" }, { "PRO_INFO", "factory/pro_info.bin" }, { "PROTECT_F", "factory/protect_f.img" },
		{ "PROTECT_S", "factory/protect_s.img" }, { "USRDATA", "factory/userdata.img" },
	};
	for (size_t i = 0; i < sizeof map / sizeof *map; i++)
		if (!strcasecmp(map[i].part, name))
			return map[i].file;
	return NULL;
}

static bool file_exists(const char *dir, const char *file)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/%s", dir, file);
	return access(path, R_OK) == 0;
}

static const char *file_for(const char *dir, const struct unifw_scatter_part *p, const struct sim_flash_opts *o)
{
	if (o->factory && factory_file(p->name) && file_exists(dir, factory_file(p->name)))
		return factory_file(p->name);
	if (!p->is_download || !p->file_name[0] || !strcasecmp(p->file_name, "NONE"))
		return NULL;
	if (is_boot_region(p) && !o->with_preloader)
		return NULL;
	return p->file_name;
}

static int write_pmt(struct sim_emmc *e, const struct unifw_scatter *sc, struct unifw_error *err)
{
	struct unifw_pmt *pmt = calloc(1, sizeof *pmt);
	uint8_t *b = calloc(1, 2 * UNIFW_PMT_REGION_SIZE);
	int rc = 0;
	if (!pmt || !b)
		rc = unifw_error_set(err, UNIFW_E_NOMEM, "PMT", UNIFW_NO_OFFSET, "out of memory");
	for (size_t i = 0; rc == 0 && i < sc->count && pmt->count < UNIFW_PMT_MAX_ENTRIES; i++) {
		const struct unifw_scatter_part *p = &sc->parts[i];
		if (p->is_reserved || unifw_scatter_addr_is_from_end(p->linear_start) || !p->name[0])
			continue;
		struct unifw_pmt_entry *en = &pmt->entry[pmt->count++];
		snprintf(en->name, sizeof en->name, "%s", p->name);
		en->size = p->size;
		en->offset = p->linear_start; /* [I] the scatter's linear address (docs/sim.md) */
	}
	if (rc == 0) {
		memcpy(pmt->version, "1.0", 4);
		rc = unifw_pmt_build(pmt, b, 2 * UNIFW_PMT_REGION_SIZE, err);
	}
	if (rc == 0)
		rc = sim_emmc_write(e, SIM_PART_USER, unifw_pmt_location(sim_emmc_geometry(e)->size[SIM_PART_USER]), b,
				    2 * UNIFW_PMT_REGION_SIZE, err);
	free(pmt);
	free(b);
	return rc;
}

/* Load the package's scatter and check every target: a package that does not fit this phone is
 * refused before a byte is written. sc is loaded (caller frees) whenever 0 is returned. */
static int load_package(struct sim_emmc *e, const char *dir, const struct sim_flash_opts *o, struct unifw_scatter *sc,
			struct unifw_error *err)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/%s", dir, SIM_SCATTER_NAME);
	int rc = unifw_scatter_load(path, sc, err);
	if (rc)
		return rc;
	if (sc->storage[0] && strcasecmp(sc->storage, "EMMC"))
		rc = unifw_error_set(err, UNIFW_E_UNSUPPORTED, path, UNIFW_NO_OFFSET,
				     "storage %s: the virtual phone has an eMMC", sc->storage);
	for (size_t i = 0; rc == 0 && i < sc->count; i++) {
		const struct unifw_scatter_part *p = &sc->parts[i];
		struct target t;
		if (selected(o, p->name) && file_for(dir, p, o) && !is_boot_region(p))
			rc = user_target(e, p, &t, err);
	}
	if (rc)
		unifw_scatter_free(sc);
	return rc;
}

int sim_flash_package(struct sim_emmc *e, const char *dir, const struct sim_flash_opts *o, struct unifw_error *err)
{
	static const struct sim_flash_opts none = { 0 };
	if (!o)
		o = &none;
	struct unifw_scatter sc;
	int rc = load_package(e, dir, o, &sc, err);
	if (rc)
		return rc;
	for (size_t i = 0; rc == 0 && i < sc.count; i++) {
		const struct unifw_scatter_part *p = &sc.parts[i];
		const char *file = selected(o, p->name) ? file_for(dir, p, o) : NULL;
		if (file)
			rc = flash_part(e, dir, p, file, o, err);
	}
	if (rc == 0 && !o->only)
		rc = write_pmt(e, &sc, err);
	unifw_scatter_free(&sc);
	return rc;
}

int sim_format_all_download(struct sim_emmc *e, const char *dir, struct unifw_error *err)
{
	const struct sim_flash_opts download = { .with_preloader = true };
	struct unifw_scatter sc;
	int rc = load_package(e, dir, &download, &sc, err); /* a package that does not fit: nothing erased */
	if (rc == 0) {
		unifw_scatter_free(&sc);
		rc = sim_emmc_erase(e, SIM_PART_USER, 0, sim_emmc_geometry(e)->size[SIM_PART_USER], err);
	}
	if (rc == 0)
		rc = sim_flash_package(e, dir, &download, err);
	if (rc)
		unifw_error_prefix(err, "Format All + Download: ");
	return rc;
}

/* ------------------------------------------------------------------ a model's image */

int sim_emmc_fill_from_model(struct sim_emmc *e, const struct sim_model *m, uint64_t seed, struct unifw_error *err)
{
	const char *tmp = getenv("TMPDIR");
	char dir[PATH_MAX];
	snprintf(dir, sizeof dir, "%s/unifw-sim-stock-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir))
		return unifw_error_sys(err, dir, "cannot create a temporary directory");
	struct sim_factory_opts fo = { .seed = seed };
	int rc = sim_factory_make(m->stock, m, dir, &fo, err);
	struct sim_flash_opts flash = { .with_preloader = true, .factory = true };
	if (rc == 0)
		rc = sim_flash_package(e, dir, &flash, err);
	(void)unifw_remove_tree(dir);
	return rc;
}

int sim_emmc_create_from_model(const char *path, const struct sim_model *m, uint64_t seed, struct sim_emmc **out,
			       struct unifw_error *err)
{
	struct sim_emmc_geometry g;
	sim_model_geometry(m, &g);
	int rc = sim_emmc_create(path, &g, out, err);
	if (rc)
		return rc;
	rc = sim_emmc_fill_from_model(*out, m, seed, err);
	if (rc) {
		sim_emmc_close(*out);
		*out = NULL;
		unlink(path);
	}
	return rc;
}

/* ------------------------------------------------------------------ PMT lookups */

int sim_flash_locate(struct sim_emmc *e, const char *name, struct sim_flash_loc *loc, struct unifw_error *err)
{
	if (!strcasecmp(name, "PRELOADER")) {
		*loc = (struct sim_flash_loc){ SIM_PART_BOOT1, 0, sim_emmc_geometry(e)->size[SIM_PART_BOOT1] };
		return 0;
	}
	uint64_t user = sim_emmc_geometry(e)->size[SIM_PART_USER], br = sim_emmc_boot_region(e);
	uint8_t *b = malloc(2 * UNIFW_PMT_REGION_SIZE);
	struct unifw_pmt *pmt = malloc(sizeof *pmt);
	int rc = b && pmt ? 0 : unifw_error_set(err, UNIFW_E_NOMEM, "PMT", UNIFW_NO_OFFSET, "out of memory");
	if (rc == 0 && user < UNIFW_PMT_OFFSET_FROM_END + 2 * UNIFW_PMT_REGION_SIZE)
		rc = unifw_error_set(err, UNIFW_E_NOT_FOUND, "PMT", UNIFW_NO_OFFSET, "user area too small for a PMT");
	if (rc == 0)
		rc = sim_emmc_read(e, SIM_PART_USER, unifw_pmt_location(user), b, 2 * UNIFW_PMT_REGION_SIZE, err);
	if (rc == 0)
		rc = unifw_pmt_parse(b, 2 * UNIFW_PMT_REGION_SIZE, "PMT", pmt, err);
	const struct unifw_pmt_entry *hit = NULL;
	for (size_t i = 0; rc == 0 && i < UNIFW_PMT_MAX_ENTRIES && !hit; i++)
		if (pmt->entry[i].name[0] && !strcasecmp(pmt->entry[i].name, name))
			hit = &pmt->entry[i];
	if (rc == 0 && !hit)
		rc = unifw_error_set(err, UNIFW_E_NOT_FOUND, name, UNIFW_NO_OFFSET, "no PMT entry named %s", name);
	if (rc == 0 && (hit->offset < br || hit->offset - br > user || hit->size > user - (hit->offset - br)))
		rc = unifw_error_set(err, UNIFW_E_INVALID, name, UNIFW_NO_OFFSET,
				     "PMT entry 0x%llx+0x%llx does not lie in the user area", (unsigned long long)hit->offset,
				     (unsigned long long)hit->size);
	if (rc == 0)
		*loc = (struct sim_flash_loc){ SIM_PART_USER, hit->offset - br, hit->size };
	free(b);
	free(pmt);
	return rc;
}

int sim_flash_erase(struct sim_emmc *e, const char *name, struct unifw_error *err)
{
	/* "PMT": the table itself (primary + mirror where unifw_pmt_location puts them), for a phone whose
	 * PMT is gone; name it last, the other names are found through it. */
	if (!strcasecmp(name, "PMT")) {
		uint64_t user = sim_emmc_geometry(e)->size[SIM_PART_USER];
		if (user < UNIFW_PMT_OFFSET_FROM_END + 2 * UNIFW_PMT_REGION_SIZE)
			return unifw_error_set(err, UNIFW_E_NOT_FOUND, "PMT", UNIFW_NO_OFFSET, "user area too small for a PMT");
		return sim_emmc_erase(e, SIM_PART_USER, unifw_pmt_location(user), 2 * UNIFW_PMT_REGION_SIZE, err);
	}
	struct sim_flash_loc loc;
	int rc = sim_flash_locate(e, name, &loc, err);
	return rc ? rc : sim_emmc_erase(e, loc.part, loc.offset, loc.size, err);
}
