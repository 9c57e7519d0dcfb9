/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The type1 container: one /dev/vfio/vfio fd (the library's, or the
 * caller's) that every IOMMU group of the devices opened on it attaches
 * to, so that one VFIO_IOMMU_MAP_DMA maps guest memory for all of them.
 *
 * Reference counted: the creator holds one reference until
 * msidom_vfio_container_destroy(), each device opened on it one more;
 * the last reference closes what the library opened. A group is attached
 * once, when its first device opens, and detached (its fd closed) when
 * its last device closes.
 */
#include <fcntl.h>

#include "vfio_internal.h"

static const char pin_kind[] = "VFIO container";

static int check_container(struct msidom_vfio_container *c)
{
	int ret = c->sys.ioctl(c->sys.opaque, c->fd, VFIO_GET_API_VERSION, NULL);
	if (ret != VFIO_API_VERSION) {
		msidom_log(c->ctx, MSIDOM_LOG_ERR,
			   "vfio container: unsupported VFIO API version %d", ret);
		return ret < 0 ? ret : -MSIDOM_ENODEV;
	}
	ret = c->sys.ioctl(c->sys.opaque, c->fd, VFIO_CHECK_EXTENSION,
			   (void *)(uintptr_t)VFIO_TYPE1v2_IOMMU);
	if (ret <= 0) {
		msidom_log(c->ctx, MSIDOM_LOG_ERR, "vfio container: no type1v2 IOMMU (%d)", ret);
		return ret < 0 ? ret : -MSIDOM_ENODEV;
	}
	return 0;
}

int msidom__vfio_container_new(struct msidom_ctx *ctx, const struct msidom_vfio_sys *sys, int fd,
			       bool iommu_set, bool shared, struct msidom_vfio_container **out)
{
	struct msidom_vfio_container *c = msidom_zalloc(ctx, sizeof(*c));
	if (!c) {
		msidom_log(ctx, MSIDOM_LOG_ERR, "vfio container: out of memory");
		return -MSIDOM_ENOMEM;
	}
	c->ctx = ctx;
	c->sys = *sys;
	c->fd = fd;
	c->owned = fd < 0;
	c->iommu_set = iommu_set;
	c->refs = 1;
	c->shared = shared;
	for (uint32_t i = 0; i < MSIDOM_VFIO_MAX_GROUPS; i++) {
		c->groups[i].id = -1;
		c->groups[i].fd = -1;
	}
	/* A device's private container is part of the device (pinned as such). */
	int ret = shared ? msidom_ctx_pin(ctx, pin_kind) : 0;
	if (ret < 0)
		goto err_free;
	if (c->owned) {
		ret = c->sys.open(c->sys.opaque, "/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
		if (ret < 0) {
			msidom_log(ctx, MSIDOM_LOG_ERR, "vfio container: open /dev/vfio/vfio: %s",
				   msidom_strerror(ret));
			goto err_pin;
		}
		c->fd = ret;
	}
	ret = check_container(c);
	if (ret < 0)
		goto err_fd;
	*out = c;
	return 0;

err_fd:
	if (c->owned)
		(void)c->sys.close(c->sys.opaque, c->fd);
err_pin:
	if (shared)
		msidom_ctx_unpin(ctx, pin_kind);
err_free:
	msidom_free(ctx, c, sizeof(*c));
	return ret;
}

void msidom__vfio_container_get(struct msidom_vfio_container *c)
{
	msidom_ctx_lock(c->ctx);
	c->refs++;
	msidom_ctx_unlock(c->ctx);
}

void msidom__vfio_container_put(struct msidom_vfio_container *c)
{
	struct msidom_ctx *ctx = c->ctx;
	msidom_ctx_lock(ctx);
	bool last = --c->refs == 0;
	msidom_ctx_unlock(ctx);
	if (!last)
		return;
	/* Every device detached its group on close: nothing is left but the fd. */
	if (c->owned)
		(void)c->sys.close(c->sys.opaque, c->fd);
	bool shared = c->shared;
	msidom_free(ctx, c, sizeof(*c));
	if (shared)
		msidom_ctx_unpin(ctx, pin_kind);
}

static struct vfio_group *group_find(struct msidom_vfio_container *c, int id)
{
	for (uint32_t i = 0; i < MSIDOM_VFIO_MAX_GROUPS; i++)
		if (c->groups[i].refs && c->groups[i].id == id)
			return &c->groups[i];
	return NULL;
}

static int group_open(struct msidom_vfio_container *c, struct msidom_vfio *v, struct vfio_group *g)
{
	char path[32];
	int id = (int)v->info.group;
	msidom_snprintf(path, sizeof(path), "/dev/vfio/%d", id);
	int ret = c->sys.open(c->sys.opaque, path, O_RDWR | O_CLOEXEC);
	if (ret < 0) {
		msidom_log(c->ctx, MSIDOM_LOG_ERR,
			   "vfio %s: open %s: %s (is it bound to vfio-pci?)", v->bdf, path,
			   msidom_strerror(ret));
		return ret;
	}
	g->fd = ret;
	struct vfio_group_status status = { .argsz = sizeof(status) };
	ret = c->sys.ioctl(c->sys.opaque, g->fd, VFIO_GROUP_GET_STATUS, &status);
	if (ret < 0) {
		msidom_log(c->ctx, MSIDOM_LOG_ERR, "vfio %s: VFIO_GROUP_GET_STATUS on group %d: %s",
			   v->bdf, id, msidom_strerror(ret));
		goto err;
	}
	if (!(status.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		msidom_log(c->ctx, MSIDOM_LOG_ERR,
			   "vfio %s: group %d is not viable: bind every device of the group to "
			   "vfio-pci",
			   v->bdf, id);
		ret = -MSIDOM_EBUSY;
		goto err;
	}
	ret = c->sys.ioctl(c->sys.opaque, g->fd, VFIO_GROUP_SET_CONTAINER, &c->fd);
	if (ret == -MSIDOM_EPERM && c->iommu_set) {
		/* type1 checks a group joining a set-up container for isolation too. */
		msidom_log(c->ctx, MSIDOM_LOG_ERR,
			   "vfio %s: the type1 IOMMU refused group %d because MSI is not "
			   "isolated (no interrupt remapping); enable interrupt remapping, or "
			   "accept the risk with vfio_iommu_type1 allow_unsafe_interrupts=1",
			   v->bdf, id);
		goto err;
	}
	if (ret < 0) {
		msidom_log(c->ctx, MSIDOM_LOG_ERR, "vfio %s: attaching group %d: %s", v->bdf, id,
			   msidom_strerror(ret));
		goto err;
	}
	if (c->iommu_set) {
		g->id = id;
		return 0;
	}
	ret = c->sys.ioctl(c->sys.opaque, c->fd, VFIO_SET_IOMMU,
			   (void *)(uintptr_t)VFIO_TYPE1v2_IOMMU);
	if (ret == -MSIDOM_EPERM) {
		msidom_log(c->ctx, MSIDOM_LOG_ERR,
			   "vfio %s: the type1 IOMMU refused group %d because MSI is not "
			   "isolated (no interrupt remapping); enable interrupt remapping, or "
			   "accept the risk with vfio_iommu_type1 allow_unsafe_interrupts=1",
			   v->bdf, id);
		goto err;
	}
	if (ret < 0) {
		msidom_log(c->ctx, MSIDOM_LOG_ERR, "vfio %s: VFIO_SET_IOMMU: %s", v->bdf,
			   msidom_strerror(ret));
		goto err;
	}
	c->iommu_set = true;
	c->iommu_by_us = true;
	g->id = id;
	return 0;

err:
	/* Closing the group detaches it from the container. */
	(void)c->sys.close(c->sys.opaque, g->fd);
	g->fd = -1;
	return ret;
}

int msidom__vfio_group_attach(struct msidom_vfio_container *c, struct msidom_vfio *v)
{
	int ret = 0;
	msidom_ctx_lock(c->ctx);
	struct vfio_group *g = group_find(c, (int)v->info.group);
	if (g) {
		g->refs++;
		goto out;
	}
	for (uint32_t i = 0; i < MSIDOM_VFIO_MAX_GROUPS && !g; i++)
		if (!c->groups[i].refs)
			g = &c->groups[i];
	if (!g) {
		msidom_log(c->ctx, MSIDOM_LOG_ERR, "vfio %s: the container already holds %u groups",
			   v->bdf, MSIDOM_VFIO_MAX_GROUPS);
		ret = -MSIDOM_ENOSPC;
		goto out;
	}
	ret = group_open(c, v, g);
	if (ret < 0)
		goto out;
	g->refs = 1;
	/* Isolation is a property of the IOMMU that accepted the group. */
	c->isolated = msidom__vfio_probe_isolated(v, "vfio_iommu_type1");
out:
	if (ret == 0) {
		v->group = g->fd;
		v->info.isolated = c->isolated;
	}
	msidom_ctx_unlock(c->ctx);
	return ret;
}

void msidom__vfio_group_detach(struct msidom_vfio_container *c, struct msidom_vfio *v)
{
	msidom_ctx_lock(c->ctx);
	struct vfio_group *g = group_find(c, (int)v->info.group);
	if (g && --g->refs == 0) {
		(void)c->sys.close(c->sys.opaque, g->fd);
		g->fd = -1;
		g->id = -1;
		/* The kernel drops the IOMMU with the container's last group. */
		bool any = false;
		for (uint32_t i = 0; i < MSIDOM_VFIO_MAX_GROUPS; i++)
			any |= c->groups[i].refs != 0;
		if (!any && c->iommu_by_us) {
			c->iommu_set = false;
			c->iommu_by_us = false;
		}
	}
	v->group = -1;
	msidom_ctx_unlock(c->ctx);
}

MSIDOM_API int msidom_vfio_container_create(struct msidom_ctx *ctx,
					    const struct msidom_vfio_container_config *cfg,
					    struct msidom_vfio_container **out)
{
	struct msidom_vfio_container_config clocal;
	struct msidom_vfio_sys slocal;
	int err;

	if (!ctx)
		return -MSIDOM_EINVAL;
	if (cfg) {
		cfg = msidom_opts_load(ctx, cfg, &clocal, sizeof(clocal),
				       "msidom_vfio_container_config", &err);
		if (!cfg)
			return err;
	}
	if (!out || (cfg && cfg->use_fd && cfg->fd < 0)) {
		msidom_log(ctx, MSIDOM_LOG_ERR, "vfio container: bad create arguments (%s)",
			   !out ? "NULL output" : "use_fd with a negative fd");
		return -MSIDOM_EINVAL;
	}
	const struct msidom_vfio_sys *sys = cfg && cfg->sys ? cfg->sys : msidom_vfio_sys_default();
	sys = msidom_opts_load(ctx, sys, &slocal, sizeof(slocal), "msidom_vfio_sys", &err);
	if (!sys)
		return err;
	err = msidom__vfio_sys_check(ctx, sys);
	if (err < 0)
		return err;
	return msidom__vfio_container_new(ctx, sys, cfg && cfg->use_fd ? cfg->fd : -1,
					  cfg && cfg->use_fd && cfg->iommu_set, true, out);
}

MSIDOM_API void msidom_vfio_container_destroy(struct msidom_vfio_container *c)
{
	if (c)
		msidom__vfio_container_put(c);
}

MSIDOM_API int msidom_vfio_container_fd(const struct msidom_vfio_container *c)
{
	return c ? c->fd : -MSIDOM_EINVAL;
}
