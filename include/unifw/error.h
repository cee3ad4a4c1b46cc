/* unifw — error type shared by every layer.
 * A failing function returns a negative unifw_status and fills a struct unifw_error that says
 * what failed, where (file or partition, byte offset) and what was expected versus found.
 * Nothing in libunifw prints; the CLI renders errors. */
#ifndef UNIFW_ERROR_H
#define UNIFW_ERROR_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

enum unifw_status {
	UNIFW_OK = 0,
	UNIFW_E_IO = -1,          /* read/write/open failed (errno in err->sys_errno) */
	UNIFW_E_FORMAT = -2,      /* bytes do not match the format */
	UNIFW_E_TRUNCATED = -3,   /* input ends before a structure does */
	UNIFW_E_TOO_BIG = -4,     /* size beyond a sane or configured limit */
	UNIFW_E_NOMEM = -5,
	UNIFW_E_INVALID = -6,     /* bad argument from the caller / user */
	UNIFW_E_UNSUPPORTED = -7, /* valid input we do not handle (yet) */
	UNIFW_E_NOT_FOUND = -8,   /* a named thing (file, partition, entry) is absent */
	UNIFW_E_UNSAFE = -9,      /* refused by a safety rule (path escape, wrong EMI, IMEI) */
	UNIFW_E_DEVICE = -10,     /* the device answered something unexpected */
	UNIFW_E_TIMEOUT = -11,
	UNIFW_E_LIBRARY = -12,    /* a library (libarchive, libext2fs, zlib...) failed */
	UNIFW_E_BAD_PORT = -13,   /* a --port string that is none of the accepted forms (a usage error;
				   * a well-formed port whose device is absent is NOT_FOUND, IO or TIMEOUT) */
	UNIFW_E_CANCELLED = -14,  /* the user stopped the job (Ctrl-C, SIGTERM) at a safe point */
};

#define UNIFW_NO_OFFSET UINT64_MAX

struct unifw_error {
	int code;                 /* enum unifw_status */
	int sys_errno;            /* errno at the time, 0 if not a system error */
	uint64_t offset;          /* byte offset in `where`, UNIFW_NO_OFFSET if none */
	char where[256];          /* file path, partition or archive member */
	char msg[512];            /* what failed, expected vs found */
};

/* Fill *err (if err is non-NULL) and return code. where may be NULL. */
int unifw_error_set(struct unifw_error *err, int code, const char *where, uint64_t offset,
		    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
int unifw_error_setv(struct unifw_error *err, int code, const char *where, uint64_t offset,
		     const char *fmt, va_list ap) __attribute__((format(printf, 5, 0)));
/* Same, with errno captured from the caller's context. */
int unifw_error_sys(struct unifw_error *err, const char *where, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Set `where` only if the error has none yet (an outer layer naming the file an inner parser read). */
void unifw_error_where(struct unifw_error *err, const char *where);
/* Prefix the message with context, e.g. "partition ANDROID: " */
void unifw_error_prefix(struct unifw_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* vsnprintf for text people read (error messages, plan reasons; they reach --json too): when the text
 * does not fit, it ends at the last whole word that does, followed by " [...]", never mid-word.
 * Returns true when the whole text fitted. */
bool unifw_vsnprintf_words(char *buf, size_t cap, const char *fmt, va_list ap) __attribute__((format(printf, 3, 0)));
bool unifw_snprintf_words(char *buf, size_t cap, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
void unifw_error_clear(struct unifw_error *err);
const char *unifw_status_name(int code);
/* "file: offset 0x1c: message" into buf; returns buf. */
const char *unifw_error_format(const struct unifw_error *err, char *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif
