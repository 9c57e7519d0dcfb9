/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The per-device MSI or MSI-X domain of a VFIO device, in the default
 * slot. Its chip carries the batch boundary: the outermost
 * msidom_vfio_batch_end() ends the core batch, whose bus_sync_unlock
 * programs everything the batch recorded.
 */
#include "vfio_internal.h"

static int dev_write_msg(struct msidom_irq_data *data, const struct msidom_msg *msg)
{
	/* The host kernel owns the device's MSI storage; nothing to write. */
	(void)data;
	(void)msg;
	return 0;
}

static void dev_bus_lock(struct msidom_domain *d)
{
	struct msidom_vfio *v = msidom_domain_priv(d);
	v->in_op_batch = v->batch_depth == 0;
}

static int dev_bus_sync_unlock(struct msidom_domain *d)
{
	struct msidom_vfio *v = msidom_domain_priv(d);
	struct vfio_index *ix = &v->idx[v->mode_type];
	v->in_op_batch = false;
	if (v->committing)
		return msidom__vfio_program(v, ix);
	/*
	 * A core per-operation batch: alloc and free already programmed the
	 * kernel in their ops; only a mask or unmask may still wait here.
	 */
	if (!v->deferred)
		return 0;
	int ret = msidom__vfio_program(v, ix);
	msidom__vfio_clear_deferred(v, ix, ret < 0);
	return ret;
}

static const struct msidom_chip_ops dev_chip = {
	.sz = sizeof(struct msidom_chip_ops),
	.write_msg = dev_write_msg,
	.bus_lock = dev_bus_lock,
	.bus_sync_unlock = dev_bus_sync_unlock,
};

int msidom__vfio_devdomain_create(struct msidom_vfio *v, uint32_t type)
{
	bool msix = type == VFIO_PCI_MSIX_IRQ_INDEX;
	struct msidom_template tmpl = {
		.sz = sizeof(struct msidom_template),
		.name = msix ? "PCI-MSIX" : "PCI-MSI",
		.bus = msix ? MSIDOM_BUS_PCI_MSIX : MSIDOM_BUS_PCI_MSI,
		.flags = 0,
		.hwsize = v->idx[type].count,
		.ops = NULL,
		.chip = &dev_chip,
		.priv = v,
	};
	struct msidom_domain *d = NULL;
	/* Root alloc reads mode_type, so it must name the new index first. */
	msidom_ctx_lock(v->ctx);
	uint32_t old = v->mode_type;
	v->mode_type = type;
	msidom_ctx_unlock(v->ctx);
	int ret = msidom_device_domain_create(v->dev, MSIDOM_DEFAULT_DOMAIN, &tmpl, v->root, &d);
	msidom_ctx_lock(v->ctx);
	if (ret < 0) {
		v->mode_type = old;
	} else {
		v->dom = d;
		v->info.mode = msix ? MSIDOM_VFIO_MODE_MSIX : MSIDOM_VFIO_MODE_MSI;
	}
	msidom_ctx_unlock(v->ctx);
	return ret;
}
