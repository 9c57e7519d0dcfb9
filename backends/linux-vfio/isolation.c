/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Whether the IOMMU's acceptance of a device proves MSI isolation. Both
 * open paths (open.c for type1, cdev.c for iommufd) ask it once the IOMMU
 * has taken the device.
 */
#include <fcntl.h>

#include "vfio_internal.h"

/* 1: allow_unsafe_interrupts set, 0: clear, <0: cannot be read. */
static int read_unsafe(struct msidom_vfio *v, const char *module)
{
	char param[96];
	char c = 0;
	int fd;

	msidom_snprintf(param, sizeof(param), "/sys/module/%s/parameters/allow_unsafe_interrupts",
			module);
	fd = v->sys.open(v->sys.opaque, param, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fd;
	if (v->sys.read(v->sys.opaque, fd, &c, 1) != 1)
		c = 0;
	msidom__vfio_close(v, &fd);
	if (c == 'N' || c == 'n' || c == '0')
		return 0;
	return c ? 1 : -MSIDOM_EIO;
}

static bool verdict(struct msidom_vfio *v, const char *module, int unsafe)
{
	if (unsafe == 0)
		return true;
	msidom_log(v->ctx, MSIDOM_LOG_WARN,
		   "vfio %s: %s %s allow_unsafe_interrupts: MSI of this device is not known to "
		   "be isolated",
		   v->bdf, unsafe > 0 ? "set:" : "cannot read", module);
	return false;
}

/*
 * type1 (and iommufd) accept a device without interrupt remapping only when
 * their module's allow_unsafe_interrupts is set; with it clear, acceptance
 * proves isolation.
 */
bool msidom__vfio_probe_isolated(struct msidom_vfio *v, const char *module)
{
	return verdict(v, module, read_unsafe(v, module));
}

/*
 * A device the caller opened went through type1 or iommufd, which one is
 * not known: type1's parameter decides where its module is loaded.
 */
bool msidom__vfio_probe_isolated_any(struct msidom_vfio *v)
{
	int unsafe = read_unsafe(v, "vfio_iommu_type1");
	if (unsafe >= 0)
		return verdict(v, "vfio_iommu_type1", unsafe);
	return verdict(v, "iommufd", read_unsafe(v, "iommufd"));
}
