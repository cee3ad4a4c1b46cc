/* Second reads compared with the file of the first (reread.h). */
#include "ops/reread.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int ops_reread_phone(void *ph, enum unifw_phone_part part, uint64_t off, uint64_t len, unifw_phone_sink sink,
		     void *sink_ctx, struct unifw_error *err)
{
	return unifw_phone_read(ph, part, off, len, sink, sink_ctx, err);
}

struct into {
	uint8_t *buf;
	size_t len, got;
};

static int take_into(void *ctx, const uint8_t *data, size_t len, uint64_t off, struct unifw_error *err)
{
	struct into *b = ctx;
	(void)off;
	if (len > b->len - b->got)
		return unifw_error_set(err, UNIFW_E_DEVICE, "phone", UNIFW_NO_OFFSET,
				       "the phone sent %zu bytes more than the %zu asked for", len - (b->len - b->got), b->len);
	memcpy(b->buf + b->got, data, len);
	b->got += len;
	return 0;
}

int ops_read_into(ops_read_fn read, void *ctx, enum unifw_phone_part part, uint64_t off, uint8_t *buf, size_t len,
		  struct unifw_error *err)
{
	struct into b = {.buf = buf, .len = len};
	int rc = read(ctx, part, off, len, take_into, &b, err);
	if (!rc && b.got != len)
		rc = unifw_error_set(err, UNIFW_E_DEVICE, unifw_phone_part_name(part), off, "read %zu of %zu bytes",
				     b.got, len);
	return rc;
}

struct compare {
	int fd;
	uint64_t file_off, got, len;
	const char *path;
	uint8_t *buf;
	size_t cap;
	const struct unifw_progress *progress;
	struct ops_reread *out;
};

/* Up to n bytes of the file at off into buf; fewer only at its end. */
static int file_bytes(struct compare *c, uint64_t off, size_t n, size_t *have, struct unifw_error *err)
{
	*have = 0;
	while (*have < n) {
		ssize_t r = pread(c->fd, c->buf + *have, n - *have, (off_t)(off + *have));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return unifw_error_sys(err, c->path, "cannot read back at 0x%llx", (unsigned long long)(off + *have));
		if (r == 0)
			break;
		*have += (size_t)r;
	}
	return 0;
}

static int compare_data(void *ctx, const uint8_t *data, size_t len, uint64_t off, struct unifw_error *err)
{
	struct compare *c = ctx;
	(void)off; /* counted here: packets come in order */
	if (len > c->len - c->got)
		return unifw_error_set(err, UNIFW_E_DEVICE, c->path, c->got,
				       "the phone sent %zu bytes more than the %llu asked for", len - (size_t)(c->len - c->got),
				       (unsigned long long)c->len);
	if (c->out->first_diff == UINT64_MAX) {
		if (len > c->cap) {
			uint8_t *p = realloc(c->buf, len);
			if (!p)
				return unifw_error_set(err, UNIFW_E_NOMEM, c->path, UNIFW_NO_OFFSET, "out of memory");
			c->buf = p;
			c->cap = len;
		}
		size_t have;
		int rc = file_bytes(c, c->file_off + c->got, len, &have, err);
		if (rc)
			return rc;
		for (size_t i = 0; i < len; i++)
			if (i >= have || c->buf[i] != data[i]) {
				c->out->first_diff = c->got + i;
				c->out->file_byte = i < have ? c->buf[i] : -1;
				c->out->phone_byte = data[i];
				break;
			}
	}
	c->got += len;
	unifw_progress_update(c->progress, c->got);
	return 0;
}

int ops_reread_compare(ops_read_fn read, void *ctx, enum unifw_phone_part part, uint64_t off, uint64_t len, int fd,
		       uint64_t file_off, const char *path, const struct unifw_progress *progress, struct ops_reread *out,
		       struct unifw_error *err)
{
	struct compare c = {.fd = fd, .file_off = file_off, .len = len, .path = path, .progress = progress, .out = out};
	out->first_diff = UINT64_MAX;
	out->file_byte = -1;
	out->phone_byte = 0;
	int rc = len ? read(ctx, part, off, len, compare_data, &c, err) : 0;
	if (!rc && c.got != len)
		rc = unifw_error_set(err, UNIFW_E_DEVICE, path, c.got, "read again %llu of %llu bytes",
				     (unsigned long long)c.got, (unsigned long long)len);
	free(c.buf);
	return rc;
}
