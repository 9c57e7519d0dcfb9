/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * MSI programmed by hand, without the library: proves the platform path
 * (IDT, local APIC, edu's MSI, and with VT-d a hand-written IRTE in the
 * remapping table) before the library is put on top of it.
 */
#include "kernel.h"

/* Waits for arrivals, then a settling period, and reports the total. */
static uint32_t settle(uint32_t expect_total)
{
	irq_wait_total(expect_total);
	for (volatile uint32_t spin = 0; spin < 200000u; spin++)
		;
	return irq_total();
}

void raw_tests(struct vtd *v)
{
	struct pci_dev edu;
	uintptr_t bar;
	uint8_t cap;
	uint16_t ctrl;
	uint32_t addr, data, before, idx = 0;

	if (pci_find(EDU_VENDOR, EDU_DEVICE, &edu)) {
		check(false, "raw-edu-found", "edu not on bus 0");
		return;
	}
	pci_enable(&edu);
	bar = pci_bar(&edu, 0);
	cap = pci_find_cap(&edu, 0x05);
	if (!check(bar && cap, "raw-edu-found", "00:%02x.0 bar0 0x%x msi cap 0x%x", edu.dev,
		   (unsigned int)bar, cap))
		return;

	if (v) {
		idx = v->irt_entries - 1;
		/* Fixed, physical, edge, vector, xAPIC destination in bits 47:40. */
		v->irt[2 * idx + 1] = pci_requester_id(&edu) | (uint64_t)1 << 18;
		barrier();
		v->irt[2 * idx] = 1u | RAW_VECTOR << 16 | (uint64_t)lapic_id() << 40;
		vtd_invalidate_iec(v, false, idx, 0);
		addr = 0xFEE00000u | (idx & 0x7FFFu) << 5 | 1u << 4 | ((idx >> 15) & 1u) << 2;
		data = 0;
	} else {
		addr = 0xFEE00000u | lapic_id() << 12;
		data = RAW_VECTOR;
	}
	ctrl = pci_read16(&edu, cap + 2u);
	pci_write32(&edu, cap + 4u, addr);
	if (ctrl & (1u << 7)) {
		pci_write32(&edu, cap + 8u, 0);
		pci_write16(&edu, cap + 12u, (uint16_t)data);
	} else {
		pci_write16(&edu, cap + 8u, (uint16_t)data);
	}
	pci_write16(&edu, cap + 2u, (uint16_t)((ctrl & ~(7u << 4)) | 1u));

	before = irq_total();
	for (uint32_t i = 1; i <= 3; i++) {
		mmio_write32(bar + EDU_IRQ_RAISE, 1);
		settle(before + i);
		mmio_write32(bar + EDU_IRQ_ACK, 1);
	}
	check(irq_count(RAW_VECTOR) == 3 && irq_total() == before + 3, "raw-edu-msi",
	      "%s message 0x%x/0x%x: vector 0x%x got %u of 3, %u in total",
	      v ? "remapped" : "compatibility", addr, data, RAW_VECTOR, irq_count(RAW_VECTOR),
	      irq_total() - before);

	/* Leave nothing behind for the library. */
	pci_write16(&edu, cap + 2u, (uint16_t)(pci_read16(&edu, cap + 2u) & ~1u));
	pci_write32(&edu, cap + 4u, 0);
	if (v) {
		v->irt[2 * idx] = 0;
		barrier();
		v->irt[2 * idx + 1] = 0;
		vtd_invalidate_iec(v, false, idx, 0);
		if (vtd_fault_status(v))
			vtd_dump_faults(v);
		check(vtd_fault_status(v) == 0, "raw-vtd-no-faults", "fsts 0x%x",
		      vtd_fault_status(v));
	}
}
