/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The library's allocator hooks: the library's own pool (pool.h) over a
 * static arena, as a heapless hypervisor would use it. Its byte count
 * lets the test prove that everything is returned at teardown.
 */
#include "heap.h"

#define HEAP_SIZE (1u << 20)

static uint8_t arena[HEAP_SIZE] __attribute__((aligned(64)));
static struct msidom_pool pool;
static size_t peak;

static void *counting_alloc(void *opaque, size_t size);
static void counting_free(void *opaque, void *ptr, size_t size);

/* The pool's hooks, wrapped to record the peak use. */
static struct msidom_hooks pool_hooks = { .sz = sizeof(struct msidom_hooks) };

static void *counting_alloc(void *opaque, size_t size)
{
	void *p = pool_hooks.alloc(opaque, size);

	if (msidom_pool_used(&pool) > peak)
		peak = msidom_pool_used(&pool);
	return p;
}

static void counting_free(void *opaque, void *ptr, size_t size)
{
	pool_hooks.free(opaque, ptr, size);
}

int heap_init(struct msidom_hooks *hooks)
{
	int rc = msidom_pool_init(&pool, arena, sizeof(arena), &pool_hooks);

	if (rc)
		return rc;
	hooks->alloc = counting_alloc;
	hooks->free = counting_free;
	hooks->alloc_opaque = pool_hooks.alloc_opaque;
	return 0;
}

size_t heap_live(void)
{
	return msidom_pool_used(&pool);
}

size_t heap_peak(void)
{
	return peak;
}
