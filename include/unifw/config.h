/* The user's configuration file: `key = value` lines, `#` comments. Looked up in $UNIFW_CONFIG, else
 * $XDG_CONFIG_HOME/unifw/config, else ~/.config/unifw/config. Keys: `da` (path of the user's
 * MTK_AllInOne_DA.bin), `port` (default --port string). Command-line options win, then environment
 * variables (UNIFW_DA), then this file. */
#ifndef UNIFW_CONFIG_H
#define UNIFW_CONFIG_H

#include <stddef.h>

/* Value of key from the configuration file copied into out (NUL-terminated), or NULL when there is no
 * file or no such key. A value starting with "~/" is expanded with $HOME. */
const char *unifw_config_get(const char *key, char *out, size_t cap);
/* Path of the configuration file that would be read (it may not exist). */
const char *unifw_config_path(char *out, size_t cap);

#endif
