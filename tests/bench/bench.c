/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Core benchmark: an MSI-X device domain over a two-level parent
 * (root -> remap -> PCI/MSI-X), both parents minimal so the figures are
 * the core's own cost. Prints ns per operation; bench.py runs the same
 * phases under callgrind for instruction counts.
 *
 *   msidom-bench [--phase NAME] [--live N] [--iters K]
 *   phases: pair (alloc at ANY + free, with N live), dispatch, handler, memory
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libmsidom/msidom.h>
#include <libmsidom/provider.h>

#define HWSIZE 65536u

/* A parent's hwirq allocator: a stack of free numbers, O(1) both ways. */
struct pool {
	uint32_t *free;
	uint32_t nfree;
};

struct bench {
	struct msidom_ctx *ctx;
	struct msidom_domain *root, *remap, *dd;
	struct msidom_device *dev;
	struct pool root_pool, remap_pool;
	struct msidom_msg *table; /* the device's simulated MSI-X table */
	uint64_t handled;
};

static int pool_init(struct pool *p, uint32_t n)
{
	p->free = malloc(n * sizeof(*p->free));
	if (!p->free)
		return -1;
	for (uint32_t i = 0; i < n; i++)
		p->free[i] = n - 1 - i;
	p->nfree = n;
	return 0;
}

static int pool_alloc(struct msidom_domain *d, struct msidom_irq_data *const *data, unsigned int nr,
		      const struct msidom_alloc_arg *arg)
{
	struct pool *p = msidom_domain_priv(d);

	(void)arg;
	if (nr != 1 || !p->nfree)
		return -MSIDOM_ENOSPC;
	return msidom_irq_data_set_hwirq(data[0], p->free[--p->nfree]);
}

static void pool_free(struct msidom_domain *d, struct msidom_irq_data *const *data, unsigned int nr)
{
	struct pool *p = msidom_domain_priv(d);

	for (unsigned int i = 0; i < nr; i++)
		p->free[p->nfree++] = msidom_irq_data_hwirq(data[i]);
}

static int root_compose(struct msidom_irq_data *data, struct msidom_msg *msg)
{
	uint32_t hw = msidom_irq_data_hwirq(data);

	msg->address_lo = 0xfee00000u | ((hw >> 8) << 12);
	msg->address_hi = 0;
	msg->data = hw & 0xff;
	return 0;
}

static int remap_compose(struct msidom_irq_data *data, struct msidom_msg *msg)
{
	uint32_t handle = msidom_irq_data_hwirq(data);

	msg->address_lo = 0xfee00000u | ((handle & 0x7fff) << 5) | (1u << 4) | (1u << 3);
	msg->address_hi = 0;
	msg->data = 0;
	return 0;
}

static int dev_write(struct msidom_irq_data *data, const struct msidom_msg *msg)
{
	struct bench *b = msidom_domain_priv(msidom_irq_data_domain(data));

	b->table[msidom_irq_data_hwirq(data)] = *msg;
	return 0;
}

static const struct msidom_domain_ops pool_ops = { .sz = sizeof(struct msidom_domain_ops),
						   .alloc = pool_alloc,
						   .free = pool_free };
static const struct msidom_chip_ops root_chip = { .sz = sizeof(struct msidom_chip_ops),
						  .compose_msg = root_compose };
static const struct msidom_chip_ops remap_chip = { .sz = sizeof(struct msidom_chip_ops),
						   .compose_msg = remap_compose };
static const struct msidom_chip_ops dev_chip = { .sz = sizeof(struct msidom_chip_ops),
						 .write_msg = dev_write };

static int setup(struct bench *b)
{
	MSIDOM_OPTS(msidom_domain_info, root, .name = "VECTOR", .bus = MSIDOM_BUS_VECTOR,
		    .hwsize = 1u << 20, .ops = &pool_ops, .chip = &root_chip,
		    .priv = &b->root_pool);
	MSIDOM_OPTS(msidom_domain_info, remap, .name = "REMAP", .child_prefix = "IR-",
		    .bus = MSIDOM_BUS_REMAP,
		    .flags = MSIDOM_DOMAIN_MSI_PARENT | MSIDOM_DOMAIN_ISOLATED_MSI |
			     MSIDOM_DOMAIN_IMMUTABLE,
		    .hwsize = HWSIZE, .ops = &pool_ops, .chip = &remap_chip,
		    .priv = &b->remap_pool);
	MSIDOM_OPTS(msidom_template, tmpl, .name = "PCI-MSIX", .bus = MSIDOM_BUS_PCI_MSIX,
		    .hwsize = HWSIZE, .chip = &dev_chip, .priv = b);
	MSIDOM_OPTS(msidom_device_info, info, .name = "0000:03:00.0", .requester_id = 0x300);

	b->table = calloc(HWSIZE, sizeof(*b->table));
	if (!b->table || pool_init(&b->root_pool, 1u << 20) || pool_init(&b->remap_pool, HWSIZE))
		return -1;
	if (msidom_ctx_create(NULL, &b->ctx) ||
	    msidom_domain_create(b->ctx, &root, NULL, &b->root) ||
	    msidom_domain_create(b->ctx, &remap, b->root, &b->remap) ||
	    msidom_device_create(b->ctx, &info, &b->dev) ||
	    msidom_device_domain_create(b->dev, MSIDOM_DEFAULT_DOMAIN, &tmpl, b->remap, &b->dd))
		return -1;
	return 0;
}

static void on_irq(uint32_t virq, void *arg)
{
	(void)virq;
	((struct bench *)arg)->handled++;
}

static int fill(struct bench *b, uint32_t live)
{
	for (uint32_t i = 0; i < live; i++) {
		struct msidom_map m = msidom_msi_alloc_at(b->dev, MSIDOM_DEFAULT_DOMAIN, i, NULL);

		if (m.index < 0) {
			fprintf(stderr, "fill: %s\n", msidom_strerror(m.index));
			return -1;
		}
		msidom_irq_set_handler(b->ctx, m.virq, on_irq, b);
	}
	return 0;
}

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* The measured phases are separate functions so callgrind can toggle on them. */
static __attribute__((noinline)) int phase_pair(struct bench *b, uint32_t iters)
{
	for (uint32_t i = 0; i < iters; i++) {
		struct msidom_map m =
			msidom_msi_alloc_at(b->dev, MSIDOM_DEFAULT_DOMAIN, MSIDOM_INDEX_ANY, NULL);

		if (m.index < 0 ||
		    msidom_msi_free(b->dev, MSIDOM_DEFAULT_DOMAIN, (uint32_t)m.index))
			return -1;
	}
	return 0;
}

static __attribute__((noinline)) void phase_dispatch(struct bench *b, uint32_t iters, uint32_t live)
{
	for (uint32_t i = 0; i < iters; i++)
		msidom_handle(b->dd, i % live);
}

static __attribute__((noinline)) void phase_handler(struct bench *b, uint32_t iters)
{
	void (*volatile fn)(uint32_t, void *) = on_irq;

	for (uint32_t i = 0; i < iters; i++)
		fn(i, b);
}

int main(int argc, char **argv)
{
	const char *phase = "all";
	uint32_t live = 4096, iters = 100000;
	struct bench b;
	double t0;

	memset(&b, 0, sizeof(b));
	for (int i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--phase"))
			phase = argv[i + 1];
		else if (!strcmp(argv[i], "--live"))
			live = (uint32_t)strtoul(argv[i + 1], NULL, 0);
		else if (!strcmp(argv[i], "--iters"))
			iters = (uint32_t)strtoul(argv[i + 1], NULL, 0);
	}
	if (!live || live >= HWSIZE + 1 || !iters || setup(&b))
		return 2;
	if (!strcmp(phase, "memory")) {
		size_t before = msidom_ctx_mem_bytes(b.ctx);

		if (fill(&b, live))
			return 1;
		printf("memory: %u live vectors, %.1f bytes of library memory per vector "
		       "(all levels)\n",
		       live, (double)(msidom_ctx_mem_bytes(b.ctx) - before) / live);
		return 0;
	}
	/* Leave one index free at the top so ANY always has room. */
	if (fill(&b, live == HWSIZE ? live - 1 : live))
		return 1;
	if (!strcmp(phase, "pair") || !strcmp(phase, "all")) {
		t0 = now_ns();
		if (phase_pair(&b, iters))
			return 1;
		printf("pair: %u live, %.1f ns per alloc-at-ANY + free\n", live,
		       (now_ns() - t0) / iters);
	}
	if (!strcmp(phase, "dispatch") || !strcmp(phase, "all")) {
		t0 = now_ns();
		phase_dispatch(&b, iters, live == HWSIZE ? live - 1 : live);
		printf("dispatch: %.1f ns per msidom_handle (handler included)\n",
		       (now_ns() - t0) / iters);
		if (b.handled != iters)
			return 1;
	}
	if (!strcmp(phase, "handler") || !strcmp(phase, "all")) {
		t0 = now_ns();
		phase_handler(&b, iters);
		printf("handler: %.1f ns per direct handler call\n", (now_ns() - t0) / iters);
	}
	msidom_ctx_destroy(b.ctx);
	free(b.root_pool.free);
	free(b.remap_pool.free);
	free(b.table);
	return 0;
}
