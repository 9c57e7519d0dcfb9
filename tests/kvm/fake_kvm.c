/* SPDX-License-Identifier: BSD-2-Clause */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fake_kvm.h"

static int set_gsi_routing(struct fkvm *fk, const struct kvm_irq_routing *r)
{
	struct fkvm_state *st = &fk->st;
	struct kvm_irq_routing_entry next[FKVM_MAX_ROUTES];
	uint32_t n = 0;

	/* kvm_vm_ioctl(KVM_SET_GSI_ROUTING) and kvm_set_irq_routing(). */
	if (r->nr > (uint32_t)fk->cap_irq_routing || r->flags)
		return -EINVAL;
	for (uint32_t i = 0; i < r->nr; i++) {
		const struct kvm_irq_routing_entry *e = &r->entries[i];
		if (e->gsi >= (uint32_t)fk->cap_irq_routing)
			return -EINVAL;
		if (e->type == KVM_IRQ_ROUTING_MSI) {
			if (e->flags & ~KVM_MSI_VALID_DEVID)
				return -EINVAL;
		} else if (e->type == KVM_IRQ_ROUTING_IRQCHIP) {
			if (e->flags || e->u.irqchip.irqchip > 2 || e->u.irqchip.pin >= 24)
				return -EINVAL;
		} else {
			return -EINVAL;
		}
		/* setup_routing_entry(): one non-irqchip entry per GSI. */
		for (uint32_t j = 0; j < n; j++)
			if (next[j].gsi == e->gsi &&
			    (e->type != KVM_IRQ_ROUTING_IRQCHIP ||
			     next[j].type != KVM_IRQ_ROUTING_IRQCHIP ||
			     next[j].u.irqchip.irqchip == e->u.irqchip.irqchip))
				return -EINVAL;
		uint32_t at = n;
		while (at > 0 && next[at - 1].gsi > e->gsi) {
			next[at] = next[at - 1];
			at--;
		}
		next[at] = *e;
		n++;
	}
	memcpy(st->table, next, n * sizeof(next[0]));
	memset(&st->table[n], 0, (FKVM_MAX_ROUTES - n) * sizeof(next[0]));
	st->nr = n;
	return 0;
}

static int irqfd(struct fkvm *fk, const struct kvm_irqfd *a)
{
	struct fkvm_state *st = &fk->st;
	int fd = (int)a->fd;

	/* kvm_irqfd() */
	if (a->flags & KVM_IRQFD_FLAG_DEASSIGN)
		fk->irqfd_deassign++;
	else
		fk->irqfd_assign++;
	if (a->flags & ~(KVM_IRQFD_FLAG_DEASSIGN | KVM_IRQFD_FLAG_RESAMPLE))
		return -EINVAL;
	for (size_t i = 0; i < sizeof(a->pad); i++)
		if (a->pad[i])
			return -EINVAL;
	/* eventfd_ctx_fdget() */
	if (fd < 0 || fcntl(fd, F_GETFD) < 0) {
		/* A closed eventfd took its irqfd with it (EPOLLHUP in irqfd_wakeup()). */
		for (uint32_t i = 0; i < st->nirqfd; i++) {
			if (st->irqfd[i].fd == fd) {
				memmove(&st->irqfd[i], &st->irqfd[i + 1],
					(st->nirqfd - i - 1) * sizeof(st->irqfd[0]));
				st->nirqfd--;
				st->irqfd[st->nirqfd] = (struct fkvm_irqfd){ 0 };
				break;
			}
		}
		return -EBADF;
	}
	if (a->flags & KVM_IRQFD_FLAG_DEASSIGN) {
		/* kvm_irqfd_deassign(): a pair that is not attached is no error. */
		for (uint32_t i = 0; i < st->nirqfd; i++) {
			if (st->irqfd[i].fd == fd && st->irqfd[i].gsi == a->gsi) {
				memmove(&st->irqfd[i], &st->irqfd[i + 1],
					(st->nirqfd - i - 1) * sizeof(st->irqfd[0]));
				st->nirqfd--;
				st->irqfd[st->nirqfd] = (struct fkvm_irqfd){ 0 };
				break;
			}
		}
		return 0;
	}
	/* kvm_irqfd_assign(): one irqfd per eventfd and VM. */
	uint32_t at = 0;
	while (at < st->nirqfd && st->irqfd[at].fd < fd)
		at++;
	if (at < st->nirqfd && st->irqfd[at].fd == fd)
		return -EBUSY;
	if (st->nirqfd == FKVM_MAX_IRQFDS)
		return -ENOMEM;
	memmove(&st->irqfd[at + 1], &st->irqfd[at], (st->nirqfd - at) * sizeof(st->irqfd[0]));
	st->irqfd[at] = (struct fkvm_irqfd){ .fd = fd, .gsi = a->gsi };
	st->nirqfd++;
	return 0;
}

static int fake_ioctl(void *opaque, int fd, unsigned long request, void *arg)
{
	struct fkvm *fk = opaque;

	fk->ioctls++;
	if (request == KVM_CHECK_EXTENSION)
		fk->check_extension++;
	else if (request == KVM_SET_GSI_ROUTING)
		fk->set_gsi_routing++;
	else if (request == KVM_SIGNAL_MSI)
		fk->signal_msi++;
	if (fk->fail_at > 0 && --fk->fail_at == 0) {
		/* Counted as the kernel would see it, then refused. */
		if (request == KVM_IRQFD) {
			const struct kvm_irqfd *a = arg;
			if (a->flags & KVM_IRQFD_FLAG_DEASSIGN)
				fk->irqfd_deassign++;
			else
				fk->irqfd_assign++;
		}
		return -fk->fail_errno;
	}
	if (fd != fk->vm_fd)
		return -ENOTTY;
	switch (request) {
	case KVM_CHECK_EXTENSION:
		switch ((uintptr_t)arg) {
		case KVM_CAP_IRQ_ROUTING: return fk->cap_irq_routing;
		case KVM_CAP_IRQFD: return fk->cap_irqfd;
		case KVM_CAP_SIGNAL_MSI: return fk->cap_signal_msi;
		case KVM_CAP_MSI_DEVID: return fk->cap_msi_devid;
		default: return 0;
		}
	case KVM_SET_GSI_ROUTING: return set_gsi_routing(fk, arg);
	case KVM_IRQFD: return irqfd(fk, arg);
	case KVM_SIGNAL_MSI: {
		const struct kvm_msi *m = arg;
		if (m->flags & ~KVM_MSI_VALID_DEVID)
			return -EINVAL;
		fk->last_msi = *m;
		return fk->signal_ret;
	}
	default: return -ENOTTY;
	}
}

struct fkvm *fkvm_new(uint32_t routes)
{
	struct fkvm *fk = calloc(1, sizeof(*fk));
	if (!fk)
		abort();
	fk->vm_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
	if (fk->vm_fd < 0)
		abort();
	fk->sys = (struct msidom_kvm_sys){
		.sz = sizeof(fk->sys),
		.opaque = fk,
		.ioctl = fake_ioctl,
	};
	fk->cap_irq_routing = (int)routes;
	fk->cap_irqfd = 1;
	fk->cap_signal_msi = 1;
	fk->cap_msi_devid = 0;
	fk->signal_ret = 1;
	return fk;
}

void fkvm_free(struct fkvm *fk)
{
	if (!fk)
		return;
	close(fk->vm_fd);
	free(fk);
}

void fkvm_fail_at(struct fkvm *fk, long n, int err)
{
	fk->fail_at = n;
	fk->fail_errno = err;
}

const struct kvm_irq_routing_entry *fkvm_route(const struct fkvm *fk, uint32_t gsi)
{
	for (uint32_t i = 0; i < fk->st.nr; i++)
		if (fk->st.table[i].gsi == gsi)
			return &fk->st.table[i];
	return NULL;
}

int64_t fkvm_irqfd_gsi(const struct fkvm *fk, int fd)
{
	for (uint32_t i = 0; i < fk->st.nirqfd; i++)
		if (fk->st.irqfd[i].fd == fd)
			return fk->st.irqfd[i].gsi;
	return -1;
}

bool fkvm_deliver(const struct fkvm *fk, int fd, struct kvm_irq_routing_msi *out)
{
	int64_t gsi = fkvm_irqfd_gsi(fk, fd);
	if (gsi < 0)
		return false;
	const struct kvm_irq_routing_entry *e = fkvm_route(fk, (uint32_t)gsi);
	if (!e || e->type != KVM_IRQ_ROUTING_MSI)
		return false;
	*out = e->u.msi;
	return true;
}
