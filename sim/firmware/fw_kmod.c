/* unifw-sim — loadable kernel modules for /system/lib/modules (fw_build.h sim_build_kmod): the smallest
 * ELF32 relocatable object the kernel's module loader looks at before it refuses one (Linux 3.4
 * kernel/module.c: elf_header_check, then check_modinfo on ".modinfo"): header, a .text of seeded filler,
 * .modinfo, .gnu.linkonce.this_module (the struct module the loader fills; zeros and the name here) and the
 * section-name table. Nothing of a real module is copied; the layout is the ELF specification's. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fw_build.h"

#define EHDR_SIZE 52u
#define SHDR_SIZE 40u
#define TEXT_BYTES 2048u
#define THIS_MODULE_BYTES 320u /* struct module is about this big on 3.4 ARM; only its name is set */
#define EM_ARM 40u
#define EF_ARM_EABI_VER5 0x05000000u

enum { SEC_NULL, SEC_TEXT, SEC_MODINFO, SEC_THIS, SEC_SHSTRTAB, SEC_COUNT };

static const char shstrtab[] = "\0.text\0.modinfo\0.gnu.linkonce.this_module\0.shstrtab";
static const uint32_t name_off[SEC_COUNT] = { 0, 1, 7, 16, 43 };

struct sec {
	uint32_t type, flags, offset, size, align;
};

static void le16(struct sim_buf *b, uint16_t v)
{
	uint8_t w[2] = { (uint8_t)v, (uint8_t)(v >> 8) };
	sim_buf_put(b, w, 2);
}

static void ehdr(struct sim_buf *b, uint32_t shoff)
{
	static const uint8_t ident[16] = { 0x7f, 'E', 'L', 'F', 1 /* ELFCLASS32 */, 1 /* LSB */, 1 /* EV_CURRENT */ };
	sim_buf_put(b, ident, sizeof ident);
	le16(b, 1); /* ET_REL: what modules are */
	le16(b, EM_ARM);
	sim_buf_le32(b, 1);
	sim_buf_le32(b, 0); /* entry */
	sim_buf_le32(b, 0); /* no program headers */
	sim_buf_le32(b, shoff);
	sim_buf_le32(b, EF_ARM_EABI_VER5);
	le16(b, EHDR_SIZE);
	le16(b, 0);
	le16(b, 0);
	le16(b, SHDR_SIZE);
	le16(b, SEC_COUNT);
	le16(b, SEC_SHSTRTAB);
}

/* .modinfo as modpost writes it for a 3.4 module: NUL-separated tag=value strings. */
static void modinfo(struct sim_buf *b, const char *modname, const char *vermagic)
{
	char s[256];
	sim_buf_str(b, "license=GPL");
	snprintf(s, sizeof s, "description=%s (unifw-sim stand-in)", modname);
	sim_buf_str(b, s);
	sim_buf_str(b, "depends=");
	snprintf(s, sizeof s, "vermagic=%s", vermagic);
	sim_buf_str(b, s);
}

int sim_build_kmod(const char *modname, const char *vermagic, uint64_t seed, uint8_t **out, size_t *len,
		   struct unifw_error *err)
{
	struct sim_buf b = { 0 };
	struct sec sec[SEC_COUNT] = { { 0 } };
	struct sim_prng r;
	sim_prng_seed(&r, seed, modname);
	sim_buf_zero(&b, EHDR_SIZE); /* written last, when shoff is known */
	sec[SEC_TEXT] = (struct sec){ 1 /* PROGBITS */, 6 /* ALLOC|EXECINSTR */, (uint32_t)b.len, TEXT_BYTES, 4 };
	sim_buf_fill(&b, &r, TEXT_BYTES);
	sec[SEC_MODINFO] = (struct sec){ 1, 2 /* ALLOC */, (uint32_t)b.len, 0, 1 };
	modinfo(&b, modname, vermagic);
	sec[SEC_MODINFO].size = (uint32_t)(b.len - sec[SEC_MODINFO].offset);
	sim_buf_align(&b, 4);
	sec[SEC_THIS] = (struct sec){ 1, 3 /* WRITE|ALLOC */, (uint32_t)b.len, THIS_MODULE_BYTES, 4 };
	char this_module[THIS_MODULE_BYTES] = { 0 };
	snprintf(this_module + 12, 56, "%s", modname); /* struct module: state, list, then name[MODULE_NAME_LEN] */
	sim_buf_put(&b, this_module, sizeof this_module);
	sec[SEC_SHSTRTAB] = (struct sec){ 3 /* STRTAB */, 0, (uint32_t)b.len, sizeof shstrtab, 1 };
	sim_buf_put(&b, shstrtab, sizeof shstrtab);
	sim_buf_align(&b, 4);
	uint32_t shoff = (uint32_t)b.len;
	for (unsigned i = 0; i < SEC_COUNT; i++) {
		const struct sec *s = &sec[i];
		const uint32_t w[10] = { name_off[i], s->type, s->flags, 0, s->offset, s->size, 0, 0, s->align, 0 };
		for (unsigned j = 0; j < 10; j++)
			sim_buf_le32(&b, i ? w[j] : 0);
	}
	if (!b.failed) {
		struct sim_buf h = { 0 };
		ehdr(&h, shoff);
		if (!h.failed)
			memcpy(b.p, h.p, EHDR_SIZE);
		b.failed = h.failed;
		free(h.p);
	}
	return sim_buf_take(&b, modname, out, len, err);
}
