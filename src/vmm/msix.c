/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * MSI-X emulation: the capability (Message Control: enable, function
 * mask), the table and the PBA.
 *
 * Capability layout (PCI Local Bus 3.0 / PCIe base spec):
 *   0x0: id 0x11 | next << 8 | control << 16
 *        control: bits 10:0 table size - 1 (RO), 14 function mask, 15 enable
 *   0x4: table offset / BIR (RO)
 *   0x8: PBA offset / BIR (RO)
 * Table entry (16 bytes): address low, address high, data, vector control
 * (bit 0 mask). PBA: one bit per entry in 64-bit words.
 */
#include <libmsidom/error.h>

#include "vmm_internal.h"

#define MSIX_CAP_ID        0x11u
#define MSIX_CTRL_FMASK    (1u << 14)
#define MSIX_CTRL_ENABLE   (1u << 15)
#define MSIX_ENTRY_MASKBIT 1u

int msidom__vmm_msix_cfg_read(struct msidom_vmm_fn *fn, uint32_t dw, uint32_t *value)
{
	uint32_t ctrl;

	switch (dw) {
	case 0:
		ctrl = (fn->cfg.nvec - 1u) | (fn->fmask ? MSIX_CTRL_FMASK : 0) |
		       (fn->enabled ? MSIX_CTRL_ENABLE : 0);
		*value = MSIX_CAP_ID | (uint32_t)fn->cfg.cap_next << 8 | ctrl << 16;
		return 0;
	case 4: *value = fn->cfg.msix_table_reg; return 0;
	case 8: *value = fn->cfg.msix_pba_reg; return 0;
	}
	*value = 0;
	return 0;
}

void msidom__vmm_msix_cfg_write(struct msidom_vmm_fn *fn, uint32_t dw, uint32_t value,
				uint32_t bytemask)
{
	bool was_enabled = fn->enabled;
	bool enable, fmask;

	/* Only enable and function mask (the top byte of dword 0) are writable. */
	if (dw != 0 || !(bytemask & 0xff000000u))
		return;
	enable = value & (MSIX_CTRL_ENABLE << 16);
	fmask = value & (MSIX_CTRL_FMASK << 16);
	if (enable == fn->enabled && fmask == fn->fmask)
		return;
	fn->enabled = enable;
	fn->fmask = fmask;
	vmm_dbg(fn, "vmm %s: MSI-X %s%s", fn->name, enable ? "enabled" : "disabled",
		fmask ? ", function masked" : "");
	/* Disabling MSI-X gives every host vector back. */
	if (was_enabled && !enable)
		msidom__vmm_release_all(fn);
	msidom__vmm_sync_all(fn);
}

MSIDOM_API uint64_t msidom_vmm_table_size(const struct msidom_vmm_fn *fn)
{
	if (!fn || fn->cfg.type != MSIDOM_VMM_MSIX)
		return 0;
	return (uint64_t)fn->cfg.nvec * MSIDOM_VMM_MSIX_ENTRY_SIZE;
}

MSIDOM_API uint64_t msidom_vmm_pba_size(const struct msidom_vmm_fn *fn)
{
	if (!fn || fn->cfg.type != MSIDOM_VMM_MSIX)
		return 0;
	return ((uint64_t)fn->cfg.nvec + 63u) / 64u * 8u;
}

/* Natural alignment, 4 or 8 bytes, entirely inside [0, limit). */
static bool mmio_ok(uint64_t offset, uint32_t size, uint64_t limit)
{
	if (size != 4 && size != 8)
		return false;
	if (offset % size)
		return false;
	return offset < limit && size <= limit - offset;
}

static int check_fn(struct msidom_vmm_fn *fn, const char *what, const void *out)
{
	if (!fn)
		return -MSIDOM_EINVAL;
	if (fn->cfg.type != MSIDOM_VMM_MSIX) {
		vmm_err(fn, "vmm %s: %s on a function without MSI-X", fn->name, what);
		return -MSIDOM_EINVAL;
	}
	if (!out) {
		vmm_err(fn, "vmm %s: %s: NULL output", fn->name, what);
		return -MSIDOM_EINVAL;
	}
	return 0;
}

static uint32_t entry_word(const struct vmm_vec *v, uint32_t word)
{
	switch (word) {
	case 0: return v->addr_lo;
	case 1: return v->addr_hi;
	case 2: return v->data;
	default: return v->guest_masked ? MSIX_ENTRY_MASKBIT : 0;
	}
}

static void entry_write(struct vmm_vec *v, uint32_t word, uint32_t value)
{
	switch (word) {
	case 0:
		/* Bits 1:0 must be written as zero (DWORD alignment): keep them so. */
		v->addr_lo = value & ~3u;
		break;
	case 1: v->addr_hi = value; break;
	case 2: v->data = value; break;
	default:
		/* Reserved and steering-tag bits are not emulated: read as 0. */
		v->guest_masked = value & MSIX_ENTRY_MASKBIT;
		break;
	}
}

MSIDOM_API int msidom_vmm_table_read(struct msidom_vmm_fn *fn, uint64_t offset, uint32_t size,
				     uint64_t *value)
{
	const struct vmm_vec *v;
	uint32_t word;
	int err;

	err = check_fn(fn, "table_read", value);
	if (err)
		return err;
	*value = 0;
	msidom__vmm_lock(fn);
	if (!mmio_ok(offset, size, msidom_vmm_table_size(fn))) {
		err = msidom__vmm_bad_access(fn, "MSI-X table read", offset, size);
		goto out;
	}
	v = &fn->vecs[offset / MSIDOM_VMM_MSIX_ENTRY_SIZE];
	word = (uint32_t)(offset % MSIDOM_VMM_MSIX_ENTRY_SIZE) / 4u;
	*value = entry_word(v, word);
	if (size == 8)
		*value |= (uint64_t)entry_word(v, word + 1u) << 32;
out:
	msidom__vmm_unlock(fn);
	return err;
}

MSIDOM_API int msidom_vmm_table_write(struct msidom_vmm_fn *fn, uint64_t offset, uint32_t size,
				      uint64_t value)
{
	struct vmm_vec *v;
	uint32_t word;
	int err = 0;

	if (!fn)
		return -MSIDOM_EINVAL;
	err = check_fn(fn, "table_write", &value);
	if (err)
		return err;
	msidom__vmm_lock(fn);
	if (!mmio_ok(offset, size, msidom_vmm_table_size(fn))) {
		err = msidom__vmm_bad_access(fn, "MSI-X table write", offset, size);
		goto out;
	}
	v = &fn->vecs[offset / MSIDOM_VMM_MSIX_ENTRY_SIZE];
	word = (uint32_t)(offset % MSIDOM_VMM_MSIX_ENTRY_SIZE) / 4u;
	entry_write(v, word, (uint32_t)value);
	if (size == 8)
		entry_write(v, word + 1u, (uint32_t)(value >> 32));
	/* One sync per access: an 8-byte data + unmask write is one change. */
	msidom__vmm_sync(fn, v);
out:
	msidom__vmm_unlock(fn);
	return err;
}

MSIDOM_API int msidom_vmm_pba_read(struct msidom_vmm_fn *fn, uint64_t offset, uint32_t size,
				   uint64_t *value)
{
	uint32_t first, i;
	int err;

	err = check_fn(fn, "pba_read", value);
	if (err)
		return err;
	*value = 0;
	msidom__vmm_lock(fn);
	if (!mmio_ok(offset, size, msidom_vmm_pba_size(fn))) {
		err = msidom__vmm_bad_access(fn, "MSI-X PBA read", offset, size);
		goto out;
	}
	first = (uint32_t)offset * 8u;
	for (i = 0; i < size * 8u && first + i < fn->cfg.nvec; i++) {
		if (msidom__vmm_pending(fn, &fn->vecs[first + i]))
			*value |= 1ull << i;
	}
out:
	msidom__vmm_unlock(fn);
	return err;
}

MSIDOM_API int msidom_vmm_pba_write(struct msidom_vmm_fn *fn, uint64_t offset, uint32_t size,
				    uint64_t value)
{
	int err;

	(void)value;
	err = check_fn(fn, "pba_write", &value);
	if (err)
		return err;
	msidom__vmm_lock(fn);
	/* The PBA is read-only: a well-formed write is simply ignored. */
	if (!mmio_ok(offset, size, msidom_vmm_pba_size(fn)))
		err = msidom__vmm_bad_access(fn, "MSI-X PBA write", offset, size);
	msidom__vmm_unlock(fn);
	return err;
}
