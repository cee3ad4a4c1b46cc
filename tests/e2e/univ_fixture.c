/* A fixture of the universal image for the end-to-end test tests/e2e/universal_flash.sh, made with the
 * project's own writer:
 *
 *   univ_fixture record EMMC OFFSET SIZE RECORD
 *       the probe record RECORD (a file) as /unifw/probe.txt in the ext4 file system at byte OFFSET (SIZE
 *       bytes) of the eMMC image file EMMC (USRDATA: what the phone's /data/unifw/probe.txt is), written with
 *       the project's ext4 editor (unifw/ext4_edit.h); an existing record is replaced (a damaged one for the
 *       test of an unreadable record).
 * Exit 0 done, 1 failed (the error on stderr), 2 usage. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unifw/ext4_edit.h"
#include "unifw/io.h"

static int fail(const struct unifw_error *err)
{
	char m[1024];
	fprintf(stderr, "univ_fixture: %s\n", unifw_error_format(err, m, sizeof m));
	return 1;
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
	struct unifw_ext4_edit_stat st;
	bool exists = !rc && unifw_ext4_edit_stat(e, "/unifw/probe.txt", &st, NULL) == 0;
	if (!rc && exists)
		rc = unifw_ext4_edit_replace_file(e, "/unifw/probe.txt", text, text_len, &err);
	else if (!rc)
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
	unifw_stream_close(&s);
	free(text);
	free(part);
	close(fd);
	return rc ? fail(&err) : 0;
}

int main(int argc, char **argv)
{
	if (argc == 6 && !strcmp(argv[1], "record"))
		return record(argv[2], strtoull(argv[3], NULL, 0), strtoull(argv[4], NULL, 0), argv[5]);
	fprintf(stderr, "usage: univ_fixture record EMMC OFFSET SIZE RECORD\n");
	return 2;
}
