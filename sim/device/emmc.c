/* The virtual phone's eMMC: a sparse image file plus a geometry footer (see emmc.h). */
#include "emmc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "unifw/io.h"
#include "util/bytes.h"

#define FOOTER_MAGIC "UNIFW-SIM-EMMC"
#define FOOTER_VERSION 1u
#define FOOTER_SIZES_OFF 0x18u
#define FOOTER_CID_OFF 0x58u
#define FOOTER_FWVER_OFF 0x68u
#define FOOTER_CRC_OFF 0x70u
/* Added later, outside the first CRC so that older images (zeros here) stay valid: the model the
 * image was made from, "MODL", name[32] NUL-padded, CRC-32 of 0x80..0xA3. */
#define FOOTER_MODEL_OFF 0x80u
#define FOOTER_MODEL_MAGIC "MODL"
#define FOOTER_MODEL_NAME_LEN 32u
#define FOOTER_MODEL_CRC_OFF (FOOTER_MODEL_OFF + 4u + FOOTER_MODEL_NAME_LEN)

struct sim_emmc {
	int fd;
	struct sim_emmc_geometry geom;
	uint64_t offset[SIM_PART_COUNT];
	uint64_t data_end; /* = footer offset */
	char path[PATH_MAX];
};

void sim_emmc_default_geometry(struct sim_emmc_geometry *g)
{
	/* Samsung KMN5U000ZM (Lenovo A516): MID 0x15, CBX 01, OID 00, PNM "N5U00M"; the rest
	 * (PRV, serial, date) is made up; the last byte carries the CID's CRC7 as eMMC requires. */
	static const uint8_t cid[15] = { 0x15, 0x01, 0x00, 'N', '5', 'U', '0', '0', 'M',
					 0x10, 0x5A, 0x17, 0x6A, 0x2C, 0xB3 };
	memset(g, 0, sizeof *g);
	g->size[SIM_PART_BOOT1] = 4u << 20;
	g->size[SIM_PART_BOOT2] = 4u << 20;
	g->size[SIM_PART_RPMB] = 4u << 20;
	g->size[SIM_PART_USER] = UINT64_C(3728) << 20;
	memcpy(g->cid, cid, sizeof cid);
	uint8_t crc = 0;
	for (size_t i = 0; i < sizeof cid; i++)
		for (int bit = 7; bit >= 0; bit--) {
			uint8_t in = (uint8_t)((cid[i] >> bit) & 1);
			uint8_t top = (uint8_t)((crc >> 6) & 1);
			crc = (uint8_t)((crc << 1) & 0x7F);
			if (in ^ top)
				crc ^= 0x09; /* CRC7 polynomial x^7 + x^3 + 1 */
		}
	g->cid[15] = (uint8_t)(crc << 1 | 1);
	memcpy(g->fwver, "\x00\x00\x00\x00\x00\x00\x00\x01", 8);
}

int sim_emmc_check_geometry(const struct sim_emmc_geometry *g, struct unifw_error *err)
{
	for (unsigned p = 1; p < SIM_PART_COUNT; p++) {
		if (g->size[p] % SIM_DA_SECTOR)
			return unifw_error_set(err, UNIFW_E_INVALID, "emmc geometry", UNIFW_NO_OFFSET,
					       "partition %u size 0x%llx: expected a multiple of 512", p,
					       (unsigned long long)g->size[p]);
		if (g->size[p] > SIM_EMMC_MAX_PART)
			return unifw_error_set(err, UNIFW_E_TOO_BIG, "emmc geometry", UNIFW_NO_OFFSET,
					       "partition %u size 0x%llx: expected at most 0x%llx", p,
					       (unsigned long long)g->size[p], (unsigned long long)SIM_EMMC_MAX_PART);
	}
	if (g->size[SIM_PART_USER] == 0)
		return unifw_error_set(err, UNIFW_E_INVALID, "emmc geometry", UNIFW_NO_OFFSET,
				       "user area size 0: expected a user area");
	return 0;
}

static void compute_offsets(struct sim_emmc *e)
{
	/* File order: boot1, boot2, rpmb, gp1..gp4, user (the enum order); sizes are checked
	 * against SIM_EMMC_MAX_PART so the sum cannot overflow. */
	uint64_t pos = 0;
	for (unsigned p = 1; p < SIM_PART_COUNT; p++) {
		e->offset[p] = pos;
		pos += e->geom.size[p];
	}
	e->data_end = pos;
}

void sim_emmc_footer_encode(const struct sim_emmc_geometry *g, uint8_t *f)
{
	memset(f, 0, SIM_EMMC_FOOTER_LEN);
	memcpy(f, FOOTER_MAGIC, sizeof FOOTER_MAGIC - 1);
	put_le32(f + 0x10, FOOTER_VERSION);
	put_le32(f + 0x14, SIM_EMMC_FOOTER_LEN);
	for (unsigned p = 1; p < SIM_PART_COUNT; p++)
		put_le64(f + FOOTER_SIZES_OFF + (p - 1) * 8, g->size[p]);
	memcpy(f + FOOTER_CID_OFF, g->cid, 16);
	memcpy(f + FOOTER_FWVER_OFF, g->fwver, 8);
	put_le32(f + FOOTER_CRC_OFF, (uint32_t)crc32(0, f, FOOTER_CRC_OFF));
	if (g->model[0]) {
		memcpy(f + FOOTER_MODEL_OFF, FOOTER_MODEL_MAGIC, 4);
		size_t n = strnlen(g->model, FOOTER_MODEL_NAME_LEN - 1);
		memcpy(f + FOOTER_MODEL_OFF + 4, g->model, n);
		put_le32(f + FOOTER_MODEL_CRC_OFF,
			 (uint32_t)crc32(0, f + FOOTER_MODEL_OFF, FOOTER_MODEL_CRC_OFF - FOOTER_MODEL_OFF));
	}
}

/* The optional model block: absent (all zero) in images made without --model. */
static int decode_model(const uint8_t *f, struct sim_emmc_geometry *g, const char *where, uint64_t footer_off,
			struct unifw_error *err)
{
	if (memcmp(f + FOOTER_MODEL_OFF, FOOTER_MODEL_MAGIC, 4) != 0)
		return 0;
	uint32_t crc = 0;
	get_le32(f, SIM_EMMC_FOOTER_LEN, FOOTER_MODEL_CRC_OFF, &crc);
	uint32_t want = (uint32_t)crc32(0, f + FOOTER_MODEL_OFF, FOOTER_MODEL_CRC_OFF - FOOTER_MODEL_OFF);
	if (crc != want)
		return unifw_error_set(err, UNIFW_E_FORMAT, where, footer_off + FOOTER_MODEL_CRC_OFF,
				       "footer model block CRC32 0x%08x does not match its bytes (0x%08x)", crc, want);
	const uint8_t *name = f + FOOTER_MODEL_OFF + 4;
	size_t n = unifw_fieldlen(name, FOOTER_MODEL_NAME_LEN);
	for (size_t i = 0; i < n; i++)
		if (name[i] < 0x21 || name[i] > 0x7E || n == FOOTER_MODEL_NAME_LEN)
			return unifw_error_set(err, UNIFW_E_FORMAT, where, footer_off + FOOTER_MODEL_OFF + 4 + i,
					       "footer model name: expected printable ASCII ending in NUL");
	memcpy(g->model, name, n);
	g->model[n] = 0;
	return 0;
}

int sim_emmc_footer_decode(const uint8_t *f, size_t len, struct sim_emmc_geometry *g, const char *where,
			   uint64_t footer_off, struct unifw_error *err)
{
	uint32_t version, flen, crc;
	if (len < SIM_EMMC_FOOTER_LEN)
		return unifw_error_set(err, UNIFW_E_TRUNCATED, where, footer_off,
				       "eMMC image footer: expected %u bytes, found %zu", SIM_EMMC_FOOTER_LEN, len);
	if (memcmp(f, FOOTER_MAGIC, sizeof FOOTER_MAGIC - 1) != 0)
		return unifw_error_set(err, UNIFW_E_FORMAT, where, footer_off,
				       "expected the unifw-sim eMMC footer magic \"%s\", found other bytes "
				       "(not an image made by unifw-sim?)", FOOTER_MAGIC);
	get_le32(f, len, 0x10, &version);
	get_le32(f, len, 0x14, &flen);
	get_le32(f, len, FOOTER_CRC_OFF, &crc);
	if (version != FOOTER_VERSION || flen != SIM_EMMC_FOOTER_LEN)
		return unifw_error_set(err, UNIFW_E_UNSUPPORTED, where, footer_off + 0x10,
				       "footer version %u length %u: expected version %u length %u", version, flen,
				       FOOTER_VERSION, SIM_EMMC_FOOTER_LEN);
	if (crc != (uint32_t)crc32(0, f, FOOTER_CRC_OFF))
		return unifw_error_set(err, UNIFW_E_FORMAT, where, footer_off + FOOTER_CRC_OFF,
				       "footer CRC32 0x%08x does not match its bytes (0x%08x)", crc,
				       (uint32_t)crc32(0, f, FOOTER_CRC_OFF));
	memset(g, 0, sizeof *g);
	for (unsigned p = 1; p < SIM_PART_COUNT; p++)
		get_le64(f, len, FOOTER_SIZES_OFF + (p - 1) * 8, &g->size[p]);
	memcpy(g->cid, f + FOOTER_CID_OFF, 16);
	memcpy(g->fwver, f + FOOTER_FWVER_OFF, 8);
	int rc = decode_model(f, g, where, footer_off, err);
	if (rc)
		return rc;
	rc = sim_emmc_check_geometry(g, err);
	if (rc)
		unifw_error_prefix(err, "%s footer: ", where);
	return rc;
}

static int pread_all(int fd, void *buf, size_t len, uint64_t off)
{
	uint8_t *p = buf;
	while (len) {
		ssize_t r = pread(fd, p, len, (off_t)off);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0) { /* past EOF inside the data area: a hole never written reads as zeros */
			memset(p, 0, len);
			return 0;
		}
		p += r;
		len -= (size_t)r;
		off += (uint64_t)r;
	}
	return 0;
}

static int setup_new(struct sim_emmc *e, const struct sim_emmc_geometry *g, struct unifw_error *err)
{
	e->geom = *g;
	compute_offsets(e);
	uint8_t footer[SIM_EMMC_FOOTER_LEN];
	sim_emmc_footer_encode(g, footer);
	if (ftruncate(e->fd, (off_t)(e->data_end + SIM_EMMC_FOOTER_LEN)) != 0)
		return unifw_error_sys(err, e->path, "cannot size the eMMC image to %llu bytes",
				       (unsigned long long)(e->data_end + SIM_EMMC_FOOTER_LEN));
	if (unifw_fd_pwrite_all(e->fd, footer, sizeof footer, e->data_end, NULL, NULL) != 0)
		return unifw_error_sys(err, e->path, "cannot write the eMMC image footer");
	return 0;
}

int sim_emmc_create(const char *path, const struct sim_emmc_geometry *g, struct sim_emmc **out,
		    struct unifw_error *err)
{
	int rc = sim_emmc_check_geometry(g, err);
	if (rc)
		return rc;
	struct sim_emmc *e = calloc(1, sizeof *e);
	if (!e)
		return unifw_error_set(err, UNIFW_E_NOMEM, path, UNIFW_NO_OFFSET, "out of memory");
	snprintf(e->path, sizeof e->path, "%s", path);
	e->fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (e->fd < 0) {
		rc = unifw_error_sys(err, path, "cannot create the eMMC image");
		free(e);
		return rc;
	}
	rc = setup_new(e, g, err);
	if (rc) {
		sim_emmc_close(e);
		unlink(path);
		return rc;
	}
	*out = e;
	return 0;
}

int sim_emmc_create_temp(const struct sim_emmc_geometry *g, struct sim_emmc **out, struct unifw_error *err)
{
	int rc = sim_emmc_check_geometry(g, err);
	if (rc)
		return rc;
	struct sim_emmc *e = calloc(1, sizeof *e);
	if (!e)
		return unifw_error_set(err, UNIFW_E_NOMEM, "temporary eMMC", UNIFW_NO_OFFSET, "out of memory");
	const char *tmp = getenv("TMPDIR");
	snprintf(e->path, sizeof e->path, "%s/unifw-sim-emmc-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	e->fd = mkostemp(e->path, O_CLOEXEC);
	if (e->fd < 0) {
		rc = unifw_error_sys(err, e->path, "cannot create a temporary eMMC image");
		free(e);
		return rc;
	}
	unlink(e->path); /* anonymous: gone when closed */
	rc = setup_new(e, g, err);
	if (rc) {
		sim_emmc_close(e);
		return rc;
	}
	snprintf(e->path, sizeof e->path, "(temporary)");
	*out = e;
	return 0;
}

int sim_emmc_open(const char *path, struct sim_emmc **out, struct unifw_error *err)
{
	struct sim_emmc *e = calloc(1, sizeof *e);
	if (!e)
		return unifw_error_set(err, UNIFW_E_NOMEM, path, UNIFW_NO_OFFSET, "out of memory");
	snprintf(e->path, sizeof e->path, "%s", path);
	int rc;
	struct stat st;
	e->fd = open(path, O_RDWR | O_CLOEXEC);
	if (e->fd < 0 || fstat(e->fd, &st) != 0) {
		rc = unifw_error_sys(err, path, "cannot open the eMMC image");
		goto fail;
	}
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size < SIM_EMMC_FOOTER_LEN) {
		rc = unifw_error_set(err, UNIFW_E_TRUNCATED, path, 0,
				     "eMMC image of %lld bytes: expected a regular file with a %u-byte footer",
				     (long long)st.st_size, SIM_EMMC_FOOTER_LEN);
		goto fail;
	}
	uint64_t foff = (uint64_t)st.st_size - SIM_EMMC_FOOTER_LEN;
	uint8_t footer[SIM_EMMC_FOOTER_LEN];
	if (pread_all(e->fd, footer, sizeof footer, foff) != 0) {
		rc = unifw_error_sys(err, path, "cannot read the eMMC image footer");
		goto fail;
	}
	rc = sim_emmc_footer_decode(footer, sizeof footer, &e->geom, path, foff, err);
	if (rc)
		goto fail;
	compute_offsets(e);
	if (e->data_end != foff) {
		rc = unifw_error_set(err, UNIFW_E_FORMAT, path, foff,
				     "footer describes 0x%llx bytes of partitions, the file holds 0x%llx before it",
				     (unsigned long long)e->data_end, (unsigned long long)foff);
		goto fail;
	}
	*out = e;
	return 0;
fail:
	if (e->fd >= 0)
		close(e->fd);
	free(e);
	return rc;
}

int sim_emmc_flush(struct sim_emmc *e, struct unifw_error *err)
{
	if (fsync(e->fd) != 0)
		return unifw_error_sys(err, e->path, "fsync failed");
	return 0;
}

void sim_emmc_close(struct sim_emmc *e)
{
	if (!e)
		return;
	if (e->fd >= 0)
		close(e->fd);
	free(e);
}

const struct sim_emmc_geometry *sim_emmc_geometry(const struct sim_emmc *e) { return &e->geom; }
const char *sim_emmc_path(const struct sim_emmc *e) { return e->path; }

uint64_t sim_emmc_part_offset(const struct sim_emmc *e, unsigned part)
{
	return part > 0 && part < SIM_PART_COUNT ? e->offset[part] : UINT64_MAX;
}

static int check_range(struct sim_emmc *e, unsigned part, uint64_t off, uint64_t len, struct unifw_error *err)
{
	if (sim_range_ok(&e->geom, part, off, len))
		return 0;
	return unifw_error_set(err, UNIFW_E_INVALID, e->path, off,
			       "partition %u access [0x%llx, +0x%llx): expected inside its 0x%llx bytes", part,
			       (unsigned long long)off, (unsigned long long)len,
			       (unsigned long long)(part < SIM_PART_COUNT ? e->geom.size[part] : 0));
}

int sim_emmc_read(struct sim_emmc *e, unsigned part, uint64_t off, void *buf, size_t len, struct unifw_error *err)
{
	int rc = check_range(e, part, off, len, err);
	if (rc)
		return rc;
	if (pread_all(e->fd, buf, len, e->offset[part] + off) != 0)
		return unifw_error_sys(err, e->path, "read of partition %u at 0x%llx failed", part,
				       (unsigned long long)off);
	return 0;
}

int sim_emmc_write(struct sim_emmc *e, unsigned part, uint64_t off, const void *buf, size_t len,
		   struct unifw_error *err)
{
	int rc = check_range(e, part, off, len, err);
	if (rc)
		return rc;
	if (unifw_fd_pwrite_all(e->fd, buf, len, e->offset[part] + off, NULL, NULL) != 0)
		return unifw_error_sys(err, e->path, "write of partition %u at 0x%llx failed", part,
				       (unsigned long long)off);
	return 0;
}

static int write_zeros(struct sim_emmc *e, uint64_t pos, uint64_t len)
{
	static const uint8_t zeros[65536];
	while (len) {
		size_t n = len < sizeof zeros ? (size_t)len : sizeof zeros;
		if (unifw_fd_pwrite_all(e->fd, zeros, n, pos, NULL, NULL) != 0)
			return -1;
		pos += n;
		len -= n;
	}
	return 0;
}

int sim_emmc_erase(struct sim_emmc *e, unsigned part, uint64_t off, uint64_t len, struct unifw_error *err)
{
	int rc = check_range(e, part, off, len, err);
	if (rc || len == 0)
		return rc;
	uint64_t pos = e->offset[part] + off;
	/* Punching a hole keeps the image sparse; filesystems without it get zeros written. */
	if (fallocate(e->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)pos, (off_t)len) == 0)
		return 0;
	if (write_zeros(e, pos, len) != 0)
		return unifw_error_sys(err, e->path, "erase of partition %u at 0x%llx failed", part,
				       (unsigned long long)off);
	return 0;
}

static int st_read(void *ctx, unsigned part, uint64_t off, void *buf, size_t len)
{
	return sim_emmc_read(ctx, part, off, buf, len, NULL);
}

static int st_write(void *ctx, unsigned part, uint64_t off, const void *buf, size_t len)
{
	return sim_emmc_write(ctx, part, off, buf, len, NULL);
}

static int st_erase(void *ctx, unsigned part, uint64_t off, uint64_t len)
{
	return sim_emmc_erase(ctx, part, off, len, NULL);
}

struct sim_storage sim_emmc_storage(struct sim_emmc *e)
{
	return (struct sim_storage){ .ctx = e, .geom = &e->geom, .read = st_read, .write = st_write,
				     .erase = st_erase };
}
