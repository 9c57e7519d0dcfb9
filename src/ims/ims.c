/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * PCI/IMS device domains: the core's per-device domain driven by slot
 * storage callbacks. The domain composes nothing and retargets nothing;
 * it only forwards the core's message writes, masks and batches to the
 * storage, with each slot's cookie. Any storage will do: the ready-made
 * ones (ims_array.c, ims_queue.c) build theirs and come here like a
 * driver's would.
 */
#include "ims_internal.h"

/* A slot freed inside a batch, released once the batch's updates applied. */
struct ims_release {
	struct ims_release *next;
	uint32_t slot;
	msidom_cookie cookie;
};

struct ims_domain {
	uint32_t hwsize;
	struct msidom_ctx *ctx;
	struct msidom_ims_storage storage; /* .ops = &ops */
	struct msidom_ims_storage_ops ops; /* the storage's callbacks, loaded once */
	void *state;
	msidom_ims_fini_fn fini;
	/*
	 * Set while msidom_device_domain_create() runs, so that the creator
	 * learns whether a failing core already ran our destroy op.
	 */
	bool *destroyed;
	/* release_slot calls waiting for bus_sync_unlock, newest first. */
	struct ims_release *pending;
};

static struct ims_domain *ims_of(const struct msidom_domain *d)
{
	return msidom_domain_priv(d);
}

/* Run the deferred release_slot calls (all, or only @slot's), oldest first. */
static void run_releases(struct ims_domain *ims, bool all, uint32_t slot)
{
	struct ims_release **pp = &ims->pending;
	struct ims_release *todo = NULL;

	while (*pp) {
		struct ims_release *r = *pp;

		if (!all && r->slot != slot) {
			pp = &r->next;
			continue;
		}
		*pp = r->next;
		r->next = todo;
		todo = r;
	}
	while (todo) {
		struct ims_release *r = todo;

		todo = r->next;
		ims->storage.ops->release_slot(ims->storage.opaque, r->slot, r->cookie);
		msidom_free(ims->ctx, r, sizeof(*r));
	}
}

static void ims_release(struct ims_domain *ims)
{
	struct msidom_ctx *ctx = ims->ctx;

	run_releases(ims, true, 0);

	if (ims->fini)
		ims->fini(ctx, ims->state);
	if (ims->destroyed)
		*ims->destroyed = true;
	msidom_free(ctx, ims, sizeof(*ims));
}

static bool msg_is_zero(const struct msidom_msg *msg)
{
	return !msg->address_lo && !msg->address_hi && !msg->data;
}

static int ims_prepare_desc(struct msidom_domain *d, struct msidom_desc *desc, msidom_cookie cookie)
{
	struct ims_domain *ims = ims_of(d);
	uint32_t slot = msidom_desc_index(desc);
	int ret;

	if (slot >= ims->hwsize) {
		msidom_log(ims->ctx, MSIDOM_LOG_ERR, "%s: slot %u outside 0..%u",
			   msidom_domain_name(d), slot, ims->hwsize - 1);
		return -MSIDOM_ERANGE;
	}
	/*
	 * Reused in the batch that freed it: the driver sees release and
	 * prepare in order, as without deferral.
	 */
	run_releases(ims, false, slot);
	if (!ims->storage.ops->prepare_slot)
		return 0;
	ret = ims->storage.ops->prepare_slot(ims->storage.opaque, slot, cookie);
	if (ret < 0)
		msidom_log(ims->ctx, MSIDOM_LOG_ERR, "%s: slot %u refused by storage: %s",
			   msidom_domain_name(d), slot, msidom_strerror(ret));
	return ret < 0 ? ret : 0;
}

static void ims_teardown_desc(struct msidom_domain *d, struct msidom_desc *desc)
{
	struct ims_domain *ims = ims_of(d);
	struct ims_release *r;

	if (!ims->storage.ops->release_slot)
		return;
	/*
	 * A batched storage applies the free's mask and zeroed write only at
	 * bus_sync_unlock: the slot is still live until then.
	 */
	r = ims->storage.ops->bus_sync_unlock ? msidom_zalloc(ims->ctx, sizeof(*r)) : NULL;
	if (!r) {
		ims->storage.ops->release_slot(ims->storage.opaque, msidom_desc_index(desc),
					       msidom_desc_cookie(desc));
		return;
	}
	r->slot = msidom_desc_index(desc);
	r->cookie = msidom_desc_cookie(desc);
	r->next = ims->pending;
	ims->pending = r;
}

static void ims_destroy(struct msidom_domain *d)
{
	ims_release(ims_of(d));
}

static int ims_call_mask(struct ims_domain *ims, struct msidom_irq_data *data, bool mask)
{
	const struct msidom_ims_storage_ops *ops = ims->storage.ops;
	uint32_t slot = msidom_irq_data_hwirq(data);
	msidom_cookie cookie = msidom_irq_data_cookie(data);
	int ret;

	ret = mask ? ops->mask(ims->storage.opaque, slot, cookie) :
		     ops->unmask(ims->storage.opaque, slot, cookie);
	if (ret < 0) {
		msidom_log(ims->ctx, MSIDOM_LOG_ERR, "%s: %s of slot %u failed: %s",
			   msidom_domain_name(msidom_irq_data_domain(data)),
			   mask ? "mask" : "unmask", slot, msidom_strerror(ret));
		return ret;
	}
	return 0;
}

static int ims_mask(struct msidom_irq_data *data)
{
	return ims_call_mask(ims_of(msidom_irq_data_domain(data)), data, true);
}

static int ims_unmask(struct msidom_irq_data *data)
{
	return ims_call_mask(ims_of(msidom_irq_data_domain(data)), data, false);
}

static int ims_write_msg(struct msidom_irq_data *data, const struct msidom_msg *msg)
{
	struct ims_domain *ims = ims_of(msidom_irq_data_domain(data));
	uint32_t slot = msidom_irq_data_hwirq(data);
	int ret;

	/*
	 * A cleared slot that still signals would send a write to address 0;
	 * the core masks before deactivating, but the storage contract
	 * (write_msg of zero always finds the slot masked) is kept here.
	 */
	if (msg_is_zero(msg) && !msidom_desc_masked(msidom_irq_data_desc(data))) {
		ret = ims_call_mask(ims, data, true);
		if (ret)
			return ret;
	}
	ret = ims->storage.ops->write_msg(ims->storage.opaque, slot, msg,
					  msidom_irq_data_cookie(data));
	if (ret < 0) {
		msidom_log(ims->ctx, MSIDOM_LOG_ERR, "%s: writing slot %u failed: %s",
			   msidom_domain_name(msidom_irq_data_domain(data)), slot,
			   msidom_strerror(ret));
		return ret;
	}
	return 0;
}

static void ims_bus_lock(struct msidom_domain *d)
{
	struct ims_domain *ims = ims_of(d);

	if (ims->storage.ops->bus_lock)
		ims->storage.ops->bus_lock(ims->storage.opaque);
}

static int ims_bus_sync_unlock(struct msidom_domain *d)
{
	struct ims_domain *ims = ims_of(d);
	int ret;

	if (!ims->storage.ops->bus_sync_unlock)
		return 0;
	ret = ims->storage.ops->bus_sync_unlock(ims->storage.opaque);
	/*
	 * The freed slots' descriptors are gone either way: nothing would
	 * release them later, so a failed sync releases them too.
	 */
	run_releases(ims, true, 0);
	if (ret < 0) {
		msidom_log(ims->ctx, MSIDOM_LOG_ERR, "%s: storage sync failed: %s",
			   msidom_domain_name(d), msidom_strerror(ret));
		return ret;
	}
	return 0;
}

static const struct msidom_domain_ops ims_domain_ops = {
	.sz = sizeof(struct msidom_domain_ops),
	.prepare_desc = ims_prepare_desc,
	.teardown_desc = ims_teardown_desc,
	.destroy = ims_destroy,
};

/* No compose_msg (the parent composes) and no set_affinity (see ims.h). */
static const struct msidom_chip_ops ims_chip_ops = {
	.sz = sizeof(struct msidom_chip_ops),
	.write_msg = ims_write_msg,
	.mask = ims_mask,
	.unmask = ims_unmask,
	.bus_lock = ims_bus_lock,
	.bus_sync_unlock = ims_bus_sync_unlock,
};

/* Zero without libc: this part builds freestanding, where { 0 } may become memset(). */
static void msidom_ims_zero(void *p, size_t n)
{
	volatile unsigned char *b = p;

	while (n--)
		*b++ = 0;
}

/* The storage's callbacks as this library lays them out, whatever the driver's header. */
static int load_storage_ops(struct msidom_ctx *ctx, const struct msidom_ims_storage *storage,
			    struct msidom_ims_storage_ops *ops)
{
	const struct msidom_ims_storage_ops *given;
	int ret;

	msidom_ims_zero(ops, sizeof(*ops));
	if (!storage->ops) {
		msidom_log(ctx, MSIDOM_LOG_ERR, "ims: storage without callbacks");
		return -MSIDOM_EINVAL;
	}
	given = msidom_opts_load(ctx, storage->ops, ops, sizeof(*ops), "msidom_ims_storage_ops",
				 &ret);
	if (!given)
		return ret;
	if (given != ops)
		*ops = *given;
	return 0;
}

static int check_storage(struct msidom_ctx *ctx, const struct msidom_ims_storage_ops *ops)
{
	if (!ops || !ops->write_msg || !ops->mask || !ops->unmask) {
		msidom_log(ctx, MSIDOM_LOG_ERR,
			   "ims: storage needs write_msg, mask and unmask callbacks");
		return -MSIDOM_EINVAL;
	}
	if (!ops->bus_lock != !ops->bus_sync_unlock) {
		msidom_log(ctx, MSIDOM_LOG_ERR,
			   "ims: storage needs both bus_lock and bus_sync_unlock, or neither");
		return -MSIDOM_EINVAL;
	}
	return 0;
}

int msidom__ims_create(struct msidom_device *dev, const struct msidom_ims_info *info,
		       const struct msidom_ims_storage *storage, uint32_t max_hwsize, void *state,
		       msidom_ims_fini_fn fini, struct msidom_domain *parent,
		       struct msidom_domain **out)
{
	struct msidom_ctx *ctx = msidom_device_ctx(dev);
	struct msidom_ims_storage_ops ops;
	struct msidom_template tmpl;
	struct ims_domain *ims;
	bool destroyed = false;
	uint32_t hwsize;
	int ret;

	ret = load_storage_ops(ctx, storage, &ops);
	if (ret)
		goto err_state;
	ret = check_storage(ctx, &ops);
	if (ret)
		goto err_state;
	hwsize = info->hwsize ? info->hwsize : max_hwsize;
	if (!hwsize || hwsize > max_hwsize) {
		msidom_log(ctx, MSIDOM_LOG_ERR, "ims: hwsize %u outside 1..%u", info->hwsize,
			   max_hwsize);
		ret = -MSIDOM_EINVAL;
		goto err_state;
	}
	ims = msidom_zalloc(ctx, sizeof(*ims));
	if (!ims) {
		ret = -MSIDOM_ENOMEM;
		goto err_state;
	}
	ims->hwsize = hwsize;
	ims->ctx = ctx;
	ims->ops = ops;
	ims->storage.sz = sizeof(ims->storage);
	ims->storage.ops = &ims->ops;
	ims->storage.opaque = storage->opaque;
	ims->state = state;
	ims->fini = fini;
	ims->destroyed = &destroyed;

	msidom_ims_zero(&tmpl, sizeof(tmpl));
	tmpl.sz = sizeof(tmpl);
	tmpl.name = info->name ? info->name : "PCI-IMS";
	tmpl.bus = MSIDOM_BUS_PCI_IMS;
	tmpl.flags = MSIDOM_DOMAIN_MASK_ON_FREE;
	tmpl.hwsize = hwsize;
	tmpl.ops = &ims_domain_ops;
	tmpl.chip = &ims_chip_ops;
	tmpl.priv = ims;
	tmpl.default_cookie = info->default_cookie;
	ret = msidom_device_domain_create(dev, MSIDOM_SECONDARY_DOMAIN, &tmpl, parent, out);
	if (ret) {
		/* The core may or may not have run our destroy op on its way out. */
		if (!destroyed) {
			ims->destroyed = NULL;
			ims_release(ims);
		}
		return ret;
	}
	ims->destroyed = NULL;
	return 0;

err_state:
	if (fini)
		fini(ctx, state);
	return ret;
}

/* Argument checks shared by every IMS creator, before any storage is built. */
int msidom__ims_check_args(struct msidom_device *dev, const struct msidom_ims_info **info,
			   struct msidom_ims_info *local, const void *storage,
			   struct msidom_domain *parent, struct msidom_domain **out)
{
	struct msidom_ctx *ctx = dev ? msidom_device_ctx(dev) : msidom_domain_ctx(parent);
	int ret;

	if (out)
		*out = NULL;
	if (!dev || !*info || !storage || !parent || !out) {
		/* Without a device or a parent there is no context to log to. */
		if (ctx)
			msidom_log(ctx, MSIDOM_LOG_ERR,
				   "ims: NULL device, info, storage, parent or out");
		return -MSIDOM_EINVAL;
	}
	*info = msidom_opts_load(ctx, *info, local, sizeof(*local), "msidom_ims_info", &ret);
	return *info ? 0 : ret;
}

MSIDOM_API int msidom_ims_domain_create(struct msidom_device *dev,
					const struct msidom_ims_info *info,
					const struct msidom_ims_storage *storage,
					struct msidom_domain *parent, struct msidom_domain **out)
{
	struct msidom_ims_storage slocal;
	struct msidom_ims_info ilocal;
	int ret = msidom__ims_check_args(dev, &info, &ilocal, storage, parent, out);

	if (ret)
		return ret;
	storage = msidom_opts_load(msidom_device_ctx(dev), storage, &slocal, sizeof(slocal),
				   "msidom_ims_storage", &ret);
	if (!storage)
		return ret;
	/* Driver storage has no size of its own to default to. */
	if (!info->hwsize) {
		msidom_log(msidom_device_ctx(dev), MSIDOM_LOG_ERR, "ims: hwsize 0 outside 1..%u",
			   MSIDOM_MAX_HWSIZE);
		return -MSIDOM_EINVAL;
	}
	return msidom__ims_create(dev, info, storage, MSIDOM_MAX_HWSIZE, NULL, NULL, parent, out);
}
