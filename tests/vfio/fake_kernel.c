/* SPDX-License-Identifier: BSD-2-Clause */
#include "fake_kernel.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <linux/vfio.h>

#define PARAM_PATH         "/sys/module/vfio_iommu_type1/parameters/allow_unsafe_interrupts"
#define IOMMUFD_PARAM_PATH "/sys/module/iommufd/parameters/allow_unsafe_interrupts"
#define CDEV_NAME          "vfio3"

/* Linux 6.6 uapi, absent from older installed headers. */
#define FK_BIND_IOMMUFD      _IO(VFIO_TYPE, VFIO_BASE + 18)
#define FK_ATTACH_IOMMUFD_PT _IO(VFIO_TYPE, VFIO_BASE + 19)
#define FK_IOAS_ALLOC        _IO(';', 0x81)

static int inject(struct fake_kernel *fk, enum fk_call call, unsigned long req)
{
	fk->calls++;
	if (fk->fail_at <= 0 && !(fk->fired && fk->fail_repeat))
		return 0;
	if (fk->fail_call != FK_ANY && fk->fail_call != call)
		return 0;
	if (call == FK_IOCTL && fk->fail_ioctl && fk->fail_ioctl != req)
		return 0;
	if (fk->fail_at <= 0) {
		fk->fail_repeat--;
		return -fk->fail_errno;
	}
	if (--fk->fail_at == 0) {
		fk->fired = true;
		return -fk->fail_errno;
	}
	return 0;
}

static int set_kind(struct fake_kernel *fk, int fd, enum fk_kind k)
{
	if (fd < 0 || fd >= FK_MAXFD) {
		if (fd >= 0)
			close(fd);
		return -EMFILE;
	}
	fk->kind[fd] = (uint8_t)k;
	return fd;
}

static enum fk_kind kind_of(const struct fake_kernel *fk, int fd)
{
	return fd >= 0 && fd < FK_MAXFD ? (enum fk_kind)fk->kind[fd] : FK_NONE;
}

uint64_t fk_ino(int fd)
{
	/*
	 * Every eventfd shares the anonymous inode: identify the file by the
	 * eventfd-id fdinfo line where the kernel has it, else by the inode.
	 */
	char path[64], line[128];
	struct stat st;
	if (fd < 0 || fstat(fd, &st) < 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	FILE *f = fopen(path, "r");
	uint64_t id = 0;
	bool found = false;
	while (f && fgets(line, sizeof(line), f)) {
		unsigned long long v;
		if (sscanf(line, "eventfd-id: %llu", &v) == 1) {
			id = v;
			found = true;
		}
	}
	if (f)
		fclose(f);
	return found ? (1ull << 63) | id : (uint64_t)st.st_ino;
}

static bool is_eventfd(int fd)
{
	char path[64], link[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return false;
	link[n] = '\0';
	return strcmp(link, "anon_inode:[eventfd]") == 0;
}

static void put_ctx(int *ctx)
{
	if (*ctx >= 0)
		close(*ctx);
	*ctx = -1;
}

/* vfio_msi_set_vector_signal(): tear down what is armed, arm the new fd. */
static int set_vector_signal(struct fake_kernel *fk, uint32_t v, int32_t fd)
{
	if (fk->ctx[v] >= 0) {
		fk->teardowns[v]++;
		put_ctx(&fk->ctx[v]);
	}
	if (fd < 0)
		return 0;
	if (!is_eventfd(fd))
		return -EBADF;
	int d = dup(fd);
	if (d < 0)
		return -errno;
	fk->ctx[v] = d;
	return 0;
}

static void msi_disable(struct fake_kernel *fk)
{
	for (uint32_t v = 0; v < FK_MAXVEC; v++)
		put_ctx(&fk->ctx[v]);
	fk->irq_type = -1;
	fk->num_ctx = 0;
	fk->disables++;
}

static int msi_set_block(struct fake_kernel *fk, uint32_t start, uint32_t count, const int32_t *fds,
			 bool msix)
{
	bool dynamic = msix && fk->cfg.version >= 65;
	if (!dynamic && start + count > fk->num_ctx)
		return -EINVAL;
	uint32_t j;
	int ret = 0;
	for (j = start; j < start + count && !ret; j++)
		ret = set_vector_signal(fk, j, fds ? fds[j - start] : -1);
	if (ret) {
		/* Like the kernel: what this call armed goes back to unarmed. */
		for (uint32_t i = start; i < j; i++)
			set_vector_signal(fk, i, -1);
	}
	return ret;
}

static uint32_t irq_count(const struct fake_kernel *fk, uint32_t index)
{
	switch (index) {
	case VFIO_PCI_INTX_IRQ_INDEX: return 1;
	case VFIO_PCI_MSI_IRQ_INDEX: return fk->cfg.msi_count;
	case VFIO_PCI_MSIX_IRQ_INDEX: return fk->cfg.msix_count;
	case VFIO_PCI_ERR_IRQ_INDEX: return fk->cfg.has_err ? 1 : 0;
	case VFIO_PCI_REQ_IRQ_INDEX: return fk->cfg.has_req ? 1 : 0;
	default: return 0;
	}
}

static int set_irqs_msi(struct fake_kernel *fk, const struct vfio_irq_set *s)
{
	bool msix = s->index == VFIO_PCI_MSIX_IRQ_INDEX;
	int index = (int)s->index;
	uint32_t data = s->flags & VFIO_IRQ_SET_DATA_TYPE_MASK;

	if (fk->irq_type == index && !s->count && data == VFIO_IRQ_SET_DATA_NONE) {
		msi_disable(fk);
		if (fk->on_disable)
			fk->on_disable(fk, fk->on_disable_arg);
		return 0;
	}
	if (!(fk->irq_type == index || fk->irq_type == -1))
		return -EINVAL;
	if (data == VFIO_IRQ_SET_DATA_EVENTFD) {
		const int32_t *fds = (const int32_t *)(const void *)s->data;
		if (fk->irq_type == index)
			return msi_set_block(fk, s->start, s->count, fds, msix);
		uint32_t nvec = s->start + s->count;
		/* Like vfio_msi_enable(): the count it could get, nothing enabled. */
		if (fk->cfg.host_vectors && nvec > fk->cfg.host_vectors)
			return (int)fk->cfg.host_vectors;
		fk->irq_type = index;
		fk->num_ctx = nvec;
		fk->enables++;
		int ret = msi_set_block(fk, s->start, s->count, fds, msix);
		if (ret) {
			msi_disable(fk);
			fk->disables--; /* internal, not a user disable */
		}
		return ret;
	}
	if (fk->irq_type != index)
		return -EINVAL;
	for (uint32_t i = s->start; i < s->start + s->count && i < FK_MAXVEC; i++) {
		if (fk->ctx[i] < 0)
			continue;
		if (data == VFIO_IRQ_SET_DATA_NONE ||
		    (data == VFIO_IRQ_SET_DATA_BOOL && s->data[i - s->start]))
			fk_raise(fk, i);
	}
	return 0;
}

static int set_irqs_single(const struct vfio_irq_set *s, int *ctx)
{
	uint32_t data = s->flags & VFIO_IRQ_SET_DATA_TYPE_MASK;
	if (data == VFIO_IRQ_SET_DATA_NONE && !s->count) {
		put_ctx(ctx);
		return 0;
	}
	if (data == VFIO_IRQ_SET_DATA_EVENTFD && s->count == 1) {
		int32_t fd = *(const int32_t *)(const void *)s->data;
		put_ctx(ctx);
		if (fd < 0)
			return 0;
		if (!is_eventfd(fd))
			return -EBADF;
		*ctx = dup(fd);
		return *ctx < 0 ? -errno : 0;
	}
	return -EINVAL;
}

static int set_irqs(struct fake_kernel *fk, struct vfio_irq_set *s)
{
	size_t minsz = sizeof(*s);
	if (s->argsz < minsz)
		return -EINVAL;
	if (s->flags & ~(VFIO_IRQ_SET_DATA_TYPE_MASK | VFIO_IRQ_SET_ACTION_TYPE_MASK))
		return -EINVAL;
	size_t size;
	switch (s->flags & VFIO_IRQ_SET_DATA_TYPE_MASK) {
	case VFIO_IRQ_SET_DATA_NONE: size = 0; break;
	case VFIO_IRQ_SET_DATA_BOOL: size = 1; break;
	case VFIO_IRQ_SET_DATA_EVENTFD: size = 4; break;
	default: return -EINVAL;
	}
	if (s->index >= VFIO_PCI_NUM_IRQS)
		return -EINVAL;
	uint32_t max = irq_count(fk, s->index);
	if (s->start >= max || s->start + s->count > max ||
	    s->argsz - minsz < (size_t)s->count * size)
		return -EINVAL;
	if ((s->flags & VFIO_IRQ_SET_ACTION_TYPE_MASK) != VFIO_IRQ_SET_ACTION_TRIGGER)
		return -ENOTTY;
	switch (s->index) {
	case VFIO_PCI_MSI_IRQ_INDEX:
	case VFIO_PCI_MSIX_IRQ_INDEX: fk->set_irqs++; return set_irqs_msi(fk, s);
	case VFIO_PCI_ERR_IRQ_INDEX: return set_irqs_single(s, &fk->err_ctx);
	case VFIO_PCI_REQ_IRQ_INDEX: return set_irqs_single(s, &fk->req_ctx);
	default: return -ENOTTY;
	}
}

static bool container_has_group(const struct fake_kernel *fk, int cfd)
{
	for (uint32_t g = 0; g < fk->ngrp; g++)
		if (fk->grp[g].container == cfd)
			return true;
	return false;
}

/* What Linux answers: pgsizes and one IOVA-range capability around the MSI window. */
static int iommu_get_info(struct fake_kernel *fk, void *arg)
{
	struct vfio_iommu_type1_info *info = arg;
	if (info->argsz < 20)
		return -EINVAL;
	if (fk->cfg.iommu_info) {
		size_t n =
			info->argsz < fk->cfg.iommu_info_len ? info->argsz : fk->cfg.iommu_info_len;
		memcpy(arg, fk->cfg.iommu_info, n);
		return 0;
	}
	/* info (24 bytes), cap header, nr_iovas, reserved, 2 ranges: 24 + 16 + 32. */
	uint8_t a[72];
	memset(a, 0, sizeof(a));
	struct vfio_iommu_type1_info hdr = {
		.argsz = sizeof(a),
		.flags = VFIO_IOMMU_INFO_PGSIZES | VFIO_IOMMU_INFO_CAPS,
		.iova_pgsizes = 0x40201000,
		.cap_offset = 24,
	};
	struct vfio_info_cap_header cap = { .id = VFIO_IOMMU_TYPE1_INFO_CAP_IOVA_RANGE,
					    .version = 1 };
	uint32_t nr = 2;
	struct vfio_iova_range r[2] = { { 0, 0xfedfffffull },
					{ 0xfef00000ull, 0xffffffffffffull } };
	memcpy(a + 24, &cap, sizeof(cap));
	memcpy(a + 32, &nr, sizeof(nr));
	memcpy(a + 40, r, sizeof(r));
	uint32_t given = info->argsz;
	if (given < sizeof(a)) {
		/* Too small for the chain: the size needed, no caps. */
		hdr.cap_offset = 0;
		memcpy(arg, &hdr, given < sizeof(hdr) ? given : sizeof(hdr));
		return 0;
	}
	memcpy(a, &hdr, sizeof(hdr));
	memcpy(arg, a, sizeof(a));
	return 0;
}

static int container_ioctl(struct fake_kernel *fk, int cfd, unsigned long req, void *arg)
{
	uintptr_t a = (uintptr_t)arg;
	switch (req) {
	case VFIO_GET_API_VERSION: return VFIO_API_VERSION;
	case VFIO_CHECK_EXTENSION:
		if (a == VFIO_TYPE1v2_IOMMU)
			return fk->cfg.no_type1v2 ? 0 : 1;
		return a == VFIO_TYPE1_IOMMU ? 1 : 0;
	case VFIO_SET_IOMMU:
		if (!container_has_group(fk, cfd))
			return -EINVAL;
		if (fk->cont_iommu[cfd])
			return -EBUSY;
		if (a != VFIO_TYPE1v2_IOMMU && a != VFIO_TYPE1_IOMMU)
			return -EINVAL;
		if (!fk->cfg.intremap && !fk->cfg.allow_unsafe)
			return -EPERM;
		fk->cont_iommu[cfd] = true;
		fk->iommu_sets++;
		return 0;
	case VFIO_IOMMU_GET_INFO:
		if (!fk->cont_iommu[cfd])
			return -EINVAL;
		return iommu_get_info(fk, arg);
	case VFIO_IOMMU_MAP_DMA: {
		/* vfio_iommu_type1: no map outside the valid IOVA ranges (the MSI window). */
		const struct vfio_iommu_type1_dma_map *m = arg;
		if (!fk->cont_iommu[cfd] || m->argsz < sizeof(*m) || !m->size ||
		    m->iova + m->size - 1 < m->iova)
			return -EINVAL;
		if (m->iova <= 0xfeefffffull && m->iova + m->size - 1 >= 0xfee00000ull)
			return -EINVAL;
		fk->dma_maps++;
		return 0;
	}
	default: return -ENOTTY;
	}
}

static const char *dev_bdf(const struct fake_kernel *fk, uint32_t d)
{
	return d ? fk->cfg.extra_bdf[d - 1] : fk->cfg.bdf;
}

static int dev_group(const struct fake_kernel *fk, uint32_t d)
{
	return d ? fk->cfg.extra_group[d - 1] : fk->cfg.group;
}

static bool *dev_open(struct fake_kernel *fk, uint32_t d)
{
	return d ? &fk->extra_open[d - 1] : &fk->device_open;
}

static int group_ioctl(struct fake_kernel *fk, int gfd, unsigned long req, void *arg)
{
	struct fk_group *g = &fk->grp[fk->obj[gfd]];
	switch (req) {
	case VFIO_GROUP_GET_STATUS: {
		struct vfio_group_status *st = arg;
		if (st->argsz < sizeof(*st))
			return -EINVAL;
		st->flags = (fk->cfg.not_viable ? 0 : VFIO_GROUP_FLAGS_VIABLE) |
			    (g->container >= 0 ? VFIO_GROUP_FLAGS_CONTAINER_SET : 0);
		return 0;
	}
	case VFIO_GROUP_SET_CONTAINER: {
		int cfd = *(const int *)arg;
		if (kind_of(fk, cfd) != FK_CONTAINER)
			return -EINVAL;
		if (g->container >= 0)
			return -EBUSY;
		if (fk->cfg.not_viable)
			return -EPERM;
		/* vfio_iommu_type1_attach_group() checks isolation for later groups. */
		if (fk->cont_iommu[cfd] && !fk->cfg.intremap && !fk->cfg.allow_unsafe)
			return -EPERM;
		g->container = cfd;
		fk->group_attaches++;
		return 0;
	}
	case VFIO_GROUP_GET_DEVICE_FD: {
		const char *name = arg;
		if (g->container < 0 || !fk->cont_iommu[g->container])
			return -EINVAL;
		uint32_t d;
		for (d = 0; d <= FK_MAXEXTRA; d++)
			if (dev_bdf(fk, d) && strcmp(name, dev_bdf(fk, d)) == 0 &&
			    dev_group(fk, d) == g->id)
				break;
		if (d > FK_MAXEXTRA)
			return -ENODEV;
		if (*dev_open(fk, d))
			return -EBUSY;
		int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		fd = set_kind(fk, fd, FK_DEVICE);
		if (fd >= 0) {
			*dev_open(fk, d) = true;
			fk->obj[fd] = (uint8_t)d;
		}
		return fd;
	}
	default: return -ENOTTY;
	}
}

static int device_ioctl(struct fake_kernel *fk, unsigned long req, void *arg)
{
	switch (req) {
	case VFIO_DEVICE_GET_INFO: {
		struct vfio_device_info *i = arg;
		if (i->argsz < 16)
			return -EINVAL;
		i->flags = VFIO_DEVICE_FLAGS_PCI | VFIO_DEVICE_FLAGS_RESET;
		i->num_regions = VFIO_PCI_NUM_REGIONS;
		i->num_irqs = VFIO_PCI_NUM_IRQS;
		return 0;
	}
	case VFIO_DEVICE_GET_IRQ_INFO: {
		struct vfio_irq_info *i = arg;
		if (i->argsz < sizeof(*i) || i->index >= VFIO_PCI_NUM_IRQS)
			return -EINVAL;
		/* vfio_pci_ioctl_get_irq_info(): ERR exists on PCIe devices only. */
		if (i->index == VFIO_PCI_ERR_IRQ_INDEX && !fk->cfg.has_err)
			return -EINVAL;
		i->count = irq_count(fk, i->index);
		i->flags = VFIO_IRQ_INFO_EVENTFD;
		if (i->index == VFIO_PCI_INTX_IRQ_INDEX)
			i->flags |= VFIO_IRQ_INFO_MASKABLE | VFIO_IRQ_INFO_AUTOMASKED;
		else if (i->index == VFIO_PCI_MSI_IRQ_INDEX ||
			 (i->index == VFIO_PCI_MSIX_IRQ_INDEX && fk->cfg.version < 65))
			i->flags |= VFIO_IRQ_INFO_NORESIZE;
		return 0;
	}
	case VFIO_DEVICE_SET_IRQS: return set_irqs(fk, arg);
	default: return -ENOTTY;
	}
}

static int cdev_ioctl(struct fake_kernel *fk, unsigned long req, void *arg)
{
	if (req == FK_BIND_IOMMUFD) {
		struct {
			uint32_t argsz, flags;
			int32_t iommufd;
			uint32_t out_devid;
		} *b = arg;
		if (b->argsz < 16 || kind_of(fk, b->iommufd) != FK_IOMMUFD)
			return -EINVAL;
		if (fk->cdev_bound)
			return -EINVAL;
		if (!fk->cfg.intremap && !fk->cfg.allow_unsafe)
			return -EPERM;
		fk->cdev_bound = true;
		b->out_devid = 1;
		return 0;
	}
	if (req == FK_ATTACH_IOMMUFD_PT) {
		struct {
			uint32_t argsz, flags, pt_id;
		} *a = arg;
		if (!fk->cdev_bound || a->argsz < 12 || !a->pt_id || a->pt_id >= fk->ioas_next)
			return -EINVAL;
		fk->cdev_attached = true;
		return 0;
	}
	/* The device is usable only once bound and attached. */
	if (!fk->cdev_bound || !fk->cdev_attached)
		return -EINVAL;
	return device_ioctl(fk, req, arg);
}

static int iommufd_ioctl(struct fake_kernel *fk, unsigned long req, void *arg)
{
	if (req != FK_IOAS_ALLOC)
		return -ENOTTY;
	struct {
		uint32_t size, flags, out_ioas_id;
	} *a = arg;
	if (a->size < 12 || a->flags)
		return -EINVAL;
	a->out_ioas_id = fk->ioas_next++;
	return 0;
}

static int group_index(const struct fake_kernel *fk, const char *path)
{
	for (uint32_t g = 0; g < fk->ngrp; g++) {
		char gpath[32];
		snprintf(gpath, sizeof(gpath), "/dev/vfio/%d", fk->grp[g].id);
		if (strcmp(path, gpath) == 0)
			return (int)g;
	}
	return -1;
}

static bool is_reserved_path(const struct fake_kernel *fk, const char *path)
{
	for (uint32_t g = 0; g < fk->ngrp; g++) {
		char rpath[64];
		snprintf(rpath, sizeof(rpath), "/sys/kernel/iommu_groups/%d/reserved_regions",
			 fk->grp[g].id);
		if (strcmp(path, rpath) == 0)
			return true;
	}
	return false;
}

/* The primary device's group as the older tests see it. */
static void mirror_primary(struct fake_kernel *fk)
{
	const struct fk_group *g = &fk->grp[0];
	fk->group_open = g->open;
	fk->group_attached = g->container >= 0;
	fk->iommu_set = g->container >= 0 && fk->cont_iommu[g->container];
}

static int fk_open(void *opaque, const char *path, int flags)
{
	struct fake_kernel *fk = opaque;
	int ret = inject(fk, FK_OPEN, 0);
	if (ret)
		return ret;
	int gi = group_index(fk, path);
	enum fk_kind k;
	if (strcmp(path, "/dev/vfio/vfio") == 0) {
		k = FK_CONTAINER;
	} else if (gi >= 0) {
		if (fk->grp[gi].open)
			return -EBUSY;
		k = FK_GROUP;
	} else if (strcmp(path, PARAM_PATH) == 0 && !fk->cfg.no_param) {
		k = FK_PARAM;
	} else if (strcmp(path, IOMMUFD_PARAM_PATH) == 0 && fk->cfg.cdev && !fk->cfg.no_param) {
		k = FK_PARAM;
	} else if (strcmp(path, "/dev/vfio/devices/" CDEV_NAME) == 0 && fk->cfg.cdev) {
		if (fk->device_open)
			return -EBUSY;
		k = FK_CDEV;
	} else if (strcmp(path, "/dev/iommu") == 0 && fk->cfg.cdev && !fk->cfg.no_dev_iommu) {
		k = FK_IOMMUFD;
	} else if (fk->cfg.reserved && is_reserved_path(fk, path)) {
		k = FK_SYSFS;
	} else {
		return -ENOENT;
	}
	int fd = open("/dev/null", (flags & O_CLOEXEC) | O_RDWR);
	if (fd < 0)
		return -errno;
	fd = set_kind(fk, fd, k);
	if (fd < 0)
		return fd;
	fk->obj[fd] = 0;
	fk->off[fd] = 0;
	fk->cont_iommu[fd] = false;
	if (k == FK_GROUP) {
		fk->grp[gi].open = true;
		fk->obj[fd] = (uint8_t)gi;
	}
	if (k == FK_CDEV)
		fk->device_open = true;
	mirror_primary(fk);
	return fd;
}

static int fk_close(void *opaque, int fd)
{
	struct fake_kernel *fk = opaque;
	/* close(2) always releases the descriptor, even when it reports an error. */
	int ret = inject(fk, FK_CLOSE, 0);
	switch (kind_of(fk, fd)) {
	case FK_GROUP: {
		struct fk_group *g = &fk->grp[fk->obj[fd]];
		int cfd = g->container;
		g->open = false;
		g->container = -1;
		/* The container loses its IOMMU with its last group. */
		if (cfd >= 0 && !container_has_group(fk, cfd))
			fk->cont_iommu[cfd] = false;
		break;
	}
	case FK_CONTAINER: fk->cont_iommu[fd] = false; break;
	case FK_DEVICE:
		if (fk->obj[fd]) {
			fk->extra_open[fk->obj[fd] - 1] = false;
			break;
		}
		/* fall through */
	case FK_CDEV:
		/* Closing the cdev also unbinds it from iommufd. */
		fk->cdev_bound = false;
		fk->cdev_attached = false;
		fk->device_open = false;
		if (fk->irq_type != -1) {
			msi_disable(fk);
			fk->disables--;
		}
		put_ctx(&fk->err_ctx);
		put_ctx(&fk->req_ctx);
		break;
	default: break;
	}
	if (fd >= 0 && fd < FK_MAXFD)
		fk->kind[fd] = FK_NONE;
	mirror_primary(fk);
	if (close(fd) < 0 && !ret)
		ret = -errno;
	return ret;
}

/* An extra device: discovery like the primary; interrupts only counted. */
static int extra_ioctl(struct fake_kernel *fk, unsigned long req, void *arg)
{
	if (req != VFIO_DEVICE_SET_IRQS)
		return device_ioctl(fk, req, arg);
	const struct vfio_irq_set *s = arg;
	if (s->argsz < sizeof(*s) || s->index >= VFIO_PCI_NUM_IRQS)
		return -EINVAL;
	fk->extra_set_irqs++;
	return 0;
}

static int fk_ioctl(void *opaque, int fd, unsigned long req, void *arg)
{
	struct fake_kernel *fk = opaque;
	int ret = inject(fk, FK_IOCTL, req);
	if (ret)
		return ret;
	switch (kind_of(fk, fd)) {
	case FK_CONTAINER: ret = container_ioctl(fk, fd, req, arg); break;
	case FK_GROUP: ret = group_ioctl(fk, fd, req, arg); break;
	case FK_DEVICE:
		ret = fk->obj[fd] ? extra_ioctl(fk, req, arg) : device_ioctl(fk, req, arg);
		break;
	case FK_CDEV: ret = cdev_ioctl(fk, req, arg); break;
	case FK_IOMMUFD: ret = iommufd_ioctl(fk, req, arg); break;
	default: ret = -ENOTTY; break;
	}
	mirror_primary(fk);
	return ret;
}

static int fk_eventfd(void *opaque, unsigned int initval, int flags)
{
	struct fake_kernel *fk = opaque;
	int ret = inject(fk, FK_EVENTFD, 0);
	if (ret)
		return ret;
	int fd = eventfd(initval, flags);
	return fd < 0 ? -errno : fd;
}

static ssize_t fk_read(void *opaque, int fd, void *buf, size_t len)
{
	struct fake_kernel *fk = opaque;
	int ret = inject(fk, FK_READ, 0);
	if (ret)
		return ret;
	if (kind_of(fk, fd) == FK_SYSFS) {
		size_t total = strlen(fk->cfg.reserved), at = fk->off[fd];
		size_t n = at < total ? total - at : 0;
		if (n > len)
			n = len;
		memcpy(buf, fk->cfg.reserved + at, n);
		fk->off[fd] += (uint32_t)n;
		return (ssize_t)n;
	}
	if (kind_of(fk, fd) == FK_PARAM) {
		const char *val = fk->cfg.allow_unsafe ? "Y\n" : "N\n";
		size_t n = len < 2 ? len : 2;
		memcpy(buf, val, n);
		return (ssize_t)n;
	}
	ssize_t n = read(fd, buf, len);
	if (n < 0)
		return -errno;
	if (fd == fk->watch_fd && n == 8 && *(const uint64_t *)buf != 0)
		fk->watch_fired = true;
	return n;
}

static ssize_t fk_write(void *opaque, int fd, const void *buf, size_t len)
{
	struct fake_kernel *fk = opaque;
	int ret = inject(fk, FK_WRITE, 0);
	if (ret)
		return ret;
	ssize_t n = write(fd, buf, len);
	return n < 0 ? -errno : n;
}

static ssize_t fk_pread(void *opaque, int fd, void *buf, size_t len, int64_t off)
{
	struct fake_kernel *fk = opaque;
	int ret = inject(fk, FK_PREAD, 0);
	if (ret)
		return ret;
	ssize_t n = pread(fd, buf, len, (off_t)off);
	return n < 0 ? -errno : n;
}

static ssize_t fk_pwrite(void *opaque, int fd, const void *buf, size_t len, int64_t off)
{
	struct fake_kernel *fk = opaque;
	int ret = inject(fk, FK_PWRITE, 0);
	if (ret)
		return ret;
	ssize_t n = pwrite(fd, buf, len, (off_t)off);
	return n < 0 ? -errno : n;
}

static int fk_epoll_create1(void *opaque, int flags)
{
	struct fake_kernel *fk = opaque;
	int ret = inject(fk, FK_EPOLL_CREATE, 0);
	if (ret)
		return ret;
	int fd = epoll_create1(flags);
	return fd < 0 ? -errno : fd;
}

static int fk_epoll_ctl(void *opaque, int epfd, int op, int fd, uint32_t events, uint64_t data)
{
	struct fake_kernel *fk = opaque;
	int ret = inject(fk, FK_EPOLL_CTL, 0);
	/* A failed DEL still removes: the caller cannot do anything else. */
	if (ret && op != EPOLL_CTL_DEL)
		return ret;
	struct epoll_event ev = { .events = events, .data.u64 = data };
	if (epoll_ctl(epfd, op, fd, &ev) < 0 && !ret)
		ret = -errno;
	return ret;
}

static int fk_epoll_wait(void *opaque, int epfd, struct msidom_vfio_event *events, int max,
			 int timeout_ms)
{
	struct fake_kernel *fk = opaque;
	int ret = inject(fk, FK_EPOLL_WAIT, 0);
	if (ret)
		return ret;
	struct epoll_event evs[64];
	if (max > 64)
		max = 64;
	int n = epoll_wait(epfd, evs, max, timeout_ms);
	if (n < 0)
		return -errno;
	for (int i = 0; i < n; i++) {
		events[i].events = evs[i].events;
		events[i].data = evs[i].data.u64;
	}
	return n;
}

static ssize_t fk_readlink(void *opaque, const char *path, char *buf, size_t len)
{
	struct fake_kernel *fk = opaque;
	int ret = inject(fk, FK_READLINK, 0);
	if (ret)
		return ret;
	char want[96], target[64];
	uint32_t d;
	for (d = 0; d <= FK_MAXEXTRA; d++) {
		if (!dev_bdf(fk, d))
			continue;
		snprintf(want, sizeof(want), "/sys/bus/pci/devices/%s/iommu_group", dev_bdf(fk, d));
		if (strcmp(path, want) == 0)
			break;
	}
	if (d > FK_MAXEXTRA || dev_group(fk, d) < 0)
		return -ENOENT;
	int n = snprintf(target, sizeof(target), "../../../kernel/iommu_groups/%d",
			 dev_group(fk, d));
	size_t cp = (size_t)n < len ? (size_t)n : len;
	memcpy(buf, target, cp);
	return (ssize_t)cp;
}

static ssize_t fk_first_dirent(void *opaque, const char *path, char *buf, size_t len)
{
	struct fake_kernel *fk = opaque;
	int ret = inject(fk, FK_DIRENT, 0);
	if (ret)
		return ret;
	char want[96];
	snprintf(want, sizeof(want), "/sys/bus/pci/devices/%s/vfio-dev", fk->cfg.bdf);
	if (!fk->cfg.cdev || strcmp(path, want) != 0)
		return -ENOENT;
	size_t n = strlen(CDEV_NAME) < len ? strlen(CDEV_NAME) : len;
	memcpy(buf, CDEV_NAME, n);
	return (ssize_t)n;
}

struct fake_kernel *fk_new(const struct fk_config *cfg)
{
	struct fake_kernel *fk = calloc(1, sizeof(*fk));
	if (!fk)
		abort();
	fk->cfg = *cfg;
	if (!fk->cfg.bdf)
		fk->cfg.bdf = "0000:00:03.0";
	fk->irq_type = -1;
	for (uint32_t v = 0; v < FK_MAXVEC; v++)
		fk->ctx[v] = -1;
	fk->err_ctx = fk->req_ctx = -1;
	fk->sys = (struct msidom_vfio_sys){
		.sz = sizeof(struct msidom_vfio_sys),
		.opaque = fk,
		.open = fk_open,
		.close = fk_close,
		.ioctl = fk_ioctl,
		.eventfd = fk_eventfd,
		.read = fk_read,
		.write = fk_write,
		.pread = fk_pread,
		.pwrite = fk_pwrite,
		.epoll_create1 = fk_epoll_create1,
		.epoll_ctl = fk_epoll_ctl,
		.epoll_wait = fk_epoll_wait,
		.readlink = fk_readlink,
		.first_dirent = fk_first_dirent,
	};
	fk->ioas_next = 1;
	fk->watch_fd = -1;
	fk->grp[0] = (struct fk_group){ .id = fk->cfg.group, .container = -1 };
	fk->ngrp = 1;
	for (uint32_t i = 0; i < FK_MAXEXTRA; i++) {
		if (!fk->cfg.extra_bdf[i])
			continue;
		bool known = false;
		for (uint32_t g = 0; g < fk->ngrp; g++)
			known |= fk->grp[g].id == fk->cfg.extra_group[i];
		if (!known)
			fk->grp[fk->ngrp++] =
				(struct fk_group){ .id = fk->cfg.extra_group[i], .container = -1 };
	}
	return fk;
}

void fk_free(struct fake_kernel *fk)
{
	if (!fk)
		return;
	for (uint32_t v = 0; v < FK_MAXVEC; v++)
		put_ctx(&fk->ctx[v]);
	put_ctx(&fk->err_ctx);
	put_ctx(&fk->req_ctx);
	free(fk);
}

void fk_fail(struct fake_kernel *fk, long n, int err, enum fk_call call, unsigned long req)
{
	fk->fail_at = n;
	fk->fail_errno = err;
	fk->fail_call = call;
	fk->fail_ioctl = req;
	fk->fail_repeat = 0;
	fk->fired = false;
}

bool fk_fail_off(struct fake_kernel *fk)
{
	bool fired = fk->fired;
	fk->fail_at = 0;
	fk->fail_repeat = 0;
	fk->fired = false;
	return fired;
}

void fk_state(const struct fake_kernel *fk, struct fk_state *st)
{
	memset(st, 0, sizeof(*st));
	st->irq_type = fk->irq_type;
	st->num_ctx = fk->num_ctx;
	for (uint32_t v = 0; v < FK_MAXVEC; v++)
		st->ino[v] = fk_ino(fk->ctx[v]);
	st->err_ino = fk_ino(fk->err_ctx);
	st->req_ino = fk_ino(fk->req_ctx);
	st->group_attached = fk->group_attached;
	st->iommu_set = fk->iommu_set;
	st->device_open = fk->device_open;
	st->cdev_bound = fk->cdev_bound;
	st->cdev_attached = fk->cdev_attached;
}

static bool signal_fd(int fd)
{
	uint64_t one = 1;
	return fd >= 0 && write(fd, &one, sizeof(one)) == (ssize_t)sizeof(one);
}

bool fk_raise(struct fake_kernel *fk, uint32_t v)
{
	return v < FK_MAXVEC && signal_fd(fk->ctx[v]);
}

bool fk_raise_err(struct fake_kernel *fk)
{
	return signal_fd(fk->err_ctx);
}

bool fk_raise_req(struct fake_kernel *fk)
{
	return signal_fd(fk->req_ctx);
}
