/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Harness of the vmm suite: a context on the test support library's
 * hooks, a recording VMM (route table like KVM's GSI routes, deliveries,
 * failures), guest-side helpers shaped like a driver's accesses, and a
 * simulated host: a root domain and a device with an IMS domain whose
 * slots can be raised like device interrupts.
 */
#ifndef VMM_HARNESS_H
#define VMM_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libmsidom/ims.h>
#include <libmsidom/vmm.h>

#include "support.h"

#define REC_MAX          8192u
#define HSIM_ROOT_HWSIZE 4096u
#define HSIM_SLOTS       64u

/* ---- context ---- */
/* A context on the support library's hooks (log level ERR); @threads: the library's mutex. */
struct msidom_ctx *vmm_ctx(struct ts_hooks *h, bool threads);

/* ---- recording VMM ---- */
struct rec_deliver {
	uint32_t vector;
	struct msidom_msg msg;
};

struct rec_fail {
	uint32_t vector;
	int err;
};

struct rec {
	struct msidom_vmm_fn *fn;
	struct msidom_vmm_route routes[REC_MAX]; /* every route_changed, in order */
	unsigned int nroutes;
	struct rec_deliver delivered[REC_MAX];
	unsigned int ndelivered;
	struct rec_fail failed[256];
	unsigned int nfailed;
	/* The VMM's own view: last route per vector (its GSI table). */
	struct msidom_vmm_route gsi[MSIDOM_VMM_MSIX_MAX];
	unsigned int per_vec_deliveries[MSIDOM_VMM_MSIX_MAX];
	/* Callbacks whose fn argument was wrong, or that saw inconsistent state. */
	unsigned int bad_callbacks;
};

extern const struct msidom_vmm_ops rec_ops;
void rec_clear(struct rec *r);

/* MSI-X function with @n vectors and the given quotas, recording into @r. */
struct msidom_vmm_fn *mk_msix(struct msidom_ctx *ctx, struct rec *r, uint32_t n, uint32_t max_vecs,
			      uint32_t max_fds);
/* MSI function with @n messages. */
struct msidom_vmm_fn *mk_msi(struct msidom_ctx *ctx, struct rec *r, uint32_t n, bool is64,
			     bool maskable);
/* The function's counters (asserts the call works). */
struct msidom_vmm_stats fn_stats(struct msidom_vmm_fn *fn);

/* ---- fixture: a context and a recording VMM ---- */
struct vfx {
	struct ts_hooks h;
	struct msidom_ctx *ctx;
	size_t mem0; /* the context's memory once created */
	struct rec r;
};

/* cmocka setups: the checking lock, or the library's mutex for tests with threads. */
int vfx_setup(void **state);
int vfx_setup_threads(void **state);
/* No bad callback, the context's memory back to mem0, every byte back to the hooks. */
int vfx_teardown(void **state);

/* ---- guest helpers (assert that every access is accepted) ---- */
void g_msix_ctrl(struct msidom_vmm_fn *fn, bool enable, bool fmask);
void g_entry(struct msidom_vmm_fn *fn, uint32_t i, uint64_t addr, uint32_t data);
void g_mask(struct msidom_vmm_fn *fn, uint32_t i, bool masked);
uint32_t g_table32(struct msidom_vmm_fn *fn, uint64_t off);
bool g_pba(struct msidom_vmm_fn *fn, uint32_t i);
uint32_t g_cfg32(struct msidom_vmm_fn *fn, uint32_t off);
/* Linux's order: enable with function mask, mask all, program, clear fmask. */
void g_linux_msix_setup(struct msidom_vmm_fn *fn, uint32_t n);
/*
 * One step of a guest writing garbage over the @n vectors of an MSI-X
 * function, driven by the generator state *@x: a random table write,
 * config write or PBA read, or sometimes a sane driver step (enable,
 * unmask one vector) so that vectors do go live. Returns the vector the
 * caller makes the host fire, or -1 when this step was a guest access.
 */
int g_garbage_step(struct msidom_vmm_fn *fn, uint32_t n, uint32_t *x);

/* Guest message of vector i in the tests: APIC-like address, vector-like data. */
#define T_ADDR(i) (0xfee00000ull | ((uint64_t)(i) << 12))
#define T_DATA(i) (0x4020u + (uint32_t)(i))

/* ---- simulated host with an IMS device ---- */
struct hsim {
	struct msidom_ctx *ctx;
	struct msidom_domain *root;
	bool used[HSIM_ROOT_HWSIZE];
	struct msidom_device *dev;
	struct msidom_domain *ims;
	/* IMS slot storage as the device sees it. */
	struct msidom_msg msg[HSIM_SLOTS];
	bool unmasked[HSIM_SLOTS];
	bool held[HSIM_SLOTS]; /* raised while masked: the device holds it */
	uint64_t cookie[HSIM_SLOTS];
	bool prepared[HSIM_SLOTS];
	unsigned int live_slots;
	int fail_prepare; /* != 0: prepare_slot returns it */
};

void hsim_init(struct hsim *h, struct msidom_ctx *ctx);
void hsim_fini(struct hsim *h);
/* The device signals IMS slot @slot: returns whether it reached a handler. */
bool hsim_raise(struct hsim *h, uint32_t slot);

#endif
