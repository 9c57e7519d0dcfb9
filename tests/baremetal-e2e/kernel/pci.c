/* SPDX-License-Identifier: BSD-2-Clause */
/* PCI configuration space through q35's ECAM window (bus 0 only). */
#include "kernel.h"

static uintptr_t cfg_addr(const struct pci_dev *d, uint32_t off)
{
	return PCI_ECAM_BASE + ((uintptr_t)d->bus << 20) + ((uintptr_t)d->dev << 15) +
	       ((uintptr_t)d->fn << 12) + (off & 0xFFFu);
}

uint32_t pci_read32(const struct pci_dev *d, uint32_t off)
{
	return *(volatile uint32_t *)cfg_addr(d, off & ~3u);
}

uint16_t pci_read16(const struct pci_dev *d, uint32_t off)
{
	return *(volatile uint16_t *)cfg_addr(d, off & ~1u);
}

uint8_t pci_read8(const struct pci_dev *d, uint32_t off)
{
	return *(volatile uint8_t *)cfg_addr(d, off);
}

void pci_write32(const struct pci_dev *d, uint32_t off, uint32_t v)
{
	*(volatile uint32_t *)cfg_addr(d, off & ~3u) = v;
}

void pci_write16(const struct pci_dev *d, uint32_t off, uint16_t v)
{
	*(volatile uint16_t *)cfg_addr(d, off & ~1u) = v;
}

void pci_write8(const struct pci_dev *d, uint32_t off, uint8_t v)
{
	*(volatile uint8_t *)cfg_addr(d, off) = v;
}

int pci_find(uint16_t vendor, uint16_t device, struct pci_dev *out)
{
	for (uint8_t dev = 0; dev < 32; dev++) {
		struct pci_dev d = { .bus = 0, .dev = dev, .fn = 0 };
		uint32_t id = pci_read32(&d, 0);

		if ((id & 0xFFFFu) == vendor && (id >> 16) == device) {
			d.vendor = vendor;
			d.device = device;
			*out = d;
			return 0;
		}
	}
	return -1;
}

void pci_list(void)
{
	for (uint8_t dev = 0; dev < 32; dev++) {
		struct pci_dev d = { .bus = 0, .dev = dev, .fn = 0 };
		uint32_t id = pci_read32(&d, 0);

		if ((id & 0xFFFFu) != 0xFFFFu)
			kprintf("pci: 00:%02x.0 %04x:%04x class %06x\n", dev, id & 0xFFFFu,
				id >> 16, pci_read32(&d, 8) >> 8);
	}
}

uint8_t pci_find_cap(const struct pci_dev *d, uint8_t id)
{
	unsigned int guard = 48;

	if (!(pci_read16(d, 0x06) & (1u << 4)))
		return 0;
	for (uint8_t p = pci_read8(d, 0x34) & 0xFCu; p && guard--; p = pci_read8(d, p + 1u) & 0xFCu)
		if (pci_read8(d, p) == id)
			return p;
	return 0;
}

uintptr_t pci_bar(const struct pci_dev *d, unsigned int bar)
{
	uint32_t lo = pci_read32(d, 0x10 + 4 * bar);

	if (lo & 1u)
		return 0; /* I/O BAR */
	if (((lo >> 1) & 3u) == 2u && pci_read32(d, 0x14 + 4 * bar))
		return 0; /* above 4 GiB: unreachable without paging */
	return lo & ~0xFu;
}

void pci_enable(const struct pci_dev *d)
{
	pci_write16(d, 0x04, (uint16_t)(pci_read16(d, 0x04) | 0x6u));
}

uint16_t pci_requester_id(const struct pci_dev *d)
{
	return (uint16_t)(d->bus << 8 | d->dev << 3 | d->fn);
}
