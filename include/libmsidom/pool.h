/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file pool.h
 * @brief A ready-made allocator over caller-provided memory, for firmware
 * and hypervisors without a heap (freestanding builds).
 */
#ifndef LIBMSIDOM_POOL_H
#define LIBMSIDOM_POOL_H

#include <libmsidom/common.h>
#include <libmsidom/context.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief A block of a pool (opaque). */
struct msidom_pool_block;

/**
 * @brief Pool state; the caller owns it (static storage is fine) and
 * keeps it alive as long as any context allocates from it.
 */
struct msidom_pool {
	/** @cond INTERNAL */
	void *base;
	size_t size;
	struct msidom_pool_block *free_list;
	size_t used;
	/** @endcond */
};

/**
 * @brief Turn @p size bytes at @p mem into a pool and point the allocator
 * hooks of @p hooks (alloc, free, alloc_opaque) at it; other hooks are
 * left alone. First fit, blocks merged on free, 16-byte alignment. The
 * pool takes no lock: use it from one context, whose lock hook serialises
 * the library's allocations.
 * @param pool Pool state to initialise.
 * @param mem Memory for the pool (any alignment; the pool aligns it).
 * @param size Bytes at @p mem (at least 64).
 * @param[out] hooks Hooks whose allocator members are set; declared with
 *        MSIDOM_OPTS() (its sz must cover the allocator members).
 * @return 0, or -EINVAL (NULL argument, too small, or hooks without sz).
 */
MSIDOM_API int msidom_pool_init(struct msidom_pool *pool, void *mem, size_t size,
				struct msidom_hooks *hooks);

/**
 * @brief Bytes of the pool currently handed out (headers included).
 * @param pool Pool.
 * @return The count, 0 for a NULL pool.
 */
MSIDOM_API size_t msidom_pool_used(const struct msidom_pool *pool);

#ifdef __cplusplus
}
#endif

#endif
