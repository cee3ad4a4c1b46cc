/* unifw port: placeholder of the session-7 skeleton; see include/unifw/port.h for what this file implements. */
#include "unifw/port.h"

typedef int unifw_port_boot_placeholder;
