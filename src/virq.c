/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The virq space: a hierarchical bitmap finds the lowest free number in
 * O(log64 n); a radix table maps a virq to its descriptor.
 */
#include "internal.h"

int msidom__virq_init(struct msidom_ctx *ctx, uint32_t max)
{
	int ret = msidom__bitmap_init(ctx, &ctx->virq_map, max);

	if (ret)
		return ret;
	ret = msidom__radix_init(ctx, &ctx->virq_descs, max);
	if (ret) {
		msidom__bitmap_fini(ctx, &ctx->virq_map);
		return ret;
	}
	ctx->max_virqs = max;
	return 0;
}

void msidom__virq_fini(struct msidom_ctx *ctx)
{
	msidom__radix_fini(ctx, &ctx->virq_descs);
	msidom__bitmap_fini(ctx, &ctx->virq_map);
}

int64_t msidom__virq_alloc(struct msidom_ctx *ctx, struct msidom_desc *desc)
{
	int64_t bit = msidom__bitmap_find_zero(&ctx->virq_map);
	int ret;

	if (bit < 0) {
		pr_err(ctx, "virq space exhausted (%u virqs)", ctx->max_virqs);
		return -MSIDOM_ENOSPC;
	}
	ret = msidom_radix_insert(ctx, &ctx->virq_descs, (uint32_t)bit, desc);
	if (ret)
		return ret;
	msidom__bitmap_set(&ctx->virq_map, (uint32_t)bit);
	ctx->nr_irqs++;
	return bit + 1;
}

void msidom__virq_free(struct msidom_ctx *ctx, uint32_t virq, bool undo)
{
	msidom_radix_remove(ctx, &ctx->virq_descs, virq - 1, undo);
	msidom__bitmap_clear(&ctx->virq_map, virq - 1);
	ctx->nr_irqs--;
}

struct msidom_desc *msidom__virq_desc(const struct msidom_ctx *ctx, uint32_t virq)
{
	struct msidom_desc *desc;

	if (!virq)
		return NULL;
	desc = msidom_radix_lookup(&ctx->virq_descs, virq - 1);
	/* A retired vector is freed as far as callers can tell. */
	return desc && !(desc->flags & DESC_RETIRED) ? desc : NULL;
}

MSIDOM_API uint32_t msidom_irq_count(const struct msidom_ctx *ctx)
{
	return ctx ? ctx->nr_irqs : 0;
}
