/* The serving loop: one host at a time over a Unix socket or a pty.
 *
 * Socket: every accepted connection is a plugged-in phone; when the device ends the link (FINISH,
 * USB re-enumeration, preloader window, a fault) the socket is shut down after its last bytes.
 * Pty: a client opening the slave plugs the phone in, closing it unplugs it. When the device ends
 * the link the pty itself goes away (the client's reads fail, as when /dev/ttyACM0 disappears) and
 * a new pty is made; its path is printed again and --pty-link follows it. */
#include "serve.h"
#include "util/clock.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define BACKLOG_MAX (8u << 20) /* stop reading the host while this much output waits (flow control) */
#define POLL_SLICE_MS 200
#define DIRECT_READ_MIN 65536 /* expectations from this size on are read without a copy */
/* A DA is a bare-metal loop that polls its USB FIFO: it never sleeps in the middle of a transfer, and
 * the host's next packet is picked up the moment it lands. The virtual phone does the same for this
 * long after the link last moved bytes, then sleeps in poll() so that an idle phone costs nothing.
 * (Sleeping would add a scheduler wake-up to every packet of a stop-and-wait READ or WRITE: tens of
 * microseconds on a virtual machine, per 1 MiB packet.) */
#define BUSY_POLL_US 2000

static volatile sig_atomic_t g_stop;

static void on_signal(int sig)
{
	(void)sig;
	g_stop = 1;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
	nanosleep(&ts, NULL);
}

struct server {
	struct sim_dev *d;
	const struct sim_serve_opts *o;
	struct sim_rate out_rate, in_rate; /* --link pacing */
	bool finish_pending;
	uint32_t finish_mode;
	bool done;
	uint64_t busy_until_us; /* BUSY_POLL_US after the link last moved bytes */
};

struct link {
	int fd;
};

enum end_reason { END_DEVICE, END_PEER, END_STOP };

static void handle_events(struct server *s)
{
	struct sim_event ev;
	while (sim_dev_next_event(s->d, &ev)) {
		if (ev.kind == SIM_EV_FINISH) {
			fprintf(s->o->log, "unifw-sim: reboot requested (FINISH mode %u)\n", ev.arg);
			s->finish_pending = true;
			s->finish_mode = ev.arg;
		} else if (ev.kind == SIM_EV_REENUMERATE) {
			fprintf(s->o->log, "unifw-sim: USB re-enumeration: reconnect to continue in the DA\n");
		} else if (ev.kind == SIM_EV_WINDOW_CLOSED) {
			fprintf(s->o->log, "unifw-sim: no handshake in the preloader window: the phone booted on\n");
		}
	}
	fflush(s->o->log);
}

static void run_finish_hook(struct server *s)
{
	const char *cmd = s->o->on_finish;
	if (!cmd)
		return;
	fflush(NULL);
	pid_t pid = fork();
	if (pid == 0) {
		char mode[16];
		snprintf(mode, sizeof mode, "%u", s->finish_mode);
		setenv("UNIFW_SIM_FINISH_MODE", mode, 1);
		setenv("UNIFW_SIM_EMMC", s->o->emmc_path ? s->o->emmc_path : "", 1);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	int st = 0;
	if (pid > 0)
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
	fprintf(s->o->log, "unifw-sim: --on-finish hook exited with status %d\n",
		pid > 0 && WIFEXITED(st) ? WEXITSTATUS(st) : -1);
}

/* After a connection: the reboot hook, and maybe the end of serving. */
static void after_connection(struct server *s)
{
	handle_events(s);
	if (!s->finish_pending)
		return;
	s->finish_pending = false;
	if (s->o->after_finish)
		s->o->after_finish(s->o->after_finish_ctx, s->finish_mode);
	run_finish_hook(s);
	if (s->o->exit_on_finish)
		s->done = true;
}

/* --link: the speeds follow the device's USB state (full speed until USB_SETUP_PORT). */
static void update_rates(struct server *s)
{
	struct sim_dev_info info;
	sim_dev_get_info(s->d, &info);
	struct sim_link_speeds sp = sim_link_speeds(s->o->link, info.usb_speed != 0);
	uint64_t now = unifw_mono_ms();
	sim_rate_set(&s->out_rate, sp.out_bps, now);
	sim_rate_set(&s->in_rate, sp.in_bps, now);
}

/* Write what the device has for the host, as fast as the link allows; -1 when the host is gone.
 * Straight from the device's output queue: a READ packet goes out in as few writes as the socket
 * buffer allows, with no copy in between. */
static int flush_out(struct server *s, struct link *l)
{
	for (;;) {
		const uint8_t *p;
		size_t ready = sim_dev_output_peek(s->d, &p, unifw_mono_ms());
		size_t can = ready ? sim_rate_allow(&s->out_rate, unifw_mono_ms(), ready) : 0;
		if (can == 0)
			return 0;
		ssize_t w = write(l->fd, p, can);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
		sim_rate_take(&s->out_rate, (size_t)w);
		sim_dev_output_take(s->d, (size_t)w);
		s->busy_until_us = unifw_mono_us() + BUSY_POLL_US;
	}
}

/* Output that is ready but waits for the socket or the link's pacing. */
static bool output_ready(struct server *s)
{
	const uint8_t *p;
	return sim_dev_output_peek(s->d, &p, unifw_mono_ms()) > 0;
}

/* How long poll may wait: until the device's next deadline or the end of a pacing pause, at most
 * POLL_SLICE_MS. out_ready: output_ready() of this pass. */
static int poll_timeout(struct server *s, bool out_ready)
{
	uint64_t deadline = sim_dev_deadline(s->d), now = unifw_mono_ms();
	uint64_t wait = deadline == UINT64_MAX || deadline - now > POLL_SLICE_MS ? POLL_SLICE_MS
		      : deadline > now							  ? deadline - now
											  : 0;
	uint64_t out_wait = out_ready ? sim_rate_wait_ms(&s->out_rate) : 0;
	uint64_t in_wait = sim_rate_wait_ms(&s->in_rate);
	if (out_wait && out_wait < wait)
		wait = out_wait;
	if (in_wait && in_wait < wait)
		wait = in_wait;
	return (int)wait;
}

/* poll(), busy while the link was active a moment ago (BUSY_POLL_US), and never past timeout_ms. */
static int wait_link(struct server *s, struct pollfd *p, int timeout_ms)
{
	uint64_t start = unifw_mono_us(), now = start, until = s->busy_until_us;
	if (until > start + (uint64_t)timeout_ms * 1000)
		until = start + (uint64_t)timeout_ms * 1000;
	while (now < until) {
		int r = poll(p, 1, 0);
		if (r != 0)
			return r;
		sched_yield(); /* the host on this CPU runs now: spinning must not hold it off */
		now = unifw_mono_us();
	}
	uint64_t spent_ms = (now - start) / 1000;
	return poll(p, 1, spent_ms >= (uint64_t)timeout_ms ? 0 : timeout_ms - (int)spent_ms);
}

/* Move bytes until one side ends the connection. */
static enum end_reason pump(struct server *s, struct link *l)
{
	struct sim_dev *d = s->d;
	static uint8_t rbuf[65536];
	for (;;) {
		if (g_stop)
			return END_STOP;
		update_rates(s);
		if (flush_out(s, l) < 0)
			return END_PEER;
		handle_events(s);
		bool drained = sim_dev_output_pending(d) == 0;
		if (sim_dev_link(d) == SIM_LINK_CLOSING && drained)
			return END_DEVICE;
		/* a large expectation (a WRITE packet) is read straight into the device's buffer */
		uint8_t *room = NULL;
		size_t direct = sim_dev_feed_room(d, &room);
		if (direct < DIRECT_READ_MIN)
			direct = 0;
		size_t can_read = sim_rate_allow(&s->in_rate, unifw_mono_ms(), direct ? direct : sizeof rbuf);
		struct pollfd p = { .fd = l->fd };
		if (can_read && sim_dev_output_pending(d) < BACKLOG_MAX && sim_dev_link(d) == SIM_LINK_UP)
			p.events |= POLLIN;
		bool out_ready = output_ready(s); /* once a pass: it peeks, and so ticks, the device */
		if (out_ready && sim_rate_wait_ms(&s->out_rate) == 0)
			p.events |= POLLOUT;
		int r = wait_link(s, &p, poll_timeout(s, out_ready));
		if (r < 0 && errno != EINTR)
			return END_PEER;
		if (r > 0 && (p.revents & POLLIN)) {
			ssize_t n = read(l->fd, direct ? room : rbuf, can_read);
			if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
				return END_PEER; /* EOF, reset, or EIO on a pty master whose slave closed */
			if (n > 0) {
				s->busy_until_us = unifw_mono_us() + BUSY_POLL_US;
				sim_rate_take(&s->in_rate, (size_t)n);
				if (direct)
					sim_dev_feed_commit(d, (size_t)n, unifw_mono_ms());
				else
					sim_dev_feed(d, rbuf, (size_t)n, unifw_mono_ms());
			}
		} else if (r > 0 && (p.revents & (POLLHUP | POLLERR | POLLNVAL))) {
			return END_PEER;
		}
		sim_dev_tick(d, unifw_mono_ms());
	}
}

/* ---------- Unix socket ---------- */

/* After the device's last bytes: FIN, then wait briefly for the host to close, so that unread
 * host bytes do not turn our close into a reset that could discard what we sent. */
static void socket_close_gracefully(int fd)
{
	shutdown(fd, SHUT_WR);
	uint8_t junk[4096];
	for (int i = 0; i < 20; i++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		if (poll(&p, 1, 50) <= 0)
			continue;
		ssize_t n = read(fd, junk, sizeof junk);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR))
			break;
	}
}

/* A READ packet is 1 MiB + 2: with the default send buffer (~200 KiB) it would go out in five
 * writes, each waiting for the host to read the previous one. The kernel caps the size at
 * net.core.wmem_max; failing to grow it only costs speed. */
#define SOCK_SNDBUF (4 << 20)
static void socket_grow_buffer(int fd)
{
	int size = SOCK_SNDBUF;
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
}

static int socket_listen(const char *path, struct unifw_error *err)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	if (strlen(path) >= sizeof a.sun_path)
		return unifw_error_set(err, UNIFW_E_INVALID, path, UNIFW_NO_OFFSET,
				       "socket path of %zu bytes: expected fewer than %zu", strlen(path), sizeof a.sun_path);
	memcpy(a.sun_path, path, strlen(path) + 1);
	struct stat st;
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode))
			return unifw_error_set(err, UNIFW_E_INVALID, path, UNIFW_NO_OFFSET,
					       "exists and is not a socket: not replacing it");
		unlink(path); /* a stale socket of an earlier run */
	}
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return unifw_error_sys(err, path, "socket() failed");
	if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 4) != 0) {
		int rc = unifw_error_sys(err, path, "cannot listen on the socket");
		close(fd);
		return rc;
	}
	return fd;
}

static int serve_socket(struct server *s, struct unifw_error *err)
{
	int lfd = socket_listen(s->o->socket_path, err);
	if (lfd < 0)
		return lfd;
	fprintf(s->o->out, "socket %s\n", s->o->socket_path);
	fflush(s->o->out);
	while (!g_stop && !s->done) {
		struct pollfd p = { .fd = lfd, .events = POLLIN };
		if (poll(&p, 1, POLL_SLICE_MS) <= 0)
			continue;
		static struct link l;
		l.fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (l.fd < 0)
			continue;
		socket_grow_buffer(l.fd);
		sim_dev_connect(s->d, unifw_mono_ms());
		if (pump(s, &l) == END_DEVICE)
			socket_close_gracefully(l.fd);
		close(l.fd);
		sim_dev_disconnect(s->d, unifw_mono_ms());
		after_connection(s);
	}
	close(lfd);
	unlink(s->o->socket_path);
	return 0;
}

/* ---------- pty ---------- */

static int pty_open(char *slave, size_t cap, struct unifw_error *err)
{
	int m = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (m < 0 || grantpt(m) != 0 || unlockpt(m) != 0 || ptsname_r(m, slave, cap) != 0) {
		int rc = unifw_error_sys(err, "pty", "cannot create a pseudo terminal");
		if (m >= 0)
			close(m);
		return rc;
	}
	/* Raw mode, set through a short-lived slave descriptor; closing it also leaves the master in
	 * its "nobody has the slave open" state, which is how a plug-in is detected. */
	int s = open(slave, O_RDWR | O_NOCTTY | O_CLOEXEC);
	struct termios t;
	if (s < 0 || tcgetattr(s, &t) != 0) {
		int rc = unifw_error_sys(err, slave, "cannot configure the pty");
		if (s >= 0)
			close(s);
		close(m);
		return rc;
	}
	cfmakeraw(&t);
	tcsetattr(s, TCSANOW, &t);
	close(s);
	return m;
}

static void pty_publish(struct server *s, const char *slave)
{
	fprintf(s->o->out, "pty %s\n", slave);
	fflush(s->o->out);
	if (!s->o->pty_link)
		return;
	char tmp[4096];
	snprintf(tmp, sizeof tmp, "%s.tmp%ld", s->o->pty_link, (long)getpid());
	unlink(tmp);
	if (symlink(slave, tmp) != 0 || rename(tmp, s->o->pty_link) != 0)
		fprintf(s->o->log, "unifw-sim: cannot update %s: %s\n", s->o->pty_link, strerror(errno));
}

/* Wait until a client opens the slave (the master stops reporting hang-up). */
static bool pty_wait_open(int m)
{
	while (!g_stop) {
		struct pollfd p = { .fd = m, .events = POLLIN };
		int r = poll(&p, 1, POLL_SLICE_MS);
		if (r == 0 || (r > 0 && !(p.revents & POLLHUP)))
			return true;
		sleep_ms(20);
	}
	return false;
}

/* Before the pty goes away, let the client read what the device sent (up to 2 s). The kernel
 * moves bytes from the master to the slave's input queue asynchronously, so an empty queue must
 * stay empty for a while before it means "read". */
static void pty_wait_drained(const char *slave)
{
	int fd = open(slave, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return;
	int empty_polls = 0;
	for (int i = 0; i < 200 && empty_polls < 5; i++) {
		int n = 0;
		sleep_ms(10);
		if (ioctl(fd, FIONREAD, &n) != 0)
			break;
		empty_polls = n == 0 ? empty_polls + 1 : 0;
	}
	close(fd);
}

static int serve_pty(struct server *s, struct unifw_error *err)
{
	char slave[256];
	while (!g_stop && !s->done) {
		int m = pty_open(slave, sizeof slave, err);
		if (m < 0)
			return m;
		pty_publish(s, slave);
		enum end_reason why = END_PEER;
		while (why == END_PEER && !g_stop && !s->done && pty_wait_open(m)) {
			static struct link l;
			l.fd = m;
			sim_dev_connect(s->d, unifw_mono_ms());
			why = pump(s, &l);
			if (why == END_DEVICE)
				pty_wait_drained(slave);
			sim_dev_disconnect(s->d, unifw_mono_ms());
			after_connection(s);
		}
		close(m);
	}
	if (s->o->pty_link)
		unlink(s->o->pty_link);
	return 0;
}

int sim_serve(struct sim_dev *d, const struct sim_serve_opts *o, struct unifw_error *err)
{
	struct sigaction sa = { .sa_handler = on_signal };
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	g_stop = 0;
	struct server s = { .d = d, .o = o };
	sim_rate_set(&s.out_rate, 0, unifw_mono_ms());
	sim_rate_set(&s.in_rate, 0, unifw_mono_ms());
	if (o->socket_path)
		return serve_socket(&s, err);
	if (o->pty)
		return serve_pty(&s, err);
	return unifw_error_set(err, UNIFW_E_INVALID, "unifw-sim", UNIFW_NO_OFFSET, "expected --socket PATH or --pty");
}
