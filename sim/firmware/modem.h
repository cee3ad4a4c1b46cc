/* unifw-sim — the modem image a firmware ships in /system and what the kernel's CCCI loader checks in it.
 * Facts from MediaTek's MT6572 kernel, with their source files in docs/sim.md "Boot evaluation"
 * (android modem rows):
 *  - the loader opens /custom/etc/firmware/ then /etc/firmware/ (= /system/etc/firmware/), trying
 *    modem_<post_fix_ex>.img, modem_<post_fix>.img, modem.img, post_fix "1_<2g|3g|wg|tg>_n" from the
 *    kernel's MD1 type (find_img_to_open, get_md_post_fix);
 *  - MD_CHECK_HEADER sits in the last bytes of the image (check_md_header reads parse_addr -
 *    sizeof(MD_CHECK_HEADER)), little endian;
 *  - MD_HEADER_VER_NO 2, ENABLE_MEM_SIZE_CHECK on, ENABLE_2G_3G_CHECK and ENABLE_CHIP_VER_CHECK off;
 *    MD1_MEM_SIZE 22 MiB;
 *  - build_ver (+0x68, 64 bytes; ccci_layer.h: "project version, ex:11A_MD.W11.28") names the project the
 *    modem was built for. The sim writes "<PROJECT>.MD.MT6572.W1410" with the firmware's MediaTek project
 *    and reads the board back from it (sim_md_build_board): a modem of another board loads but finds no
 *    network (boot_eval_kernel.c no_signal, a modelling choice, docs/sim.md "Boot evaluation"). */
#ifndef UNIFW_SIM_MODEM_H
#define UNIFW_SIM_MODEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unifw/error.h"

#define SIM_MD_HEADER_SIZE 188u          /* sizeof(MD_CHECK_HEADER) */
#define SIM_MD_HEADER_MAGIC "CHECK_HEADER" /* 12 bytes, no NUL */
#define SIM_MD_HEADER_VERSION 2u         /* MD_HEADER_VER_NO of the MT6572 dual_ccci driver */
#define SIM_MD1_MEM_SIZE (22u << 20)     /* MD1_MEM_SIZE: the kernel's default reservation */
#define SIM_MD_BODY_SIZE (64u << 10)     /* the sim's modem code (real ones are ~5 MiB) */
#define SIM_MD_BUILD_VER_MAX 65u         /* build_ver: 64 bytes and a NUL */

/* The fields check_md_header looks at (offsets in the 188-byte header). */
struct sim_md_header {
	uint32_t verno;        /* +0x0C */
	uint32_t image_type;   /* +0x14: 1 2G, 2 3G */
	char platform[17];     /* +0x18, 16 bytes */
	char build_ver[SIM_MD_BUILD_VER_MAX]; /* +0x68, 64 bytes: "<PROJECT>.MD.MT6572.W1410" */
	uint8_t bind_sys_id;   /* +0xA8: MD SYS1 = 1 */
	uint32_t mem_size;     /* +0xAC: ROM/RAM the modem asks for */
	uint32_t md_img_size;  /* +0xB0: image size without the header */
};

/* modem_1_<type>_n.img: SIM_MD_BODY_SIZE seeded bytes, then the header (bind_sys_id 1, verno 2, the
 * given mem_size, md_img_size = the body size, build_ver naming project: the board it is built for). */
int sim_build_modem(const char *type, const char *project, uint32_t mem_size, uint64_t seed, uint8_t **out,
		    size_t *len, struct unifw_error *err);
/* The board project a build_ver names: the part before SIM_MD_BUILD_VER_TAIL's ".MD." (board gets at most
 * cap - 1 bytes). False when build_ver has no such part (not one the sim recognises). */
#define SIM_MD_BUILD_VER_TAIL ".MD.MT6572.W1410"
bool sim_md_build_board(const char *build_ver, char *board, size_t cap);
/* The header at the end of an image; false when the file is too short or has no CHECK_HEADER magic. */
bool sim_md_header_read(const uint8_t *img, size_t len, struct sim_md_header *h);
/* Rewrite the header of a built image in place (tests make foreign modems with it). */
void sim_md_header_write(uint8_t *img, size_t len, const struct sim_md_header *h);

/* The kernel's CCCI configuration as the sim's kernel Image records it: a line
 * "unifw-sim ccci v1 md1 <type> 0x<reserved>" (fw_kernel.c). */
#define SIM_KERNEL_CCCI_TAG "unifw-sim ccci v1 md1 "

#endif
