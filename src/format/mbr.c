/* placeholder: being written */
#include "unifw/error.h"
