/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * libmsidom demo: the kernel's per-device MSI domain model on an
 * in-process machine.
 *
 *   [VECTOR (4 CPUs)] -> [INTEL-IR (VT-d remapping)] -> [IR-PCI-MSIX-0000:03:00.0]
 *                                                     -> [IR-PCI-IMS-0000:03:00.0]
 *
 * The vector and remapping domains are the library's bare-metal ones,
 * working on memory of this process instead of real hardware; the
 * device's MSI-X table and its IMS array (same 16-byte entries, in
 * device memory) are simulated here. The program allocates vectors
 * at explicit and ANY indexes with cookies, frees one while the others
 * stay live, moves one to another CPU, "fires" the device's entries
 * (decoding message -> IRTE -> CPU/vector -> msidom_handle) and prints
 * the dump.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmsidom/baremetal.h>
#include <libmsidom/msidom.h>
#include <libmsidom/provider.h>

#define NCPUS       4
#define TABLE_SIZE  64
#define IRT_ENTRIES 256
#define IMS_SLOTS   16

/* One simulated MSI-X table entry, as the device holds it. */
struct msix_entry {
	uint32_t addr_lo, addr_hi, data, ctrl; /* ctrl bit 0: masked */
};

struct machine {
	struct msix_entry table[TABLE_SIZE];
	struct msix_entry ims[IMS_SLOTS]; /* the device's IMS array */
	uint64_t *irt;                    /* the remapping table, 2 x 64 bits per entry */
	struct msidom_bm_platform platform;
	uint32_t apic_ids[NCPUS];
	unsigned int invalidations;
};

static int msix_write_msg(struct msidom_irq_data *data, const struct msidom_msg *msg)
{
	struct machine *m = msidom_domain_priv(msidom_irq_data_domain(data));
	struct msix_entry *e = &m->table[msidom_irq_data_hwirq(data)];

	e->addr_lo = msg->address_lo;
	e->addr_hi = msg->address_hi;
	e->data = msg->data;
	return 0;
}

static int msix_mask(struct msidom_irq_data *data)
{
	struct machine *m = msidom_domain_priv(msidom_irq_data_domain(data));

	m->table[msidom_irq_data_hwirq(data)].ctrl |= 1;
	return 0;
}

static int msix_unmask(struct msidom_irq_data *data)
{
	struct machine *m = msidom_domain_priv(msidom_irq_data_domain(data));

	m->table[msidom_irq_data_hwirq(data)].ctrl &= ~1u;
	return 0;
}

/* The IMS array's MMIO, as the library's array storage reaches it. */
static int ims_read32(void *opaque, uint64_t offset, uint32_t *value)
{
	struct machine *m = opaque;

	*value = ((uint32_t *)m->ims)[offset / 4];
	return 0;
}

static int ims_write32(void *opaque, uint64_t offset, uint32_t value)
{
	struct machine *m = opaque;

	((uint32_t *)m->ims)[offset / 4] = value;
	return 0;
}

static const struct msidom_chip_ops msix_chip = {
	.sz = sizeof(struct msidom_chip_ops),
	.write_msg = msix_write_msg,
	.mask = msix_mask,
	.unmask = msix_unmask,
};

static int irte_invalidate(void *opaque, uint32_t index, uint32_t count)
{
	struct machine *m = opaque;

	(void)index;
	(void)count;
	m->invalidations++;
	return 0;
}

static void on_irq(uint32_t virq, void *arg)
{
	(void)arg;
	printf("  handler: virq %u\n", virq);
}

/*
 * What the hardware does when entry @index fires: the device writes its
 * message, the IOMMU looks the handle up in the IRT, the CPU with that
 * APIC id takes the vector, and its entry stub calls msidom_handle().
 */
static int fire_entry(struct machine *m, struct msidom_domain *vector, const char *what,
		      const struct msix_entry *e, unsigned int index)
{
	uint32_t handle = ((e->addr_lo >> 5) & 0x7fff) | (((e->addr_lo >> 2) & 1) << 15);
	uint64_t lo;
	uint32_t dest;
	uint8_t vec;

	if (e->ctrl & 1)
		return printf("  %s entry %u is masked: nothing sent\n", what, index), 0;
	if (e->addr_lo & (1u << 3)) /* SHV: the data holds a subhandle */
		handle += e->data & 0xffff;
	lo = m->irt[handle * 2];
	if (!(lo & MSIDOM_BM_IRTE_P))
		return printf("  %s entry %u: IRTE %u not present\n", what, index, handle), -1;
	vec = (uint8_t)(lo >> MSIDOM_BM_IRTE_VECTOR_SHIFT);
	dest = (uint32_t)(lo >> MSIDOM_BM_IRTE_DST_SHIFT);
	for (uint32_t cpu = 0; cpu < NCPUS; cpu++) {
		if (m->apic_ids[cpu] != dest)
			continue;
		printf("  %s entry %u -> IRTE %u -> cpu %u vector %u\n", what, index, handle, cpu,
		       vec);
		return msidom_handle(vector, MSIDOM_BM_X86_HWIRQ(cpu, vec));
	}
	return -1;
}

static int fire(struct machine *m, struct msidom_domain *vector, unsigned int index)
{
	return fire_entry(m, vector, "MSI-X", &m->table[index], index);
}

static void print_dump(struct msidom_ctx *ctx)
{
	int64_t len = msidom_dump_to_buf(ctx, NULL, 0);
	char *buf = malloc((size_t)len + 1);

	if (!buf)
		return;
	msidom_dump_to_buf(ctx, buf, (size_t)len + 1);
	fputs(buf, stdout);
	free(buf);
}

static int check(int ret, const char *what)
{
	if (ret < 0)
		fprintf(stderr, "demo: %s: %s\n", what, msidom_strerror(ret));
	return ret;
}

static int build(struct msidom_ctx *ctx, struct machine *m, struct msidom_domain **vector,
		 struct msidom_device **dev)
{
	MSIDOM_OPTS(msidom_bm_x86_vector_config, vcfg, .ncpus = NCPUS, .apic_ids = m->apic_ids);
	MSIDOM_OPTS(msidom_bm_vtd_ir_config, ircfg, .table = m->irt, .entries = IRT_ENTRIES,
		    .x2apic = true, .source_validation = true, .platform = &m->platform);
	MSIDOM_OPTS(msidom_device_info, info, .name = "0000:03:00.0", .requester_id = 0x0300);
	MSIDOM_OPTS(msidom_template, msix, .name = "PCI-MSIX", .bus = MSIDOM_BUS_PCI_MSIX,
		    .hwsize = TABLE_SIZE, .chip = &msix_chip, .priv = m);
	MSIDOM_OPTS(msidom_ims_array_config, ims, .read32 = ims_read32, .write32 = ims_write32,
		    .opaque = m, .nr_entries = IMS_SLOTS);
	MSIDOM_OPTS(msidom_ims_info, ims_info, .hwsize = 0); /* every entry of the array */
	struct msidom_domain *ir, *dd, *imsd;

	m->platform.sz = sizeof(m->platform);
	m->platform.irte_invalidate = irte_invalidate;
	m->platform.opaque = m;
	if (check(msidom_bm_x86_vector_domain_create(ctx, &vcfg, vector), "vector domain") ||
	    check(msidom_bm_vtd_ir_domain_create(ctx, &ircfg, *vector, &ir), "remapping domain") ||
	    check(msidom_device_create(ctx, &info, dev), "device") ||
	    check(msidom_device_domain_create(*dev, MSIDOM_DEFAULT_DOMAIN, &msix, ir, &dd),
		  "MSI-X domain") ||
	    check(msidom_ims_array_domain_create(*dev, &ims_info, &ims, ir, &imsd), "IMS domain"))
		return -1;
	printf("hierarchy: %s -> %s -> %s\n", msidom_domain_name(*vector), msidom_domain_name(ir),
	       msidom_domain_name(dd));
	printf("           %*s -> %s (same device, own index space)\n",
	       (int)(strlen(msidom_domain_name(*vector)) + 4 + strlen(msidom_domain_name(ir))), "",
	       msidom_domain_name(imsd));
	printf("MSI isolated (interrupt remapping on the path): %s\n",
	       msidom_device_msi_isolated(*dev) == 1 ? "yes" : "no");
	return 0;
}

static int allocate(struct msidom_ctx *ctx, struct machine *m, struct msidom_device *dev,
		    uint32_t virqs[4])
{
	/* Index 5 explicitly, then three at ANY index; each with a queue-id cookie. */
	static const uint32_t want[4] = { 5, MSIDOM_INDEX_ANY, MSIDOM_INDEX_ANY, MSIDOM_INDEX_ANY };

	for (int i = 0; i < 4; i++) {
		MSIDOM_OPTS(msidom_alloc_opts, opts, .has_cookie = true,
			    .cookie.value = 0x100 + (uint64_t)i, .unmasked = true);
		struct msidom_map map =
			msidom_msi_alloc_at(dev, MSIDOM_DEFAULT_DOMAIN, want[i], &opts);

		if (check(map.index, "msi_alloc_at") < 0)
			return -1;
		virqs[i] = map.virq;
		msidom_irq_set_handler(ctx, map.virq, on_irq, m);
		printf("allocated index %d -> virq %u (cookie 0x%" PRIx64 ")\n", map.index,
		       map.virq, opts.cookie.value);
	}
	/* Asking for index 5 again is refused and changes nothing. */
	printf("index 5 again: %s\n",
	       msidom_strerror(msidom_msi_alloc_at(dev, MSIDOM_DEFAULT_DOMAIN, 5, NULL).index));
	printf("index 64: %s\n",
	       msidom_strerror(msidom_msi_alloc_at(dev, MSIDOM_DEFAULT_DOMAIN, 64, NULL).index));
	return 0;
}

/* Two work queues with IMS interrupts, each tagged with its PASID. */
static int allocate_ims(struct msidom_device *dev)
{
	for (uint64_t pasid = 0x41; pasid <= 0x42; pasid++) {
		MSIDOM_OPTS(msidom_alloc_opts, opts, .has_cookie = true, .cookie.value = pasid,
			    .unmasked = true, .handler = on_irq);
		struct msidom_map map =
			msidom_msi_alloc_at(dev, MSIDOM_SECONDARY_DOMAIN, MSIDOM_INDEX_ANY, &opts);

		if (check(map.index, "IMS alloc") < 0)
			return -1;
		printf("allocated IMS slot %d -> virq %u (PASID cookie 0x%" PRIx64 ")\n", map.index,
		       map.virq, pasid);
	}
	return 0;
}

static int run(struct msidom_ctx *ctx, struct machine *m)
{
	struct msidom_domain *vector;
	struct msidom_device *dev;
	uint64_t cpu3 = 1u << 3;
	struct msidom_cpumask to_cpu3 = { NCPUS, &cpu3 };
	uint32_t virqs[4];
	struct msidom_msg before, after;

	if (build(ctx, m, &vector, &dev) || allocate(ctx, m, dev, virqs) || allocate_ims(dev))
		return -1;

	printf("\nfiring MSI-X entries 0, 1, 2, 5 and IMS slots 0, 1:\n");
	for (unsigned int i = 0; i < 3; i++)
		fire(m, vector, i);
	fire(m, vector, 5);
	for (unsigned int i = 0; i < 2; i++)
		fire_entry(m, vector, "IMS", &m->ims[i], i);

	printf("\nfree index 1 while the others stay live:\n");
	if (check(msidom_msi_free(dev, MSIDOM_DEFAULT_DOMAIN, 1), "msi_free"))
		return -1;
	fire(m, vector, 1);
	fire(m, vector, 0);
	fire(m, vector, 2);

	before = msidom_desc_msg(msidom_irq_desc(ctx, virqs[0]));
	printf("\nmove virq %u to cpu 3:\n", virqs[0]);
	if (check(msidom_irq_set_affinity(ctx, virqs[0], &to_cpu3), "set_affinity"))
		return -1;
	after = msidom_desc_msg(msidom_irq_desc(ctx, virqs[0]));
	printf("  device message %s (the remapped format is immutable); the IRTE was "
	       "rewritten instead (%u IRTE invalidations so far)\n",
	       memcmp(&before, &after, sizeof(before)) == 0 ? "unchanged" : "CHANGED",
	       m->invalidations);
	fire(m, vector, 5);

	printf("\n--- dump ---\n");
	print_dump(ctx);
	return 0;
}

int main(void)
{
	struct machine *m = calloc(1, sizeof(*m));
	struct msidom_ctx *ctx = NULL;
	int ret = 1;

	if (!m)
		return 1;
	/* Keep the library's log lines (stderr) in order with the story (stdout). */
	setvbuf(stdout, NULL, _IOLBF, 0);
	m->irt = aligned_alloc(4096, IRT_ENTRIES * 16);
	if (!m->irt)
		goto out;
	for (uint32_t i = 0; i < NCPUS; i++)
		m->apic_ids[i] = i * 2; /* APIC ids need not be dense */
	for (unsigned int i = 0; i < TABLE_SIZE; i++)
		m->table[i].ctrl = 1; /* MSI-X entries come out of reset masked */
	for (unsigned int i = 0; i < IMS_SLOTS; i++)
		m->ims[i].ctrl = 1;

	printf("libmsidom %s demo\n", msidom_version());
	if (check(msidom_ctx_create(NULL, &ctx), "context"))
		goto out;
	ret = run(ctx, m) ? 1 : 0;
	msidom_ctx_destroy(ctx);
out:
	free(m->irt);
	free(m);
	return ret;
}
