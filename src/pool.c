/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * First-fit allocator over caller memory. Free blocks form a list sorted
 * by address so a freed block merges with both neighbours, which keeps a
 * long alloc/free workload from fragmenting the pool.
 */
#include <libmsidom/pool.h>

#include "internal.h"

#define POOL_ALIGN 16u

struct msidom_pool_block {
	size_t size;                    /* whole block, header included */
	struct msidom_pool_block *next; /* free list only */
};

#define block msidom_pool_block

#define HDR (((sizeof(struct block) + POOL_ALIGN - 1) / POOL_ALIGN) * POOL_ALIGN)

static size_t round_up(size_t v)
{
	return (v + POOL_ALIGN - 1) & ~(size_t)(POOL_ALIGN - 1);
}

static void *pool_alloc(void *opaque, size_t size)
{
	struct msidom_pool *pool = opaque;
	struct block **link = &pool->free_list;
	size_t need;

	if (!size || size > pool->size)
		return NULL;
	need = round_up(size) + HDR;
	for (struct block *b = *link; b; link = &b->next, b = b->next) {
		if (b->size < need)
			continue;
		if (b->size - need >= HDR + POOL_ALIGN) {
			/* Split: the tail stays free, in the same place in the list. */
			struct block *rest = (struct block *)((char *)b + need);

			rest->size = b->size - need;
			rest->next = b->next;
			*link = rest;
			b->size = need;
		} else {
			*link = b->next;
		}
		pool->used += b->size;
		return (char *)b + HDR;
	}
	return NULL;
}

static void pool_free(void *opaque, void *ptr, size_t size)
{
	struct msidom_pool *pool = opaque;
	struct block *b = (struct block *)((char *)ptr - HDR);
	struct block **link = &pool->free_list;
	struct block *prev = NULL;

	(void)size;
	pool->used -= b->size;
	while (*link && *link < b) {
		prev = *link;
		link = &(*link)->next;
	}
	b->next = *link;
	*link = b;
	if (b->next && (char *)b + b->size == (char *)b->next) {
		b->size += b->next->size;
		b->next = b->next->next;
	}
	if (prev && (char *)prev + prev->size == (char *)b) {
		prev->size += b->size;
		prev->next = b->next;
	}
}

MSIDOM_API int msidom_pool_init(struct msidom_pool *pool, void *mem, size_t size,
				struct msidom_hooks *hooks)
{
	uintptr_t start, end;
	struct block *b;

	/* The hooks must be the caller's MSIDOM_OPTS() struct, new enough to hold the allocator. */
	if (!pool || !mem || !hooks ||
	    hooks->sz < offsetof(struct msidom_hooks, alloc_opaque) + sizeof(hooks->alloc_opaque))
		return -MSIDOM_EINVAL;
	start = ((uintptr_t)mem + POOL_ALIGN - 1) & ~(uintptr_t)(POOL_ALIGN - 1);
	end = ((uintptr_t)mem + size) & ~(uintptr_t)(POOL_ALIGN - 1);
	if (size < 64 || end <= start || end - start < HDR + POOL_ALIGN)
		return -MSIDOM_EINVAL;
	b = (struct block *)start;
	b->size = end - start;
	b->next = NULL;
	pool->base = b;
	pool->size = b->size;
	pool->free_list = b;
	pool->used = 0;
	hooks->alloc = pool_alloc;
	hooks->free = pool_free;
	hooks->alloc_opaque = pool;
	return 0;
}

MSIDOM_API size_t msidom_pool_used(const struct msidom_pool *pool)
{
	return pool ? pool->used : 0;
}
