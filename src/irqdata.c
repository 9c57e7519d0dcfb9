/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The per-level view handed to domain ops, and the helpers that let a
 * level forward to its ancestors.
 */
#include "internal.h"

MSIDOM_API struct msidom_domain *msidom_irq_data_domain(const struct msidom_irq_data *data)
{
	return data ? data_domain(data) : NULL;
}

MSIDOM_API uint32_t msidom_irq_data_hwirq(const struct msidom_irq_data *data)
{
	return data ? data->hwirq : 0;
}

MSIDOM_API int msidom_irq_data_set_hwirq(struct msidom_irq_data *data, uint32_t hwirq)
{
	struct msidom_domain *d;

	if (!data)
		return -MSIDOM_EINVAL;
	d = data_domain(data);
	if (hwirq >= d->hwsize) {
		pr_err(d->ctx, "domain %s: hwirq %u >= hwsize %u", d->name, hwirq, d->hwsize);
		return -MSIDOM_ERANGE;
	}
	if (!data->level && hwirq != data->hwirq) {
		pr_err(d->ctx, "domain %s: the device level's hwirq is its index %u", d->name,
		       data->hwirq);
		return -MSIDOM_EINVAL;
	}
	data->hwirq = hwirq;
	return 0;
}

MSIDOM_API uint32_t msidom_irq_data_virq(const struct msidom_irq_data *data)
{
	return data ? data_desc(data)->virq : 0;
}

MSIDOM_API struct msidom_desc *msidom_irq_data_desc(const struct msidom_irq_data *data)
{
	return data ? data_desc(data) : NULL;
}

MSIDOM_API struct msidom_irq_data *msidom_irq_data_parent(struct msidom_irq_data *data)
{
	if (!data || data->level + 1u >= data_desc(data)->nlevels)
		return NULL;
	return data + 1;
}

MSIDOM_API msidom_cookie msidom_irq_data_cookie(const struct msidom_irq_data *data)
{
	msidom_cookie none = { 0 };

	return data ? data_desc(data)->cookie : none;
}

MSIDOM_API uint32_t msidom_irq_data_cpu(const struct msidom_irq_data *data)
{
	return data ? data_desc(data)->cpu : 0;
}

MSIDOM_API void msidom_irq_data_set_cpu(struct msidom_irq_data *data, uint32_t cpu)
{
	if (data)
		data_desc(data)->cpu = cpu;
}

/* Nearest ancestor of @data (exclusive) whose chip provides @off. */
static struct msidom_irq_data *ancestor_with(struct msidom_irq_data *data, size_t off)
{
	struct msidom_desc *desc = data_desc(data);

	for (unsigned int l = data->level + 1u; l < desc->nlevels; l++) {
		const struct msidom_chip_ops *chip = desc->domain->path[l]->chip;

		if (chip && *(void *const *)((const char *)chip + off))
			return &desc->lv[l];
	}
	return NULL;
}

#define ANCESTOR(data, member) ancestor_with(data, offsetof(struct msidom_chip_ops, member))

MSIDOM_API int msidom_irq_data_parent_compose_msg(struct msidom_irq_data *data,
						  struct msidom_msg *msg)
{
	struct msidom_irq_data *p;

	if (!data || !msg)
		return -MSIDOM_EINVAL;
	p = ANCESTOR(data, compose_msg);
	if (!p)
		return -MSIDOM_ENOSYS;
	return data_domain(p)->chip->compose_msg(p, msg);
}

MSIDOM_API int msidom_irq_data_parent_set_affinity(struct msidom_irq_data *data,
						   const struct msidom_cpumask *mask, uint32_t *cpu)
{
	struct msidom_irq_data *p;

	if (!data || !cpu)
		return -MSIDOM_EINVAL;
	p = ANCESTOR(data, set_affinity);
	if (!p)
		return -MSIDOM_ENOSYS;
	return data_domain(p)->chip->set_affinity(p, mask, cpu);
}

MSIDOM_API int msidom_irq_data_parent_mask(struct msidom_irq_data *data)
{
	struct msidom_irq_data *p;

	if (!data)
		return -MSIDOM_EINVAL;
	p = ANCESTOR(data, mask);
	if (!p)
		return -MSIDOM_ENOSYS;
	return data_domain(p)->chip->mask(p);
}

MSIDOM_API int msidom_irq_data_parent_unmask(struct msidom_irq_data *data)
{
	struct msidom_irq_data *p;

	if (!data)
		return -MSIDOM_EINVAL;
	p = ANCESTOR(data, unmask);
	if (!p)
		return -MSIDOM_ENOSYS;
	return data_domain(p)->chip->unmask(p);
}
