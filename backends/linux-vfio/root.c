/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The per-device VFIO root domain: parent of the device's MSI or MSI-X
 * domain. Each vector gets its eventfds here at allocation, is armed in
 * the kernel at activation, and is masked by switching its kernel
 * trigger to a library-owned eventfd (VFIO cannot mask MSI/MSI-X).
 */
#include <sys/epoll.h>

#include "vfio_internal.h"

static struct vfio_vec *vec_of(struct msidom_vfio *v, uint32_t hwirq, struct vfio_index **ixp)
{
	uint32_t type = hwirq >> 16, n = hwirq & 0xffffu;
	if (type < VFIO_PCI_MSI_IRQ_INDEX || type > VFIO_PCI_MSIX_IRQ_INDEX)
		return NULL;
	struct vfio_index *ix = &v->idx[type];
	if (n >= ix->count || !ix->vec[n].allocated)
		return NULL;
	*ixp = ix;
	return &ix->vec[n];
}

static int vec_open(struct msidom_vfio *v, struct vfio_index *ix, uint32_t n)
{
	struct vfio_vec *e = &ix->vec[n];
	int ret = msidom__vfio_eventfd_new(v);
	if (ret < 0)
		return ret;
	e->trigger = ret;
	ret = msidom__vfio_eventfd_new(v);
	if (ret < 0)
		goto err_trigger;
	e->maskfd = ret;
	ret = v->sys.epoll_ctl(v->sys.opaque, v->epfd, EPOLL_CTL_ADD, e->trigger, EPOLLIN,
			       VFIO_EV(VFIO_EV_VECTOR, MSIDOM_VFIO_HWIRQ(ix->type, n)));
	if (ret < 0)
		goto err_mask;
	e->allocated = true;
	e->polled = true;
	e->active = false;
	e->masked = true;
	e->pending = false;
	e->inflight = false;
	return 0;

err_mask:
	msidom__vfio_close(v, &e->maskfd);
err_trigger:
	msidom__vfio_close(v, &e->trigger);
	return ret;
}

/* Keep an fd the kernel may still be armed with until it lets go of it. */
static void retire_fd(struct msidom_vfio *v, struct vfio_index *ix, uint32_t n, int *fd)
{
	if (*fd >= 0 && ix->kfd[n] == *fd && ix->ngrave < 2 * ix->count) {
		ix->grave[ix->ngrave++] = *fd;
		*fd = -1;
		return;
	}
	msidom__vfio_close(v, fd);
}

void msidom__vfio_vec_release(struct msidom_vfio *v, struct vfio_index *ix, uint32_t n)
{
	struct vfio_vec *e = &ix->vec[n];
	if (e->polled)
		(void)v->sys.epoll_ctl(v->sys.opaque, v->epfd, EPOLL_CTL_DEL, e->trigger, 0, 0);
	retire_fd(v, ix, n, &e->trigger);
	retire_fd(v, ix, n, &e->maskfd);
	e->allocated = false;
	e->active = false;
	e->masked = false;
	e->pending = false;
	e->polled = false;
	e->inflight = false;
	e->owner = NULL;
}

/*
 * A vector freed inside a caller's batch keeps its parent levels until the
 * batch's sync (the core retires it), but the root's hwirq is fixed by the
 * index: allocating that index again in the same batch would collide with
 * it. The device targets the same kernel vector either way, so the new
 * vector takes the index over: the old one's eventfds wait in the
 * graveyard until the kernel lets go of them, and its irq data moves to an
 * INTx hwirq that is never mapped and that root_free ignores, so the
 * retired vector's release at the end of the batch touches nothing of the
 * new one. The whole batch still reaches the kernel as one update.
 */
static int take_over(struct msidom_vfio *v, struct vfio_index *ix, uint32_t n)
{
	struct vfio_vec *e = &ix->vec[n];
	uint32_t hwirq = MSIDOM_VFIO_HWIRQ(ix->type, n);
	if (e->active || !e->owner || msidom_irq_data_hwirq(e->owner) != hwirq) {
		msidom_log(v->ctx, MSIDOM_LOG_ERR, "vfio %s: vector %u of index %u is in use",
			   v->bdf, n, ix->type);
		return -MSIDOM_EEXIST;
	}
	int ret =
		msidom_irq_data_set_hwirq(e->owner, MSIDOM_VFIO_HWIRQ(VFIO_PCI_INTX_IRQ_INDEX, n));
	if (ret < 0)
		return ret;
	(void)msidom_domain_unmap(v->root, hwirq);
	msidom__vfio_vec_release(v, ix, n);
	return 0;
}

static int root_alloc(struct msidom_domain *d, struct msidom_irq_data *const *data, unsigned int nr,
		      const struct msidom_alloc_arg *arg)
{
	(void)arg;
	struct msidom_vfio *v = msidom_domain_priv(d);
	struct vfio_index *ix = &v->idx[v->mode_type];
	unsigned int i;
	int ret = 0;

	for (i = 0; i < nr; i++) {
		struct msidom_desc *desc = msidom_irq_data_desc(data[i]);
		if (!desc) {
			ret = -MSIDOM_EINVAL;
			goto undo;
		}
		uint32_t n = msidom_desc_index(desc);
		if (n >= ix->count) {
			ret = -MSIDOM_ERANGE;
			goto undo;
		}
		if (ix->vec[n].allocated) {
			ret = take_over(v, ix, n);
			if (ret < 0)
				goto undo;
		}
		ret = vec_open(v, ix, n);
		if (ret < 0) {
			msidom_log(v->ctx, MSIDOM_LOG_ERR, "vfio %s: no eventfd for vector %u: %s",
				   v->bdf, n, msidom_strerror(ret));
			goto undo;
		}
		ret = msidom_irq_data_set_hwirq(data[i], MSIDOM_VFIO_HWIRQ(ix->type, n));
		if (ret < 0) {
			msidom__vfio_vec_release(v, ix, n);
			goto undo;
		}
		ix->vec[n].owner = data[i];
	}
	return 0;

undo:
	while (i-- > 0)
		msidom__vfio_vec_release(v, ix, msidom_irq_data_hwirq(data[i]) & 0xffffu);
	return ret;
}

static void root_free(struct msidom_domain *d, struct msidom_irq_data *const *data, unsigned int nr)
{
	struct msidom_vfio *v = msidom_domain_priv(d);
	for (unsigned int i = 0; i < nr; i++) {
		struct vfio_index *ix;
		if (vec_of(v, msidom_irq_data_hwirq(data[i]), &ix))
			msidom__vfio_vec_release(v, ix, msidom_irq_data_hwirq(data[i]) & 0xffffu);
	}
}

static int root_activate(struct msidom_domain *d, struct msidom_irq_data *data)
{
	struct msidom_vfio *v = msidom_domain_priv(d);
	struct vfio_index *ix;
	struct vfio_vec *e = vec_of(v, msidom_irq_data_hwirq(data), &ix);
	if (!e)
		return -MSIDOM_EINVAL;
	struct msidom_desc *desc = msidom_irq_data_desc(data);
	e->active = true;
	e->masked = desc ? msidom_desc_masked(desc) : true;
	if (v->batch_depth)
		return 0;
	int ret = msidom__vfio_program(v, ix);
	if (ret == 0)
		msidom__vfio_clear_deferred(v, ix, false);
	if (ret < 0) {
		e->active = false;
		msidom_log(v->ctx, MSIDOM_LOG_ERR, "vfio %s: arming vector %u of index %u: %s",
			   v->bdf, msidom_irq_data_hwirq(data) & 0xffffu, ix->type,
			   msidom_strerror(ret));
	}
	return ret;
}

static void root_deactivate(struct msidom_domain *d, struct msidom_irq_data *data)
{
	struct msidom_vfio *v = msidom_domain_priv(d);
	struct vfio_index *ix;
	struct vfio_vec *e = vec_of(v, msidom_irq_data_hwirq(data), &ix);
	if (!e)
		return;
	e->active = false;
	e->pending = false;
	if (v->batch_depth)
		return;
	int ret = msidom__vfio_program(v, ix);
	/* Deferred masks are in the kernel now, or left for the next update. */
	msidom__vfio_clear_deferred(v, ix, false);
	if (ret < 0)
		msidom_log(v->ctx, MSIDOM_LOG_WARN,
			   "vfio %s: disarming vector %u of index %u failed (%s); retried on "
			   "the next update",
			   v->bdf, msidom_irq_data_hwirq(data) & 0xffffu, ix->type,
			   msidom_strerror(ret));
}

void msidom__vfio_clear_deferred(struct msidom_vfio *v, struct vfio_index *ix, bool revert)
{
	if (!v->deferred)
		return;
	for (uint32_t n = 0; n < ix->count; n++) {
		struct vfio_vec *e = &ix->vec[n];
		if (e->mask_deferred && revert)
			e->masked = e->masked_prev;
		e->mask_deferred = false;
	}
	v->deferred = false;
}

/*
 * Inside the core's per-operation batch the kernel update waits for
 * bus_sync_unlock, so that freeing an unmasked vector (mask, then
 * deactivate) costs one SET_IRQS (fd -1) instead of two.
 */
static int set_masked(struct msidom_irq_data *data, bool masked)
{
	struct msidom_vfio *v = msidom_domain_priv(msidom_irq_data_domain(data));
	struct vfio_index *ix;
	struct vfio_vec *e = vec_of(v, msidom_irq_data_hwirq(data), &ix);
	if (!e)
		return -MSIDOM_EINVAL;
	if (e->masked == masked)
		return 0;
	if (!e->active || v->batch_depth) {
		e->masked = masked;
		return 0;
	}
	if (v->in_op_batch) {
		if (!e->mask_deferred) {
			e->mask_deferred = true;
			e->masked_prev = e->masked;
		}
		e->masked = masked;
		v->deferred = true;
		return 0;
	}
	e->masked = masked;
	int ret = msidom__vfio_program(v, ix);
	if (ret < 0)
		e->masked = !masked;
	return ret;
}

static int root_mask(struct msidom_irq_data *data)
{
	return set_masked(data, true);
}

static int root_unmask(struct msidom_irq_data *data)
{
	return set_masked(data, false);
}

/*
 * The host kernel programs the device's real message; this one only names
 * the vector (kept non-zero, as zero means "deactivated" to the core).
 */
static int root_compose(struct msidom_irq_data *data, struct msidom_msg *msg)
{
	msg->address_lo = 0xfee00000u;
	msg->address_hi = 0;
	msg->data = msidom_irq_data_hwirq(data);
	return 0;
}

static const struct msidom_domain_ops root_ops = {
	.sz = sizeof(struct msidom_domain_ops),
	.alloc = root_alloc,
	.free = root_free,
	.activate = root_activate,
	.deactivate = root_deactivate,
};

static const struct msidom_chip_ops root_chip = {
	.sz = sizeof(struct msidom_chip_ops),
	.compose_msg = root_compose,
	.mask = root_mask,
	.unmask = root_unmask,
};

int msidom__vfio_root_create(struct msidom_vfio *v)
{
	char name[64];
	msidom_snprintf(name, sizeof(name), "VFIO-%s", v->bdf);
	struct msidom_domain_info info = {
		.sz = sizeof(struct msidom_domain_info),
		.name = name,
		.child_prefix = "VFIO-",
		.bus = MSIDOM_BUS_VFIO,
		.flags = MSIDOM_DOMAIN_MSI_PARENT |
			 (v->info.isolated ? MSIDOM_DOMAIN_ISOLATED_MSI : 0u),
		.hwsize = (VFIO_PCI_MSIX_IRQ_INDEX + 1u) << 16,
		.ops = &root_ops,
		.chip = &root_chip,
		.priv = v,
	};
	return msidom_domain_create(v->ctx, &info, NULL, &v->root);
}
