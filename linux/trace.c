// SPDX-License-Identifier: GPL-2.0
/* The one file that instantiates subzero's tracepoints (linux/subzero_trace.h). */
#include <linux/string.h>

#define CREATE_TRACE_POINTS
#include "subzero_trace.h"
