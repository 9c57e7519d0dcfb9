/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * MSI capability emulation with multiple messages and per-vector masking.
 *
 * Layout (PCI Local Bus 3.0, 6.8.1):
 *   0x0: id 0x05 | next << 8 | control << 16
 *        control: bit 0 enable, 3:1 multiple message capable (RO),
 *        6:4 multiple message enable, 7 64-bit (RO), 8 per-vector mask (RO)
 *   0x4: message address (bits 1:0 zero)
 *   0x8: message upper address (64-bit only)
 *   then: message data (16 bits), mask bits, pending bits (maskable only)
 */
#include <libmsidom/error.h>

#include "vmm_internal.h"

#define MSI_CAP_ID         0x05u
#define MSI_CTRL_ENABLE    (1u << 0)
#define MSI_CTRL_MMC_SHIFT 1
#define MSI_CTRL_MME_SHIFT 4
#define MSI_CTRL_64BIT     (1u << 7)
#define MSI_CTRL_MASKABLE  (1u << 8)

enum msi_reg { REG_CTRL, REG_ADDR_LO, REG_ADDR_HI, REG_DATA, REG_MASK, REG_PENDING, REG_NONE };

static enum msi_reg reg_at(const struct msidom_vmm_config *cfg, uint32_t dw)
{
	uint32_t data_at = cfg->msi_64bit ? 0xc : 0x8;

	if (dw == 0)
		return REG_CTRL;
	if (dw == 4)
		return REG_ADDR_LO;
	if (cfg->msi_64bit && dw == 8)
		return REG_ADDR_HI;
	if (dw == data_at)
		return REG_DATA;
	if (cfg->msi_maskable && dw == data_at + 4)
		return REG_MASK;
	if (cfg->msi_maskable && dw == data_at + 8)
		return REG_PENDING;
	return REG_NONE;
}

uint32_t msidom__vmm_msi_cfg_size(const struct msidom_vmm_config *cfg)
{
	uint32_t data_at = cfg->msi_64bit ? 0xc : 0x8;

	/* The data register is 16 bits wide when nothing follows it. */
	return cfg->msi_maskable ? data_at + 12 : data_at + 2;
}

static uint32_t log2u(uint32_t n)
{
	uint32_t l = 0;

	while ((1u << l) < n)
		l++;
	return l;
}

int msidom__vmm_msi_cfg_read(struct msidom_vmm_fn *fn, uint32_t dw, uint32_t *value)
{
	const struct vmm_vec *cap = &fn->vecs[0];
	uint32_t ctrl, bits = 0, i;

	switch (reg_at(&fn->cfg, dw)) {
	case REG_CTRL:
		ctrl = (fn->enabled ? MSI_CTRL_ENABLE : 0) |
		       log2u(fn->cfg.nvec) << MSI_CTRL_MMC_SHIFT |
		       (uint32_t)fn->msi_mme << MSI_CTRL_MME_SHIFT |
		       (fn->cfg.msi_64bit ? MSI_CTRL_64BIT : 0) |
		       (fn->cfg.msi_maskable ? MSI_CTRL_MASKABLE : 0);
		*value = MSI_CAP_ID | (uint32_t)fn->cfg.cap_next << 8 | ctrl << 16;
		return 0;
	case REG_ADDR_LO: *value = cap->addr_lo; return 0;
	case REG_ADDR_HI: *value = cap->addr_hi; return 0;
	case REG_DATA: *value = cap->data; return 0;
	case REG_MASK:
		for (i = 0; i < fn->cfg.nvec; i++)
			bits |= fn->vecs[i].guest_masked ? 1u << i : 0;
		*value = bits;
		return 0;
	case REG_PENDING:
		for (i = 0; i < fn->cfg.nvec; i++)
			/* As the MSI-X PBA: what the host holds is pending too. */
			bits |= msidom__vmm_pending(fn, &fn->vecs[i]) ? 1u << i : 0;
		*value = bits;
		return 0;
	case REG_NONE: break;
	}
	*value = 0;
	return 0;
}

void msidom__vmm_msi_cfg_write(struct msidom_vmm_fn *fn, uint32_t dw, uint32_t value,
			       uint32_t bytemask)
{
	struct vmm_vec *cap = &fn->vecs[0];
	bool was_enabled = fn->enabled;
	uint32_t old, mme, i;

	switch (reg_at(&fn->cfg, dw)) {
	case REG_CTRL:
		/* Enable and MME live in control's low byte (dword byte 2). */
		if (!(bytemask & 0x00ff0000u))
			return;
		fn->enabled = (value >> 16) & MSI_CTRL_ENABLE;
		mme = (value >> (16 + MSI_CTRL_MME_SHIFT)) & 7u;
		/* More than the function is capable of is clamped, as hardware does. */
		if (mme > log2u(fn->cfg.nvec))
			mme = log2u(fn->cfg.nvec);
		fn->msi_mme = (uint8_t)mme;
		break;
	case REG_ADDR_LO: cap->addr_lo = ((cap->addr_lo & ~bytemask) | value) & ~3u; break;
	case REG_ADDR_HI: cap->addr_hi = (cap->addr_hi & ~bytemask) | value; break;
	case REG_DATA:
		/* Extended message data is not offered: 16 bits only. */
		cap->data = ((cap->data & ~bytemask) | value) & 0xffffu;
		break;
	case REG_MASK:
		old = 0;
		for (i = 0; i < fn->cfg.nvec; i++)
			old |= fn->vecs[i].guest_masked ? 1u << i : 0;
		value = (old & ~bytemask) | value;
		for (i = 0; i < fn->cfg.nvec; i++)
			fn->vecs[i].guest_masked = value & (1u << i);
		break;
	case REG_PENDING:
	case REG_NONE: return;
	}
	if (was_enabled && !fn->enabled)
		msidom__vmm_release_all(fn);
	msidom__vmm_sync_all(fn);
}
