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
 * @return The descriptor, or NULL.
 */
MSIDOM_API struct msidom_desc *msidom_desc_first(const struct msidom_domain *d,
						 enum msidom_desc_filter filter);

/**
 * @brief Next descriptor after @p desc matching @p filter.
 * @return The descriptor, or NULL at the end.
 */
MSIDOM_API struct msidom_desc *msidom_desc_next(const struct msidom_desc *desc,
						enum msidom_desc_filter filter);

/**
 * @brief Descriptor at @p index of a device domain.
 * @return The descriptor, or NULL.
 */
MSIDOM_API struct msidom_desc *msidom_desc_at(const struct msidom_domain *d, uint32_t index);

/**
 * @brief Create a descriptor without a virq (to describe or reserve an
 * index before vectors are allocated).
 * @return The index, or -EINVAL, -ERANGE, -EEXIST, -ENOSPC, -ENOMEM.
 */
MSIDOM_API int msidom_desc_add(struct msidom_domain *d, uint32_t index, msidom_cookie cookie);

/**
 * @brief Remove a descriptor that has no virq.
 * @return 0, -EINVAL, -ENOENT, -EBUSY (it has a virq).
 */
MSIDOM_API int msidom_desc_remove(struct msidom_domain *d, uint32_t index);

/** @brief Index in the device domain. */
MSIDOM_API uint32_t msidom_desc_index(const struct msidom_desc *desc);
/** @brief Virq, or 0 if not associated. */
MSIDOM_API uint32_t msidom_desc_virq(const struct msidom_desc *desc);
/** @brief The device domain holding the descriptor. */
MSIDOM_API struct msidom_domain *msidom_desc_domain(const struct msidom_desc *desc);
/** @brief The last message written (zero while deactivated). */
MSIDOM_API struct msidom_msg msidom_desc_msg(const struct msidom_desc *desc);
/** @brief The instance cookie. */
MSIDOM_API msidom_cookie msidom_desc_cookie(const struct msidom_desc *desc);
/** @brief The effective CPU. */
MSIDOM_API uint32_t msidom_desc_cpu(const struct msidom_desc *desc);
/** @brief True if masked. */
MSIDOM_API bool msidom_desc_masked(const struct msidom_desc *desc);
/** @brief True if activated (message written). */
MSIDOM_API bool msidom_desc_activated(const struct msidom_desc *desc);
/** @brief Caller data attached to the descriptor. */
MSIDOM_API void *msidom_desc_user_data(const struct msidom_desc *desc);
/** @brief Attach caller data to the descriptor. */
MSIDOM_API void msidom_desc_set_user_data(struct msidom_desc *desc, void *data);

#ifdef __cplusplus
}
#endif

#endif
