/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * PCI config space access through the platform hooks, and the capability
 * list walk shared by the MSI and MSI-X domains.
 */
#include "bm_internal.h"

/* 48 capabilities of 4 bytes fill config space 0x40..0xff: more is a loop. */
#define MAX_CAPS 48

int bm_cfg_read(struct msidom_ctx *ctx, const struct msidom_bm_platform *plat, uint32_t sbdf,
		uint16_t off, uint8_t size, uint32_t *val)
{
	uint32_t v = 0;

	if (plat->pci_read(plat->opaque, sbdf, off, size, &v)) {
		bm_err(ctx, "PCI %04x:%02x:%02x.%u: config read at 0x%x failed", sbdf >> 16,
		       (sbdf >> 8) & 0xffu, (sbdf >> 3) & 0x1fu, sbdf & 7u, off);
		return -MSIDOM_EIO;
	}
	if (size < 4)
		v &= (1u << (size * 8u)) - 1u;
	*val = v;
	return 0;
}

int bm_cfg_write(struct msidom_ctx *ctx, const struct msidom_bm_platform *plat, uint32_t sbdf,
		 uint16_t off, uint8_t size, uint32_t val)
{
	if (plat->pci_write(plat->opaque, sbdf, off, size, val)) {
		bm_err(ctx, "PCI %04x:%02x:%02x.%u: config write at 0x%x failed", sbdf >> 16,
		       (sbdf >> 8) & 0xffu, (sbdf >> 3) & 0x1fu, sbdf & 7u, off);
		return -MSIDOM_EIO;
	}
	return 0;
}

int bm_find_cap(struct msidom_ctx *ctx, const struct msidom_bm_platform *plat, uint32_t sbdf,
		uint8_t cap_id)
{
	uint32_t val = 0, pos;
	int ret;

	ret = bm_cfg_read(ctx, plat, sbdf, PCI_VENDOR_ID, 2, &val);
	if (ret)
		return ret;
	if (val == 0xffffu || val == 0) {
		bm_err(ctx, "PCI %x: no function present", sbdf);
		return -MSIDOM_ENODEV;
	}
	ret = bm_cfg_read(ctx, plat, sbdf, PCI_STATUS, 2, &val);
	if (ret)
		return ret;
	if (!(val & PCI_STATUS_CAP_LIST)) {
		bm_err(ctx, "PCI %x: no capability list", sbdf);
		return -MSIDOM_ENODEV;
	}
	ret = bm_cfg_read(ctx, plat, sbdf, PCI_CAP_PTR, 1, &pos);
	if (ret)
		return ret;
	for (int n = 0; n < MAX_CAPS; n++) {
		pos &= 0xfcu;
		if (!pos)
			goto absent;
		if (pos < 0x40u) {
			bm_err(ctx, "PCI %x: capability pointer 0x%x inside the header", sbdf, pos);
			return -MSIDOM_EINVAL;
		}
		ret = bm_cfg_read(ctx, plat, sbdf, (uint16_t)pos, 1, &val);
		if (ret)
			return ret;
		if (val == cap_id)
			return (int)pos;
		if (val == 0xffu) {
			bm_err(ctx, "PCI %x: capability at 0x%x reads as all ones", sbdf, pos);
			return -MSIDOM_EINVAL;
		}
		ret = bm_cfg_read(ctx, plat, sbdf, (uint16_t)(pos + 1u), 1, &pos);
		if (ret)
			return ret;
	}
	bm_err(ctx, "PCI %x: capability list does not end (loop?)", sbdf);
	return -MSIDOM_EINVAL;

absent:
	bm_err(ctx, "PCI %x: no capability 0x%02x", sbdf, cap_id);
	return -MSIDOM_ENODEV;
}

MSIDOM_API int msidom_bm_pci_find_cap(const struct msidom_bm_platform *platform, uint32_t sbdf,
				      uint8_t cap_id)
{
	struct msidom_bm_platform plat;
	int ret = bm_platform_load(NULL, platform, &plat);

	if (ret)
		return ret;
	if (!plat.pci_read)
		return -MSIDOM_EINVAL;
	return bm_find_cap(NULL, &plat, sbdf, cap_id);
}
