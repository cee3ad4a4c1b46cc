/* Content hashes of catalog entries (docs/catalog.md "Content hash"): what makes two adds of the same
 * firmware one entry, wherever the copies lie and whatever they are called.
 *   archive or other file: SHA-256 of the file's bytes, streamed once before the package is opened, so
 *     that a file already indexed is skipped without being read a second time;
 *   folder: SHA-256 over its files sorted by relative path (byte order), each contributing its path, a
 *     NUL, its size in decimal, a NUL and its own 32-byte SHA-256 (the package layer hashes them). */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "catalog/catalog_internal.h"
#include "unifw/hash.h"
#include "unifw/package.h"
#include "unifw/progress.h"

#define HASH_BLOCK (1u << 20)

int catalog_hash_file(const char *path, const struct unifw_progress *progress, uint8_t out[32], uint64_t *size,
		      struct unifw_error *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return unifw_error_sys(err, path, "open");
	struct stat st;
	uint8_t *buf = malloc(HASH_BLOCK);
	struct unifw_sha256 h = {0};
	int rc = fstat(fd, &st) < 0 ? unifw_error_sys(err, path, "stat") : 0;
	if (!rc && !buf)
		rc = unifw_error_set(err, UNIFW_E_NOMEM, path, UNIFW_NO_OFFSET, "out of memory");
	if (!rc && unifw_sha256_init(&h) < 0)
		rc = unifw_error_set(err, UNIFW_E_LIBRARY, path, UNIFW_NO_OFFSET, "SHA-256 context");
	if (rc) {
		free(buf);
		close(fd);
		return rc;
	}
	/* the whole file is read now: the package opening that may follow finds it in the page cache */
	posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	unifw_progress_begin(progress, "hash", path, (uint64_t)st.st_size);
	uint64_t done = 0;
	for (;;) {
		ssize_t n = read(fd, buf, HASH_BLOCK);
		if (n < 0) {
			rc = unifw_error_sys(err, path, "read");
			err->offset = done;
			break;
		}
		if (n == 0)
			break;
		unifw_sha256_update(&h, buf, (size_t)n);
		done += (uint64_t)n;
		unifw_progress_update(progress, done);
	}
	unifw_sha256_final(&h, out);
	unifw_progress_end(progress, rc, NULL);
	free(buf);
	close(fd);
	*size = done;
	return rc;
}

static int by_path(const void *a, const void *b)
{
	const struct unifw_package_item *x = *(const struct unifw_package_item *const *)a;
	const struct unifw_package_item *y = *(const struct unifw_package_item *const *)b;
	return strcmp(x->path, y->path);
}

int catalog_hash_folder(const struct unifw_package *p, uint8_t out[32], uint64_t *size, struct unifw_error *err)
{
	const struct unifw_package_item **sorted = calloc(p->item_count ? p->item_count : 1, sizeof *sorted);
	if (!sorted)
		return unifw_error_set(err, UNIFW_E_NOMEM, p->path, UNIFW_NO_OFFSET, "out of memory");
	for (size_t i = 0; i < p->item_count; i++)
		sorted[i] = &p->items[i];
	qsort(sorted, p->item_count, sizeof *sorted, by_path);
	struct unifw_sha256 h;
	if (unifw_sha256_init(&h) < 0) {
		free(sorted);
		return unifw_error_set(err, UNIFW_E_LIBRARY, p->path, UNIFW_NO_OFFSET, "SHA-256 context");
	}
	uint64_t total = 0;
	int rc = 0;
	for (size_t i = 0; i < p->item_count && !rc; i++) {
		const struct unifw_package_item *it = sorted[i];
		if (!it->has_sha256) {
			rc = unifw_error_set(err, UNIFW_E_IO, p->path, UNIFW_NO_OFFSET,
					     "%s could not be hashed (%s): the folder has no content hash", it->path,
					     it->error ? it->error : "not read");
			break;
		}
		char sz[24];
		int n = snprintf(sz, sizeof sz, "%llu", (unsigned long long)it->size);
		unifw_sha256_update(&h, it->path, strlen(it->path) + 1);
		unifw_sha256_update(&h, sz, (size_t)n + 1);
		unifw_sha256_update(&h, it->sha256, 32);
		total += it->size;
	}
	unifw_sha256_final(&h, out);
	free(sorted);
	*size = total;
	return rc;
}
