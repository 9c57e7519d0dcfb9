/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Driver sketch for an IMS-capable accelerator (think of a DSA-like
 * device with many work queues): a few MSI-X vectors for the device's own
 * events, and one IMS interrupt per work queue, each tagged with the PASID
 * of the process that owns the queue. The IMS entries live inside the
 * queue contexts in host memory; the device rereads them when the driver
 * rings a (simulated) mailbox. Both per-device domains sit under the same
 * x86-style vector root. The program prints the hierarchy dump and fails
 * if the dump does not show both domains.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmsidom/msidom.h>
#include <libmsidom/ims.h>
#include <libmsidom/provider.h>

#define NR_CPUS      2u
#define FIRST_VECTOR 32u
#define NR_VECTORS   256u
#define NR_MSIX      3u
#define NR_QUEUES    6u

/* ---- a tiny x86-like vector root: hwirq = cpu * 256 + vector ---- */

struct vector_root {
	unsigned char used[NR_CPUS * NR_VECTORS];
	unsigned int next_cpu;
};

static int vector_alloc(struct msidom_domain *d, struct msidom_irq_data *const *data,
			unsigned int nr, const struct msidom_alloc_arg *arg)
{
	struct vector_root *vr = msidom_domain_priv(d);

	(void)arg;
	for (unsigned int i = 0; i < nr; i++) {
		unsigned int cpu = vr->next_cpu++ % NR_CPUS, hw = 0;

		for (unsigned int v = FIRST_VECTOR; v < NR_VECTORS && !hw; v++)
			if (!vr->used[cpu * NR_VECTORS + v])
				hw = cpu * NR_VECTORS + v;
		if (!hw) {
			while (i--)
				vr->used[msidom_irq_data_hwirq(data[i])] = 0;
			return -MSIDOM_ENOSPC;
		}
		vr->used[hw] = 1;
		msidom_irq_data_set_hwirq(data[i], hw);
		msidom_irq_data_set_cpu(data[i], cpu);
	}
	return 0;
}

static void vector_free(struct msidom_domain *d, struct msidom_irq_data *const *data,
			unsigned int nr)
{
	struct vector_root *vr = msidom_domain_priv(d);

	for (unsigned int i = 0; i < nr; i++)
		vr->used[msidom_irq_data_hwirq(data[i])] = 0;
}

static int vector_compose(struct msidom_irq_data *data, struct msidom_msg *msg)
{
	uint32_t hw = msidom_irq_data_hwirq(data);

	msg->address_lo = 0xFEE00000u | ((hw / NR_VECTORS) << 12);
	msg->address_hi = 0;
	msg->data = hw % NR_VECTORS;
	return 0;
}

static const struct msidom_domain_ops vector_ops = { .sz = sizeof(struct msidom_domain_ops),
						     .alloc = vector_alloc,
						     .free = vector_free };
static const struct msidom_chip_ops vector_chip = { .sz = sizeof(struct msidom_chip_ops),
						    .compose_msg = vector_compose };

/* ---- the device's MSI-X table (BAR memory, simulated) ---- */

struct msix_table {
	uint32_t entry[NR_MSIX][4];
};

static int msix_write_msg(struct msidom_irq_data *data, const struct msidom_msg *msg)
{
	struct msix_table *t = msidom_domain_priv(msidom_irq_data_domain(data));
	uint32_t *e = t->entry[msidom_irq_data_hwirq(data)];

	e[0] = msg->address_lo;
	e[1] = msg->address_hi;
	e[2] = msg->data;
	return 0;
}

static int msix_mask(struct msidom_irq_data *data)
{
	struct msix_table *t = msidom_domain_priv(msidom_irq_data_domain(data));

	t->entry[msidom_irq_data_hwirq(data)][3] |= 1u;
	return 0;
}

static int msix_unmask(struct msidom_irq_data *data)
{
	struct msix_table *t = msidom_domain_priv(msidom_irq_data_domain(data));

	t->entry[msidom_irq_data_hwirq(data)][3] &= ~1u;
	return 0;
}

static const struct msidom_chip_ops msix_chip = {
	.sz = sizeof(struct msidom_chip_ops),
	.write_msg = msix_write_msg,
	.mask = msix_mask,
	.unmask = msix_unmask,
};

/* ---- work queue contexts in host memory, each holding its IMS entry ---- */

struct wq_context {
	uint64_t ring_base;
	uint32_t pasid;
	uint32_t size;
	uint32_t ims_entry[4]; /* address lo, address hi, data, control */
};

struct accel {
	struct msix_table msix;
	struct wq_context wq[NR_QUEUES];
	unsigned int mailbox_cmds;
};

/* The device learns about changed entries only through this command. */
static int accel_reload_ims(void *opaque, const struct msidom_ims_update *u, uint32_t nr)
{
	struct accel *a = opaque;

	a->mailbox_cmds++;
	printf("mailbox: reload %u IMS update(s):", nr);
	for (uint32_t i = 0; i < nr; i++)
		printf(" %s wq%u(pasid %llu)",
		       u[i].kind == MSIDOM_IMS_UPDATE_WRITE ? "write" :
		       u[i].kind == MSIDOM_IMS_UPDATE_MASK  ? "mask" :
							      "unmask",
		       u[i].slot, (unsigned long long)u[i].cookie.value);
	printf("\n");
	return 0;
}

int main(void)
{
	static struct accel acc;
	struct vector_root vr = { { 0 }, 0 };
	struct msidom_ctx *ctx = NULL;
	struct msidom_domain *root = NULL, *msix = NULL, *ims = NULL;
	struct msidom_device *dev = NULL;
	MSIDOM_OPTS(msidom_domain_info, ri, .name = "VECTOR", .child_prefix = "IR-",
		    .bus = MSIDOM_BUS_VECTOR,
		    .flags = MSIDOM_DOMAIN_MSI_PARENT | MSIDOM_DOMAIN_ISOLATED_MSI,
		    .hwsize = NR_CPUS * NR_VECTORS, .ops = &vector_ops, .chip = &vector_chip,
		    .priv = &vr);
	MSIDOM_OPTS(msidom_device_info, di, .name = "0000:6a:01.0", .requester_id = 0x6a08);
	MSIDOM_OPTS(msidom_template, mt, .name = "PCI-MSIX", .bus = MSIDOM_BUS_PCI_MSIX,
		    .hwsize = NR_MSIX, .chip = &msix_chip, .priv = &acc.msix);
	MSIDOM_OPTS(msidom_ims_queue_config, qc, .base = acc.wq[0].ims_entry,
		    .stride = sizeof(struct wq_context), .nr_entries = NR_QUEUES,
		    .sync = accel_reload_ims, .opaque = &acc);
	MSIDOM_OPTS(msidom_ims_info, ii, .name = "PCI-IMS");
	char *dump = NULL;
	int64_t len;
	int ret, status = EXIT_FAILURE;

	for (unsigned int i = 0; i < NR_MSIX; i++)
		acc.msix.entry[i][3] = 1u;
	for (unsigned int q = 0; q < NR_QUEUES; q++) {
		acc.wq[q].pasid = 0x100u + q * 3u;
		acc.wq[q].ims_entry[3] = 1u;
	}

	ret = msidom_ctx_create(NULL, &ctx);
	if (!ret)
		ret = msidom_domain_create(ctx, &ri, NULL, &root);
	if (!ret)
		ret = msidom_device_create(ctx, &di, &dev);
	if (!ret)
		ret = msidom_device_domain_create(dev, MSIDOM_DEFAULT_DOMAIN, &mt, root, &msix);
	if (!ret)
		ret = msidom_ims_queue_domain_create(dev, &ii, &qc, root, &ims);
	if (ret) {
		fprintf(stderr, "setup failed: %s\n", msidom_strerror(ret));
		goto out;
	}

	/* Device events on MSI-X: error, admin queue, misc. */
	ret = msidom_msi_alloc_range(
		dev, MSIDOM_DEFAULT_DOMAIN, 0, NR_MSIX - 1,
		&(struct msidom_alloc_opts){ .sz = sizeof(struct msidom_alloc_opts),
					     .unmasked = true });
	if (ret) {
		fprintf(stderr, "MSI-X allocation failed: %s\n", msidom_strerror(ret));
		goto out;
	}

	/* One IMS interrupt per work queue, tagged with the queue owner's PASID. */
	for (unsigned int q = 0; q < NR_QUEUES; q++) {
		MSIDOM_OPTS(msidom_alloc_opts, o, .has_cookie = true, .unmasked = true);
		struct msidom_map m;

		o.cookie.value = acc.wq[q].pasid;
		m = msidom_msi_alloc_at(dev, MSIDOM_SECONDARY_DOMAIN, q, &o);
		if (m.index < 0) {
			fprintf(stderr, "IMS allocation for wq%u failed: %s\n", q,
				msidom_strerror(m.index));
			goto out;
		}
	}

	/* Quiesce two queues at once: one mailbox command for both. */
	msidom_domain_batch_begin(ims);
	msidom_irq_mask(ctx, (uint32_t)msidom_msi_virq(dev, MSIDOM_SECONDARY_DOMAIN, 4));
	msidom_irq_mask(ctx, (uint32_t)msidom_msi_virq(dev, MSIDOM_SECONDARY_DOMAIN, 5));
	ret = msidom_domain_batch_end(ims);
	if (ret) {
		fprintf(stderr, "batch failed: %s\n", msidom_strerror(ret));
		goto out;
	}

	printf("MSI isolation for %s: %s\n", msidom_device_name(dev),
	       msidom_device_msi_isolated(dev) == 1 ? "yes" : "no");
	printf("wq0 IMS entry: addr %08x data %u ctrl %u\n", acc.wq[0].ims_entry[0],
	       acc.wq[0].ims_entry[2], acc.wq[0].ims_entry[3]);

	len = msidom_dump_to_buf(ctx, NULL, 0);
	if (len < 0 || !(dump = malloc((size_t)len + 1))) {
		fprintf(stderr, "dump failed\n");
		goto out;
	}
	msidom_dump_to_buf(ctx, dump, (size_t)len + 1);
	printf("\n--- hierarchy ---\n%s", dump);
	if (!strstr(dump, "IR-PCI-MSIX-0000:6a:01.0") || !strstr(dump, "IR-PCI-IMS-0000:6a:01.0")) {
		fprintf(stderr, "the dump does not show both domains of the device\n");
		goto out;
	}
	status = EXIT_SUCCESS;
out:
	free(dump);
	/* Destroying the device frees every vector through its storage first. */
	msidom_device_destroy(dev);
	msidom_ctx_destroy(ctx);
	return status;
}
