#include "unifw/error.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#define ELISION " [...]"

/* Cut a text that overflowed back to its last whole word and mark the cut. */
static void cut_at_word(char *buf, size_t cap)
{
	size_t mark = sizeof ELISION - 1;
	if (cap <= mark + 1)
		return; /* no room to say it: the plain truncation stands */
	size_t end = cap - 1 - mark;
	size_t keep = end;
	while (keep > end / 2 && buf[keep] != ' ') /* buf[end] is the first letter that would be cut */
		keep--;
	if (buf[keep] != ' ')
		keep = end; /* one huge word (a path): cut it, the marker still says so */
	while (keep > 0 && (buf[keep - 1] == ' ' || buf[keep - 1] == ',' || buf[keep - 1] == ':'))
		keep--;
	memcpy(buf + keep, ELISION, mark + 1);
}

bool unifw_vsnprintf_words(char *buf, size_t cap, const char *fmt, va_list ap)
{
	if (!cap)
		return false;
	int n = vsnprintf(buf, cap, fmt, ap);
	if (n < 0) {
		buf[0] = 0;
		return false;
	}
	if ((size_t)n < cap)
		return true;
	cut_at_word(buf, cap);
	return false;
}

bool unifw_snprintf_words(char *buf, size_t cap, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	bool whole = unifw_vsnprintf_words(buf, cap, fmt, ap);
	va_end(ap);
	return whole;
}

int unifw_error_setv(struct unifw_error *err, int code, const char *where, uint64_t offset,
		     const char *fmt, va_list ap)
{
	if (!err)
		return code;
	err->code = code;
	err->sys_errno = 0;
	err->offset = offset;
	snprintf(err->where, sizeof err->where, "%s", where ? where : "");
	unifw_vsnprintf_words(err->msg, sizeof err->msg, fmt, ap);
	return code;
}

int unifw_error_set(struct unifw_error *err, int code, const char *where, uint64_t offset,
		    const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	unifw_error_setv(err, code, where, offset, fmt, ap);
	va_end(ap);
	return code;
}

int unifw_error_sys(struct unifw_error *err, const char *where, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;
	char what[384];

	va_start(ap, fmt);
	unifw_vsnprintf_words(what, sizeof what, fmt, ap);
	va_end(ap);
	unifw_error_set(err, UNIFW_E_IO, where, UNIFW_NO_OFFSET, "%s: %s", what, strerror(saved));
	if (err)
		err->sys_errno = saved;
	errno = saved;
	return UNIFW_E_IO;
}

void unifw_error_where(struct unifw_error *err, const char *where)
{
	if (err && where && !err->where[0])
		snprintf(err->where, sizeof err->where, "%s", where);
}

void unifw_error_prefix(struct unifw_error *err, const char *fmt, ...)
{
	char head[256], msg[sizeof err->msg];
	va_list ap;

	if (!err)
		return;
	va_start(ap, fmt);
	unifw_vsnprintf_words(head, sizeof head, fmt, ap);
	va_end(ap);
	memcpy(msg, err->msg, sizeof msg);
	unifw_snprintf_words(err->msg, sizeof err->msg, "%s%s", head, msg);
}

void unifw_error_clear(struct unifw_error *err)
{
	if (!err)
		return;
	memset(err, 0, sizeof *err);
	err->offset = UNIFW_NO_OFFSET;
}

const char *unifw_status_name(int code)
{
	switch (code) {
	case UNIFW_OK: return "ok";
	case UNIFW_E_IO: return "io";
	case UNIFW_E_FORMAT: return "format";
	case UNIFW_E_TRUNCATED: return "truncated";
	case UNIFW_E_TOO_BIG: return "too-big";
	case UNIFW_E_NOMEM: return "no-memory";
	case UNIFW_E_INVALID: return "invalid";
	case UNIFW_E_UNSUPPORTED: return "unsupported";
	case UNIFW_E_NOT_FOUND: return "not-found";
	case UNIFW_E_UNSAFE: return "unsafe";
	case UNIFW_E_DEVICE: return "device";
	case UNIFW_E_TIMEOUT: return "timeout";
	case UNIFW_E_LIBRARY: return "library";
	case UNIFW_E_BAD_PORT: return "bad-port";
	case UNIFW_E_CANCELLED: return "cancelled";
	}
	return "unknown";
}

const char *unifw_error_format(const struct unifw_error *err, char *buf, size_t len)
{
	if (!err || !len)
		return "";
	if (err->where[0] && err->offset != UNIFW_NO_OFFSET)
		snprintf(buf, len, "%s: offset 0x%llx: %s", err->where, (unsigned long long)err->offset, err->msg);
	else if (err->where[0])
		snprintf(buf, len, "%s: %s", err->where, err->msg);
	else if (err->offset != UNIFW_NO_OFFSET)
		snprintf(buf, len, "offset 0x%llx: %s", (unsigned long long)err->offset, err->msg);
	else
		snprintf(buf, len, "%s", err->msg);
	return buf;
}
