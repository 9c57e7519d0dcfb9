/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file msi.h
 * @brief Allocate and free vectors of a device domain (the kernel's
 * msi_map interface): at an explicit index or at any free index, one at a
 * time while others stay live, or as a range.
 */
#ifndef LIBMSIDOM_MSI_H
#define LIBMSIDOM_MSI_H

#include <libmsidom/common.h>
#include <libmsidom/device.h>
#include <libmsidom/irq.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Result of an allocation: the index and its virq. On failure
 * index holds a negative errno and virq is 0.
 */
struct msidom_map {
	int32_t index; /**< Allocated index, or a negative errno. */
	uint32_t virq; /**< Its virq. */
};

/** @brief Per-allocation options; NULL means all defaults. */
struct msidom_alloc_opts {
	/** sizeof(struct msidom_alloc_opts): see MSIDOM_OPTS(). */
	size_t sz;
	/** Use @ref cookie instead of the domain's default cookie. */
	bool has_cookie;
	/** Instance cookie (PASID, queue id, pointer). */
	msidom_cookie cookie;
	/** CPUs the vector may target; NULL for any. */
	const struct msidom_cpumask *affinity;
	/** The affinity is managed: never moved by set_affinity. */
	bool managed;
	/** Leave the vector unmasked (delivering) once allocated. */
	bool unmasked;
	/**
	 * Handler installed before the vector is activated, so an interrupt
	 * the device latched while masked reaches it; NULL for none (then
	 * set one with msidom_irq_set_handler() before unmasking).
	 */
	msidom_handler_fn handler;
	/** Argument of @ref handler. */
	void *handler_arg;
};

/**
 * @brief Allocate one vector at @p index, or at the lowest free index
 * with MSIDOM_INDEX_ANY, through every level of the hierarchy, and
 * activate it (message composed and written). The vector starts masked
 * unless opts->unmasked: activate ops see the state in
 * msidom_desc_masked() and arm the vector accordingly.
 *
 * An existing descriptor without a virq at @p index (msidom_desc_add())
 * is associated and keeps its own cookie.
 * @param dev The device.
 * @param slot Which of its domains.
 * @param index Index to allocate, or MSIDOM_INDEX_ANY.
 * @param opts Options, or NULL for the defaults.
 * @return {index, virq}, or index = -EINVAL, -ENOENT (empty slot),
 * -ERANGE (index >= hwsize), -EEXIST (index in use), -EBUSY (a
 * multi-message MSI domain already holds its block), -ENOSPC, -ENOMEM or
 * a domain op's (or the batch sync's) error; then nothing has changed.
 */
MSIDOM_API struct msidom_map msidom_msi_alloc_at(struct msidom_device *dev, enum msidom_slot slot,
						 uint32_t index,
						 const struct msidom_alloc_opts *opts);

/**
 * @brief Allocate vectors for every index in [first, last]; all or none.
 *
 * On a MSIDOM_DOMAIN_CONTIGUOUS domain (multi-message MSI) first must be
 * 0, the count a power of two, and the parents allocate one aligned block.
 * @param dev The device.
 * @param slot Which of its domains.
 * @param first First index of the range.
 * @param last Last index of the range (inclusive).
 * @param opts Options, or NULL for the defaults.
 * @return 0, or a negative errno with nothing changed.
 */
MSIDOM_API int msidom_msi_alloc_range(struct msidom_device *dev, enum msidom_slot slot,
				      uint32_t first, uint32_t last,
				      const struct msidom_alloc_opts *opts);

/**
 * @brief Free the vector at @p index while others stay live: mask,
 * deactivate (zeroed message), free every level, drop the descriptor.
 * @param dev The device.
 * @param slot Which of its domains.
 * @param index Index of the vector.
 * @return 0, -EINVAL (also: one vector of a multi-message block), -ENOENT
 * (no vector there), -ERANGE (index >= hwsize), or the batch sync's error
 * (the vector is freed all the same; the device may still hold it).
 */
MSIDOM_API int msidom_msi_free(struct msidom_device *dev, enum msidom_slot slot, uint32_t index);

/**
 * @brief Free every vector in [first, last] and remove every descriptor
 * there, reserved ones (msidom_desc_add()) included.
 * @param dev The device.
 * @param slot Which of its domains.
 * @param first First index of the range.
 * @param last Last index of the range (inclusive).
 * @return Number of vectors freed, or -EINVAL, -ENOENT (empty slot).
 */
MSIDOM_API int msidom_msi_free_range(struct msidom_device *dev, enum msidom_slot slot,
				     uint32_t first, uint32_t last);

/**
 * @brief Free every vector of @p slot and remove all its descriptors.
 * @param dev The device.
 * @param slot Which of its domains.
 * @return Number of vectors freed, or -EINVAL, -ENOENT (empty slot).
 */
MSIDOM_API int msidom_msi_free_all(struct msidom_device *dev, enum msidom_slot slot);

/**
 * @brief Virq of (device, slot, index).
 * @param dev The device.
 * @param slot Which of its domains.
 * @param index Index in the domain.
 * @return The virq (> 0), or -EINVAL, -ENOENT.
 */
MSIDOM_API int64_t msidom_msi_virq(const struct msidom_device *dev, enum msidom_slot slot,
				   uint32_t index);

#ifdef __cplusplus
}
#endif

#endif
