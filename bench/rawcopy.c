/* The baseline of bench/backup.sh and bench/flash.sh: a raw copy of byte ranges of a file through a
 * Unix stream socket pair into another file, made durable with fsync, timed from the fork to the end of
 * the fsync.
 *
 *   rawcopy [--stream] [--no-sync] SRC DST OFFSET:LENGTH...   prints "bytes seconds"
 *   rawcopy --warm MIB                                         touches MIB of memory and frees it
 *
 * One process plays the phone: it reads the ranges with pread into a 1 MiB buffer and writes them
 * to the socket (what unifw-sim does for READ, without the protocol). The other plays the host: it
 * reads the socket into a 1 MiB buffer and writes what came to DST, then fsyncs (what unifw backup
 * does, without checksums, SHA-256, read-back, journal). Both use the kernel's default socket
 * buffers: a larger send buffer makes this copy slower (the bytes leave the CPU caches), so the
 * default is its best case.
 *
 * --stream writes the way unifw backup's writer thread does: the disk write of every 1 MiB starts
 * at once (sync_file_range) and what was written 8 MiB earlier is waited for and dropped from the
 * page cache. A reference figure: the same copy with the backup's disk strategy.
 *
 * --no-sync: no fsync at the end (the clock stops when the last byte is in DST's page cache). The flash
 * bench uses it: the virtual phone writes its eMMC image without syncing, so the flash's write time
 * holds no disk flush either, and the copy must not wait for one.
 *
 * --warm: the virtual machines this runs on give freed memory back to their host after a couple of
 * seconds, and the first touch of such memory costs several times a normal one; the bench warms
 * memory the same way before every measured run of either side so that neither pays for it.
 *
 * C, not a script: an interpreter's per-call overhead would make the baseline slower than the link
 * is. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define BUF (1u << 20)
#define MAX_RANGES 16
#define DROP_LAG (8u << 20) /* as FLUSH_LAG in src/ops/backup.c */

struct range {
	uint64_t off, len;
};

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int die(const char *what)
{
	fprintf(stderr, "rawcopy: %s: %s\n", what, strerror(errno));
	return 1;
}

static bool write_all(int fd, const uint8_t *b, size_t n)
{
	while (n) {
		ssize_t w = write(fd, b, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return false;
		b += w;
		n -= (size_t)w;
	}
	return true;
}

/* The phone's side: every range, in order, through the socket. */
static int send_ranges(const char *src, int sock, const struct range *r, size_t n)
{
	int fd = open(src, O_RDONLY | O_CLOEXEC);
	uint8_t *buf = malloc(BUF);
	if (fd < 0 || !buf)
		return die(src);
	for (size_t i = 0; i < n; i++)
		for (uint64_t done = 0; done < r[i].len;) {
			size_t want = r[i].len - done < BUF ? (size_t)(r[i].len - done) : BUF;
			ssize_t got = pread(fd, buf, want, (off_t)(r[i].off + done));
			if (got <= 0)
				return die("read the source");
			if (!write_all(sock, buf, (size_t)got))
				return die("write the socket");
			done += (uint64_t)got;
		}
	return 0;
}

/* --stream: start the disk write of what came since the last call; wait for and drop what lies
 * DROP_LAG behind. */
static void stream_flush(int fd, uint64_t got, uint64_t *started, uint64_t *dropped)
{
	(void)sync_file_range(fd, (off_t)*started, (off_t)(got - *started), SYNC_FILE_RANGE_WRITE);
	*started = got;
	if (got - *dropped < 2 * DROP_LAG)
		return;
	uint64_t upto = got - DROP_LAG;
	(void)sync_file_range(fd, (off_t)*dropped, (off_t)(upto - *dropped),
			      SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER);
	(void)posix_fadvise(fd, (off_t)*dropped, (off_t)(upto - *dropped), POSIX_FADV_DONTNEED);
	*dropped = upto;
}

/* The host's side: total bytes from the socket into dst, then fsync. */
static int receive(int sock, const char *dst, uint64_t total, bool stream, bool sync)
{
	int fd = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	uint8_t *buf = malloc(BUF);
	if (fd < 0 || !buf)
		return die(dst);
	uint64_t got = 0, started = 0, dropped = 0;
	while (got < total) {
		ssize_t n = read(sock, buf, BUF);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return die("read the socket (short copy)");
		if (!write_all(fd, buf, (size_t)n))
			return die(dst);
		got += (uint64_t)n;
		if (stream && got - started >= BUF)
			stream_flush(fd, got, &started, &dropped);
	}
	if (sync && fsync(fd) != 0)
		return die("fsync");
	close(fd);
	return 0;
}

static bool parse_range(const char *s, struct range *r)
{
	char *end;
	errno = 0;
	r->off = strtoull(s, &end, 0);
	if (errno || *end != ':')
		return false;
	r->len = strtoull(end + 1, &end, 0);
	return !errno && *end == 0;
}

static int warm(const char *mib)
{
	size_t n = (size_t)strtoul(mib, NULL, 10) << 20;
	uint8_t *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return die("mmap");
	for (size_t i = 0; i < n; i += 4096)
		((volatile uint8_t *)p)[i] = 1;
	munmap(p, n);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "--warm") == 0)
		return warm(argv[2]);
	int a = 1;
	bool stream = false, sync = true;
	for (; a < argc && argv[a][0] == '-' && argv[a][1] == '-'; a++)
		if (strcmp(argv[a], "--stream") == 0)
			stream = true;
		else if (strcmp(argv[a], "--no-sync") == 0)
			sync = false;
		else
			break;
	struct range r[MAX_RANGES];
	size_t n = 0;
	uint64_t total = 0;
	if (argc - a < 3 || argc - a - 2 > MAX_RANGES) {
		fprintf(stderr, "usage: rawcopy [--stream] [--no-sync] SRC DST OFFSET:LENGTH... | rawcopy --warm MIB\n");
		return 2;
	}
	for (int i = a + 2; i < argc; i++, n++) {
		if (!parse_range(argv[i], &r[n])) {
			fprintf(stderr, "rawcopy: bad range '%s' (expected OFFSET:LENGTH)\n", argv[i]);
			return 2;
		}
		total += r[n].len;
	}
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		return die("socketpair");
	double t0 = now_s();
	pid_t pid = fork();
	if (pid < 0)
		return die("fork");
	if (pid == 0) {
		close(sv[0]);
		_exit(send_ranges(argv[a], sv[1], r, n));
	}
	close(sv[1]);
	int rc = receive(sv[0], argv[a + 1], total, stream, sync);
	int st = 0;
	waitpid(pid, &st, 0);
	double secs = now_s() - t0;
	if (rc || !WIFEXITED(st) || WEXITSTATUS(st))
		return 1;
	printf("%" PRIu64 " %.6f\n", total, secs);
	return 0;
}
