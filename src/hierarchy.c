/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Allocation through the hierarchy: root first, each level choosing its
 * hwirq, so a child can rely on its parent's resources. A failure at any
 * level undoes every level already done, nearest first.
 */
#include "internal.h"

#define MAX_BLOCK 32 /* largest multi-message MSI block */

static void level_data(struct msidom_desc *const *descs, unsigned int nr, unsigned int l,
		       struct msidom_irq_data **data)
{
	for (unsigned int i = 0; i < nr; i++)
		data[i] = &descs[i]->lv[l];
}

static void level_unmap(struct msidom_domain *d, struct msidom_irq_data *const *data,
			unsigned int nr, bool undo)
{
	for (unsigned int i = 0; i < nr; i++)
		msidom__revmap_remove(d, data[i]->hwirq, undo);
}

static void level_free(struct msidom_domain *d, struct msidom_irq_data *const *data,
		       unsigned int nr, bool undo)
{
	level_unmap(d, data, nr, undo);
	if (d->ops && d->ops->free)
		d->ops->free(d, data, nr);
}

/* Run level @l's alloc and map the hwirqs it chose. */
static int level_alloc(struct msidom_domain *d, struct msidom_irq_data *const *data,
		       unsigned int nr, const struct msidom_alloc_arg *arg)
{
	unsigned int mapped;
	int ret;

	if (d->ops && d->ops->alloc) {
		ret = d->ops->alloc(d, data, nr, arg);
		if (ret) {
			pr_err(d->ctx, "domain %s: alloc of %u interrupt(s) failed: %s", d->name,
			       nr, msidom_strerror(ret));
			return ret;
		}
	} else {
		for (unsigned int i = 0; i < nr; i++) {
			ret = msidom_irq_data_set_hwirq(data[i], data_desc(data[i])->virq);
			if (ret)
				return ret;
		}
	}
	for (mapped = 0; mapped < nr; mapped++) {
		ret = msidom__revmap_insert(d, data[mapped]->hwirq, data[mapped]);
		if (ret)
			goto err_unmap;
	}
	return 0;

err_unmap:
	level_unmap(d, data, mapped, true);
	if (d->ops && d->ops->free)
		d->ops->free(d, data, nr);
	return ret;
}

int msidom__levels_alloc(struct msidom_desc *const *descs, unsigned int nr,
			 const struct msidom_alloc_arg *arg)
{
	struct msidom_domain *dd = descs[0]->domain;
	struct msidom_irq_data *data[MAX_BLOCK];
	int top = dd->nlevels - 1;
	int l, ret = 0;

	if (!nr || nr > MAX_BLOCK)
		return -MSIDOM_EINVAL;
	for (l = top; l >= 1; l--) {
		level_data(descs, nr, (unsigned int)l, data);
		ret = level_alloc(dd->path[l], data, nr, arg);
		if (ret)
			goto err_undo;
	}
	/* The device level's hwirq is the index, already in its reverse map. */
	if (dd->ops && dd->ops->alloc) {
		level_data(descs, nr, 0, data);
		ret = dd->ops->alloc(dd, data, nr, arg);
		if (ret) {
			pr_err(dd->ctx, "domain %s: alloc failed: %s", dd->name,
			       msidom_strerror(ret));
			goto err_undo;
		}
	}
	for (unsigned int i = 0; i < nr; i++)
		descs[i]->flags |= DESC_LEVELS_DONE;
	return 0;

err_undo:
	for (l = l + 1; l <= top; l++) {
		level_data(descs, nr, (unsigned int)l, data);
		level_free(dd->path[l], data, nr, true);
	}
	return ret;
}

void msidom__levels_free(struct msidom_desc *const *descs, unsigned int nr, bool undo)
{
	struct msidom_domain *dd = descs[0]->domain;
	struct msidom_irq_data *data[MAX_BLOCK];

	if (!(descs[0]->flags & DESC_LEVELS_DONE))
		return;
	level_data(descs, nr, 0, data);
	if (dd->ops && dd->ops->free)
		dd->ops->free(dd, data, nr);
	for (unsigned int l = 1; l < dd->nlevels; l++) {
		level_data(descs, nr, l, data);
		level_free(dd->path[l], data, nr, undo);
	}
	for (unsigned int i = 0; i < nr; i++)
		descs[i]->flags &= (uint16_t)~DESC_LEVELS_DONE;
}
