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
#include <sys/inotify.h>
#include <sys/resource.h>
#include <sys/syscall.h>
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
	/* pty: inotify on the slave's opens and closes (-1: none). A client that closes and reopens
	 * the port between two looks at the master is still a replug: a new power-on. */
	int watch;
	int clients; /* the slave's opens minus closes seen through `watch` */
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
static int wait_link(struct server *s, struct pollfd *p, nfds_t n, int timeout_ms)
{
	uint64_t start = unifw_mono_us(), now = start, until = s->busy_until_us;
	if (until > start + (uint64_t)timeout_ms * 1000)
		until = start + (uint64_t)timeout_ms * 1000;
	while (now < until) {
		int r = poll(p, n, 0);
		if (r != 0)
			return r;
		sched_yield(); /* the host on this CPU runs now: spinning must not hold it off */
		now = unifw_mono_us();
	}
	uint64_t spent_ms = (now - start) / 1000;
	return poll(p, n, spent_ms >= (uint64_t)timeout_ms ? 0 : timeout_ms - (int)spent_ms);
}

/* Take the slave's open/close events; true when its last client closed it at some point (an
 * unplug, even if a new open followed at once). */
static bool watch_unplugged(struct link *l)
{
	bool unplugged = false;
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;
	while (l->watch >= 0 && (n = read(l->watch, buf, sizeof buf)) > 0) {
		for (char *p = buf; p < buf + n;) {
			const struct inotify_event *ev = (const struct inotify_event *)p;
			if (ev->mask & IN_OPEN)
				l->clients++;
			if ((ev->mask & (IN_CLOSE_WRITE | IN_CLOSE_NOWRITE)) && l->clients > 0 && --l->clients == 0)
				unplugged = true;
			p += sizeof *ev + ev->len;
		}
	}
	return unplugged;
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
		struct pollfd pf[2] = { { .fd = l->fd }, { .fd = l->watch, .events = POLLIN } };
		struct pollfd *p = &pf[0], *wp = &pf[1];
		if (can_read && sim_dev_output_pending(d) < BACKLOG_MAX && sim_dev_link(d) == SIM_LINK_UP)
			p->events |= POLLIN;
		bool out_ready = output_ready(s); /* once a pass: it peeks, and so ticks, the device */
		if (out_ready && sim_rate_wait_ms(&s->out_rate) == 0)
			p->events |= POLLOUT;
		int r = wait_link(s, pf, l->watch >= 0 ? 2 : 1, poll_timeout(s, out_ready));
		if (r < 0 && errno != EINTR)
			return END_PEER;
		/* before the bytes: they may already belong to the client that opened the port anew */
		if (r > 0 && (wp->revents & POLLIN) && watch_unplugged(l))
			return END_PEER;
		if (r > 0 && (p->revents & POLLIN)) {
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
		} else if (r > 0 && (p->revents & (POLLHUP | POLLERR | POLLNVAL))) {
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
		l.watch = -1;
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

/* Has a client the slave open? The master reports hang-up while nobody has. */
static bool pty_slave_open(int m)
{
	struct pollfd p = { .fd = m, .events = POLLIN };
	int r = poll(&p, 1, 0);
	return r == 0 || (r > 0 && !(p.revents & POLLHUP));
}

/* inotify on the slave's opens and closes, or -1 (then the master is looked at every millisecond). */
static int pty_watch(const char *slave)
{
	int in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (in >= 0 && inotify_add_watch(in, slave, IN_OPEN | IN_CLOSE_WRITE | IN_CLOSE_NOWRITE) < 0) {
		close(in);
		in = -1;
	}
	return in;
}

/* Wait until a client opens the slave. A phone notices its host within about a millisecond, and a
 * host that sends A0 at once must be served (docs/protocol.md "When the device listens"): inotify reports the open of the
 * slave's node as it happens. */
static bool pty_wait_open(struct link *l)
{
	unsigned waited_ms = 0;
	while (!g_stop) {
		(void)watch_unplugged(l); /* counts the opens and closes so far */
		bool open = pty_slave_open(l->fd);
		/* the open's event follows the open itself: wait for it, or the count would be off by one */
		if (open && (l->watch < 0 || l->clients > 0))
			return true;
		if (open && ++waited_ms > 100) {
			l->clients = 1; /* no event came (the watch lost it): count from here */
			return true;
		}
		if (l->watch < 0 || open || l->clients > 0) {
			sleep_ms(1); /* no inotify, or an open under way */
			continue;
		}
		struct pollfd q = { .fd = l->watch, .events = POLLIN };
		(void)poll(&q, 1, POLL_SLICE_MS);
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
	static struct link l;
	l.fd = pty_open(slave, sizeof slave, err);
	if (l.fd < 0)
		return l.fd;
	l.watch = pty_watch(slave);
	l.clients = 0;
	pty_publish(s, slave);
	while (!g_stop && !s->done) {
		enum end_reason why = END_PEER;
		while (why == END_PEER && !g_stop && !s->done && pty_wait_open(&l)) {
			sim_dev_connect(s->d, unifw_mono_ms());
			why = pump(s, &l);
			if (why == END_DEVICE)
				pty_wait_drained(slave);
			sim_dev_disconnect(s->d, unifw_mono_ms());
			after_connection(s);
		}
		if (why != END_DEVICE || g_stop || s->done)
			break;
		/* The device went away (re-enumeration, reboot): it comes back as a new node, as a phone may
		 * get another ttyACM number. The new pty is made while the old one still exists, so its
		 * number differs; closing the old master then makes the old node vanish. */
		char next[256];
		int m2 = pty_open(next, sizeof next, err);
		close(l.fd);
		if (l.watch >= 0)
			close(l.watch);
		l.fd = m2;
		l.watch = -1;
		if (m2 < 0)
			return m2;
		memcpy(slave, next, sizeof slave);
		l.watch = pty_watch(slave);
		l.clients = 0;
		pty_publish(s, slave);
	}
	close(l.fd);
	if (l.watch >= 0)
		close(l.watch);
	if (s->o->pty_link)
		unlink(s->o->pty_link);
	return 0;
}

/* A phone answers a handshake byte at once; a host may read 5 ms after each byte and desynchronise
 * when the answer is later (docs/sim.md "Connections", docs/protocol.md). On a busy machine the sim's wake-up on the
 * host's byte can wait for other tasks' time slices: ask the scheduler (EEVDF, Linux 6.12+) for a
 * short slice, which lets a waking sim preempt them. Same nice level, so no more CPU than before;
 * failing (older kernels) only costs latency. */
#define LOW_LATENCY_SLICE_NS 100000u
struct sched_attr_v0 { /* the kernel's struct sched_attr, first version (48 bytes) */
	uint32_t size, sched_policy;
	uint64_t sched_flags;
	int32_t sched_nice;
	uint32_t sched_priority;
	uint64_t sched_runtime, sched_deadline, sched_period;
};
static void ask_low_latency(void)
{
	struct sched_attr_v0 a = { .size = sizeof a, .sched_policy = SCHED_OTHER,
				   .sched_runtime = LOW_LATENCY_SLICE_NS };
	errno = 0;
	int nice_now = getpriority(PRIO_PROCESS, 0);
	if (errno)
		return;
	a.sched_nice = nice_now;
	(void)syscall(SYS_sched_setattr, 0, &a, 0);
}

int sim_serve(struct sim_dev *d, const struct sim_serve_opts *o, struct unifw_error *err)
{
	ask_low_latency();
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
