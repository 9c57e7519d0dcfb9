/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file irq.h
 * @brief Operations on allocated interrupts, by virq.
 */
#ifndef LIBMSIDOM_IRQ_H
#define LIBMSIDOM_IRQ_H

#include <libmsidom/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Interrupt handler, called by msidom_handle(). */
typedef void (*msidom_handler_fn)(uint32_t virq, void *arg);

/**
 * @brief Install (or with NULL remove) the handler of @p virq.
 *
 * msidom_handle() reads the handler and its argument without a lock, so
 * change them only while the vector cannot be dispatched (masked, and no
 * msidom_handle() for it in flight); to have a handler from the first
 * interrupt on, give it in msidom_alloc_opts.handler.
 * @param ctx The context.
 * @param virq The interrupt.
 * @param fn Handler, or NULL to remove it.
 * @param arg Passed to @p fn.
 * @return 0, -EINVAL, -ENOENT.
 */
MSIDOM_API int msidom_irq_set_handler(struct msidom_ctx *ctx, uint32_t virq, msidom_handler_fn fn,
				      void *arg);

/**
 * @brief Mask @p virq at the nearest level (from the device up) that can
 * mask; a hierarchy without any mask op only records the state.
 * @param ctx The context.
 * @param virq The interrupt.
 * @return 0, -EINVAL, -ENOENT, or the op's error (state unchanged).
 */
MSIDOM_API int msidom_irq_mask(struct msidom_ctx *ctx, uint32_t virq);

/**
 * @brief Unmask @p virq.
 * @param ctx The context.
 * @param virq The interrupt.
 * @return 0, -EINVAL, -ENOENT, or the op's error (state unchanged).
 */
MSIDOM_API int msidom_irq_unmask(struct msidom_ctx *ctx, uint32_t virq);

/**
 * @brief Retarget @p virq to @p mask. The nearest level with set_affinity
 * retargets; unless the level that composes the message is
 * MSIDOM_DOMAIN_IMMUTABLE the message is recomposed and rewritten with the
 * vector masked across the update. Then every level's affinity_commit
 * runs (old vectors released) — inside a caller's batch
 * (msidom_domain_batch_begin()) only once the outermost batch has ended
 * and its sync succeeded.
 * @param ctx The context.
 * @param virq The interrupt.
 * @param mask Target CPUs (an empty mask is -EINVAL).
 * @return 0, -EINVAL, -ENOENT, -ENOSYS, -EPERM (managed), or the op's error.
 */
MSIDOM_API int msidom_irq_set_affinity(struct msidom_ctx *ctx, uint32_t virq,
				       const struct msidom_cpumask *mask);

/**
 * @brief Recompose and rewrite the message of @p virq (e.g. after a
 * parent changed its routing on its own).
 * @param ctx The context.
 * @param virq The interrupt.
 * @return 0, -EINVAL, -ENOENT, or the op's error.
 */
MSIDOM_API int msidom_irq_refresh_msg(struct msidom_ctx *ctx, uint32_t virq);

/**
 * @brief Descriptor of @p virq.
 * @param ctx The context.
 * @param virq The interrupt.
 * @return The descriptor, or NULL (not allocated, or NULL @p ctx).
 */
MSIDOM_API struct msidom_desc *msidom_irq_desc(struct msidom_ctx *ctx, uint32_t virq);

/**
 * @brief Number of live virqs in the context.
 * @param ctx The context.
 * @return The count, or 0 if @p ctx is NULL.
 */
MSIDOM_API uint32_t msidom_irq_count(const struct msidom_ctx *ctx);

/**
 * @brief Dispatch an interrupt: call the handler of the virq mapped at
 * @p hwirq. O(1), no allocation, no lock: callable from an interrupt
 * handler or an event loop, but not concurrently with the allocation or
 * free of vectors that can fire on @p d: mask and drain a vector before
 * freeing it.
 * @param d The domain that received the interrupt.
 * @param hwirq Hardware irq number in @p d.
 * @return 0 if a handler ran, -ENOENT if nothing is mapped or no handler
 * (counted in msidom_domain_spurious()), -EINVAL for a NULL @p d.
 */
MSIDOM_API int msidom_handle(struct msidom_domain *d, uint32_t hwirq);

#ifdef __cplusplus
}
#endif

#endif
