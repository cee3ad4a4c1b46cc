/* Serial ports: the way a MediaTek phone shows up through the kernel's cdc_acm driver
 * (/dev/ttyACM*), or a pty (the virtual phone's --pty). termios raw 921600 8N1, non-blocking
 * descriptor with poll() for every timeout.
 *
 * Never tcflush(TCOFLUSH) after a write: it throws away bytes the device has not taken yet
 * (pyserial's flushOutput does this and loses data at once on a pty; docs/transport.md "Serial (termios)"). Only
 * stale INPUT is flushed, once, when the port opens. */
#include "transport/port.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "unifw/chip.h"

/* The tty's state behind port->state. */
struct tty_state {
	struct fd_port io;      /* first: the shared descriptor write loop (fd.c) */
	char node[300];         /* the device node the path led to at open (a symlink resolved) */
	unsigned long long rdev, ino; /* ... and its identity: a re-enumerated device is a new node */
};

static struct tty_state *tty_of(const struct unifw_port *port)
{
	return port->state;
}

static ssize_t tty_write_once(int fd, const uint8_t *buf, size_t n)
{
	return write(fd, buf, n);
}

static const char *tty_write_failed(int errnum)
{
	return errnum == EIO ? "write (device disconnected)" : "write";
}

static struct tty_state *tty_state_new(int fd)
{
	struct tty_state *t = calloc(1, sizeof *t);
	if (t) {
		t->io.fd = fd;
		t->io.write_once = tty_write_once;
		t->io.write_failed = tty_write_failed;
	}
	return t;
}

static const char udev_hint[] =
	" (permission denied: install udev/60-unifw-mediatek.rules or join the dialout group; see docs/udev.md)";

static int tty_configure(int fd, const char *path, struct unifw_error *err)
{
	struct termios t;
	if (tcgetattr(fd, &t) != 0)
		return unifw_error_sys(err, path, "tcgetattr");
	cfmakeraw(&t);
	t.c_cflag |= CLOCAL | CREAD;
	t.c_cflag &= ~(tcflag_t)(CRTSCTS | CSTOPB | PARENB);
	/* VMIN=0/VTIME=0: read() never blocks by itself; poll() carries every timeout. */
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 0;
	/* 921600 is what MediaTek's tools set; on CDC-ACM the bytes move at USB speed anyway. */
	if (cfsetispeed(&t, B921600) != 0 || cfsetospeed(&t, B921600) != 0)
		return unifw_error_sys(err, path, "cfsetspeed 921600");
	if (tcsetattr(fd, TCSANOW, &t) != 0)
		return unifw_error_sys(err, path, "tcsetattr");
	return 0;
}

static int tty_open_path(struct unifw_port *port, const char *path, struct unifw_error *err)
{
	int fd = open(path, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return unifw_error_sys(err, path, "cannot open the serial port%s", errno == EACCES ? udev_hint : "");
	if (!isatty(fd)) {
		close(fd);
		return unifw_error_set(err, UNIFW_E_INVALID, path, UNIFW_NO_OFFSET, "not a serial port (not a tty)");
	}
	/* Keep ModemManager and friends from opening it while we talk (best effort). */
	(void)ioctl(fd, TIOCEXCL);
	if (tty_configure(fd, path, err) < 0) {
		close(fd);
		return err ? err->code : UNIFW_E_IO;
	}
	(void)tcflush(fd, TCIFLUSH);
	/* Raise DTR/RTS like an opened CDC-ACM line (not supported on a pty: ignored). */
	int bits = TIOCM_DTR | TIOCM_RTS;
	(void)ioctl(fd, TIOCMBIS, &bits);

	struct tty_state *t = tty_state_new(fd);
	if (!t) {
		close(fd);
		return unifw_error_set(err, UNIFW_E_NOMEM, path, UNIFW_NO_OFFSET, "out of memory");
	}
	port->state = t;
	port->ops = &unifw_tty_ops;
	snprintf(port->name, sizeof port->name, "%s", path);
	/* Remember the node this is (a --pty-link or udev symlink resolved), to tell when it is gone. */
	struct stat st;
	char real[PATH_MAX];
	if (!realpath(path, real))
		snprintf(real, sizeof real, "%s", path);
	size_t real_len = strlen(real);
	if (real_len >= sizeof t->node)
		real_len = 0; /* unknown: a reconnect then does not wait for it to go */
	memcpy(t->node, real, real_len);
	t->node[real_len] = 0;
	if (fstat(fd, &st) == 0) {
		t->rdev = (unsigned long long)st.st_rdev;
		t->ino = (unsigned long long)st.st_ino;
	}
	/* Remember where on the USB bus this tty lives and what it is: after re-enumeration it may
	 * come back as another ttyACM number. */
	port->vid = port->pid = 0;
	port->location[0] = 0;
	const char *names[2] = { strrchr(path, '/'), strrchr(real, '/') }; /* as named, then as resolved */
	for (int i = 0; i < 2 && !port->vid; i++)
		(void)unifw_tty_usb_identity(port->sysfs_root, names[i] ? names[i] + 1 : (i ? real : path), &port->vid,
					     &port->pid, port->location, sizeof port->location, NULL, NULL, NULL, 0);
	return 0;
}

static int tty_open(struct unifw_port *port, struct unifw_error *err)
{
	return tty_open_path(port, port->spec.path, err);
}

int unifw_tty_wrap(struct unifw_port *port, int fd, struct unifw_error *err)
{
	struct tty_state *t = tty_state_new(fd);
	if (!t)
		return unifw_error_set(err, UNIFW_E_NOMEM, port->name, UNIFW_NO_OFFSET, "out of memory");
	port->state = t;
	port->ops = &unifw_tty_ops;
	return 0;
}

static int tty_read_some(struct unifw_port *port, uint8_t *buf, size_t max, unsigned timeout_ms, size_t *got,
			 struct unifw_error *err)
{
	uint64_t deadline = unifw_mono_ms() + timeout_ms;
	unsigned empty_reads = 0;
	for (;;) {
		uint64_t now = unifw_mono_ms();
		int wait = now >= deadline ? 0 : (int)(deadline - now);
		struct pollfd pfd = {.fd = tty_of(port)->io.fd, .events = POLLIN};
		int n = poll(&pfd, 1, wait);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return unifw_error_sys(err, port->name, "poll");
		}
		if (n == 0)
			return UNIFW_E_TIMEOUT;
		if (pfd.revents & POLLNVAL)
			return unifw_error_set(err, UNIFW_E_IO, port->name, UNIFW_NO_OFFSET, "the serial port is closed");
		/* A pty whose other end closed reports POLLERR/POLLHUP; a ttyACM whose phone left, EIO. */
		if ((pfd.revents & (POLLERR | POLLHUP)) && !(pfd.revents & POLLIN))
			return unifw_error_set(err, UNIFW_E_IO, port->name, UNIFW_NO_OFFSET,
					       "the device disconnected (serial line hung up)");
		ssize_t r = read(pfd.fd, buf, max);
		if (r > 0) {
			*got = (size_t)r;
			return 0;
		}
		if (r < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (r < 0 && errno != EIO)
			return unifw_error_sys(err, port->name, "read");
		/* EIO, or readable-but-empty repeatedly: the line hung up (phone unplugged, pty peer gone). */
		if (r < 0 || (pfd.revents & POLLHUP) || ++empty_reads >= 3)
			return unifw_error_set(err, UNIFW_E_IO, port->name, UNIFW_NO_OFFSET,
					       "the device disconnected (serial line hung up)");
	}
}

static int tty_write(struct unifw_port *port, const uint8_t *buf, size_t n, struct unifw_error *err)
{
	return unifw_port_fd_write(port, &tty_of(port)->io, buf, n, err);
}

static void tty_close(struct unifw_port *port)
{
	struct tty_state *t = tty_of(port);
	if (t && t->io.fd >= 0) {
		/* Let the last bytes (FINISH, an ACK) leave before the descriptor goes: tcdrain waits
		 * for the output queue instead of discarding it. */
		(void)tcdrain(t->io.fd);
		close(t->io.fd);
	}
	free(t);
	port->state = NULL;
}

/* The device node the port had is gone (or is another device's now): after a re-enumeration the
 * old device disappears before the new one appears, and opening the old node meanwhile would
 * talk to a dying device. */
static bool tty_old_node_gone(const char *node, unsigned long long rdev, unsigned long long ino)
{
	struct stat st;
	if (stat(node, &st) != 0)
		return true;
	return (unsigned long long)st.st_rdev != rdev || (unsigned long long)st.st_ino != ino;
}

#define DA_IDS "0e8d:2001" /* UNIFW_USB_MODE_DA */

/* The re-enumerated phone among the ttyACM devices in sysfs: a DA (0e8d:2001), preferably on the
 * USB port we had. 0 found, or a reason it was not (written to why). */
static int tty_find_da(const struct unifw_port *port, char *path, size_t len, char *why, size_t wlen)
{
	struct unifw_device *list;
	size_t n, found = 0;
	struct unifw_error e;
	unifw_error_clear(&e);
	struct unifw_device_list devs = {0};
	if (unifw_tty_list_in(port->sysfs_root, port->dev_root, &devs, &e) < 0) {
		snprintf(why, wlen, "%.*s", (int)(wlen ? wlen - 1 : 0), e.msg);
		free(devs.items);
		return -1;
	}
	list = devs.items;
	n = devs.count;
	const struct unifw_device *pick = NULL;
	for (size_t i = 0; i < n; i++) {
		if (list[i].mode != UNIFW_USB_MODE_DA)
			continue;
		found++;
		if (!pick || (port->location[0] && strcmp(list[i].location, port->location) == 0))
			pick = &list[i];
	}
	bool same_port = pick && port->location[0] && strcmp(pick->location, port->location) == 0;
	int rc = 0;
	if (!pick) {
		snprintf(why, wlen, "no tty with " DA_IDS " (the DA after re-enumeration) in %s/class/tty",
			 port->sysfs_root);
		rc = -1;
	} else if (found > 1 && !same_port) {
		snprintf(why, wlen, "%zu ttys with " DA_IDS ", none on USB port %s: not guessing which is ours", found,
			 port->location[0] ? port->location : "(unknown)");
		rc = -1;
	} else if (strlen(pick->port) >= len) {
		snprintf(why, wlen, "the path of the new tty is too long");
		rc = -1;
	} else {
		memcpy(path, pick->port, strlen(pick->port) + 1);
	}
	free(list);
	return rc;
}

/* Where the device is now: a ttyACM with a USB identity is looked up by VID:PID in sysfs (its
 * number, and a udev alias, may change); a symlink (the virtual phone's --pty-link) is resolved
 * again; any other path is the same path. */
static int tty_find_new(const struct unifw_port *port, const char *path, bool link, char *now_path, size_t len,
			char *why, size_t wlen)
{
	if (port->vid)
		return tty_find_da(port, now_path, len, why, wlen);
	char real[PATH_MAX];
	if (link && !realpath(path, real)) {
		snprintf(why, wlen, "%s points to nothing that exists (yet)", path);
		return -1;
	}
	snprintf(now_path, len, "%s", path);
	return 0;
}

static int tty_reopen(struct unifw_port *port, unsigned timeout_ms, struct unifw_error *err)
{
	uint64_t deadline = unifw_mono_ms() + timeout_ms;
	char path[sizeof port->spec.path], why[400] = "";
	struct stat lst;
	if (port->spec.kind != UNIFW_PORT_TTY)
		return unifw_error_set(err, UNIFW_E_UNSUPPORTED, port->name, UNIFW_NO_OFFSET,
				       "a wrapped descriptor cannot be reopened");
	snprintf(path, sizeof path, "%s", port->spec.path);
	bool link = lstat(path, &lst) == 0 && S_ISLNK(lst.st_mode);
	char node[sizeof tty_of(port)->node];
	unsigned long long rdev = tty_of(port)->rdev, ino = tty_of(port)->ino;
	memcpy(node, tty_of(port)->node, sizeof node);
	tty_close(port);
	port->ops = NULL;
	bool gone = false;
	for (;;) {
		char now_path[sizeof port->spec.path];
		struct unifw_error last;
		unifw_error_clear(&last);
		if (!gone && !(gone = tty_old_node_gone(node, rdev, ino)))
			snprintf(why, sizeof why, "the old device %s is still there", node);
		if (gone && tty_find_new(port, path, link, now_path, sizeof now_path, why, sizeof why) == 0) {
			if (tty_open_path(port, now_path, &last) == 0) {
				memcpy(port->spec.path, now_path, strlen(now_path) + 1);
				return 0;
			}
			snprintf(why, sizeof why, "%.*s", (int)sizeof why - 1, last.msg);
		}
		if (unifw_mono_ms() >= deadline)
			break;
		unifw_sleep_ms(gone ? 20 : 5);
	}
	return unifw_error_set(err, UNIFW_E_TIMEOUT, path, UNIFW_NO_OFFSET,
			       "the device did not come back within %u ms after re-enumeration: %s", timeout_ms, why);
}


/* ---- sysfs: which ttys are MediaTek phones ---- */

static bool read_sysfs_line(const char *dir, const char *file, char *out, size_t len)
{
	char path[PATH_MAX];
	FILE *f;
	if (snprintf(path, sizeof path, "%s/%s", dir, file) >= (int)sizeof path)
		return false;
	f = fopen(path, "r");
	if (!f)
		return false;
	if (!fgets(out, (int)len, f)) {
		fclose(f);
		return false;
	}
	fclose(f);
	out[strcspn(out, "\r\n")] = 0;
	return true;
}

static bool read_sysfs_hex16(const char *dir, const char *file, uint16_t *v)
{
	char line[32], *end;
	if (!read_sysfs_line(dir, file, line, sizeof line))
		return false;
	unsigned long x = strtoul(line, &end, 16);
	if (end == line || x > 0xFFFF)
		return false;
	*v = (uint16_t)x;
	return true;
}

static bool read_sysfs_dec8(const char *dir, const char *file, uint8_t *v)
{
	char line[32], *end;
	if (!read_sysfs_line(dir, file, line, sizeof line))
		return false;
	unsigned long x = strtoul(line, &end, 10);
	if (end == line || x > 255)
		return false;
	*v = (uint8_t)x;
	return true;
}

/* /sys/class/tty/ttyACM0/device points at the USB interface (1-1.2:1.1); its parent directory
 * is the USB device with idVendor/idProduct/busnum/devnum. */
bool unifw_tty_usb_identity(const char *sysfs_root, const char *ttyname, uint16_t *vid, uint16_t *pid,
			    char *location, size_t loclen, uint8_t *bus, uint8_t *addr, char *product, size_t plen)
{
	char link[PATH_MAX], real[PATH_MAX];
	if (!sysfs_root || strchr(ttyname, '/') ||
	    snprintf(link, sizeof link, "%s/class/tty/%s/device", sysfs_root, ttyname) >= (int)sizeof link)
		return false;
	if (!realpath(link, real))
		return false;
	char *slash = strrchr(real, '/');
	if (!slash || slash == real)
		return false;
	*slash = 0; /* the USB device directory */
	uint16_t v, p;
	if (!read_sysfs_hex16(real, "idVendor", &v) || !read_sysfs_hex16(real, "idProduct", &p))
		return false;
	*vid = v;
	*pid = p;
	if (location && loclen) {
		const char *base = strrchr(real, '/');
		snprintf(location, loclen, "%s", base ? base + 1 : real);
	}
	if (bus && !read_sysfs_dec8(real, "busnum", bus))
		*bus = 0;
	if (addr && !read_sysfs_dec8(real, "devnum", addr))
		*addr = 0;
	if (product && plen && !read_sysfs_line(real, "product", product, plen))
		product[0] = 0;
	return true;
}

int unifw_tty_list_in(const char *sysfs_root, const char *dev_root, struct unifw_device_list *out,
		      struct unifw_error *err)
{
	char dir[PATH_MAX];
	DIR *d;
	struct dirent *de;
	int rc = 0;
	if (snprintf(dir, sizeof dir, "%s/class/tty", sysfs_root) >= (int)sizeof dir)
		return 0;
	d = opendir(dir);
	if (!d)
		return 0; /* no sysfs (container, other OS): no ttys to offer */
	while (rc == 0 && (de = readdir(d)) != NULL) {
		struct unifw_device dev;
		if (strncmp(de->d_name, "ttyACM", 6) != 0)
			continue;
		memset(&dev, 0, sizeof dev);
		if (!unifw_tty_usb_identity(sysfs_root, de->d_name, &dev.vid, &dev.pid, dev.location, sizeof dev.location,
					    &dev.bus, &dev.addr, dev.product, sizeof dev.product))
			continue;
		dev.mode = unifw_usb_mode_from_ids(dev.vid, dev.pid);
		if (dev.vid != UNIFW_USB_VID_MEDIATEK && dev.mode == UNIFW_USB_MODE_UNKNOWN)
			continue;
		dev.kind = UNIFW_PORT_TTY;
		snprintf(dev.port, sizeof dev.port, "%s/%s", dev_root, de->d_name);
		rc = unifw_device_append(out, &dev, err);
	}
	closedir(d);
	return rc;
}

static int tty_list(const struct unifw_port_options *opt, bool with_product, struct unifw_device_list *out,
		    struct unifw_error *err)
{
	(void)with_product; /* sysfs has the product string without opening anything */
	return unifw_tty_list_in(opt && opt->sysfs_root ? opt->sysfs_root : "/sys",
				 opt && opt->dev_root ? opt->dev_root : "/dev", out, err);
}

/* ---- --port: any absolute path is a serial port ---- */

static int tty_match(const char *text, struct unifw_port_spec *spec, struct unifw_error *err)
{
	if (text[0] != '/')
		return PORT_SPEC_NOT_MINE;
	if (strlen(text) >= sizeof spec->path)
		return unifw_error_set(err, UNIFW_E_BAD_PORT, "--port", UNIFW_NO_OFFSET,
				       "serial port path too long (%zu bytes)", strlen(text));
	spec->kind = UNIFW_PORT_TTY;
	snprintf(spec->path, sizeof spec->path, "%s", text);
	return 0;
}

const struct unifw_transport_ops unifw_tty_ops = {
	.kind = "tty",
	.port_kind = UNIFW_PORT_TTY,
	.form = "/dev/ttyACM0",
	.match = tty_match,
	.open = tty_open,
	.list = tty_list,
	.read_some = tty_read_some,
	.write = tty_write,
	.reopen = tty_reopen,
	.close = tty_close,
};
