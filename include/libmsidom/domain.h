/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file domain.h
 * @brief Interrupt domains as their users see them: identity, hierarchy
 * and batches.
 *
 * A domain translates the interrupts of its children into its own hardware
 * interrupt numbers (hwirq). Domains stack: a root (an x86 vector domain,
 * a VFIO eventfd root) optionally below a remapping domain, below
 * per-device MSI domains. Allocation runs root first; freeing runs from the
 * device toward the root. Domains are created by the backends (or by a
 * domain implementation through <libmsidom/provider.h>).
 *
 * A free inside a caller's batch on a domain with bus_sync_unlock releases
 * the parents' resources (vectors, remapping entries) and the virq only at
 * the end of the batch, after its sync: until then the device may still
 * target them.
 */
#ifndef LIBMSIDOM_DOMAIN_H
#define LIBMSIDOM_DOMAIN_H

#include <libmsidom/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief What kind of bus or controller a domain serves. */
enum msidom_bus_token {
	MSIDOM_BUS_ANY = 0,     /**< Unspecified. */
	MSIDOM_BUS_VECTOR,      /**< CPU vector root (x86 vector domain). */
	MSIDOM_BUS_REMAP,       /**< Interrupt remapping (VT-d IR). */
	MSIDOM_BUS_DOORBELL,    /**< Doorbell root (GICv2m, IMSIC style). */
	MSIDOM_BUS_VFIO,        /**< Host eventfd root (Linux VFIO). */
	MSIDOM_BUS_GENERIC_MSI, /**< Parent of MSI device domains. */
	MSIDOM_BUS_PCI_MSI,     /**< Per-device PCI/MSI. */
	MSIDOM_BUS_PCI_MSIX,    /**< Per-device PCI/MSI-X. */
	MSIDOM_BUS_PCI_IMS,     /**< Per-device PCI/IMS. */
	MSIDOM_BUS_VIRT,        /**< Virtual (guest-facing) device. */
};

/** @brief Domain flags. */
enum msidom_domain_flags {
	/** Parent of per-device MSI domains. */
	MSIDOM_DOMAIN_MSI_PARENT = 1u << 0,
	/** A per-device domain (set by msidom_device_domain_create()). */
	MSIDOM_DOMAIN_DEVICE = 1u << 1,
	/** Interrupt remapping or equivalent isolation is present. */
	MSIDOM_DOMAIN_ISOLATED_MSI = 1u << 2,
	/** The composed message never changes on affinity changes. */
	MSIDOM_DOMAIN_IMMUTABLE = 1u << 3,
	/** Range allocations need one contiguous, aligned block (multi-MSI). */
	MSIDOM_DOMAIN_CONTIGUOUS = 1u << 4,
	/**
	 * The storage relies on a vector being masked before it is freed
	 * (IMS). The core masks every unmasked vector before freeing it on
	 * any domain, so this flag only records the need (shown in the dump).
	 */
	MSIDOM_DOMAIN_MASK_ON_FREE = 1u << 5,
};

/**
 * @brief Destroy a domain that has no children and no interrupts.
 * @param d The domain; not a per-device domain (see
 * msidom_device_domain_destroy()).
 * @return 0, -EINVAL, -EBUSY (children, live interrupts or an open batch).
 */
MSIDOM_API int msidom_domain_destroy(struct msidom_domain *d);

/**
 * @brief The domain's name.
 * @param d The domain.
 * @return The name, or NULL if @p d is NULL.
 */
MSIDOM_API const char *msidom_domain_name(const struct msidom_domain *d);
/**
 * @brief The domain's parent.
 * @param d The domain.
 * @return The parent, or NULL for a root (or a NULL @p d).
 */
MSIDOM_API struct msidom_domain *msidom_domain_parent(const struct msidom_domain *d);
/**
 * @brief The domain's MSIDOM_DOMAIN_* flags.
 * @param d The domain.
 * @return The flags, or 0 if @p d is NULL.
 */
MSIDOM_API uint32_t msidom_domain_flags(const struct msidom_domain *d);
/**
 * @brief The domain's bus token.
 * @param d The domain.
 * @return The bus token, or MSIDOM_BUS_ANY if @p d is NULL.
 */
MSIDOM_API enum msidom_bus_token msidom_domain_bus(const struct msidom_domain *d);
/**
 * @brief The domain's hwirq space size.
 * @param d The domain.
 * @return The size, or 0 if @p d is NULL.
 */
MSIDOM_API uint32_t msidom_domain_hwsize(const struct msidom_domain *d);
/**
 * @brief The context owning the domain.
 * @param d The domain.
 * @return The context, or NULL if @p d is NULL.
 */
MSIDOM_API struct msidom_ctx *msidom_domain_ctx(const struct msidom_domain *d);
/**
 * @brief The device of a per-device domain.
 * @param d The domain.
 * @return The device, or NULL (not a per-device domain, or NULL @p d).
 */
MSIDOM_API struct msidom_device *msidom_domain_device(const struct msidom_domain *d);
/**
 * @brief Number of interrupts mapped in the domain's reverse map.
 * @param d The domain.
 * @return The count, or 0 if @p d is NULL.
 */
MSIDOM_API uint32_t msidom_domain_mapped(const struct msidom_domain *d);

/**
 * @brief Number of msidom_handle() calls that found no handler.
 * @param d The domain.
 * @return The count, or 0 if @p d is NULL.
 */
MSIDOM_API uint64_t msidom_domain_spurious(const struct msidom_domain *d);

/**
 * @brief Start a batch on a domain: its chip's bus_lock runs on the
 * outermost call, so the following updates may only be recorded.
 * Batches nest. Every single public operation on a device domain is
 * wrapped in a batch of its own as well.
 * @param d The domain.
 * @return 0, -EINVAL.
 */
MSIDOM_API int msidom_domain_batch_begin(struct msidom_domain *d);

/**
 * @brief End a batch: on the outermost call the chip's bus_sync_unlock
 * makes the recorded updates effective, in order, once.
 * @param d The domain.
 * @return 0, -EINVAL (NULL @p d or no batch open), or bus_sync_unlock's error.
 */
MSIDOM_API int msidom_domain_batch_end(struct msidom_domain *d);

#ifdef __cplusplus
}
#endif

#endif
