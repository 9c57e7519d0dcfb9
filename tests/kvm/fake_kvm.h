/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A fake KVM behind the KVM backend's system call seam, for error paths
 * and ioctl counts only (delivery is checked against the real /dev/kvm by
 * test-kvm-delivery). It keeps the routing table and the irqfds as
 * virt/kvm/irqchip.c and virt/kvm/eventfd.c would, checks arguments the
 * way they do, counts every request and fails the n-th ioctl on demand.
 */
#ifndef FAKE_KVM_H
#define FAKE_KVM_H

#include <stdbool.h>
#include <stdint.h>

#include <linux/kvm.h>

#include <libmsidom/kvm.h>

#define FKVM_MAX_ROUTES 4096u
#define FKVM_MAX_IRQFDS 64u

struct fkvm_irqfd {
	int fd;
	uint32_t gsi;
};

/* What KVM holds: compared before and after a failed call. */
struct fkvm_state {
	uint32_t nr;
	struct kvm_irq_routing_entry table[FKVM_MAX_ROUTES]; /* sorted by gsi */
	uint32_t nirqfd;
	struct fkvm_irqfd irqfd[FKVM_MAX_IRQFDS]; /* sorted by fd */
};

struct fkvm {
	struct msidom_kvm_sys sys;
	int vm_fd; /* the VM fd the fake answers on (a real fd: /dev/null) */
	/* KVM_CHECK_EXTENSION answers. */
	int cap_irq_routing;
	int cap_irqfd;
	int cap_signal_msi;
	int cap_msi_devid;
	int signal_ret; /* what KVM_SIGNAL_MSI returns (1: delivered) */
	struct fkvm_state st;
	struct kvm_msi last_msi;
	/* Counts, failed calls included. */
	unsigned long ioctls;
	unsigned long check_extension;
	unsigned long set_gsi_routing;
	unsigned long irqfd_assign;
	unsigned long irqfd_deassign;
	unsigned long signal_msi;
	/* > 0: the fail_at-th ioctl from now fails with -fail_errno. */
	long fail_at;
	int fail_errno;
};

/* A fake with capacity @routes (KVM_CAP_IRQ_ROUTING) and every other cap. */
struct fkvm *fkvm_new(uint32_t routes);
void fkvm_free(struct fkvm *fk);
/* Fail the @n-th ioctl from now with -@err. */
void fkvm_fail_at(struct fkvm *fk, long n, int err);
/* The route KVM has for @gsi (NULL: none). */
const struct kvm_irq_routing_entry *fkvm_route(const struct fkvm *fk, uint32_t gsi);
/* The GSI @fd is attached to, or -1. */
int64_t fkvm_irqfd_gsi(const struct fkvm *fk, int fd);
/*
 * Where a write to eventfd @fd would go now: its GSI's MSI route, as
 * irqfd_update() would give it; false if not attached or not MSI-routed.
 */
bool fkvm_deliver(const struct fkvm *fk, int fd, struct kvm_irq_routing_msi *out);

#endif
