/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * VFIO backing: the guest vector is a host MSI-X (or MSI) vector of a
 * device opened with the VFIO backend: two eventfds each (the trigger,
 * and the backend's mask eventfd).
 *
 * Guest masking maps onto the backend's mask, which parks the kernel
 * trigger on a library-owned eventfd and replays on unmask: the irqfd
 * the VMM gave KVM then never fires for a masked guest vector, and
 * nothing that arrives meanwhile is lost.
 */
#include <libmsidom/error.h>
#include <libmsidom/vfio.h>

#include "vmm_internal.h"

static int vfio_check(struct msidom_vmm_fn *fn, const struct msidom_vmm_backing *b)
{
	(void)fn;
	if (!b->vfio || !msidom_device_domain(msidom_vfio_device(b->vfio), MSIDOM_DEFAULT_DOMAIN))
		return -MSIDOM_ENODEV;
	return 0;
}

static int vfio_acquire(struct msidom_vmm_fn *fn, struct vmm_vec *v)
{
	struct msidom_vfio *vdev = v->backing.vfio;
	struct msidom_map map;
	int err;

	(void)fn;
	map = msidom_vfio_alloc(vdev, v->backing.host_index, false, msidom__vmm_host_handler, v);
	if (map.index < 0)
		return map.index;
	/* KVM reads an irqfd itself: the backend's loop must not race it. */
	if (v->backing.irqfd) {
		err = msidom_vfio_set_polled(vdev, (uint32_t)map.index, false);
		if (err) {
			msidom_vfio_free(vdev, (uint32_t)map.index);
			return err;
		}
	}
	v->host_index = (uint32_t)map.index;
	v->host_virq = map.virq;
	return 0;
}

static int vfio_eventfd(struct msidom_vmm_fn *fn, struct vmm_vec *v)
{
	(void)fn;
	return msidom_vfio_vector_eventfd(v->backing.vfio, v->host_index);
}

static void vfio_release(struct msidom_vmm_fn *fn, struct vmm_vec *v)
{
	(void)fn;
	msidom_vfio_free(v->backing.vfio, v->host_index);
}

static int vfio_mask(struct msidom_vmm_fn *fn, struct vmm_vec *v)
{
	return msidom_irq_mask(fn->ctx, v->host_virq);
}

static int vfio_unmask(struct msidom_vmm_fn *fn, struct vmm_vec *v)
{
	return msidom_irq_unmask(fn->ctx, v->host_virq);
}

static bool vfio_pending(struct msidom_vmm_fn *fn, struct vmm_vec *v)
{
	(void)fn;
	return msidom_vfio_vector_pending(v->backing.vfio, v->host_index) == 1;
}

const struct vmm_backing_ops msidom__vmm_vfio_ops = {
	.name = "vfio",
	.host_vectors = 1,
	/* The backend opens a trigger and a mask eventfd per vector. */
	.host_fds = 2,
	.check = vfio_check,
	.acquire = vfio_acquire,
	.release = vfio_release,
	.eventfd = vfio_eventfd,
	.mask = vfio_mask,
	.unmask = vfio_unmask,
	.pending = vfio_pending,
};
