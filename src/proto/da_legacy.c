/* Host side of the legacy DA protocol as sans-io operations (see unifw/da_legacy.h): the core object,
 * its accessors, and the commands that are only a command byte, arguments and ACKs (one table, one
 * operation). Bringing the DA up is in da_boot.c, the commands with data in da_cmd.c.
 * Byte order of every exchange: docs/protocol.md "Legacy DA boot" and "Legacy DA commands", which
 * name the public implementations each exchange was checked against (upload_da1, set_stage2_config,
 * brom_send, read_flash_info, readflash, sdmmc_write_data, formatflash, read_pmt, finish; the
 * report 2 block layouts; sync, read, write, watchdog). */
#include "proto/da_internal.h"

#include <stdlib.h>
#include <string.h>

#include "util/bytes.h"
#include "util/bytesum.h"

struct unifw_da *unifw_da_new(void)
{
	struct unifw_da *da = calloc(1, sizeof *da);
	if (da)
		proto_init(&da->p, "da", da);
	return da;
}

void unifw_da_free(struct unifw_da *da)
{
	if (!da)
		return;
	free(da->buf);
	free(da->pmt);
	free(da);
}

struct unifw_proto *unifw_da_proto(struct unifw_da *da)
{
	return &da->p;
}

const struct unifw_da_info *unifw_da_info(const struct unifw_da *da)
{
	return &da->info;
}

const uint8_t *unifw_da_pmt(const struct unifw_da *da, size_t *len)
{
	*len = da->pmt_len;
	return da->pmt;
}

const char *unifw_da_storage_name(enum unifw_da_storage s)
{
	switch (s) {
	case UNIFW_DA_STORAGE_NAND: return "nand";
	case UNIFW_DA_STORAGE_EMMC: return "emmc";
	case UNIFW_DA_STORAGE_NOR: break;
	}
	return "nor";
}

uint16_t unifw_da_bytesum(const uint8_t *data, size_t len, uint16_t start)
{
	return unifw_bytesum16(data, len, start);
}

void unifw_da_stage2_defaults(struct unifw_da_stage2_config *cfg, uint8_t brom_ver, uint8_t bl_ver,
			      uint8_t bmt_flag, uint32_t bmt_partsize)
{
	*cfg = (struct unifw_da_stage2_config){
		.brom_ver = brom_ver,
		.bl_ver = bl_ver,
		.nor_cfg = 0x0008,
		.nor_chip_select = 0,
		.nand_acccon = 0x7007FFFF,
		.bmt_flag = bmt_flag,
		.bmt_partsize = bmt_partsize,
		.force_charge = 1,
		.reset_key = 1,
		.ext_clock = 2,
		.msdc_boot_ch = 0,
	};
}

int da_ensure_buf(struct unifw_da *da, size_t size)
{
	if (da->buf_cap >= size) /* callers checked that no operation runs: it may point into buf */
		return 0;
	uint8_t *nb = realloc(da->buf, size);
	if (!nb)
		return unifw_error_set(&da->p.err, UNIFW_E_NOMEM, "da", UNIFW_NO_OFFSET,
				       "cannot allocate a %zu-byte packet buffer", size);
	da->buf = nb;
	da->buf_cap = size;
	return 0;
}

/* ---- the command-ACK operations ---- */

/* The DA commands whose whole exchange is the command byte, its arguments and ACKs (5A), nothing else
 * coming back (docs/protocol.md "Legacy DA commands": USB_SETUP_PORT, SDMMC_SWITCH_PART, WRITE_REG32,
 * FINISH, ENABLE_WATCHDOG). One row each, run by one operation. Either the arguments go out with the command
 * and one ACK answers both, or the DA ACKs the command byte before it reads the arguments and then
 * ACKs them too. */
struct da_ack_cmd {
	const char *op;          /* the operation's name in errors */
	uint8_t cmd;
	uint8_t args_len;        /* bytes after the command byte (at most sizeof da->req - 1) */
	bool ack_before_args;    /* the DA ACKs the command byte on its own first */
	const char *send_what, *ack_what;      /* the first exchange */
	const char *args_what, *args_ack_what; /* the arguments, with ack_before_args */
	int (*check)(struct unifw_proto *p);   /* refuse arguments before any byte goes out (NULL: none) */
};

/* SDMMC_SWITCH_PART takes the eMMC partition numbers 1..8 (BOOT1 .. USER). */
static int check_emmc_part(struct unifw_proto *p)
{
	uint8_t part = da_of(p)->req[1];
	if (part < UNIFW_DA_PART_BOOT1 || part > UNIFW_DA_PART_USER)
		return proto_fail(p, UNIFW_E_INVALID, "eMMC partition %u (1..8 allowed)", part);
	return 0;
}

enum { ACK_USB_SETUP_PORT, ACK_SWITCH_PART, ACK_WRITE_REG32, ACK_ENABLE_WATCHDOG, ACK_FINISH };

static const struct da_ack_cmd da_ack_cmds[] = {
	/* 70 speed, ACK; the phone then re-enumerates */
	[ACK_USB_SETUP_PORT] = {"USB_SETUP_PORT", UNIFW_DA_CMD_USB_SETUP_PORT, 1, false, "command and speed", "ACK"},
	/* 60, ACK, partition, ACK */
	[ACK_SWITCH_PART] = {"SDMMC_SWITCH_PART", UNIFW_DA_CMD_SDMMC_SWITCH_PART, 1, true, "command",
			     "ACK of the command", "partition", "ACK of the partition", check_emmc_part},
	/* 7B addr value, ACK */
	[ACK_WRITE_REG32] = {"WRITE_REG32", UNIFW_DA_CMD_WRITE_REG32, 8, false, "command and arguments", "ACK"},
	/* DB timeout async bootup dlbit no_rtc_reset, ACK */
	[ACK_ENABLE_WATCHDOG] = {"ENABLE_WATCHDOG", UNIFW_DA_CMD_ENABLE_WATCHDOG, 8, false, "command and arguments",
				 "ACK"},
	/* D9, ACK, mode u32, ACK (docs/protocol.md "Legacy DA commands") */
	[ACK_FINISH] = {"FINISH", UNIFW_DA_CMD_FINISH, 4, true, "command", "ACK of the command", "mode",
			"ACK of the mode"},
};

static int op_command_ack(struct unifw_proto *p)
{
	struct unifw_da *da = da_of(p);
	const struct da_ack_cmd *c = da->ack_cmd;
	switch (p->pc) {
	case 0:
		if (c->check && c->check(p))
			return p->err.code;
		return proto_send(p, 1, da->req, c->ack_before_args ? 1 : da->req_len, c->send_what);
	case 1:
		return proto_recv(p, 2, 1, DA_TIMEOUT_MS, c->ack_what);
	case 2:
		if (expect_byte(p, UNIFW_DA_ACK, c->ack_what))
			return p->err.code;
		if (!c->ack_before_args)
			return proto_done(p);
		return proto_send(p, 3, da->req + 1, c->args_len, c->args_what);
	case 3:
		return proto_recv(p, 4, 1, DA_TIMEOUT_MS, c->args_ack_what);
	case 4:
		if (expect_byte(p, UNIFW_DA_ACK, c->args_ack_what))
			return p->err.code;
		return proto_done(p);
	}
	return proto_fail(p, UNIFW_E_INVALID, "internal: bad step");
}

static int begin_command_ack(struct unifw_da *da, unsigned id, const uint8_t *args)
{
	const struct da_ack_cmd *c = &da_ack_cmds[id];
	int idle = proto_check_idle(&da->p, c->op);
	if (idle)
		return idle;
	da->ack_cmd = c;
	da->req[0] = c->cmd;
	memcpy(da->req + 1, args, c->args_len);
	da->req_len = 1 + (size_t)c->args_len;
	return proto_begin(&da->p, c->op, op_command_ack);
}

/* USB_SETUP_PORT (1 = high speed): after the ACK the phone re-enumerates. */
int unifw_da_begin_usb_setup_port(struct unifw_da *da, uint8_t speed)
{
	return begin_command_ack(da, ACK_USB_SETUP_PORT, &speed);
}

int unifw_da_begin_switch_part(struct unifw_da *da, uint8_t part)
{
	return begin_command_ack(da, ACK_SWITCH_PART, &part);
}

int unifw_da_begin_write_reg32(struct unifw_da *da, uint32_t addr, uint32_t value)
{
	uint8_t a[8];
	put_be32(a, addr);
	put_be32(a + 4, value);
	return begin_command_ack(da, ACK_WRITE_REG32, a);
}

int unifw_da_begin_enable_watchdog(struct unifw_da *da, uint32_t timeout_ms, bool async, bool bootup, bool dlbit,
				   bool no_rtc_reset)
{
	uint8_t a[8];
	put_be32(a, timeout_ms);
	a[4] = async;
	a[5] = bootup;
	a[6] = dlbit;
	a[7] = no_rtc_reset;
	return begin_command_ack(da, ACK_ENABLE_WATCHDOG, a);
}

int unifw_da_begin_finish(struct unifw_da *da, uint32_t mode)
{
	uint8_t a[4];
	put_be32(a, mode);
	return begin_command_ack(da, ACK_FINISH, a);
}
