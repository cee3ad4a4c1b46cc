/* A second read of a range of the phone compared byte for byte with the file a first read made of it.
 * A READ packet carries only a 16-bit sum of its bytes: two errors that cancel in the sum pass it. Data
 * that cannot be read again later (the identity partitions before a flash or format, the part of an
 * interrupted backup already on disk) is therefore read twice, and a difference is named to the byte.
 * Used by backup.c and flash.c. */
#ifndef UNIFW_OPS_REREAD_H
#define UNIFW_OPS_REREAD_H

#include <stdint.h>

#include "unifw/error.h"
#include "unifw/phone.h"
#include "unifw/progress.h"

/* How the range is read: unifw_phone_read's shape with the phone as void * (ops_reread_phone), or a
 * flash device's read. */
typedef int (*ops_read_fn)(void *ctx, enum unifw_phone_part part, uint64_t off, uint64_t len, unifw_phone_sink sink,
			   void *sink_ctx, struct unifw_error *err);
int ops_reread_phone(void *ph, enum unifw_phone_part part, uint64_t off, uint64_t len, unifw_phone_sink sink,
		     void *sink_ctx, struct unifw_error *err);

/* Read exactly len bytes of part at off into buf (a phone that sends more or fewer is an error). */
int ops_read_into(ops_read_fn read, void *ctx, enum unifw_phone_part part, uint64_t off, uint8_t *buf, size_t len,
		  struct unifw_error *err);

struct ops_reread {
	uint64_t first_diff;   /* offset in the range of the first byte that differs; UINT64_MAX: none */
	int file_byte;         /* the file's byte there (-1: the file ends before it) */
	uint8_t phone_byte;    /* what the second read returned there */
};

/* Read [off, off+len) of part again and compare it with len bytes of fd from file_off (path for errors).
 * The whole range is read even after a difference (a READ stopped in the middle leaves the link out of
 * step). Returns 0 with the verdict in *out, or an error of the read or of the file. progress: update()
 * with bytes compared (begin/end are the caller's). */
int ops_reread_compare(ops_read_fn read, void *ctx, enum unifw_phone_part part, uint64_t off, uint64_t len, int fd,
		       uint64_t file_off, const char *path, const struct unifw_progress *progress, struct ops_reread *out,
		       struct unifw_error *err);

#endif
