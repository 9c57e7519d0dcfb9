/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Opening and closing a VM's GSI domain, its read-only views, and the
 * VMM's direct use of the table: its own GSIs, routes and batches.
 */
#include "kvm_internal.h"

static int check_extension(struct msidom_kvm *kvm, unsigned long cap, const char *what)
{
	int ret = msidom__kvm_ioctl(kvm, KVM_CHECK_EXTENSION, (void *)(uintptr_t)cap);
	if (ret < 0)
		msidom_log(kvm->ctx, MSIDOM_LOG_ERR, "kvm: KVM_CHECK_EXTENSION(%s) on VM fd %d: %s",
			   what, kvm->vm_fd, msidom_strerror(ret));
	return ret;
}

static int probe(struct msidom_kvm *kvm)
{
	int ret = check_extension(kvm, KVM_CAP_IRQ_ROUTING, "KVM_CAP_IRQ_ROUTING");
	if (ret < 0)
		return ret;
	if (ret == 0) {
		msidom_log(kvm->ctx, MSIDOM_LOG_ERR,
			   "kvm: VM fd %d has no GSI routing (KVM_CAP_IRQ_ROUTING is 0)",
			   kvm->vm_fd);
		return -MSIDOM_ENODEV;
	}
	kvm->info.capacity = (uint32_t)ret;
	ret = check_extension(kvm, KVM_CAP_IRQFD, "KVM_CAP_IRQFD");
	if (ret < 0)
		return ret;
	kvm->info.irqfd = ret > 0;
	ret = check_extension(kvm, KVM_CAP_SIGNAL_MSI, "KVM_CAP_SIGNAL_MSI");
	if (ret < 0)
		return ret;
	kvm->info.signal_msi = ret > 0;
	ret = check_extension(kvm, KVM_CAP_MSI_DEVID, "KVM_CAP_MSI_DEVID");
	if (ret < 0)
		return ret;
	kvm->info.msi_devid = ret > 0;
	return 0;
}

MSIDOM_API int msidom_kvm_open(struct msidom_ctx *ctx, const struct msidom_kvm_config *cfg,
			       struct msidom_kvm **out)
{
	struct msidom_kvm_config clocal;
	struct msidom_kvm_sys slocal;
	int err;

	if (!ctx)
		return -MSIDOM_EINVAL;
	if (cfg) {
		cfg = msidom_opts_load(ctx, cfg, &clocal, sizeof(clocal), "msidom_kvm_config",
				       &err);
		if (!cfg)
			return err;
	}
	if (!cfg || !out || cfg->vm_fd < 0) {
		msidom_log(ctx, MSIDOM_LOG_ERR,
			   "kvm: bad open arguments (need a config with a VM fd)");
		return -MSIDOM_EINVAL;
	}
	const struct msidom_kvm_sys *sys = cfg->sys ? cfg->sys : msidom_kvm_sys_default();
	sys = msidom_opts_load(ctx, sys, &slocal, sizeof(slocal), "msidom_kvm_sys", &err);
	if (!sys)
		return err;
	if (!sys->ioctl) {
		msidom_log(ctx, MSIDOM_LOG_ERR, "kvm: incomplete system call seam");
		return -MSIDOM_EINVAL;
	}

	struct msidom_kvm *kvm = msidom_zalloc(ctx, sizeof(*kvm));
	if (!kvm) {
		msidom_log(ctx, MSIDOM_LOG_ERR, "kvm: out of memory");
		return -MSIDOM_ENOMEM;
	}
	kvm->ctx = ctx;
	kvm->sys = *sys;
	kvm->sys.sz = sizeof(kvm->sys);
	kvm->vm_fd = cfg->vm_fd;
	kvm->gsi_quota = cfg->gsi_quota;
	kvm->irqfd_quota = cfg->irqfd_quota;
	msidom_snprintf(kvm->name, sizeof(kvm->name), "KVM-GSI%s%s", cfg->name ? "-" : "",
			cfg->name ? cfg->name : "");

	err = probe(kvm);
	if (err < 0)
		goto err_kvm;
	kvm->ngsi = kvm->info.capacity;
	if (cfg->max_gsis && cfg->max_gsis < kvm->ngsi)
		kvm->ngsi = cfg->max_gsis;
	if (kvm->ngsi > (1u << 24))
		kvm->ngsi = 1u << 24;
	if (cfg->first_gsi >= kvm->ngsi) {
		msidom_log(ctx, MSIDOM_LOG_ERR, "%s: first_gsi %u leaves none of the %u GSIs",
			   kvm->name, cfg->first_gsi, kvm->ngsi);
		err = -MSIDOM_EINVAL;
		goto err_kvm;
	}
	kvm->info.sz = sizeof(kvm->info);
	kvm->info.ngsi = kvm->ngsi;
	kvm->info.first_gsi = cfg->first_gsi;
	kvm->stats.sz = sizeof(kvm->stats);

	err = -MSIDOM_ENOMEM;
	kvm->gsi = msidom_zalloc(ctx, kvm->ngsi * sizeof(*kvm->gsi));
	if (!kvm->gsi)
		goto err_kvm;
	for (uint32_t g = 0; g < kvm->ngsi; g++) {
		kvm->gsi[g].irqfd = -1;
		kvm->gsi[g].owner = g < cfg->first_gsi ? KVM_GSI_VMM : KVM_GSI_FREE;
	}
	kvm->routing_size =
		sizeof(struct kvm_irq_routing) + kvm->ngsi * sizeof(struct kvm_irq_routing_entry);
	kvm->routing = msidom_zalloc(ctx, kvm->routing_size);
	if (!kvm->routing)
		goto err_gsi;
	err = msidom__kvm_root_create(kvm);
	if (err < 0)
		goto err_routing;
	*out = kvm;
	return 0;

err_routing:
	msidom_free(ctx, kvm->routing, kvm->routing_size);
err_gsi:
	msidom_free(ctx, kvm->gsi, kvm->ngsi * sizeof(*kvm->gsi));
err_kvm:
	if (err == -MSIDOM_ENOMEM)
		msidom_log(ctx, MSIDOM_LOG_ERR, "kvm: out of memory for %u GSIs", kvm->ngsi);
	msidom_free(ctx, kvm, sizeof(*kvm));
	return err;
}

MSIDOM_API int msidom_kvm_close(struct msidom_kvm *kvm)
{
	if (!kvm)
		return 0;
	struct msidom_ctx *ctx = kvm->ctx;
	msidom_ctx_lock(ctx);
	bool busy = kvm->devdoms || kvm->batch_depth;
	msidom_ctx_unlock(ctx);
	if (busy) {
		msidom_log(ctx, MSIDOM_LOG_ERR,
			   "%s: close with a per-device domain or a batch still open", kvm->name);
		return -MSIDOM_EBUSY;
	}
	int ret = msidom_domain_destroy(kvm->root);
	if (ret < 0)
		return ret;

	msidom_ctx_lock(ctx);
	for (uint32_t g = 0; g < kvm->ngsi; g++) {
		struct kvm_gsi *e = &kvm->gsi[g];
		/* KVM keeps an irqfd it refused to drop; nothing more can be done here. */
		if (e->irqfd >= 0)
			(void)msidom__kvm_irqfd_deassign(kvm, g);
		if (e->owner != KVM_GSI_VMM)
			e->want = (struct kvm_rt){ 0 };
	}
	(void)msidom__kvm_commit(kvm);
	msidom_ctx_unlock(ctx);

	msidom_free(ctx, kvm->routing, kvm->routing_size);
	msidom_free(ctx, kvm->gsi, kvm->ngsi * sizeof(*kvm->gsi));
	msidom_free(ctx, kvm, sizeof(*kvm));
	return 0;
}

MSIDOM_API int msidom_kvm_get_info(const struct msidom_kvm *kvm, struct msidom_kvm_info *out)
{
	if (!kvm || !out)
		return -MSIDOM_EINVAL;
	/* Fixed at open: no lock needed. */
	return msidom_opts_store(kvm->ctx, out, &kvm->info, sizeof(kvm->info), "msidom_kvm_info");
}

MSIDOM_API int msidom_kvm_get_stats(const struct msidom_kvm *kvm, struct msidom_kvm_stats *out)
{
	struct msidom_kvm_stats full;

	if (!kvm || !out)
		return -MSIDOM_EINVAL;
	msidom_ctx_lock(kvm->ctx);
	full = kvm->stats;
	full.routes = 0;
	for (uint32_t g = 0; g < kvm->ngsi; g++)
		full.routes += kvm->gsi[g].want.type != 0;
	msidom_ctx_unlock(kvm->ctx);
	full.sz = sizeof(full);
	return msidom_opts_store(kvm->ctx, out, &full, sizeof(full), "msidom_kvm_stats");
}

MSIDOM_API struct msidom_domain *msidom_kvm_root(const struct msidom_kvm *kvm)
{
	return kvm ? kvm->root : NULL;
}

MSIDOM_API int msidom_kvm_set_quota(struct msidom_kvm *kvm, uint32_t gsi_quota,
				    uint32_t irqfd_quota)
{
	if (!kvm)
		return -MSIDOM_EINVAL;
	msidom_ctx_lock(kvm->ctx);
	kvm->gsi_quota = gsi_quota;
	kvm->irqfd_quota = irqfd_quota;
	msidom_ctx_unlock(kvm->ctx);
	return 0;
}

static const struct msidom_kvm_route *load_route(struct msidom_kvm *kvm,
						 const struct msidom_kvm_route *route,
						 struct msidom_kvm_route *local, int *err)
{
	return msidom_opts_load(kvm->ctx, route, local, sizeof(*local), "msidom_kvm_route", err);
}

MSIDOM_API int msidom_kvm_gsi_alloc(struct msidom_kvm *kvm, const struct msidom_kvm_route *route,
				    uint32_t *gsi)
{
	struct msidom_kvm_route local;
	struct kvm_rt rt = { 0 };
	int ret = 0;

	if (!kvm || !gsi)
		return -MSIDOM_EINVAL;
	if (route) {
		route = load_route(kvm, route, &local, &ret);
		if (!route)
			return ret;
	}
	msidom_ctx_lock(kvm->ctx);
	if (route) {
		ret = msidom__kvm_rt_from_route(kvm, route, &rt);
		if (ret < 0)
			goto out;
	}
	int64_t g = msidom__kvm_gsi_find(kvm, 1);
	if (g < 0) {
		ret = (int)g;
		goto out;
	}
	kvm->gsi[g].owner = KVM_GSI_DIRECT;
	kvm->stats.gsis++;
	ret = msidom__kvm_route_change(kvm, (uint32_t)g, &rt);
	if (ret < 0) {
		kvm->gsi[g].owner = KVM_GSI_FREE;
		kvm->stats.gsis--;
		goto out;
	}
	*gsi = (uint32_t)g;
out:
	msidom_ctx_unlock(kvm->ctx);
	return ret;
}

MSIDOM_API int msidom_kvm_gsi_free(struct msidom_kvm *kvm, uint32_t gsi)
{
	static const struct kvm_rt none;
	int ret;

	if (!kvm)
		return -MSIDOM_EINVAL;
	msidom_ctx_lock(kvm->ctx);
	if (gsi >= kvm->ngsi || kvm->gsi[gsi].owner != KVM_GSI_DIRECT) {
		msidom_log(kvm->ctx, MSIDOM_LOG_ERR,
			   "%s: GSI %u was not allocated with msidom_kvm_gsi_alloc()", kvm->name,
			   gsi);
		ret = -MSIDOM_EINVAL;
		goto out;
	}
	if (kvm->gsi[gsi].irqfd >= 0) {
		msidom_log(kvm->ctx, MSIDOM_LOG_ERR, "%s: GSI %u still has eventfd %d attached",
			   kvm->name, gsi, kvm->gsi[gsi].irqfd);
		ret = -MSIDOM_EBUSY;
		goto out;
	}
	ret = msidom__kvm_route_change(kvm, gsi, &none);
	if (ret < 0)
		goto out;
	kvm->gsi[gsi].owner = KVM_GSI_FREE;
	kvm->stats.gsis--;
out:
	msidom_ctx_unlock(kvm->ctx);
	return ret;
}

MSIDOM_API int msidom_kvm_route_set(struct msidom_kvm *kvm, uint32_t gsi,
				    const struct msidom_kvm_route *route)
{
	struct msidom_kvm_route local;
	struct kvm_rt rt;
	int ret = 0;

	if (!kvm)
		return -MSIDOM_EINVAL;
	route = load_route(kvm, route, &local, &ret);
	if (!route)
		return ret;
	msidom_ctx_lock(kvm->ctx);
	if (gsi >= kvm->ngsi) {
		msidom_log(kvm->ctx, MSIDOM_LOG_ERR, "%s: GSI %u is beyond %u", kvm->name, gsi,
			   kvm->ngsi);
		ret = -MSIDOM_EINVAL;
		goto out;
	}
	if (kvm->gsi[gsi].owner != KVM_GSI_VMM && kvm->gsi[gsi].owner != KVM_GSI_DIRECT) {
		msidom_log(kvm->ctx, MSIDOM_LOG_ERR, "%s: GSI %u is %s", kvm->name, gsi,
			   kvm->gsi[gsi].owner == KVM_GSI_FREE ? "not allocated" :
								 "routed by its per-device domain");
		ret = -MSIDOM_EPERM;
		goto out;
	}
	ret = msidom__kvm_rt_from_route(kvm, route, &rt);
	if (ret == 0)
		ret = msidom__kvm_route_change(kvm, gsi, &rt);
out:
	msidom_ctx_unlock(kvm->ctx);
	return ret;
}

MSIDOM_API int msidom_kvm_get_route(const struct msidom_kvm *kvm, uint32_t gsi,
				    struct msidom_kvm_route *out)
{
	struct msidom_kvm_route full;

	if (!kvm || !out)
		return -MSIDOM_EINVAL;
	if (gsi >= kvm->ngsi) {
		msidom_log(kvm->ctx, MSIDOM_LOG_ERR, "%s: get_route: GSI %u is beyond %u",
			   kvm->name, gsi, kvm->ngsi);
		return -MSIDOM_EINVAL;
	}
	msidom_ctx_lock(kvm->ctx);
	msidom__kvm_rt_to_route(&kvm->gsi[gsi].want, &full);
	msidom_ctx_unlock(kvm->ctx);
	return msidom_opts_store(kvm->ctx, out, &full, sizeof(full), "msidom_kvm_route");
}

MSIDOM_API int msidom_kvm_batch_begin(struct msidom_kvm *kvm)
{
	if (!kvm)
		return -MSIDOM_EINVAL;
	msidom_ctx_lock(kvm->ctx);
	kvm->user_depth++;
	msidom__kvm_batch_begin(kvm);
	msidom_ctx_unlock(kvm->ctx);
	return 0;
}

MSIDOM_API int msidom_kvm_batch_end(struct msidom_kvm *kvm)
{
	int ret;

	if (!kvm)
		return -MSIDOM_EINVAL;
	msidom_ctx_lock(kvm->ctx);
	/* A domain's open batch is not the caller's to end. */
	if (!kvm->user_depth) {
		msidom_log(kvm->ctx, MSIDOM_LOG_ERR, "%s: batch_end without batch_begin",
			   kvm->name);
		ret = -MSIDOM_EINVAL;
	} else {
		kvm->user_depth--;
		ret = msidom__kvm_batch_end(kvm);
	}
	msidom_ctx_unlock(kvm->ctx);
	return ret;
}
