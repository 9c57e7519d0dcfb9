/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Public entry points of the VFIO backend other than open/close and
 * dispatch: accessors, mode switch, allocation shortcuts, batches and
 * per-vector queries.
 */
#include <sys/epoll.h>

#include "vfio_internal.h"

MSIDOM_API int msidom_vfio_get_info(const struct msidom_vfio *v, struct msidom_vfio_info *out)
{
	if (!v || !out)
		return -MSIDOM_EINVAL;
	msidom_ctx_lock(v->ctx);
	*out = v->info;
	msidom_ctx_unlock(v->ctx);
	return 0;
}

MSIDOM_API int msidom_vfio_get_stats(const struct msidom_vfio *v, struct msidom_vfio_stats *out)
{
	if (!v || !out)
		return -MSIDOM_EINVAL;
	msidom_ctx_lock(v->ctx);
	*out = v->stats;
	msidom_ctx_unlock(v->ctx);
	return 0;
}

MSIDOM_API struct msidom_device *msidom_vfio_device(const struct msidom_vfio *v)
{
	return v ? v->dev : NULL;
}

MSIDOM_API struct msidom_domain *msidom_vfio_root(const struct msidom_vfio *v)
{
	return v ? v->root : NULL;
}

MSIDOM_API int msidom_vfio_device_fd(const struct msidom_vfio *v)
{
	return v ? v->device : -MSIDOM_EINVAL;
}

MSIDOM_API int msidom_vfio_event_fd(const struct msidom_vfio *v)
{
	return v ? v->epfd : -MSIDOM_EINVAL;
}

static uint32_t mode_type(const struct msidom_vfio *v, enum msidom_vfio_mode mode)
{
	switch (mode) {
	case MSIDOM_VFIO_MODE_MSI: return VFIO_PCI_MSI_IRQ_INDEX;
	case MSIDOM_VFIO_MODE_MSIX: return VFIO_PCI_MSIX_IRQ_INDEX;
	default:
		return v->idx[VFIO_PCI_MSIX_IRQ_INDEX].count ? VFIO_PCI_MSIX_IRQ_INDEX :
							       VFIO_PCI_MSI_IRQ_INDEX;
	}
}

MSIDOM_API int msidom_vfio_set_mode(struct msidom_vfio *v, enum msidom_vfio_mode mode)
{
	if (!v || (unsigned)mode > MSIDOM_VFIO_MODE_MSIX)
		return -MSIDOM_EINVAL;
	msidom_ctx_lock(v->ctx);
	unsigned int depth = v->batch_depth;
	uint32_t type = mode_type(v, mode);
	uint32_t cur = v->mode_type;
	bool have = v->dom != NULL;
	uint32_t count = v->idx[type].count;
	msidom_ctx_unlock(v->ctx);

	if (depth) {
		msidom_log(v->ctx, MSIDOM_LOG_ERR, "vfio %s: cannot change mode inside a batch",
			   v->bdf);
		return -MSIDOM_EBUSY;
	}
	if (!count) {
		msidom_log(v->ctx, MSIDOM_LOG_ERR, "vfio %s: the device has no usable %s", v->bdf,
			   type == VFIO_PCI_MSIX_IRQ_INDEX ? "MSI-X" : "MSI");
		return -MSIDOM_ENODEV;
	}
	if (have && cur == type)
		return 0;
	if (have) {
		/* The slot holds one domain: the old one (and its vectors) goes first. */
		int ret = msidom_device_domain_destroy(v->dev, MSIDOM_DEFAULT_DOMAIN);
		if (ret < 0)
			return ret;
		msidom_ctx_lock(v->ctx);
		v->dom = NULL;
		ret = msidom__vfio_disable_index(v, &v->idx[cur]);
		msidom_ctx_unlock(v->ctx);
		if (ret < 0)
			msidom_log(v->ctx, MSIDOM_LOG_WARN, "vfio %s: could not disable index %u",
				   v->bdf, cur);
	}
	int ret = msidom__vfio_devdomain_create(v, type);
	if (ret < 0 && have && msidom__vfio_devdomain_create(v, cur) < 0)
		msidom_log(v->ctx, MSIDOM_LOG_ERR, "vfio %s: the device has no MSI domain left",
			   v->bdf);
	return ret;
}

MSIDOM_API struct msidom_map msidom_vfio_alloc(struct msidom_vfio *v, uint32_t index, bool unmasked,
					       msidom_handler_fn fn, void *arg)
{
	struct msidom_map map = { .index = -MSIDOM_EINVAL, .virq = 0 };
	if (!v)
		return map;
	struct msidom_alloc_opts opts = { .unmasked = unmasked };
	map = msidom_msi_alloc_at(v->dev, MSIDOM_DEFAULT_DOMAIN, index, &opts);
	if (map.index < 0 || !fn)
		return map;
	int ret = msidom_irq_set_handler(v->ctx, map.virq, fn, arg);
	if (ret < 0) {
		(void)msidom_msi_free(v->dev, MSIDOM_DEFAULT_DOMAIN, (uint32_t)map.index);
		map.index = ret;
		map.virq = 0;
	}
	return map;
}

MSIDOM_API int msidom_vfio_free(struct msidom_vfio *v, uint32_t index)
{
	if (!v)
		return -MSIDOM_EINVAL;
	return msidom_msi_free(v->dev, MSIDOM_DEFAULT_DOMAIN, index);
}

MSIDOM_API int msidom_vfio_batch_begin(struct msidom_vfio *v)
{
	if (!v)
		return -MSIDOM_EINVAL;
	msidom_ctx_lock(v->ctx);
	struct msidom_domain *d = v->dom;
	v->batch_depth++;
	msidom_ctx_unlock(v->ctx);
	int ret = msidom_domain_batch_begin(d);
	if (ret < 0) {
		msidom_ctx_lock(v->ctx);
		v->batch_depth--;
		msidom_ctx_unlock(v->ctx);
	}
	return ret;
}

MSIDOM_API int msidom_vfio_batch_end(struct msidom_vfio *v)
{
	if (!v)
		return -MSIDOM_EINVAL;
	msidom_ctx_lock(v->ctx);
	if (!v->batch_depth) {
		msidom_ctx_unlock(v->ctx);
		msidom_log(v->ctx, MSIDOM_LOG_ERR, "vfio %s: commit without a batch", v->bdf);
		return -MSIDOM_EINVAL;
	}
	struct msidom_domain *d = v->dom;
	bool outer = --v->batch_depth == 0;
	v->committing = outer;
	msidom_ctx_unlock(v->ctx);

	int ret = msidom_domain_batch_end(d);

	msidom_ctx_lock(v->ctx);
	v->committing = false;
	/*
	 * If the caller holds a core batch of its own around ours, the chip
	 * did not sync yet: the vectors must still reach the kernel now.
	 */
	if (outer && ret == 0)
		ret = msidom__vfio_program(v, &v->idx[v->mode_type]);
	msidom_ctx_unlock(v->ctx);
	if (ret < 0)
		msidom_log(v->ctx, MSIDOM_LOG_ERR,
			   "vfio %s: batch commit failed (%s); the kernel keeps its previous "
			   "vectors",
			   v->bdf, msidom_strerror(ret));
	return ret;
}

MSIDOM_API int msidom_vfio_sync(struct msidom_vfio *v)
{
	if (!v)
		return -MSIDOM_EINVAL;
	msidom_ctx_lock(v->ctx);
	int ret = v->batch_depth ? -MSIDOM_EBUSY : msidom__vfio_program(v, &v->idx[v->mode_type]);
	msidom_ctx_unlock(v->ctx);
	return ret;
}

/* With the lock held: the allocated vector @p index of the current domain. */
static struct vfio_vec *cur_vec(const struct msidom_vfio *v, uint32_t index,
				struct vfio_index **ixp)
{
	struct vfio_index *ix = (struct vfio_index *)&v->idx[v->mode_type];
	if (!v->dom || index >= ix->count || !ix->vec[index].allocated) {
		msidom_log(v->ctx, MSIDOM_LOG_ERR, "vfio %s: no vector allocated at index %u",
			   v->bdf, index);
		return NULL;
	}
	if (ixp)
		*ixp = ix;
	return &ix->vec[index];
}

MSIDOM_API int msidom_vfio_vector_eventfd(const struct msidom_vfio *v, uint32_t index)
{
	if (!v)
		return -MSIDOM_EINVAL;
	msidom_ctx_lock(v->ctx);
	const struct vfio_vec *e = cur_vec(v, index, NULL);
	int fd = e ? e->trigger : -MSIDOM_ENOENT;
	msidom_ctx_unlock(v->ctx);
	return fd;
}

MSIDOM_API int msidom_vfio_set_polled(struct msidom_vfio *v, uint32_t index, bool polled)
{
	if (!v)
		return -MSIDOM_EINVAL;
	int ret = 0;
	msidom_ctx_lock(v->ctx);
	struct vfio_index *ix = NULL;
	struct vfio_vec *e = cur_vec(v, index, &ix);
	if (!e) {
		ret = -MSIDOM_ENOENT;
	} else if (e->polled != polled) {
		ret = v->sys.epoll_ctl(v->sys.opaque, v->epfd,
				       polled ? EPOLL_CTL_ADD : EPOLL_CTL_DEL, e->trigger, EPOLLIN,
				       VFIO_EV(VFIO_EV_VECTOR, MSIDOM_VFIO_HWIRQ(ix->type, index)));
		if (ret == 0)
			e->polled = polled;
	}
	msidom_ctx_unlock(v->ctx);
	return ret;
}

MSIDOM_API int msidom_vfio_vector_pending(struct msidom_vfio *v, uint32_t index)
{
	if (!v)
		return -MSIDOM_EINVAL;
	int ret;
	msidom_ctx_lock(v->ctx);
	struct vfio_index *ix = NULL;
	struct vfio_vec *e = cur_vec(v, index, &ix);
	if (!e) {
		ret = -MSIDOM_ENOENT;
	} else {
		/*
		 * While masked, fold into the pending bit what the mask eventfd
		 * caught and what the trigger still holds unread from before the
		 * mask (a polled trigger only: KVM owns an irqfd's count).
		 */
		if (e->masked) {
			if (msidom__vfio_eventfd_drain(v, e->maskfd))
				e->pending = true;
			if (e->polled && msidom__vfio_eventfd_drain(v, e->trigger))
				e->pending = true;
		}
		ret = e->masked && (e->pending || e->inflight);
	}
	msidom_ctx_unlock(v->ctx);
	return ret;
}

MSIDOM_API int msidom_vfio_trigger(struct msidom_vfio *v, uint32_t index)
{
	if (!v)
		return -MSIDOM_EINVAL;
	int ret;
	msidom_ctx_lock(v->ctx);
	struct vfio_index *ix = NULL;
	struct vfio_vec *e = cur_vec(v, index, &ix);
	if (!e || ix->kfd[index] < 0)
		ret = -MSIDOM_ENOENT;
	else
		ret = msidom__vfio_set_irqs_none(v, ix->type, index, 1);
	msidom_ctx_unlock(v->ctx);
	return ret;
}
