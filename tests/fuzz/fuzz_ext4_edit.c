/* libFuzzer: the input bytes as the base of an ext4 edit (ext4_edit.h): open over the in-memory overlay, create a
 * folder and a file, label it, replace a file, commit, walk the change list (all bounded by the base's size and the
 * overlay's memory cap; the base is never written). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_driver.h"
#include "unifw/ext4_edit.h"
#include "unifw/io.h"

static void fuzz_one(const uint8_t *d, size_t n)
{
	struct unifw_stream s;
	struct unifw_ext4_edit *e = NULL;
	static const uint8_t data[5000];
	unifw_stream_from_mem(&s, d, n, "fuzz.img");
	if (unifw_ext4_edit_open(&s, &e, NULL) == 0) {
		uint8_t *buf;
		size_t len;
		(void)unifw_ext4_edit_mkdir(e, "/nvram", 0771, 0, 1000, NULL);
		(void)unifw_ext4_edit_create_file(e, "/nvram/new", data, sizeof data, 0660, 1000, 1000, NULL);
		if (unifw_ext4_edit_set_xattr(e, "/nvram/new", "security.selinux", (const uint8_t *)"u:object_r:x:s0", 15,
					      NULL) == 0 &&
		    unifw_ext4_edit_get_xattr(e, "/nvram/new", "security.selinux", &buf, &len, NULL) == 0) {
			if (len != 15)
				abort();
			free(buf);
		}
		if (unifw_ext4_edit_read_file(e, "/build.prop", 1 << 16, &buf, &len, NULL) == 0) {
			(void)unifw_ext4_edit_replace_file(e, "/build.prop", buf, len / 2, NULL);
			free(buf);
		}
		if (unifw_ext4_edit_commit(e, NULL) == 0) {
			const struct unifw_ext4_change *c;
			size_t count;
			uint64_t sum = 0;
			unifw_ext4_edit_changes(e, &c, &count);
			for (size_t i = 0; i < count; i++)
				sum += c[i].data[0] + c[i].data[c[i].len - 1] + (c[i].offset + c[i].len <= n);
			(void)sum;
		}
		unifw_ext4_edit_free(e);
	}
	unifw_stream_close(&s);
}

const struct fuzz_target fuzz_target = { .name = "ext4_edit", .run = fuzz_one };
