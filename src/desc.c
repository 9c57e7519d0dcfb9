/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * MSI descriptors. The store of a device domain is its reverse map at
 * level 0 (index -> descriptor) plus a bitmap of used indexes, so lookup
 * by index is O(1) and the lowest free index is O(log64 hwsize).
 */
#include "internal.h"

/* Resolve @index (or MSIDOM_INDEX_ANY) to a free index; -errno if none. */
int msidom__index_find(struct msidom_domain *dd, uint32_t index, int *err)
{
	int64_t bit;

	if (index != MSIDOM_INDEX_ANY) {
		if (index >= dd->hwsize) {
			pr_err(dd->ctx, "%s: index %u >= hwsize %u", dd->name, index, dd->hwsize);
			*err = -MSIDOM_ERANGE;
			return -1;
		}
		return (int)index;
	}
	bit = msidom__bitmap_find_zero(&dd->index_map);
	if (bit < 0) {
		pr_err(dd->ctx, "%s: all %u indexes in use", dd->name, dd->hwsize);
		*err = -MSIDOM_ENOSPC;
		return -1;
	}
	return (int)bit;
}

static struct msidom_desc *desc_get(struct msidom_domain *dd)
{
	struct msidom_desc *desc = dd->spare;

	if (desc) {
		dd->spare = NULL;
		msidom__memzero(desc, desc_size(dd->nlevels));
		desc->flags = DESC_SPARE;
		return desc;
	}
	return msidom_zalloc(dd->ctx, desc_size(dd->nlevels));
}

/* @undo: give back exactly what desc_get() took. */
static void desc_put(struct msidom_domain *dd, struct msidom_desc *desc, bool undo)
{
	bool keep = undo ? desc->flags & DESC_SPARE : !dd->spare;

	if (keep && !dd->spare)
		dd->spare = desc;
	else
		msidom_free(dd->ctx, desc, desc_size(desc->nlevels));
}

void msidom__desc_spare_release(struct msidom_domain *dd)
{
	if (dd->spare)
		msidom_free(dd->ctx, dd->spare, desc_size(dd->nlevels));
	dd->spare = NULL;
}

struct msidom_desc *msidom__desc_new(struct msidom_domain *dd, uint32_t index, msidom_cookie cookie,
				     int *err)
{
	struct msidom_desc *desc = desc_get(dd);

	if (!desc) {
		*err = -MSIDOM_ENOMEM;
		return NULL;
	}
	desc->domain = dd;
	desc->cookie = cookie;
	desc->nlevels = dd->nlevels;
	desc->flags |= DESC_MASKED;
	for (uint8_t l = 0; l < dd->nlevels; l++)
		desc->lv[l].level = l;
	desc->lv[0].hwirq = index;

	*err = msidom__revmap_insert(dd, index, &desc->lv[0]);
	if (*err) {
		desc_put(dd, desc, true);
		return NULL;
	}
	msidom__bitmap_set(&dd->index_map, index);
	dd->ndescs++;
	return desc;
}

/* Take the descriptor out of the store; its index is free again. */
void msidom__desc_unlink(struct msidom_desc *desc, bool undo)
{
	struct msidom_domain *dd = desc->domain;
	uint32_t index = desc->lv[0].hwirq;

	dd->ndescs--;
	msidom__bitmap_clear(&dd->index_map, index);
	msidom__revmap_remove(dd, index, undo);
}

void msidom__desc_put(struct msidom_desc *desc, bool undo)
{
	desc_put(desc->domain, desc, undo);
}

void msidom__desc_delete(struct msidom_desc *desc, bool undo)
{
	msidom__desc_unlink(desc, undo);
	desc_put(desc->domain, desc, undo);
}

static bool desc_match(const struct msidom_desc *desc, enum msidom_desc_filter filter)
{
	switch (filter) {
	case MSIDOM_DESC_ASSOCIATED: return desc->virq != 0;
	case MSIDOM_DESC_NOTASSOCIATED: return desc->virq == 0;
	default: return true;
	}
}

struct msidom_desc *msidom__desc_scan(const struct msidom_domain *dd, uint32_t from,
				      enum msidom_desc_filter filter)
{
	int64_t bit = from < dd->hwsize ? msidom__bitmap_next_set(&dd->index_map, from) : -1;

	for (; bit >= 0; bit = msidom__bitmap_next_set(&dd->index_map, (uint32_t)bit + 1)) {
		const struct msidom_irq_data *data =
			msidom_radix_lookup(&dd->revmap, (uint32_t)bit);
		struct msidom_desc *desc = data ? data_desc(data) : NULL;

		if (desc && desc_match(desc, filter))
			return desc;
		if ((uint32_t)bit + 1 >= dd->hwsize)
			break;
	}
	return NULL;
}

static bool is_device_domain(const struct msidom_domain *d)
{
	return d && (d->flags & MSIDOM_DOMAIN_DEVICE);
}

MSIDOM_API struct msidom_desc *msidom_desc_first(const struct msidom_domain *d,
						 enum msidom_desc_filter filter)
{
	return is_device_domain(d) ? msidom__desc_scan(d, 0, filter) : NULL;
}

MSIDOM_API struct msidom_desc *msidom_desc_next(const struct msidom_desc *desc,
						enum msidom_desc_filter filter)
{
	if (!desc)
		return NULL;
	return msidom__desc_scan(desc->domain, desc->lv[0].hwirq + 1, filter);
}

MSIDOM_API struct msidom_desc *msidom_desc_at(const struct msidom_domain *d, uint32_t index)
{
	const struct msidom_irq_data *data;

	if (!is_device_domain(d))
		return NULL;
	data = msidom_radix_lookup(&d->revmap, index);
	return data ? data_desc(data) : NULL;
}

MSIDOM_API int msidom_desc_add(struct msidom_domain *d, uint32_t index, msidom_cookie cookie)
{
	struct msidom_desc *desc;
	int ret = 0;
	int idx;

	if (!is_device_domain(d)) {
		if (d)
			pr_err(d->ctx, "desc_add: %s is not a device domain", d->name);
		return -MSIDOM_EINVAL;
	}
	msidom__lock(d->ctx);
	idx = msidom__index_find(d, index, &ret);
	if (idx < 0)
		goto out;
	if (msidom__bitmap_test(&d->index_map, (uint32_t)idx)) {
		pr_err(d->ctx, "%s: index %d already has a descriptor", d->name, idx);
		ret = -MSIDOM_EEXIST;
		goto out;
	}
	desc = msidom__desc_new(d, (uint32_t)idx, cookie, &ret);
	if (desc) {
		desc->flags &= (uint16_t)~DESC_OP_FLAGS;
		ret = idx;
	}
out:
	msidom__unlock(d->ctx);
	return ret;
}

MSIDOM_API int msidom_desc_remove(struct msidom_domain *d, uint32_t index)
{
	struct msidom_desc *desc;
	int ret = 0;

	if (!is_device_domain(d)) {
		if (d)
			pr_err(d->ctx, "desc_remove: %s is not a device domain", d->name);
		return -MSIDOM_EINVAL;
	}
	msidom__lock(d->ctx);
	desc = msidom_desc_at(d, index);
	if (!desc) {
		pr_err(d->ctx, "%s: no descriptor at index %u", d->name, index);
		ret = -MSIDOM_ENOENT;
	} else if (desc->virq) {
		pr_err(d->ctx, "%s: index %u has virq %u; free it first", d->name, index,
		       desc->virq);
		ret = -MSIDOM_EBUSY;
	} else {
		msidom__desc_delete(desc, false);
	}
	msidom__unlock(d->ctx);
	return ret;
}

MSIDOM_API uint32_t msidom_desc_index(const struct msidom_desc *desc)
{
	return desc ? desc->lv[0].hwirq : 0;
}

MSIDOM_API uint32_t msidom_desc_virq(const struct msidom_desc *desc)
{
	return desc ? desc->virq : 0;
}

MSIDOM_API struct msidom_domain *msidom_desc_domain(const struct msidom_desc *desc)
{
	return desc ? desc->domain : NULL;
}

MSIDOM_API struct msidom_msg msidom_desc_msg(const struct msidom_desc *desc)
{
	struct msidom_msg none = { 0, 0, 0 };

	return desc ? desc->msg : none;
}

MSIDOM_API msidom_cookie msidom_desc_cookie(const struct msidom_desc *desc)
{
	msidom_cookie none = { 0 };

	return desc ? desc->cookie : none;
}

MSIDOM_API uint32_t msidom_desc_cpu(const struct msidom_desc *desc)
{
	return desc ? desc->cpu : 0;
}

MSIDOM_API bool msidom_desc_masked(const struct msidom_desc *desc)
{
	return desc && (desc->flags & DESC_MASKED);
}

MSIDOM_API bool msidom_desc_activated(const struct msidom_desc *desc)
{
	return desc && (desc->flags & DESC_ACTIVATED);
}

MSIDOM_API void *msidom_desc_user_data(const struct msidom_desc *desc)
{
	return desc ? desc->user_data : NULL;
}

MSIDOM_API void msidom_desc_set_user_data(struct msidom_desc *desc, void *data)
{
	if (desc)
		desc->user_data = data;
}
