/* The device commands' job plumbing (jobs.h). */
#include "cli/jobs.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Set by the handler, read by the cancel hook the jobs poll: the only state a signal touches. */
static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
	static const char msg[] = "\nunifw: stopping at the next safe point (the job's journal keeps its progress); "
				  "a second Ctrl-C quits at once\n";
	stop_signal = sig;
	ssize_t ignored = write(STDERR_FILENO, msg, sizeof msg - 1);
	(void)ignored;
}

static bool stop_requested(void *ctx)
{
	(void)ctx;
	return stop_signal != 0;
}

static const struct unifw_cancel cancel_hook = {.requested = stop_requested};

static void install_handlers(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	/* SA_RESTART: a read or write of the link in progress completes (the protocol is never cut inside a
	 * packet); SA_RESETHAND: the second signal gets the default action, for a job stuck in a long wait. */
	sa.sa_flags = SA_RESTART | SA_RESETHAND;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

void cli_job_init(struct unifw_job *job, const char *name, const struct cli_phone_args *pa,
		  const struct unifw_progress *progress)
{
	memset(job, 0, sizeof *job);
	job->name = name;
	cli_phone_opts(pa, progress, &job->open);
	job->cancel = &cancel_hook;
	install_handlers();
}

int cli_job_signal(void) { return stop_signal; }

int cli_job_exit(int rc, int code)
{
	if (rc == UNIFW_E_CANCELLED && stop_signal)
		return 128 + stop_signal;
	return code;
}

/* --- the resume line ---------------------------------------------------------------------------- */

static void put(struct cli_cmdline *c, const char *s, size_t n)
{
	if (c->len + n + 1 > sizeof c->text) {
		c->truncated = true;
		return;
	}
	memcpy(c->text + c->len, s, n);
	c->len += n;
	c->text[c->len] = 0;
}

static bool shell_safe(const char *w)
{
	if (!*w)
		return false;
	for (const char *p = w; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=,+@%", *p))
			return false;
	return true;
}

void cli_cmdline_init(struct cli_cmdline *c, const char *first)
{
	memset(c, 0, sizeof *c);
	put(c, first, strlen(first));
}

void cli_cmdline_add(struct cli_cmdline *c, const char *word)
{
	put(c, " ", 1);
	if (shell_safe(word)) {
		put(c, word, strlen(word));
		return;
	}
	/* '...' with each ' written as '\'' */
	put(c, "'", 1);
	for (const char *p = word; *p; p++)
		if (*p == '\'')
			put(c, "'\\''", 4);
		else
			put(c, p, 1);
	put(c, "'", 1);
}

void cli_cmdline_add2(struct cli_cmdline *c, const char *option, const char *value)
{
	cli_cmdline_add(c, option);
	cli_cmdline_add(c, value);
}

void cli_cmdline_add_phone(struct cli_cmdline *c, const struct cli_phone_args *pa)
{
	if (pa->port)
		cli_cmdline_add2(c, "--port", pa->port);
	if (pa->da)
		cli_cmdline_add2(c, "--da", pa->da);
	if (pa->preloader)
		cli_cmdline_add2(c, "--preloader", pa->preloader);
	if (pa->wait_s) {
		char s[16];
		snprintf(s, sizeof s, "%u", pa->wait_s);
		cli_cmdline_add2(c, "--wait", s);
	}
	if (pa->no_high_speed)
		cli_cmdline_add(c, "--no-high-speed");
	if (pa->trace)
		cli_cmdline_add2(c, "--trace", pa->trace);
}

void cli_print_resume(const struct cli_cmdline *c)
{
	fflush(stdout);
	fprintf(stderr, "unifw: to resume, run: %s%s\n", c->text, c->truncated ? " ..." : "");
}
