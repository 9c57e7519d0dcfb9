/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * IMS backing: the guest vector is a slot of a host device's IMS domain
 * (MSIDOM_SECONDARY_DOMAIN), allocated through the core with the
 * vector's cookie. Host interrupts reach the function through the slot's
 * virq handler (the VMM dispatches its root with msidom_handle()).
 *
 * The slot is unmasked once acquired and stays so until released: a
 * masked guest vector latches in its pending bit here, which needs no
 * help from the device, while a masked IMS slot would leave the event in
 * device state that is lost when the guest disables MSI-X and the slot
 * is freed.
 */
#include <libmsidom/error.h>

#include "vmm_internal.h"

static int ims_check(struct msidom_vmm_fn *fn, const struct msidom_vmm_backing *b)
{
	(void)fn;
	if (!b->host_dev || !msidom_device_domain(b->host_dev, MSIDOM_SECONDARY_DOMAIN))
		return -MSIDOM_ENODEV;
	return 0;
}

static int ims_acquire(struct msidom_vmm_fn *fn, struct vmm_vec *v)
{
	struct msidom_alloc_opts opts = {
		.sz = sizeof(struct msidom_alloc_opts),
		.has_cookie = true,
		.cookie = v->backing.cookie,
	};
	struct msidom_map map;
	int err;

	map = msidom_msi_alloc_at(v->backing.host_dev, MSIDOM_SECONDARY_DOMAIN,
				  v->backing.host_index, &opts);
	if (map.index < 0)
		return map.index;
	err = msidom_irq_set_handler(fn->ctx, map.virq, msidom__vmm_host_handler, v);
	if (err) {
		msidom_msi_free(v->backing.host_dev, MSIDOM_SECONDARY_DOMAIN, (uint32_t)map.index);
		return err;
	}
	v->host_index = (uint32_t)map.index;
	v->host_virq = map.virq;
	return 0;
}

static void ims_release(struct msidom_vmm_fn *fn, struct vmm_vec *v)
{
	msidom_irq_set_handler(fn->ctx, v->host_virq, NULL, NULL);
	msidom_msi_free(v->backing.host_dev, MSIDOM_SECONDARY_DOMAIN, v->host_index);
}

static int ims_unmask(struct msidom_vmm_fn *fn, struct vmm_vec *v)
{
	return msidom_irq_unmask(fn->ctx, v->host_virq);
}

const struct vmm_backing_ops msidom__vmm_ims_ops = {
	.name = "ims",
	.host_vectors = 1,
	.host_fds = 0,
	.check = ims_check,
	.acquire = ims_acquire,
	.release = ims_release,
	.unmask = ims_unmask,
};
