/* SPDX-License-Identifier: BSD-2-Clause */
#include "e2e_common.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/vfio.h>
#include <poll.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

static int failures;

bool e2e_check(bool ok, const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	printf("@@E2E CHECK %s ", ok ? "ok" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	if (!ok) {
		printf(" (%s:%d)", file, line);
		failures++;
	}
	printf("\n");
	fflush(stdout);
	return ok;
}

void e2e_info(const char *fmt, ...)
{
	va_list ap;

	printf("@@E2E INFO ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

int e2e_exit_status(void)
{
	return failures ? 1 : 0;
}

int e2e_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	/* The directory stream's own descriptor is not the caller's. */
	return n - 1;
}

bool e2e_wait_readable(int fd, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int rc;

	do
		rc = poll(&p, 1, timeout_ms);
	while (rc < 0 && errno == EINTR);
	return rc == 1 && (p.revents & POLLIN);
}

uint64_t e2e_eventfd_take(int fd)
{
	uint64_t v = 0;
	int flags = fcntl(fd, F_GETFL);

	/* The fd may belong to the library; leave its flags as found. */
	if (!(flags & O_NONBLOCK))
		fcntl(fd, F_SETFL, flags | O_NONBLOCK);
	if (read(fd, &v, sizeof(v)) != (ssize_t)sizeof(v))
		v = 0;
	if (!(flags & O_NONBLOCK))
		fcntl(fd, F_SETFL, flags);
	return v;
}

uint64_t e2e_eventfd_wait(int fd, int timeout_ms)
{
	if (!e2e_wait_readable(fd, timeout_ms))
		return 0;
	return e2e_eventfd_take(fd);
}

int e2e_proc_irq(const char *action, int *irq, unsigned long long *count)
{
	FILE *f = fopen("/proc/interrupts", "r");
	char line[1024];
	int found = -1;

	if (!f)
		return -1;
	while (found < 0 && fgets(line, sizeof(line), f)) {
		char *p = line, *end;
		unsigned long long total = 0;
		long n;
		size_t len = strlen(line);

		while (len && (line[len - 1] == '\n' || line[len - 1] == ' '))
			line[--len] = '\0';
		if (len < strlen(action) || strcmp(line + len - strlen(action), action) != 0)
			continue;
		n = strtol(p, &end, 10);
		if (end == p || *end != ':')
			continue;
		p = end + 1;
		/* Per-CPU counts follow until the first non-number. */
		for (;;) {
			unsigned long long c = strtoull(p, &end, 10);

			if (end == p)
				break;
			total += c;
			p = end;
		}
		*irq = (int)n;
		*count = total;
		found = 0;
	}
	fclose(f);
	return found;
}

int e2e_iommu_group(const char *bdf)
{
	char path[PATH_MAX], target[PATH_MAX];
	const char *slash;
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/pci/devices/%s/iommu_group", bdf);
	n = readlink(path, target, sizeof(target) - 1);
	if (n < 0)
		return -1;
	target[n] = '\0';
	slash = strrchr(target, '/');
	return atoi(slash ? slash + 1 : target);
}

static int region_offset(int fd, unsigned int index, uint64_t *off)
{
	struct vfio_region_info info = { .argsz = sizeof(info), .index = index };

	if (ioctl(fd, VFIO_DEVICE_GET_REGION_INFO, &info) < 0)
		return -errno;
	*off = info.offset;
	return 0;
}

int e2e_regs_init(struct e2e_regs *r, int device_fd)
{
	int rc;

	r->fd = device_fd;
	rc = region_offset(device_fd, VFIO_PCI_BAR0_REGION_INDEX, &r->bar0);
	if (rc == 0)
		rc = region_offset(device_fd, VFIO_PCI_CONFIG_REGION_INDEX, &r->config);
	return rc;
}

int e2e_bar_write32(const struct e2e_regs *r, uint32_t off, uint32_t val)
{
	if (pwrite(r->fd, &val, sizeof(val), (off_t)(r->bar0 + off)) != (ssize_t)sizeof(val))
		return -errno;
	return 0;
}

int e2e_bar_read32(const struct e2e_regs *r, uint32_t off, uint32_t *val)
{
	if (pread(r->fd, val, sizeof(*val), (off_t)(r->bar0 + off)) != (ssize_t)sizeof(*val))
		return -errno;
	return 0;
}

int e2e_pci_enable_master(const struct e2e_regs *r)
{
	uint16_t cmd;

	if (pread(r->fd, &cmd, sizeof(cmd), (off_t)(r->config + 4)) != (ssize_t)sizeof(cmd))
		return -errno;
	cmd |= (1u << 1) | (1u << 2);
	if (pwrite(r->fd, &cmd, sizeof(cmd), (off_t)(r->config + 4)) != (ssize_t)sizeof(cmd))
		return -errno;
	return 0;
}

int e2e_edu_raise(const struct e2e_regs *r, uint32_t status)
{
	return e2e_bar_write32(r, 0x60, status);
}

int e2e_edu_ack(const struct e2e_regs *r, uint32_t status)
{
	return e2e_bar_write32(r, 0x64, status);
}

#define E1000E_ICR         0xC0
#define E1000E_ICS         0xC8
#define E1000E_IMS         0xD0
#define E1000E_IVAR        0xE4
#define E1000E_CAUSE_OTHER (1u << 24)

int e2e_e1000e_route_other(const struct e2e_regs *r, unsigned int v)
{
	int rc = e2e_bar_write32(r, E1000E_IVAR, (1u << 31) | ((0x8u | v) << 16));

	if (rc == 0)
		rc = e2e_bar_write32(r, E1000E_IMS, E1000E_CAUSE_OTHER);
	return rc;
}

int e2e_e1000e_raise_other(const struct e2e_regs *r)
{
	/* QEMU's e1000e sends a cause again only after it was cleared. */
	int rc = e2e_e1000e_clear(r);

	return rc ? rc : e2e_bar_write32(r, E1000E_ICS, E1000E_CAUSE_OTHER);
}

int e2e_e1000e_clear(const struct e2e_regs *r)
{
	/* With MSI-X enabled and IMS set, reading ICR does not clear it;
	 * writing ones does. */
	return e2e_bar_write32(r, E1000E_ICR, 0xffffffffu);
}

void e2e_e1000e_settle(void)
{
	/* Ten times the device's throttling interval: a device-model
	 * workaround, not a wait for an event. */
	struct timespec ts = { .tv_sec = 0, .tv_nsec = 2 * 1000 * 1000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int e2e_raw_open(const char *bdf, struct e2e_raw *raw, const char **stage)
{
	struct vfio_group_status st = { .argsz = sizeof(st) };
	char path[64];
	int group, rc;

	raw->container = raw->group = raw->device = -1;
	*stage = "iommu_group";
	group = e2e_iommu_group(bdf);
	if (group < 0)
		return -ENODEV;
	*stage = "open /dev/vfio/vfio";
	raw->container = open("/dev/vfio/vfio", O_RDWR | O_CLOEXEC);
	if (raw->container < 0)
		goto fail;
	*stage = "VFIO_CHECK_EXTENSION(TYPE1v2)";
	if (ioctl(raw->container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) != 1) {
		errno = ENOTSUP;
		goto fail;
	}
	*stage = "open group";
	snprintf(path, sizeof(path), "/dev/vfio/%d", group);
	raw->group = open(path, O_RDWR | O_CLOEXEC);
	if (raw->group < 0)
		goto fail;
	*stage = "VFIO_GROUP_GET_STATUS";
	if (ioctl(raw->group, VFIO_GROUP_GET_STATUS, &st) < 0)
		goto fail;
	if (!(st.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		errno = EBUSY;
		goto fail;
	}
	*stage = "VFIO_GROUP_SET_CONTAINER";
	if (ioctl(raw->group, VFIO_GROUP_SET_CONTAINER, &raw->container) < 0)
		goto fail;
	*stage = "VFIO_SET_IOMMU";
	if (ioctl(raw->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU) < 0)
		goto fail;
	*stage = "VFIO_GROUP_GET_DEVICE_FD";
	raw->device = ioctl(raw->group, VFIO_GROUP_GET_DEVICE_FD, bdf);
	if (raw->device < 0)
		goto fail;
	*stage = "done";
	return 0;
fail:
	rc = -errno;
	e2e_raw_close(raw);
	return rc;
}

void e2e_raw_close(struct e2e_raw *raw)
{
	if (raw->device >= 0)
		close(raw->device);
	if (raw->group >= 0)
		close(raw->group);
	if (raw->container >= 0)
		close(raw->container);
	raw->container = raw->group = raw->device = -1;
}

int e2e_raw_set_eventfds(int device, unsigned int index, unsigned int start, unsigned int count,
			 const int *fds)
{
	size_t sz = sizeof(struct vfio_irq_set) + count * sizeof(int32_t);
	struct vfio_irq_set *set = calloc(1, sz);
	int rc = 0;

	if (!set)
		return -ENOMEM;
	set->argsz = (uint32_t)sz;
	set->flags = VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER;
	set->index = index;
	set->start = start;
	set->count = count;
	memcpy(set->data, fds, count * sizeof(int32_t));
	if (ioctl(device, VFIO_DEVICE_SET_IRQS, set) < 0)
		rc = -errno;
	free(set);
	return rc;
}

static int set_none(int device, unsigned int index, unsigned int start, unsigned int count)
{
	struct vfio_irq_set set = {
		.argsz = sizeof(set),
		.flags = VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_TRIGGER,
		.index = index,
		.start = start,
		.count = count,
	};

	return ioctl(device, VFIO_DEVICE_SET_IRQS, &set) < 0 ? -errno : 0;
}

int e2e_raw_disable(int device, unsigned int index)
{
	return set_none(device, index, 0, 0);
}

int e2e_raw_loopback(int device, unsigned int index, unsigned int start, unsigned int count)
{
	return set_none(device, index, start, count);
}

int e2e_raw_irq_info(int device, unsigned int index, uint32_t *count, uint32_t *flags)
{
	struct vfio_irq_info info = { .argsz = sizeof(info), .index = index };

	if (ioctl(device, VFIO_DEVICE_GET_IRQ_INFO, &info) < 0)
		return -errno;
	*count = info.count;
	*flags = info.flags;
	return 0;
}
