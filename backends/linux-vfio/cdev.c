/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The VFIO device cdev path (Linux >= 6.6 with CONFIG_VFIO_DEVICE_CDEV and
 * iommufd): /dev/vfio/devices/vfioN bound to /dev/iommu and attached to a
 * fresh IOAS. Used when detected; otherwise open.c takes the group path.
 *
 * The ioctl numbers and layouts are those of include/uapi/linux/vfio.h
 * and iommufd.h of Linux 6.6; they are spelled out here because the build
 * machine's headers may predate them.
 */
#include <fcntl.h>
#include <sys/ioctl.h>

#include "vfio_internal.h"

#define CDEV_BIND_IOMMUFD      _IO(VFIO_TYPE, VFIO_BASE + 18)
#define CDEV_ATTACH_IOMMUFD_PT _IO(VFIO_TYPE, VFIO_BASE + 19)
#define CDEV_IOMMU_IOAS_ALLOC  _IO(';', 0x81)

struct cdev_bind_iommufd {
	uint32_t argsz;
	uint32_t flags;
	int32_t iommufd;
	uint32_t out_devid;
};

struct cdev_attach_pt {
	uint32_t argsz;
	uint32_t flags;
	uint32_t pt_id;
};

struct cdev_ioas_alloc {
	uint32_t size;
	uint32_t flags;
	uint32_t out_ioas_id;
};

int msidom__vfio_cdev_open(struct msidom_vfio *v)
{
	char dir[96], name[32], path[64];
	if (!v->sys.first_dirent)
		return 0;
	msidom_snprintf(dir, sizeof(dir), "/sys/bus/pci/devices/%s/vfio-dev", v->bdf);
	ssize_t n = v->sys.first_dirent(v->sys.opaque, dir, name, sizeof(name) - 1);
	if (n <= 0)
		return 0; /* no cdev: the group path */
	name[n] = '\0';
	msidom_snprintf(path, sizeof(path), "/dev/vfio/devices/%s", name);

	int ret = v->sys.open(v->sys.opaque, path, O_RDWR | O_CLOEXEC);
	if (ret < 0) {
		msidom_log(v->ctx, MSIDOM_LOG_INFO, "vfio %s: %s: %s; using the group path", v->bdf,
			   path, msidom_strerror(ret));
		return 0;
	}
	v->device = ret;
	ret = v->sys.open(v->sys.opaque, "/dev/iommu", O_RDWR | O_CLOEXEC);
	if (ret < 0) {
		msidom_log(v->ctx, MSIDOM_LOG_INFO, "vfio %s: /dev/iommu: %s; using the group path",
			   v->bdf, msidom_strerror(ret));
		msidom__vfio_close(v, &v->device);
		return 0;
	}
	v->container = ret;

	struct cdev_bind_iommufd bind = { .argsz = sizeof(bind), .iommufd = v->container };
	ret = v->sys.ioctl(v->sys.opaque, v->device, CDEV_BIND_IOMMUFD, &bind);
	if (ret == -MSIDOM_EPERM) {
		msidom_log(v->ctx, MSIDOM_LOG_ERR,
			   "vfio %s: iommufd refused the device: MSI is not isolated (no "
			   "interrupt remapping); enable remapping, or accept the risk with "
			   "iommufd allow_unsafe_interrupts=1",
			   v->bdf);
		goto err;
	}
	if (ret < 0) {
		msidom_log(v->ctx, MSIDOM_LOG_ERR, "vfio %s: VFIO_DEVICE_BIND_IOMMUFD: %s", v->bdf,
			   msidom_strerror(ret));
		goto err;
	}
	struct cdev_ioas_alloc ioas = { .size = sizeof(ioas) };
	ret = v->sys.ioctl(v->sys.opaque, v->container, CDEV_IOMMU_IOAS_ALLOC, &ioas);
	if (ret < 0) {
		msidom_log(v->ctx, MSIDOM_LOG_ERR, "vfio %s: IOMMU_IOAS_ALLOC: %s", v->bdf,
			   msidom_strerror(ret));
		goto err;
	}
	struct cdev_attach_pt attach = { .argsz = sizeof(attach), .pt_id = ioas.out_ioas_id };
	ret = v->sys.ioctl(v->sys.opaque, v->device, CDEV_ATTACH_IOMMUFD_PT, &attach);
	if (ret < 0) {
		msidom_log(v->ctx, MSIDOM_LOG_ERR, "vfio %s: VFIO_DEVICE_ATTACH_IOMMUFD_PT: %s",
			   v->bdf, msidom_strerror(ret));
		goto err;
	}
	v->info.cdev = true;
	v->info.group = -1;
	v->info.isolated = msidom__vfio_probe_isolated(v, "iommufd");
	return 1;

err:
	/* Closing the device unbinds it; closing the iommufd frees the IOAS. */
	msidom__vfio_close(v, &v->device);
	msidom__vfio_close(v, &v->container);
	return ret;
}
