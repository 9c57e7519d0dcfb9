/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The system call seam: every ioctl of the backend goes through it, so a
 * fake KVM sees (and can fail) each one.
 */
#include <errno.h>
#include <sys/ioctl.h>

#include "kvm_internal.h"

static int sys_ioctl(void *opaque, int fd, unsigned long request, void *arg)
{
	(void)opaque;
	int ret = ioctl(fd, request, arg);
	if (ret < 0)
		return errno > 0 ? -errno : -MSIDOM_EIO;
	return ret;
}

static const struct msidom_kvm_sys default_sys = {
	.sz = sizeof(struct msidom_kvm_sys),
	.opaque = NULL,
	.ioctl = sys_ioctl,
};

MSIDOM_API const struct msidom_kvm_sys *msidom_kvm_sys_default(void)
{
	return &default_sys;
}

int msidom__kvm_ioctl(struct msidom_kvm *kvm, unsigned long request, void *arg)
{
	return kvm->sys.ioctl(kvm->sys.opaque, kvm->vm_fd, request, arg);
}
