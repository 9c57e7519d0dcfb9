/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Private state of the VFIO backend, shared by its files.
 *
 * Locking: every field below is guarded by the context lock. Domain ops
 * already run under it; the public entry points take it themselves
 * around state they read or change, and never hold it while calling the
 * core's locking API or a user handler.
 */
#ifndef MSIDOM_VFIO_INTERNAL_H
#define MSIDOM_VFIO_INTERNAL_H

#include <linux/vfio.h>

#include <libmsidom/provider.h>
#include <libmsidom/desc.h>
#include <libmsidom/device.h>
#include <libmsidom/domain.h>
#include <libmsidom/error.h>
#include <libmsidom/irq.h>
#include <libmsidom/msi.h>
#include <libmsidom/vfio.h>

/* Kernel shadow value for "state unknown after a failed restore". */
#define VFIO_FD_UNKNOWN (-2)

/* epoll data: kind in the high word, hwirq (or 0) in the low word. */
#define VFIO_EV_VECTOR     1u
#define VFIO_EV_ERR        2u
#define VFIO_EV_REQ        3u
#define VFIO_EV(kind, low) (((uint64_t)(kind) << 32) | (uint32_t)(low))

/* One MSI or MSI-X vector as the library sees it. */
struct vfio_vec {
	int trigger; /* host trigger eventfd (the user's), -1 if none */
	int maskfd;  /* library-owned eventfd armed while masked */
	bool allocated;
	bool active; /* activated: should be armed in the kernel */
	bool masked;
	bool pending;       /* an interrupt arrived while masked */
	bool polled;        /* trigger is in the epoll set */
	bool inflight;      /* dispatch read the trigger, the handler has not run yet */
	bool mask_deferred; /* masked/unmasked in a core batch, not programmed yet */
	bool masked_prev;   /* the masked state before that */
	/* Root-level irq data of the vector that holds the index (see root.c). */
	struct msidom_irq_data *owner;
};

/* One VFIO interrupt index (MSI or MSI-X): wanted state and kernel shadow. */
struct vfio_index {
	uint32_t type;        /* VFIO_PCI_MSI_IRQ_INDEX or VFIO_PCI_MSIX_IRQ_INDEX */
	uint32_t count;       /* the kernel's vector count */
	uint32_t flags;       /* VFIO_IRQ_INFO_* */
	struct vfio_vec *vec; /* [count] */
	int32_t *kfd;         /* [count]: what the kernel is armed with */
	bool kenabled;        /* the index is enabled in the kernel */
	uint32_t kcount;      /* vectors enabled (NORESIZE: the fixed size) */
	int *grave;           /* [2 * count]: freed fds the kernel may still use */
	uint32_t ngrave;
};

/* One IOMMU group attached to a container (container.c). */
struct vfio_group {
	int id;        /* group number, -1 if the slot is free */
	int fd;        /* the group fd, shared by the group's devices */
	uint32_t refs; /* devices open in it */
};

#define MSIDOM_VFIO_MAX_GROUPS 32

struct msidom_vfio_container {
	struct msidom_ctx *ctx;
	struct msidom_vfio_sys sys;
	int fd;
	bool owned;       /* the library opened fd and closes it */
	bool iommu_set;   /* VFIO_SET_IOMMU done (by us or, as told, by the caller) */
	bool iommu_by_us; /* ... by us: it goes with the last group */
	bool isolated;
	bool shared;   /* created by msidom_vfio_container_create() (pins the context) */
	uint32_t refs; /* the creator's until destroy, plus one per device */
	struct vfio_group groups[MSIDOM_VFIO_MAX_GROUPS];
};

struct msidom_vfio {
	struct msidom_ctx *ctx;
	struct msidom_vfio_sys sys;
	char bdf[32];
	int container;                      /* the iommufd (cdev path), else -1 */
	struct msidom_vfio_container *cont; /* type1 container (group path) */
	int group;                          /* the group fd (the container's), -1 if none */
	int device;
	bool attached; /* device is the caller's fd: never closed by the library */
	int epfd;
	int errfd;
	int reqfd;
	struct msidom_vfio_info info;
	enum msidom_vfio_policy policy;
	msidom_vfio_event_fn on_err;
	msidom_vfio_event_fn on_req;
	void *cb_arg;

	struct msidom_device *dev;
	struct msidom_domain *root;
	struct msidom_domain *dom;                          /* current default-slot domain */
	uint32_t mode_type;                                 /* VFIO index type of dom */
	struct vfio_index idx[VFIO_PCI_MSIX_IRQ_INDEX + 1]; /* [1] MSI, [2] MSI-X */

	struct vfio_irq_set *irqset; /* scratch for SET_IRQS */
	size_t irqset_size;
	int32_t *fdbuf; /* scratch: fds of one SET_IRQS */
	uint32_t fdbuf_len;

	unsigned int batch_depth; /* user batches open */
	bool committing;          /* the outermost commit is running */
	bool in_op_batch;         /* inside a core per-operation batch */
	bool deferred;            /* some vector has mask_deferred set */
	struct msidom_vfio_stats stats;
};

/* program.c: bring the kernel in line with the wanted state of an index. */
int msidom__vfio_program(struct msidom_vfio *v, struct vfio_index *ix);
/* program.c: disable an index in the kernel (count 0, DATA_NONE). */
int msidom__vfio_disable_index(struct msidom_vfio *v, struct vfio_index *ix);
/* program.c: close graveyard fds the kernel no longer references. */
void msidom__vfio_reap(struct msidom_vfio *v, struct vfio_index *ix, bool all);

/* root.c: forget deferred mask changes (programmed, or to be reverted). */
void msidom__vfio_clear_deferred(struct msidom_vfio *v, struct vfio_index *ix, bool revert);

/* root.c */
int msidom__vfio_root_create(struct msidom_vfio *v);
/* root.c: release one vector's descriptors (epoll, eventfds). */
void msidom__vfio_vec_release(struct msidom_vfio *v, struct vfio_index *ix, uint32_t n);

/* devdomain.c */
int msidom__vfio_devdomain_create(struct msidom_vfio *v, uint32_t type);

/* cdev.c: 1 opened through the cdev, 0 not available (use the group), <0 error. */
int msidom__vfio_cdev_open(struct msidom_vfio *v);

/* errreq.c */
int msidom__vfio_errreq_arm(struct msidom_vfio *v);
void msidom__vfio_errreq_disarm(struct msidom_vfio *v);

/* isolation.c: whether the IOMMU's acceptance of the device proves MSI isolation. */
bool msidom__vfio_probe_isolated(struct msidom_vfio *v, const char *module);
/* isolation.c: the same for a device the caller opened (type1 or iommufd). */
bool msidom__vfio_probe_isolated_any(struct msidom_vfio *v);

/* container.c */
int msidom__vfio_container_new(struct msidom_ctx *ctx, const struct msidom_vfio_sys *sys, int fd,
			       bool iommu_set, bool shared, struct msidom_vfio_container **out);
void msidom__vfio_container_get(struct msidom_vfio_container *c);
void msidom__vfio_container_put(struct msidom_vfio_container *c);
/* Attach v's group (v->info.group) to c once; sets v->group and v->info.isolated. */
int msidom__vfio_group_attach(struct msidom_vfio_container *c, struct msidom_vfio *v);
void msidom__vfio_group_detach(struct msidom_vfio_container *c, struct msidom_vfio *v);

/* iova.c: parsers of untrusted kernel answers (exposed for their tests via the seam). */
int msidom__vfio_parse_iova_caps(struct msidom_ctx *ctx, const uint8_t *buf, size_t len,
				 struct msidom_vfio_iova_info *out);
int msidom__vfio_parse_reserved(struct msidom_ctx *ctx, const char *text, size_t len,
				struct msidom_vfio_iova_info *out);

/* Small helpers (sys.c). */
int msidom__vfio_sys_check(struct msidom_ctx *ctx, const struct msidom_vfio_sys *sys);
int msidom__vfio_eventfd_new(struct msidom_vfio *v);
void msidom__vfio_close(struct msidom_vfio *v, int *fd);
uint64_t msidom__vfio_eventfd_drain(struct msidom_vfio *v, int fd);
void msidom__vfio_eventfd_signal(struct msidom_vfio *v, int fd);
int msidom__vfio_set_irqs_fds(struct msidom_vfio *v, uint32_t type, uint32_t start, uint32_t count,
			      const int32_t *fds);
int msidom__vfio_set_irqs_none(struct msidom_vfio *v, uint32_t type, uint32_t start,
			       uint32_t count);

#endif
