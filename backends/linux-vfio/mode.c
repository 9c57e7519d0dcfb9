/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * MSI or MSI-X: the kernel allows one index at a time and the device's
 * default slot holds one domain, so switching mode replaces the domain.
 */
#include "vfio_internal.h"

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
