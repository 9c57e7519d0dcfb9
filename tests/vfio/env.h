/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Environment of the vfio suite: a context on the test support library's
 * hooks, a fake kernel playing Linux 6.1 (NORESIZE MSI-X) or 6.12
 * (dynamic MSI-X), the backend's configuration, vector helpers, snapshots
 * of everything observable and a fault loop that fails every system call
 * or allocation of an operation in turn.
 */
#ifndef VFIO_ENV_H
#define VFIO_ENV_H

#include <stdbool.h>
#include <stdint.h>

#include <libmsidom/vfio.h>

#include "fake_kernel.h"
#include "support.h"

#define BDF  "0000:00:03.0"
#define NVEC 64

struct env {
	struct ts_hooks h;
	struct fake_kernel *fk;
	struct msidom_ctx *ctx;
	struct msidom_vfio *v;
	struct msidom_vfio_config cfg;
	unsigned int hits[NVEC]; /* handler calls per index */
	unsigned int err_hits, req_hits;
	int fds_before;
};

/* A kernel with MSI (4), MSI-X (16), ERR, REQ and interrupt remapping; group 7. */
struct fk_config kcfg(int version);
/* A context and a fake kernel; the device is not open yet. */
struct env *env_new(const struct fk_config *kc);
/* Open the device with e->cfg (asserts success). */
void env_open(struct env *e);
/* env_new() on kcfg(@version), then env_open(). */
struct env *env_opened(int version);
/* Close everything and check that nothing is left behind. */
void env_free(struct env *e);

/* Allocate at @index with a handler counting into e->hits[index]. */
struct msidom_map alloc_vec(struct env *e, uint32_t index, bool unmasked);
void must_alloc(struct env *e, uint32_t index, bool unmasked);
void dispatch_all(struct env *e);
uint32_t virq_of(struct env *e, uint32_t index);
/* Armed in the kernel with the vector's own trigger eventfd. */
bool armed_trigger(struct env *e, uint32_t index);
/* Armed with some other eventfd: the library's mask eventfd. */
bool armed_mask(struct env *e, uint32_t index);

/* Descriptors, memory, virqs, the root's mappings and the kernel's state. */
struct snap;
struct snap *snap_take(struct env *e);
/* Assert nothing changed since @s was taken; frees @s. */
void snap_check(struct env *e, struct snap *s);

/*
 * Fault loop: for every n, build a fresh environment on @kc with @setup,
 * fail the n-th system call (or, with @mem, the n-th allocation) inside
 * @op, and check that a failed @op changed nothing. Stops when @op runs
 * without hitting the injection. Returns how many injections made @op fail.
 */
typedef void (*setup_fn)(struct env *e);
typedef int (*op_fn)(struct env *e);
int fault_loop(const struct fk_config *kc, setup_fn setup, op_fn op, bool mem, enum fk_call call);

#endif
