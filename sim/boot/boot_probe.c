/* unifw-sim — the universal image's probe at boot (boot_eval_internal.h eval_run_probe). PLACEHOLDER: the
 * helper SIMPROBE implements it. */
#include "boot_eval_internal.h"

void eval_run_probe(struct eval *v, struct sim_sysview *sys)
{
	(void)v, (void)sys;
}
