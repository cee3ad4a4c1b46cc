/* unifw identify: the universal probe record from the phone's USRDATA (src/ops/identify_probe.c). */
#ifndef UNIFW_OPS_IDENTIFY_PROBE_H
#define UNIFW_OPS_IDENTIFY_PROBE_H

#include "unifw/identify.h"
#include "unifw/json.h"
#include "unifw/phone.h"

/* Adds report.universal_probe when USRDATA holds /unifw/probe.txt (docs/identify.md): the record, or
 * {"error": why} when it cannot be read or parsed. Nothing when absent; never fails. */
void ops_identify_probe(struct unifw_phone *ph, const struct unifw_phone_layout *l, struct unifw_jv *report);

#endif
