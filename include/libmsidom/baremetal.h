/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file baremetal.h
 * @brief Umbrella header of the bare-metal backend: platform hooks, x86
 * vector domain, VT-d interrupt remapping, doorbell root and PCI MSI/MSI-X
 * device domains.
 */
#ifndef LIBMSIDOM_BAREMETAL_H
#define LIBMSIDOM_BAREMETAL_H

#include <libmsidom/msidom.h>
#include <libmsidom/bm_platform.h>
#include <libmsidom/bm_x86.h>
#include <libmsidom/bm_vtd.h>
#include <libmsidom/bm_doorbell.h>
#include <libmsidom/bm_pci.h>

#endif
