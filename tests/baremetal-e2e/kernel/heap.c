/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The library's allocator hooks: a bump allocator over a static arena.
 * Freed memory is not reused (the test allocates little); the live byte
 * count lets the test prove that everything is returned at teardown.
 */
#include "heap.h"

#define HEAP_SIZE (1u << 20)

static uint8_t arena[HEAP_SIZE] __attribute__((aligned(64)));
static size_t next, live, peak;

void *heap_alloc(void *opaque, size_t size)
{
	size_t sz = (size + 15u) & ~(size_t)15u;
	void *p;

	(void)opaque;
	if (!size || sz > HEAP_SIZE - next)
		return NULL;
	p = arena + next;
	next += sz;
	live += size;
	if (live > peak)
		peak = live;
	return p;
}

void heap_free(void *opaque, void *ptr, size_t size)
{
	(void)opaque;
	if (ptr)
		live -= size;
}

size_t heap_live(void)
{
	return live;
}

size_t heap_peak(void)
{
	return peak;
}
