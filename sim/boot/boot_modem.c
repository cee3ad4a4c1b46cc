/* unifw-sim — the CCCI loader's view of the modem image (boot_modem.h). Every rule names the function of
 * MediaTek's MT6572 kernel it stands for; the source files: docs/sim.md "Boot evaluation", android
 * modem rows. */
#include "boot_modem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/bytes.h"

#define MODEM_MAX_FILE (64u << 20)

/* "unifw-sim ccci v1 md1 <type> 0x<reserved>" in the Image (fw_kernel.c). */
static bool kernel_ccci(const uint8_t *img, size_t len, struct sim_modem_check *c)
{
	size_t tl = strlen(SIM_KERNEL_CCCI_TAG);
	size_t at = img ? unifw_memfind(img, len, 0, SIM_KERNEL_CCCI_TAG, tl) : SIZE_MAX;
	if (at == SIZE_MAX || len - at - tl < 8)
		return false;
	char line[48] = "";
	size_t n = len - at - tl < sizeof line - 1 ? len - at - tl : sizeof line - 1;
	memcpy(line, img + at + tl, n);
	unsigned long long reserved = 0;
	if (sscanf(line, "%3s %llx", c->type, &reserved) != 2 || reserved > UINT32_MAX)
		return false;
	c->reserved = (uint32_t)reserved;
	return true;
}

/* find_img_to_open: modem_1_<type>_n.img, then modem.img, under /etc/firmware (the system's). The
 * /custom/etc/firmware/ copy (CUSTPACK) and the _E<n> names are not modelled. */
static bool open_modem(const struct sim_sysview *sys, struct sim_modem_check *c, uint8_t **buf, size_t *len)
{
	char names[2][48];
	snprintf(names[0], sizeof names[0], "/etc/firmware/modem_1_%s_n.img", c->type);
	snprintf(names[1], sizeof names[1], "/etc/firmware/modem.img");
	for (size_t i = 0; i < 2; i++)
		if (sim_sysview_read(sys, names[i], MODEM_MAX_FILE, buf, len, c->from, sizeof c->from, NULL) == 0) {
			snprintf(c->path, sizeof c->path, "/system%.80s", names[i]);
			return true;
		}
	return false;
}

static bool has_mddb(struct unifw_ext4 *fs)
{
	struct unifw_ext4_dirent *ents = NULL;
	size_t n = 0;
	bool trunc = false, found = false;
	if (unifw_ext4_list_dir(fs, "/etc/mddb", 1000, &ents, &n, &trunc, NULL) == 0)
		for (size_t i = 0; i < n && !found; i++)
			found = ents[i].kind == 'f' && !strncmp(ents[i].name, "BPLGUInfoCustomApp", 18);
	free(ents);
	return found;
}

/* check_md_header with the MT6572 configuration (docs/sim.md "Boot evaluation", android modem):
 * no magic -> loaded unchecked; another header version -> logged, still returns 0; then bind_sys_id,
 * the memory size (ENABLE_MEM_SIZE_CHECK) and md_img_size against the loaded size decide. The 2G/3G
 * and chip-version checks are compiled out. */
void sim_modem_judge_header(bool has_header, const struct sim_md_header *h, size_t size, uint32_t reserved,
			    struct sim_modem_check *c)
{
	c->rejected = false;
	c->why[0] = c->warning[0] = 0;
	if (!has_header) {
		snprintf(c->warning, sizeof c->warning, "md check header not exist: the image is loaded unchecked");
		return;
	}
	if (h->verno != SIM_MD_HEADER_VERSION) {
		snprintf(c->warning, sizeof c->warning, "md check header version %u mis-match to AP (%u): logged, "
			 "check_md_header still returns 0 and the image is loaded unchecked", h->verno,
			 SIM_MD_HEADER_VERSION);
		return;
	}
	if (h->bind_sys_id != 1) {
		c->rejected = true;
		snprintf(c->why, sizeof c->why, "MD image is not for MD SYS1 (bind_sys_id %u)", h->bind_sys_id);
	} else if (h->mem_size > reserved) {
		c->rejected = true;
		snprintf(c->why, sizeof c->why, "MD mem size mis-match to AP setting: the modem asks 0x%x bytes, the "
			 "kernel reserves 0x%x", h->mem_size, reserved);
	} else if (h->md_img_size && size < h->md_img_size) {
		c->rejected = true;
		snprintf(c->why, sizeof c->why, "MD image size mis-match to AP: the header says 0x%x bytes, the file "
			 "has 0x%zx", h->md_img_size, size);
	} else if (h->mem_size < reserved) {
		snprintf(c->warning, sizeof c->warning, "md size in md header isn't sync to DFO setting (0x%x < 0x%x): "
			 "a warning, the image is loaded", h->mem_size, reserved);
	}
}

void sim_modem_check(const struct sim_sysview *sys, const uint8_t *kimg, size_t klen, struct sim_modem_check *c)
{
	memset(c, 0, sizeof *c);
	if (!kernel_ccci(kimg, klen, c))
		return;
	c->kernel_known = true;
	c->mddb = has_mddb(sys->fs);
	uint8_t *buf = NULL;
	size_t len = 0;
	if (!open_modem(sys, c, &buf, &len)) {
		c->rejected = true;
		snprintf(c->why, sizeof c->why, "no modem image: /system/etc/firmware has neither modem_1_%s_n.img nor "
			 "modem.img", c->type);
		return;
	}
	c->size = len;
	c->has_header = sim_md_header_read(buf, len, &c->h);
	free(buf);
	sim_modem_judge_header(c->has_header, &c->h, c->size, c->reserved, c);
}
