/* unifw-sim — the universal image's probe at boot (boot_eval_internal.h eval_run_probe; docs/sim.md "The
 * universal probe at boot"). Android's init runs /unifw/probe.sh at post-fs-data, after /system and /data are
 * mounted and before the `boot` trigger's class_start starts the services that read the bound files. The sim
 * runs the ramdisk's own script with a real POSIX shell against a fake root made from the model's hardware,
 * then judges /system through the bind mounts the script recorded. */
#include "boot_eval_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "boot_probe_data.h"
#include "firmware/fw_build.h"
#include "unifw/probe.h"
#include "unifw/hash.h"

#define PROBE_SCRIPT "unifw/probe.sh"
#define PROBE_RULES "unifw/probe.rules"
#define PROBE_RECORD "data/unifw/probe.txt"
#define PROBE_MAX_ARGS 8u
#define RC_MAX_FILES 16u /* init.rc and what it imports (AOSP init follows imports recursively) */
#define RC_MAX_NAMES 16u

/* init's `wait /dev/.unifw_probe_done 10` in /init.unifw.rc: post-fs-data goes on after 10 s whatever the
 * probe does, so a probe still running then has bound nothing the boot can rely on. */
#define PROBE_TIMEOUT_S 10u

struct eval_probe {
	uint8_t *script, *rules;
	size_t script_len, rules_len;
	bool has_rules;
	bool started;          /* a service running /unifw/probe.sh is started at post-fs-data */
	char service[64];      /* its name */
	char root[PATH_MAX];   /* the fake root, "" until made */
};

/* ------------------------------------------------------------------ the ramdisk: script, table, init */

struct rc_scan {
	const char *files[RC_MAX_FILES];
	size_t file_count;
	char services[RC_MAX_NAMES][64]; /* services whose command runs /unifw/probe.sh */
	size_t service_count;
	char started[RC_MAX_NAMES][64];  /* `start NAME` under `on post-fs-data` */
	size_t started_count;
};

static const struct unifw_ramdisk_entry *rd_file(const struct unifw_ramdisk *rd, const char *path)
{
	const struct unifw_ramdisk_entry *e = unifw_ramdisk_find(rd, unifw_ramdisk_canonical(path));
	return e && e->type == UNIFW_RD_FILE ? e : NULL;
}

static void rc_add(char list[][64], size_t *n, const char *name)
{
	if (*n < RC_MAX_NAMES)
		snprintf(list[(*n)++], 64, "%s", name);
}

static bool rc_is_probe_command(char **tok, size_t n)
{
	/* service NAME PATH [ARGS]: the script itself, or a shell running it (/system/bin/sh /unifw/probe.sh) */
	for (size_t i = 2; i < n && i < 4; i++)
		if (!strcmp(tok[i], "/unifw/probe.sh"))
			return true;
	return false;
}

/* One line of an init .rc file (AOSP system/core/init/init_parser.c: sections start with `on` or `service`,
 * `import` may appear anywhere at the top level). */
static void rc_line(struct rc_scan *s, char *line, char *section, size_t section_len)
{
	char *tok[8], *save = NULL;
	size_t n = 0;
	for (char *t = strtok_r(line, " \t\r", &save); t && n < 8; t = strtok_r(NULL, " \t\r", &save))
		tok[n++] = t;
	if (!n || tok[0][0] == '#')
		return;
	if (!strcmp(tok[0], "on") && n >= 2) {
		snprintf(section, section_len, "on %s", tok[1]);
	} else if (!strcmp(tok[0], "service") && n >= 3) {
		snprintf(section, section_len, "service %s", tok[1]);
		if (rc_is_probe_command(tok, n))
			rc_add(s->services, &s->service_count, tok[1]);
	} else if (!strcmp(tok[0], "start") && n >= 2 && !strcmp(section, "on post-fs-data")) {
		rc_add(s->started, &s->started_count, tok[1]);
	}
}

static void rc_scan_file(struct rc_scan *s, const struct unifw_ramdisk *rd, const struct unifw_ramdisk_entry *f)
{
	char *text = malloc(f->size + 1);
	char section[96] = "";
	if (!text)
		return;
	if (f->size)
		memcpy(text, f->data, f->size);
	text[f->size] = 0;
	for (char *save = NULL, *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *p = line + strspn(line, " \t");
		if (!strncmp(p, "import", 6) && (p[6] == ' ' || p[6] == '\t')) {
			char path[256];
			if (sscanf(p + 7, " %255s", path) == 1 && s->file_count < RC_MAX_FILES) {
				const struct unifw_ramdisk_entry *imp = rd_file(rd, path);
				bool seen = false;
				for (size_t i = 0; i < s->file_count; i++)
					seen |= s->files[i] && imp && !strcmp(s->files[i], imp->path);
				if (imp && !seen) {
					s->files[s->file_count++] = imp->path;
					rc_scan_file(s, rd, imp);
				}
			}
			continue;
		}
		rc_line(s, p, section, sizeof section);
	}
	free(text);
}

static void probe_find_start(struct eval_probe *p, const struct unifw_ramdisk *rd)
{
	struct rc_scan s = { 0 };
	const struct unifw_ramdisk_entry *init = rd_file(rd, "init.rc");
	if (!init)
		return;
	s.files[s.file_count++] = init->path;
	rc_scan_file(&s, rd, init);
	for (size_t i = 0; i < s.service_count && !p->started; i++)
		for (size_t j = 0; j < s.started_count && !p->started; j++)
			if (!strcmp(s.services[i], s.started[j])) {
				p->started = true;
				snprintf(p->service, sizeof p->service, "%s", s.services[i]);
			}
}

static uint8_t *dup_bytes(const uint8_t *d, size_t n)
{
	uint8_t *out = malloc(n ? n : 1);
	if (out && n)
		memcpy(out, d, n);
	return out;
}

void eval_probe_keep_ramdisk(struct eval *v, const struct unifw_ramdisk *rd)
{
	const struct unifw_ramdisk_entry *script = rd_file(rd, PROBE_SCRIPT);
	if (!script || v->probe)
		return;
	struct eval_probe *p = calloc(1, sizeof *p);
	if (!p || !(p->script = dup_bytes(script->data, script->size))) {
		free(p);
		return;
	}
	p->script_len = script->size;
	const struct unifw_ramdisk_entry *rules = rd_file(rd, PROBE_RULES);
	if (rules && (p->rules = dup_bytes(rules->data, rules->size))) {
		p->rules_len = rules->size;
		p->has_rules = true;
	}
	probe_find_start(p, rd);
	v->probe = p;
}

void eval_probe_free(struct eval *v)
{
	struct eval_probe *p = v->probe;
	if (!p)
		return;
	if (p->root[0])
		(void)unifw_remove_tree(p->root);
	free(p->script);
	free(p->rules);
	free(p);
	v->probe = NULL;
}

/* ------------------------------------------------------------------ the fake root */

/* The usual 7-bit i2c address of each touch controller family (their datasheets and the MT6572 kernels'
 * i2c_board_info: Goodix GT9xx 0x5d, FocalTech FT5x06/FT6x06 0x38, MStar MSG21xx 0x26, Silead GSL 0x40). */
static unsigned touch_i2c_addr(const char *name)
{
	static const struct {
		const char *prefix;
		unsigned addr;
	} t[] = { { "gt9", 0x5d }, { "GT9", 0x5d }, { "ft", 0x38 }, { "msg", 0x26 }, { "gsl", 0x40 } };
	for (size_t i = 0; i < sizeof t / sizeof *t; i++)
		if (!strncmp(name, t[i].prefix, strlen(t[i].prefix)))
			return t[i].addr;
	return 0x5d;
}

/* MT6572 LK's command line (bootable/bootloader/lk/app/mt_boot/mt_boot.c boot_linux_from_storage and
 * boot_linux): the project's COMMANDLINE_TO_KERNEL, then lcm=%1d-%s (DISP_IsLcmFound, mt_disp_get_lcm_id),
 * fps=, vram=, then boot_linux's bootprof times, printk.disable_uart and boot_reason. The values other than
 * lcm= are plausible constants [I]. */
static int write_cmdline(const struct eval *v, const char *root, struct unifw_error *err)
{
	char line[512];
	int n;
	if (v->lk_lcm.name)
		n = snprintf(line, sizeof line,
			     "console=tty0 console=ttyMT0,921600n1 root=/dev/ram vmalloc=496M slub_max_order=0 lcm=%d-%s "
			     "fps=6000 vram=4194304 bootprof.pl_t=1621 bootprof.lk_t=2413 printk.disable_uart=1 boot_reason=0\n",
			     v->lk_lcm.found ? 1 : 0, v->lk_lcm.name);
	else
		n = snprintf(line, sizeof line,
			     "console=tty0 console=ttyMT0,921600n1 root=/dev/ram vmalloc=496M slub_max_order=0 "
			     "bootprof.pl_t=1621 bootprof.lk_t=2413 printk.disable_uart=1 boot_reason=0\n");
	return sim_stage_file(root, "proc/cmdline", line, (size_t)n, err);
}

/* /sys/bus/i2c/devices/<bus>-<addr 4 hex>/name (drivers/i2c/i2c-core.c: dev_set_name "%d-%04x",
 * show_name prints client->name and '\n'): the touch controller, and an accelerometer beside it so the
 * probe has to pick. */
static int write_i2c(const struct eval *v, const char *root, struct unifw_error *err)
{
	char rel[128], name[80];
	int rc = 0;
	if (v->m && v->m->touch) {
		snprintf(rel, sizeof rel, "sys/bus/i2c/devices/0-%04x/name", touch_i2c_addr(v->m->touch));
		int n = snprintf(name, sizeof name, "%s\n", v->m->touch);
		rc = sim_stage_file(root, rel, name, (size_t)n, err);
	}
	if (rc == 0)
		rc = sim_stage_file(root, "sys/bus/i2c/devices/2-004c/name", "mc3410\n", 7, err);
	return rc;
}

/* /sys/block/mmcblk0/device/cid (drivers/mmc/core/mmc.c MMC_DEV_ATTR(cid, "%08x%08x%08x%08x\n", raw_cid[0..3])):
 * the 16 CID bytes MSB first as 32 lowercase hex digits. */
static int write_cid(const struct eval *v, const char *root, struct unifw_error *err)
{
	char hex[34];
	unifw_hex(v->cid, 16, hex); /* lowercase, as the kernel's %08x */
	hex[32] = '\n';
	hex[33] = 0;
	return sim_stage_file(root, "sys/block/mmcblk0/device/cid", hex, 33, err);
}

static int make_root(struct eval *v, struct eval_probe *p, const struct sim_sysview *sys, struct unifw_error *err)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(p->root, sizeof p->root, "%s/unifw-sim-probe-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(p->root)) {
		int rc = unifw_error_sys(err, p->root, "cannot create the probe's fake root");
		p->root[0] = 0;
		return rc;
	}
	uint8_t *prop = NULL;
	size_t prop_len = 0;
	int rc = write_cmdline(v, p->root, err);
	if (rc == 0)
		rc = write_i2c(v, p->root, err);
	if (rc == 0)
		rc = write_cid(v, p->root, err);
	if (rc == 0)
		rc = sim_stage_file(p->root, PROBE_SCRIPT, p->script, p->script_len, err);
	if (rc == 0 && p->has_rules)
		rc = sim_stage_file(p->root, PROBE_RULES, p->rules, p->rules_len, err);
	if (rc == 0 && unifw_ext4_read_file(sys->fs, "/build.prop", 1u << 20, &prop, &prop_len, NULL) == 0)
		rc = sim_stage_file(p->root, "system/build.prop", prop, prop_len, err);
	if (rc == 0)
		rc = sim_stage_dir(p->root, "data", err);
	if (rc == 0)
		rc = sim_stage_file(p->root, "dev/kmsg", "", 0, err);
	free(prop);
	return rc;
}

/* ------------------------------------------------------------------ running the shell */

struct shell {
	char given[256];           /* as given ("busybox sh", "dash") */
	char spec[256];            /* the same, split into argv */
	char *argv[PROBE_MAX_ARGS + 3];
	char path[PATH_MAX];       /* argv[0] resolved through PATH */
};

static bool find_in_path(const char *name, char *out, size_t cap)
{
	if (strchr(name, '/')) {
		snprintf(out, cap, "%s", name);
		return access(out, X_OK) == 0;
	}
	const char *path = getenv("PATH");
	char dirs[4096];
	snprintf(dirs, sizeof dirs, "%s", path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
	for (char *save = NULL, *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save))
		if (snprintf(out, cap, "%s/%s", *d ? d : ".", name) < (int)cap && access(out, X_OK) == 0)
			return true;
	return false;
}

/* UNIFW_SIM_PROBE_SHELL (split on spaces) or busybox sh, the shell of the phones' own toolbox era [I]. */
static int shell_prepare(struct shell *sh, struct unifw_error *err)
{
	const char *env = getenv("UNIFW_SIM_PROBE_SHELL");
	snprintf(sh->given, sizeof sh->given, "%s", env && *env ? env : "busybox sh");
	snprintf(sh->spec, sizeof sh->spec, "%s", sh->given);
	size_t n = 0;
	for (char *save = NULL, *t = strtok_r(sh->spec, " ", &save); t && n < PROBE_MAX_ARGS; t = strtok_r(NULL, " ", &save))
		sh->argv[n++] = t;
	sh->argv[n] = NULL;
	if (!n)
		return unifw_error_set(err, UNIFW_E_INVALID, "UNIFW_SIM_PROBE_SHELL", UNIFW_NO_OFFSET,
				       "UNIFW_SIM_PROBE_SHELL names no shell");
	if (!find_in_path(sh->argv[0], sh->path, sizeof sh->path))
		return unifw_error_set(err, UNIFW_E_NOT_FOUND, sh->argv[0], UNIFW_NO_OFFSET,
				       "the boot image carries the universal probe (/unifw/probe.sh), and running it needs "
				       "'%s', which is not in PATH: install busybox (or set UNIFW_SIM_PROBE_SHELL, e.g. "
				       "\"dash\")", sh->argv[0]);
	return 0;
}

static unsigned probe_timeout_s(void)
{
	/* A test hook: the timeout case need not wait the real 10 s. */
	const char *t = getenv("UNIFW_SIM_PROBE_TIMEOUT");
	long s = t ? strtol(t, NULL, 10) : 0;
	return s > 0 && s <= 600 ? (unsigned)s : PROBE_TIMEOUT_S;
}

/* Runs SHELL ROOT/unifw/probe.sh ROOT in ROOT with stdout and stderr into log; *timed_out when it was killed. */
static int shell_run(const struct shell *sh, const char *root, const char *log, int *status, bool *timed_out,
		     struct unifw_error *err)
{
	char script[PATH_MAX + 32];
	snprintf(script, sizeof script, "%s/%s", root, PROBE_SCRIPT);
	const char *argv[PROBE_MAX_ARGS + 3];
	size_t n = 0;
	for (; sh->argv[n]; n++)
		argv[n] = sh->argv[n];
	argv[n++] = script;
	argv[n++] = root;
	argv[n] = NULL;
	int out = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (out < 0)
		return unifw_error_sys(err, log, "cannot create the probe's log");
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		close(out);
		return unifw_error_sys(err, sh->path, "cannot fork to run the probe");
	}
	if (pid == 0) {
		setpgid(0, 0); /* its own group: a timeout kills the script's children too */
		int in = open("/dev/null", O_RDONLY);
		if (in >= 0)
			dup2(in, 0);
		dup2(out, 1);
		dup2(out, 2);
		if (chdir(root) != 0)
			_exit(126);
		/* The script comes from the image: it gets no more of the host's environment than a phone's init
		 * gives a service (PATH to find its commands, HOME in its root). */
		char env_path[4096], env_home[PATH_MAX + 8];
		const char *host_path = getenv("PATH");
		snprintf(env_path, sizeof env_path, "PATH=%s", host_path ? host_path : "/usr/bin:/bin");
		snprintf(env_home, sizeof env_home, "HOME=%s", root);
		char *const envp[] = { env_path, env_home, "LC_ALL=C", NULL };
		execve(sh->path, (char *const *)argv, envp);
		_exit(127);
	}
	close(out);
	setpgid(pid, pid);
	*timed_out = false;
	struct timespec start, now, nap = { 0, 10 * 1000 * 1000 };
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		pid_t w = waitpid(pid, status, WNOHANG);
		if (w == pid)
			break;
		if (w < 0 && errno != EINTR)
			return unifw_error_sys(err, sh->path, "cannot wait for the probe");
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (!*timed_out && now.tv_sec - start.tv_sec >= (time_t)probe_timeout_s()) {
			*timed_out = true;
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
		}
		nanosleep(&nap, NULL);
	}
	kill(-pid, SIGKILL); /* a background child the script left behind */
	return 0;
}

/* The last non-empty line of the probe's output, for a fault message. */
static void log_tail(const char *log, char *out, size_t cap)
{
	uint8_t *buf = NULL;
	size_t len = 0;
	out[0] = 0;
	if (unifw_file_read_all(log, 1u << 20, &buf, &len, NULL) != 0)
		return;
	while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
		len--;
	size_t start = len;
	while (start && buf[start - 1] != '\n')
		start--;
	size_t n = len - start < cap - 1 ? len - start : cap - 1;
	memcpy(out, buf + start, n);
	out[n] = 0;
	free(buf);
}

/* ------------------------------------------------------------------ what it bound */

static bool fs_has(const struct sim_sysview *sys, const char *path)
{
	struct unifw_ext4_stat st;
	return unifw_ext4_lstat(sys->fs, path, &st, NULL) == 0;
}

/* One recorded bind mount onto the sysview: mount -o bind fails (no bind) when the target or the source
 * does not exist, as the kernel's do_loopback / path lookup does. */
static void apply_bind(struct eval *v, struct sim_sysview *sys, const char *root, const char *source,
		       const char *target, struct unifw_jv *arr)
{
	struct sim_bind b = { 0 };
	struct stat st;
	const char *why = NULL;
	if (strncmp(target, "/system/", 8) != 0)
		why = "its target is outside /system, which the sim does not model";
	else if (!fs_has(sys, target + 7))
		why = "its target does not exist in /system (a bind mount needs an existing target)";
	else if (!strncmp(source, "/system/", 8)) {
		if (!fs_has(sys, source + 7))
			why = "its source does not exist in /system";
		snprintf(b.source_fs_path, sizeof b.source_fs_path, "%s", source + 7);
	} else if (!strncmp(source, "/dev/unifw/", 11)) {
		snprintf(b.source_host, sizeof b.source_host, "%s%s", root, source);
		if (stat(b.source_host, &st) != 0 || !S_ISREG(st.st_mode))
			why = "its source was not written by the probe";
	} else {
		why = "its source is neither in /system nor under /dev/unifw";
	}
	if (why) {
		eval_note(v, "android", "bind_failed", "the probe's `mount -o bind %s %s` fails: %s; that file stays the "
			  "base's", source, target, why);
		return;
	}
	snprintf(b.target, sizeof b.target, "%s", target + 7);
	struct sim_bind *same = (struct sim_bind *)sim_sysview_bind(sys, b.target);
	if (same) { /* a second bind mount on the same target stacks on the first: the last one is seen */
		*same = b;
	} else {
		struct sim_bind *grown = realloc(sys->binds, (sys->bind_count + 1) * sizeof *grown);
		if (!grown)
			return;
		sys->binds = grown;
		sys->binds[sys->bind_count++] = b;
	}
	struct unifw_jv *o = unifw_jv_push_obj(arr);
	unifw_jv_set_str(o, "source", source);
	unifw_jv_set_str(o, "target", target);
}

static void record_facts(struct eval *v, struct sim_sysview *sys, const char *root, const struct unifw_probe_record *r,
			 struct unifw_jv *f)
{
	unifw_jv_set_str(f, "lcm", r->lcm);
	struct unifw_jv *i2c = unifw_jv_set_arr(f, "i2c");
	for (size_t i = 0; i < r->i2c_count; i++)
		unifw_jv_push_str(i2c, r->i2c[i]);
	unifw_jv_set_str(f, "cid", r->cid);
	struct unifw_jv *bound = unifw_jv_set_obj(f, "bound");
	struct unifw_jv *fallbacks = unifw_jv_set_arr(f, "fallbacks");
	for (unsigned c = 0; c < UNIFW_PROBE_COMPONENTS; c++) {
		const char *name = unifw_probe_component_name((enum unifw_probe_component)c);
		unifw_jv_set_str(bound, name, r->bound[c][0] ? r->bound[c] : "fallback");
		if (!r->fallback[c][0])
			continue;
		unifw_jv_push_str(fallbacks, r->fallback[c]);
		eval_note(v, "android", "probe_fallback", "the probe found no %s variant for this phone and logs: \"%s\"",
			  name, r->fallback[c]);
	}
	struct unifw_jv *binds = unifw_jv_set_arr(f, "binds");
	for (size_t i = 0; i < r->bind_count; i++)
		apply_bind(v, sys, root, r->bind[i].source, r->bind[i].target, binds);
}

/* The phone's /data/unifw/probe.txt: USRDATA's /unifw/probe.txt (boot_probe_data.c), for `unifw identify`. */
static void keep_record(struct eval *v, const uint8_t *text, size_t len)
{
	struct unifw_error e = { 0 };
	char why[600];
	if (sim_usrdata_put_record(v->e, text, len, &e) != 0)
		eval_note(v, "android", "probe_record_unwritten", "the probe's record could not be put into USRDATA "
			  "/unifw/probe.txt (%s): `unifw identify` will not show it", eval_errtext(&e, why, sizeof why));
}

static void judge_record(struct eval *v, struct sim_sysview *sys, struct eval_probe *p, struct unifw_jv *f,
			 const char *tail)
{
	char path[PATH_MAX + 32], why[600];
	snprintf(path, sizeof path, "%s/%s", p->root, PROBE_RECORD);
	uint8_t *text = NULL;
	size_t len = 0;
	struct unifw_error e = { 0 };
	struct unifw_probe_record *r = calloc(1, sizeof *r);
	int rc = !r ? unifw_error_set(&e, UNIFW_E_NOMEM, "probe.txt", UNIFW_NO_OFFSET, "out of memory")
		    : unifw_file_read_all(path, UNIFW_PROBE_MAX_TEXT, &text, &len, NULL);
	if (rc != 0 && r)
		rc = unifw_error_set(&e, UNIFW_E_NOT_FOUND, "/data/unifw/probe.txt", UNIFW_NO_OFFSET,
				     "the probe wrote no record (or one larger than %u bytes)", UNIFW_PROBE_MAX_TEXT);
	if (rc == 0)
		rc = unifw_probe_record_parse((const char *)text, len, "/data/unifw/probe.txt", r, &e);
	if (rc == 0 && !r->done)
		rc = unifw_error_set(&e, UNIFW_E_TRUNCATED, "/data/unifw/probe.txt", UNIFW_NO_OFFSET,
				     "the record has no final \"done\" line");
	if (text)
		keep_record(v, text, len);
	if (rc != 0) {
		eval_fault(v, "android", "probe_failed",
			   "the universal probe left no usable record (%s)%s%s%s: nothing is bound, the phone boots with "
			   "the base's own files", eval_errtext(&e, why, sizeof why), tail[0] ? "; its last output: \"" : "",
			   tail, tail[0] ? "\"" : "");
	} else {
		record_facts(v, sys, p->root, r, f);
	}
	free(text);
	free(r);
}

void eval_run_probe(struct eval *v, struct sim_sysview *sys)
{
	struct eval_probe *p = v->probe;
	if (!p)
		return;
	struct unifw_jv *f = unifw_jv_set_obj(v->r->facts, "probe");
	unifw_jv_set_bool(f, "ran", false);
	if (!p->started) {
		eval_note(v, "android", "probe_not_started",
			  "the ramdisk carries /unifw/probe.sh, but no init .rc file starts a service running it at "
			  "post-fs-data (init.rc importing /init.unifw.rc with `start unifw_probe`): nothing is bound");
		return;
	}
	struct shell sh = { 0 };
	struct unifw_error e = { 0 };
	char log[PATH_MAX + 16], tail[200], why[600];
	int status = 0;
	bool timed_out = false;
	if (shell_prepare(&sh, v->err) != 0) {
		v->fatal_rc = v->err->code ? v->err->code : UNIFW_E_NOT_FOUND;
		return;
	}
	unifw_jv_set_str(f, "shell", sh.given);
	if (make_root(v, p, sys, &e) != 0) {
		v->fatal_rc = unifw_error_set(v->err, e.code ? e.code : UNIFW_E_IO, "probe", UNIFW_NO_OFFSET,
					      "cannot make the probe's fake root: %s", eval_errtext(&e, why, sizeof why));
		return;
	}
	snprintf(log, sizeof log, "%s.log", p->root);
	if (shell_run(&sh, p->root, log, &status, &timed_out, &e) != 0) {
		unlink(log);
		v->fatal_rc = unifw_error_set(v->err, e.code ? e.code : UNIFW_E_IO, "probe", UNIFW_NO_OFFSET,
					      "cannot run the probe: %s", eval_errtext(&e, why, sizeof why));
		return;
	}
	log_tail(log, tail, sizeof tail);
	unlink(log);
	unifw_jv_set_bool(f, "ran", true);
	if (timed_out) {
		eval_fault(v, "android", "probe_timeout",
			   "the universal probe was still running after %u s: init's `wait /dev/.unifw_probe_done %u` gave up "
			   "and post-fs-data went on; nothing it bound can be relied on, the phone boots with the base's "
			   "files", probe_timeout_s(), PROBE_TIMEOUT_S);
		return;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
		eval_note(v, "android", "probe_exit_status", "the probe exited with status %d%s%s%s", WEXITSTATUS(status),
			  tail[0] ? " (\"" : "", tail, tail[0] ? "\")" : "");
	judge_record(v, sys, p, f, tail);
}
