/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The VM's routing table. KVM_SET_GSI_ROUTING replaces the whole table,
 * so the library keeps two copies: the one it wants and the one KVM was
 * last given. A commit sends the wanted table when the two differ; a
 * failed one leaves KVM's table untouched, and the caller puts the wanted
 * one back.
 */
#include "kvm_internal.h"

static bool rt_eq(const struct kvm_rt *a, const struct kvm_rt *b)
{
	if (a->type != b->type)
		return false;
	if (a->type == 0)
		return true;
	return a->flags == b->flags && a->u[0] == b->u[0] && a->u[1] == b->u[1] &&
	       a->u[2] == b->u[2] && a->u[3] == b->u[3];
}

static void fill_entry(struct kvm_irq_routing_entry *e, uint32_t gsi, const struct kvm_rt *rt)
{
	*e = (struct kvm_irq_routing_entry){ .gsi = gsi, .type = rt->type };
	if (rt->type == KVM_IRQ_ROUTING_MSI) {
		e->flags = rt->flags;
		e->u.msi.address_lo = rt->u[0];
		e->u.msi.address_hi = rt->u[1];
		e->u.msi.data = rt->u[2];
		e->u.msi.devid = rt->u[3];
	} else {
		e->u.irqchip.irqchip = rt->u[0];
		e->u.irqchip.pin = rt->u[1];
	}
}

int msidom__kvm_commit(struct msidom_kvm *kvm)
{
	uint32_t nr = 0;
	bool changed = false;

	if (kvm->batch_depth)
		return 0;
	for (uint32_t g = 0; g < kvm->ngsi; g++) {
		const struct kvm_gsi *e = &kvm->gsi[g];
		if (!rt_eq(&e->want, &e->k))
			changed = true;
		if (e->want.type)
			fill_entry(&kvm->routing->entries[nr++], g, &e->want);
	}
	if (!changed)
		return 0;
	kvm->routing->nr = nr;
	kvm->routing->flags = 0;
	kvm->stats.set_gsi_routing++;
	int ret = msidom__kvm_ioctl(kvm, KVM_SET_GSI_ROUTING, kvm->routing);
	if (ret < 0) {
		kvm->stats.set_gsi_routing_failed++;
		msidom_log(kvm->ctx, MSIDOM_LOG_ERR, "%s: KVM_SET_GSI_ROUTING with %u routes: %s",
			   kvm->name, nr, msidom_strerror(ret));
		return ret;
	}
	for (uint32_t g = 0; g < kvm->ngsi; g++)
		kvm->gsi[g].k = kvm->gsi[g].want;
	return 0;
}

int msidom__kvm_route_change(struct msidom_kvm *kvm, uint32_t gsi, const struct kvm_rt *rt)
{
	struct kvm_gsi *e = &kvm->gsi[gsi];
	struct kvm_rt old = e->want;

	e->want = *rt;
	int ret = msidom__kvm_commit(kvm);
	if (ret < 0)
		e->want = old;
	return ret;
}

void msidom__kvm_batch_begin(struct msidom_kvm *kvm)
{
	kvm->batch_depth++;
}

int msidom__kvm_batch_end(struct msidom_kvm *kvm)
{
	if (--kvm->batch_depth)
		return 0;
	int ret = msidom__kvm_commit(kvm);
	if (ret < 0) {
		/*
		 * KVM kept the table it had before the batch: so does the
		 * library, except for GSIs freed meanwhile, which stay free
		 * (their stale routes leave KVM at the next commit).
		 */
		for (uint32_t g = 0; g < kvm->ngsi; g++) {
			struct kvm_gsi *e = &kvm->gsi[g];
			if (e->owner != KVM_GSI_FREE && e->owner != KVM_GSI_STALE)
				e->want = e->k;
		}
	}
	return ret;
}

int msidom__kvm_rt_from_route(struct msidom_kvm *kvm, const struct msidom_kvm_route *r,
			      struct kvm_rt *rt)
{
	*rt = (struct kvm_rt){ 0 };
	switch (r->type) {
	case MSIDOM_KVM_ROUTE_NONE: return 0;
	case MSIDOM_KVM_ROUTE_MSI:
		if (r->flags & ~MSIDOM_KVM_MSI_VALID_DEVID) {
			msidom_log(kvm->ctx, MSIDOM_LOG_ERR, "%s: unknown MSI route flags 0x%x",
				   kvm->name, r->flags);
			return -MSIDOM_EINVAL;
		}
		rt->type = KVM_IRQ_ROUTING_MSI;
		rt->flags = (r->flags & MSIDOM_KVM_MSI_VALID_DEVID) ? KVM_MSI_VALID_DEVID : 0;
		rt->u[0] = r->msg.address_lo;
		rt->u[1] = r->msg.address_hi;
		rt->u[2] = r->msg.data;
		rt->u[3] = rt->flags ? r->devid : 0;
		return 0;
	case MSIDOM_KVM_ROUTE_IRQCHIP:
		if (r->flags) {
			msidom_log(kvm->ctx, MSIDOM_LOG_ERR, "%s: an irqchip route takes no flags",
				   kvm->name);
			return -MSIDOM_EINVAL;
		}
		rt->type = KVM_IRQ_ROUTING_IRQCHIP;
		rt->u[0] = r->irqchip;
		rt->u[1] = r->pin;
		return 0;
	}
	msidom_log(kvm->ctx, MSIDOM_LOG_ERR, "%s: unknown route type %d", kvm->name, (int)r->type);
	return -MSIDOM_EINVAL;
}

void msidom__kvm_rt_to_route(const struct kvm_rt *rt, struct msidom_kvm_route *r)
{
	*r = (struct msidom_kvm_route){ .sz = sizeof(*r) };
	if (rt->type == KVM_IRQ_ROUTING_MSI) {
		r->type = MSIDOM_KVM_ROUTE_MSI;
		r->msg.address_lo = rt->u[0];
		r->msg.address_hi = rt->u[1];
		r->msg.data = rt->u[2];
		r->flags = (rt->flags & KVM_MSI_VALID_DEVID) ? MSIDOM_KVM_MSI_VALID_DEVID : 0;
		r->devid = rt->u[3];
	} else if (rt->type == KVM_IRQ_ROUTING_IRQCHIP) {
		r->type = MSIDOM_KVM_ROUTE_IRQCHIP;
		r->irqchip = rt->u[0];
		r->pin = rt->u[1];
	}
}
