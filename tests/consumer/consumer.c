/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * An out-of-tree program built against an installed libmsidom with nothing
 * but `pkg-config --cflags --libs libmsidom`: it only sees the installed
 * headers and the exported symbols. A one-level hierarchy (a vector root and
 * one PCI/MSI-X device domain) is enough to prove that allocation, dispatch,
 * freeing and the dump work through the installed library.
 */
#include <libmsidom/msidom.h>
#include <libmsidom/provider.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NR_VECTORS   256u
#define FIRST_VECTOR 32u
#define TABLE_SIZE   16u

static int failures;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "consumer: %s:%d: check failed: %s\n", __FILE__, __LINE__, \
				#cond);                                                            \
			failures++;                                                                \
		}                                                                                  \
	} while (0)

/* The simulated CPU vector root: hands out vectors FIRST_VECTOR and up. */
struct vector_root {
	bool used[NR_VECTORS];
};

static int root_alloc(struct msidom_domain *d, struct msidom_irq_data *const *data, unsigned int nr,
		      const struct msidom_alloc_arg *arg)
{
	struct vector_root *root = msidom_domain_priv(d);
	unsigned int done = 0;

	(void)arg;
	for (uint32_t v = FIRST_VECTOR; v < NR_VECTORS && done < nr; v++) {
		if (root->used[v])
			continue;
		if (msidom_irq_data_set_hwirq(data[done], v) != 0)
			break;
		root->used[v] = true;
		done++;
	}
	if (done == nr)
		return 0;
	while (done-- > 0)
		root->used[msidom_irq_data_hwirq(data[done])] = false;
	return -MSIDOM_ENOSPC;
}

static void root_free(struct msidom_domain *d, struct msidom_irq_data *const *data, unsigned int nr)
{
	struct vector_root *root = msidom_domain_priv(d);

	for (unsigned int i = 0; i < nr; i++)
		root->used[msidom_irq_data_hwirq(data[i])] = false;
}

/* x86-style message: the LAPIC window, destination CPU, vector in data. */
static int root_compose(struct msidom_irq_data *data, struct msidom_msg *msg)
{
	msg->address_lo = 0xfee00000u | (msidom_irq_data_cpu(data) << 12);
	msg->address_hi = 0;
	msg->data = msidom_irq_data_hwirq(data);
	return 0;
}

/* The simulated MSI-X table of the device. */
struct msix_table {
	struct msidom_msg entry[TABLE_SIZE];
	bool masked[TABLE_SIZE];
	unsigned int writes;
};

static int msix_write(struct msidom_irq_data *data, const struct msidom_msg *msg)
{
	struct msix_table *t = msidom_domain_priv(msidom_irq_data_domain(data));
	uint32_t index = msidom_irq_data_hwirq(data);

	if (index >= TABLE_SIZE)
		return -MSIDOM_ERANGE;
	t->entry[index] = *msg;
	t->writes++;
	return 0;
}

static int msix_mask(struct msidom_irq_data *data)
{
	struct msix_table *t = msidom_domain_priv(msidom_irq_data_domain(data));

	t->masked[msidom_irq_data_hwirq(data)] = true;
	return 0;
}

static int msix_unmask(struct msidom_irq_data *data)
{
	struct msix_table *t = msidom_domain_priv(msidom_irq_data_domain(data));

	t->masked[msidom_irq_data_hwirq(data)] = false;
	return 0;
}

struct hits {
	uint32_t last_virq;
	unsigned int count;
};

static void handler(uint32_t virq, void *arg)
{
	struct hits *h = arg;

	h->last_virq = virq;
	h->count++;
}

static void emit(void *arg, const char *text, size_t len)
{
	size_t *total = arg;

	fwrite(text, 1, len, stdout);
	*total += len;
}

int main(void)
{
	static const struct msidom_domain_ops root_ops = {
		.sz = sizeof(struct msidom_domain_ops),
		.alloc = root_alloc,
		.free = root_free,
	};
	static const struct msidom_chip_ops root_chip = {
		.sz = sizeof(struct msidom_chip_ops),
		.compose_msg = root_compose,
	};
	static const struct msidom_chip_ops msix_chip = {
		.sz = sizeof(struct msidom_chip_ops),
		.write_msg = msix_write,
		.mask = msix_mask,
		.unmask = msix_unmask,
	};
	static struct vector_root root_state;
	static struct msix_table table;
	struct msidom_ctx *ctx = NULL;
	struct msidom_domain *root = NULL, *msix = NULL;
	struct msidom_device *dev = NULL;
	struct hits hits = { 0, 0 };
	size_t dumped = 0;
	int ret;

	printf("libmsidom headers %s, library %s\n", MSIDOM_VERSION_STRING, msidom_version());
	CHECK(strcmp(msidom_version(), MSIDOM_VERSION_STRING) == 0);
	CHECK(msidom_version_number() == (uint32_t)MSIDOM_VERSION);
	CHECK(msidom_strerror(-MSIDOM_EEXIST) != NULL);

	ret = msidom_ctx_create(NULL, &ctx);
	CHECK(ret == 0 && ctx != NULL);
	if (ret != 0)
		return 1;

	const struct msidom_domain_info root_info = {
		.sz = sizeof(struct msidom_domain_info),
		.name = "VECTOR",
		.child_prefix = "",
		.bus = MSIDOM_BUS_VECTOR,
		.flags = MSIDOM_DOMAIN_MSI_PARENT,
		.hwsize = NR_VECTORS,
		.ops = &root_ops,
		.chip = &root_chip,
		.priv = &root_state,
	};
	ret = msidom_domain_create(ctx, &root_info, NULL, &root);
	CHECK(ret == 0);

	const struct msidom_device_info dev_info = {
		.sz = sizeof(struct msidom_device_info),
		.name = "0000:00:03.0",
		.requester_id = 0x0018,
	};
	ret = msidom_device_create(ctx, &dev_info, &dev);
	CHECK(ret == 0);

	const struct msidom_template tmpl = {
		.sz = sizeof(struct msidom_template),
		.name = "PCI-MSIX",
		.bus = MSIDOM_BUS_PCI_MSIX,
		.hwsize = TABLE_SIZE,
		.chip = &msix_chip,
		.priv = &table,
	};
	if (root && dev)
		ret = msidom_device_domain_create(dev, MSIDOM_DEFAULT_DOMAIN, &tmpl, root, &msix);
	CHECK(ret == 0 && msix != NULL);
	if (!msix) {
		msidom_ctx_destroy(ctx);
		return 1;
	}
	printf("device domain: %s\n", msidom_domain_name(msix));
	CHECK(strstr(msidom_domain_name(msix), "PCI-MSIX") != NULL);
	CHECK(strstr(msidom_domain_name(msix), "0000:00:03.0") != NULL);
	CHECK(msidom_domain_parent(msix) == root);
	CHECK(msidom_device_domain(dev, MSIDOM_DEFAULT_DOMAIN) == msix);
	/* No remapping on this path: MSI assignment is not isolated. */
	CHECK(msidom_device_msi_isolated(dev) == 0);

	/* Explicit index, with a cookie, delivering. */
	const struct msidom_alloc_opts opts = {
		.sz = sizeof(struct msidom_alloc_opts),
		.has_cookie = true,
		.cookie = { .value = 0x1234 },
		.unmasked = true,
	};
	struct msidom_map at5 = msidom_msi_alloc_at(dev, MSIDOM_DEFAULT_DOMAIN, 5, &opts);
	CHECK(at5.index == 5 && at5.virq > 0);
	/* Any index: the lowest free one. */
	struct msidom_map any =
		msidom_msi_alloc_at(dev, MSIDOM_DEFAULT_DOMAIN, MSIDOM_INDEX_ANY, NULL);
	CHECK(any.index == 0 && any.virq > 0 && any.virq != at5.virq);
	/* The index is taken; the next one is outside the table. */
	CHECK(msidom_msi_alloc_at(dev, MSIDOM_DEFAULT_DOMAIN, 5, NULL).index == -MSIDOM_EEXIST);
	CHECK(msidom_msi_alloc_at(dev, MSIDOM_DEFAULT_DOMAIN, TABLE_SIZE, NULL).index ==
	      -MSIDOM_ERANGE);
	CHECK(msidom_irq_count(ctx) == 2);
	CHECK(msidom_msi_virq(dev, MSIDOM_DEFAULT_DOMAIN, 5) == (int64_t)at5.virq);

	if (at5.index == 5) {
		struct msidom_desc *desc = msidom_desc_at(msix, 5);
		struct msidom_msg msg;

		CHECK(desc != NULL);
		if (desc) {
			msg = msidom_desc_msg(desc);
			CHECK(msidom_desc_cookie(desc).value == 0x1234);
			CHECK(msidom_desc_activated(desc));
			CHECK(!msidom_desc_masked(desc));
			/* What the device holds is what the root composed. */
			CHECK(msg.address_lo == table.entry[5].address_lo);
			CHECK(msg.data == table.entry[5].data);
			CHECK((msg.address_lo & 0xfff00000u) == 0xfee00000u);
			CHECK(msg.data >= FIRST_VECTOR && msg.data < NR_VECTORS);
			CHECK(!table.masked[5]);

			/* Dispatch by the root's hwirq (the vector). */
			CHECK(msidom_irq_set_handler(ctx, at5.virq, handler, &hits) == 0);
			CHECK(msidom_domain_find_virq(root, msg.data) == (int64_t)at5.virq);
			CHECK(msidom_handle(root, msg.data) == 0);
			CHECK(hits.count == 1 && hits.last_virq == at5.virq);
		}
	}

	ret = msidom_dump(ctx, emit, &dumped);
	CHECK(ret == 0 && dumped > 0);

	/* Free one vector while the other stays live. */
	CHECK(msidom_msi_free(dev, MSIDOM_DEFAULT_DOMAIN, 5) == 0);
	CHECK(table.entry[5].address_lo == 0 && table.entry[5].data == 0);
	CHECK(msidom_msi_virq(dev, MSIDOM_DEFAULT_DOMAIN, 5) == -MSIDOM_ENOENT);
	CHECK(msidom_msi_virq(dev, MSIDOM_DEFAULT_DOMAIN, 0) == (int64_t)any.virq);
	CHECK(msidom_irq_count(ctx) == 1);
	CHECK(msidom_msi_free_all(dev, MSIDOM_DEFAULT_DOMAIN) == 1);
	CHECK(msidom_irq_count(ctx) == 0);

	msidom_device_destroy(dev);
	CHECK(msidom_domain_destroy(root) == 0);
	msidom_ctx_destroy(ctx);

	if (failures) {
		fprintf(stderr, "consumer: %d check(s) failed\n", failures);
		return EXIT_FAILURE;
	}
	printf("consumer: all checks passed\n");
	return EXIT_SUCCESS;
}
