/* The raw client of the unifw-sim transcript test (test_sim_transcript.c), written from docs/protocol.md
 * alone: it starts the real unifw-sim binary on a Unix socket and speaks raw bytes with its own
 * checksums and parsing, sharing no code with the simulator (the simulator process; byte I/O with
 * deadlines; the BROM / preloader steps; the DA commands). The DA stages come from the container
 * `unifw-sim make-da` writes, selected and cut with the project's DA-file reader as a host does. */
#ifndef UNIFW_TEST_SIM_RAW_CLIENT_H
#define UNIFW_TEST_SIM_RAW_CLIENT_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "testutil.h"

#include "unifw/dafile.h"
#include "unifw/emi.h"
#include "util/clock.h"

#define WAIT_MS 5000

struct sim {
	pid_t pid;
	char *dir;
	char sock[100], emmc[512], trace[512], log[512];
};

/* The DA stages a host takes from a DA container: the entry for hw_code, regions 1 and 2. */
struct da_stages {
	uint8_t *da1, *da2;
	size_t l1, l2;
	uint32_t sig1;
};

struct geom {
	uint64_t boot1, boot2, rpmb, user;
	uint8_t cid[16];
};

const char *sim_bin(void);
void sleep_ms(int ms);
void sim_start(struct sim *s, const char *const *extra);
int sim_stop(struct sim *s, bool expect_exit);
void sim_cleanup(struct sim *s);
bool file_contains(const char *path, const char *what);
int cl_connect(const struct sim *s);
void wr(int fd, const void *b, size_t n);
void wr8(int fd, uint8_t v);
void wr32(int fd, uint32_t v);
void wr64(int fd, uint64_t v);
size_t rd_within(int fd, void *b, size_t n, int ms);
void rd(int fd, void *b, size_t n);
uint8_t rd8(int fd);
uint16_t be16(const uint8_t *b);
uint32_t be32(const uint8_t *b);
uint64_t be64(const uint8_t *b);
uint16_t rd16(int fd);
uint32_t rd32(int fd);
bool eof_within(int fd, int ms);
bool rd8_within(int fd, int ms, uint8_t *v);
void handshake(int fd);
void echo(int fd, uint8_t cmd);
void echo32(int fd, uint32_t v);
uint16_t xor16_le(const uint8_t *b, size_t n);
uint16_t bytesum16(const uint8_t *b, size_t n);
void identify(int fd, bool brom);
void disable_watchdog(int fd);
uint8_t *memdup(const uint8_t *b, size_t n);
void da_from_container(uint16_t hw_code, struct da_stages *out);
bool start_da1(int fd, const struct da_stages *da);
void report1(int fd, const uint8_t cid[16]);
void stage2_config(int fd);
uint32_t emi_exchange(int fd, const uint8_t *pl, const struct unifw_emi_table *t, bool pick_matching,
		      const uint8_t cid[16]);
void upload_da2(int fd, const uint8_t *da2, size_t len);
void report2(int fd, const struct geom *g);
uint8_t usb_check(int fd);
void switch_part(int fd, uint8_t part);
void write_data(int fd, uint8_t part, uint64_t addr, const uint8_t *data, uint64_t len);
void read_data(int fd, uint64_t addr, uint8_t *out, uint64_t len);
void format_range(int fd, uint64_t addr, uint64_t len);
void finish(int fd);

#endif
