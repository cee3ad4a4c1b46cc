/* unifw-sim — synthetic lk.bin, zImage kernels and boot/recovery images.
 *
 * What the parsers (and a technician) look for, per docs/format-boot.md and docs/sim.md "The firmware factory":
 *  - lk.bin: MTK header "LK"; an ARM vector table; start.S's literal pool holding the link address
 *    (0x80020000 on MT6572); LCM_DRIVER records {name pointer, callback pointers...}; the fastboot
 *    "product" variable (project, upper case); the reference project "mt6572v1_phone"; source paths
 *    "platform/mediatek/mt6572/lk/...".
 *  - zImage: magic 0x016F2818 at 0x24, start/end at 0x28/0x2C, a decompressor region, then the gzip
 *    (JB 3.4.5) or xz (KK 3.4.67) stream of the Image and its u32 size; the Image (linked at 0xC0008000)
 *    holds linux_banner, LCM_DRIVER records, the touch drivers' registered names and the image-sensor
 *    drivers' names (kdSensorList).
 *  - boot.img v0, page 2048, base 0x10000000 (kernel 0x10008000, ramdisk 0x11000000, tags 0x10000100),
 *    kernel = KERNEL header + zImage, ramdisk = ROOTFS/RECOVERY header + gzip newc cpio.
 * The code areas are seeded filler: no instruction stream of any real bootloader or kernel. */
#include <lzma.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "fw_build.h"
#include "modem.h"
#include "unifw/bootimg.h"
#include "unifw/mtkhdr.h"
#include "unifw/ramdisk.h"
#include "util/bytes.h"

#define LK_BASE 0x80020000u     /* MT6572 LK MEMBASE (lk.c reads it from every corpus lk) */
#define KERNEL_BASE 0xC0008000u /* PAGE_OFFSET + TEXT_OFFSET of a 3G/1G ARM kernel */
#define LK_TEXT 0x30000u
#define IMAGE_TEXT_RANDOM 0x18000u
#define IMAGE_TEXT_PATTERN 0x18000u
#define ARM_NOP 0xE1A00000u     /* mov r0, r0 */
#define BOOT_PAGE 2048u

static void drivers_or_default(const struct sim_firmware *fw, const struct sim_driver_set *in,
			       struct sim_driver_set *out)
{
	*out = (struct sim_driver_set){ fw->lcm, fw->lcm_count, fw->touch, fw->touch_count };
	if (in && in->lcm) {
		out->lcm = in->lcm;
		out->lcm_count = in->lcm_count;
	}
	if (in && in->touch) {
		out->touch = in->touch;
		out->touch_count = in->touch_count;
	}
	out->ptable_from_pmt = in && in->ptable_from_pmt;
}

/* Names as NUL-terminated strings (each preceded by a NUL), and LCM_DRIVER records pointing at them:
 * {name, set_util_funcs, get_params, init, suspend, resume, compare_id} with callbacks in .text. */
static void lcm_records(struct sim_buf *b, uint32_t base, const char *const *names, size_t n)
{
	uint32_t name_addr[64];
	if (n > 64)
		n = 64;
	sim_buf_zero(b, 4);
	for (size_t i = 0; i < n; i++) {
		name_addr[i] = base + (uint32_t)b->len;
		sim_buf_str(b, names[i]);
	}
	sim_buf_align(b, 4);
	for (size_t i = 0; i < n; i++) {
		sim_buf_le32(b, name_addr[i]);
		for (uint32_t k = 0; k < 6; k++) /* callbacks: distinct addresses inside .text */
			sim_buf_le32(b, base + 0x1000u + (uint32_t)(i * 0x400u) + k * 0x40u);
		sim_buf_zero(b, 4);
	}
}

/* ------------------------------------------------------------------ lk.bin */

static void lk_vectors(struct sim_buf *b)
{
	for (int i = 0; i < 8; i++)
		sim_buf_le32(b, 0xE59FF018u); /* ldr pc, [pc, #0x18]: the handler address 0x20 bytes on */
	sim_buf_le32(b, LK_BASE);           /* _start: the link address start.S loads */
	for (uint32_t i = 1; i < 8; i++)
		sim_buf_le32(b, LK_BASE + 0x104u + i * 0x20u);
}

static void lk_strings(struct sim_buf *b, const struct sim_firmware *fw)
{
	sim_buf_zero(b, 4);
	sim_buf_str(b, "platform/mediatek/mt6572/lk/platform.c");
	sim_buf_str(b, "platform/mediatek/mt6572/lk/mt_disp_drv.c");
	sim_buf_str(b, "mt6572v1_phone");
	sim_buf_str(b, "lcm=%1d-%s");
	sim_buf_str(b, "[MBOOT] Load '%s' partition Error"); /* then while(1) (docs/sim.md "Boot evaluation") */
	/* fastboot getvar "product": the key, NUL padding to 4 bytes, then the project in upper case */
	sim_buf_align(b, 4);
	sim_buf_str(b, "product");
	sim_buf_align(b, 4);
	char up[64];
	size_t n = 0;
	for (; fw->project[n] && n + 1 < sizeof up; n++)
		up[n] = (char)(fw->project[n] >= 'a' && fw->project[n] <= 'z' ? fw->project[n] - 32 : fw->project[n]);
	up[n] = 0;
	sim_buf_str(b, up);
	sim_buf_align(b, 4);
}

int sim_build_lk(const struct sim_firmware *fw, const struct sim_driver_set *drivers, uint64_t seed, uint8_t **out,
		 size_t *len, struct unifw_error *err)
{
	struct sim_driver_set d;
	drivers_or_default(fw, drivers, &d);
	struct sim_buf b = { 0 };
	struct sim_prng r;
	sim_prng_seed(&r, seed, "lk");
	sim_buf_zero(&b, UNIFW_MTKHDR_SIZE);
	size_t payload = b.len;
	struct sim_buf p = { 0 };
	lk_vectors(&p);
	sim_buf_fill(&p, &r, LK_TEXT - p.len);
	lk_strings(&p, fw);
	lcm_records(&p, LK_BASE, d.lcm, d.lcm_count);
	sim_ptable_standin(&p, fw); /* partition_layout[]: LK's table when the PMT is unusable */
	sim_buf_fill(&p, &r, 0x800);
	if (p.failed)
		b.failed = true;
	sim_buf_put(&b, p.p, p.len);
	free(p.p);
	int rc = sim_buf_take(&b, "lk.bin", out, len, err);
	if (rc)
		return rc;
	return unifw_mtkhdr_write(*out, (uint32_t)(*len - payload), "LK", UNIFW_MTKHDR_DEFAULT_ADDR,
				  UNIFW_MTKHDR_DEFAULT_ADDR, err);
}

/* ------------------------------------------------------------------ kernel Image */

static const char *toolchain(enum sim_android a)
{
	/* The compilers the corpus 3.4.5 (JB) and 3.4.67 (KK) kernels name in their banners. */
	return a == SIM_ANDROID_KK_442 ? "gcc version 4.7 (GCC) " : "gcc version 4.6.x-google 20120106 (prerelease) (GCC) ";
}

/* ptgen's compiled table, in the sim's text form (fw_build.h SIM_KERNEL_PTABLE_TAG). */
void sim_ptable_standin(struct sim_buf *b, const struct sim_firmware *fw)
{
	struct sim_fw_part parts[SIM_MAX_PARTS];
	size_t n = sim_firmware_layout(fw, parts), mbr_index = 0;
	sim_buf_zero(b, 4);
	sim_buf_put(b, SIM_KERNEL_PTABLE_TAG, strlen(SIM_KERNEL_PTABLE_TAG));
	for (size_t i = 0; i < n; i++) {
		const struct sim_fw_part *p = &parts[i];
		if (p->def->role == SIM_ROLE_PRELOADER || p->def->role == SIM_ROLE_BMTPOOL)
			continue;
		char line[128], idx[8] = "-";
		if (p->in_mbr)
			snprintf(idx, sizeof idx, "p%zu", 2 + mbr_index++);
		snprintf(line, sizeof line, "%s 0x%llx 0x%llx %s\n", p->def->name,
			 (unsigned long long)(p->linear - fw->boot_region), (unsigned long long)p->size, idx);
		sim_buf_put(b, line, strlen(line));
	}
	sim_buf_zero(b, 1);
}

static int build_image(const struct sim_firmware *fw, const struct sim_driver_set *d, uint64_t seed,
		       struct sim_buf *img, struct unifw_error *err)
{
	struct sim_prng r;
	sim_prng_seed(&r, seed, "kernel");
	sim_buf_fill(img, &r, IMAGE_TEXT_RANDOM);
	for (size_t i = 0; i < IMAGE_TEXT_PATTERN / 4; i++)
		sim_buf_le32(img, ARM_NOP ^ (uint32_t)(i & 0xFF));
	char banner[384];
	snprintf(banner, sizeof banner, "Linux version %s (%s) (%s) %s\n", sim_kernel_release(fw->android),
		 fw->kernel_builder, toolchain(fw->android), fw->kernel_date);
	sim_buf_zero(img, 4);
	sim_buf_str(img, banner);
	for (size_t i = 0; i < d->touch_count; i++) {
		sim_buf_zero(img, 1);
		sim_buf_str(img, d->touch[i]); /* i2c_driver.driver.name / input device name */
	}
	for (size_t i = 0; i < fw->camera_count; i++) {
		sim_buf_zero(img, 1);
		sim_buf_str(img, fw->camera[i]); /* kdSensorList drvname (kd_sensorlist.h) */
	}
	char ccci[64]; /* the MD1 type and reservation the CCCI loader works with (modem.h) */
	snprintf(ccci, sizeof ccci, "%swg 0x%x\n", SIM_KERNEL_CCCI_TAG, fw->md_reserved ? fw->md_reserved : SIM_MD1_MEM_SIZE);
	sim_buf_zero(img, 1);
	sim_buf_str(img, ccci);
	sim_buf_align(img, 4);
	lcm_records(img, KERNEL_BASE, d->lcm, d->lcm_count);
	if (d->ptable_from_pmt) { /* no compiled map: the kernel reads the phone's PMT at boot */
		sim_buf_zero(img, 4);
		sim_buf_put(img, SIM_KERNEL_PTABLE_PMT_TAG, strlen(SIM_KERNEL_PTABLE_PMT_TAG));
		sim_buf_zero(img, 1);
	} else {
		sim_ptable_standin(img, fw);
	}
	sim_buf_align(img, 16);
	if (img->failed)
		return unifw_error_set(err, UNIFW_E_NOMEM, "kernel", UNIFW_NO_OFFSET, "out of memory building the Image");
	return 0;
}

static int compress_gzip(const uint8_t *in, size_t len, struct sim_buf *out, struct unifw_error *err)
{
	z_stream z = { 0 };
	if (deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 9, Z_DEFAULT_STRATEGY) != Z_OK)
		return unifw_error_set(err, UNIFW_E_LIBRARY, "kernel", UNIFW_NO_OFFSET, "zlib deflateInit2 failed");
	size_t cap = deflateBound(&z, (uLong)len) + 64;
	uint8_t *buf = malloc(cap);
	int rc = 0;
	if (!buf) {
		deflateEnd(&z);
		return unifw_error_set(err, UNIFW_E_NOMEM, "kernel", UNIFW_NO_OFFSET, "out of memory");
	}
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	z.next_out = buf;
	z.avail_out = (uInt)cap;
	if (deflate(&z, Z_FINISH) != Z_STREAM_END)
		rc = unifw_error_set(err, UNIFW_E_LIBRARY, "kernel", UNIFW_NO_OFFSET, "zlib deflate did not finish");
	else
		sim_buf_put(out, buf, z.total_out);
	deflateEnd(&z);
	free(buf);
	return rc;
}

static int compress_xz(const uint8_t *in, size_t len, struct sim_buf *out, struct unifw_error *err)
{
	/* CRC32 check as the kernel's xz_wrap.sh asks (the in-kernel decoder knows no CRC64). */
	size_t cap = lzma_stream_buffer_bound(len), used = 0;
	uint8_t *buf = malloc(cap);
	if (!buf)
		return unifw_error_set(err, UNIFW_E_NOMEM, "kernel", UNIFW_NO_OFFSET, "out of memory");
	lzma_ret r = lzma_easy_buffer_encode(6, LZMA_CHECK_CRC32, NULL, in, len, buf, &used, cap);
	if (r != LZMA_OK) {
		free(buf);
		return unifw_error_set(err, UNIFW_E_LIBRARY, "kernel", UNIFW_NO_OFFSET, "liblzma encoder error %d", (int)r);
	}
	sim_buf_put(out, buf, used);
	free(buf);
	return 0;
}

/* zImage header and the decompressor stand-in: NOP words and a note, never a stream magic. */
static void zimage_head(struct sim_buf *z, size_t payload_at)
{
	for (int i = 0; i < 8; i++)
		sim_buf_le32(z, ARM_NOP);
	sim_buf_le32(z, 0xEA000002u);          /* b 1f */
	sim_buf_le32(z, 0x016F2818u);          /* zImage magic */
	sim_buf_le32(z, 0);                    /* start */
	sim_buf_le32(z, 0);                    /* end: patched */
	sim_buf_str(z, "unifw-sim synthetic zImage: this decompressor region holds no code");
	sim_buf_align(z, 4);
	while (z->len < payload_at && !z->failed)
		sim_buf_le32(z, ARM_NOP);
}

int sim_build_kernel(const struct sim_firmware *fw, const struct sim_driver_set *drivers, uint64_t seed,
		     uint8_t **out, size_t *len, struct unifw_error *err)
{
	struct sim_driver_set d;
	drivers_or_default(fw, drivers, &d);
	struct sim_buf img = { 0 }, z = { 0 };
	int rc = build_image(fw, &d, seed, &img, err);
	bool xz = fw->android == SIM_ANDROID_KK_442;
	sim_buf_zero(&z, UNIFW_MTKHDR_SIZE);
	/* Where the stream starts differs between builds (corpus: 0x35fc-0x4a54): pick one per kind. */
	zimage_head(&z, UNIFW_MTKHDR_SIZE + (xz ? 0x3B30u : 0x2A40u));
	if (rc == 0)
		rc = xz ? compress_xz(img.p, img.len, &z, err) : compress_gzip(img.p, img.len, &z, err);
	if (rc == 0) {
		sim_buf_le32(&z, (uint32_t)img.len); /* size_append: the inflated length */
		sim_buf_align(&z, 4);
	}
	free(img.p);
	if (rc) {
		free(z.p);
		return rc;
	}
	if ((rc = sim_buf_take(&z, "kernel", out, len, err)) != 0)
		return rc;
	uint32_t zlen = (uint32_t)(*len - UNIFW_MTKHDR_SIZE);
	put_le32(*out + UNIFW_MTKHDR_SIZE + 0x2C, zlen);
	rc = unifw_mtkhdr_write(*out, zlen, "KERNEL", UNIFW_MTKHDR_DEFAULT_ADDR, UNIFW_MTKHDR_DEFAULT_ADDR, err);
	if (rc)
		free(*out);
	return rc;
}

/* ------------------------------------------------------------------ ramdisk */

static const char fake_init_note[] = "unifw-sim placeholder: not an executable init";

/* An ELF32 ARM executable header (e_ident, type EXEC, machine ARM) followed by a note: enough for
 * `file` and for tools that check the init binary's shape; it runs nothing. */
static void fake_elf(uint8_t out[64 + sizeof fake_init_note])
{
	memset(out, 0, 64);
	memcpy(out, "\x7f" "ELF", 4);
	out[4] = 1; /* 32-bit */
	out[5] = 1; /* little endian */
	out[6] = 1; /* version */
	put_le16(out + 16, 2);    /* ET_EXEC */
	put_le16(out + 18, 40);   /* EM_ARM */
	put_le32(out + 20, 1);
	put_le16(out + 40, 52);   /* e_ehsize */
	memcpy(out + 64, fake_init_note, sizeof fake_init_note);
}

static const char fstab_text[] =
	"# unifw-sim fstab.mt6572 (emmc@ names are MediaTek's partition aliases)\n"
	"/emmc@android   /system     ext4  ro                                  wait\n"
	"/emmc@usrdata   /data       ext4  noatime,nosuid,nodev,noauto_da_alloc wait,check,encryptable=footer\n"
	"/emmc@cache     /cache      ext4  noatime,nosuid,nodev,noauto_da_alloc wait,check\n"
	"/emmc@protect_f /protect_f  ext4  noatime,nosuid,nodev                 wait,check\n"
	"/emmc@protect_s /protect_s  ext4  noatime,nosuid,nodev                 wait,check\n";

static int rd_text(struct unifw_ramdisk *rd, const char *path, uint32_t perm, const char *text, struct unifw_error *err)
{
	return unifw_ramdisk_add_file(rd, path, perm, text, strlen(text), err);
}

static int boot_ramdisk_files(struct unifw_ramdisk *rd, const struct sim_firmware *fw, bool recovery,
			      struct unifw_error *err)
{
	uint8_t elf[64 + sizeof fake_init_note];
	fake_elf(elf);
	char prop[512], rc_text[1024];
	snprintf(prop, sizeof prop,
		 "ro.secure=1\nro.allow.mock.location=0\nro.debuggable=0\npersist.sys.usb.config=mtp\n"
		 "ro.mount.fs=EXT4\nro.sim.project=%s\n", fw->project);
	snprintf(rc_text, sizeof rc_text,
		 "# unifw-sim %s init.rc for %s (Android %s)\n"
		 "import /init.usb.rc\n\non init\n    mkdir /protect_f 0771 system system\n"
		 "    mkdir /protect_s 0771 system system\n\non fs\n    mount_all /fstab.mt6572\n\n"
		 "%s",
		 recovery ? "recovery" : "boot", fw->project, sim_android_release(fw->android),
		 recovery ? "service recovery /sbin/recovery\n    seclabel u:r:recovery:s0\n"
			  : "service nvram_daemon /system/bin/nvram_daemon\n    class main\n    user root\n"
			    "    oneshot\n");
	static const char *const dirs[] = { "dev", "proc", "sys", "system", "data", "sbin", "res" };
	int rc = 0;
	for (size_t i = 0; i < sizeof dirs / sizeof *dirs && rc == 0; i++)
		rc = unifw_ramdisk_add_dir(rd, dirs[i], 0755, err);
	if (rc == 0)
		rc = unifw_ramdisk_add_file(rd, "init", 0750, elf, sizeof elf, err);
	if (rc == 0)
		rc = rd_text(rd, "init.rc", 0750, rc_text, err);
	if (rc == 0)
		rc = rd_text(rd, "init.usb.rc", 0750, "on boot\n    write /sys/class/android_usb/android0/enable 1\n", err);
	if (rc == 0)
		rc = rd_text(rd, "default.prop", 0644, prop, err);
	if (rc == 0)
		rc = rd_text(rd, "fstab.mt6572", 0640, fstab_text, err);
	if (rc == 0)
		rc = rd_text(rd, "ueventd.rc", 0644, "/dev/null 0666 root root\n/dev/ttyMT* 0660 radio radio\n", err);
	if (rc == 0 && recovery)
		rc = rd_text(rd, "etc/recovery.fstab", 0644, fstab_text, err);
	if (rc == 0 && recovery)
		rc = unifw_ramdisk_add_file(rd, "sbin/recovery", 0750, elf, sizeof elf, err);
	return rc;
}

static int build_ramdisk(const struct sim_firmware *fw, bool recovery, uint8_t **out, size_t *len,
			 struct unifw_error *err)
{
	struct unifw_ramdisk rd;
	unifw_ramdisk_init(&rd);
	uint8_t *cpio = NULL;
	size_t clen = 0;
	int rc = boot_ramdisk_files(&rd, fw, recovery, err);
	if (rc == 0)
		rc = unifw_ramdisk_write(&rd, UNIFW_RD_GZIP, &cpio, &clen, err);
	unifw_ramdisk_free(&rd);
	if (rc)
		return rc;
	uint8_t *p = malloc(UNIFW_MTKHDR_SIZE + clen);
	if (!p) {
		free(cpio);
		return unifw_error_set(err, UNIFW_E_NOMEM, "ramdisk", UNIFW_NO_OFFSET, "out of memory");
	}
	rc = unifw_mtkhdr_write(p, (uint32_t)clen, recovery ? "RECOVERY" : "ROOTFS", UNIFW_MTKHDR_DEFAULT_ADDR,
				UNIFW_MTKHDR_DEFAULT_ADDR, err);
	memcpy(p + UNIFW_MTKHDR_SIZE, cpio, clen);
	free(cpio);
	if (rc) {
		free(p);
		return rc;
	}
	*out = p;
	*len = UNIFW_MTKHDR_SIZE + clen;
	return 0;
}

int sim_build_bootimg(const struct sim_firmware *fw, const struct sim_driver_set *drivers, bool recovery,
		      uint64_t seed, uint8_t **out, size_t *len, struct unifw_error *err)
{
	uint8_t *kernel = NULL, *ramdisk = NULL;
	size_t kl = 0, rl = 0;
	int rc = sim_build_kernel(fw, drivers, seed, &kernel, &kl, err);
	if (rc == 0)
		rc = build_ramdisk(fw, recovery, &ramdisk, &rl, err);
	if (rc == 0) {
		struct unifw_bootimg_hdr h = { 0 };
		h.kernel_addr = 0x10008000u;
		h.ramdisk_addr = 0x11000000u;
		h.second_addr = 0x10F00000u;
		h.tags_addr = 0x10000100u;
		h.page_size = BOOT_PAGE;
		rc = unifw_bootimg_build(&h, kernel, kl, ramdisk, rl, NULL, 0, true, out, len, err);
	}
	free(kernel);
	free(ramdisk);
	return rc;
}
