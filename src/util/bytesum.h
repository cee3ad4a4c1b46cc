/* 16-bit sum of bytes: the legacy DA's READ/WRITE packet checksum (and its EMI blob answer). One copy
 * for the host protocol (unifw_da_bytesum) and the virtual phone (unifw-sim), which both sum every byte
 * of a backup or flash. */
#ifndef UNIFW_UTIL_BYTESUM_H
#define UNIFW_UTIL_BYTESUM_H

#include <stddef.h>
#include <stdint.h>

/* start + p[0] + ... + p[n-1], modulo 2^16 (so a sum can be carried over several pieces). */
uint16_t unifw_bytesum16(const uint8_t *p, size_t n, uint16_t start);

#endif
