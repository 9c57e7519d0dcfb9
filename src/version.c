/* SPDX-License-Identifier: BSD-2-Clause */
#include "internal.h"

MSIDOM_API const char *msidom_version(void)
{
	return MSIDOM_VERSION_STRING;
}

MSIDOM_API uint32_t msidom_version_number(void)
{
	return MSIDOM_VERSION;
}
