/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file bm_vtd.h
 * @brief Intel VT-d interrupt remapping domain over a caller-provided
 * interrupt remapping table (IRT).
 *
 * The domain sits on an x86 vector domain (msidom_bm_x86_vector_domain_create()).
 * Its hwirq is the IRTE index. Each interrupt gets one IRTE; multi-message
 * MSI gets a naturally aligned power-of-two block. Entries are written
 * when an interrupt is activated: the upper 64 bits (source validation)
 * first, a barrier, then the lower 64 bits with the present bit (or the
 * whole entry through the platform's store128 hook), then the platform's
 * irte_invalidate hook. An affinity change rewrites only the lower half,
 * with one 64-bit store, so the live entry is never half-written.
 * Deactivation clears the present bit first.
 *
 * Devices write remappable-format messages: address 0xFEE | handle
 * (index bits 14:0 in address bits 19:5, bit 15 in address bit 2) |
 * format bit 4 | SHV bit 3, data = subhandle 0 (multi-message MSI devices
 * add their vector number to it). The message never changes on affinity
 * changes. The domain is flagged MSIDOM_DOMAIN_ISOLATED_MSI,
 * MSIDOM_DOMAIN_IMMUTABLE and MSIDOM_DOMAIN_MSI_PARENT, and names its
 * device domains "IR-<template>-<device>".
 *
 * The caller programs the IOMMU itself (IRTA from
 * msidom_bm_vtd_irta_value(), queued invalidation, global IRE) and keeps the
 * table memory alive and untouched while the domain exists.
 * Destroy the domain with msidom_domain_destroy().
 */
#ifndef LIBMSIDOM_BM_VTD_H
#define LIBMSIDOM_BM_VTD_H

#include <libmsidom/common.h>
#include <libmsidom/bm_platform.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Most entries of one remapping table. */
#define MSIDOM_BM_VTD_MAX_ENTRIES 65536u

/** @name IRTE lower 64 bits (remapped format)
 * @{ */
#define MSIDOM_BM_IRTE_P            (1ull << 0)  /**< Present. */
#define MSIDOM_BM_IRTE_FPD          (1ull << 1)  /**< Fault processing disable. */
#define MSIDOM_BM_IRTE_DM           (1ull << 2)  /**< Destination mode: 1 logical. */
#define MSIDOM_BM_IRTE_RH           (1ull << 3)  /**< Redirection hint. */
#define MSIDOM_BM_IRTE_TM           (1ull << 4)  /**< Trigger mode: 1 level. */
#define MSIDOM_BM_IRTE_DLM_SHIFT    5            /**< Delivery mode, bits 7:5. */
#define MSIDOM_BM_IRTE_IM           (1ull << 15) /**< IRTE mode: 1 posted. */
#define MSIDOM_BM_IRTE_VECTOR_SHIFT 16           /**< Vector, bits 23:16. */
#define MSIDOM_BM_IRTE_DST_SHIFT    32           /**< Destination id, bits 63:32. */
/** @} */

/** @name IRTE upper 64 bits
 * @{ */
#define MSIDOM_BM_IRTE_SID_MASK  0xffffull    /**< Source id (requester id), bits 15:0. */
#define MSIDOM_BM_IRTE_SQ_SHIFT  16           /**< Source-id qualifier, bits 17:16. */
#define MSIDOM_BM_IRTE_SVT_SHIFT 18           /**< Source validation type, bits 19:18. */
#define MSIDOM_BM_IRTE_SVT_RID   (1ull << 18) /**< SVT 01: verify requester id. */
/** @} */

/** @brief Configuration of a VT-d interrupt remapping domain. */
struct msidom_bm_vtd_ir_config {
	/** sizeof(struct msidom_bm_vtd_ir_config): see MSIDOM_OPTS(). */
	size_t sz;
	/** Domain name, copied; NULL for "INTEL-IR". */
	const char *name;
	/**
	 * The table: @p entries 16-byte entries, 16-byte aligned (the IOMMU
	 * needs its physical address 4 KiB aligned). The library zeroes it
	 * at creation and then owns it.
	 */
	void *table;
	/** Number of entries: a power of two, 2 .. MSIDOM_BM_VTD_MAX_ENTRIES. */
	uint32_t entries;
	/**
	 * The IOMMU runs in x2APIC mode (IRTA.EIME = 1): the destination id
	 * is the full 32-bit APIC id. Otherwise (xAPIC mode) it sits in bits
	 * 15:8 of the field and APIC ids above 255 are rejected.
	 */
	bool x2apic;
	/**
	 * Set source validation (SVT = 01, SQ = 00, SID = the device's
	 * requester id from msidom_device_create()) in every entry.
	 */
	bool source_validation;
	/**
	 * Set fault processing disable in every entry (suppresses fault
	 * reports for this entry).
	 */
	bool fault_disable;
	/** Platform hooks (barrier, store128, irte_invalidate); borrowed. */
	const struct msidom_bm_platform *platform;
};

/**
 * @brief Create a VT-d interrupt remapping domain on an x86 vector domain.
 * @param ctx Context.
 * @param cfg Configuration.
 * @param parent The x86 vector domain the entries point at.
 * @param[out] out The new domain.
 * @return 0, -EINVAL (bad size or alignment, parent not an x86 vector
 * domain, NULL platform), -ENOMEM.
 */
MSIDOM_API int msidom_bm_vtd_ir_domain_create(struct msidom_ctx *ctx,
					      const struct msidom_bm_vtd_ir_config *cfg,
					      struct msidom_domain *parent,
					      struct msidom_domain **out);

/**
 * @brief Number of remapping table entries in use.
 * @param d A VT-d remapping domain.
 * @return The count, or -EINVAL.
 */
MSIDOM_API int msidom_bm_vtd_ir_used(struct msidom_domain *d);

/**
 * @brief The value of the IOMMU's Interrupt Remapping Table Address
 * register for a table at physical address @p table_phys.
 * @param table_phys Physical address, 4 KiB aligned.
 * @param entries Power of two, 2 .. MSIDOM_BM_VTD_MAX_ENTRIES.
 * @param x2apic Set EIME (x2APIC mode destination ids).
 * @return The register value, or 0 for bad arguments.
 */
MSIDOM_API uint64_t msidom_bm_vtd_irta_value(uint64_t table_phys, uint32_t entries, bool x2apic);

#ifdef __cplusplus
}
#endif

#endif
