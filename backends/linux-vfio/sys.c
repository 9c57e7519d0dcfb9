/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The system call seam: the real calls, and the small eventfd/SET_IRQS
 * helpers every other file goes through, so a fake kernel sees them all.
 */
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vfio_internal.h"

static int neg_errno(void)
{
	return errno > 0 ? -errno : -MSIDOM_EIO;
}

static int sys_open(void *opaque, const char *path, int flags)
{
	(void)opaque;
	int fd = open(path, flags);
	return fd < 0 ? neg_errno() : fd;
}

static int sys_close(void *opaque, int fd)
{
	(void)opaque;
	return close(fd) < 0 ? neg_errno() : 0;
}

static int sys_ioctl(void *opaque, int fd, unsigned long request, void *arg)
{
	(void)opaque;
	int ret = ioctl(fd, request, arg);
	return ret < 0 ? neg_errno() : ret;
}

static int sys_eventfd(void *opaque, unsigned int initval, int flags)
{
	(void)opaque;
	int fd = eventfd(initval, flags);
	return fd < 0 ? neg_errno() : fd;
}

static ssize_t sys_read(void *opaque, int fd, void *buf, size_t len)
{
	(void)opaque;
	ssize_t n = read(fd, buf, len);
	return n < 0 ? neg_errno() : n;
}

static ssize_t sys_write(void *opaque, int fd, const void *buf, size_t len)
{
	(void)opaque;
	ssize_t n = write(fd, buf, len);
	return n < 0 ? neg_errno() : n;
}

static ssize_t sys_pread(void *opaque, int fd, void *buf, size_t len, int64_t off)
{
	(void)opaque;
	ssize_t n = pread(fd, buf, len, (off_t)off);
	return n < 0 ? neg_errno() : n;
}

static ssize_t sys_pwrite(void *opaque, int fd, const void *buf, size_t len, int64_t off)
{
	(void)opaque;
	ssize_t n = pwrite(fd, buf, len, (off_t)off);
	return n < 0 ? neg_errno() : n;
}

static int sys_epoll_create1(void *opaque, int flags)
{
	(void)opaque;
	int fd = epoll_create1(flags);
	return fd < 0 ? neg_errno() : fd;
}

static int sys_epoll_ctl(void *opaque, int epfd, int op, int fd, uint32_t events, uint64_t data)
{
	(void)opaque;
	struct epoll_event ev = { .events = events, .data.u64 = data };
	return epoll_ctl(epfd, op, fd, &ev) < 0 ? neg_errno() : 0;
}

static int sys_epoll_wait(void *opaque, int epfd, struct msidom_vfio_event *events, int max,
			  int timeout_ms)
{
	(void)opaque;
	struct epoll_event evs[32];
	if (max > 32)
		max = 32;
	int n = epoll_wait(epfd, evs, max, timeout_ms);
	if (n < 0)
		return neg_errno();
	for (int i = 0; i < n; i++) {
		events[i].events = evs[i].events;
		events[i].data = evs[i].data.u64;
	}
	return n;
}

static ssize_t sys_readlink(void *opaque, const char *path, char *buf, size_t len)
{
	(void)opaque;
	ssize_t n = readlink(path, buf, len);
	return n < 0 ? neg_errno() : n;
}

static ssize_t sys_first_dirent(void *opaque, const char *path, char *buf, size_t len)
{
	(void)opaque;
	DIR *d = opendir(path);
	if (!d)
		return neg_errno();
	ssize_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		size_t l = 0;
		while (e->d_name[l] && l < len) {
			buf[l] = e->d_name[l];
			l++;
		}
		n = (ssize_t)l;
		break;
	}
	closedir(d);
	return n;
}

static const struct msidom_vfio_sys default_sys = {
	.sz = sizeof(struct msidom_vfio_sys),
	.opaque = NULL,
	.open = sys_open,
	.close = sys_close,
	.ioctl = sys_ioctl,
	.eventfd = sys_eventfd,
	.read = sys_read,
	.write = sys_write,
	.pread = sys_pread,
	.pwrite = sys_pwrite,
	.epoll_create1 = sys_epoll_create1,
	.epoll_ctl = sys_epoll_ctl,
	.epoll_wait = sys_epoll_wait,
	.readlink = sys_readlink,
	.first_dirent = sys_first_dirent,
};

MSIDOM_API const struct msidom_vfio_sys *msidom_vfio_sys_default(void)
{
	return &default_sys;
}

int msidom__vfio_eventfd_new(struct msidom_vfio *v)
{
	return v->sys.eventfd(v->sys.opaque, 0, EFD_CLOEXEC | EFD_NONBLOCK);
}

void msidom__vfio_close(struct msidom_vfio *v, int *fd)
{
	if (*fd >= 0) {
		/* close(2) releases the descriptor even when it reports an error. */
		(void)v->sys.close(v->sys.opaque, *fd);
		*fd = -1;
	}
}

uint64_t msidom__vfio_eventfd_drain(struct msidom_vfio *v, int fd)
{
	uint64_t cnt = 0;
	if (fd < 0)
		return 0;
	if (v->sys.read(v->sys.opaque, fd, &cnt, sizeof(cnt)) != (ssize_t)sizeof(cnt))
		return 0;
	return cnt;
}

void msidom__vfio_eventfd_signal(struct msidom_vfio *v, int fd)
{
	uint64_t one = 1;
	/* Only a counter overflow can fail, and then a wakeup is pending anyway. */
	if (fd >= 0)
		(void)v->sys.write(v->sys.opaque, fd, &one, sizeof(one));
}

static int set_irqs(struct msidom_vfio *v, uint32_t flags, uint32_t type, uint32_t start,
		    uint32_t count, const int32_t *fds)
{
	struct vfio_irq_set *s = v->irqset;
	size_t need = sizeof(*s) + (fds ? count * sizeof(int32_t) : 0);
	if (need > v->irqset_size)
		return -MSIDOM_EINVAL;
	s->argsz = (uint32_t)need;
	s->flags = flags;
	s->index = type;
	s->start = start;
	s->count = count;
	if (fds) {
		int32_t *dst = (int32_t *)(void *)s->data;
		for (uint32_t i = 0; i < count; i++)
			dst[i] = fds[i];
	}
	int ret = v->sys.ioctl(v->sys.opaque, v->device, VFIO_DEVICE_SET_IRQS, s);
	if (ret > 0) {
		/*
		 * vfio_msi_enable() returns how many vectors the host could
		 * have given, with nothing enabled: a failure like any other.
		 */
		msidom_log(v->ctx, MSIDOM_LOG_ERR,
			   "vfio %s: SET_IRQS index %u: the host could enable only %d of %u "
			   "vectors",
			   v->bdf, type, ret, start + count);
		ret = -MSIDOM_ENOSPC;
	}
	/* Count arming and disabling calls, not loopback triggers. */
	if ((type == VFIO_PCI_MSI_IRQ_INDEX || type == VFIO_PCI_MSIX_IRQ_INDEX) &&
	    (fds || count == 0)) {
		v->stats.set_irqs++;
		if (ret < 0)
			v->stats.set_irqs_failed++;
	}
	if (ret < 0)
		msidom_log(v->ctx, MSIDOM_LOG_DEBUG,
			   "vfio %s: SET_IRQS index %u start %u count %u flags 0x%x: %s", v->bdf,
			   type, start, count, flags, msidom_strerror(ret));
	return ret;
}

int msidom__vfio_set_irqs_fds(struct msidom_vfio *v, uint32_t type, uint32_t start, uint32_t count,
			      const int32_t *fds)
{
	return set_irqs(v, VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER, type, start,
			count, fds);
}

int msidom__vfio_set_irqs_none(struct msidom_vfio *v, uint32_t type, uint32_t start, uint32_t count)
{
	return set_irqs(v, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER, type, start, count,
			NULL);
}

int msidom__vfio_sys_check(struct msidom_ctx *ctx, const struct msidom_vfio_sys *sys)
{
	if (!sys->open || !sys->close || !sys->ioctl || !sys->eventfd || !sys->read ||
	    !sys->write || !sys->pread || !sys->pwrite || !sys->epoll_create1 || !sys->epoll_ctl ||
	    !sys->epoll_wait || !sys->readlink) {
		msidom_log(ctx, MSIDOM_LOG_ERR, "vfio: incomplete system call seam");
		return -MSIDOM_EINVAL;
	}
	return 0;
}
