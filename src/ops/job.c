/* One device job: open the phone, run, close (include/unifw/job.h). */
#include "unifw/job.h"

#include <stdlib.h>

#include "unifw/config.h"

bool unifw_cancel_requested(const struct unifw_cancel *c)
{
	return c && c->requested && c->requested(c->ctx);
}

int unifw_cancel_check(const struct unifw_cancel *c, const char *where, const char *what, struct unifw_error *err)
{
	if (!unifw_cancel_requested(c))
		return 0;
	return unifw_error_set(err, UNIFW_E_CANCELLED, where, UNIFW_NO_OFFSET, "stopped on request %s", what);
}

const char *unifw_da_lookup(const char *given, char *buf, size_t cap)
{
	if (given && *given)
		return given;
	const char *env = getenv("UNIFW_DA");
	if (env && *env)
		return env;
	const char *conf = unifw_config_get("da", buf, cap);
	return conf && *conf ? conf : NULL;
}

int unifw_job_run(const struct unifw_job *job, struct unifw_error *err)
{
	const char *name = job->name ? job->name : "job";
	int rc = unifw_cancel_check(job->cancel, name, "before the phone was opened", err);
	if (rc)
		return rc;
	struct unifw_phone *ph = NULL;
	rc = unifw_phone_open(&job->open, &ph, err);
	if (!rc)
		rc = unifw_cancel_check(job->cancel, name, "once the phone was open, before the job began", err);
	if (!rc && job->run)
		rc = job->run(job->ctx, ph, err);
	unifw_phone_close(ph);
	return rc;
}
