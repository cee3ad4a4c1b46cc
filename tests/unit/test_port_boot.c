/* unifw port's kernel transplant (src/ops/port_boot.c): the phone's kernel and header fields with the
 * base's ramdisk merged by the rule table. (a) boot and recovery images from unifw-sim's factory (the
 * universal ROM onto an a516-like phone whose image was edited with our own writers); (b) the real
 * Lenovo A516 S117 header, MTK headers and zImage (kernel 3.4.5) of the corpus, with the factory's ramdisk. */
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "firmware/fw_build.h"
#include "firmware/model.h"
#include "unifw/bootimg.h"
#include "unifw/kernel.h"
#include "unifw/mtkhdr.h"
#include "unifw/port.h"
#include "unifw/ramdisk.h"

#define PHONE_FSTAB_LINE "/emmc@custpack /custpack ext4 ro wait # the phone's own layout\n"
#define PHONE_CMDLINE "console=ttyMT3,921600n1 phone=a516"

static struct unifw_port_rules rules;

static int setup(void **state)
{
	(void)state;
	struct unifw_error err;
	if (unifw_port_rules_builtin(&rules, &err))
		fail_msg("rules: %s", err.msg);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unifw_port_rules_free(&rules);
	return 0;
}

static uint8_t *sim_image(const struct sim_firmware *fw, bool recovery, size_t *len)
{
	uint8_t *out;
	struct unifw_error err;
	if (sim_build_bootimg(fw, NULL, recovery, 7, &out, len, &err))
		fail_msg("sim_build_bootimg %s: %s", fw->id, err.msg);
	return out;
}

static void parse_or_fail(const uint8_t *buf, size_t len, struct unifw_bootimg *img)
{
	struct unifw_error err;
	if (unifw_bootimg_parse(buf, len, "image", img, &err))
		fail_msg("parse: %s", err.msg);
}

static void ramdisk_of(const struct unifw_bootimg *img, struct unifw_ramdisk *rd)
{
	struct unifw_error err;
	if (unifw_ramdisk_parse(img->base + img->ramdisk_off, img->hdr.ramdisk_size, "ramdisk", rd, &err))
		fail_msg("ramdisk: %s", err.msg);
}

/* The phone's image: the factory's a516-like image with a fstab line of its own, a board init script
 * and a kernel module, a cmdline and a name, rebuilt with unifw_ramdisk_write / unifw_bootimg_build. With
 * kernel_hdr false the kernel section is the bare zImage (no KERNEL header). */
static uint8_t *phone_image_named(bool recovery, bool kernel_hdr, size_t tail, const char *fstab_name, size_t *len)
{
	size_t sl;
	uint8_t *stock = sim_image(sim_model_find("a516-like")->stock, recovery, &sl);
	struct unifw_bootimg img;
	struct unifw_ramdisk rd;
	struct unifw_error err;
	parse_or_fail(stock, sl, &img);
	ramdisk_of(&img, &rd);
	const char *fstab = recovery ? "etc/recovery.fstab" : "fstab.mt6572";
	const struct unifw_ramdisk_entry *e = unifw_ramdisk_find(&rd, fstab);
	assert_non_null(e);
	size_t fl = e->size + strlen(PHONE_FSTAB_LINE);
	char *text = malloc(fl);
	memcpy(text, e->data, e->size);
	memcpy(text + e->size, PHONE_FSTAB_LINE, strlen(PHONE_FSTAB_LINE));
	assert_int_equal(unifw_ramdisk_add_file(&rd, fstab, 0640, text, fl, &err), 0);
	if (fstab_name) { /* the phone calls it otherwise (a JB build: /fstab) */
		assert_int_equal(unifw_ramdisk_remove(&rd, fstab, &err), 0);
		assert_int_equal(unifw_ramdisk_add_file(&rd, fstab_name, 0640, text, fl, &err), 0);
	}
	free(text);
	assert_int_equal(unifw_ramdisk_add_file(&rd, "init.project.rc", 0750, "on boot\n", 8, &err), 0);
	assert_int_equal(unifw_ramdisk_add_file(&rd, "lib/modules/mtk_tpd.ko", 0644, "\x7f" "ELF", 4, &err), 0);
	uint8_t *gz, rdsec[UNIFW_MTKHDR_SIZE];
	size_t gl;
	assert_int_equal(unifw_ramdisk_write(&rd, UNIFW_RD_GZIP, &gz, &gl, &err), 0);
	assert_int_equal(unifw_mtkhdr_write(rdsec, (uint32_t)gl, recovery ? "RECOVERY" : "ROOTFS", 0xFFFFFFFFu,
					    0xFFFFFFFFu, &err), 0);
	uint8_t *ramdisk = malloc(gl + UNIFW_MTKHDR_SIZE);
	memcpy(ramdisk, rdsec, UNIFW_MTKHDR_SIZE);
	memcpy(ramdisk + UNIFW_MTKHDR_SIZE, gz, gl);
	free(gz);
	struct unifw_bootimg_hdr h = img.hdr;
	snprintf((char *)h.cmdline, sizeof h.cmdline, "%s", PHONE_CMDLINE);
	snprintf((char *)h.name, sizeof h.name, "a516");
	h.tags_addr = 0x10000200u;
	size_t skip = kernel_hdr ? 0 : UNIFW_MTKHDR_SIZE;
	uint8_t *out;
	size_t ol;
	assert_int_equal(unifw_bootimg_build(&h, stock + img.kernel_off + skip, img.hdr.kernel_size - skip, ramdisk,
					     gl + UNIFW_MTKHDR_SIZE, NULL, 0, true, &out, &ol, &err), 0);
	free(ramdisk);
	unifw_ramdisk_free(&rd);
	unifw_bootimg_free(&img);
	free(stock);
	/* a backup holds the whole partition: zeros after the image */
	out = realloc(out, ol + tail);
	memset(out + ol, 0, tail);
	*len = ol + tail;
	return out;
}

static uint8_t *phone_image(bool recovery, bool kernel_hdr, size_t tail, size_t *len)
{
	return phone_image_named(recovery, kernel_hdr, tail, NULL, len);
}

static const struct unifw_port_change *find_change(const struct unifw_port_report *rep, const char *path)
{
	for (size_t i = 0; i < rep->count; i++)
		if (!strcmp(rep->items[i].path, path))
			return &rep->items[i];
	return NULL;
}

static void expect_change(const struct unifw_port_report *rep, const char *path, const char *action, const char *rule)
{
	const struct unifw_port_change *c = find_change(rep, path);
	if (!c)
		fail_msg("no report line for %s", path);
	assert_string_equal(c->action, action);
	assert_string_equal(c->rule, rule);
	assert_true(strlen(c->reason) > 20);
}

static uint8_t *port(const uint8_t *base, size_t bl, const uint8_t *stock, size_t sl, bool recovery,
		     struct unifw_port_report *rep, size_t *out_len)
{
	struct unifw_port_boot_in in = {.base = base, .base_len = bl, .stock = stock, .stock_len = sl,
					.recovery = recovery, .rules = &rules,
					.partition = recovery ? "RECOVERY" : "BOOTIMG"};
	uint8_t *out;
	struct unifw_error err;
	if (unifw_port_bootimg(&in, &out, out_len, rep, &err))
		fail_msg("port: %s: %s", err.where, err.msg);
	return out;
}

static void same_bytes(const uint8_t *a, size_t al, const uint8_t *b, size_t bl)
{
	assert_int_equal(al, bl);
	assert_memory_equal(a, b, al);
}

static void check_sim_port(bool recovery)
{
	size_t bl, sl, ol;
	uint8_t *base = sim_image(sim_firmware_universal(), recovery, &bl);
	uint8_t *stock = phone_image(recovery, true, 1u << 20, &sl);
	struct unifw_port_report rep;
	unifw_port_report_init(&rep);
	uint8_t *out = port(base, bl, stock, sl, recovery, &rep, &ol);

	struct unifw_bootimg b, s, o;
	parse_or_fail(base, bl, &b);
	parse_or_fail(stock, sl, &s);
	parse_or_fail(out, ol, &o);
	/* a clean image: its id is the SHA-1 of its sections, MTK headers named as LK wants them */
	assert_true(o.id_ok);
	if (o.findings.count)
		fail_msg("finding: %s", o.findings.items[0].msg);
	/* the phone's kernel section byte for byte, the phone's header fields */
	same_bytes(out + o.kernel_off, o.hdr.kernel_size, stock + s.kernel_off, s.hdr.kernel_size);
	assert_true(unifw_mtkhdr_has_name(out + o.kernel_off, o.hdr.kernel_size, "KERNEL"));
	assert_int_equal(o.hdr.page_size, s.hdr.page_size);
	assert_int_equal(o.hdr.kernel_addr, s.hdr.kernel_addr);
	assert_int_equal(o.hdr.ramdisk_addr, s.hdr.ramdisk_addr);
	assert_int_equal(o.hdr.second_addr, s.hdr.second_addr);
	assert_int_equal(o.hdr.tags_addr, 0x10000200u);
	assert_string_equal((const char *)o.hdr.cmdline, PHONE_CMDLINE);
	assert_string_equal((const char *)o.hdr.name, "a516");
	assert_int_equal(o.hdr.second_size, 0);
	/* the ramdisk: the base's Android, the phone's fstab, board script and module */
	assert_true(unifw_mtkhdr_has_name(out + o.ramdisk_off, o.hdr.ramdisk_size, recovery ? "RECOVERY" : "ROOTFS"));
	struct unifw_ramdisk brd, srd, ord;
	ramdisk_of(&b, &brd);
	ramdisk_of(&s, &srd);
	ramdisk_of(&o, &ord);
	const char *fstab = recovery ? "etc/recovery.fstab" : "fstab.mt6572";
	const struct unifw_ramdisk_entry *init_o = unifw_ramdisk_find(&ord, "init.rc"), *init_b =
											    unifw_ramdisk_find(&brd, "init.rc");
	same_bytes(init_o->data, init_o->size, init_b->data, init_b->size);
	assert_non_null(strstr((const char *)init_b->data, "universal")); /* the base's, not the phone's */
	const struct unifw_ramdisk_entry *f_o = unifw_ramdisk_find(&ord, fstab), *f_s = unifw_ramdisk_find(&srd, fstab);
	same_bytes(f_o->data, f_o->size, f_s->data, f_s->size);
	assert_non_null(memmem(f_o->data, f_o->size, "custpack", 8));
	const struct unifw_ramdisk_entry *proj = unifw_ramdisk_find(&ord, "init.project.rc");
	assert_non_null(proj);
	assert_int_equal(proj->mode, 0100750);
	assert_non_null(unifw_ramdisk_find(&ord, "lib/modules/mtk_tpd.ko"));
	assert_int_equal(unifw_ramdisk_find(&ord, "lib")->type, UNIFW_RD_DIR);
	const struct unifw_ramdisk_entry *dp_o = unifw_ramdisk_find(&ord, "default.prop"), *dp_b =
											      unifw_ramdisk_find(&brd, "default.prop");
	same_bytes(dp_o->data, dp_o->size, dp_b->data, dp_b->size);
	/* the report: kernel, header, each file taken or kept, and why */
	const struct unifw_port_change *k = find_change(&rep, "kernel");
	assert_non_null(k);
	assert_string_equal(k->action, UNIFW_PORT_ACT_PHONE);
	assert_string_equal(k->partition, recovery ? "RECOVERY" : "BOOTIMG");
	assert_non_null(strstr(k->reason, "3.4.5"));  /* the a516-like kernel */
	assert_non_null(strstr(k->reason, "3.4.67")); /* the universal's */
	assert_non_null(strstr(k->reason, "LCM/touch drivers and partition map"));
	assert_non_null(strstr(find_change(&rep, "header")->reason, PHONE_CMDLINE));
	expect_change(&rep, fstab, UNIFW_PORT_ACT_REPLACED, recovery ? "ramdisk-recovery-fstab" : "ramdisk-fstab");
	expect_change(&rep, "init.project.rc", UNIFW_PORT_ACT_ADDED, "ramdisk-init-project");
	expect_change(&rep, "lib/modules/mtk_tpd.ko", UNIFW_PORT_ACT_ADDED, "ramdisk-modules");
	expect_change(&rep, "init.rc", UNIFW_PORT_ACT_BASE, "ramdisk-init-rc");
	expect_change(&rep, "init.modem.rc", UNIFW_PORT_ACT_KEPT, "ramdisk-init-modem");
	const struct unifw_port_change *dp = find_change(&rep, "default.prop");
	if (dp)
		assert_string_equal(dp->action, UNIFW_PORT_ACT_BASE);
	unifw_ramdisk_free(&brd);
	unifw_ramdisk_free(&srd);
	unifw_ramdisk_free(&ord);
	unifw_bootimg_free(&b);
	unifw_bootimg_free(&s);
	unifw_bootimg_free(&o);
	unifw_port_report_free(&rep);
	free(base);
	free(stock);
	free(out);
}

static void sim_boot_image(void **state)
{
	(void)state;
	check_sim_port(false);
}

static void sim_recovery_image(void **state)
{
	(void)state;
	check_sim_port(true);
}

/* A stock kernel without its KERNEL header gets one: MediaTek LK looks for it. */
static void bare_stock_kernel_gets_a_header(void **state)
{
	(void)state;
	size_t bl, sl, ol;
	uint8_t *base = sim_image(sim_firmware_universal(), false, &bl);
	uint8_t *stock = phone_image(false, false, 0, &sl);
	struct unifw_port_report rep;
	unifw_port_report_init(&rep);
	uint8_t *out = port(base, bl, stock, sl, false, &rep, &ol);
	struct unifw_bootimg s, o;
	parse_or_fail(stock, sl, &s);
	parse_or_fail(out, ol, &o);
	assert_true(unifw_zimage_is(stock + s.kernel_off, s.hdr.kernel_size));
	assert_int_equal(o.hdr.kernel_size, s.hdr.kernel_size + UNIFW_MTKHDR_SIZE);
	struct unifw_mtkhdr mh;
	struct unifw_error err;
	assert_int_equal(unifw_mtkhdr_parse(out + o.kernel_off, o.hdr.kernel_size, o.hdr.kernel_size, &mh, &err), 0);
	assert_string_equal(mh.name, "KERNEL");
	assert_int_equal(mh.dsize, s.hdr.kernel_size);
	same_bytes(out + o.kernel_off + UNIFW_MTKHDR_SIZE, s.hdr.kernel_size, stock + s.kernel_off, s.hdr.kernel_size);
	assert_int_equal(o.findings.count, 0);
	assert_non_null(strstr(find_change(&rep, "kernel")->reason, "KERNEL MTK header was added"));
	unifw_bootimg_free(&s);
	unifw_bootimg_free(&o);
	unifw_port_report_free(&rep);
	free(base);
	free(stock);
	free(out);
}

/* The base's init.rc mounts /fstab.mt6572; a phone whose fstab is /fstab (JB builds) still gets its own
 * partitions mounted: its fstab goes under the base's name too. */
static void phone_fstab_under_the_name_the_base_mounts(void **state)
{
	(void)state;
	size_t bl, sl, ol;
	uint8_t *base = sim_image(sim_firmware_universal(), false, &bl);
	uint8_t *stock = phone_image_named(false, true, 0, "fstab", &sl);
	struct unifw_port_report rep;
	unifw_port_report_init(&rep);
	uint8_t *out = port(base, bl, stock, sl, false, &rep, &ol);
	struct unifw_bootimg s, o;
	struct unifw_ramdisk srd, ord;
	parse_or_fail(stock, sl, &s);
	parse_or_fail(out, ol, &o);
	ramdisk_of(&s, &srd);
	ramdisk_of(&o, &ord);
	assert_null(unifw_ramdisk_find(&srd, "fstab.mt6572"));
	const struct unifw_ramdisk_entry *ph = unifw_ramdisk_find(&srd, "fstab"), *mounted = unifw_ramdisk_find(&ord, "fstab.mt6572");
	assert_non_null(mounted);
	same_bytes(mounted->data, mounted->size, ph->data, ph->size);
	assert_non_null(unifw_ramdisk_find(&ord, "fstab"));
	expect_change(&rep, "fstab.mt6572", UNIFW_PORT_ACT_REPLACED, "ramdisk-fstab");
	assert_non_null(strstr(find_change(&rep, "fstab.mt6572")->reason, "mount_all /fstab.mt6572"));
	unifw_ramdisk_free(&srd);
	unifw_ramdisk_free(&ord);
	unifw_bootimg_free(&s);
	unifw_bootimg_free(&o);
	unifw_port_report_free(&rep);
	free(base);
	free(stock);
	free(out);
}

static void expect_refusal(const uint8_t *base, size_t bl, const uint8_t *stock, size_t sl, const char *words)
{
	struct unifw_port_boot_in in = {.base = base, .base_len = bl, .stock = stock, .stock_len = sl,
					.rules = &rules, .partition = "BOOTIMG"};
	struct unifw_port_report rep;
	struct unifw_error err;
	uint8_t *out = (uint8_t *)"x";
	size_t ol = 1;
	unifw_port_report_init(&rep);
	assert_int_not_equal(unifw_port_bootimg(&in, &out, &ol, &rep, &err), 0);
	if (!strstr(err.msg, words) && !strstr(err.where, words))
		fail_msg("wanted \"%s\", got %s: %s", words, err.where, err.msg);
	assert_null(out);
	unifw_port_report_free(&rep);
}

static void refuses_what_it_cannot_port(void **state)
{
	(void)state;
	size_t bl, sl, xl;
	uint8_t *base = sim_image(sim_firmware_universal(), false, &bl);
	uint8_t *stock = phone_image(false, true, 0, &sl);
	struct unifw_bootimg b, s;
	struct unifw_error err;
	parse_or_fail(base, bl, &b);
	parse_or_fail(stock, sl, &s);
	/* a base whose ramdisk section is not a ramdisk */
	uint8_t junk[600];
	memset(junk, 0x5a, sizeof junk);
	uint8_t *bad;
	assert_int_equal(unifw_bootimg_build(&b.hdr, base + b.kernel_off, b.hdr.kernel_size, junk, sizeof junk, NULL, 0,
					     true, &bad, &xl, &err), 0);
	expect_refusal(bad, xl, stock, sl, "the base's BOOTIMG ramdisk cannot be read");
	free(bad);
	/* a phone image without a kernel */
	assert_int_equal(unifw_bootimg_build(&s.hdr, NULL, 0, stock + s.ramdisk_off, s.hdr.ramdisk_size, NULL, 0, true,
					     &bad, &xl, &err), 0);
	expect_refusal(base, bl, bad, xl, "no kernel");
	free(bad);
	/* not boot images at all */
	expect_refusal(junk, sizeof junk, stock, sl, "base");
	expect_refusal(base, bl, junk, sizeof junk, "phone");
	unifw_bootimg_free(&b);
	unifw_bootimg_free(&s);
	free(base);
	free(stock);
}

/* ------------------------------------------------------------------ (b) the corpus's A516 parts */

/* payload padded with zeros to exactly n bytes (the size the real MTK header claims) */
static void put_padded(uint8_t *dst, size_t n, const uint8_t *src, size_t sl)
{
	if (sl > n)
		fail_msg("factory payload of %zu bytes does not fit the real header's %zu", sl, n);
	memcpy(dst, src, sl);
	memset(dst + sl, 0, n - sl);
}

/* The A516's image: its real boot header and MTK headers, its real S117 zImage (the corpus's raw 3.4.5
 * kernel, exactly the size its KERNEL header gives), the factory's a516-like ramdisk padded to the size the
 * real ROOTFS/RECOVERY header gives (the corpus has no A516 ramdisk), zeros up to an 8 MiB partition. */
static uint8_t *a516_image(bool recovery, size_t *len)
{
	size_t hl, kl, rl, sl, zl;
	uint8_t *hdr = corpus_read(recovery ? "bootimg/mt6572_lenovo_a516_recovery_image.hdr"
					    : "bootimg/mt6572_lenovo_a516_S117_boot_image.hdr", &hl);
	uint8_t *kmtk = corpus_read("bootimg/mt6572_lenovo_a516_S117_boot_zImage.mtkhdr", &kl);
	uint8_t *rmtk = corpus_read(recovery ? "bootimg/mt6572_lenovo_a516_recovery_ramdisk.mtkhdr"
					     : "bootimg/mt6572_lenovo_a516_S117_boot_ramdisk.mtkhdr", &rl);
	uint8_t *zimage = corpus_read("kernel/mt6572_lenovo_a516_S117_zImage_3.4.5_raw.bin", &zl);
	uint8_t *sim = sim_image(sim_model_find("a516-like")->stock, recovery, &sl);
	struct unifw_bootimg_hdr h;
	struct unifw_mtkhdr km, rm;
	struct unifw_bootimg si;
	struct unifw_error err;
	assert_int_equal(unifw_bootimg_hdr_parse(hdr, hl, "a516 header", &h, &err), 0);
	assert_int_equal(unifw_mtkhdr_parse(kmtk, kl, kl, &km, &err), 0);
	assert_int_equal(unifw_mtkhdr_parse(rmtk, rl, rl, &rm, &err), 0);
	parse_or_fail(sim, sl, &si);
	size_t part = 8u << 20; /* the recovery image is 6.17 MiB */
	uint64_t k_off = h.page_size, r_off = k_off + (h.kernel_size + h.page_size - 1) / h.page_size * h.page_size;
	assert_true(r_off + h.ramdisk_size <= part && UNIFW_MTKHDR_SIZE + km.dsize <= h.kernel_size &&
		    UNIFW_MTKHDR_SIZE + rm.dsize <= h.ramdisk_size);
	uint8_t *img = calloc(1, part);
	memcpy(img, hdr, hl);
	memcpy(img + k_off, kmtk, UNIFW_MTKHDR_SIZE);
	assert_int_equal(km.dsize, zl);
	put_padded(img + k_off + UNIFW_MTKHDR_SIZE, km.dsize, zimage, zl);
	memcpy(img + r_off, rmtk, UNIFW_MTKHDR_SIZE);
	put_padded(img + r_off + UNIFW_MTKHDR_SIZE, rm.dsize, si.base + si.ramdisk_off + UNIFW_MTKHDR_SIZE,
		   si.hdr.ramdisk_size - UNIFW_MTKHDR_SIZE);
	unifw_bootimg_free(&si);
	free(sim);
	free(zimage);
	free(hdr);
	free(kmtk);
	free(rmtk);
	*len = part;
	return img;
}

static void check_a516(bool recovery, const char *out_name)
{
	size_t bl, sl, ol;
	uint8_t *base = sim_image(sim_firmware_universal(), recovery, &bl);
	uint8_t *stock = a516_image(recovery, &sl);
	struct unifw_port_report rep;
	unifw_port_report_init(&rep);
	uint8_t *out = port(base, bl, stock, sl, recovery, &rep, &ol);
	struct unifw_bootimg s, o;
	parse_or_fail(stock, sl, &s);
	parse_or_fail(out, ol, &o);
	assert_true(o.id_ok);
	assert_int_equal(o.hdr.page_size, 2048);
	assert_int_equal(o.hdr.kernel_addr, s.hdr.kernel_addr);
	assert_int_equal(o.hdr.ramdisk_addr, s.hdr.ramdisk_addr);
	assert_int_equal(o.hdr.tags_addr, s.hdr.tags_addr);
	assert_memory_equal(o.hdr.cmdline, s.hdr.cmdline, sizeof o.hdr.cmdline);
	/* the A516's kernel section as it was: its real KERNEL header and its real zImage */
	same_bytes(out + o.kernel_off, o.hdr.kernel_size, stock + s.kernel_off, s.hdr.kernel_size);
	assert_true(unifw_mtkhdr_has_name(out + o.kernel_off, o.hdr.kernel_size, "KERNEL"));
	assert_true(unifw_mtkhdr_has_name(out + o.ramdisk_off, o.hdr.ramdisk_size, recovery ? "RECOVERY" : "ROOTFS"));
	struct unifw_kernel_info ki;
	struct unifw_error err;
	assert_int_equal(unifw_kernel_inspect(out + o.kernel_off, o.hdr.kernel_size, "kernel", NULL, &ki, &err), 0);
	assert_string_equal(ki.version, "3.4.5");
	struct unifw_ramdisk rd;
	ramdisk_of(&o, &rd);
	assert_non_null(unifw_ramdisk_find(&rd, "init.rc"));
	unifw_ramdisk_free(&rd);
	/* what `unifw info` says of the result (the real binary, as a user would check it) */
	char *dir = test_mkdtemp(), path[1024], cmd[2300], *json = NULL;
	snprintf(path, sizeof path, "%s/%s", dir, out_name);
	test_write_file(path, out, ol);
	snprintf(cmd, sizeof cmd, "'%s' info '%s' --json", test_unifw_bin(), path);
	assert_int_equal(test_run(cmd, &json), 0);
	assert_non_null(strstr(json, "\"type\": \"bootimg\""));
	assert_non_null(strstr(json, "\"version\": \"3.4.5\""));
	assert_non_null(strstr(json, "\"id_ok\": true"));
	assert_non_null(strstr(json, recovery ? "\"name\": \"RECOVERY\"" : "\"name\": \"ROOTFS\""));
	assert_non_null(strstr(json, "\"page_size\": 2048"));
	free(json);
	test_rmtree(dir);
	free(dir);
	unifw_bootimg_free(&s);
	unifw_bootimg_free(&o);
	unifw_port_report_free(&rep);
	free(base);
	free(stock);
	free(out);
}

static void corpus_a516_boot(void **state)
{
	(void)state;
	check_a516(false, "a516_port_boot.img");
}

static void corpus_a516_recovery(void **state)
{
	(void)state;
	check_a516(true, "a516_port_recovery.img");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sim_boot_image),
		cmocka_unit_test(sim_recovery_image),
		cmocka_unit_test(bare_stock_kernel_gets_a_header),
		cmocka_unit_test(phone_fstab_under_the_name_the_base_mounts),
		cmocka_unit_test(refuses_what_it_cannot_port),
		cmocka_unit_test(corpus_a516_boot),
		cmocka_unit_test(corpus_a516_recovery),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
