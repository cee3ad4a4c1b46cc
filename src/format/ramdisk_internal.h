/* Ramdisk: what the pieces of the ramdisk module share (ramdisk.c model and parse, ramdisk_scan.c,
 * ramdisk_edit.c, ramdisk_write.c). Private to src/format. */
#ifndef UNIFW_FORMAT_RAMDISK_INTERNAL_H
#define UNIFW_FORMAT_RAMDISK_INTERNAL_H

#include "unifw/ramdisk.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdint.h>
#include <sys/types.h>

#define MAX_PATH_LEN 4095u
#define FIRST_INODE 300000u /* what AOSP mkbootfs uses; any distinct numbers would do */
#define PROP_MAX_KEYS 256u

static const uint8_t gzip_magic[2] = {0x1f, 0x8b};

void ramdisk_entry_free(struct unifw_ramdisk_entry *e);
struct unifw_ramdisk_entry *ramdisk_entry_append(struct unifw_ramdisk *rd, struct unifw_error *err);
enum unifw_rd_type ramdisk_type_of(uint32_t mode);
ssize_t ramdisk_find_index(const struct unifw_ramdisk *rd, const char *path);
int ramdisk_add_parsed_entry(struct unifw_ramdisk *rd, struct archive *a, struct archive_entry *ae, const char *name,
			    struct unifw_error *err);
bool ramdisk_newc_field(const uint8_t *h, int i, uint32_t *v);
int ramdisk_newc_walk(const uint8_t *p, size_t n, const char *name, struct unifw_error *err);
int ramdisk_locate_payload(const uint8_t *buf, size_t len, const char *name, struct unifw_ramdisk *rd, uint64_t *off,
			  size_t *n, struct unifw_error *err);
const struct unifw_ramdisk_entry *ramdisk_link_data(const struct unifw_ramdisk *rd, const struct unifw_ramdisk_entry *e);

#endif
