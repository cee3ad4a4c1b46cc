/* sim_raw_client.c: see sim_raw_client.h. */
#include "sim_raw_client.h"

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

/* ---------- the simulator process ---------- */

const char *sim_bin(void)
{
	const char *b = getenv("UNIFW_SIM_BIN");
	return b ? b : "unifw-sim";
}

void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

/* argv after the common ones; NULL-terminated */
void sim_start(struct sim *s, const char *const *extra)
{
	memset(s, 0, sizeof *s);
	s->dir = test_mkdtemp();
	snprintf(s->sock, sizeof s->sock, "%s/phone.sock", s->dir);
	snprintf(s->emmc, sizeof s->emmc, "%s/emmc.img", s->dir);
	snprintf(s->trace, sizeof s->trace, "%s/trace.txt", s->dir);
	snprintf(s->log, sizeof s->log, "%s/log.txt", s->dir);
	const char *argv[64] = { sim_bin(), "--socket", s->sock, "--emmc", s->emmc, "--trace-file", s->trace,
				 "--exit-on-finish" };
	size_t n = 8;
	for (size_t i = 0; extra && extra[i] && n < 62; i++)
		argv[n++] = extra[i];
	argv[n] = NULL;
	fflush(NULL);
	s->pid = fork();
	assert_true(s->pid >= 0);
	if (s->pid == 0) {
		int fd = open(s->log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		dup2(fd, 1);
		dup2(fd, 2);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	for (int i = 0; i < WAIT_MS / 10 && access(s->sock, F_OK) != 0; i++)
		sleep_ms(10);
	if (access(s->sock, F_OK) != 0)
		fail_msg("unifw-sim did not create %s (see %s)", s->sock, s->log);
}

/* The sim exits by itself after FINISH (--exit-on-finish); anything else is stopped here. */
int sim_stop(struct sim *s, bool expect_exit)
{
	int st = 0;
	for (int i = 0; i < WAIT_MS / 10; i++) {
		if (waitpid(s->pid, &st, WNOHANG) == s->pid)
			goto done;
		if (!expect_exit)
			break;
		sleep_ms(10);
	}
	kill(s->pid, SIGTERM);
	waitpid(s->pid, &st, 0);
	if (expect_exit)
		fail_msg("unifw-sim did not exit after FINISH");
done:
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

void sim_cleanup(struct sim *s)
{
	test_rmtree(s->dir);
	free(s->dir);
}

bool file_contains(const char *path, const char *what)
{
	size_t len;
	uint8_t *b = test_read_file(path, &len);
	if (!b)
		return false;
	b = realloc(b, len + 1);
	b[len] = 0;
	bool found = strstr((char *)b, what) != NULL;
	free(b);
	return found;
}

/* ---------- a raw byte client ---------- */

int cl_connect(const struct sim *s)
{
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	snprintf(a.sun_path, sizeof a.sun_path, "%s", s->sock);
	for (int i = 0; i < WAIT_MS / 10; i++) {
		if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0)
			return fd;
		sleep_ms(10);
	}
	fail_msg("cannot connect to %s: %s", s->sock, strerror(errno));
	return -1;
}

void wr(int fd, const void *b, size_t n)
{
	const uint8_t *p = b;
	while (n) {
		ssize_t w = write(fd, p, n);
		if (w <= 0)
			fail_msg("write to the phone failed: %s", strerror(errno));
		p += w;
		n -= (size_t)w;
	}
}

void wr8(int fd, uint8_t v) { wr(fd, &v, 1); }

void wr32(int fd, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
	wr(fd, b, 4);
}

void wr64(int fd, uint64_t v)
{
	wr32(fd, (uint32_t)(v >> 32));
	wr32(fd, (uint32_t)v);
}

/* Read up to n bytes within ms; returns the count (EOF or timeout end it early). */
size_t rd_within(int fd, void *b, size_t n, int ms)
{
	uint8_t *p = b;
	size_t got = 0;
	while (got < n) {
		struct pollfd pf = { .fd = fd, .events = POLLIN };
		if (poll(&pf, 1, ms) <= 0)
			break;
		ssize_t r = read(fd, p + got, n - got);
		if (r <= 0)
			break;
		got += (size_t)r;
	}
	return got;
}

void rd(int fd, void *b, size_t n)
{
	size_t got = rd_within(fd, b, n, WAIT_MS);
	if (got != n)
		fail_msg("expected %zu bytes from the phone, got %zu", n, got);
}

uint8_t rd8(int fd)
{
	uint8_t v;
	rd(fd, &v, 1);
	return v;
}

uint16_t be16(const uint8_t *b) { return (uint16_t)(b[0] << 8 | b[1]); }
uint32_t be32(const uint8_t *b) { return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3]; }
uint64_t be64(const uint8_t *b) { return (uint64_t)be32(b) << 32 | be32(b + 4); }

uint16_t rd16(int fd)
{
	uint8_t b[2];
	rd(fd, b, 2);
	return be16(b);
}

uint32_t rd32(int fd)
{
	uint8_t b[4];
	rd(fd, b, 4);
	return be32(b);
}

bool eof_within(int fd, int ms)
{
	uint8_t b;
	struct pollfd pf = { .fd = fd, .events = POLLIN };
	return poll(&pf, 1, ms) == 1 && read(fd, &b, 1) == 0;
}

/* ---------- BROM / preloader ---------- */

/* One byte within ms, or false. */
bool rd8_within(int fd, int ms, uint8_t *v)
{
	struct pollfd pf = { .fd = fd, .events = POLLIN };
	return poll(&pf, 1, ms) == 1 && read(fd, v, 1) == 1;
}

/* As a host does: a byte that is not the answer starts over, and silence sends A0 again (a
 * preloader drops the first chunk that starts with A0 unanswered: docs/protocol.md "When the device listens"). */
void handshake(int fd)
{
	static const uint8_t seq[4] = { 0xA0, 0x0A, 0x50, 0x05 };
	for (int i = 0, tries = 0; i < 4;) {
		assert_true(++tries < 200);
		wr8(fd, seq[i]);
		uint8_t r = 0, want = (uint8_t)(0xFF ^ seq[i]);
		bool got = rd8_within(fd, 100, &r);
		i = got && r == want ? i + 1 : 0;
	}
}

void echo(int fd, uint8_t cmd)
{
	wr8(fd, cmd);
	assert_int_equal(rd8(fd), cmd);
}

void echo32(int fd, uint32_t v)
{
	wr32(fd, v);
	assert_int_equal(rd32(fd), v);
}

uint16_t xor16_le(const uint8_t *b, size_t n)
{
	uint16_t x = 0;
	for (size_t i = 0; i + 1 < n; i += 2)
		x ^= (uint16_t)(b[i] | b[i + 1] << 8);
	if (n & 1)
		x ^= b[n - 1];
	return x;
}

uint16_t bytesum16(const uint8_t *b, size_t n)
{
	uint16_t s = 0;
	for (size_t i = 0; i < n; i++)
		s = (uint16_t)(s + b[i]);
	return s;
}

void identify(int fd, bool brom)
{
	echo(fd, 0xFD);
	assert_int_equal(rd16(fd), 0x6572);
	assert_int_equal(rd16(fd), 0);
	echo(fd, 0xFC);
	uint8_t v[8];
	rd(fd, v, 8);
	assert_int_equal(be16(v + 2), 0xCA00);
	assert_int_equal(be16(v + 6), 0);
	wr8(fd, 0xFE);
	uint8_t bl = rd8(fd);
	assert_true(brom ? bl == 0xFE : bl != 0xFE);
	echo(fd, 0xD8);
	assert_int_equal(rd32(fd), 0);
	assert_int_equal(rd16(fd), 0);
	if (brom) {
		echo(fd, 0xE1);
		uint32_t len = rd32(fd);
		assert_int_equal(len, 16);
		uint8_t me[16];
		rd(fd, me, len);
		assert_int_equal(rd16(fd), 0);
	}
}

void disable_watchdog(int fd)
{
	echo(fd, 0xD4);
	echo32(fd, 0x10007000);
	echo32(fd, 1);
	assert_int_equal(rd16(fd), 0);
	echo32(fd, 0x22000064);
	assert_int_equal(rd16(fd), 0);
	echo(fd, 0xD1);
	echo32(fd, 0x10007000);
	echo32(fd, 1);
	assert_int_equal(rd16(fd), 0);
	assert_int_equal(rd32(fd) & 1, 0); /* bit0 (enable) cleared */
	assert_int_equal(rd16(fd), 0);
}

uint8_t *memdup(const uint8_t *b, size_t n)
{
	uint8_t *p = malloc(n);
	assert_non_null(p);
	memcpy(p, b, n);
	return p;
}

void da_from_container(uint16_t hw_code, struct da_stages *out)
{
	char *dir = test_mkdtemp(), *cmd, path[1024];
	snprintf(path, sizeof path, "%s/MTK_AllInOne_DA.bin", dir);
	assert_true(asprintf(&cmd, "'%s' make-da -o '%s'", sim_bin(), path) > 0);
	assert_int_equal(test_run(cmd, NULL), 0);
	free(cmd);
	size_t len, idx;
	uint8_t *f = test_read_file(path, &len);
	assert_non_null(f);
	struct unifw_dafile da;
	struct unifw_da_region r1, r2;
	struct unifw_error err = { 0 };
	assert_int_equal(unifw_dafile_parse(f, len, len, path, &da, &err), 0);
	assert_int_equal(da.count, 2); /* a foreign chip and this one: the host must select */
	assert_int_equal(unifw_dafile_select(&da, hw_code, 0xCA00, 0, &idx, &err), 0);
	assert_int_equal(unifw_dafile_stage(&da, idx, 1, &r1, &err), 0);
	assert_int_equal(unifw_dafile_stage(&da, idx, 2, &r2, &err), 0);
	assert_int_equal(r1.load_addr, 0x02007000);
	assert_int_equal(r2.load_addr, 0x80000000);
	out->da1 = memdup(f + r1.offset, r1.length);
	out->l1 = r1.length;
	out->sig1 = r1.sig_len;
	out->da2 = memdup(f + r2.offset, r2.length);
	out->l2 = r2.length;
	unifw_dafile_free(&da);
	free(f);
	test_rmtree(dir);
	free(dir);
}

/* SEND_DA + JUMP_DA; true when the DA answered with its sync byte. */
bool start_da1(int fd, const struct da_stages *da)
{
	const uint8_t *da1 = da->da1;
	size_t len = da->l1;
	echo(fd, 0xD7);
	echo32(fd, 0x02007000);
	echo32(fd, (uint32_t)len);
	echo32(fd, da->sig1);
	assert_int_equal(rd16(fd), 0);
	wr(fd, da1, len);
	assert_int_equal(rd16(fd), xor16_le(da1, len));
	assert_int_equal(rd16(fd), 0);
	echo(fd, 0xD5);
	echo32(fd, 0x02007000);
	assert_int_equal(rd16(fd), 0);
	uint8_t sync = 0;
	if (rd_within(fd, &sync, 1, 700) != 1)
		return false;
	assert_int_equal(sync, 0xC0);
	return true;
}

void report1(int fd, const uint8_t cid[16])
{
	assert_int_equal(rd32(fd), 0xBC4);
	uint16_t n = rd16(fd);
	assert_true(n >= 1 && n <= 16);
	for (uint16_t i = 0; i < n; i++)
		assert_int_equal(rd16(fd), 0); /* no NAND */
	assert_int_equal(rd32(fd), 0);
	uint8_t id[16];
	rd(fd, id, 16);
	assert_memory_equal(id, cid, 16);
	wr8(fd, 0x5A);
	uint8_t ver[3];
	rd(fd, ver, 3);
}

void stage2_config(int fd)
{
	wr8(fd, 0x05);     /* bromver */
	wr8(fd, 0x01);     /* blver */
	wr8(fd, 0x00);     /* nor_cfg 0x0008 */
	wr8(fd, 0x08);
	wr8(fd, 0x00);     /* nor_chip_select */
	wr32(fd, 0x7007FFFF);
	wr8(fd, 0);        /* bmt_flag */
	wr32(fd, 0xA8);    /* bmt_partsize */
	wr8(fd, 1);        /* force_charge */
	wr8(fd, 1);        /* reset_key */
	wr8(fd, 2);        /* ext_clock 26 MHz */
	wr8(fd, 0);        /* msdc_boot_ch */
}

/* The 0xBC3 branch with the entry of `table` (from raw preloader bytes) the host chooses. */
uint32_t emi_exchange(int fd, const uint8_t *pl, const struct unifw_emi_table *t, bool pick_matching,
			     const uint8_t cid[16])
{
	uint8_t info[16];
	assert_int_equal(rd32(fd), 0xBC3);
	rd32(fd);
	rd(fd, info, 16);
	assert_memory_equal(info, cid, 9);
	assert_int_equal(rd32(fd), 0xBC4);
	uint16_t n = rd16(fd);
	for (uint16_t i = 0; i < n; i++)
		rd16(fd);
	size_t idx = 0;
	if (pick_matching) {
		uint8_t want[16] = { 0 };
		memcpy(want, info, 16);
		assert_true(unifw_emi_match_cid(t, want, &idx));
	}
	wr8(fd, 0xE8);
	wr32(fd, 0x0B);
	assert_int_equal(rd8(fd), 0x5A);
	rd(fd, info, 16);
	uint32_t len = rd32(fd);
	assert_int_equal(len, 0xA8);
	wr8(fd, 0x5A);
	const uint8_t *entry = pl + t->entries_offset + idx * 0xA8;
	wr(fd, entry, len);
	assert_int_equal(rd16(fd), bytesum16(entry, len));
	wr8(fd, 0x5A);
	wr32(fd, 0x80000001);
	uint32_t ret = rd32(fd);
	if (ret == 0) {
		assert_int_equal(rd8(fd), 2);
		assert_int_equal(rd8(fd), 0);
		uint8_t size[8];
		rd(fd, size, 8);
		assert_int_equal(be64(size), 512u << 20);
	}
	return ret;
}

void upload_da2(int fd, const uint8_t *da2, size_t len)
{
	wr32(fd, 0x80000000);
	wr32(fd, (uint32_t)len);
	wr32(fd, 0x1000);
	assert_int_equal(rd8(fd), 0x5A);
	for (size_t off = 0; off < len; off += 0x1000) {
		wr(fd, da2 + off, len - off < 0x1000 ? len - off : 0x1000);
		assert_int_equal(rd8(fd), 0x5A);
	}
	assert_int_equal(rd8(fd), 0x5A); /* sent unprompted after the last packet */
	wr8(fd, 0x5A);
}

void report2(int fd, const struct geom *g)
{
	uint8_t nor[0x1C], nand[0x11], nand2[9], emmc[0x5C], sdc[0x1C], cfg[0x26], tail[0xA];
	rd(fd, nor, sizeof nor);
	rd(fd, nand, sizeof nand);
	uint16_t ids = be16(nand + 15);
	assert_true(ids > 0 && ids < 64); /* a fixed id list, never 0 */
	for (uint16_t i = 0; i < ids; i++)
		rd16(fd);
	rd(fd, nand2, sizeof nand2);
	rd(fd, emmc, sizeof emmc);
	assert_int_equal(be32(emmc), 0);
	assert_int_equal(be64(emmc + 4), g->boot1);
	assert_int_equal(be64(emmc + 12), g->boot2);
	assert_int_equal(be64(emmc + 20), g->rpmb);
	for (int i = 0; i < 4; i++)
		assert_int_equal(be64(emmc + 28 + 8 * i), 0);
	assert_int_equal(be64(emmc + 60), g->user);
	assert_memory_equal(emmc + 68, g->cid, 16);
	rd(fd, sdc, sizeof sdc);
	rd(fd, cfg, sizeof cfg);
	assert_int_equal(be32(cfg + 8), 0);  /* ext_ram_ret */
	assert_int_equal(cfg[12], 2);       /* DRAM */
	assert_int_equal(be64(cfg + 14), 512u << 20);
	rd(fd, tail, sizeof tail);
	assert_int_equal(tail[0], 0x5A);
	assert_int_equal(tail[9], 0xC1);
}

/* ---------- DA commands ---------- */

uint8_t usb_check(int fd)
{
	wr8(fd, 0x72);
	assert_int_equal(rd8(fd), 0x5A);
	return rd8(fd);
}

void switch_part(int fd, uint8_t part)
{
	wr8(fd, 0x60);
	assert_int_equal(rd8(fd), 0x5A);
	wr8(fd, part);
	assert_int_equal(rd8(fd), 0x5A);
}

void write_data(int fd, uint8_t part, uint64_t addr, const uint8_t *data, uint64_t len)
{
	const uint32_t packet = 0x100000;
	wr8(fd, 0x62);
	wr8(fd, 1);
	wr8(fd, part);
	wr64(fd, addr);
	wr64(fd, len);
	wr32(fd, packet);
	assert_int_equal(rd8(fd), 0x5A);
	static uint8_t buf[0x100000];
	for (uint64_t off = 0; off < len; off += packet) {
		size_t chunk = len - off < packet ? (size_t)(len - off) : packet, padded = (chunk + 511) / 512 * 512;
		memset(buf, 0, padded);
		memcpy(buf, data + off, chunk);
		wr8(fd, 0x5A);
		wr(fd, buf, padded);
		uint16_t s = bytesum16(buf, padded);
		uint8_t cs[2] = { (uint8_t)(s >> 8), (uint8_t)s };
		wr(fd, cs, 2);
		assert_int_equal(rd8(fd), 0x69);
	}
}

void read_data(int fd, uint64_t addr, uint8_t *out, uint64_t len)
{
	const uint32_t packet = 0x100000;
	wr8(fd, 0xD6);
	wr8(fd, 0x0C);
	wr8(fd, 2);
	wr64(fd, addr);
	wr64(fd, len);
	wr32(fd, packet);
	assert_int_equal(rd8(fd), 0x5A);
	for (uint64_t off = 0; off < len; off += packet) {
		size_t chunk = len - off < packet ? (size_t)(len - off) : packet;
		rd(fd, out + off, chunk);
		assert_int_equal(rd16(fd), bytesum16(out + off, chunk));
		wr8(fd, 0x5A);
	}
}

void format_range(int fd, uint64_t addr, uint64_t len)
{
	wr8(fd, 0xD4);
	wr8(fd, 2);
	wr8(fd, 0);
	wr8(fd, 0);
	wr8(fd, 0);
	wr64(fd, addr);
	wr64(fd, len);
	int progress = -1;
	while (progress != 100) {
		assert_int_equal(rd8(fd), 0x5A);
		assert_int_equal(rd8(fd), 0x5A);
		rd32(fd);
		int p = rd8(fd);
		assert_true(p > progress);
		progress = p;
		wr8(fd, 0x5A);
	}
	assert_int_equal(rd8(fd), 0x5A);
	assert_int_equal(rd8(fd), 0x5A);
}

void finish(int fd)
{
	wr8(fd, 0xD9);
	assert_int_equal(rd8(fd), 0x5A);
	wr32(fd, 0);
	assert_int_equal(rd8(fd), 0x5A);
	assert_true(eof_within(fd, WAIT_MS)); /* the phone reboots: the link goes down */
}
