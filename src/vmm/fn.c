/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Virtual functions: lifetime, backings, quotas, interrupts and queries.
 */
#include <libmsidom/error.h>

#include "vmm_internal.h"

void msidom__vmm_lock(struct msidom_vmm_fn *fn)
{
	pthread_mutex_lock(&fn->lock);
}

void msidom__vmm_unlock(struct msidom_vmm_fn *fn)
{
	pthread_mutex_unlock(&fn->lock);
}

/*
 * A refused guest access is counted and logged at debug level only: the
 * guest controls how often it happens, and must not be able to flood the
 * host's log with it.
 */
int msidom__vmm_bad_access(struct msidom_vmm_fn *fn, const char *what, uint64_t offset,
			   uint32_t size)
{
	fn->stats.bad_accesses++;
	msidom_log(fn->ctx, MSIDOM_LOG_DEBUG, "vmm %s: refused %s access: offset 0x%llx size %u",
		   fn->name, what, (unsigned long long)offset, size);
	return -MSIDOM_EINVAL;
}

static bool valid_msi_count(uint32_t n)
{
	return n >= 1 && n <= MSIDOM_VMM_MSI_MAX && (n & (n - 1)) == 0;
}

static void copy_name(char *dst, size_t size, const char *src)
{
	size_t i = 0;

	for (; src && src[i] && i + 1 < size; i++)
		dst[i] = src[i];
	dst[i] = '\0';
}

static void vec_reset(struct msidom_vmm_fn *fn, struct vmm_vec *v)
{
	v->addr_lo = 0;
	v->addr_hi = 0;
	v->data = 0;
	/* MSI-X entries come out of reset masked; MSI mask bits clear. */
	v->guest_masked = fn->cfg.type == MSIDOM_VMM_MSIX;
	v->pending = false;
	v->acq_failed = false;
}

MSIDOM_API int msidom_vmm_fn_create(struct msidom_ctx *ctx, const struct msidom_vmm_config *cfg,
				    struct msidom_vmm_fn **out)
{
	const struct msidom_vmm_ops *ops = NULL;
	struct msidom_vmm_config clocal;
	struct msidom_vmm_ops olocal;
	pthread_mutexattr_t attr;
	struct msidom_vmm_fn *fn;
	uint32_t i;
	int err;

	if (!ctx)
		return -MSIDOM_EINVAL;
	if (!cfg || !out) {
		msidom_log(ctx, MSIDOM_LOG_ERR, "vmm: fn_create: NULL %s",
			   !cfg ? "config" : "output");
		return -MSIDOM_EINVAL;
	}
	cfg = msidom_opts_load(ctx, cfg, &clocal, sizeof(clocal), "msidom_vmm_config", &err);
	if (!cfg)
		return err;
	if (cfg->ops) {
		ops = msidom_opts_load(ctx, cfg->ops, &olocal, sizeof(olocal), "msidom_vmm_ops",
				       &err);
		if (!ops)
			return err;
	}
	if (cfg->type == MSIDOM_VMM_MSIX) {
		if (cfg->nvec < 1 || cfg->nvec > MSIDOM_VMM_MSIX_MAX) {
			msidom_log(ctx, MSIDOM_LOG_ERR,
				   "vmm: fn_create: MSI-X table size %u not in 1..%u", cfg->nvec,
				   MSIDOM_VMM_MSIX_MAX);
			return -MSIDOM_EINVAL;
		}
	} else if (cfg->type == MSIDOM_VMM_MSI) {
		if (!valid_msi_count(cfg->nvec)) {
			msidom_log(ctx, MSIDOM_LOG_ERR,
				   "vmm: fn_create: MSI message count %u is not 1, 2, 4, .. 32",
				   cfg->nvec);
			return -MSIDOM_EINVAL;
		}
	} else {
		msidom_log(ctx, MSIDOM_LOG_ERR, "vmm: fn_create: unknown type %d", (int)cfg->type);
		return -MSIDOM_EINVAL;
	}

	fn = msidom_zalloc(ctx, sizeof(*fn));
	if (!fn) {
		err = -MSIDOM_ENOMEM;
		goto err_log;
	}
	fn->vecs = msidom_zalloc(ctx, cfg->nvec * sizeof(*fn->vecs));
	if (!fn->vecs) {
		err = -MSIDOM_ENOMEM;
		goto err_fn;
	}
	/* Recursive: callbacks run with the lock held and may query. */
	if (pthread_mutexattr_init(&attr)) {
		err = -MSIDOM_ENOMEM;
		goto err_vecs;
	}
	pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
	err = pthread_mutex_init(&fn->lock, &attr) ? -MSIDOM_ENOMEM : 0;
	pthread_mutexattr_destroy(&attr);
	if (err)
		goto err_vecs;
	/* The function points into the context: it must go first. */
	err = msidom_ctx_pin(ctx, "VMM function");
	if (err)
		goto err_lock;

	fn->ctx = ctx;
	fn->cfg = *cfg;
	if (ops) {
		fn->ops = *ops;
		fn->cfg.ops = &fn->ops;
	}
	fn->cfg.name = NULL;
	copy_name(fn->name, sizeof(fn->name), cfg->name ? cfg->name : "vfn");
	fn->quota_vecs = cfg->max_host_vectors;
	fn->quota_fds = cfg->max_host_fds;
	for (i = 0; i < cfg->nvec; i++) {
		struct vmm_vec *v = &fn->vecs[i];

		v->fn = fn;
		v->nr = i;
		v->bops = &msidom__vmm_emulated_ops;
		v->backing.type = MSIDOM_VMM_BACKING_EMULATED;
		v->host_fd = -1;
		vec_reset(fn, v);
		/* The reset state is what the VMM starts from: nothing to report. */
		v->reported.vector = i;
		v->reported.masked = true;
		v->reported.backing = MSIDOM_VMM_BACKING_EMULATED;
		v->reported.host_fd = -1;
	}
	*out = fn;
	return 0;

err_lock:
	pthread_mutex_destroy(&fn->lock);
err_vecs:
	msidom_free(ctx, fn->vecs, cfg->nvec * sizeof(*fn->vecs));
err_fn:
	msidom_free(ctx, fn, sizeof(*fn));
err_log:
	msidom_log(ctx, MSIDOM_LOG_ERR, "vmm: fn_create: %s", msidom_strerror(err));
	return err;
}

MSIDOM_API void msidom_vmm_fn_destroy(struct msidom_vmm_fn *fn)
{
	struct msidom_ctx *ctx;

	if (!fn)
		return;
	ctx = fn->ctx;
	msidom__vmm_lock(fn);
	fn->dying = true;
	msidom__vmm_release_all(fn);
	msidom__vmm_unlock(fn);
	pthread_mutex_destroy(&fn->lock);
	msidom_free(ctx, fn->vecs, fn->cfg.nvec * sizeof(*fn->vecs));
	msidom_free(ctx, fn, sizeof(*fn));
	msidom_ctx_unpin(ctx, "VMM function");
}

MSIDOM_API int msidom_vmm_fn_reset(struct msidom_vmm_fn *fn)
{
	if (!fn)
		return -MSIDOM_EINVAL;
	msidom__vmm_lock(fn);
	fn->enabled = false;
	fn->fmask = false;
	fn->msi_mme = 0;
	msidom__vmm_release_all(fn);
	/* What the released vectors had pending dies with the reset. */
	for (uint32_t i = 0; i < fn->cfg.nvec; i++)
		vec_reset(fn, &fn->vecs[i]);
	msidom__vmm_sync_all(fn);
	msidom__vmm_unlock(fn);
	return 0;
}

static int check_vector(struct msidom_vmm_fn *fn, uint32_t vector, const char *what)
{
	if (vector >= fn->cfg.nvec) {
		vmm_err(fn, "vmm %s: %s: vector %u out of range (%u vectors)", fn->name, what,
			vector, fn->cfg.nvec);
		return -MSIDOM_ERANGE;
	}
	return 0;
}

static bool same_backing(const struct msidom_vmm_backing *a, const struct msidom_vmm_backing *b)
{
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case MSIDOM_VMM_BACKING_VFIO:
		return a->vfio == b->vfio && a->host_index == b->host_index && a->irqfd == b->irqfd;
	case MSIDOM_VMM_BACKING_IMS:
		return a->host_dev == b->host_dev && a->host_index == b->host_index &&
		       a->cookie.value == b->cookie.value;
	case MSIDOM_VMM_BACKING_EMULATED: return true;
	}
	return false;
}

MSIDOM_API int msidom_vmm_set_backing(struct msidom_vmm_fn *fn, uint32_t vector,
				      const struct msidom_vmm_backing *backing)
{
	static const struct msidom_vmm_backing emulated = {
		.sz = sizeof(struct msidom_vmm_backing),
		.type = MSIDOM_VMM_BACKING_EMULATED,
	};
	struct msidom_vmm_backing blocal;
	const struct vmm_backing_ops *ops;
	struct vmm_vec *v;
	int err;

	if (!fn)
		return -MSIDOM_EINVAL;
	err = check_vector(fn, vector, "set_backing");
	if (err)
		return err;
	if (!backing)
		backing = &emulated;
	backing = msidom_opts_load(fn->ctx, backing, &blocal, sizeof(blocal), "msidom_vmm_backing",
				   &err);
	if (!backing)
		return err;
	ops = msidom__vmm_backing_ops(backing->type);
	if (!ops) {
		vmm_err(fn, "vmm %s: set_backing: vector %u: unknown backing type %d", fn->name,
			vector, (int)backing->type);
		return -MSIDOM_EINVAL;
	}
	err = ops->check ? ops->check(fn, backing) : 0;
	if (err) {
		vmm_err(fn, "vmm %s: set_backing: vector %u: unusable %s backing: %s", fn->name,
			vector, ops->name, msidom_strerror(err));
		return err;
	}

	msidom__vmm_lock(fn);
	v = &fn->vecs[vector];
	/* The same backing again must not churn the host vector. */
	if (same_backing(&v->backing, backing)) {
		msidom__vmm_unlock(fn);
		return 0;
	}
	msidom__vmm_release(fn, v);
	v->backing = *backing;
	/* Keep only what the backing uses: stale pointers help nobody. */
	if (backing->type != MSIDOM_VMM_BACKING_VFIO) {
		v->backing.vfio = NULL;
		v->backing.irqfd = false;
	}
	if (backing->type != MSIDOM_VMM_BACKING_IMS) {
		v->backing.host_dev = NULL;
		v->backing.cookie.value = 0;
	}
	if (!ops->acquire)
		v->backing.host_index = 0;
	v->bops = ops;
	v->acq_failed = false;
	msidom__vmm_sync(fn, v);
	msidom__vmm_unlock(fn);
	return 0;
}

MSIDOM_API int msidom_vmm_set_quota(struct msidom_vmm_fn *fn, uint32_t max_host_vectors,
				    uint32_t max_host_fds)
{
	bool raised;

	if (!fn)
		return -MSIDOM_EINVAL;
	msidom__vmm_lock(fn);
	raised = max_host_vectors > fn->quota_vecs || max_host_fds > fn->quota_fds;
	fn->quota_vecs = max_host_vectors;
	fn->quota_fds = max_host_fds;
	if (raised) {
		for (uint32_t i = 0; i < fn->cfg.nvec; i++)
			fn->vecs[i].acq_failed = false;
		msidom__vmm_sync_all(fn);
	}
	msidom__vmm_unlock(fn);
	return 0;
}

MSIDOM_API int msidom_vmm_fire(struct msidom_vmm_fn *fn, uint32_t vector)
{
	int ret;

	if (!fn)
		return -MSIDOM_EINVAL;
	ret = check_vector(fn, vector, "fire");
	if (ret)
		return ret;
	msidom__vmm_lock(fn);
	ret = msidom__vmm_fire_locked(fn, &fn->vecs[vector]);
	msidom__vmm_unlock(fn);
	return ret;
}

MSIDOM_API int msidom_vmm_get_vector_info(struct msidom_vmm_fn *fn, uint32_t vector,
					  struct msidom_vmm_vector_info *info)
{
	struct msidom_vmm_vector_info full = { .sz = sizeof(full) };
	struct vmm_vec *v;
	int err;

	if (!fn)
		return -MSIDOM_EINVAL;
	if (!info) {
		vmm_err(fn, "vmm %s: vector_info: NULL output", fn->name);
		return -MSIDOM_EINVAL;
	}
	err = check_vector(fn, vector, "vector_info");
	if (err)
		return err;
	msidom__vmm_lock(fn);
	v = &fn->vecs[vector];
	full.route = v->reported;
	full.guest_masked = v->guest_masked;
	full.pending = msidom__vmm_pending(fn, v);
	full.backing_failed = v->acq_failed;
	msidom__vmm_unlock(fn);
	return msidom_opts_store(fn->ctx, info, &full, sizeof(full), "msidom_vmm_vector_info");
}

MSIDOM_API int msidom_vmm_get_stats(struct msidom_vmm_fn *fn, struct msidom_vmm_stats *stats)
{
	struct msidom_vmm_stats full;

	if (!fn)
		return -MSIDOM_EINVAL;
	if (!stats) {
		vmm_err(fn, "vmm %s: get_stats: NULL output", fn->name);
		return -MSIDOM_EINVAL;
	}
	msidom__vmm_lock(fn);
	full = fn->stats;
	full.sz = sizeof(full);
	full.enabled = fn->enabled;
	full.function_masked = fn->cfg.type == MSIDOM_VMM_MSIX && fn->fmask;
	full.msi_enabled_vectors = fn->cfg.type == MSIDOM_VMM_MSI ? 1u << fn->msi_mme : 0;
	msidom__vmm_unlock(fn);
	return msidom_opts_store(fn->ctx, stats, &full, sizeof(full), "msidom_vmm_stats");
}

MSIDOM_API const char *msidom_vmm_backing_name(enum msidom_vmm_backing_type type)
{
	const struct vmm_backing_ops *ops = msidom__vmm_backing_ops(type);

	return ops ? ops->name : "?";
}
