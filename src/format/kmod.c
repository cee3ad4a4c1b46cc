/* Loadable kernel modules: the vermagic string the kernel compares before it loads one (include/unifw/kernel.h,
 * Linux 3.4 kernel/module.c: elf_header_check, get_modinfo, check_modinfo). Only what that check reads is
 * parsed: the ELF32 header, the section headers, the section-name table and ".modinfo". */
#include "unifw/kernel.h"

#include <stdio.h>
#include <string.h>

#include "util/bytes.h"

#define ELF32_EHDR_SIZE 52u
#define ELF32_SHDR_SIZE 40u
#define EI_CLASS 4u
#define EI_DATA 5u
#define ELFCLASS32 1u
#define ELFDATA2LSB 1u
#define SHT_NOBITS 8u
#define MODINFO_TAG "vermagic="

struct elf_sec {
	uint32_t name, type, offset, size;
};

static int read_shdr(const uint8_t *b, size_t len, uint64_t at, struct elf_sec *s)
{
	bool ok = get_le32(b, len, at, &s->name) && get_le32(b, len, at + 4, &s->type) &&
		  get_le32(b, len, at + 16, &s->offset) && get_le32(b, len, at + 20, &s->size);
	return ok ? 0 : -1;
}

/* The section's bytes lie inside the file (a NOBITS section has none). */
static bool sec_in_file(const struct elf_sec *s, size_t len)
{
	return s->type != SHT_NOBITS && unifw_in_bounds(len, s->offset, s->size);
}

/* Section name i of the name table: NUL-terminated inside it, else NULL. */
static const char *sec_name(const uint8_t *b, const struct elf_sec *strtab, uint32_t off)
{
	if (off >= strtab->size)
		return NULL;
	const char *p = (const char *)b + strtab->offset + off;
	return memchr(p, 0, strtab->size - off) ? p : NULL;
}

struct elf_view {
	uint32_t shoff;
	uint16_t shentsize, shnum, shstrndx;
};

static int elf_header(const uint8_t *b, size_t len, const char *name, struct elf_view *v, struct unifw_error *err)
{
	if (len < ELF32_EHDR_SIZE)
		return unifw_error_set(err, UNIFW_E_TRUNCATED, name, 0, "%zu bytes: shorter than an ELF32 header", len);
	if (memcmp(b, "\x7f" "ELF", 4) != 0)
		return unifw_error_set(err, UNIFW_E_FORMAT, name, 0, "no ELF magic: not a kernel module");
	if (b[EI_CLASS] != ELFCLASS32 || b[EI_DATA] != ELFDATA2LSB)
		return unifw_error_set(err, UNIFW_E_FORMAT, name, EI_CLASS,
				       "ELF class %u, data %u: an ARM kernel module is ELF32 little-endian", b[EI_CLASS],
				       b[EI_DATA]);
	v->shoff = le32_at(b, len, 0x20);
	v->shentsize = le16_at(b, len, 0x2E);
	v->shnum = le16_at(b, len, 0x30);
	v->shstrndx = le16_at(b, len, 0x32);
	if (v->shentsize < ELF32_SHDR_SIZE || !v->shnum || v->shstrndx >= v->shnum)
		return unifw_error_set(err, UNIFW_E_FORMAT, name, 0x2E,
				       "section headers: entry size %u, %u entries, name table %u", v->shentsize, v->shnum,
				       v->shstrndx);
	if (!unifw_in_bounds(len, v->shoff, (uint64_t)v->shnum * v->shentsize))
		return unifw_error_set(err, UNIFW_E_TRUNCATED, name, v->shoff,
				       "%u section headers of %u bytes run past the end (%zu bytes)", v->shnum,
				       v->shentsize, len);
	return 0;
}

/* The ".modinfo" section, found by name like the kernel's find_sec. */
static int find_modinfo(const uint8_t *b, size_t len, const char *name, const struct elf_view *v, struct elf_sec *out,
			struct unifw_error *err)
{
	struct elf_sec strtab;
	if (read_shdr(b, len, v->shoff + (uint64_t)v->shstrndx * v->shentsize, &strtab) != 0 ||
	    !sec_in_file(&strtab, len))
		return unifw_error_set(err, UNIFW_E_TRUNCATED, name, v->shoff, "the section-name table lies past the end");
	for (uint16_t i = 1; i < v->shnum; i++) {
		struct elf_sec s;
		uint64_t at = v->shoff + (uint64_t)i * v->shentsize;
		if (read_shdr(b, len, at, &s) != 0)
			return unifw_error_set(err, UNIFW_E_TRUNCATED, name, at, "section header %u past the end", i);
		const char *n = sec_name(b, &strtab, s.name);
		if (!n || strcmp(n, ".modinfo"))
			continue;
		if (!sec_in_file(&s, len))
			return unifw_error_set(err, UNIFW_E_TRUNCATED, name, s.offset,
					       ".modinfo (0x%x bytes at 0x%x) runs past the end (%zu bytes)", s.size,
					       s.offset, len);
		*out = s;
		return 0;
	}
	return unifw_error_set(err, UNIFW_E_FORMAT, name, v->shoff, "no .modinfo section: not a kernel module");
}

int unifw_kmod_vermagic(const uint8_t *buf, size_t len, const char *name, char out[UNIFW_KMOD_VERMAGIC_MAX],
			struct unifw_error *err)
{
	struct elf_view v = { 0 };
	struct elf_sec mi = { 0 };
	out[0] = '\0';
	int rc = elf_header(buf, len, name, &v, err);
	if (rc == 0)
		rc = find_modinfo(buf, len, name, &v, &mi, err);
	if (rc)
		return rc;
	const char *p = (const char *)buf + mi.offset;
	const size_t tag = strlen(MODINFO_TAG);
	/* get_modinfo: each string that starts after a NUL (or at the section start) */
	for (size_t i = 0; i < mi.size; i++) {
		if ((i && p[i - 1]) || mi.size - i < tag || memcmp(p + i, MODINFO_TAG, tag))
			continue;
		const char *val = p + i + tag;
		const char *end = memchr(val, 0, mi.size - i - tag);
		if (!end)
			return unifw_error_set(err, UNIFW_E_FORMAT, name, mi.offset + i, "vermagic without its NUL");
		if ((size_t)(end - val) >= UNIFW_KMOD_VERMAGIC_MAX)
			return unifw_error_set(err, UNIFW_E_FORMAT, name, mi.offset + i, "vermagic of %zu bytes (at most %u)",
					       (size_t)(end - val), UNIFW_KMOD_VERMAGIC_MAX - 1);
		memcpy(out, val, (size_t)(end - val) + 1);
		return 0;
	}
	return unifw_error_set(err, UNIFW_E_FORMAT, name, mi.offset, ".modinfo holds no vermagic");
}

bool unifw_kmod_release_matches(const char *vermagic, const char *kernel_version)
{
	size_t a = strcspn(vermagic, " "), b = strcspn(kernel_version, " ");
	return a && a == b && !memcmp(vermagic, kernel_version, a);
}
