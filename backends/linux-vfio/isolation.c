/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Whether the IOMMU's acceptance of a device proves MSI isolation. Both
 * open paths (open.c for type1, cdev.c for iommufd) ask it once the IOMMU
 * has taken the device.
 */
#include <fcntl.h>

#include "vfio_internal.h"

/*
 * type1 (and iommufd) accept a device without interrupt remapping only when
 * their module's allow_unsafe_interrupts is set; with it clear, acceptance
 * proves isolation.
 */
bool msidom__vfio_probe_isolated(struct msidom_vfio *v, const char *module)
{
	char param[96];
	char c = 0;
	int fd;

	msidom_snprintf(param, sizeof(param), "/sys/module/%s/parameters/allow_unsafe_interrupts",
			module);
	fd = v->sys.open(v->sys.opaque, param, O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		if (v->sys.read(v->sys.opaque, fd, &c, 1) != 1)
			c = 0;
		msidom__vfio_close(v, &fd);
	}
	if (c == 'N' || c == 'n' || c == '0')
		return true;
	msidom_log(v->ctx, MSIDOM_LOG_WARN,
		   "vfio %s: %s %s allow_unsafe_interrupts: MSI of this device is not known to "
		   "be isolated",
		   v->bdf, c ? "set:" : "cannot read", module);
	return false;
}
