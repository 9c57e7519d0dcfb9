/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * VT-d interrupt remapping, enabled by the kernel itself: queued
 * invalidation, the remapping table pointer, then IRE. Register offsets
 * and bits are those of the VT-d specification (chapter 11).
 */
#include "kernel.h"

#define VTD_VER  0x00u
#define VTD_CAP  0x08u
#define VTD_ECAP 0x10u
#define VTD_GCMD 0x18u
#define VTD_GSTS 0x1Cu
#define VTD_FSTS 0x34u
#define VTD_IQH  0x80u
#define VTD_IQT  0x88u
#define VTD_IQA  0x90u
#define VTD_ICS  0x9Cu
#define VTD_IRTA 0xB8u

#define GCMD_QIE   (1u << 26)
#define GCMD_IRE   (1u << 25)
#define GCMD_SIRTP (1u << 24)
#define GSTS_QIES  (1u << 26)
#define GSTS_IRES  (1u << 25)
#define GSTS_IRTPS (1u << 24)
/* GSTS bits that are one-shot commands and must not be written back. */
#define GSTS_PRESERVE 0x96FFFFFFu

#define ECAP_QI  (1u << 1)
#define ECAP_IR  (1u << 3)
#define ECAP_EIM (1u << 4)

#define FSTS_IQE (1u << 4)
#define FSTS_PPF (1u << 1)

#define QI_IEC         0x4u
#define QI_IEC_INDEXED (1u << 4)
#define QI_WAIT        0x5u
#define QI_WAIT_SW     (1u << 5)
#define QI_ENTRIES     256u

static volatile uint32_t qi_status __attribute__((aligned(16)));

static uint32_t rd(struct vtd *v, uint32_t reg)
{
	return mmio_read32(v->base + reg);
}

static void wr(struct vtd *v, uint32_t reg, uint32_t val)
{
	mmio_write32(v->base + reg, val);
}

static uint64_t rd64(struct vtd *v, uint32_t reg)
{
	return (uint64_t)rd(v, reg + 4) << 32 | rd(v, reg);
}

/* The high half first: QEMU latches 64-bit registers on the low write. */
static void wr64(struct vtd *v, uint32_t reg, uint64_t val)
{
	wr(v, reg + 4, (uint32_t)(val >> 32));
	wr(v, reg, (uint32_t)val);
}

uint32_t vtd_gsts(struct vtd *v)
{
	return rd(v, VTD_GSTS);
}

static int gcmd_set(struct vtd *v, uint32_t cmd, uint32_t sts, const char *what)
{
	wr(v, VTD_GCMD, (rd(v, VTD_GSTS) & GSTS_PRESERVE) | cmd);
	for (uint32_t spin = 0; spin < 1000000u; spin++)
		if (rd(v, VTD_GSTS) & sts)
			return 0;
	kprintf("vtd: %s did not complete (gsts 0x%x)\n", what, rd(v, VTD_GSTS));
	return -1;
}

static int qi_submit(struct vtd *v, uint64_t lo, uint64_t hi)
{
	uint32_t slot = v->iq_tail;

	v->iq[2 * slot] = lo;
	v->iq[2 * slot + 1] = hi;
	slot = (slot + 1) % QI_ENTRIES;
	/* Status write: the unit has processed everything before it. */
	qi_status = 0;
	v->iq[2 * slot] = QI_WAIT | QI_WAIT_SW | (uint64_t)1 << 32;
	v->iq[2 * slot + 1] = (uint32_t)(uintptr_t)&qi_status;
	slot = (slot + 1) % QI_ENTRIES;
	v->iq_tail = slot;
	barrier();
	wr64(v, VTD_IQT, (uint64_t)slot << 4);
	for (uint32_t spin = 0; spin < 1000000u; spin++) {
		if (qi_status == 1) {
			v->waits++;
			return 0;
		}
		if (rd(v, VTD_FSTS) & FSTS_IQE)
			break;
		__asm__ volatile("pause");
	}
	kprintf("vtd: invalidation queue stuck: fsts 0x%x iqh 0x%x iqt 0x%x\n", rd(v, VTD_FSTS),
		rd(v, VTD_IQH), rd(v, VTD_IQT));
	return -1;
}

int vtd_invalidate_iec(struct vtd *v, bool global, uint32_t index, uint32_t mask)
{
	uint64_t d = QI_IEC;

	if (!global)
		d |= QI_IEC_INDEXED | (uint64_t)(mask & 0x1Fu) << 27 |
		     (uint64_t)(index & 0xFFFFu) << 32;
	v->iec_invalidations++;
	return qi_submit(v, d, 0);
}

int vtd_enable(struct vtd *v, uintptr_t base, uint64_t *irt, uint32_t entries_log2, uint64_t *iq)
{
	uint32_t ver;

	v->base = base;
	v->irt = irt;
	v->irt_entries = 1u << entries_log2;
	v->iq = iq;
	v->iq_tail = 0;
	ver = rd(v, VTD_VER);
	v->cap = rd64(v, VTD_CAP);
	v->ecap = rd64(v, VTD_ECAP);
	kprintf("vtd: base 0x%x ver %u.%u cap 0x%llx ecap 0x%llx gsts 0x%x\n", base,
		(ver >> 4) & 0xFu, ver & 0xFu, (unsigned long long)v->cap,
		(unsigned long long)v->ecap, rd(v, VTD_GSTS));
	if (ver == 0 || ver == 0xFFFFFFFFu) {
		kprintf("vtd: no unit at 0x%x\n", base);
		return -1;
	}
	if (!(v->ecap & ECAP_IR) || !(v->ecap & ECAP_QI)) {
		kprintf("vtd: unit lacks interrupt remapping or queued invalidation\n");
		return -1;
	}
	for (uint32_t i = 0; i < 2 * v->irt_entries; i++)
		irt[i] = 0;
	for (uint32_t i = 0; i < 2 * QI_ENTRIES; i++)
		iq[i] = 0;

	/* Queued invalidation: 4 KiB queue (QS = 0), 128-bit descriptors. */
	wr(v, VTD_IQT, 0);
	wr64(v, VTD_IQA, (uint32_t)(uintptr_t)iq);
	if (gcmd_set(v, GCMD_QIE, GSTS_QIES, "QIE"))
		return -1;

	/* Table of 2^(S+1) entries, xAPIC format (EIME clear). */
	wr64(v, VTD_IRTA, (uint32_t)(uintptr_t)irt | (entries_log2 - 1u));
	if (gcmd_set(v, GCMD_SIRTP, GSTS_IRTPS, "SIRTP"))
		return -1;
	if (vtd_invalidate_iec(v, true, 0, 0))
		return -1;
	if (gcmd_set(v, GCMD_IRE, GSTS_IRES, "IRE"))
		return -1;
	kprintf("vtd: remapping on: irta 0x%llx entries %u gsts 0x%x iqa 0x%llx\n",
		(unsigned long long)rd64(v, VTD_IRTA), v->irt_entries, rd(v, VTD_GSTS),
		(unsigned long long)rd64(v, VTD_IQA));
	return 0;
}

uint32_t vtd_fault_status(struct vtd *v)
{
	return rd(v, VTD_FSTS);
}

void vtd_dump_faults(struct vtd *v)
{
	uint32_t fro = (uint32_t)((v->cap >> 24) & 0x3FFu) * 16u;
	uint32_t nfr = (uint32_t)((v->cap >> 40) & 0xFFu) + 1u;

	kprintf("vtd: fsts 0x%x\n", rd(v, VTD_FSTS));
	for (uint32_t i = 0; i < nfr && i < 8; i++) {
		uint64_t lo = rd64(v, fro + 16 * i), hi = rd64(v, fro + 16 * i + 8);

		if (hi >> 63)
			kprintf("vtd: fault %u: reason 0x%x sid 0x%x info 0x%llx\n", i,
				(unsigned int)(hi >> 32) & 0xFFu, (unsigned int)hi & 0xFFFFu,
				(unsigned long long)lo);
	}
}
