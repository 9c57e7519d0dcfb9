/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file provider/irq_data.h
 * @brief The per-level view of one interrupt that domain ops receive.
 */
#ifndef LIBMSIDOM_PROVIDER_IRQ_DATA_H
#define LIBMSIDOM_PROVIDER_IRQ_DATA_H

#include <libmsidom/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Domain of this level.
 * @param data One level of an interrupt.
 * @return The domain, or NULL if @p data is NULL.
 */
MSIDOM_API struct msidom_domain *msidom_irq_data_domain(const struct msidom_irq_data *data);
/**
 * @brief Hardware irq number at this level.
 * @param data One level of an interrupt.
 * @return The hwirq, or 0 if @p data is NULL.
 */
MSIDOM_API uint32_t msidom_irq_data_hwirq(const struct msidom_irq_data *data);
/**
 * @brief Set the hwirq at this level (alloc op only, or an affinity
 * change that has already mapped the new hwirq).
 * @param data One level of an interrupt.
 * @param hwirq New hwirq; at the device level it must equal the index.
 * @return 0, -ERANGE if outside the domain's hwsize, -EINVAL (NULL
 * @p data, or another hwirq at the device level).
 */
MSIDOM_API int msidom_irq_data_set_hwirq(struct msidom_irq_data *data, uint32_t hwirq);
/**
 * @brief The virq of the interrupt.
 * @param data Any level of the interrupt.
 * @return The virq, or 0 while it is being allocated (or a NULL @p data).
 */
MSIDOM_API uint32_t msidom_irq_data_virq(const struct msidom_irq_data *data);
/**
 * @brief The device-level descriptor.
 * @param data Any level of the interrupt.
 * @return The descriptor, or NULL if @p data is NULL.
 */
MSIDOM_API struct msidom_desc *msidom_irq_data_desc(const struct msidom_irq_data *data);
/**
 * @brief The same interrupt's data one level closer to the root.
 * @param data One level of an interrupt.
 * @return The parent level, or NULL at the root (or a NULL @p data).
 */
MSIDOM_API struct msidom_irq_data *msidom_irq_data_parent(struct msidom_irq_data *data);
/**
 * @brief The instance cookie of the interrupt.
 * @param data Any level of the interrupt.
 * @return The cookie; zero if @p data is NULL.
 */
MSIDOM_API msidom_cookie msidom_irq_data_cookie(const struct msidom_irq_data *data);
/**
 * @brief The effective CPU of the interrupt.
 * @param data Any level of the interrupt.
 * @return The CPU, or 0 if @p data is NULL.
 */
MSIDOM_API uint32_t msidom_irq_data_cpu(const struct msidom_irq_data *data);
/**
 * @brief Record the effective CPU of the interrupt (a root's alloc op,
 * once it has chosen the target; set_affinity reports it through its
 * cpu argument instead).
 * @param data Any level of the interrupt.
 * @param cpu CPU index.
 */
MSIDOM_API void msidom_irq_data_set_cpu(struct msidom_irq_data *data, uint32_t cpu);

/**
 * @brief Compose through the nearest ancestor (from @p data's parent up)
 * that composes.
 * @param data One level of an interrupt.
 * @param[out] msg The composed message.
 * @return 0, -EINVAL (NULL argument), -ENOSYS if none composes, or the
 * op's error.
 */
MSIDOM_API int msidom_irq_data_parent_compose_msg(struct msidom_irq_data *data,
						  struct msidom_msg *msg);

/**
 * @brief Ask the nearest ancestor with set_affinity to retarget.
 * @param data One level of an interrupt.
 * @param mask Target CPUs, passed to the op.
 * @param[out] cpu The new effective CPU, as the op reports it.
 * @return 0, -EINVAL (NULL @p data or @p cpu), -ENOSYS if none can, or
 * the op's error.
 */
MSIDOM_API int msidom_irq_data_parent_set_affinity(struct msidom_irq_data *data,
						   const struct msidom_cpumask *mask,
						   uint32_t *cpu);

/**
 * @brief Mask through the nearest ancestor with a mask op.
 * @param data One level of an interrupt.
 * @return 0, -EINVAL, -ENOSYS if none masks, or the op's error.
 */
MSIDOM_API int msidom_irq_data_parent_mask(struct msidom_irq_data *data);

/**
 * @brief Unmask through the nearest ancestor with an unmask op.
 * @param data One level of an interrupt.
 * @return 0, -EINVAL, -ENOSYS if none unmasks, or the op's error.
 */
MSIDOM_API int msidom_irq_data_parent_unmask(struct msidom_irq_data *data);

#ifdef __cplusplus
}
#endif

#endif
