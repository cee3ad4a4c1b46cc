/* Identify a connected phone (include/unifw/identify.h): the eMMC CID decoded, the partition tables
 * read from the phone (PMT from the DA, MBR/EBR walked in the user area) merged into one layout and
 * confirmed by the signatures at each partition's start, all as JSON (docs/identify.md). */
#include "unifw/identify.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unifw/emi.h"
#include "unifw/hash.h"
#include "unifw/mbr.h"
#include "unifw/pmt.h"

/* --- CID --------------------------------------------------------------------------------------- */

uint8_t unifw_cid_crc7(const uint8_t *bytes, size_t n)
{
	uint8_t crc = 0;
	for (size_t i = 0; i < n; i++) {
		uint8_t b = bytes[i];
		for (int bit = 7; bit >= 0; bit--) {
			uint8_t in = (uint8_t)(((b >> bit) & 1) ^ ((crc >> 6) & 1));
			crc = (uint8_t)((crc << 1) & 0x7F);
			if (in)
				crc ^= 0x09;
		}
	}
	return crc;
}

void unifw_cid_decode(const uint8_t cid[16], struct unifw_cid *out)
{
	memset(out, 0, sizeof *out);
	out->mid = cid[0];
	out->manufacturer = unifw_emi_mid_name(cid[0]);
	out->cbx = cid[1] & 3;
	out->oid = cid[2];
	for (size_t i = 0; i < 6; i++) {
		uint8_t c = cid[3 + i];
		out->product[i] = (c >= 0x20 && c < 0x7F) ? (char)c : '?';
	}
	out->product[6] = 0;
	for (int i = 5; i >= 0 && (out->product[i] == ' '); i--)
		out->product[i] = 0;
	out->prv_major = cid[9] >> 4;
	out->prv_minor = cid[9] & 0xF;
	out->serial = (uint32_t)cid[10] << 24 | (uint32_t)cid[11] << 16 | (uint32_t)cid[12] << 8 | cid[13];
	out->month = cid[14] >> 4;
	out->year = 1997u + (cid[14] & 0xF);
	if (out->year < 2010)
		out->year += 16;
	out->crc = cid[15] >> 1;
	out->crc_ok = (cid[15] & 1) && unifw_cid_crc7(cid, 15) == out->crc;
}

void unifw_cid_to_json(const uint8_t cid[16], struct unifw_jv *obj)
{
	struct unifw_cid c;
	char hex[33], buf[32];
	unifw_cid_decode(cid, &c);
	unifw_hex(cid, 16, hex);
	unifw_jv_set_str(obj, "raw", hex);
	unifw_jv_set_hex(obj, "manufacturer_id", c.mid);
	unifw_jv_set_str(obj, "manufacturer", c.manufacturer ? c.manufacturer : "unknown");
	unifw_jv_set_uint(obj, "cbx", c.cbx);
	unifw_jv_set_hex(obj, "oem_id", c.oid);
	unifw_jv_set_str(obj, "product", c.product);
	snprintf(buf, sizeof buf, "%u.%u", c.prv_major, c.prv_minor);
	unifw_jv_set_str(obj, "revision", buf);
	unifw_jv_set_hex(obj, "serial", c.serial);
	if (c.month >= 1 && c.month <= 12)
		snprintf(buf, sizeof buf, "%04u-%02u", c.year, c.month);
	else
		snprintf(buf, sizeof buf, "%04u-??", c.year);
	unifw_jv_set_str(obj, "manufactured", buf);
	unifw_jv_set_bool(obj, "crc_ok", c.crc_ok);
}
