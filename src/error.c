/* SPDX-License-Identifier: BSD-2-Clause */
#include "internal.h"

MSIDOM_API const char *msidom_strerror(int err)
{
	/* Unsigned, so that INT_MIN has a magnitude too. */
	unsigned int e = err < 0 ? 0u - (unsigned int)err : (unsigned int)err;

	switch (e) {
	case 0: return "Success";
	case MSIDOM_EPERM: return "Operation not permitted (MSI not isolated?)";
	case MSIDOM_ENOENT: return "No such index, virq or object";
	case MSIDOM_EIO: return "Hardware access failed or not enabled";
	case MSIDOM_EBADF: return "Bad file descriptor";
	case MSIDOM_EAGAIN: return "Try again";
	case MSIDOM_ENOMEM: return "Out of memory";
	case MSIDOM_EBUSY: return "Still in use";
	case MSIDOM_EEXIST: return "Index already in use";
	case MSIDOM_ENODEV: return "No such device or capability";
	case MSIDOM_EINVAL: return "Invalid argument";
	case MSIDOM_EMFILE: return "Too many open files";
	case MSIDOM_ENOSPC: return "No free vector, entry or index";
	case MSIDOM_ERANGE: return "Index outside the domain";
	case MSIDOM_ENOSYS: return "Operation not provided by the domain";
	case MSIDOM_EOPNOTSUPP: return "Not supported";
	case MSIDOM_EDQUOT: return "Quota exceeded";
	default: return "Unknown error";
	}
}
