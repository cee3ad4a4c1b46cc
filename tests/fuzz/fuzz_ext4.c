/* libFuzzer: the input bytes as an ext4 image through our libext2fs io_manager: describe,
 * open, list the root, read /build.prop and its SELinux label (all bounded by the image size), and the identity vault's
 * bounded walk of the whole tree (lstat, readlink: src/ops/phone_ext4.c). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz_driver.h"
#include "ops/phone_ext4.h"
#include "unifw/ext4.h"
#include "unifw/io.h"
#include "unifw/json.h"

static void fuzz_one(const uint8_t *d, size_t n)
{
	struct unifw_stream s;
	struct unifw_ext4 *fs;
	(void)unifw_ext4_probe(d, n, n);
	unifw_stream_from_mem(&s, d, n, "fuzz.img");
	struct unifw_jv *o = unifw_jv_object();
	(void)unifw_ext4_describe(&s, o, NULL);
	unifw_jv_free(o);
	if (unifw_ext4_open(&s, &fs, NULL) == 0) {
		struct unifw_ext4_dirent *ents;
		size_t count;
		bool trunc;
		uint8_t *buf;
		size_t len;
		if (unifw_ext4_list_dir(fs, "/", 64, &ents, &count, &trunc, NULL) == 0)
			free(ents);
		if (unifw_ext4_read_file(fs, "/build.prop", 1 << 16, &buf, &len, NULL) == 0)
			free(buf);
		if (unifw_ext4_get_xattr(fs, "/build.prop", "security.selinux", &buf, &len, NULL) == 0) {
			if (len > UNIFW_EXT4_MAX_XATTR || buf[len] != 0)
				abort();
			free(buf);
		}
		struct ops_tree t;
		if (ops_ext4_walk(fs, "/", &t, NULL) == 0) {
			for (size_t i = 0; i < t.count; i++) /* every name the walk kept is safe on the host */
				if (t.v[i].path[0] == '/' || strstr(t.v[i].path, "../") || !strcmp(t.v[i].path, ".."))
					abort();
			ops_tree_free(&t);
		}
		unifw_ext4_close(fs);
	}
	unifw_stream_close(&s);
}

const struct fuzz_target fuzz_target = { .name = "ext4", .run = fuzz_one };
