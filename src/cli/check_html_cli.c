/* `unifw check --html FILE`: the logos of both sides into the report, then the page
 * (unifw_check_logo_frames and unifw_check_html_write, src/ops/check_logos.c and check_html.c). */
#include "check_html_cli.h"

#include <stdio.h>

#include "cli.h"
#include "unifw/check.h"

/* A logo that cannot be shown does not change the verdict: warn, show none. */
static void logo_warning(const char *side, const struct unifw_error *err)
{
	fprintf(stderr, "unifw check: warning: the %s's logo is not shown: %s%s%s\n", side, err->where,
		err->where[0] ? ": " : "", err->msg);
}

static struct unifw_jv *side_frames(const char *side, const char *path)
{
	struct unifw_jv *frames = NULL;
	struct unifw_error err;
	unifw_error_clear(&err);
	if (path && unifw_check_logo_frames(path, &frames, &err) != 0)
		logo_warning(side, &err);
	return frames ? frames : unifw_jv_array();
}

struct unifw_jv *cli_check_html_phone_logo(struct unifw_phone *ph)
{
	struct unifw_jv *frames = NULL;
	struct unifw_error err;
	unifw_error_clear(&err);
	if (unifw_check_logo_frames_phone(ph, &frames, &err) != 0)
		logo_warning("phone", &err);
	return frames;
}

int cli_check_html(struct unifw_jv *doc, const char *html_path, const char *package_path, const char *backup_path,
		   struct unifw_jv *phone_logo)
{
	struct unifw_jv *logos = unifw_jv_set_obj(doc, "logos");
	unifw_jv_set_str(logos, "type", "check_logos");
	unifw_jv_set(logos, "package", side_frames("package", package_path));
	unifw_jv_set(logos, "phone", phone_logo ? phone_logo : side_frames("phone", backup_path));
	struct unifw_error err;
	unifw_error_clear(&err);
	if (unifw_check_html_write(doc, html_path, &err) != 0)
		return cli_error(&err);
	return 0;
}
