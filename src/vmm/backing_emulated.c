/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Emulated backing: no host resource at all. The VMM raises the vector
 * with msidom_vmm_fire(); live vectors go straight to deliver.
 */
#include "vmm_internal.h"

const struct vmm_backing_ops msidom__vmm_emulated_ops = {
	.name = "emulated",
};
