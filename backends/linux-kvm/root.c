/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The GSI root domain: hwirq = GSI. Its alloc hands out GSIs of the
 * library's range; their routes come from the per-device domain above
 * (its write_msg), so the root composes nothing. Its bus lock is the
 * VM's batch, so a batch of the root holds every route change below it.
 */
#include "kvm_internal.h"

int64_t msidom__kvm_gsi_find(struct msidom_kvm *kvm, uint32_t nr)
{
	if (kvm->gsi_quota && kvm->stats.gsis + nr > kvm->gsi_quota) {
		msidom_log(kvm->ctx, MSIDOM_LOG_ERR, "%s: GSI quota of %u reached", kvm->name,
			   kvm->gsi_quota);
		return -MSIDOM_EDQUOT;
	}
	for (uint32_t g = kvm->info.first_gsi; g < kvm->ngsi; g++)
		if (kvm->gsi[g].owner == KVM_GSI_FREE)
			return g;
	msidom_log(kvm->ctx, MSIDOM_LOG_ERR, "%s: all %u GSIs from %u are in use", kvm->name,
		   kvm->ngsi - kvm->info.first_gsi, kvm->info.first_gsi);
	return -MSIDOM_ENOSPC;
}

static void gsi_release(struct msidom_kvm *kvm, uint32_t g)
{
	struct kvm_gsi *e = &kvm->gsi[g];
	e->want = (struct kvm_rt){ 0 };
	kvm->stats.gsis--;
	/*
	 * An irqfd KVM would not drop would inject into whatever the GSI
	 * routes next: the GSI stays out of use until a detach succeeds
	 * (msidom_kvm_irqfd_detach() or close).
	 */
	if (e->irqfd >= 0 && msidom__kvm_irqfd_deassign(kvm, g) < 0)
		e->owner = KVM_GSI_STALE;
	else
		e->owner = KVM_GSI_FREE;
}

static int root_alloc(struct msidom_domain *d, struct msidom_irq_data *const *data, unsigned int nr,
		      const struct msidom_alloc_arg *arg)
{
	(void)arg;
	struct msidom_kvm *kvm = msidom_domain_priv(d);
	unsigned int i;
	int ret = 0;

	for (i = 0; i < nr; i++) {
		int64_t g = msidom__kvm_gsi_find(kvm, 1);
		if (g < 0) {
			ret = (int)g;
			goto undo;
		}
		ret = msidom_irq_data_set_hwirq(data[i], (uint32_t)g);
		if (ret < 0)
			goto undo;
		kvm->gsi[g].owner = KVM_GSI_DOMAIN;
		kvm->stats.gsis++;
	}
	return 0;

undo:
	while (i-- > 0)
		gsi_release(kvm, msidom_irq_data_hwirq(data[i]));
	return ret;
}

static void root_free(struct msidom_domain *d, struct msidom_irq_data *const *data, unsigned int nr)
{
	struct msidom_kvm *kvm = msidom_domain_priv(d);
	for (unsigned int i = 0; i < nr; i++) {
		uint32_t g = msidom_irq_data_hwirq(data[i]);
		if (g < kvm->ngsi && kvm->gsi[g].owner == KVM_GSI_DOMAIN)
			gsi_release(kvm, g);
	}
	/* A free cannot fail: a stale route leaves KVM at the next commit. */
	(void)msidom__kvm_commit(kvm);
}

static void root_bus_lock(struct msidom_domain *d)
{
	msidom__kvm_batch_begin(msidom_domain_priv(d));
}

static int root_bus_sync_unlock(struct msidom_domain *d)
{
	return msidom__kvm_batch_end(msidom_domain_priv(d));
}

static const struct msidom_domain_ops root_ops = {
	.sz = sizeof(struct msidom_domain_ops),
	.alloc = root_alloc,
	.free = root_free,
};

static const struct msidom_chip_ops root_chip = {
	.sz = sizeof(struct msidom_chip_ops),
	.bus_lock = root_bus_lock,
	.bus_sync_unlock = root_bus_sync_unlock,
};

int msidom__kvm_root_create(struct msidom_kvm *kvm)
{
	struct msidom_domain_info info = {
		.sz = sizeof(struct msidom_domain_info),
		.name = kvm->name,
		.child_prefix = "KVM-",
		.bus = MSIDOM_BUS_GENERIC_MSI,
		.flags = MSIDOM_DOMAIN_MSI_PARENT,
		.hwsize = kvm->ngsi,
		.ops = &root_ops,
		.chip = &root_chip,
		.priv = kvm,
	};
	return msidom_domain_create(kvm->ctx, &info, NULL, &kvm->root);
}
