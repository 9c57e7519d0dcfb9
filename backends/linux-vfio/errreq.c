/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * ERR (device error, AER) and REQ (the host wants the device back)
 * interrupts: each is one eventfd armed with SET_IRQS and watched by the
 * event loop; msidom_vfio_dispatch() calls the user's callback.
 */
#include <sys/epoll.h>

#include "vfio_internal.h"

static bool usable(const struct msidom_vfio *v, uint32_t type)
{
	const struct msidom_vfio_irq_info *i = &v->info.irq[type];
	return type < v->info.num_irqs && i->count >= 1 && (i->flags & VFIO_IRQ_INFO_EVENTFD);
}

static int arm_one(struct msidom_vfio *v, uint32_t type, int *fdp)
{
	int fd = msidom__vfio_eventfd_new(v);
	if (fd < 0)
		return fd;
	int ret = v->sys.epoll_ctl(
		v->sys.opaque, v->epfd, EPOLL_CTL_ADD, fd, EPOLLIN,
		VFIO_EV(type == VFIO_PCI_ERR_IRQ_INDEX ? VFIO_EV_ERR : VFIO_EV_REQ, 0));
	if (ret < 0)
		goto err_fd;
	int32_t fds[1] = { fd };
	ret = msidom__vfio_set_irqs_fds(v, type, 0, 1, fds);
	if (ret < 0)
		goto err_epoll;
	*fdp = fd;
	return 0;

err_epoll:
	(void)v->sys.epoll_ctl(v->sys.opaque, v->epfd, EPOLL_CTL_DEL, fd, 0, 0);
err_fd:
	msidom__vfio_close(v, &fd);
	return ret;
}

static void disarm_one(struct msidom_vfio *v, uint32_t type, int *fdp)
{
	if (*fdp < 0)
		return;
	int32_t none[1] = { -1 };
	if (msidom__vfio_set_irqs_fds(v, type, 0, 1, none) < 0)
		msidom_log(v->ctx, MSIDOM_LOG_WARN, "vfio %s: could not disarm irq index %u",
			   v->bdf, type);
	(void)v->sys.epoll_ctl(v->sys.opaque, v->epfd, EPOLL_CTL_DEL, *fdp, 0, 0);
	msidom__vfio_close(v, fdp);
}

int msidom__vfio_errreq_arm(struct msidom_vfio *v)
{
	int ret;
	if (v->on_err) {
		if (!usable(v, VFIO_PCI_ERR_IRQ_INDEX)) {
			msidom_log(v->ctx, MSIDOM_LOG_WARN,
				   "vfio %s: the kernel offers no ERR interrupt; on_err never runs",
				   v->bdf);
		} else {
			ret = arm_one(v, VFIO_PCI_ERR_IRQ_INDEX, &v->errfd);
			if (ret < 0)
				goto err;
		}
	}
	if (v->on_req) {
		if (!usable(v, VFIO_PCI_REQ_IRQ_INDEX)) {
			msidom_log(v->ctx, MSIDOM_LOG_WARN,
				   "vfio %s: the kernel offers no REQ interrupt; on_req never runs",
				   v->bdf);
		} else {
			ret = arm_one(v, VFIO_PCI_REQ_IRQ_INDEX, &v->reqfd);
			if (ret < 0)
				goto err_req;
		}
	}
	return 0;

err_req:
	disarm_one(v, VFIO_PCI_ERR_IRQ_INDEX, &v->errfd);
err:
	msidom_log(v->ctx, MSIDOM_LOG_ERR, "vfio %s: arming ERR/REQ interrupts: %s", v->bdf,
		   msidom_strerror(ret));
	return ret;
}

void msidom__vfio_errreq_disarm(struct msidom_vfio *v)
{
	disarm_one(v, VFIO_PCI_REQ_IRQ_INDEX, &v->reqfd);
	disarm_one(v, VFIO_PCI_ERR_IRQ_INDEX, &v->errfd);
}
