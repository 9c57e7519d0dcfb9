/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file desc.h
 * @brief MSI descriptors: one per allocated index of a device domain.
 */
#ifndef LIBMSIDOM_DESC_H
#define LIBMSIDOM_DESC_H

#include <libmsidom/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Iteration filters. */
enum msidom_desc_filter {
	MSIDOM_DESC_ALL = 0,       /**< Every descriptor. */
	MSIDOM_DESC_ASSOCIATED,    /**< Descriptors with a virq. */
	MSIDOM_DESC_NOTASSOCIATED, /**< Descriptors without a virq. */
};

/**
 * @brief First descriptor of a device domain matching @p filter, by index.
 * @param d Device domain (NULL or a non-device domain yields NULL).
 * @param filter Which descriptors to consider.
 * @return The descriptor, or NULL.
 */
MSIDOM_API struct msidom_desc *msidom_desc_first(const struct msidom_domain *d,
						 enum msidom_desc_filter filter);

/**
 * @brief Next descriptor after @p desc matching @p filter.
 * @param desc Current descriptor (NULL yields NULL).
 * @param filter Which descriptors to consider.
 * @return The descriptor, or NULL at the end.
 */
MSIDOM_API struct msidom_desc *msidom_desc_next(const struct msidom_desc *desc,
						enum msidom_desc_filter filter);

/**
 * @brief Descriptor at @p index of a device domain.
 * @param d Device domain (NULL or a non-device domain yields NULL).
 * @param index Index in @p d.
 * @return The descriptor, or NULL.
 */
MSIDOM_API struct msidom_desc *msidom_desc_at(const struct msidom_domain *d, uint32_t index);

/**
 * @brief Create a descriptor without a virq (to describe or reserve an
 * index before vectors are allocated).
 * @param d Device domain.
 * @param index Index to reserve, or MSIDOM_INDEX_ANY for the lowest free one.
 * @param cookie Instance cookie of the descriptor.
 * @return The index, or -EINVAL, -ERANGE, -EEXIST, -ENOSPC, -ENOMEM.
 */
MSIDOM_API int msidom_desc_add(struct msidom_domain *d, uint32_t index, msidom_cookie cookie);

/**
 * @brief Remove a descriptor that has no virq.
 * @param d Device domain.
 * @param index Index of the descriptor.
 * @return 0, -EINVAL, -ENOENT, -EBUSY (it has a virq).
 */
MSIDOM_API int msidom_desc_remove(struct msidom_domain *d, uint32_t index);

/**
 * @brief Index in the device domain.
 * @param desc The descriptor.
 * @return The index, or 0 if @p desc is NULL.
 */
MSIDOM_API uint32_t msidom_desc_index(const struct msidom_desc *desc);
/**
 * @brief Virq, or 0 if not associated.
 * @param desc The descriptor.
 * @return The virq, or 0 (also if @p desc is NULL).
 */
MSIDOM_API uint32_t msidom_desc_virq(const struct msidom_desc *desc);
/**
 * @brief The device domain holding the descriptor.
 * @param desc The descriptor.
 * @return The domain, or NULL if @p desc is NULL.
 */
MSIDOM_API struct msidom_domain *msidom_desc_domain(const struct msidom_desc *desc);
/**
 * @brief The last message written (zero while deactivated).
 * @param desc The descriptor.
 * @return The message; all zero if @p desc is NULL.
 */
MSIDOM_API struct msidom_msg msidom_desc_msg(const struct msidom_desc *desc);
/**
 * @brief The instance cookie.
 * @param desc The descriptor.
 * @return The cookie; zero if @p desc is NULL.
 */
MSIDOM_API msidom_cookie msidom_desc_cookie(const struct msidom_desc *desc);
/**
 * @brief The effective CPU.
 * @param desc The descriptor.
 * @return The CPU, or 0 if @p desc is NULL.
 */
MSIDOM_API uint32_t msidom_desc_cpu(const struct msidom_desc *desc);
/**
 * @brief True if masked.
 * @param desc The descriptor.
 * @return True if masked; false if @p desc is NULL.
 */
MSIDOM_API bool msidom_desc_masked(const struct msidom_desc *desc);
/**
 * @brief True if activated (message written).
 * @param desc The descriptor.
 * @return True if activated; false if @p desc is NULL.
 */
MSIDOM_API bool msidom_desc_activated(const struct msidom_desc *desc);
/**
 * @brief Caller data attached to the descriptor.
 * @param desc The descriptor.
 * @return The data, or NULL (also if @p desc is NULL).
 */
MSIDOM_API void *msidom_desc_user_data(const struct msidom_desc *desc);
/**
 * @brief Attach caller data to the descriptor.
 * @param desc The descriptor (NULL: no effect).
 * @param data Caller data, replacing any earlier one.
 */
MSIDOM_API void msidom_desc_set_user_data(struct msidom_desc *desc, void *data);

#ifdef __cplusplus
}
#endif

#endif
