/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Internal structures of the VMM module. Nothing here is part of the ABI.
 */
#ifndef MSIDOM_VMM_INTERNAL_H
#define MSIDOM_VMM_INTERNAL_H

#include <pthread.h>

#include <libmsidom/provider.h>
#include <libmsidom/vmm.h>

struct vmm_vec;

/*
 * What stands behind a guest vector. The core of the module only ever
 * talks to a backing through these ops, so the three kinds (emulated,
 * VFIO, IMS) can be mixed freely on one function.
 */
struct vmm_backing_ops {
	const char *name;
	/* Host resources this backing needs per acquired vector. */
	uint32_t host_vectors;
	uint32_t host_fds;
	/* Can @b be used at all (host device present, right domain)? */
	int (*check)(struct msidom_vmm_fn *fn, const struct msidom_vmm_backing *b);
	/* Get the host vector (masked). 0 or a negative errno, nothing held. */
	int (*acquire)(struct msidom_vmm_fn *fn, struct vmm_vec *v);
	/* Give it back. */
	void (*release)(struct msidom_vmm_fn *fn, struct vmm_vec *v);
	/* Stop / start host delivery. 0 or a negative errno. */
	int (*mask)(struct msidom_vmm_fn *fn, struct vmm_vec *v);
	int (*unmask)(struct msidom_vmm_fn *fn, struct vmm_vec *v);
	/* Host eventfd of the vector, or -1. */
	int (*eventfd)(struct msidom_vmm_fn *fn, struct vmm_vec *v);
	/* The host holds an interrupt for the (host-masked) vector. */
	bool (*pending)(struct msidom_vmm_fn *fn, struct vmm_vec *v);
};

extern const struct vmm_backing_ops msidom__vmm_emulated_ops;
extern const struct vmm_backing_ops msidom__vmm_ims_ops;
extern const struct vmm_backing_ops msidom__vmm_vfio_ops;

struct vmm_vec {
	struct msidom_vmm_fn *fn;
	uint32_t nr;
	/* Guest-visible state (MSI-X entry, or MSI message). */
	uint32_t addr_lo, addr_hi, data;
	bool guest_masked;
	bool pending;
	/* Backing. */
	struct msidom_vmm_backing backing;
	const struct vmm_backing_ops *bops;
	bool acquired;
	bool host_unmasked;
	bool acq_failed;
	uint32_t host_index; /* index actually obtained in the host domain */
	uint32_t host_virq;
	int host_fd;
	/* Live: deliver at once rather than latch. */
	bool live;
	/* What route_changed was last told. */
	struct msidom_vmm_route reported;
};

struct msidom_vmm_fn {
	struct msidom_ctx *ctx;
	pthread_mutex_t lock;
	char name[32];
	struct msidom_vmm_config cfg; /* cfg.ops = &ops when given */
	struct msidom_vmm_ops ops;
	/* Capability state. */
	bool enabled;
	bool fmask;      /* MSI-X function mask */
	uint8_t msi_mme; /* MSI: log2 of enabled messages */
	uint32_t quota_vecs, quota_fds;
	struct msidom_vmm_stats stats;
	struct vmm_vec *vecs;
	bool dying;
};

/* Every line starts with "vmm <name>: "; callers pass fn->name first. */
#define vmm_err(fn, ...) msidom_log((fn)->ctx, MSIDOM_LOG_ERR, __VA_ARGS__)
#define vmm_dbg(fn, ...) msidom_log((fn)->ctx, MSIDOM_LOG_DEBUG, __VA_ARGS__)

/* fn.c */
void msidom__vmm_lock(struct msidom_vmm_fn *fn);
void msidom__vmm_unlock(struct msidom_vmm_fn *fn);
int msidom__vmm_bad_access(struct msidom_vmm_fn *fn, const char *what, uint64_t offset,
			   uint32_t size);

/* vector.c: the per-vector state machine */
bool msidom__vmm_want_live(const struct msidom_vmm_fn *fn, const struct vmm_vec *v);
struct msidom_msg msidom__vmm_guest_msg(const struct msidom_vmm_fn *fn, const struct vmm_vec *v);
void msidom__vmm_sync(struct msidom_vmm_fn *fn, struct vmm_vec *v);
void msidom__vmm_sync_all(struct msidom_vmm_fn *fn);
void msidom__vmm_release(struct msidom_vmm_fn *fn, struct vmm_vec *v);
void msidom__vmm_release_all(struct msidom_vmm_fn *fn);
int msidom__vmm_fire_locked(struct msidom_vmm_fn *fn, struct vmm_vec *v);
bool msidom__vmm_pending(struct msidom_vmm_fn *fn, struct vmm_vec *v);
const struct vmm_backing_ops *msidom__vmm_backing_ops(enum msidom_vmm_backing_type type);

/*
 * Host handler shared by the backings that get their interrupts through
 * msidom_handle() (IMS, and VFIO when the VMM runs the backend's loop).
 */
void msidom__vmm_host_handler(uint32_t virq, void *arg);

/* msix.c / msi.c: config space of each capability */
int msidom__vmm_msix_cfg_read(struct msidom_vmm_fn *fn, uint32_t dw, uint32_t *value);
void msidom__vmm_msix_cfg_write(struct msidom_vmm_fn *fn, uint32_t dw, uint32_t value,
				uint32_t bytemask);
int msidom__vmm_msi_cfg_read(struct msidom_vmm_fn *fn, uint32_t dw, uint32_t *value);
void msidom__vmm_msi_cfg_write(struct msidom_vmm_fn *fn, uint32_t dw, uint32_t value,
			       uint32_t bytemask);
uint32_t msidom__vmm_msi_cfg_size(const struct msidom_vmm_config *cfg);

#endif
