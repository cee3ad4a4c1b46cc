/* MediaTek tty discovery from a fake sysfs tree (struct unifw_port_options' sysfs_root and dev_root):
 * the devices list, `auto`, and reconnect after re-enumeration (an old ttyACM0 that lingers, the DA back
 * as another ttyACM on another USB port next to a foreign modem; a re-pointed pty symlink). */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "unifw/brom.h"
#include "unifw/da_legacy.h"
#include "unifw/transport.h"
#include "util/clock.h"

#include "fd_util.h"

/* ---- fake sysfs: discovery, auto, reconnect ---- */

static void put_file(const char *dir, const char *name, const char *text)
{
	char p[1024];
	snprintf(p, sizeof p, "%s/%s", dir, name);
	test_write_file(p, text, strlen(text));
}

static void mkdirs(const char *path)
{
	char cmd[1200];
	snprintf(cmd, sizeof cmd, "mkdir -p '%s'", path);
	assert_int_equal(system(cmd), 0);
}

/* A USB device dir with idVendor/idProduct/busnum/devnum/product and one interface. */
static void fake_usb_device(const char *sys, const char *name, const char *vid, const char *pid, const char *tty,
			    const char *product)
{
	char dev[600], itf[700], cls[700], link[800];
	snprintf(dev, sizeof dev, "%s/devices/usb1/%s", sys, name);
	snprintf(itf, sizeof itf, "%s/%s:1.1", dev, name);
	mkdirs(itf);
	put_file(dev, "idVendor", vid);
	put_file(dev, "idProduct", pid);
	put_file(dev, "busnum", "1\n");
	put_file(dev, "devnum", "5\n");
	put_file(dev, "product", product);
	snprintf(cls, sizeof cls, "%s/class/tty/%s", sys, tty);
	mkdirs(cls);
	snprintf(link, sizeof link, "%s/device", cls);
	unlink(link);
	assert_int_equal(symlink(itf, link), 0);
}

static void notify_count(void *ctx, const char *msg)
{
	int *n = ctx;
	assert_non_null(strstr(msg, "plug in the powered-off phone now"));
	(*n)++;
}

static void devices_auto_and_reconnect_on_fake_sysfs(void **state)
{
	(void)state;
	char *root = test_mkdtemp();
	char sys[512], dev[512], link[700], slave[128], slave2[128];
	snprintf(sys, sizeof sys, "%s/sys", root);
	snprintf(dev, sizeof dev, "%s/dev", root);
	mkdirs(dev);
	mkdirs(sys);
	int notified = 0;
	struct unifw_port_options opt = {.sysfs_root = sys, .dev_root = dev, .no_usb = true, .wait_ms = 150,
					 .notify = notify_count, .ctx = &notified};
	struct unifw_port *port;
	struct unifw_error e;

	/* nothing plugged in: auto waits, then says what it looked for */
	uint64_t t0 = unifw_mono_ms();
	assert_int_equal(unifw_port_open("auto", &opt, &port, &e), UNIFW_E_TIMEOUT);
	assert_true(unifw_mono_ms() - t0 >= 140);
	assert_int_equal(notified, 1);
	assert_non_null(strstr(e.msg, "no MediaTek device (0e8d:0003 BROM, 0e8d:2000 preloader, 0e8d:2001 DA)"));

	/* a preloader on ttyACM0 and a foreign modem on ttyACM1 */
	int master = open_pty(slave, sizeof slave);
	fake_usb_device(sys, "1-1", "0e8d\n", "2000\n", "ttyACM0", "MT65xx Preloader\n");
	fake_usb_device(sys, "1-2", "1234\n", "5678\n", "ttyACM1", "Some Modem\n");
	snprintf(link, sizeof link, "%s/ttyACM0", dev);
	assert_int_equal(symlink(slave, link), 0);

	struct unifw_device *list;
	size_t n;
	assert_int_equal(unifw_devices_list(&opt, &list, &n, &e), 0);
	assert_int_equal(n, 1);
	assert_int_equal(list[0].kind, UNIFW_PORT_TTY);
	assert_string_equal(list[0].port, link);
	assert_int_equal(list[0].vid, 0x0E8D);
	assert_int_equal(list[0].pid, 0x2000);
	assert_int_equal(list[0].mode, UNIFW_USB_MODE_PRELOADER);
	assert_string_equal(list[0].location, "1-1");
	assert_int_equal(list[0].bus, 1);
	assert_int_equal(list[0].addr, 5);
	assert_string_equal(list[0].product, "MT65xx Preloader");
	unifw_devices_free(list);

	/* auto finds it and talks through it */
	opt.wait_ms = 2000;
	assert_int_equal(unifw_port_open("auto", &opt, &port, &e), 0);
	assert_int_equal(notified, 2);
	assert_int_equal(unifw_port_kind(port), UNIFW_PORT_TTY);
	assert_string_equal(unifw_port_name(port), link);
	uint16_t vid, pid;
	assert_int_equal(unifw_port_usb_mode(port, &vid, &pid), UNIFW_USB_MODE_PRELOADER);
	assert_int_equal(pid, 0x2000);
	uint8_t b = 0;
	assert_int_equal(unifw_port_write(port, (const uint8_t *)"\xA0", 1, &e), 0);
	assert_int_equal(read_fd_exact(master, &b, 1, 1000), 1);
	assert_int_equal(b, 0xA0);

	/* USB_SETUP_PORT: the phone re-enumerates as the DA (2001) and comes back as ttyACM2 on
	 * the same USB port; reconnect finds it by its USB location, not by the old name */
	close(master);
	snprintf(link, sizeof link, "%s/ttyACM0", dev);
	unlink(link);
	char cls[700];
	snprintf(cls, sizeof cls, "%s/class/tty/ttyACM0/device", sys);
	unlink(cls);
	snprintf(cls, sizeof cls, "%s/class/tty/ttyACM0", sys);
	rmdir(cls);
	int master2 = open_pty(slave2, sizeof slave2);
	fake_usb_device(sys, "1-1", "0e8d\n", "2001\n", "ttyACM2", "MT65xx DA\n");
	snprintf(link, sizeof link, "%s/ttyACM2", dev);
	assert_int_equal(symlink(slave2, link), 0);
	assert_int_equal(unifw_port_reconnect(port, 2000, &e), 0);
	assert_string_equal(unifw_port_name(port), link);
	assert_int_equal(unifw_port_usb_mode(port, NULL, &pid), UNIFW_USB_MODE_DA);
	assert_int_equal(pid, 0x2001);
	write_all_fd(master2, "\x5A", 1);
	assert_int_equal(unifw_port_read(port, &b, 1, 1000, &e), 0);
	assert_int_equal(b, 0x5A);
	unifw_port_close(port);
	close(master2);
	test_rmtree(root);
	free(root);
}

/* A re-enumerating phone, played by a thread: `after_ms` after the start the old device goes (its
 * pty master closes, its sysfs entry and /dev link vanish), and then the new one appears. */
struct replug {
	int old_master;
	char sys[512], dev[512], link[700], new_target[128];
	const char *new_tty, *new_location; /* NULL: no ttyACM, only `link` re-pointed to new_target */
	unsigned after_ms;
};

static void *replug_run(void *arg)
{
	struct replug *r = arg;
	char p[800];
	usleep(r->after_ms * 1000u);
	if (r->new_tty) {
		snprintf(p, sizeof p, "%s/ttyACM0", r->dev);
		unlink(p);
		snprintf(p, sizeof p, "%s/class/tty/ttyACM0/device", r->sys);
		unlink(p);
		snprintf(p, sizeof p, "%s/class/tty/ttyACM0", r->sys);
		rmdir(p);
	}
	close(r->old_master); /* the old node vanishes */
	usleep(30000);
	if (r->new_tty) {
		fake_usb_device(r->sys, r->new_location, "0e8d\n", "2001\n", r->new_tty, "MT65xx DA\n");
		snprintf(p, sizeof p, "%s/%s", r->dev, r->new_tty);
	} else {
		snprintf(p, sizeof p, "%s.new", r->link);
	}
	unlink(p);
	if (symlink(r->new_target, p) != 0)
		return NULL;
	if (!r->new_tty)
		rename(p, r->link); /* re-pointed atomically, as unifw-sim does */
	return NULL;
}

/* USB_SETUP_PORT on a real phone: the old ttyACM0 (0e8d:2000 on USB port 1-1) lingers for a while,
 * then the DA comes back as 0e8d:2001 with another number, here even on another port (a hub's
 * reset). Reconnect must not reopen the dying node, and must find the DA by VID:PID, not take the
 * foreign modem. */
static void reconnect_waits_for_the_old_tty_and_finds_the_da_by_vid_pid(void **state)
{
	(void)state;
	char *root = test_mkdtemp();
	/* static: should an assertion end the test early, the thread still finds valid paths */
	static struct replug r;
	r = (struct replug){.new_tty = "ttyACM3", .new_location = "1-4", .after_ms = 150};
	char slave[128], link[700];
	snprintf(r.sys, sizeof r.sys, "%s/sys", root);
	snprintf(r.dev, sizeof r.dev, "%s/dev", root);
	mkdirs(r.dev);
	r.old_master = open_pty(slave, sizeof slave);
	fake_usb_device(r.sys, "1-1", "0e8d\n", "2000\n", "ttyACM0", "MT65xx Preloader\n");
	fake_usb_device(r.sys, "1-2", "1234\n", "5678\n", "ttyACM1", "Some Modem\n");
	snprintf(link, sizeof link, "%s/ttyACM0", r.dev);
	assert_int_equal(symlink(slave, link), 0);
	int new_master = open_pty(r.new_target, sizeof r.new_target);
	struct unifw_port_options opt = {.sysfs_root = r.sys, .dev_root = r.dev, .no_usb = true};
	struct unifw_port *port;
	struct unifw_error e;
	assert_int_equal(unifw_port_open(link, &opt, &port, &e), 0);
	assert_int_equal(unifw_port_usb_mode(port, NULL, NULL), UNIFW_USB_MODE_PRELOADER);

	pthread_t t;
	uint64_t t0 = unifw_mono_ms();
	assert_int_equal(pthread_create(&t, NULL, replug_run, &r), 0);
	assert_int_equal(unifw_port_reconnect(port, 3000, &e), 0);
	assert_true(unifw_mono_ms() - t0 >= 150); /* not before the old device went */
	pthread_join(t, NULL);
	snprintf(link, sizeof link, "%s/ttyACM3", r.dev);
	assert_string_equal(unifw_port_name(port), link);
	uint16_t pid = 0;
	assert_int_equal(unifw_port_usb_mode(port, NULL, &pid), UNIFW_USB_MODE_DA);
	assert_int_equal(pid, 0x2001);
	uint8_t b = 0;
	write_all_fd(new_master, "\x5A", 1);
	assert_int_equal(unifw_port_read(port, &b, 1, 1000, &e), 0);
	assert_int_equal(b, 0x5A);

	/* the DA goes and does not come back: the error says how long and what was missing */
	close(new_master);
	char cls[800];
	snprintf(cls, sizeof cls, "%s/class/tty/ttyACM3/device", r.sys);
	unlink(cls);
	assert_int_equal(unifw_port_reconnect(port, 200, &e), UNIFW_E_TIMEOUT);
	assert_non_null(strstr(e.msg, "did not come back within 200 ms"));
	assert_non_null(strstr(e.msg, "no tty with 0e8d:2001"));
	unifw_port_close(port);
	test_rmtree(root);
	free(root);
}

/* The virtual phone's --pty-link: on re-enumeration the sim makes a new pty and re-points the link.
 * The old pty exists a while longer (the sim waits until its last bytes are read): reconnect must
 * wait for it to go, then follow the link to the new one. */
static void reconnect_follows_a_symlink_to_the_new_pty(void **state)
{
	(void)state;
	char *root = test_mkdtemp();
	static struct replug r; /* static: see above */
	r = (struct replug){.after_ms = 120};
	char slave[128];
	snprintf(r.link, sizeof r.link, "%s/ttyPHONE", root);
	r.old_master = open_pty(slave, sizeof slave);
	assert_int_equal(symlink(slave, r.link), 0);
	int new_master = open_pty(r.new_target, sizeof r.new_target);
	struct unifw_port *port;
	struct unifw_error e;
	assert_int_equal(unifw_port_open(r.link, NULL, &port, &e), 0);

	pthread_t t;
	uint64_t t0 = unifw_mono_ms();
	assert_int_equal(pthread_create(&t, NULL, replug_run, &r), 0);
	assert_int_equal(unifw_port_reconnect(port, 3000, &e), 0);
	assert_true(unifw_mono_ms() - t0 >= 120);
	pthread_join(t, NULL);
	assert_string_equal(unifw_port_name(port), r.link);
	uint8_t b = 0;
	write_all_fd(new_master, "\xC1", 1);
	assert_int_equal(unifw_port_read(port, &b, 1, 1000, &e), 0);
	assert_int_equal(b, 0xC1);
	/* the device never goes: the error names the node that stayed */
	assert_int_equal(unifw_port_reconnect(port, 200, &e), UNIFW_E_TIMEOUT);
	assert_non_null(strstr(e.msg, "did not come back within 200 ms"));
	assert_non_null(strstr(e.msg, r.new_target));
	assert_non_null(strstr(e.msg, "is still there"));
	unifw_port_close(port);
	close(new_master);
	test_rmtree(root);
	free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(devices_auto_and_reconnect_on_fake_sysfs),
		cmocka_unit_test(reconnect_waits_for_the_old_tty_and_finds_the_da_by_vid_pid),
		cmocka_unit_test(reconnect_follows_a_symlink_to_the_new_pty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
