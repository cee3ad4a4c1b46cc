/* Test helper for the tests that drive the real unifw-sim binary (test_phone.c, test_proto_sim.c): start
 * it on a Unix socket in a temporary directory, make its DA container, stop it, read and write its
 * eMMC image. Static inline functions: a test program uses the ones it needs. */
#ifndef UNIFW_TESTS_JOBS_SIM_H
#define UNIFW_TESTS_JOBS_SIM_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "testutil.h"

struct jsim {
	pid_t pid;
	char dir[512];
	char sock[600];
	char port[620];
	char emmc[600];
	char da[600];
};

static inline const char *jsim_bin(void)
{
	const char *b = getenv("UNIFW_SIM_BIN");
	if (!b || access(b, X_OK) != 0)
		fail_msg("UNIFW_SIM_BIN (the unifw-sim binary) is not set or not executable");
	return b;
}

/* Paths inside dir; the DA container is made once per directory. */
static inline void jsim_paths(struct jsim *s, const char *dir)
{
	memset(s, 0, sizeof *s);
	snprintf(s->dir, sizeof s->dir, "%s", dir);
	snprintf(s->sock, sizeof s->sock, "%s/phone.sock", dir);
	snprintf(s->port, sizeof s->port, "unix:%s", s->sock);
	snprintf(s->emmc, sizeof s->emmc, "%s/phone.img", dir);
	snprintf(s->da, sizeof s->da, "%s/MTK_AllInOne_DA.bin", dir);
	if (access(s->da, R_OK) != 0) {
		char cmd[1400];
		snprintf(cmd, sizeof cmd, "'%s' make-da -o '%s' >/dev/null", jsim_bin(), s->da);
		if (system(cmd) != 0)
			fail_msg("unifw-sim make-da failed");
	}
}

/* Start unifw-sim --socket with the eMMC image s->emmc (created 64 MiB when absent unless extra
 * says otherwise) and wait for its "socket PATH" line. extra: NULL-terminated. */
static inline void jsim_start(struct jsim *s, const char *const *extra)
{
	int out[2];
	const char *argv[48];
	size_t n = 0;
	bool sized = access(s->emmc, F_OK) == 0;
	argv[n++] = jsim_bin();
	argv[n++] = "--socket";
	argv[n++] = s->sock;
	argv[n++] = "--emmc";
	argv[n++] = s->emmc;
	for (size_t i = 0; extra && extra[i] && n < 40; i++) {
		if (!strcmp(extra[i], "--emmc-size") || !strcmp(extra[i], "--model"))
			sized = true;
		argv[n++] = extra[i];
	}
	if (!sized) {
		argv[n++] = "--emmc-size";
		argv[n++] = "64M";
	}
	argv[n] = NULL;
	unlink(s->sock);
	assert_int_equal(pipe(out), 0);
	s->pid = fork();
	assert_true(s->pid >= 0);
	if (s->pid == 0) {
		dup2(out[1], 1);
		close(out[0]);
		close(out[1]);
		int devnull = open("/dev/null", O_WRONLY);
		if (devnull >= 0 && !getenv("JOBS_SIM_STDERR"))
			dup2(devnull, 2);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(out[1]);
	char line[1024];
	size_t have = 0;
	for (;;) {
		struct pollfd pfd = {.fd = out[0], .events = POLLIN};
		if (poll(&pfd, 1, 20000) <= 0)
			fail_msg("unifw-sim did not announce its socket within 20 s");
		ssize_t r = read(out[0], line + have, sizeof line - 1 - have);
		if (r <= 0)
			fail_msg("unifw-sim exited before announcing its socket");
		have += (size_t)r;
		line[have] = 0;
		if (strchr(line, '\n'))
			break;
	}
	assert_non_null(strstr(line, "socket "));
	close(out[0]);
}

static inline void jsim_stop(struct jsim *s)
{
	int status;
	if (s->pid > 0) {
		kill(s->pid, SIGTERM);
		waitpid(s->pid, &status, 0);
	}
	s->pid = 0;
}

/* Read [off, off+len) of the sim's image file (boot1 at 0; user area at boot1+boot2+rpmb). */
static inline uint8_t *jsim_image_read(const struct jsim *s, uint64_t off, size_t len)
{
	uint8_t *b = malloc(len ? len : 1);
	int fd = open(s->emmc, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(pread(fd, b, len, (off_t)off), (ssize_t)len);
	close(fd);
	return b;
}

static inline void jsim_image_write(const struct jsim *s, uint64_t off, const void *buf, size_t len)
{
	int fd = open(s->emmc, O_WRONLY);
	assert_true(fd >= 0);
	assert_int_equal(pwrite(fd, buf, len, (off_t)off), (ssize_t)len);
	close(fd);
}

#endif
