/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Domains: creation, the hierarchy path, the hwirq reverse map and
 * batches.
 */
#include "internal.h"

static int check_info(struct msidom_ctx *ctx, const struct msidom_domain_info *info,
		      struct msidom_domain *parent)
{
	if (!info->name || !info->name[0]) {
		pr_err(ctx, "domain: a name is required");
		return -MSIDOM_EINVAL;
	}
	if (!info->hwsize || info->hwsize > MSIDOM_MAX_VIRQS) {
		pr_err(ctx, "domain %s: hwsize %u outside 1..%u", info->name, info->hwsize,
		       MSIDOM_MAX_VIRQS);
		return -MSIDOM_EINVAL;
	}
	if (parent && parent->ctx != ctx) {
		pr_err(ctx, "domain %s: parent belongs to another context", info->name);
		return -MSIDOM_EINVAL;
	}
	if (parent && (parent->flags & MSIDOM_DOMAIN_DEVICE)) {
		pr_err(ctx, "domain %s: parent %s is a device domain", info->name, parent->name);
		return -MSIDOM_EINVAL;
	}
	if (parent && parent->nlevels >= MSIDOM_MAX_DEPTH) {
		pr_err(ctx, "domain %s: hierarchy deeper than %d levels", info->name,
		       MSIDOM_MAX_DEPTH);
		return -MSIDOM_EINVAL;
	}
	return 0;
}

static void cache_levels(struct msidom_domain *d)
{
	d->compose_lvl = d->mask_lvl = d->unmask_lvl = -1;
	d->activate_lvls = d->deactivate_lvls = 0;
	for (int l = d->nlevels - 1; l >= 0; l--) {
		const struct msidom_chip_ops *chip = d->path[l]->chip;
		const struct msidom_domain_ops *ops = d->path[l]->ops;

		if (chip && chip->compose_msg)
			d->compose_lvl = (int8_t)l;
		if (chip && chip->mask)
			d->mask_lvl = (int8_t)l;
		if (chip && chip->unmask)
			d->unmask_lvl = (int8_t)l;
		if (ops && ops->activate)
			d->activate_lvls |= (uint8_t)(1u << l);
		if (ops && ops->deactivate)
			d->deactivate_lvls |= (uint8_t)(1u << l);
	}
}

/*
 * Keep the caller's table if it has this library's layout, else a
 * zero-extended copy that lives as long as the domain.
 */
static const void *load_ops(struct msidom_ctx *ctx, const void *given, size_t size,
			    const char *what, void **copy, int *err)
{
	const void *ops;
	void *local;

	*err = 0;
	*copy = NULL;
	if (!given)
		return NULL;
	if (*(const size_t *)given == size)
		return given;
	local = msidom_zalloc(ctx, size);
	if (!local) {
		*err = -MSIDOM_ENOMEM;
		return NULL;
	}
	ops = msidom_opts_load(ctx, given, local, size, what, err);
	if (!ops) {
		msidom_free(ctx, local, size);
		return NULL;
	}
	*copy = local;
	return ops;
}

static int load_domain_ops(struct msidom_domain *d, const struct msidom_domain_info *info)
{
	void *copy;
	int ret;

	d->ops = load_ops(d->ctx, info->ops, sizeof(*d->ops), "msidom_domain_ops", &copy, &ret);
	d->ops_copy = copy;
	if (ret)
		return ret;
	d->chip = load_ops(d->ctx, info->chip, sizeof(*d->chip), "msidom_chip_ops", &copy, &ret);
	d->chip_copy = copy;
	if (ret) {
		msidom_free(d->ctx, d->ops_copy, sizeof(*d->ops_copy));
		return ret;
	}
	return 0;
}

static void free_domain_ops(struct msidom_domain *d)
{
	msidom_free(d->ctx, d->chip_copy, sizeof(*d->chip_copy));
	msidom_free(d->ctx, d->ops_copy, sizeof(*d->ops_copy));
}

int msidom__domain_new(struct msidom_ctx *ctx, const struct msidom_domain_info *info,
		       struct msidom_domain *parent, struct msidom_domain **out)
{
	struct msidom_domain *d;
	int ret = check_info(ctx, info, parent);

	if (ret)
		return ret;
	d = msidom_zalloc(ctx, sizeof(*d));
	if (!d)
		return -MSIDOM_ENOMEM;
	d->ctx = ctx;
	ret = load_domain_ops(d, info);
	if (ret)
		goto err_free;
	ret = msidom__radix_init(ctx, &d->revmap, info->hwsize);
	if (ret)
		goto err_ops;

	msidom__strlcpy(d->name, info->name, sizeof(d->name));
	if (info->child_prefix)
		msidom__strlcpy(d->child_prefix, info->child_prefix, sizeof(d->child_prefix));
	d->bus = info->bus;
	d->flags = info->flags;
	d->hwsize = info->hwsize;
	d->priv = info->priv;
	d->path[0] = d;
	d->nlevels = 1;
	if (parent) {
		for (uint8_t i = 0; i < parent->nlevels; i++)
			d->path[i + 1] = parent->path[i];
		d->nlevels = (uint8_t)(parent->nlevels + 1);
		parent->nchildren++;
	}
	cache_levels(d);
	list_add_tail(&ctx->domains, &d->node);
	*out = d;
	return 0;

err_ops:
	free_domain_ops(d);
err_free:
	msidom_free(ctx, d, sizeof(*d));
	return ret;
}

/* Caller holds the lock; the domain has no children and no interrupts. */
void msidom__domain_release(struct msidom_domain *d)
{
	struct msidom_ctx *ctx = d->ctx;

	/* Vectors freed in a batch that never ended still hold their parents. */
	msidom__reap_retired(d);
	if (d->ops && d->ops->destroy)
		d->ops->destroy(d);
	if (d->nlevels > 1)
		d->path[1]->nchildren--;
	list_del(&d->node);
	msidom__desc_spare_release(d);
	msidom__bitmap_fini(ctx, &d->index_map);
	msidom__radix_fini(ctx, &d->revmap);
	free_domain_ops(d);
	msidom_free(ctx, d, sizeof(*d));
}

MSIDOM_API int msidom_domain_create(struct msidom_ctx *ctx, const struct msidom_domain_info *info,
				    struct msidom_domain *parent, struct msidom_domain **out)
{
	struct msidom_domain_info local;
	int ret;

	if (!ctx || !info || !out) {
		if (ctx)
			pr_err(ctx, "domain_create: NULL argument");
		return -MSIDOM_EINVAL;
	}
	*out = NULL;
	info = msidom_opts_load(ctx, info, &local, sizeof(local), "msidom_domain_info", &ret);
	if (!info)
		return ret;
	if (info->flags & MSIDOM_DOMAIN_DEVICE) {
		pr_err(ctx, "domain %s: device domains come from msidom_device_domain_create()",
		       info->name ? info->name : "?");
		return -MSIDOM_EINVAL;
	}
	msidom__lock(ctx);
	ret = msidom__domain_new(ctx, info, parent, out);
	msidom__unlock(ctx);
	return ret;
}

MSIDOM_API int msidom_domain_destroy(struct msidom_domain *d)
{
	struct msidom_ctx *ctx;

	if (!d)
		return -MSIDOM_EINVAL;
	ctx = d->ctx;
	if (d->flags & MSIDOM_DOMAIN_DEVICE) {
		pr_err(ctx, "domain %s: use msidom_device_domain_destroy()", d->name);
		return -MSIDOM_EINVAL;
	}
	msidom__lock(ctx);
	if (d->nchildren || d->mapped || d->batch_depth) {
		pr_err(ctx, "domain %s: %u children, %u interrupts, %u batch(es) still open",
		       d->name, d->nchildren, d->mapped, d->batch_depth);
		msidom__unlock(ctx);
		return -MSIDOM_EBUSY;
	}
	msidom__domain_release(d);
	msidom__unlock(ctx);
	return 0;
}

MSIDOM_API const char *msidom_domain_name(const struct msidom_domain *d)
{
	return d ? d->name : NULL;
}

MSIDOM_API struct msidom_domain *msidom_domain_parent(const struct msidom_domain *d)
{
	return d && d->nlevels > 1 ? d->path[1] : NULL;
}

MSIDOM_API uint32_t msidom_domain_flags(const struct msidom_domain *d)
{
	return d ? d->flags : 0;
}

MSIDOM_API enum msidom_bus_token msidom_domain_bus(const struct msidom_domain *d)
{
	return d ? d->bus : MSIDOM_BUS_ANY;
}

MSIDOM_API uint32_t msidom_domain_hwsize(const struct msidom_domain *d)
{
	return d ? d->hwsize : 0;
}

MSIDOM_API void *msidom_domain_priv(const struct msidom_domain *d)
{
	return d ? d->priv : NULL;
}

MSIDOM_API struct msidom_ctx *msidom_domain_ctx(const struct msidom_domain *d)
{
	return d ? d->ctx : NULL;
}

MSIDOM_API struct msidom_device *msidom_domain_device(const struct msidom_domain *d)
{
	return d ? d->dev : NULL;
}

MSIDOM_API uint32_t msidom_domain_mapped(const struct msidom_domain *d)
{
	return d ? d->mapped : 0;
}

MSIDOM_API uint64_t msidom_domain_spurious(const struct msidom_domain *d)
{
	return d ? __atomic_load_n(&d->spurious, __ATOMIC_RELAXED) : 0;
}

int msidom__revmap_insert(struct msidom_domain *d, uint32_t hwirq, struct msidom_irq_data *data)
{
	int ret;

	if (hwirq >= d->hwsize) {
		pr_err(d->ctx, "domain %s: hwirq %u >= hwsize %u", d->name, hwirq, d->hwsize);
		return -MSIDOM_ERANGE;
	}
	ret = msidom_radix_insert(d->ctx, &d->revmap, hwirq, data);
	if (ret) {
		if (ret == -MSIDOM_EEXIST)
			pr_err(d->ctx, "domain %s: hwirq %u already mapped", d->name, hwirq);
		return ret;
	}
	d->mapped++;
	return 0;
}

void msidom__revmap_remove(struct msidom_domain *d, uint32_t hwirq, bool release)
{
	if (!msidom_radix_lookup(&d->revmap, hwirq))
		return;
	msidom_radix_remove(d->ctx, &d->revmap, hwirq, release);
	d->mapped--;
}

MSIDOM_API int64_t msidom_domain_find_virq(const struct msidom_domain *d, uint32_t hwirq)
{
	const struct msidom_irq_data *data;
	uint32_t virq;

	if (!d)
		return -MSIDOM_EINVAL;
	data = msidom_radix_lookup(&d->revmap, hwirq);
	if (!data)
		return -MSIDOM_ENOENT;
	virq = data_desc(data)->virq;
	return virq ? (int64_t)virq : -MSIDOM_ENOENT;
}

MSIDOM_API int msidom_domain_map(struct msidom_domain *d, uint32_t hwirq,
				 struct msidom_irq_data *data)
{
	if (!d)
		return -MSIDOM_EINVAL;
	if (!data) {
		pr_err(d->ctx, "domain %s: map: NULL irq data", d->name);
		return -MSIDOM_EINVAL;
	}
	if (data_domain(data) != d) {
		pr_err(d->ctx, "domain %s: irq data belongs to domain %s", d->name,
		       data_domain(data)->name);
		return -MSIDOM_EINVAL;
	}
	if ((d->flags & MSIDOM_DOMAIN_DEVICE) && hwirq < d->hwsize &&
	    !msidom_radix_lookup(&d->revmap, hwirq)) {
		pr_err(d->ctx, "domain %s: a device domain's map is its descriptor store", d->name);
		return -MSIDOM_EINVAL;
	}
	return msidom__revmap_insert(d, hwirq, data);
}

MSIDOM_API int msidom_domain_unmap(struct msidom_domain *d, uint32_t hwirq)
{
	if (!d)
		return -MSIDOM_EINVAL;
	if (d->flags & MSIDOM_DOMAIN_DEVICE) {
		pr_err(d->ctx, "domain %s: a device domain's map is its descriptor store", d->name);
		return -MSIDOM_EINVAL;
	}
	if (!msidom_radix_lookup(&d->revmap, hwirq)) {
		pr_err(d->ctx, "domain %s: hwirq %u not mapped", d->name, hwirq);
		return -MSIDOM_ENOENT;
	}
	msidom__revmap_remove(d, hwirq, false);
	return 0;
}

MSIDOM_API int msidom_domain_batch_begin(struct msidom_domain *d)
{
	if (!d)
		return -MSIDOM_EINVAL;
	msidom__lock(d->ctx);
	msidom__batch_begin(d);
	msidom__unlock(d->ctx);
	return 0;
}

MSIDOM_API int msidom_domain_batch_end(struct msidom_domain *d)
{
	int ret;

	if (!d)
		return -MSIDOM_EINVAL;
	msidom__lock(d->ctx);
	if (!d->batch_depth) {
		pr_err(d->ctx, "domain %s: batch_end without batch_begin", d->name);
		msidom__unlock(d->ctx);
		return -MSIDOM_EINVAL;
	}
	ret = msidom__batch_end(d);
	msidom__unlock(d->ctx);
	return ret;
}
