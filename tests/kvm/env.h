/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * What the fake-KVM tests share: a context on the checking hooks, the
 * fake, an opened GSI domain, a guest MSI-X table for per-device domains,
 * and snapshots of everything a failed call must leave as it was.
 */
#ifndef KVM_TEST_ENV_H
#define KVM_TEST_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libmsidom/kvm.h>

#include "fake_kvm.h"
#include "support.h"

#define ENV_GUEST_VECTORS 64u

struct env {
	struct ts_hooks h;
	struct msidom_ctx *ctx;
	struct fkvm *fk;
	struct msidom_kvm *kvm;
	struct msidom_device *dev;
	struct msidom_domain *dom;                  /* per-device domain "KVM-PCI-MSIX-guest0" */
	struct msidom_msg guest[ENV_GUEST_VECTORS]; /* what the guest wrote */
	int fail_compose;                           /* compose returns this when < 0 */
};

/* Context and fake with @routes GSIs; nothing opened. */
struct env *env_new(uint32_t routes);
/* ... and the GSI domain opened with @first_gsi VMM GSIs. */
struct env *env_opened(uint32_t routes, uint32_t first_gsi);
/* ... and a device with a per-device domain of ENV_GUEST_VECTORS vectors. */
struct env *env_with_domain(uint32_t routes, uint32_t first_gsi);
/* The compose callback of env_with_domain(): e->guest[index] (arg is the env). */
int env_compose(void *arg, uint32_t index, struct msidom_msg *msg);
/* Destroy the device, close, destroy the context; assert nothing is left. */
void env_free(struct env *e);

/* The guest's message for vector @v pointing at APIC id @apic, vector @vec. */
struct msidom_msg env_msg(uint32_t apic, uint32_t vec);
/* An MSI route of @msg. */
struct msidom_kvm_route env_route(struct msidom_msg msg);
/* Allocate vector @index of the per-device domain, unmasked; returns its virq. */
uint32_t env_alloc(struct env *e, uint32_t index);
/* The GSI of vector @index (asserts it has one). */
uint32_t env_gsi(struct env *e, uint32_t index);

/* Everything a failed call must leave untouched. */
struct snap {
	struct fkvm_state kernel;
	uint32_t ngsi;
	struct msidom_kvm_route *routes; /* [ngsi], the library's table */
	int *irqfds;                     /* [ngsi] */
	uint32_t gsis, nroutes, nirqfds;
	size_t mem;
	int fds;
};
void snap_take(struct env *e, struct snap *s);
void snap_assert_same(const struct snap *a, const struct snap *b);
void snap_free(struct snap *s);

/*
 * Run @op with the 1st, 2nd, ... ioctl from now failing with -EIO until
 * it runs without reaching the failure; each failure must return -EIO and
 * leave the snapshot as it was. Returns the ioctls the successful run made.
 */
unsigned long fail_each_ioctl(struct env *e, int (*op)(struct env *e, void *arg), void *arg);

#endif
