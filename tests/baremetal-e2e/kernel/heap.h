/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef E2E_HEAP_H
#define E2E_HEAP_H

#include <stddef.h>
#include <stdint.h>

void *heap_alloc(void *opaque, size_t size);
void heap_free(void *opaque, void *ptr, size_t size);
/* Bytes allocated and not yet freed. */
size_t heap_live(void);
size_t heap_peak(void);

#endif
