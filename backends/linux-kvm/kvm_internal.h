/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Private state of the KVM backend, shared by its files.
 *
 * Locking: every field below is guarded by the context lock. Domain ops
 * already run under it; the public entry points take it themselves and
 * never hold it while calling the core's locking API.
 */
#ifndef MSIDOM_KVM_INTERNAL_H
#define MSIDOM_KVM_INTERNAL_H

#include <linux/kvm.h>

#include <libmsidom/provider.h>
#include <libmsidom/desc.h>
#include <libmsidom/device.h>
#include <libmsidom/domain.h>
#include <libmsidom/error.h>
#include <libmsidom/kvm.h>

/* Who a GSI belongs to. */
enum kvm_owner {
	KVM_GSI_FREE = 0, /* library range, not allocated */
	KVM_GSI_VMM,      /* below first_gsi: routed by the VMM */
	KVM_GSI_DIRECT,   /* msidom_kvm_gsi_alloc() */
	KVM_GSI_DOMAIN,   /* a vector of a per-device domain under the root */
	KVM_GSI_STALE,    /* freed, but KVM refused to detach its irqfd: not reused */
};

/* One route as KVM's table holds it; type 0 is "no entry". */
struct kvm_rt {
	uint32_t type;  /* KVM_IRQ_ROUTING_IRQCHIP or KVM_IRQ_ROUTING_MSI */
	uint32_t flags; /* MSI: KVM_MSI_VALID_DEVID */
	uint32_t u[4];  /* MSI: address_lo, address_hi, data, devid; IRQCHIP: irqchip, pin */
};

struct kvm_gsi {
	struct kvm_rt want; /* the library's table */
	struct kvm_rt k;    /* what KVM was last programmed with */
	int irqfd;          /* attached eventfd, -1 if none */
	uint8_t owner;      /* enum kvm_owner */
};

/* A per-device domain under the root (msidom_kvm_device_domain_create()). */
struct kvm_devdom {
	struct msidom_kvm *kvm;
	struct msidom_domain *d;
	struct kvm_devdom *next;
	msidom_kvm_compose_fn compose;
	void *arg;
	uint32_t flags; /* route flags (MSIDOM_KVM_MSI_VALID_DEVID) */
	uint32_t devid;
	uint32_t hwsize;
	uint32_t *gsi; /* [hwsize]: GSI of each vector, UINT32_MAX if none */
};

struct msidom_kvm {
	struct msidom_ctx *ctx;
	struct msidom_kvm_sys sys;
	int vm_fd;
	struct msidom_kvm_info info;
	struct msidom_kvm_stats stats; /* gsis, irqfds kept current; routes counted on read */
	uint32_t gsi_quota;
	uint32_t irqfd_quota;
	uint32_t ngsi;
	struct kvm_gsi *gsi;             /* [ngsi] */
	struct kvm_irq_routing *routing; /* scratch for KVM_SET_GSI_ROUTING, ngsi entries */
	size_t routing_size;
	struct msidom_domain *root;
	struct kvm_devdom *devdoms;
	unsigned int batch_depth; /* batches open: explicit ones and domain bus locks */
	unsigned int user_depth;  /* of those, msidom_kvm_batch_begin() ones */
	char name[64];            /* the root's name, for log lines */
};

/* table.c: program KVM with the library's table unless a batch is open. */
int msidom__kvm_commit(struct msidom_kvm *kvm);
/* table.c: change one GSI's route; outside a batch, programmed or undone. */
int msidom__kvm_route_change(struct msidom_kvm *kvm, uint32_t gsi, const struct kvm_rt *rt);
/* table.c: batch nesting shared by the explicit API and the domain bus locks. */
void msidom__kvm_batch_begin(struct msidom_kvm *kvm);
int msidom__kvm_batch_end(struct msidom_kvm *kvm);
/* table.c: public route <-> table entry. */
int msidom__kvm_rt_from_route(struct msidom_kvm *kvm, const struct msidom_kvm_route *r,
			      struct kvm_rt *rt);
void msidom__kvm_rt_to_route(const struct kvm_rt *rt, struct msidom_kvm_route *r);

/* irqfd.c: detach @gsi's irqfd (KVM_IRQFD_FLAG_DEASSIGN); it stays on failure. */
int msidom__kvm_irqfd_deassign(struct msidom_kvm *kvm, uint32_t gsi);

/* root.c */
int msidom__kvm_root_create(struct msidom_kvm *kvm);
/* root.c: the lowest free GSI of the library's range, or -ENOSPC/-EDQUOT for @nr more. */
int64_t msidom__kvm_gsi_find(struct msidom_kvm *kvm, uint32_t nr);

/* sys.c */
int msidom__kvm_ioctl(struct msidom_kvm *kvm, unsigned long request, void *arg);

#endif
