/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Devices and their per-device domains, created from templates.
 */
#include "internal.h"

MSIDOM_API int msidom_device_create(struct msidom_ctx *ctx, const struct msidom_device_info *info,
				    struct msidom_device **out)
{
	struct msidom_device_info local;
	struct msidom_device *dev;
	int ret;

	if (!ctx || !info || !out) {
		if (ctx)
			pr_err(ctx, "device_create: NULL argument");
		return -MSIDOM_EINVAL;
	}
	info = msidom_opts_load(ctx, info, &local, sizeof(local), "msidom_device_info", &ret);
	if (!info)
		return ret;
	if (!info->name || !info->name[0]) {
		pr_err(ctx, "device_create: a device needs a name");
		return -MSIDOM_EINVAL;
	}
	*out = NULL;
	msidom__lock(ctx);
	dev = msidom_zalloc(ctx, sizeof(*dev));
	if (!dev) {
		msidom__unlock(ctx);
		return -MSIDOM_ENOMEM;
	}
	dev->ctx = ctx;
	msidom__strlcpy(dev->name, info->name, sizeof(dev->name));
	dev->requester_id = info->requester_id;
	dev->priv = info->priv;
	list_add_tail(&ctx->devices, &dev->node);
	msidom__unlock(ctx);
	*out = dev;
	return 0;
}

static int remove_domain_locked(struct msidom_device *dev, enum msidom_slot slot)
{
	struct msidom_domain *dd = dev->domains[slot];
	int ret = msidom__free_all_locked(dd);

	if (ret < 0)
		pr_err(dev->ctx,
		       "%s: freeing the vectors of %s failed (%s); removed anyway, "
		       "reset the device",
		       dev->name, dd->name, msidom_strerror(ret));
	dev->domains[slot] = NULL;
	msidom__domain_release(dd);
	return ret < 0 ? ret : 0;
}

MSIDOM_API void msidom_device_destroy(struct msidom_device *dev)
{
	struct msidom_ctx *ctx;

	if (!dev)
		return;
	ctx = dev->ctx;
	msidom__lock(ctx);
	/* IMS goes first: it may depend on queues the default domain serves. */
	for (int s = MSIDOM_MAX_DOMAINS - 1; s >= 0; s--)
		if (dev->domains[s])
			remove_domain_locked(dev, (enum msidom_slot)s);
	list_del(&dev->node);
	msidom_free(ctx, dev, sizeof(*dev));
	msidom__unlock(ctx);
}

MSIDOM_API const char *msidom_device_name(const struct msidom_device *dev)
{
	return dev ? dev->name : NULL;
}

MSIDOM_API uint16_t msidom_device_requester_id(const struct msidom_device *dev)
{
	return dev ? dev->requester_id : 0;
}

MSIDOM_API void *msidom_device_priv(const struct msidom_device *dev)
{
	return dev ? dev->priv : NULL;
}

MSIDOM_API struct msidom_ctx *msidom_device_ctx(const struct msidom_device *dev)
{
	return dev ? dev->ctx : NULL;
}

static int check_template(struct msidom_device *dev, enum msidom_slot slot,
			  const struct msidom_template *tmpl, struct msidom_domain *parent)
{
	struct msidom_ctx *ctx = dev->ctx;

	if ((unsigned int)slot >= MSIDOM_MAX_DOMAINS) {
		pr_err(ctx, "%s: bad domain slot %d", dev->name, (int)slot);
		return -MSIDOM_EINVAL;
	}
	if (!tmpl || !tmpl->name || !tmpl->name[0] || !parent) {
		pr_err(ctx, "%s: a template with a name and a parent are required", dev->name);
		return -MSIDOM_EINVAL;
	}
	if (!tmpl->hwsize || tmpl->hwsize > MSIDOM_MAX_HWSIZE) {
		pr_err(ctx, "%s: template %s hwsize %u outside 1..%u", dev->name, tmpl->name,
		       tmpl->hwsize, MSIDOM_MAX_HWSIZE);
		return -MSIDOM_EINVAL;
	}
	if (!(parent->flags & MSIDOM_DOMAIN_MSI_PARENT)) {
		pr_err(ctx, "%s: parent %s is not an MSI parent", dev->name, parent->name);
		return -MSIDOM_EINVAL;
	}
	if (parent->ctx != ctx) {
		pr_err(ctx, "%s: parent belongs to another context", dev->name);
		return -MSIDOM_EINVAL;
	}
	if (dev->domains[slot]) {
		pr_err(ctx, "%s: slot %d already holds %s", dev->name, (int)slot,
		       dev->domains[slot]->name);
		return -MSIDOM_EEXIST;
	}
	return 0;
}

MSIDOM_API int msidom_device_domain_create(struct msidom_device *dev, enum msidom_slot slot,
					   const struct msidom_template *tmpl,
					   struct msidom_domain *parent, struct msidom_domain **out)
{
	struct msidom_template tlocal;
	struct msidom_domain_info info;
	struct msidom_domain *dd;
	char name[64];
	int ret;

	if (!dev || !out) {
		if (dev)
			pr_err(dev->ctx, "%s: create_domain: NULL out", dev->name);
		return -MSIDOM_EINVAL;
	}
	*out = NULL;
	if (tmpl) {
		tmpl = msidom_opts_load(dev->ctx, tmpl, &tlocal, sizeof(tlocal), "msidom_template",
					&ret);
		if (!tmpl)
			return ret;
	}
	msidom__lock(dev->ctx);
	ret = check_template(dev, slot, tmpl, parent);
	if (ret)
		goto out;
	msidom_snprintf(name, sizeof(name), "%s%s-%s", parent->child_prefix, tmpl->name, dev->name);
	msidom__memzero(&info, sizeof(info));
	info.name = name;
	info.bus = tmpl->bus;
	info.flags = tmpl->flags | MSIDOM_DOMAIN_DEVICE;
	info.hwsize = tmpl->hwsize;
	info.ops = tmpl->ops;
	info.chip = tmpl->chip;
	info.priv = tmpl->priv;
	ret = msidom__domain_new(dev->ctx, &info, parent, &dd);
	if (ret)
		goto out;
	ret = msidom__bitmap_init(dev->ctx, &dd->index_map, tmpl->hwsize);
	if (ret) {
		/* No ops->destroy yet: the caller still owns priv. */
		dd->ops = NULL;
		msidom__domain_release(dd);
		goto out;
	}
	dd->dev = dev;
	dd->slot = slot;
	dd->default_cookie = tmpl->default_cookie;
	dev->domains[slot] = dd;
	*out = dd;
out:
	msidom__unlock(dev->ctx);
	return ret;
}

MSIDOM_API int msidom_device_domain_destroy(struct msidom_device *dev, enum msidom_slot slot)
{
	int ret = 0;

	if (!dev)
		return -MSIDOM_EINVAL;
	if ((unsigned int)slot >= MSIDOM_MAX_DOMAINS) {
		pr_err(dev->ctx, "%s: bad domain slot %d", dev->name, (int)slot);
		return -MSIDOM_EINVAL;
	}
	msidom__lock(dev->ctx);
	if (!dev->domains[slot]) {
		pr_err(dev->ctx, "%s: slot %d has no domain", dev->name, (int)slot);
		ret = -MSIDOM_ENOENT;
	} else if (dev->domains[slot]->batch_depth) {
		pr_err(dev->ctx, "%s: domain %s has a batch open", dev->name,
		       dev->domains[slot]->name);
		ret = -MSIDOM_EBUSY;
	} else {
		ret = remove_domain_locked(dev, slot);
	}
	msidom__unlock(dev->ctx);
	return ret;
}

MSIDOM_API struct msidom_domain *msidom_device_domain(const struct msidom_device *dev,
						      enum msidom_slot slot)
{
	if (!dev || (unsigned int)slot >= MSIDOM_MAX_DOMAINS)
		return NULL;
	return dev->domains[slot];
}

static bool path_isolated(const struct msidom_domain *d)
{
	for (uint8_t l = 0; l < d->nlevels; l++)
		if (d->path[l]->flags & MSIDOM_DOMAIN_ISOLATED_MSI)
			return true;
	return false;
}

MSIDOM_API int msidom_device_msi_isolated(const struct msidom_device *dev)
{
	int found = 0;

	if (!dev)
		return -MSIDOM_EINVAL;
	msidom__lock(dev->ctx);
	for (int s = 0; s < MSIDOM_MAX_DOMAINS; s++) {
		if (!dev->domains[s])
			continue;
		if (!path_isolated(dev->domains[s])) {
			msidom__unlock(dev->ctx);
			return 0;
		}
		found = 1;
	}
	msidom__unlock(dev->ctx);
	return found ? 1 : -MSIDOM_ENOENT;
}
