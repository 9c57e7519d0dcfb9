/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Opening a device through its IOMMU group: sysfs group lookup, type1v2
 * container, device fd, interrupt discovery, and the core objects (root
 * domain, device, default-slot domain). Closing undoes it.
 */
#include <fcntl.h>
#include <sys/epoll.h>

#include "vfio_internal.h"

static bool valid_bdf(const char *s)
{
	/* DDDD:BB:DD.F */
	static const char shape[] = "xxxx:xx:xx.x";
	for (size_t i = 0; i < sizeof(shape) - 1; i++) {
		char c = s[i];
		if (shape[i] == 'x') {
			if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') ||
			      (c >= 'A' && c <= 'F')))
				return false;
		} else if (c != shape[i]) {
			return false;
		}
	}
	return s[sizeof(shape) - 1] == '\0';
}

/* @quiet: an attached device works without a group; not finding one is no error. */
static int find_group(struct msidom_vfio *v, bool quiet)
{
	char path[96], link[256];
	msidom_snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", v->bdf);
	ssize_t n = v->sys.readlink(v->sys.opaque, path, link, sizeof(link) - 1);
	if (n < 0) {
		msidom_log(v->ctx, quiet ? MSIDOM_LOG_DEBUG : MSIDOM_LOG_ERR,
			   "vfio %s: no IOMMU group (%s): no such device, or no IOMMU enabled",
			   v->bdf, msidom_strerror((int)n));
		return n == -MSIDOM_ENOENT ? -MSIDOM_ENOENT : (int)n;
	}
	link[n] = '\0';
	ssize_t i = n;
	while (i > 0 && link[i - 1] >= '0' && link[i - 1] <= '9')
		i--;
	if (i == n || n - i > 9) {
		msidom_log(v->ctx, quiet ? MSIDOM_LOG_DEBUG : MSIDOM_LOG_ERR,
			   "vfio %s: unexpected iommu_group link '%s'", v->bdf, link);
		return -MSIDOM_ENOENT;
	}
	int32_t g = 0;
	for (; i < n; i++)
		g = g * 10 + (link[i] - '0');
	v->info.group = g;
	return 0;
}

static int discover(struct msidom_vfio *v)
{
	struct vfio_device_info dinfo = { .argsz = sizeof(dinfo) };
	int ret = v->sys.ioctl(v->sys.opaque, v->device, VFIO_DEVICE_GET_INFO, &dinfo);
	if (ret < 0) {
		msidom_log(v->ctx, MSIDOM_LOG_ERR, "vfio %s: VFIO_DEVICE_GET_INFO: %s", v->bdf,
			   msidom_strerror(ret));
		return ret;
	}
	if (!(dinfo.flags & VFIO_DEVICE_FLAGS_PCI)) {
		msidom_log(v->ctx, MSIDOM_LOG_ERR, "vfio %s: not a vfio-pci device", v->bdf);
		return -MSIDOM_ENODEV;
	}
	v->info.num_irqs = dinfo.num_irqs;
	for (uint32_t i = 0; i < dinfo.num_irqs && i < MSIDOM_VFIO_NUM_IRQ_TYPES; i++) {
		struct vfio_irq_info ii = { .argsz = sizeof(ii), .index = i };
		ret = v->sys.ioctl(v->sys.opaque, v->device, VFIO_DEVICE_GET_IRQ_INFO, &ii);
		/* vfio-pci refuses the ERR index of a conventional (non-PCIe) device. */
		if (ret == -MSIDOM_EINVAL && i >= VFIO_PCI_ERR_IRQ_INDEX)
			continue;
		if (ret < 0) {
			msidom_log(v->ctx, MSIDOM_LOG_ERR,
				   "vfio %s: VFIO_DEVICE_GET_IRQ_INFO(%u): %s", v->bdf, i,
				   msidom_strerror(ret));
			return ret;
		}
		v->info.irq[i].flags = ii.flags;
		v->info.irq[i].count = ii.count;
	}
	const struct msidom_vfio_irq_info *msi = &v->info.irq[VFIO_PCI_MSI_IRQ_INDEX];
	const struct msidom_vfio_irq_info *msix = &v->info.irq[VFIO_PCI_MSIX_IRQ_INDEX];
	if (msi->count > 64 || msix->count > 2048) {
		msidom_log(v->ctx, MSIDOM_LOG_ERR, "vfio %s: implausible vector counts %u/%u",
			   v->bdf, msi->count, msix->count);
		return -MSIDOM_EINVAL;
	}
	if ((!msi->count || !(msi->flags & VFIO_IRQ_INFO_EVENTFD)) &&
	    (!msix->count || !(msix->flags & VFIO_IRQ_INFO_EVENTFD))) {
		msidom_log(v->ctx, MSIDOM_LOG_ERR, "vfio %s: the device has neither MSI nor MSI-X",
			   v->bdf);
		return -MSIDOM_ENODEV;
	}
	v->info.msix_dynamic = msix->count && !(msix->flags & VFIO_IRQ_INFO_NORESIZE);
	msidom_log(v->ctx, MSIDOM_LOG_INFO,
		   "vfio %s: group %d, MSI %u (0x%x), MSI-X %u (0x%x, %s), isolated %s", v->bdf,
		   (int)v->info.group, msi->count, msi->flags, msix->count, msix->flags,
		   v->info.msix_dynamic ? "dynamic" : "NORESIZE", v->info.isolated ? "yes" : "no");
	return 0;
}

static void free_tables(struct msidom_vfio *v)
{
	for (uint32_t t = VFIO_PCI_MSI_IRQ_INDEX; t <= VFIO_PCI_MSIX_IRQ_INDEX; t++) {
		struct vfio_index *ix = &v->idx[t];
		msidom_free(v->ctx, ix->vec, ix->count * sizeof(*ix->vec));
		msidom_free(v->ctx, ix->kfd, ix->count * sizeof(*ix->kfd));
		msidom_free(v->ctx, ix->grave, 2 * ix->count * sizeof(*ix->grave));
		ix->vec = NULL;
		ix->kfd = NULL;
		ix->grave = NULL;
	}
	msidom_free(v->ctx, v->irqset, v->irqset_size);
	msidom_free(v->ctx, v->fdbuf, v->fdbuf_len * sizeof(*v->fdbuf));
	v->irqset = NULL;
	v->fdbuf = NULL;
}

static int alloc_tables(struct msidom_vfio *v)
{
	uint32_t most = 1;
	for (uint32_t t = VFIO_PCI_MSI_IRQ_INDEX; t <= VFIO_PCI_MSIX_IRQ_INDEX; t++) {
		struct vfio_index *ix = &v->idx[t];
		ix->type = t;
		if (!(v->info.irq[t].flags & VFIO_IRQ_INFO_EVENTFD))
			continue;
		ix->count = v->info.irq[t].count;
		ix->flags = v->info.irq[t].flags;
		if (!ix->count)
			continue;
		if (ix->count > most)
			most = ix->count;
		ix->vec = msidom_zalloc(v->ctx, ix->count * sizeof(*ix->vec));
		ix->kfd = msidom_zalloc(v->ctx, ix->count * sizeof(*ix->kfd));
		ix->grave = msidom_zalloc(v->ctx, 2 * ix->count * sizeof(*ix->grave));
		if (!ix->vec || !ix->kfd || !ix->grave)
			goto nomem;
		for (uint32_t n = 0; n < ix->count; n++) {
			ix->vec[n].trigger = -1;
			ix->vec[n].maskfd = -1;
			ix->kfd[n] = -1;
		}
	}
	v->irqset_size = sizeof(struct vfio_irq_set) + most * sizeof(int32_t);
	v->irqset = msidom_zalloc(v->ctx, v->irqset_size);
	v->fdbuf_len = most;
	v->fdbuf = msidom_zalloc(v->ctx, most * sizeof(*v->fdbuf));
	if (!v->irqset || !v->fdbuf)
		goto nomem;
	return 0;
nomem:
	free_tables(v);
	return -MSIDOM_ENOMEM;
}

static int build_core(struct msidom_vfio *v, enum msidom_vfio_mode mode)
{
	struct msidom_device_info dinfo = { .sz = sizeof(struct msidom_device_info),
					    .name = v->bdf,
					    .requester_id = 0,
					    .priv = v };
	int ret = msidom__vfio_root_create(v);
	if (ret < 0)
		return ret;
	ret = msidom_device_create(v->ctx, &dinfo, &v->dev);
	if (ret < 0)
		goto err_root;
	ret = msidom_vfio_set_mode(v, mode);
	if (ret < 0)
		goto err_dev;
	return 0;
err_dev:
	msidom_device_destroy(v->dev);
	v->dev = NULL;
err_root:
	(void)msidom_domain_destroy(v->root);
	v->root = NULL;
	return ret;
}

/* Check and copy the common configuration into a new device; NULL on error (*err set). */
static struct msidom_vfio *dev_new(struct msidom_ctx *ctx, const struct msidom_vfio_config **cfgp,
				   struct msidom_vfio_config *clocal, struct msidom_vfio **out,
				   const char *what, int *err)
{
	const struct msidom_vfio_config *cfg = *cfgp;
	struct msidom_vfio_sys slocal;

	if (cfg) {
		cfg = msidom_opts_load(ctx, cfg, clocal, sizeof(*clocal), "msidom_vfio_config",
				       err);
		if (!cfg)
			return NULL;
	}
	if (!cfg || !cfg->bdf || !out || !valid_bdf(cfg->bdf) ||
	    (unsigned)cfg->mode > MSIDOM_VFIO_MODE_MSIX ||
	    (unsigned)cfg->policy > MSIDOM_VFIO_PREALLOC) {
		msidom_log(ctx, MSIDOM_LOG_ERR,
			   "vfio: bad %s arguments (need a config with a DDDD:BB:DD.F address)",
			   what);
		*err = -MSIDOM_EINVAL;
		return NULL;
	}
	const struct msidom_vfio_sys *sys = cfg->sys ? cfg->sys : msidom_vfio_sys_default();
	sys = msidom_opts_load(ctx, sys, &slocal, sizeof(slocal), "msidom_vfio_sys", err);
	if (!sys)
		return NULL;
	*err = msidom__vfio_sys_check(ctx, sys);
	if (*err < 0)
		return NULL;

	struct msidom_vfio *v = msidom_zalloc(ctx, sizeof(*v));
	if (!v) {
		msidom_log(ctx, MSIDOM_LOG_ERR, "vfio %s: out of memory", cfg->bdf);
		*err = -MSIDOM_ENOMEM;
		return NULL;
	}
	v->ctx = ctx;
	v->sys = *sys;
	for (size_t i = 0; cfg->bdf[i]; i++)
		v->bdf[i] = cfg->bdf[i];
	v->container = v->group = v->device = v->epfd = v->errfd = v->reqfd = -1;
	v->policy = cfg->policy;
	v->on_err = cfg->on_err;
	v->on_req = cfg->on_req;
	v->cb_arg = cfg->cb_arg;
	*cfgp = cfg;
	return v;
}

/* With the device fd in place: discovery, tables, epoll, domains, ERR/REQ. */
static int build(struct msidom_vfio *v, const struct msidom_vfio_config *cfg)
{
	int ret = discover(v);
	if (ret < 0)
		return ret;
	ret = alloc_tables(v);
	if (ret < 0) {
		msidom_log(v->ctx, MSIDOM_LOG_ERR, "vfio %s: out of memory for vector tables",
			   v->bdf);
		return ret;
	}
	ret = v->sys.epoll_create1(v->sys.opaque, EPOLL_CLOEXEC);
	if (ret < 0) {
		msidom_log(v->ctx, MSIDOM_LOG_ERR, "vfio %s: epoll_create1: %s", v->bdf,
			   msidom_strerror(ret));
		goto err_tables;
	}
	v->epfd = ret;
	ret = build_core(v, cfg->mode);
	if (ret < 0) {
		msidom_log(v->ctx, MSIDOM_LOG_ERR, "vfio %s: creating the domains: %s", v->bdf,
			   msidom_strerror(ret));
		goto err_epoll;
	}
	ret = msidom__vfio_errreq_arm(v);
	if (ret < 0)
		goto err_core;
	/* The device points into the context: it must be closed first. */
	ret = msidom_ctx_pin(v->ctx, "VFIO device");
	if (ret < 0)
		goto err_errreq;
	return 0;

err_errreq:
	msidom__vfio_errreq_disarm(v);
err_core:
	msidom_device_destroy(v->dev);
	(void)msidom_domain_destroy(v->root);
	v->dev = NULL;
	v->root = NULL;
err_epoll:
	msidom__vfio_close(v, &v->epfd);
err_tables:
	free_tables(v);
	return ret;
}

/* The group path: v's group joins @c (shared) or a container of its own. */
static int open_group_path(struct msidom_vfio *v, struct msidom_vfio_container *shared)
{
	int ret = find_group(v, false);
	if (ret < 0)
		return ret;
	if (shared) {
		msidom__vfio_container_get(shared);
		v->cont = shared;
		v->info.shared_container = true;
	} else {
		ret = msidom__vfio_container_new(v->ctx, &v->sys, -1, false, false, &v->cont);
		if (ret < 0)
			return ret;
	}
	ret = msidom__vfio_group_attach(v->cont, v);
	if (ret < 0)
		goto err_cont;
	ret = v->sys.ioctl(v->sys.opaque, v->group, VFIO_GROUP_GET_DEVICE_FD, v->bdf);
	if (ret < 0) {
		msidom_log(v->ctx, MSIDOM_LOG_ERR, "vfio %s: VFIO_GROUP_GET_DEVICE_FD: %s", v->bdf,
			   msidom_strerror(ret));
		goto err_group;
	}
	v->device = ret;
	return 0;

err_group:
	msidom__vfio_group_detach(v->cont, v);
err_cont:
	msidom__vfio_container_put(v->cont);
	v->cont = NULL;
	return ret;
}

/* Undo open_group_path() or the cdev path: the library's fds only. */
static void release_paths(struct msidom_vfio *v)
{
	if (v->attached) {
		v->device = -1;
		return;
	}
	/* Closing the device and the group returns the device to the host. */
	msidom__vfio_close(v, &v->device);
	if (v->cont) {
		msidom__vfio_group_detach(v->cont, v);
		msidom__vfio_container_put(v->cont);
		v->cont = NULL;
	}
	msidom__vfio_close(v, &v->container);
}

MSIDOM_API int msidom_vfio_open(struct msidom_ctx *ctx, const struct msidom_vfio_config *cfg,
				struct msidom_vfio **out)
{
	struct msidom_vfio_config clocal;
	int ret;

	if (!ctx)
		return -MSIDOM_EINVAL;
	struct msidom_vfio *v = dev_new(ctx, &cfg, &clocal, out, "open", &ret);
	if (!v)
		return ret;
	ret = cfg->no_cdev || cfg->container ? 0 : msidom__vfio_cdev_open(v);
	if (ret == 0)
		ret = open_group_path(v, cfg->container);
	if (ret < 0)
		goto err_free;
	ret = build(v, cfg);
	if (ret < 0)
		goto err_paths;
	*out = v;
	return 0;

err_paths:
	release_paths(v);
err_free:
	msidom_log(ctx, MSIDOM_LOG_DEBUG, "vfio %s: open failed: %s", cfg->bdf,
		   msidom_strerror(ret));
	msidom_free(ctx, v, sizeof(*v));
	return ret;
}

MSIDOM_API int msidom_vfio_attach(struct msidom_ctx *ctx, const struct msidom_vfio_config *cfg,
				  struct msidom_vfio **out)
{
	struct msidom_vfio_config clocal;
	int ret;

	if (!ctx)
		return -MSIDOM_EINVAL;
	struct msidom_vfio *v = dev_new(ctx, &cfg, &clocal, out, "attach", &ret);
	if (!v)
		return ret;
	if (cfg->device_fd < 0) {
		msidom_log(ctx, MSIDOM_LOG_ERR, "vfio %s: attach: bad device fd %d", v->bdf,
			   cfg->device_fd);
		ret = -MSIDOM_EINVAL;
		goto err_free;
	}
	v->attached = true;
	v->info.attached = true;
	v->device = cfg->device_fd;
	/* Only for the reserved regions: a device without a group link still attaches. */
	v->info.group = -1;
	if (find_group(v, true) < 0)
		v->info.group = -1;
	v->info.isolated = msidom__vfio_probe_isolated_any(v);
	ret = build(v, cfg);
	if (ret < 0)
		goto err_free;
	*out = v;
	return 0;

err_free:
	msidom_log(ctx, MSIDOM_LOG_DEBUG, "vfio %s: attach failed: %s", v->bdf,
		   msidom_strerror(ret));
	msidom_free(ctx, v, sizeof(*v));
	return ret;
}

MSIDOM_API void msidom_vfio_close(struct msidom_vfio *v)
{
	if (!v)
		return;
	struct msidom_ctx *ctx = v->ctx;
	msidom_ctx_lock(ctx);
	/* Whatever a batch still holds is dropped with the vectors. */
	v->batch_depth = 0;
	v->committing = false;
	msidom_ctx_unlock(ctx);
	/* Frees every vector: each last free of an index disables it. */
	msidom_device_destroy(v->dev);
	(void)msidom_domain_destroy(v->root);
	for (uint32_t t = VFIO_PCI_MSI_IRQ_INDEX; t <= VFIO_PCI_MSIX_IRQ_INDEX; t++) {
		struct vfio_index *ix = &v->idx[t];
		if (ix->kenabled && msidom__vfio_disable_index(v, ix) < 0)
			msidom_log(ctx, MSIDOM_LOG_WARN, "vfio %s: could not disable index %u",
				   v->bdf, t);
		msidom__vfio_reap(v, ix, true);
	}
	msidom__vfio_errreq_disarm(v);
	msidom__vfio_close(v, &v->epfd);
	free_tables(v);
	release_paths(v);
	msidom_free(ctx, v, sizeof(*v));
	msidom_ctx_unpin(ctx, "VFIO device");
}
