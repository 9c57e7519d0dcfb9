/* SPDX-License-Identifier: BSD-2-Clause */
#include "radix.h"

#include "internal.h"

int msidom_radix_init(struct msidom_ctx *ctx, struct msidom_radix *r, uint32_t size)
{
	if (!size)
		return -MSIDOM_EINVAL;
	r->size = size;
	r->nleaves = (size + MSIDOM_RADIX_LEAF - 1) >> MSIDOM_RADIX_SHIFT;
	r->leaf_entries = size < MSIDOM_RADIX_LEAF ? size : MSIDOM_RADIX_LEAF;
	r->top = msidom_zalloc(ctx, r->nleaves * sizeof(*r->top));
	if (!r->top)
		return -MSIDOM_ENOMEM;
	r->counts = msidom_zalloc(ctx, r->nleaves * sizeof(*r->counts));
	if (!r->counts) {
		msidom_free(ctx, r->top, r->nleaves * sizeof(*r->top));
		r->top = NULL;
		return -MSIDOM_ENOMEM;
	}
	return 0;
}

void msidom_radix_fini(struct msidom_ctx *ctx, struct msidom_radix *r)
{
	if (!r->top)
		return;
	for (uint32_t i = 0; i < r->nleaves; i++)
		if (r->top[i])
			msidom_free(ctx, r->top[i], r->leaf_entries * sizeof(void *));
	msidom_free(ctx, r->top, r->nleaves * sizeof(*r->top));
	msidom_free(ctx, r->counts, r->nleaves * sizeof(*r->counts));
	r->top = NULL;
	r->counts = NULL;
}

int msidom_radix_insert(struct msidom_ctx *ctx, struct msidom_radix *r, uint32_t key, void *val)
{
	uint32_t li = key >> MSIDOM_RADIX_SHIFT;
	void **leaf = r->top[li];

	if (!leaf) {
		leaf = msidom_zalloc(ctx, r->leaf_entries * sizeof(void *));
		if (!leaf)
			return -MSIDOM_ENOMEM;
		__atomic_store_n(&r->top[li], leaf, __ATOMIC_RELEASE);
	}
	__atomic_store_n(&leaf[key & (MSIDOM_RADIX_LEAF - 1)], val, __ATOMIC_RELEASE);
	r->counts[li]++;
	return 0;
}

void msidom_radix_remove(struct msidom_ctx *ctx, struct msidom_radix *r, uint32_t key,
			 bool release)
{
	uint32_t li = key >> MSIDOM_RADIX_SHIFT;
	void **leaf = r->top[li];

	if (!leaf || !leaf[key & (MSIDOM_RADIX_LEAF - 1)])
		return;
	__atomic_store_n(&leaf[key & (MSIDOM_RADIX_LEAF - 1)], NULL, __ATOMIC_RELEASE);
	if (--r->counts[li] == 0 && release) {
		__atomic_store_n(&r->top[li], NULL, __ATOMIC_RELEASE);
		msidom_free(ctx, leaf, r->leaf_entries * sizeof(void *));
	}
}
