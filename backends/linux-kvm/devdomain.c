/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Per-device domains under the GSI root: the guest's vectors. A vector's
 * composed message is the guest's (the VMM's compose callback), and its
 * "storage" is its GSI's route: write_msg changes the route, and the
 * domain's bus lock is the VM's batch, so the core's per-operation batch
 * makes each operation one KVM_SET_GSI_ROUTING and a caller's batch of
 * the domain makes all of them one.
 */
#include "kvm_internal.h"

static struct kvm_devdom *devdom_of(struct msidom_domain *d)
{
	return msidom_domain_priv(d);
}

static uint32_t gsi_of(struct msidom_irq_data *data)
{
	return msidom_irq_data_hwirq(msidom_irq_data_parent(data));
}

static int dd_alloc(struct msidom_domain *d, struct msidom_irq_data *const *data, unsigned int nr,
		    const struct msidom_alloc_arg *arg)
{
	(void)arg;
	struct kvm_devdom *dd = devdom_of(d);
	for (unsigned int i = 0; i < nr; i++)
		dd->gsi[msidom_irq_data_hwirq(data[i])] = gsi_of(data[i]);
	return 0;
}

static void dd_free(struct msidom_domain *d, struct msidom_irq_data *const *data, unsigned int nr)
{
	struct kvm_devdom *dd = devdom_of(d);
	for (unsigned int i = 0; i < nr; i++) {
		uint32_t index = msidom_irq_data_hwirq(data[i]);
		if (index < dd->hwsize)
			dd->gsi[index] = UINT32_MAX;
	}
}

static void dd_release(struct kvm_devdom *dd)
{
	struct msidom_ctx *ctx = dd->kvm->ctx;
	msidom_free(ctx, dd->gsi, dd->hwsize * sizeof(uint32_t));
	msidom_free(ctx, dd, sizeof(*dd));
}

static void dd_destroy(struct msidom_domain *d)
{
	struct kvm_devdom *dd = devdom_of(d);
	struct kvm_devdom **pp = &dd->kvm->devdoms;
	while (*pp && *pp != dd)
		pp = &(*pp)->next;
	if (*pp)
		*pp = dd->next;
	dd_release(dd);
}

static int dd_compose(struct msidom_irq_data *data, struct msidom_msg *msg)
{
	struct kvm_devdom *dd = devdom_of(msidom_irq_data_domain(data));
	uint32_t index = msidom_irq_data_hwirq(data);
	int ret = dd->compose(dd->arg, index, msg);
	if (ret < 0)
		msidom_log(dd->kvm->ctx, MSIDOM_LOG_ERR, "%s: guest message of vector %u: %s",
			   msidom_domain_name(dd->d), index, msidom_strerror(ret));
	return ret;
}

static int dd_write_msg(struct msidom_irq_data *data, const struct msidom_msg *msg)
{
	struct kvm_devdom *dd = devdom_of(msidom_irq_data_domain(data));
	struct msidom_kvm *kvm = dd->kvm;
	uint32_t g = gsi_of(data);
	struct kvm_rt rt = { 0 };

	if (g >= kvm->ngsi || kvm->gsi[g].owner != KVM_GSI_DOMAIN)
		return -MSIDOM_EINVAL;
	if (msg->address_lo || msg->address_hi || msg->data) {
		rt.type = KVM_IRQ_ROUTING_MSI;
		rt.flags = (dd->flags & MSIDOM_KVM_MSI_VALID_DEVID) ? KVM_MSI_VALID_DEVID : 0;
		rt.u[0] = msg->address_lo;
		rt.u[1] = msg->address_hi;
		rt.u[2] = msg->data;
		rt.u[3] = rt.flags ? dd->devid : 0;
	}
	return msidom__kvm_route_change(kvm, g, &rt);
}

static void dd_bus_lock(struct msidom_domain *d)
{
	msidom__kvm_batch_begin(devdom_of(d)->kvm);
}

static int dd_bus_sync_unlock(struct msidom_domain *d)
{
	return msidom__kvm_batch_end(devdom_of(d)->kvm);
}

static const struct msidom_domain_ops dd_ops = {
	.sz = sizeof(struct msidom_domain_ops),
	.alloc = dd_alloc,
	.free = dd_free,
	.destroy = dd_destroy,
};

static const struct msidom_chip_ops dd_chip = {
	.sz = sizeof(struct msidom_chip_ops),
	.compose_msg = dd_compose,
	.write_msg = dd_write_msg,
	.bus_lock = dd_bus_lock,
	.bus_sync_unlock = dd_bus_sync_unlock,
};

MSIDOM_API int msidom_kvm_device_domain_create(struct msidom_kvm *kvm, struct msidom_device *dev,
					       enum msidom_slot slot,
					       const struct msidom_kvm_domain_config *cfg,
					       struct msidom_domain **out)
{
	struct msidom_kvm_domain_config local;
	int err;

	if (!kvm || !dev || !out)
		return -MSIDOM_EINVAL;
	*out = NULL;
	cfg = msidom_opts_load(kvm->ctx, cfg, &local, sizeof(local), "msidom_kvm_domain_config",
			       &err);
	if (!cfg)
		return err;
	if (!cfg->compose || !cfg->name || cfg->hwsize == 0 || cfg->hwsize > MSIDOM_MAX_HWSIZE ||
	    (cfg->flags & ~MSIDOM_KVM_MSI_VALID_DEVID)) {
		msidom_log(kvm->ctx, MSIDOM_LOG_ERR,
			   "%s: a per-device domain needs a name, a compose callback, hwsize 1 .. "
			   "%u and no flag but MSIDOM_KVM_MSI_VALID_DEVID",
			   kvm->name, MSIDOM_MAX_HWSIZE);
		return -MSIDOM_EINVAL;
	}

	struct kvm_devdom *dd = msidom_zalloc(kvm->ctx, sizeof(*dd));
	if (!dd)
		goto err_nomem;
	dd->gsi = msidom_zalloc(kvm->ctx, cfg->hwsize * sizeof(uint32_t));
	if (!dd->gsi)
		goto err_dd;
	for (uint32_t i = 0; i < cfg->hwsize; i++)
		dd->gsi[i] = UINT32_MAX;
	dd->kvm = kvm;
	dd->compose = cfg->compose;
	dd->arg = cfg->arg;
	dd->flags = cfg->flags;
	dd->devid = cfg->devid;
	dd->hwsize = cfg->hwsize;

	struct msidom_template tmpl = {
		.sz = sizeof(struct msidom_template),
		.name = cfg->name,
		.bus = cfg->bus != MSIDOM_BUS_ANY ? cfg->bus : MSIDOM_BUS_VIRT,
		.hwsize = cfg->hwsize,
		.ops = &dd_ops,
		.chip = &dd_chip,
		.priv = dd,
	};
	int ret = msidom_device_domain_create(dev, slot, &tmpl, kvm->root, &dd->d);
	if (ret < 0)
		goto err_release;
	msidom_ctx_lock(kvm->ctx);
	dd->next = kvm->devdoms;
	kvm->devdoms = dd;
	msidom_ctx_unlock(kvm->ctx);
	*out = dd->d;
	return 0;

err_release:
	/* The core did not take priv: it is still ours. */
	dd_release(dd);
	return ret;
err_dd:
	msidom_free(kvm->ctx, dd, sizeof(*dd));
err_nomem:
	msidom_log(kvm->ctx, MSIDOM_LOG_ERR, "%s: out of memory for a per-device domain",
		   kvm->name);
	return -MSIDOM_ENOMEM;
}

MSIDOM_API int64_t msidom_kvm_vector_gsi(const struct msidom_kvm *kvm,
					 const struct msidom_domain *d, uint32_t index)
{
	int64_t ret = -MSIDOM_EINVAL;
	if (!kvm || !d)
		return ret;
	msidom_ctx_lock(kvm->ctx);
	for (const struct kvm_devdom *dd = kvm->devdoms; dd; dd = dd->next) {
		if (dd->d != d)
			continue;
		if (index < dd->hwsize && dd->gsi[index] != UINT32_MAX)
			ret = dd->gsi[index];
		else
			ret = -MSIDOM_ENOENT;
		break;
	}
	msidom_ctx_unlock(kvm->ctx);
	if (ret == -MSIDOM_EINVAL)
		msidom_log(kvm->ctx, MSIDOM_LOG_ERR,
			   "%s: domain %s is not one of its per-device domains", kvm->name,
			   msidom_domain_name(d));
	return ret;
}
