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
	/** sizeof(struct msidom_device_info): see MSIDOM_OPTS(). */
	size_t sz;
	/** Name, copied (at most 31 characters), e.g. "0000:03:00.0". */
	const char *name;
	/** PCI requester id (bus << 8 | devfn), for source validation. */
	uint16_t requester_id;
	/** Caller data, returned by msidom_device_priv(). */
	void *priv;
};

/**
 * @brief Create a device.
 * @param ctx The context.
 * @param info Description; its name must be non-empty.
 * @param[out] out The new device, or NULL on failure.
 * @return 0, -EINVAL, -ENOMEM.
 */
MSIDOM_API int msidom_device_create(struct msidom_ctx *ctx, const struct msidom_device_info *info,
				    struct msidom_device **out);

/**
 * @brief Destroy a device: free every vector of every slot, then its
 * domains, then the device. NULL is a no-op.
 * @param dev The device, or NULL.
 */
MSIDOM_API void msidom_device_destroy(struct msidom_device *dev);

/**
 * @brief The device's name.
 * @param dev The device.
 * @return The name, or NULL if @p dev is NULL.
 */
MSIDOM_API const char *msidom_device_name(const struct msidom_device *dev);
/**
 * @brief The device's requester id.
 * @param dev The device.
 * @return The requester id, or 0 if @p dev is NULL.
 */
MSIDOM_API uint16_t msidom_device_requester_id(const struct msidom_device *dev);
/**
 * @brief Caller data given at creation.
 * @param dev The device.
 * @return msidom_device_info.priv, or NULL if @p dev is NULL.
 */
MSIDOM_API void *msidom_device_priv(const struct msidom_device *dev);
/**
 * @brief The context owning the device.
 * @param dev The device.
 * @return The context, or NULL if @p dev is NULL.
 */
MSIDOM_API struct msidom_ctx *msidom_device_ctx(const struct msidom_device *dev);

/**
 * @brief Free every vector of @p slot and destroy its domain.
 * @param dev The device.
 * @param slot The slot.
 * @return 0, -EINVAL, -ENOENT, -EBUSY (a batch is open), or the error of
 * freeing the vectors (the domain is removed all the same).
 */
MSIDOM_API int msidom_device_domain_destroy(struct msidom_device *dev, enum msidom_slot slot);

/**
 * @brief The domain in @p slot.
 * @param dev The device.
 * @param slot The slot.
 * @return The domain, or NULL (empty slot, bad slot or NULL @p dev).
 */
MSIDOM_API struct msidom_domain *msidom_device_domain(const struct msidom_device *dev,
						      enum msidom_slot slot);

/**
 * @brief Whether every populated slot's path to the root contains a
 * domain flagged MSIDOM_DOMAIN_ISOLATED_MSI ("is MSI assignment safe").
 * @param dev The device.
 * @return 1 isolated, 0 not isolated, -EINVAL, -ENOENT (no domain).
 */
MSIDOM_API int msidom_device_msi_isolated(const struct msidom_device *dev);

#ifdef __cplusplus
}
#endif

#endif
