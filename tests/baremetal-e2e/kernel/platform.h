/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef E2E_PLATFORM_H
#define E2E_PLATFORM_H

#include <libmsidom/baremetal.h>

#include "kernel.h"

/* The hooks handed to the library, and what they saw. */
struct e2e_platform {
	struct msidom_bm_platform hooks;
	struct vtd *vtd;
	uint32_t cfg_reads, cfg_writes;
	uint32_t mmio_reads, mmio_writes, mmio_bad;
	uint32_t barriers;
	uint32_t invalidations, inval_bad;
};

void e2e_platform_init(struct e2e_platform *p, struct vtd *v);

#endif
