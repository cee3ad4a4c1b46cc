/* Private: every format module's header, in one place for detect.c (each exports
 * unifw_<module>_probe and unifw_<module>_describe). */
#ifndef UNIFW_PACKAGE_FORMATS_H
#define UNIFW_PACKAGE_FORMATS_H

#include "unifw/bootimg.h"
#include "unifw/dafile.h"
#include "unifw/devtext.h"
#include "unifw/emi.h"
#include "unifw/ext4.h"
#include "unifw/kernel.h"
#include "unifw/lk.h"
#include "unifw/logo.h"
#include "unifw/mbr.h"
#include "unifw/mtkhdr.h"
#include "unifw/nvram.h"
#include "unifw/pmt.h"
#include "unifw/preloader.h"
#include "unifw/ramdisk.h"
#include "unifw/scatter.h"
#include "unifw/secimg.h"
#include "unifw/sparse.h"

#endif
