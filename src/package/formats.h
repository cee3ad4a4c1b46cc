/* Private: the probe/describe pair of every format module, in one place for detect.c.
 * Modules whose implementation has not landed yet are declared weak so that the package layer builds
 * and its own tests run meanwhile; a weak entry whose symbol is absent is NULL and detection skips it.
 * (A weak reference does not pull an object out of a static library, so every landed module is
 * declared through its real header, strongly.) */
#ifndef UNIFW_PACKAGE_FORMATS_H
#define UNIFW_PACKAGE_FORMATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unifw/devinfo.h"
#include "unifw/logo.h"
#include "unifw/mbr.h"
#include "unifw/mtkhdr.h"
#include "unifw/dafile.h"
#include "unifw/nvram.h"
#include "unifw/ramdisk.h"
#include "unifw/emi.h"
#include "unifw/preloader.h"
#include "unifw/ext4.h"
#include "unifw/sparse.h"
#include "unifw/lk.h"
#include "unifw/scatter.h"
#include "unifw/kernel.h"
#include "unifw/pmt.h"
#include "unifw/error.h"
#include "unifw/io.h"
#include "unifw/json.h"

#define PENDING_MODULE(m)                                                                                  \
	bool unifw_##m##_probe(const uint8_t *head, size_t head_len, uint64_t total_size)                \
		__attribute__((weak));                                                                   \
	int unifw_##m##_describe(struct unifw_stream *s, struct unifw_jv *obj, struct unifw_error *err)  \
		__attribute__((weak));

PENDING_MODULE(bootimg)
PENDING_MODULE(secimg)

#endif
