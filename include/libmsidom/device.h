/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file device.h
 * @brief Devices and their per-device MSI domains.
 *
 * A device owns domain slots: the default slot (PCI/MSI or PCI/MSI-X) and
 * a secondary slot (PCI/IMS). Both may be populated at once, each with its
 * own index space, usually under the same parent.
 */
#ifndef LIBMSIDOM_DEVICE_H
#define LIBMSIDOM_DEVICE_H

#include <libmsidom/common.h>
#include <libmsidom/domain.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Per-device domain slots. */
enum msidom_slot {
	MSIDOM_DEFAULT_DOMAIN = 0,   /**< PCI/MSI or PCI/MSI-X. */
	MSIDOM_SECONDARY_DOMAIN = 1, /**< PCI/IMS. */
	MSIDOM_MAX_DOMAINS = 2,      /**< Number of slots. */
};

/** @brief Device description. */
struct msidom_device_info {
	/** Name, copied (at most 31 characters), e.g. "0000:03:00.0". */
	const char *name;
	/** PCI requester id (bus << 8 | devfn), for source validation. */
	uint16_t requester_id;
	/** Caller data, returned by msidom_device_priv(). */
	void *priv;
};

/**
 * @brief Template of a per-device domain (like the kernel's
 * msi_domain_template).
 */
struct msidom_template {
	/** Bus name inside the domain name: "PCI-MSIX" gives IR-PCI-MSIX-0000:03:00.0. */
	const char *name;
	/** Bus token (MSIDOM_BUS_PCI_MSIX, ...). */
	enum msidom_bus_token bus;
	/** MSIDOM_DOMAIN_* flags (DEVICE is added). */
	uint32_t flags;
	/** Number of indexes, 1 .. MSIDOM_MAX_HWSIZE. */
	uint32_t hwsize;
	/** Domain ops (prepare_desc, set_desc, ...), or NULL. */
	const struct msidom_domain_ops *ops;
	/** Chip ops (write_msg, mask, unmask, ...), or NULL. */
	const struct msidom_chip_ops *chip;
	/** Private data, returned by msidom_domain_priv(). */
	void *priv;
	/** Cookie for allocations that give none. */
	msidom_cookie default_cookie;
};

/**
 * @brief Create a device.
 * @return 0, -EINVAL, -ENOMEM.
 */
MSIDOM_API int msidom_device_create(struct msidom_ctx *ctx, const struct msidom_device_info *info,
				    struct msidom_device **out);

/**
 * @brief Destroy a device: free every vector of every slot, then its
 * domains, then the device. NULL is a no-op.
 */
MSIDOM_API void msidom_device_destroy(struct msidom_device *dev);

/** @brief The device's name. */
MSIDOM_API const char *msidom_device_name(const struct msidom_device *dev);
/** @brief The device's requester id. */
MSIDOM_API uint16_t msidom_device_requester_id(const struct msidom_device *dev);
/** @brief Caller data given at creation. */
MSIDOM_API void *msidom_device_priv(const struct msidom_device *dev);
/** @brief The context owning the device. */
MSIDOM_API struct msidom_ctx *msidom_device_ctx(const struct msidom_device *dev);

/**
 * @brief Create the per-device domain of @p slot from a template.
 *
 * @p parent must be flagged MSIDOM_DOMAIN_MSI_PARENT. The name is the
 * parent's child prefix, the template name and the device name.
 * @return 0, -EINVAL, -EEXIST (slot in use), -ENOMEM.
 */
MSIDOM_API int msidom_device_create_domain(struct msidom_device *dev, enum msidom_slot slot,
					   const struct msidom_template *tmpl,
					   struct msidom_domain *parent,
					   struct msidom_domain **out);

/**
 * @brief Free every vector of @p slot and destroy its domain.
 * @return 0, -EINVAL, -ENOENT.
 */
MSIDOM_API int msidom_device_remove_domain(struct msidom_device *dev, enum msidom_slot slot);

/** @brief The domain in @p slot, or NULL. */
MSIDOM_API struct msidom_domain *msidom_device_domain(const struct msidom_device *dev,
						      enum msidom_slot slot);

/**
 * @brief Whether every populated slot's path to the root contains a
 * domain flagged MSIDOM_DOMAIN_ISOLATED_MSI ("is MSI assignment safe").
 * @return 1 isolated, 0 not isolated, -EINVAL, -ENOENT (no domain).
 */
MSIDOM_API int msidom_device_msi_isolated(const struct msidom_device *dev);

#ifdef __cplusplus
}
#endif

#endif
