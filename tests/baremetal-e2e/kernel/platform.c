/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The bare-metal backend's platform hooks for this kernel: config space
 * through ECAM, 32-bit MMIO with identity-mapped physical addresses, and
 * VT-d interrupt entry cache invalidation through the invalidation queue.
 */
#include "platform.h"

#include <libmsidom/error.h>

static bool sbdf_to_dev(uint32_t sbdf, struct pci_dev *d)
{
	if (sbdf >> 16)
		return false; /* segment 0 only */
	d->bus = (uint8_t)(sbdf >> 8);
	d->dev = (uint8_t)((sbdf >> 3) & 0x1Fu);
	d->fn = (uint8_t)(sbdf & 7u);
	return true;
}

static int cfg_read(void *opaque, uint32_t sbdf, uint16_t offset, uint8_t size, uint32_t *value)
{
	struct e2e_platform *p = opaque;
	struct pci_dev d;

	p->cfg_reads++;
	if (!sbdf_to_dev(sbdf, &d) || offset >= 4096 || (offset & (size - 1u)))
		return -MSIDOM_EINVAL;
	switch (size) {
	case 1: *value = pci_read8(&d, offset); return 0;
	case 2: *value = pci_read16(&d, offset); return 0;
	case 4: *value = pci_read32(&d, offset); return 0;
	default: return -MSIDOM_EINVAL;
	}
}

static int cfg_write(void *opaque, uint32_t sbdf, uint16_t offset, uint8_t size, uint32_t value)
{
	struct e2e_platform *p = opaque;
	struct pci_dev d;

	p->cfg_writes++;
	if (!sbdf_to_dev(sbdf, &d) || offset >= 4096 || (offset & (size - 1u)))
		return -MSIDOM_EINVAL;
	switch (size) {
	case 1: pci_write8(&d, offset, (uint8_t)value); return 0;
	case 2: pci_write16(&d, offset, (uint16_t)value); return 0;
	case 4: pci_write32(&d, offset, value); return 0;
	default: return -MSIDOM_EINVAL;
	}
}

static uint32_t mmio_rd(void *opaque, uint64_t addr)
{
	struct e2e_platform *p = opaque;

	p->mmio_reads++;
	if (addr >> 32 || (addr & 3u)) {
		p->mmio_bad++;
		return 0xFFFFFFFFu;
	}
	return mmio_read32((uintptr_t)addr);
}

static void mmio_wr(void *opaque, uint64_t addr, uint32_t value)
{
	struct e2e_platform *p = opaque;

	p->mmio_writes++;
	if (addr >> 32 || (addr & 3u)) {
		p->mmio_bad++;
		return;
	}
	mmio_write32((uintptr_t)addr, value);
}

static void full_barrier(void *opaque)
{
	struct e2e_platform *p = opaque;

	p->barriers++;
	barrier();
}

static int irte_inval(void *opaque, uint32_t index, uint32_t count)
{
	struct e2e_platform *p = opaque;
	uint32_t mask = 0;

	if (!p->vtd)
		return -MSIDOM_EIO;
	while ((1u << mask) < count)
		mask++;
	if ((1u << mask) != count || (index & (count - 1u))) {
		p->inval_bad++;
		return -MSIDOM_EINVAL;
	}
	p->invalidations++;
	return vtd_invalidate_iec(p->vtd, false, index, mask) ? -MSIDOM_EIO : 0;
}

void e2e_platform_init(struct e2e_platform *p, struct vtd *v)
{
	*p = (struct e2e_platform){ 0 };
	p->vtd = v;
	p->hooks.sz = sizeof(p->hooks);
	p->hooks.pci_read = cfg_read;
	p->hooks.pci_write = cfg_write;
	p->hooks.mmio_read32 = mmio_rd;
	p->hooks.mmio_write32 = mmio_wr;
	p->hooks.barrier = full_barrier;
	p->hooks.store128 = NULL; /* exercise the split, ordered IRTE update */
	p->hooks.irte_invalidate = v ? irte_inval : NULL;
	p->hooks.opaque = p;
}
