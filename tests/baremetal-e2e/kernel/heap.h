/* SPDX-License-Identifier: BSD-2-Clause */
#ifndef E2E_HEAP_H
#define E2E_HEAP_H

#include <stddef.h>
#include <stdint.h>

#include <libmsidom/pool.h>

/* Point the allocator members of @hooks at the library's pool on the arena. */
int heap_init(struct msidom_hooks *hooks);
/* Bytes allocated and not yet freed (pool block headers included). */
size_t heap_live(void);
size_t heap_peak(void);

#endif
