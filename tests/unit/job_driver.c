/* The device jobs' error-path driver (job_driver.h). */
#include "job_driver.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MODEL "a516-like"

const struct job_step job_steps_common[] = {
	{"open (no phone)", NULL, true, false},
	{"DA file", NULL, false, true},
	{"handshake", "cut:op=handshake,after=2", false, false},
	{"DA1 upload", "cut:op=send_da,at=50%", false, false},
	{"DA2 upload", "cut:op=da2,at=50%", false, false},
	{"report 2", "cut:op=report,after=8", false, false},
	{"PMT read", "cut:op=pmt,after=16", false, false},
	{"first read (partition table)", "cut:op=read,after=100", false, false},
};
const size_t job_steps_common_count = sizeof job_steps_common / sizeof *job_steps_common;

static void sh(const char *cmd)
{
	if (system(cmd) != 0)
		fail_msg("command failed: %s", cmd);
}

/* The factory eMMC once per driver run; each step gets a sparse copy. */
static void base_image(const char *root, char *path, size_t cap)
{
	char cmd[2048];
	snprintf(path, cap, "%s/factory.img", root);
	snprintf(cmd, sizeof cmd, "'%s' make-emmc --model " MODEL " -o '%s' >/dev/null", jsim_bin(), path);
	sh(cmd);
}

/* The error says where it happened: a file, partition or step in `where`, or a "step: " prefix. */
static void assert_context(const struct job_case *c, const struct job_step *st, const struct unifw_error *err)
{
	char text[1024];
	unifw_error_format(err, text, sizeof text);
	if (!err->msg[0] || (!err->where[0] && !strstr(err->msg, ": ")))
		fail_msg("%s, step %s: an error without context: '%s'", c->name, st->name, text);
	print_message("  %s / %s: %s\n", c->name, st->name, text);
}

static void run_step(const struct job_case *c, const struct job_step *st, const char *root, const char *base,
		     unsigned k)
{
	char dir[400], cmd[2048];
	struct jsim s;
	if (snprintf(dir, sizeof dir, "%s/%s-%u", root, c->name, k) >= (int)sizeof dir)
		fail_msg("path too long: %s", root);
	assert_int_equal(mkdir(dir, 0700), 0);
	setenv("UNIFW_STATE_DIR", dir, 1);
	jsim_paths(&s, root); /* one DA for every run */
	snprintf(s.emmc, sizeof s.emmc, "%s/phone.img", dir);
	snprintf(s.sock, sizeof s.sock, "%s/phone.sock", dir);
	snprintf(s.port, sizeof s.port, "unix:%s", s.sock);
	snprintf(cmd, sizeof cmd, "cp --sparse=always '%s' '%s'", base, s.emmc);
	sh(cmd);
	const char *args[] = {"--model", MODEL, "--mode", "preloader", "--preloader-window", "0",
			      st->fault ? "--fault" : NULL, st->fault, NULL};
	if (!st->no_phone)
		jsim_start(&s, args);
	char bad_da[700];
	snprintf(bad_da, sizeof bad_da, "%s/not-a-da.bin", dir);
	if (st->bad_da) {
		FILE *f = fopen(bad_da, "w");
		assert_non_null(f);
		fputs("MTK_AllInOne_DA but only the name\n", f);
		fclose(f);
	}
	struct unifw_job job;
	memset(&job, 0, sizeof job);
	job.name = c->name;
	job.open.port = s.port;
	job.open.da_path = st->bad_da ? bad_da : s.da;
	job.open.wait_ms = 1000;
	c->prepare(c->ctx, dir, &job);
	struct unifw_error err;
	unifw_error_clear(&err);
	int rc = unifw_job_run(&job, &err);
	jsim_stop(&s);
	if (rc >= 0)
		fail_msg("%s: the job succeeded although the phone failed at step %s (%s)", c->name, st->name,
			 st->fault ? st->fault : "-");
	assert_context(c, st, &err);
	c->check(c->ctx, dir, &s, &err);
	c->release(c->ctx);
}

void job_driver_run(const struct job_case *c, size_t common, const struct job_step *own, size_t n_own)
{
	assert_true(common <= job_steps_common_count);
	char base[600], cmd[700];
	const char *t = getenv("TMPDIR");
	char tmpl[512];
	snprintf(tmpl, sizeof tmpl, "%s/unifw-job-driver-XXXXXX", t && *t ? t : "/tmp");
	char *r = mkdtemp(tmpl);
	assert_non_null(r);
	base_image(r, base, sizeof base);
	for (size_t i = 0; i < common; i++)
		run_step(c, &job_steps_common[i], r, base, (unsigned)i);
	for (size_t i = 0; i < n_own; i++)
		run_step(c, &own[i], r, base, (unsigned)(common + i));
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", r);
	sh(cmd);
}
