/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Config space accesses to the emulated capability. Both capabilities
 * are described as dwords; byte and word accesses are folded into dword
 * reads and masked dword writes here, so each capability only has to say
 * which bits of each dword are writable and what a change means.
 */
#include <libmsidom/error.h>

#include "vmm_internal.h"

MSIDOM_API uint32_t msidom_vmm_cfg_size(const struct msidom_vmm_fn *fn)
{
	if (!fn)
		return 0;
	if (fn->cfg.type == MSIDOM_VMM_MSIX)
		return MSIDOM_VMM_MSIX_CAP_SIZE;
	return msidom__vmm_msi_cfg_size(&fn->cfg);
}

static bool cfg_access_ok(const struct msidom_vmm_fn *fn, uint32_t offset, uint32_t size)
{
	if (size != 1 && size != 2 && size != 4)
		return false;
	if (offset % size)
		return false;
	return offset < msidom_vmm_cfg_size(fn) && size <= msidom_vmm_cfg_size(fn) - offset;
}

MSIDOM_API int msidom_vmm_cfg_read(struct msidom_vmm_fn *fn, uint32_t offset, uint32_t size,
				   uint32_t *value)
{
	uint32_t dw = 0;
	int err;

	if (!fn)
		return -MSIDOM_EINVAL;
	if (!value) {
		vmm_err(fn, "vmm %s: cfg_read: NULL output", fn->name);
		return -MSIDOM_EINVAL;
	}
	*value = 0;
	msidom__vmm_lock(fn);
	if (!cfg_access_ok(fn, offset, size)) {
		err = msidom__vmm_bad_access(fn, "config read", offset, size);
		goto out;
	}
	if (fn->cfg.type == MSIDOM_VMM_MSIX)
		err = msidom__vmm_msix_cfg_read(fn, offset & ~3u, &dw);
	else
		err = msidom__vmm_msi_cfg_read(fn, offset & ~3u, &dw);
	dw >>= (offset & 3u) * 8;
	*value = size == 4 ? dw : dw & ((1u << (size * 8)) - 1u);
out:
	msidom__vmm_unlock(fn);
	return err;
}

MSIDOM_API int msidom_vmm_cfg_write(struct msidom_vmm_fn *fn, uint32_t offset, uint32_t size,
				    uint32_t value)
{
	uint32_t shift, bytemask;
	int err = 0;

	if (!fn)
		return -MSIDOM_EINVAL;
	msidom__vmm_lock(fn);
	if (!cfg_access_ok(fn, offset, size)) {
		err = msidom__vmm_bad_access(fn, "config write", offset, size);
		goto out;
	}
	shift = (offset & 3u) * 8;
	bytemask = size == 4 ? 0xffffffffu : ((1u << (size * 8)) - 1u) << shift;
	value = (value << shift) & bytemask;
	if (fn->cfg.type == MSIDOM_VMM_MSIX)
		msidom__vmm_msix_cfg_write(fn, offset & ~3u, value, bytemask);
	else
		msidom__vmm_msi_cfg_write(fn, offset & ~3u, value, bytemask);
out:
	msidom__vmm_unlock(fn);
	return err;
}
