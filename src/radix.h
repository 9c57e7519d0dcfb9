/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Two-level pointer table indexed by a 32-bit key (hwirq or virq). Leaves
 * are allocated on first use, so a sparse space costs little, and a lookup
 * is two dependent loads with no lock: the interrupt path uses it.
 */
#ifndef MSIDOM_RADIX_H
#define MSIDOM_RADIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libmsidom/error.h>

#define MSIDOM_RADIX_SHIFT 8
#define MSIDOM_RADIX_LEAF  (1u << MSIDOM_RADIX_SHIFT)

struct msidom_ctx;

struct msidom_radix_meta {
	uint32_t count; /* entries used in the leaf */
	uint32_t born;  /* context operation that allocated the leaf */
};

struct msidom_radix {
	void ***top; /* leaf pointers */
	struct msidom_radix_meta *meta;
	uint32_t size;
	uint32_t nleaves;
	uint32_t leaf_entries;
};

int msidom__radix_init(struct msidom_ctx *ctx, struct msidom_radix *r, uint32_t size);
void msidom__radix_fini(struct msidom_ctx *ctx, struct msidom_radix *r);
/* Insert into a leaf that does not exist yet. */
int msidom__radix_insert_new_leaf(struct msidom_ctx *ctx, struct msidom_radix *r, uint32_t key,
				  void *val);
/* Free the leaf of @key if it is empty and the current operation made it. */
void msidom__radix_release_leaf(struct msidom_ctx *ctx, struct msidom_radix *r, uint32_t key);

/* 0, -EEXIST if the slot is taken, or -ENOMEM; nothing changed on error. */
static inline int msidom_radix_insert(struct msidom_ctx *ctx, struct msidom_radix *r, uint32_t key,
				      void *val)
{
	uint32_t li = key >> MSIDOM_RADIX_SHIFT;
	void **leaf = r->top[li];

	if (!leaf)
		return msidom__radix_insert_new_leaf(ctx, r, key, val);
	if (leaf[key & (MSIDOM_RADIX_LEAF - 1)])
		return -MSIDOM_EEXIST;
	__atomic_store_n(&leaf[key & (MSIDOM_RADIX_LEAF - 1)], val, __ATOMIC_RELEASE);
	r->meta[li].count++;
	return 0;
}

/*
 * Empty a slot. With @release (undoing a failed operation) an emptied
 * leaf that this same operation allocated is freed, so the failed call
 * leaves memory exactly as it found it; nobody can be looking it up.
 */
static inline void msidom_radix_remove(struct msidom_ctx *ctx, struct msidom_radix *r, uint32_t key,
				       bool release)
{
	uint32_t li = key >> MSIDOM_RADIX_SHIFT;
	void **leaf = r->top[li];

	if (!leaf || !leaf[key & (MSIDOM_RADIX_LEAF - 1)])
		return;
	__atomic_store_n(&leaf[key & (MSIDOM_RADIX_LEAF - 1)], NULL, __ATOMIC_RELEASE);
	if (--r->meta[li].count == 0 && release)
		msidom__radix_release_leaf(ctx, r, key);
}

static inline void *msidom_radix_lookup(const struct msidom_radix *r, uint32_t key)
{
	void **leaf;

	if (key >= r->size)
		return NULL;
	leaf = __atomic_load_n(&r->top[key >> MSIDOM_RADIX_SHIFT], __ATOMIC_ACQUIRE);
	if (!leaf)
		return NULL;
	return __atomic_load_n(&leaf[key & (MSIDOM_RADIX_LEAF - 1)], __ATOMIC_ACQUIRE);
}

#endif
