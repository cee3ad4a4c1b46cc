/* sim_boot_fixture.c: see sim_boot_fixture.h. */
#include "sim_boot_fixture.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void phone_open(struct fixture *f, const char *model)
{
	memset(f, 0, sizeof *f);
	f->dir = test_mkdtemp();
	f->m = sim_model_find(model);
	assert_non_null(f->m);
	snprintf(f->img, sizeof f->img, "%s/%s.img", f->dir, model);
	struct unifw_error err = { 0 };
	if (sim_emmc_create_from_model(f->img, f->m, 1, &f->e, &err) != 0)
		fail_msg("image of %s: %s", model, err.msg);
}

void phone_close(struct fixture *f)
{
	sim_emmc_close(f->e);
	test_rmtree(f->dir);
	free(f->dir);
}

/* A package built into the fixture's directory (name: a sub-folder). */
void package(struct fixture *f, const struct sim_firmware *fw, const struct sim_model *m, const char *name,
		    char *out, size_t cap)
{
	snprintf(out, cap, "%s/%s", f->dir, name);
	struct unifw_error err = { 0 };
	if (sim_factory_make(fw, m, out, NULL, &err) != 0)
		fail_msg("package %s: %s", name, err.msg);
}

void flash(struct fixture *f, const char *dir, const struct sim_flash_opts *o)
{
	struct unifw_error err = { 0 };
	if (sim_flash_package(f->e, dir, o, &err) != 0)
		fail_msg("flash %s: %s", dir, err.msg);
}

void evaluate(struct fixture *f, struct sim_boot_report *r)
{
	struct unifw_error err = { 0 };
	if (sim_boot_evaluate(f->e, NULL, r, &err) != 0)
		fail_msg("evaluate: %s", err.msg);
}

bool has_code(const struct sim_boot_item *items, size_t n, const char *code)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(items[i].code, code))
			return true;
	return false;
}

void expect(struct fixture *f, enum sim_verdict v, const char *reason_code, const char *fault_code)
{
	struct sim_boot_report r;
	evaluate(f, &r);
	if (r.verdict != v || (reason_code && !has_code(r.reasons, r.reason_count, reason_code)) ||
	    (fault_code && !has_code(r.faults, r.fault_count, fault_code))) {
		sim_boot_report_text(&r, stderr);
		fail_msg("%s: expected %s (%s/%s), got %s", f->m->name, sim_verdict_name(v), reason_code ? reason_code : "-",
			 fault_code ? fault_code : "-", sim_verdict_name(r.verdict));
	}
	sim_boot_report_free(&r);
}

/* Overwrite bytes of a partition in place (a broken or ported flash). */
void overwrite(struct fixture *f, const char *part, uint64_t off, const void *b, size_t n)
{
	struct sim_flash_loc loc;
	struct unifw_error err = { 0 };
	assert_int_equal(sim_flash_locate(f->e, part, &loc, &err), 0);
	assert_int_equal(sim_emmc_write(f->e, loc.part, loc.offset + off, b, n, &err), 0);
}
