/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * VFIO backing when the library is built without the VFIO backend: every
 * attempt to choose it is refused up front.
 */
#include <libmsidom/error.h>

#include "vmm_internal.h"

static int vfio_none_check(struct msidom_vmm_fn *fn, const struct msidom_vmm_backing *b)
{
	(void)fn;
	(void)b;
	return -MSIDOM_EOPNOTSUPP;
}

const struct vmm_backing_ops msidom__vmm_vfio_ops = {
	.name = "vfio",
	.check = vfio_none_check,
};
