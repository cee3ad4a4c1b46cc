/* Fixtures of a universal image for the end-to-end tests (tests/e2e/universal_flash.sh), made with the
 * project's own writers until `unifw universal build` makes whole packages:
 *
 *   univ_fixture rules OUT VARIANT:LCM:TOUCH:CIDPREFIX...
 *       a probe table (unifw_probe_table_write) for these variants: one match per component and variant, a
 *       touch-firmware bind per variant, the signal and fallback lines of each component.
 *   univ_fixture record EMMC OFFSET SIZE RECORD
 *       the probe record RECORD (a file) as /unifw/probe.txt in the ext4 file system at byte OFFSET (SIZE
 *       bytes) of the eMMC image file EMMC (USRDATA: what the phone's /data/unifw/probe.txt is), written with
 *       the project's ext4 editor (unifw/ext4_edit.h).
 * Exit 0 done, 1 failed (the error on stderr), 2 usage. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unifw/ext4_edit.h"
#include "unifw/io.h"
#include "unifw/probe.h"

static int fail(const struct unifw_error *err)
{
	char m[1024];
	fprintf(stderr, "univ_fixture: %s\n", unifw_error_format(err, m, sizeof m));
	return 1;
}

static void set(char *dst, size_t cap, const char *src)
{
	snprintf(dst, cap, "%s", src);
}

static int add_variant(struct unifw_probe_table *t, char *spec)
{
	char *name = strtok(spec, ":"), *lcm = strtok(NULL, ":"), *touch = strtok(NULL, ":"), *cid = strtok(NULL, ":");
	if (!cid || t->variant_count >= UNIFW_PROBE_MAX_VARIANTS)
		return -1;
	unsigned v = (unsigned)t->variant_count++;
	set(t->variant[v].name, sizeof t->variant[v].name, name);
	snprintf(t->variant[v].reason, sizeof t->variant[v].reason, "the test phone %s", name);
	const char *keys[UNIFW_PROBE_COMPONENTS] = {lcm, touch, cid};
	for (unsigned c = 0; c < UNIFW_PROBE_COMPONENTS; c++) {
		struct unifw_probe_match *m = &t->match[t->match_count++];
		m->component = (enum unifw_probe_component)c;
		m->variant = v;
		set(m->key, sizeof m->key, keys[c]);
		snprintf(m->reason, sizeof m->reason, "%s's %s", name, unifw_probe_component_name(m->component));
	}
	struct unifw_probe_bind *b = &t->bind[t->bind_count++];
	b->component = UNIFW_PROBE_TOUCH;
	b->variant = v;
	snprintf(b->path, sizeof b->path, "etc/firmware/%s_fw.bin", touch);
	set(b->reason, sizeof b->reason, "the touch controller's firmware");
	return 0;
}

static int rules(const char *out, int argc, char **argv)
{
	struct unifw_probe_table t;
	struct unifw_error err;
	unifw_error_clear(&err);
	unifw_probe_table_init(&t);
	t.bind = calloc(UNIFW_PROBE_MAX_VARIANTS, sizeof *t.bind);
	if (!t.bind)
		return 1;
	for (unsigned c = 0; c < UNIFW_PROBE_COMPONENTS; c++) {
		snprintf(t.signal[c], sizeof t.signal[c], "the test's %s signal", unifw_probe_component_name(c));
		snprintf(t.fallback[c], sizeof t.fallback[c], "the base's %s files stay", unifw_probe_component_name(c));
	}
	for (int i = 0; i < argc; i++)
		if (add_variant(&t, argv[i])) {
			fprintf(stderr, "univ_fixture: bad variant %s (VARIANT:LCM:TOUCH:CIDPREFIX)\n", argv[i]);
			unifw_probe_table_free(&t);
			return 2;
		}
	char *text = NULL;
	size_t len = 0;
	int rc = unifw_probe_table_write(&t, &text, &len, &err);
	unifw_probe_table_free(&t);
	if (!rc)
		rc = unifw_file_write_atomic(out, text, len, &err);
	free(text);
	return rc ? fail(&err) : 0;
}

static int record(const char *emmc, uint64_t off, uint64_t size, const char *rec)
{
	struct unifw_error err;
	unifw_error_clear(&err);
	uint8_t *part = NULL, *text = NULL;
	size_t text_len = 0;
	int fd = open(emmc, O_RDWR);
	if (fd < 0 || !(part = malloc(size)) || pread(fd, part, size, (off_t)off) != (ssize_t)size) {
		perror(emmc);
		free(part);
		if (fd >= 0)
			close(fd);
		return 1;
	}
	int rc = unifw_file_read_all(rec, 1u << 20, &text, &text_len, &err);
	struct unifw_stream s;
	unifw_stream_from_mem(&s, part, size, "USRDATA");
	struct unifw_ext4_edit *e = NULL;
	if (!rc)
		rc = unifw_ext4_edit_open(&s, &e, &err);
	if (!rc)
		rc = unifw_ext4_edit_mkdir(e, "/unifw", 0700, 0, 0, &err);
	if (!rc)
		rc = unifw_ext4_edit_create_file(e, "/unifw/probe.txt", text, text_len, 0600, 0, 0, &err);
	if (!rc)
		rc = unifw_ext4_edit_commit(e, &err);
	if (!rc) {
		const struct unifw_ext4_change *ch;
		size_t n;
		unifw_ext4_edit_changes(e, &ch, &n);
		for (size_t i = 0; i < n && !rc; i++)
			rc = unifw_fd_pwrite_all(fd, ch[i].data, ch[i].len, off + ch[i].offset, emmc, &err);
	}
	unifw_ext4_edit_free(e);
	free(text);
	free(part);
	close(fd);
	return rc ? fail(&err) : 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "rules"))
		return rules(argv[2], argc - 3, argv + 3);
	if (argc == 6 && !strcmp(argv[1], "record"))
		return record(argv[2], strtoull(argv[3], NULL, 0), strtoull(argv[4], NULL, 0), argv[5]);
	fprintf(stderr, "usage: univ_fixture rules OUT VARIANT:LCM:TOUCH:CIDPREFIX... | record EMMC OFFSET SIZE RECORD\n");
	return 2;
}
