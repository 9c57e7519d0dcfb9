/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file msidom.h
 * @brief libmsidom umbrella header: per-device MSI domains for VMMs,
 * hypervisors and firmware.
 */
#ifndef LIBMSIDOM_MSIDOM_H
#define LIBMSIDOM_MSIDOM_H

#include <libmsidom/common.h>
#include <libmsidom/context.h>
#include <libmsidom/desc.h>
#include <libmsidom/device.h>
#include <libmsidom/domain.h>
#include <libmsidom/dump.h>
#include <libmsidom/error.h>
#include <libmsidom/ims.h>
#include <libmsidom/irq.h>
#include <libmsidom/msi.h>
#include <libmsidom/pool.h>
#include <libmsidom/version.h>

#endif
