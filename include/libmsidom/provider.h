/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file provider.h
 * @brief Umbrella header for domain implementers: everything of
 * msidom.h, plus domain and chip ops, the per-level irq data, per-device
 * domain templates, the context's allocator, log and lock, and a bitmap
 * area search for entry tables.
 *
 * Drivers and VMMs that only allocate, mask, move and dispatch vectors
 * need msidom.h alone. The backends of this library are built against
 * this header and the public ones only.
 */
#ifndef LIBMSIDOM_PROVIDER_H
#define LIBMSIDOM_PROVIDER_H

#include <libmsidom/msidom.h>
#include <libmsidom/provider/bitmap.h>
#include <libmsidom/provider/context.h>
#include <libmsidom/provider/domain.h>
#include <libmsidom/provider/irq_data.h>
#include <libmsidom/provider/opts.h>
#include <libmsidom/provider/template.h>

#endif
