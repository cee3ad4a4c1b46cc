/* `unifw check --html FILE` (docs/check.md "HTML report"): the hook cmd_check.c calls. */
#ifndef UNIFW_CLI_CHECK_HTML_H
#define UNIFW_CLI_CHECK_HTML_H

#include "unifw/json.h"

/* Add "logos" to doc (the report `unifw check --json` prints: {"check", "package", "phone"}): the package's
 * logo frames from package_path, the phone's from backup_path, or phone_logo when the phone was read through
 * its port (taken over; NULL: none), then write the page to html_path. A logo that cannot be read is a
 * warning on stderr and an empty list; a page that cannot be written is an error. Returns 0 or the exit
 * status (the error printed). */
int cli_check_html(struct unifw_jv *doc, const char *html_path, const char *package_path, const char *backup_path,
		   struct unifw_jv *phone_logo);

/* Inside the check's phone job: the phone's logo frames (a warning on stderr and NULL if they cannot be read). */
struct unifw_phone;
struct unifw_jv *cli_check_html_phone_logo(struct unifw_phone *ph);

#endif
