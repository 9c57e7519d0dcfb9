/* SPDX-License-Identifier: BSD-2-Clause */
#include "radix.h"

#include "internal.h"

int msidom__radix_init(struct msidom_ctx *ctx, struct msidom_radix *r, uint32_t size)
{
	if (!size)
		return -MSIDOM_EINVAL;
	r->size = size;
	r->nleaves = (size + MSIDOM_RADIX_LEAF - 1) >> MSIDOM_RADIX_SHIFT;
	r->leaf_entries = size < MSIDOM_RADIX_LEAF ? size : MSIDOM_RADIX_LEAF;
	r->top = msidom_zalloc(ctx, r->nleaves * sizeof(*r->top));
	if (!r->top)
		return -MSIDOM_ENOMEM;
	r->meta = msidom_zalloc(ctx, r->nleaves * sizeof(*r->meta));
	if (!r->meta) {
		msidom_free(ctx, r->top, r->nleaves * sizeof(*r->top));
		r->top = NULL;
		return -MSIDOM_ENOMEM;
	}
	return 0;
}

void msidom__radix_fini(struct msidom_ctx *ctx, struct msidom_radix *r)
{
	if (!r->top)
		return;
	for (uint32_t i = 0; i < r->nleaves; i++)
		if (r->top[i])
			msidom_free(ctx, r->top[i], r->leaf_entries * sizeof(void *));
	msidom_free(ctx, r->top, r->nleaves * sizeof(*r->top));
	msidom_free(ctx, r->meta, r->nleaves * sizeof(*r->meta));
	r->top = NULL;
	r->meta = NULL;
}

int msidom__radix_insert_new_leaf(struct msidom_ctx *ctx, struct msidom_radix *r, uint32_t key,
				  void *val)
{
	uint32_t li = key >> MSIDOM_RADIX_SHIFT;
	void **leaf = msidom_zalloc(ctx, r->leaf_entries * sizeof(void *));

	if (!leaf)
		return -MSIDOM_ENOMEM;
	leaf[key & (MSIDOM_RADIX_LEAF - 1)] = val;
	r->meta[li].count = 1;
	r->meta[li].born = msidom__op_seq(ctx);
	/* Publish the leaf only once its entry is in place. */
	__atomic_store_n(&r->top[li], leaf, __ATOMIC_RELEASE);
	return 0;
}

void msidom__radix_release_leaf(struct msidom_ctx *ctx, struct msidom_radix *r, uint32_t key)
{
	uint32_t li = key >> MSIDOM_RADIX_SHIFT;
	void **leaf = r->top[li];

	if (!leaf || r->meta[li].count || r->meta[li].born != msidom__op_seq(ctx))
		return;
	__atomic_store_n(&r->top[li], NULL, __ATOMIC_RELEASE);
	msidom_free(ctx, leaf, r->leaf_entries * sizeof(void *));
}
