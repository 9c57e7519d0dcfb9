/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A fake Linux kernel behind the VFIO backend's system call seam.
 *
 * Descriptors are real (container, group and device fds are /dev/null,
 * eventfds and epoll are real), so leaks show in /proc/self/fd. The VFIO
 * ioctls follow include/uapi/linux/vfio.h and the MSI/MSI-X trigger rules
 * of drivers/vfio/pci/vfio_pci_intrs.c: Linux 6.1 (MSI-X NORESIZE, a
 * vector beyond the enabled count is EINVAL) or 6.12 (dynamic MSI-X).
 * Armed vectors hold a dup of the user's eventfd, as the kernel holds a
 * reference; a device interrupt is a write to it.
 */
#ifndef FAKE_KERNEL_H
#define FAKE_KERNEL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <libmsidom/vfio.h>

#define FK_MAXFD    4096
#define FK_MAXVEC   2048
#define FK_MAXEXTRA 3
#define FK_MAXGRP   (FK_MAXEXTRA + 1)

struct fk_config {
	int version;           /* 61 or 612 */
	uint32_t msi_count;    /* 0: no MSI capability */
	uint32_t msix_count;   /* 0: no MSI-X capability */
	bool intremap;         /* the IOMMU has interrupt remapping */
	bool allow_unsafe;     /* vfio_iommu_type1 allow_unsafe_interrupts */
	bool not_viable;       /* a group member is bound to a host driver */
	bool no_type1v2;       /* container lacks VFIO_TYPE1v2_IOMMU */
	bool no_param;         /* the allow_unsafe_interrupts file is missing */
	bool has_err;          /* PCIe: the ERR index exists (else GET_IRQ_INFO EINVAL) */
	bool has_req;          /* REQ index has a vector */
	uint32_t host_vectors; /* host vectors pci_alloc_irq_vectors can give (0: any) */
	bool cdev;             /* the kernel has VFIO device cdevs and /dev/iommu */
	bool no_dev_iommu;     /* ... but /dev/iommu is missing */
	const char *bdf;       /* the device's address */
	int group;             /* its IOMMU group */
	/*
	 * More devices, extra_bdf[i] in group extra_group[i] (the primary's
	 * group too: a group of several devices). They open and answer
	 * discovery like the primary; their SET_IRQS are only counted.
	 */
	const char *extra_bdf[FK_MAXEXTRA];
	int extra_group[FK_MAXEXTRA];
	/* Text of every group's reserved_regions; NULL: the file is absent. */
	const char *reserved;
	/* Raw VFIO_IOMMU_GET_INFO answer (hostile tests); NULL: a well-formed one. */
	const uint8_t *iommu_info;
	size_t iommu_info_len;
};

/* Observable kernel state, compared before/after failed operations. */
struct fk_state {
	int irq_type;            /* -1 none, 1 MSI, 2 MSI-X */
	uint32_t num_ctx;        /* vectors enabled */
	uint64_t ino[FK_MAXVEC]; /* inode of each armed eventfd, 0 if unarmed */
	uint64_t err_ino;
	uint64_t req_ino;
	bool group_attached;
	bool iommu_set;
	bool device_open;
	bool cdev_bound;
	bool cdev_attached;
};

enum fk_kind {
	FK_NONE = 0,
	FK_CONTAINER,
	FK_GROUP,
	FK_DEVICE,
	FK_PARAM,
	FK_CDEV,
	FK_IOMMUFD,
	FK_SYSFS,
};

/* An IOMMU group: open, and the container fd it is attached to (-1: none). */
struct fk_group {
	int id;
	bool open;
	int container;
};

/* Which seam call an injected failure may hit (0: any). */
enum fk_call {
	FK_ANY = 0,
	FK_OPEN,
	FK_CLOSE,
	FK_IOCTL,
	FK_EVENTFD,
	FK_READ,
	FK_WRITE,
	FK_PREAD,
	FK_PWRITE,
	FK_EPOLL_CREATE,
	FK_EPOLL_CTL,
	FK_EPOLL_WAIT,
	FK_READLINK,
	FK_DIRENT,
};

struct fake_kernel {
	struct fk_config cfg;
	struct msidom_vfio_sys sys;
	uint8_t kind[FK_MAXFD];
	uint8_t obj[FK_MAXFD];     /* group: index in grp[]; device: 0 primary, 1.. extra */
	uint32_t off[FK_MAXFD];    /* read offset of sysfs files */
	bool cont_iommu[FK_MAXFD]; /* container fd: VFIO_SET_IOMMU done */
	struct fk_group grp[FK_MAXGRP];
	uint32_t ngrp;
	bool extra_open[FK_MAXEXTRA];
	unsigned int extra_set_irqs; /* SET_IRQS on the extra devices */
	unsigned int group_attaches; /* VFIO_GROUP_SET_CONTAINER that succeeded */
	unsigned int iommu_sets;     /* VFIO_SET_IOMMU that succeeded */
	unsigned int dma_maps;       /* VFIO_IOMMU_MAP_DMA that succeeded */
	/* The primary device's group, mirrored from grp[0]. */
	bool group_attached;
	bool iommu_set;
	bool group_open;
	bool device_open;
	bool cdev_bound;
	bool cdev_attached;
	uint32_t ioas_next;
	int irq_type;
	uint32_t num_ctx;
	int ctx[FK_MAXVEC];            /* dup of the armed eventfd, or -1 */
	uint32_t teardowns[FK_MAXVEC]; /* armed vector torn down (re-armed or disarmed) */
	int err_ctx;
	int req_ctx;

	/* Counters. */
	unsigned int set_irqs; /* SET_IRQS calls on MSI/MSI-X that passed injection */
	unsigned int enables;
	unsigned int disables;
	unsigned int calls; /* seam calls */

	/* Failure injection: the fail_at-th matching call fails with -fail_errno. */
	long fail_at;
	int fail_errno;
	enum fk_call fail_call;
	unsigned long fail_ioctl; /* with FK_IOCTL: only this request (0: any) */
	unsigned int fail_repeat; /* after firing, fail this many more matching calls */
	bool fired;

	/* Called (if set) inside SET_IRQS after the index got disabled. */
	void (*on_disable)(struct fake_kernel *fk, void *arg);
	void *on_disable_arg;

	/* A read of a non-zero count from watch_fd (-1: none) sets watch_fired. */
	int watch_fd;
	bool watch_fired;
};

/* Allocate and initialise (calloc'd: the struct is large). */
struct fake_kernel *fk_new(const struct fk_config *cfg);
/* Release everything the fake holds (dups). */
void fk_free(struct fake_kernel *fk);
/* Inject: the n-th matching call from now fails with -err. */
void fk_fail(struct fake_kernel *fk, long n, int err, enum fk_call call, unsigned long ioctl);
/* Stop injecting; return whether a failure fired. */
bool fk_fail_off(struct fake_kernel *fk);
/* Snapshot the observable state. */
void fk_state(const struct fake_kernel *fk, struct fk_state *st);
/* The device raises vector v: true if an eventfd was armed (else lost). */
bool fk_raise(struct fake_kernel *fk, uint32_t v);
/* The device reports an error / the host requests the device. */
bool fk_raise_err(struct fake_kernel *fk);
bool fk_raise_req(struct fake_kernel *fk);
/* Identity of the file behind an fd (eventfd-id where known), 0 if none. */
uint64_t fk_ino(int fd);

#endif
