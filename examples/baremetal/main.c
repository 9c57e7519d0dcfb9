/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The bare-metal backend on simulated hardware: one PCI function with an
 * MSI-X capability whose table lives in a BAR that is plain memory here,
 * an x86 vector domain for two CPUs and a VT-d remapping table. The
 * program allocates two vectors, prints what landed in the MSI-X table and
 * the remapping table, then "delivers" an interrupt by following the
 * device's message through the remapping entry to (CPU, vector), the way
 * the hardware would, and dispatches it with msidom_handle().
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmsidom/baremetal.h>

#define BAR_ADDR 0xfebf0000ull
#define BAR_SIZE 0x4000u

struct hw {
	uint8_t cfg[256];
	uint32_t bar[BAR_SIZE / 4];
};

static void put(uint8_t *p, unsigned int size, uint32_t v)
{
	for (unsigned int i = 0; i < size; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static int cfg_read(void *opaque, uint32_t sbdf, uint16_t off, uint8_t size, uint32_t *val)
{
	struct hw *hw = opaque;

	*val = 0;
	if (sbdf != MSIDOM_BM_SBDF(0, 0, 3, 0) || off + size > 256) {
		*val = ~0u;
		return 0;
	}
	for (unsigned int i = 0; i < size; i++)
		*val |= (uint32_t)hw->cfg[off + i] << (8 * i);
	return 0;
}

static int cfg_write(void *opaque, uint32_t sbdf, uint16_t off, uint8_t size, uint32_t val)
{
	struct hw *hw = opaque;

	if (sbdf == MSIDOM_BM_SBDF(0, 0, 3, 0) && off + size <= 256 && off != 0x10)
		put(&hw->cfg[off], size, val);
	return 0;
}

static uint32_t mmio_read(void *opaque, uint64_t addr)
{
	struct hw *hw = opaque;

	return hw->bar[(addr - BAR_ADDR) / 4];
}

static void mmio_write(void *opaque, uint64_t addr, uint32_t val)
{
	struct hw *hw = opaque;

	hw->bar[(addr - BAR_ADDR) / 4] = val;
}

static void on_irq(uint32_t virq, void *arg)
{
	printf("  handler: virq %u (%s)\n", virq, (const char *)arg);
}

int main(void)
{
	static struct hw hw;
	MSIDOM_OPTS(msidom_bm_platform, plat, .pci_read = cfg_read, .pci_write = cfg_write,
		    .mmio_read32 = mmio_read, .mmio_write32 = mmio_write, .opaque = &hw);
	uint32_t apic_ids[2] = { 0, 2 };
	MSIDOM_OPTS(msidom_bm_x86_vector_config, vc, .ncpus = 2, .apic_ids = apic_ids);
	uint64_t *irt = aligned_alloc(4096, 4096);
	MSIDOM_OPTS(msidom_bm_vtd_ir_config, ic, .table = irt, .entries = 256, .platform = &plat,
		    .source_validation = true);
	MSIDOM_OPTS(msidom_bm_pci_config, pc, .sbdf = MSIDOM_BM_SBDF(0, 0, 3, 0), .platform = &plat,
		    .bar_sizes = (const uint64_t[6]){ BAR_SIZE });
	MSIDOM_OPTS(msidom_alloc_opts, opts, .unmasked = true);
	struct msidom_ctx *ctx = NULL;
	struct msidom_domain *vec, *ir, *dd;
	struct msidom_device *dev;
	struct msidom_map map[2];
	const char *names[2] = { "rx queue", "tx queue" };

	/* The function: memory decoding on, MSI-X (4 entries) at 0x40, table at BAR0+0x2000. */
	put(&hw.cfg[0], 2, 0x8086);
	put(&hw.cfg[4], 2, 0x6);
	put(&hw.cfg[6], 2, 0x10);
	put(&hw.cfg[0x10], 4, (uint32_t)BAR_ADDR);
	hw.cfg[0x34] = 0x40;
	hw.cfg[0x40] = 0x11;
	put(&hw.cfg[0x42], 2, 3);
	put(&hw.cfg[0x44], 4, 0x2000);
	put(&hw.cfg[0x48], 4, 0x3000);

	if (!irt || msidom_ctx_create(NULL, &ctx) ||
	    msidom_bm_x86_vector_domain_create(ctx, &vc, &vec) ||
	    msidom_bm_vtd_ir_domain_create(ctx, &ic, vec, &ir) ||
	    msidom_device_create(
		    ctx,
		    &(struct msidom_device_info){ .sz = sizeof(struct msidom_device_info),
						  .name = "0000:00:03.0",
						  .requester_id = 0x18 },
		    &dev) ||
	    msidom_bm_pci_msix_domain_create(dev, &pc, ir, &dd)) {
		fprintf(stderr, "setting up the hierarchy failed\n");
		return 1;
	}
	printf("device domain: %s (isolated: %d)\n", msidom_domain_name(dd),
	       msidom_device_msi_isolated(dev));

	for (int i = 0; i < 2; i++) {
		uint32_t cpu = 0;
		uint8_t vector = 0;

		map[i] = msidom_msi_alloc_at(dev, MSIDOM_DEFAULT_DOMAIN, MSIDOM_INDEX_ANY, &opts);
		if (map[i].index < 0) {
			fprintf(stderr, "allocation failed: %s\n", msidom_strerror(map[i].index));
			return 1;
		}
		msidom_irq_set_handler(ctx, map[i].virq, on_irq, (void *)names[i]);
		msidom_bm_x86_vector_lookup(vec, map[i].virq, &cpu, &vector);
		printf("index %d: virq %u -> CPU %u vector 0x%02x\n", map[i].index, map[i].virq,
		       cpu, vector);
		printf("  MSI-X entry: addr 0x%08x data 0x%x ctrl 0x%x\n",
		       hw.bar[(0x2000 + 16 * map[i].index) / 4],
		       hw.bar[(0x2000 + 16 * map[i].index + 8) / 4],
		       hw.bar[(0x2000 + 16 * map[i].index + 12) / 4]);
	}

	/* The device raises index 1: decode its message the way the IOMMU does. */
	{
		uint32_t addr = hw.bar[(0x2000 + 16 * 1) / 4];
		uint32_t handle = ((addr >> 5) & 0x7fffu) | (((addr >> 2) & 1u) << 15);
		uint64_t lo = irt[2 * handle];
		uint32_t vector = (uint32_t)(lo >> 16) & 0xffu;
		uint32_t apic = (uint32_t)(lo >> 40) & 0xffu; /* xAPIC mode */
		uint32_t cpu = apic == apic_ids[1] ? 1u : 0u;

		printf("device writes 0x%08x: IRTE %u = %016llx %016llx -> APIC %u vector 0x%02x\n",
		       addr, handle, (unsigned long long)irt[2 * handle + 1],
		       (unsigned long long)lo, apic, vector);
		msidom_handle(vec, MSIDOM_BM_X86_HWIRQ(cpu, vector));
	}

	msidom_device_destroy(dev);
	msidom_domain_destroy(ir);
	msidom_domain_destroy(vec);
	msidom_ctx_destroy(ctx);
	free(irt);
	return 0;
}
