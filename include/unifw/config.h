/* The user's configuration file: `key = value` lines. Looked up in $UNIFW_CONFIG, else
 * $XDG_CONFIG_HOME/unifw/config, else ~/.config/unifw/config. Keys: `da` (path of the user's
 * MTK_AllInOne_DA.bin), `port` (default --port string). Command-line options win, then environment
 * variables (UNIFW_DA), then this file. A value may be quoted ("..." with \" and \\, or '...'); `#` starts
 * a comment at the start of a line or after a blank (port = tcp:host#1 keeps its '#'); a line that is
 * not a known `key = value` is an error (unifw(1) FILES). */
#ifndef UNIFW_CONFIG_H
#define UNIFW_CONFIG_H

#include <stddef.h>

#include "unifw/error.h"

/* Check the whole file: 0 when it is fine or absent from its default place; else a negative status with
 * err naming the file and "line N" (unknown key, no '=', an unclosed quote), or the file $UNIFW_CONFIG
 * names but that cannot be opened. */
int unifw_config_check(struct unifw_error *err);
/* Value of key from the configuration file copied into out (NUL-terminated), or NULL when there is no
 * file, no such key, or the file does not pass unifw_config_check. An unquoted value starting with "~/"
 * is expanded with $HOME; the last assignment wins. */
const char *unifw_config_get(const char *key, char *out, size_t cap);
/* Path of the configuration file that would be read (it may not exist). */
const char *unifw_config_path(char *out, size_t cap);

#endif
