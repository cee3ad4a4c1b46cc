/* The two text formats of the universal image's boot-time probe (docs/universal.md "The probe"):
 *
 *  - the probe table, /unifw/probe.rules in the ramdisk: which overlay each hardware signal selects, what
 *    each overlay binds, and why. `unifw universal build` writes it (unifw_probe_table_write); the probe
 *    script (data/unifw-probe.sh) reads it at boot; `unifw info` / `unifw check` read it back
 *    (unifw_probe_table_parse) to say which phones and variants a package covers.
 *  - the probe record, /data/unifw/probe.txt (USRDATA /unifw/probe.txt): what the probe saw and bound at
 *    its last run. The probe script writes it; the virtual phone's boot evaluation and `unifw identify` read
 *    it (unifw_probe_record_parse).
 *
 * Both are line formats a POSIX shell's `read` can take apart: fields separated by one space, the last field
 * (a reason or a message) runs to the end of the line; '#' starts a comment line; lines end in '\n'. Both
 * parsers take hostile input (bounded sizes and counts, checked tokens; errors give the line number).
 * Implemented in src/format/probe.c (a format module: the sim links it). */
#ifndef UNIFW_PROBE_H
#define UNIFW_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unifw/error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The three things the probe tells apart, each with its own overlay and its own fallback. */
enum unifw_probe_component {
	UNIFW_PROBE_PANEL, /* key: the LCM driver name LK passes as lcm=N-NAME on /proc/cmdline */
	UNIFW_PROBE_TOUCH, /* key: a name in /sys/bus/i2c/devices/(*)/name (the touch controller's i2c client) */
	UNIFW_PROBE_BOARD, /* key: a lowercase hex prefix of /sys/block/mmcblk0/device/cid (the eMMC part) */
};
#define UNIFW_PROBE_COMPONENTS 3u
const char *unifw_probe_component_name(enum unifw_probe_component c); /* "panel", "touch", "board" */
bool unifw_probe_component_parse(const char *s, enum unifw_probe_component *out);

#define UNIFW_PROBE_MAX_VARIANTS 16u
#define UNIFW_PROBE_MAX_BINDS 512u
#define UNIFW_PROBE_MAX_PROPS 128u
#define UNIFW_PROBE_MAX_LINE 1024u    /* a longer line is an error */
#define UNIFW_PROBE_MAX_TEXT (1u << 20)
#define UNIFW_PROBE_NAME_MAX 33u      /* variant names: [a-z0-9._-], 1..32 */
#define UNIFW_PROBE_KEY_MAX 65u       /* panel / touch names, CID prefixes: [A-Za-z0-9._-], 1..64 */
#define UNIFW_PROBE_PATH_MAX 256u     /* bind paths: relative to /system, [A-Za-z0-9._/+-], no "..", no leading '/' */
#define UNIFW_PROBE_REASON_MAX 384u

/* ------------------------------------------------------------------ the probe table (/unifw/probe.rules)
 *
 *   unifw-probe-rules 1                              first line
 *   signal <component> <reason>                      how the component is identified (one per component)
 *   fallback <component> <reason>                    what stays when nothing matches (one per component)
 *   variant <name> <reason>                          a phone the package was built for (in order)
 *   match <component> <variant> <key> <reason>       this key selects that variant's overlay for the component
 *   bind <component> <variant> <path> <reason>       /system/unifw/<variant>/<path> is bound over /system/<path>
 *   prop <component> <variant> <key>=<value> <reason>  a build.prop line for that variant's component
 *
 * The first match in file order wins. Every variant named by match/bind/prop is declared before it. */
struct unifw_probe_variant {
	char name[UNIFW_PROBE_NAME_MAX];
	char reason[UNIFW_PROBE_REASON_MAX];
};
struct unifw_probe_match {
	enum unifw_probe_component component;
	unsigned variant;                 /* index into variant[] */
	char key[UNIFW_PROBE_KEY_MAX];
	char reason[UNIFW_PROBE_REASON_MAX];
};
struct unifw_probe_bind {
	enum unifw_probe_component component;
	unsigned variant;
	char path[UNIFW_PROBE_PATH_MAX];
	char reason[UNIFW_PROBE_REASON_MAX];
};
struct unifw_probe_prop {
	enum unifw_probe_component component;
	unsigned variant;
	char key[96];
	char value[96];                   /* no spaces */
	char reason[UNIFW_PROBE_REASON_MAX];
};
struct unifw_probe_table {
	char signal[UNIFW_PROBE_COMPONENTS][UNIFW_PROBE_REASON_MAX];
	char fallback[UNIFW_PROBE_COMPONENTS][UNIFW_PROBE_REASON_MAX];
	struct unifw_probe_variant variant[UNIFW_PROBE_MAX_VARIANTS];
	size_t variant_count;
	struct unifw_probe_match match[UNIFW_PROBE_MAX_VARIANTS * UNIFW_PROBE_COMPONENTS];
	size_t match_count;
	struct unifw_probe_bind *bind;    /* malloc'd */
	size_t bind_count;
	struct unifw_probe_prop *prop;    /* malloc'd */
	size_t prop_count;
};
void unifw_probe_table_init(struct unifw_probe_table *t);
void unifw_probe_table_free(struct unifw_probe_table *t);
/* name: for errors ("probe.rules"). */
int unifw_probe_table_parse(const char *text, size_t len, const char *name, struct unifw_probe_table *t,
			    struct unifw_error *err);
/* The text form (malloc'd, NUL-terminated); fails when a field would not survive the parse (bad token). */
int unifw_probe_table_write(const struct unifw_probe_table *t, char **text, size_t *len, struct unifw_error *err);
/* The variant the probe binds for a component given what it read (NULL/empty: not read): the first match.
 * Returns the variant index or -1 (fallback). i2c_names: the touch names found, n of them. */
int unifw_probe_table_choose(const struct unifw_probe_table *t, enum unifw_probe_component c, const char *lcm,
			     const char *const *i2c_names, size_t n, const char *cid_hex);

/* ------------------------------------------------------------------ the probe record (/data/unifw/probe.txt)
 *
 *   unifw-probe 1                                    first line
 *   lcm <name>                                       "-" when /proc/cmdline has no lcm=
 *   i2c <name>                                       one line per i2c device name read (none: no line)
 *   cid <hex>                                        "-" when unreadable
 *   bound <component> <variant>                      "-" = fallback (one line per component)
 *   bind <source> <target>                           absolute paths, as passed to mount -o bind
 *   prop <key>=<value>                               a line the probe put in front of /system/build.prop
 *   fallback <component> <message>                   the log line written when nothing matched
 *   done                                             last line: the probe finished
 *
 * Parsed: lcm and cid "-" are stored as "" (like bound's "-"); "lcm" holds the NAME of lcm=N-NAME (the probe
 * drops LK's "N-"); a record with "done" has a bound line for every component; nothing follows "done".
 * A record without "done" parses (the probe stopped early) with done false. */
#define UNIFW_PROBE_MAX_I2C 16u
#define UNIFW_PROBE_MAX_RECORD_BINDS 128u
struct unifw_probe_record {
	char lcm[UNIFW_PROBE_KEY_MAX];
	char i2c[UNIFW_PROBE_MAX_I2C][UNIFW_PROBE_KEY_MAX];
	size_t i2c_count;
	char cid[UNIFW_PROBE_KEY_MAX];
	char bound[UNIFW_PROBE_COMPONENTS][UNIFW_PROBE_NAME_MAX]; /* "" = fallback */
	struct { char source[UNIFW_PROBE_PATH_MAX + 64]; char target[UNIFW_PROBE_PATH_MAX + 16]; } bind[UNIFW_PROBE_MAX_RECORD_BINDS];
	size_t bind_count;
	char prop[UNIFW_PROBE_MAX_PROPS][200];
	size_t prop_count;
	char fallback[UNIFW_PROBE_COMPONENTS][UNIFW_PROBE_REASON_MAX]; /* "" = none for that component */
	bool done;
};
/* About 60 KiB: allocate it on the heap. */
int unifw_probe_record_parse(const char *text, size_t len, const char *name, struct unifw_probe_record *r,
			     struct unifw_error *err);

#ifdef __cplusplus
}
#endif
#endif
