/* The address map the BROM's READ/WRITE16/32 and the DA's READ/WRITE_REG32 see.
 *   0x02000000 +256 KiB  SRAM (where SEND_DA puts DA1), read/write, little-endian like the ARM core
 *   0x08000000 +0x10     devinfo: HW_VER +0, SW_VER +4, HW_CODE +8, SUBCODE +0xC (read-only)
 *   0x10000000 - 0x1FFFFFFF  peripheral registers (WDT_MODE at 0x10007000, misc_lock, ...)
 * Anything else answers INVALID_ADDRESS (0x1D02), as do unaligned addresses. */
#include "dev_internal.h"

#include <string.h>

#include "util/bytes.h"

#define DEVINFO_LEN 0x10u
#define MMIO_BASE 0x10000000u
#define MMIO_END 0x20000000u
#define MAX_VALUES 0x10000u /* values per command: the sim's answer is built in memory */

struct region {
	uint32_t base;
	uint64_t end;
};

static bool region_of(uint32_t addr, struct region *r)
{
	static const struct region map[] = {
		{ SIM_SRAM_BASE, (uint64_t)SIM_SRAM_BASE + SIM_SRAM_SIZE },
		{ SIM_DEVINFO_BASE, (uint64_t)SIM_DEVINFO_BASE + DEVINFO_LEN },
		{ MMIO_BASE, MMIO_END },
	};
	for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
		if (addr >= map[i].base && addr < map[i].end) {
			*r = map[i];
			return true;
		}
	return false;
}

uint16_t regs_check(const struct sim_dev *d, uint32_t addr, uint32_t count, unsigned width)
{
	(void)d;
	uint32_t unit = width / 8;
	struct region r;
	if (addr % unit || !region_of(addr, &r) || count > MAX_VALUES)
		return SIM_BROM_INVALID_ADDRESS;
	if ((uint64_t)addr + (uint64_t)count * unit > r.end)
		return SIM_BROM_INVALID_ADDRESS;
	return SIM_BROM_OK;
}

static uint32_t devinfo_word(const struct sim_dev *d, uint32_t off)
{
	const struct sim_personality *p = &d->cfg.pers;
	switch (off / 4) {
	case 0: return p->hw_ver;
	case 1: return p->sw_ver;
	case 2: return p->hw_code;
	default: return p->hw_subcode;
	}
}

static int reg_slot(const struct sim_regfile *rf, uint32_t addr)
{
	for (size_t i = 0; i < rf->n; i++)
		if (rf->addr[i] == addr)
			return (int)i;
	return -1;
}

static uint32_t mmio_read32(const struct sim_dev *d, uint32_t addr)
{
	if (addr == SIM_MT6572_WDT)
		return d->wdt_mode;
	int i = reg_slot(&d->regs, addr);
	return i < 0 ? 0 : d->regs.val[i];
}

static void mmio_store(struct sim_dev *d, uint32_t addr, uint32_t v)
{
	int i = reg_slot(&d->regs, addr);
	if (i < 0) {
		if (d->regs.n == SIM_REG_SLOTS) {
			dev_trace(d, "REG", '!', "register file full: write to 0x%08x dropped", addr);
			return;
		}
		i = (int)d->regs.n++;
		d->regs.addr[i] = addr;
	}
	d->regs.val[i] = v;
}

/* WDT_MODE takes a write only with the key 0x22 in its top byte; bit0 enables the watchdog. */
static void wdt_write(struct sim_dev *d, uint32_t v, unsigned width)
{
	if (width != 32 || (v & SIM_WDT_KEY_MASK) != SIM_WDT_KEY) {
		dev_trace(d, "REG", '!', "WDT_MODE write 0x%08x without the 0x22 key: ignored by the hardware", v);
		return;
	}
	d->wdt_mode = v & ~SIM_WDT_KEY_MASK;
	d->wdt_disabled = !(v & 1);
	dev_trace(d, "REG", '!', "watchdog %s (WDT_MODE=0x%08x)", d->wdt_disabled ? "disabled" : "enabled", v);
}

uint32_t regs_read(struct sim_dev *d, uint32_t addr, unsigned width)
{
	uint32_t word, aligned = addr & ~3u;
	if (addr >= SIM_SRAM_BASE && addr - SIM_SRAM_BASE < SIM_SRAM_SIZE) {
		uint32_t off = aligned - SIM_SRAM_BASE;
		word = (uint32_t)d->sram[off] | (uint32_t)d->sram[off + 1] << 8 | (uint32_t)d->sram[off + 2] << 16 |
		       (uint32_t)d->sram[off + 3] << 24;
	} else if (addr >= SIM_DEVINFO_BASE && addr - SIM_DEVINFO_BASE < DEVINFO_LEN) {
		word = devinfo_word(d, aligned - SIM_DEVINFO_BASE);
	} else {
		word = mmio_read32(d, aligned);
	}
	if (width == 32)
		return word;
	return (word >> ((addr & 2) * 8)) & 0xFFFF;
}

void regs_write(struct sim_dev *d, uint32_t addr, unsigned width, uint32_t v)
{
	uint32_t aligned = addr & ~3u;
	if (addr >= SIM_SRAM_BASE && addr - SIM_SRAM_BASE < SIM_SRAM_SIZE) {
		uint8_t b[4];
		put_le32(b, v);
		memcpy(d->sram + (addr - SIM_SRAM_BASE), b, width / 8);
		return;
	}
	if (addr >= SIM_DEVINFO_BASE && addr - SIM_DEVINFO_BASE < DEVINFO_LEN) {
		dev_trace(d, "REG", '!', "write to read-only devinfo 0x%08x ignored", addr);
		return;
	}
	if (aligned == SIM_MT6572_WDT) {
		wdt_write(d, v, width);
		return;
	}
	if (width == 16) {
		unsigned shift = (addr & 2) * 8;
		uint32_t old = mmio_read32(d, aligned);
		v = (old & ~(0xFFFFu << shift)) | (v & 0xFFFF) << shift;
	}
	mmio_store(d, aligned, v);
}
