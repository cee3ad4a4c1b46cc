/* unifw — sans-io host side of the MediaTek BootROM / preloader download protocol (MT6572).
 *
 * Wire rules (docs/protocol.md, docs/transport.md): multi-byte fields are big-endian;
 * every command byte and every u32 argument is echoed by the device and the echo is checked;
 * status words are u16 with 0 = OK (anything above 0xFF is an error; docs/transport.md).
 * Begin an operation with unifw_brom_begin_*(), drive it with the step interface (proto.h) or
 * unifw_session_run(), then read the results from unifw_brom_info(). One operation at a time. */
#ifndef UNIFW_BROM_H
#define UNIFW_BROM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "unifw/chip.h"
#include "unifw/error.h"
#include "unifw/proto.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Command bytes. */
enum {
	UNIFW_BROM_CMD_READ16 = 0xD0,
	UNIFW_BROM_CMD_READ32 = 0xD1,
	UNIFW_BROM_CMD_WRITE16 = 0xD2,
	UNIFW_BROM_CMD_WRITE32 = 0xD4,
	UNIFW_BROM_CMD_JUMP_DA = 0xD5,
	UNIFW_BROM_CMD_SEND_DA = 0xD7,
	UNIFW_BROM_CMD_GET_TARGET_CONFIG = 0xD8,
	UNIFW_BROM_CMD_GET_ME_ID = 0xE1,
	UNIFW_BROM_CMD_GET_SOC_ID = 0xE7,
	UNIFW_BROM_CMD_GET_HW_SW_VER = 0xFC,
	UNIFW_BROM_CMD_GET_HW_CODE = 0xFD,
	UNIFW_BROM_CMD_GET_BL_VER = 0xFE,
	UNIFW_BROM_CMD_GET_VERSION = 0xFF,
};

#define UNIFW_BROM_STATUS_SLA_REQUIRED 0x1D0D
#define UNIFW_BROM_MAX_WORDS 64         /* READ32/WRITE32 words per operation */
#define UNIFW_BROM_MAX_ME_ID 64         /* an ME ID is 16 bytes; anything above 64 is hostile */
#define UNIFW_BROM_MAX_DA_SIZE (8u << 20) /* a DA stage 1 is ~100 KiB; refuse absurd uploads */

enum unifw_brom_mode {
	UNIFW_BROM_MODE_UNKNOWN = 0,
	UNIFW_BROM_MODE_BROM,      /* the BootROM: echoes GET_BL_VER (FE) */
	UNIFW_BROM_MODE_PRELOADER, /* the preloader: answers FE with its version byte */
};

/* Target config bits (GET_TARGET_CONFIG, docs/protocol.md "BROM / preloader commands"). */
#define UNIFW_BROM_CFG_SBC 0x1u   /* secure boot */
#define UNIFW_BROM_CFG_SLA 0x2u   /* serial link authorization */
#define UNIFW_BROM_CFG_DAA 0x4u   /* download agent authentication */
#define UNIFW_BROM_CFG_EPP 0x8u
#define UNIFW_BROM_CFG_CERT 0x10u
#define UNIFW_BROM_CFG_MEMREAD 0x20u
#define UNIFW_BROM_CFG_MEMWRITE 0x40u
#define UNIFW_BROM_CFG_CMD_C8 0x80u

/* Everything the device told us so far. */
struct unifw_brom_info {
	bool handshake_done;
	unsigned handshake_attempts;   /* how many times the A0 0A 50 05 sequence was (re)started */
	enum unifw_brom_mode mode;
	bool have_bl_ver;
	uint8_t bl_ver;                /* the GET_BL_VER answer (0xFE = BROM) */
	bool have_brom_ver;
	uint8_t brom_ver;              /* GET_VERSION; a preloader echoes FF instead (have_brom_ver false) */
	bool have_hw_code;
	uint16_t hw_code;
	bool have_hw_sw_ver;
	uint16_t hw_subcode, hw_ver, sw_ver;
	bool have_target_config;
	uint32_t target_config;
	bool sbc, sla, daa;            /* decoded from target_config */
	size_t me_id_len;              /* 0 = not read */
	uint8_t me_id[UNIFW_BROM_MAX_ME_ID];
	uint16_t last_status;          /* status word of the last command */
	/* READ32 results */
	size_t words;
	uint32_t word[UNIFW_BROM_MAX_WORDS];
	/* SEND_DA */
	uint16_t da_checksum_host, da_checksum_device;
};

struct unifw_brom;

/* A new core (NULL on allocation failure). Free with unifw_brom_free. */
struct unifw_brom *unifw_brom_new(void);
void unifw_brom_free(struct unifw_brom *b);
/* Its step engine, for unifw_session_run / unifw_proto_* calls. */
struct unifw_proto *unifw_brom_proto(struct unifw_brom *b);
const struct unifw_brom_info *unifw_brom_info(const struct unifw_brom *b);

struct unifw_brom_handshake_opts {
	unsigned byte_timeout_ms; /* per handshake byte (0 = 100 ms; the device answers in microseconds) */
	unsigned max_attempts;    /* restarts of the sequence before giving up (0 = 50) */
};
/* A0 0A 50 05, one byte at a time, each answered by its complement. A wrong answer or a timeout
 * drains whatever the device still sends and restarts from A0. */
int unifw_brom_begin_handshake(struct unifw_brom *b, const struct unifw_brom_handshake_opts *opts);
int unifw_brom_begin_get_hw_code(struct unifw_brom *b);
int unifw_brom_begin_get_hw_sw_ver(struct unifw_brom *b);
/* Tells BROM (echoes FE) from preloader (answers its version); sets info.mode. */
int unifw_brom_begin_get_bl_ver(struct unifw_brom *b);
int unifw_brom_begin_get_version(struct unifw_brom *b);
int unifw_brom_begin_get_target_config(struct unifw_brom *b);
/* BROM only (the MT6572 preloader lacks E1): refused with UNIFW_E_UNSUPPORTED before any byte is
 * sent when get_bl_ver has not established BROM mode. */
int unifw_brom_begin_get_me_id(struct unifw_brom *b);
int unifw_brom_begin_read32(struct unifw_brom *b, uint32_t addr, size_t count);
int unifw_brom_begin_write32(struct unifw_brom *b, uint32_t addr, const uint32_t *values, size_t count);
/* WRITE32 of the chip's watchdog register with its disable value (MT6572: 0x10007000 = 0x22000064). */
int unifw_brom_begin_disable_watchdog(struct unifw_brom *b, const struct unifw_chip *chip);
/* Upload data[0..len) (signature included in len, sig_len of it at the end) to addr. The caller
 * keeps data alive until DONE. The host's XOR checksum is compared with the device's. */
int unifw_brom_begin_send_da(struct unifw_brom *b, uint32_t addr, const uint8_t *data, size_t len,
			     uint32_t sig_len);
int unifw_brom_begin_jump_da(struct unifw_brom *b, uint32_t addr);

/* SEND_DA checksum: XOR of the 16-bit little-endian words of data; an odd trailing byte is XORed
 * in as the low byte. */
uint16_t unifw_brom_da_checksum(const uint8_t *data, size_t len);
const char *unifw_brom_mode_name(enum unifw_brom_mode mode);

#ifdef __cplusplus
}
#endif
#endif
