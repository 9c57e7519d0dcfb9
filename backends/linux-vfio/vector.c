/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * One vector at a time: allocation shortcuts with a handler, and the
 * per-vector queries and operations (eventfd, polling, pending, trigger).
 */
#include <sys/epoll.h>

#include "vfio_internal.h"

MSIDOM_API struct msidom_map msidom_vfio_alloc(struct msidom_vfio *v, uint32_t index, bool unmasked,
					       msidom_handler_fn fn, void *arg)
{
	struct msidom_map map = { .index = -MSIDOM_EINVAL, .virq = 0 };
	if (!v)
		return map;
	struct msidom_alloc_opts opts = { .sz = sizeof(struct msidom_alloc_opts),
					  .unmasked = unmasked };
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
