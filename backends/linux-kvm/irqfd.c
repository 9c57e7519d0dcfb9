/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Irqfds (KVM_IRQFD) and directly signalled MSIs (KVM_SIGNAL_MSI). KVM
 * looks a GSI's route up again on every routing change, so an irqfd is
 * attached once and survives every retarget of its GSI.
 */
#include "kvm_internal.h"

static bool gsi_routable(const struct msidom_kvm *kvm, uint32_t gsi)
{
	return gsi < kvm->ngsi && kvm->gsi[gsi].owner != KVM_GSI_FREE &&
	       kvm->gsi[gsi].owner != KVM_GSI_STALE;
}

int msidom__kvm_irqfd_deassign(struct msidom_kvm *kvm, uint32_t gsi)
{
	struct kvm_gsi *e = &kvm->gsi[gsi];
	struct kvm_irqfd req = {
		.fd = (uint32_t)e->irqfd,
		.gsi = gsi,
		.flags = KVM_IRQFD_FLAG_DEASSIGN,
	};
	kvm->stats.irqfd_deassign++;
	int ret = msidom__kvm_ioctl(kvm, KVM_IRQFD, &req);
	if (ret == -MSIDOM_EBADF) {
		/*
		 * The caller closed the eventfd first: KVM dropped the irqfd
		 * when the eventfd went away (EPOLLHUP in irqfd_wakeup()).
		 */
		msidom_log(kvm->ctx, MSIDOM_LOG_WARN,
			   "%s: eventfd %d of GSI %u was closed before its detach", kvm->name,
			   e->irqfd, gsi);
		ret = 0;
	}
	if (ret < 0) {
		msidom_log(kvm->ctx, MSIDOM_LOG_ERR, "%s: detaching eventfd %d from GSI %u: %s",
			   kvm->name, e->irqfd, gsi, msidom_strerror(ret));
		return ret;
	}
	e->irqfd = -1;
	kvm->stats.irqfds--;
	if (e->owner == KVM_GSI_STALE)
		e->owner = KVM_GSI_FREE;
	return 0;
}

MSIDOM_API int msidom_kvm_irqfd_attach(struct msidom_kvm *kvm, uint32_t gsi, int eventfd)
{
	int ret;

	if (!kvm)
		return -MSIDOM_EINVAL;
	msidom_ctx_lock(kvm->ctx);
	if (!gsi_routable(kvm, gsi) || eventfd < 0) {
		msidom_log(kvm->ctx, MSIDOM_LOG_ERR,
			   "%s: irqfd attach: GSI %u is not in use or eventfd %d is invalid",
			   kvm->name, gsi, eventfd);
		ret = -MSIDOM_EINVAL;
		goto out;
	}
	if (!kvm->info.irqfd) {
		msidom_log(kvm->ctx, MSIDOM_LOG_ERR, "%s: KVM has no irqfd (KVM_CAP_IRQFD)",
			   kvm->name);
		ret = -MSIDOM_ENOSYS;
		goto out;
	}
	if (kvm->gsi[gsi].irqfd >= 0) {
		msidom_log(kvm->ctx, MSIDOM_LOG_ERR, "%s: GSI %u already has eventfd %d attached",
			   kvm->name, gsi, kvm->gsi[gsi].irqfd);
		ret = -MSIDOM_EBUSY;
		goto out;
	}
	if (kvm->irqfd_quota && kvm->stats.irqfds >= kvm->irqfd_quota) {
		msidom_log(kvm->ctx, MSIDOM_LOG_ERR, "%s: irqfd quota of %u reached", kvm->name,
			   kvm->irqfd_quota);
		ret = -MSIDOM_EDQUOT;
		goto out;
	}
	struct kvm_irqfd req = { .fd = (uint32_t)eventfd, .gsi = gsi };
	kvm->stats.irqfd_assign++;
	ret = msidom__kvm_ioctl(kvm, KVM_IRQFD, &req);
	if (ret < 0) {
		msidom_log(kvm->ctx, MSIDOM_LOG_ERR, "%s: attaching eventfd %d to GSI %u: %s",
			   kvm->name, eventfd, gsi, msidom_strerror(ret));
		goto out;
	}
	kvm->gsi[gsi].irqfd = eventfd;
	kvm->stats.irqfds++;
	ret = 0;
out:
	msidom_ctx_unlock(kvm->ctx);
	return ret;
}

MSIDOM_API int msidom_kvm_irqfd_detach(struct msidom_kvm *kvm, uint32_t gsi)
{
	int ret;

	if (!kvm)
		return -MSIDOM_EINVAL;
	msidom_ctx_lock(kvm->ctx);
	if (gsi >= kvm->ngsi) {
		msidom_log(kvm->ctx, MSIDOM_LOG_ERR, "%s: irqfd detach: GSI %u is beyond %u",
			   kvm->name, gsi, kvm->ngsi);
		ret = -MSIDOM_EINVAL;
	} else if (kvm->gsi[gsi].irqfd < 0) {
		msidom_log(kvm->ctx, MSIDOM_LOG_ERR, "%s: irqfd detach: GSI %u has none", kvm->name,
			   gsi);
		ret = -MSIDOM_ENOENT;
	} else {
		ret = msidom__kvm_irqfd_deassign(kvm, gsi);
	}
	msidom_ctx_unlock(kvm->ctx);
	return ret;
}

MSIDOM_API int msidom_kvm_irqfd(const struct msidom_kvm *kvm, uint32_t gsi)
{
	int ret;

	if (!kvm)
		return -MSIDOM_EINVAL;
	msidom_ctx_lock(kvm->ctx);
	if (gsi >= kvm->ngsi)
		ret = -MSIDOM_EINVAL;
	else
		ret = kvm->gsi[gsi].irqfd >= 0 ? kvm->gsi[gsi].irqfd : -MSIDOM_ENOENT;
	msidom_ctx_unlock(kvm->ctx);
	return ret;
}

MSIDOM_API int msidom_kvm_signal(struct msidom_kvm *kvm, uint32_t gsi)
{
	int ret;

	if (!kvm)
		return -MSIDOM_EINVAL;
	msidom_ctx_lock(kvm->ctx);
	if (!gsi_routable(kvm, gsi)) {
		msidom_log(kvm->ctx, MSIDOM_LOG_ERR, "%s: signal: GSI %u is not in use", kvm->name,
			   gsi);
		ret = -MSIDOM_EINVAL;
		goto out;
	}
	const struct kvm_rt *rt = &kvm->gsi[gsi].want;
	if (rt->type != KVM_IRQ_ROUTING_MSI) {
		msidom_log(kvm->ctx, MSIDOM_LOG_ERR, "%s: signal: GSI %u has no MSI route",
			   kvm->name, gsi);
		ret = -MSIDOM_ENOENT;
		goto out;
	}
	if (!kvm->info.signal_msi) {
		msidom_log(kvm->ctx, MSIDOM_LOG_ERR, "%s: KVM has no KVM_CAP_SIGNAL_MSI",
			   kvm->name);
		ret = -MSIDOM_ENOSYS;
		goto out;
	}
	struct kvm_msi msi = {
		.address_lo = rt->u[0],
		.address_hi = rt->u[1],
		.data = rt->u[2],
		.flags = rt->flags,
		.devid = rt->u[3],
	};
	kvm->stats.signal_msi++;
	ret = msidom__kvm_ioctl(kvm, KVM_SIGNAL_MSI, &msi);
	if (ret < 0)
		msidom_log(kvm->ctx, MSIDOM_LOG_ERR, "%s: KVM_SIGNAL_MSI for GSI %u: %s", kvm->name,
			   gsi, msidom_strerror(ret));
out:
	msidom_ctx_unlock(kvm->ctx);
	return ret;
}
