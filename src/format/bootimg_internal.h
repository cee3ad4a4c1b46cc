/* Android boot images: what bootimg.c (header, parse, build, describe) and bootimg_folder.c (unpack to a
 * folder, header.txt, repack) share. Private to src/format. */
#ifndef UNIFW_FORMAT_BOOTIMG_INTERNAL_H
#define UNIFW_FORMAT_BOOTIMG_INTERNAL_H

#include "unifw/bootimg.h"

#include <stdint.h>

#define OFF_PAGE_SIZE 0x24u
#define OFF_NAME 0x30u
#define OFF_CMDLINE 0x40u
#define OFF_ID 0x240u
#define OFF_EXTRA 0x260u
#define MIN_PAGE 2048u
#define MAX_PAGE 131072u
#define HEADER_TXT_MAX (64u << 10)

enum { SEC_KERNEL, SEC_RAMDISK, SEC_SECOND, SEC_COUNT };
static const char *const sec_names[SEC_COUNT] = {"kernel", "ramdisk", "second"};

static inline uint64_t page_align(uint64_t v, uint32_t page)
{
	return (v + page - 1) / page * page;
}

/* Section offsets of a v0 image; returns the aligned end of the layout. */
static inline uint64_t layout(const struct unifw_bootimg_hdr *h, uint64_t off[SEC_COUNT])
{
	off[SEC_KERNEL] = h->page_size;
	off[SEC_RAMDISK] = off[SEC_KERNEL] + page_align(h->kernel_size, h->page_size);
	off[SEC_SECOND] = off[SEC_RAMDISK] + page_align(h->ramdisk_size, h->page_size);
	return off[SEC_SECOND] + page_align(h->second_size, h->page_size);
}

static inline uint32_t sec_size(const struct unifw_bootimg_hdr *h, int s)
{
	return s == SEC_KERNEL ? h->kernel_size : s == SEC_RAMDISK ? h->ramdisk_size : h->second_size;
}

#endif
