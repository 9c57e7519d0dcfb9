/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file vfio.h
 * @brief Linux VFIO backend: drive a passed-through PCI device's MSI and
 * MSI-X vectors through libmsidom.
 *
 * msidom_vfio_open() opens a device by PCI address (IOMMU group and
 * type1v2 container, private or shared with other devices through a
 * struct msidom_vfio_container, or the VFIO cdev with iommufd where the
 * kernel has it); msidom_vfio_attach() takes a device fd the VMM opened
 * itself. Either builds, inside the caller's context:
 * - a per-device root domain "VFIO-<bdf>" (bus MSIDOM_BUS_VFIO, flags
 *   MSIDOM_DOMAIN_MSI_PARENT, plus MSIDOM_DOMAIN_ISOLATED_MSI when the
 *   host isolates the device's MSI). Its hwirq is
 *   MSIDOM_VFIO_HWIRQ(type, index); each allocated vector owns an eventfd
 *   (its host trigger);
 * - a device (msidom_vfio_device()) whose default slot holds the MSI-X
 *   or the MSI per-device domain ("VFIO-PCI-MSIX-<bdf>" or
 *   "VFIO-PCI-MSI-<bdf>"), hwsize = the kernel's vector count.
 *
 * Vectors are allocated and freed with the core API on that device
 * (msidom_msi_alloc_at(), msidom_msi_free(), ... on MSIDOM_DEFAULT_DOMAIN),
 * or with the shortcuts msidom_vfio_alloc() and msidom_vfio_free().
 * Masking (msidom_irq_mask()/msidom_irq_unmask()) is emulated: a masked
 * vector's host trigger is a library-owned eventfd and an interrupt that
 * arrives meanwhile is replayed on unmask.
 *
 * Delivery: hand msidom_vfio_vector_eventfd() to KVM as an irqfd (after
 * msidom_vfio_set_polled(..., false)), or poll msidom_vfio_event_fd() in
 * the VMM's loop and call msidom_vfio_dispatch(), which runs the handlers
 * installed with msidom_irq_set_handler().
 *
 * Lifecycle: close VMM functions, then VFIO devices (msidom_vfio_close()),
 * then containers, then the context; msidom_ctx_destroy() refuses with
 * -EBUSY while any of them is open.
 *
 * All functions return 0 (or a value) or a negative errno.
 */
#ifndef LIBMSIDOM_VFIO_H
#define LIBMSIDOM_VFIO_H

#include <sys/types.h>

#include <libmsidom/common.h>
#include <libmsidom/device.h>
#include <libmsidom/irq.h>
#include <libmsidom/msi.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief An opened or attached VFIO device (opaque). */
struct msidom_vfio;

/**
 * @brief A type1 container that several devices share (opaque): their
 * IOMMU groups attach to it, so that one VFIO_IOMMU_MAP_DMA on
 * msidom_vfio_container_fd() maps guest memory for all of them.
 */
struct msidom_vfio_container;

/** @brief VFIO interrupt index types (the kernel's VFIO_PCI_*_IRQ_INDEX). */
enum msidom_vfio_irq_type {
	MSIDOM_VFIO_INTX = 0,          /**< Legacy INTx. */
	MSIDOM_VFIO_MSI = 1,           /**< PCI MSI. */
	MSIDOM_VFIO_MSIX = 2,          /**< PCI MSI-X. */
	MSIDOM_VFIO_ERR = 3,           /**< Device error reporting (AER). */
	MSIDOM_VFIO_REQ = 4,           /**< Host request to release the device. */
	MSIDOM_VFIO_NUM_IRQ_TYPES = 5, /**< Number of index types. */
};

/** @brief Hwirq of vector @p index of @p type in the VFIO root domain. */
#define MSIDOM_VFIO_HWIRQ(type, index) (((uint32_t)(type) << 16) | (uint32_t)(index))

/** @brief Which per-device domain the default slot holds. */
enum msidom_vfio_mode {
	MSIDOM_VFIO_MODE_AUTO = 0, /**< MSI-X if the device has it, else MSI. */
	MSIDOM_VFIO_MODE_MSI = 1,  /**< PCI MSI. */
	MSIDOM_VFIO_MODE_MSIX = 2, /**< PCI MSI-X. */
};

/**
 * @brief How vectors are added on kernels whose index is NORESIZE (no
 * dynamic MSI-X, e.g. Linux 6.1, and MSI everywhere).
 */
enum msidom_vfio_policy {
	/**
	 * Enable only up to the highest allocated vector. Adding a vector
	 * beyond it disables the index, re-enables it with every live
	 * eventfd and signals every live eventfd once, so an interrupt raised
	 * during the gap is never lost (it may be spurious).
	 */
	MSIDOM_VFIO_GROW = 0,
	/** Enable the whole table at the first allocation; never resize. */
	MSIDOM_VFIO_PREALLOC = 1,
};

/** @brief One event of the epoll_wait seam call (like struct epoll_event). */
struct msidom_vfio_event {
	uint32_t events; /**< EPOLL* event bits. */
	uint64_t data;   /**< The data registered with epoll_ctl. */
};

/**
 * @brief System call seam. Every member but first_dirent is mandatory; each returns what
 * the system call returns, except that failures return a negative errno
 * instead of -1 with errno set. msidom_vfio_sys_default() gives the real
 * calls; tests substitute a fake kernel.
 */
struct msidom_vfio_sys {
	/** sizeof(struct msidom_vfio_sys): see MSIDOM_OPTS(). */
	size_t sz;
	/** Opaque first argument of every member. */
	void *opaque;
	/** open(2). */
	int (*open)(void *opaque, const char *path, int flags);
	/** close(2). */
	int (*close)(void *opaque, int fd);
	/** ioctl(2) with a pointer argument (or an integer cast to a pointer). */
	int (*ioctl)(void *opaque, int fd, unsigned long request, void *arg);
	/** eventfd(2). */
	int (*eventfd)(void *opaque, unsigned int initval, int flags);
	/** read(2). */
	ssize_t (*read)(void *opaque, int fd, void *buf, size_t len);
	/** write(2). */
	ssize_t (*write)(void *opaque, int fd, const void *buf, size_t len);
	/** pread(2). */
	ssize_t (*pread)(void *opaque, int fd, void *buf, size_t len, int64_t off);
	/** pwrite(2). */
	ssize_t (*pwrite)(void *opaque, int fd, const void *buf, size_t len, int64_t off);
	/** epoll_create1(2). */
	int (*epoll_create1)(void *opaque, int flags);
	/** epoll_ctl(2): @p op is EPOLL_CTL_*, @p events and @p data fill the event. */
	int (*epoll_ctl)(void *opaque, int epfd, int op, int fd, uint32_t events, uint64_t data);
	/** epoll_wait(2). */
	int (*epoll_wait)(void *opaque, int epfd, struct msidom_vfio_event *events, int max,
			  int timeout_ms);
	/** readlink(2) (the result is not NUL-terminated). */
	ssize_t (*readlink)(void *opaque, const char *path, char *buf, size_t len);
	/**
	 * Optional (NULL: VFIO device cdevs are never used): write the name of
	 * the first entry of directory @p path other than "." and ".." into
	 * @p buf (not NUL-terminated); return its length, 0 if the directory
	 * is empty, or a negative errno (-ENOENT: no such directory).
	 */
	ssize_t (*first_dirent)(void *opaque, const char *path, char *buf, size_t len);
};

/**
 * @brief The real system calls.
 * @return A static seam; never NULL.
 */
MSIDOM_API const struct msidom_vfio_sys *msidom_vfio_sys_default(void);

/** @brief Callback for the device's ERR and REQ interrupts. */
typedef void (*msidom_vfio_event_fn)(struct msidom_vfio *vdev, void *arg);

/** @brief Parameters of msidom_vfio_open(). */
struct msidom_vfio_config {
	/** sizeof(struct msidom_vfio_config): see MSIDOM_OPTS(). */
	size_t sz;
	/** PCI address "DDDD:BB:DD.F" (domain included), e.g. "0000:00:03.0". */
	const char *bdf;
	/** System call seam; NULL for msidom_vfio_sys_default(). */
	const struct msidom_vfio_sys *sys;
	/** Domain in the default slot at open (change with msidom_vfio_set_mode()). */
	enum msidom_vfio_mode mode;
	/** Policy on NORESIZE indexes. */
	enum msidom_vfio_policy policy;
	/** Called from msidom_vfio_dispatch() on a device error; NULL: not armed. */
	msidom_vfio_event_fn on_err;
	/**
	 * Called from msidom_vfio_dispatch() when the host wants the device
	 * back (the VMM should unplug it); NULL: not armed.
	 */
	msidom_vfio_event_fn on_req;
	/** Argument of on_err and on_req. */
	void *cb_arg;
	/**
	 * Take the IOMMU group path even where the device has a VFIO cdev
	 * (/dev/vfio/devices/vfioN with iommufd, Linux >= 6.6), which is
	 * otherwise preferred.
	 */
	bool no_cdev;
	/**
	 * msidom_vfio_open(): attach the device's IOMMU group to this shared
	 * container (implies the group path) instead of a private one. The
	 * device holds a reference on it until msidom_vfio_close(). NULL: a
	 * container of its own (or the cdev path).
	 */
	struct msidom_vfio_container *container;
	/**
	 * msidom_vfio_attach() only: the VFIO device fd the caller opened
	 * (group or cdev path). The library never closes it.
	 */
	int device_fd;
};

/** @brief Parameters of msidom_vfio_container_create(). */
struct msidom_vfio_container_config {
	/** sizeof(struct msidom_vfio_container_config): see MSIDOM_OPTS(). */
	size_t sz;
	/** System call seam; NULL for msidom_vfio_sys_default(). */
	const struct msidom_vfio_sys *sys;
	/** Use the caller's open /dev/vfio/vfio fd @ref fd (never closed by the library). */
	bool use_fd;
	/** With use_fd: the container fd. */
	int fd;
	/**
	 * With use_fd: the caller already attached a group and issued
	 * VFIO_SET_IOMMU on @ref fd, so groups join without it.
	 */
	bool iommu_set;
};

/** @brief Most IOVA ranges msidom_vfio_get_iova_info() reports. */
#define MSIDOM_VFIO_MAX_IOVA_RANGES 16
/** @brief Most MSI windows msidom_vfio_get_iova_info() reports. */
#define MSIDOM_VFIO_MAX_MSI_WINDOWS 4

/** @brief An IOVA range, both ends included. */
struct msidom_vfio_iova_range {
	uint64_t start; /**< First address. */
	uint64_t end;   /**< Last address (included). */
};

/**
 * @brief Where a VMM may map guest memory for DMA
 * (msidom_vfio_get_iova_info()). Guest RAM must not be mapped over an MSI
 * window: device writes to it are interrupts (0xfee00000 - 0xfeefffff on
 * x86), not memory.
 */
struct msidom_vfio_iova_info {
	/** sizeof(struct msidom_vfio_iova_info): see MSIDOM_OPTS(). */
	size_t sz;
	/**
	 * Usable IOVA ranges from the type1 IOMMU's IOVA-range capability
	 * (VFIO_IOMMU_GET_INFO), in the kernel's order; 0 when unknown (no
	 * type1 container, or a kernel without the capability).
	 */
	uint32_t nr_ranges;
	/** The first nr_ranges are valid. */
	struct msidom_vfio_iova_range ranges[MSIDOM_VFIO_MAX_IOVA_RANGES];
	/** The kernel reported more ranges than MSIDOM_VFIO_MAX_IOVA_RANGES. */
	bool ranges_truncated;
	/**
	 * MSI windows: the "msi" lines of the IOMMU group's
	 * /sys/kernel/iommu_groups/N/reserved_regions; 0 when none or unknown.
	 */
	uint32_t nr_msi;
	/** The first nr_msi are valid. */
	struct msidom_vfio_iova_range msi[MSIDOM_VFIO_MAX_MSI_WINDOWS];
};

/** @brief What the kernel reported for one interrupt index. */
struct msidom_vfio_irq_info {
	uint32_t flags; /**< VFIO_IRQ_INFO_* (EVENTFD 0x1, NORESIZE 0x8, ...). */
	uint32_t count; /**< Number of vectors (0: absent). */
};

/** @brief Device description (msidom_vfio_get_info()). */
struct msidom_vfio_info {
	/** sizeof(struct msidom_vfio_info): see MSIDOM_OPTS(). */
	size_t sz;
	/** Per index type, by enum msidom_vfio_irq_type. */
	struct msidom_vfio_irq_info irq[MSIDOM_VFIO_NUM_IRQ_TYPES];
	/** Number of interrupt indexes the kernel reported. */
	uint32_t num_irqs;
	/** IOMMU group number (-1 when opened through the cdev). */
	int32_t group;
	/** Opened through the VFIO device cdev and iommufd, not the group. */
	bool cdev;
	/** MSI-X vectors can be added while others are live (no NORESIZE). */
	bool msix_dynamic;
	/** MSI is isolated: type1 accepted the group without allow_unsafe_interrupts. */
	bool isolated;
	/** The current mode (MSIDOM_VFIO_MODE_MSI or MSIDOM_VFIO_MODE_MSIX). */
	enum msidom_vfio_mode mode;
	/** Attached to the caller's device fd (msidom_vfio_attach()). */
	bool attached;
	/** Opened on a shared container (msidom_vfio_config.container). */
	bool shared_container;
};

/** @brief Counters (msidom_vfio_get_stats()). */
struct msidom_vfio_stats {
	/** sizeof(struct msidom_vfio_stats): see MSIDOM_OPTS(). */
	size_t sz;
	/** MSI/MSI-X VFIO_DEVICE_SET_IRQS calls that arm or disable (failed ones included; loopback
	 * triggers not counted). */
	uint64_t set_irqs;
	/** Of those, the ones that failed. */
	uint64_t set_irqs_failed;
	/** Index disables (count 0). */
	uint64_t disables;
	/** NORESIZE grow cycles: disable plus re-enable with the live eventfds. */
	uint64_t resizes;
	/** Eventfds signalled after a grow cycle. */
	uint64_t resize_signals;
	/** Interrupts replayed on unmask (pending while masked). */
	uint64_t replays;
	/** Handler calls made by msidom_vfio_dispatch(). */
	uint64_t dispatched;
	/** Ready eventfds that had no interrupt left (or no handler). */
	uint64_t spurious;
	/** ERR events seen. */
	uint64_t err_events;
	/** REQ events seen. */
	uint64_t req_events;
};

/**
 * @brief Open a VFIO device and build its domains in @p ctx.
 *
 * Where the device has a VFIO cdev and /dev/iommu exists, it is bound
 * to iommufd (unless cfg->no_cdev); otherwise its IOMMU group is attached
 * to a type1v2 container. Fails with -EPERM, and an error log line naming
 * the allow_unsafe_interrupts parameter (of vfio_iommu_type1, or
 * iommufd), when the IOMMU refuses the device because interrupt
 * remapping is missing.
 * @param ctx Context (must outlive the device).
 * @param cfg Configuration (bdf mandatory).
 * @param[out] out The opened device.
 * @return 0, -EINVAL, -ENOENT (no such device or group), -EBUSY (group
 * not viable or in use), -EPERM (no MSI isolation), -ENODEV (no type1v2,
 * not a PCI device, or neither MSI nor MSI-X), -ENOMEM, or the failing
 * system call's error; then nothing is left behind.
 */
MSIDOM_API int msidom_vfio_open(struct msidom_ctx *ctx, const struct msidom_vfio_config *cfg,
				struct msidom_vfio **out);

/**
 * @brief Build the domains of a VFIO device that the caller (the VMM)
 * already opened, through the group and container or the cdev and
 * iommufd: cfg->device_fd is that device fd, cfg->bdf its address (names
 * and the IOMMU group's reserved regions). The library programs only the
 * device's MSI/MSI-X (and, with on_err/on_req, ERR/REQ) interrupts; it
 * never closes, resets or re-parents the fd, its group or its container.
 *
 * MSI isolation (info.isolated, ISOLATED_MSI on the root) is read from
 * vfio_iommu_type1's allow_unsafe_interrupts, or iommufd's when type1's
 * cannot be read. cfg->container and cfg->no_cdev are ignored.
 * @param ctx Context (must outlive the device).
 * @param cfg Configuration (bdf and device_fd mandatory).
 * @param[out] out The attached device.
 * @return 0, -EINVAL, -ENODEV (not a PCI device, or neither MSI nor
 * MSI-X), -ENOMEM, or the failing system call's error; then nothing is
 * left behind and the fd is as it was.
 */
MSIDOM_API int msidom_vfio_attach(struct msidom_ctx *ctx, const struct msidom_vfio_config *cfg,
				  struct msidom_vfio **out);

/**
 * @brief Free every vector, destroy the domains and the device, disarm
 * ERR/REQ and close every descriptor the library opened.
 *
 * An opened device's fd, group (when its last device closes) and private
 * container are closed; a shared container loses this device's reference.
 * An attached device (msidom_vfio_attach()) is detached: every vector the
 * library enabled is disabled (the index it enabled goes back to
 * disabled), ERR/REQ triggers it armed are removed, and the device fd,
 * its regions, group and container stay exactly as the caller has them.
 * Close every VFIO device before msidom_ctx_destroy(), which refuses with
 * -EBUSY while one is open.
 * @param vdev Device, or NULL (no-op).
 */
MSIDOM_API void msidom_vfio_close(struct msidom_vfio *vdev);

/**
 * @brief Create a type1 container to share between devices
 * (msidom_vfio_config.container): opens /dev/vfio/vfio, or takes the
 * caller's fd (cfg->use_fd), and checks the VFIO API and type1v2. The
 * first group attached to it sets the IOMMU (VFIO_SET_IOMMU), unless the
 * caller says it did; each group is attached once, however many of its
 * devices open.
 * @param ctx Context (must outlive the container).
 * @param cfg Configuration, or NULL (the library's own container, real
 * system calls).
 * @param[out] out The container.
 * @return 0, -EINVAL, -ENODEV (no type1v2 or a wrong API version),
 * -ENOMEM, -ENOSPC (context pins), or the system call's error.
 */
MSIDOM_API int msidom_vfio_container_create(struct msidom_ctx *ctx,
					    const struct msidom_vfio_container_config *cfg,
					    struct msidom_vfio_container **out);

/**
 * @brief Drop the creator's reference: the container (and the fd, if the
 * library opened it) goes when the last device opened on it is closed.
 * Do not use @p c afterwards.
 * @param c Container, or NULL (no-op).
 */
MSIDOM_API void msidom_vfio_container_destroy(struct msidom_vfio_container *c);

/**
 * @brief The container fd, for VFIO_IOMMU_MAP_DMA / UNMAP_DMA (map guest
 * memory only once a group is attached, i.e. after the first
 * msidom_vfio_open() on the container).
 * @param c Container.
 * @return The fd, or -EINVAL.
 */
MSIDOM_API int msidom_vfio_container_fd(const struct msidom_vfio_container *c);

/**
 * @brief Where guest memory may be mapped for the device: the type1
 * IOMMU's usable IOVA ranges (VFIO_IOMMU_GET_INFO's IOVA-range
 * capability, when the device is on a type1 container of the library's)
 * and the MSI windows of its IOMMU group
 * (/sys/kernel/iommu_groups/N/reserved_regions). Both answers are checked
 * as untrusted: a malformed capability chain or line is refused or
 * skipped with a log line, never read out of bounds.
 * @param vdev Device.
 * @param[out] out The ranges (what is unknown is reported empty).
 * @return 0, -EINVAL, -EIO (malformed capability chain), -ENOMEM, or the
 * ioctl's error.
 */
MSIDOM_API int msidom_vfio_get_iova_info(struct msidom_vfio *vdev,
					 struct msidom_vfio_iova_info *out);

/**
 * @brief Describe the device.
 * @param vdev Device.
 * @param[out] out Description.
 * @return 0, -EINVAL.
 */
MSIDOM_API int msidom_vfio_get_info(const struct msidom_vfio *vdev, struct msidom_vfio_info *out);

/**
 * @brief Read the counters.
 * @param vdev Device.
 * @param[out] out Counters.
 * @return 0, -EINVAL.
 */
MSIDOM_API int msidom_vfio_get_stats(const struct msidom_vfio *vdev, struct msidom_vfio_stats *out);

/**
 * @brief The core device: allocate on its MSIDOM_DEFAULT_DOMAIN slot.
 * @param vdev Device.
 * @return The device, or NULL if @p vdev is NULL.
 */
MSIDOM_API struct msidom_device *msidom_vfio_device(const struct msidom_vfio *vdev);

/**
 * @brief The device's VFIO root domain (dispatch with msidom_handle()).
 * @param vdev Device.
 * @return The root, or NULL if @p vdev is NULL.
 */
MSIDOM_API struct msidom_domain *msidom_vfio_root(const struct msidom_vfio *vdev);

/**
 * @brief The VFIO device file descriptor (regions, config space, reset).
 * @param vdev Device.
 * @return The fd, or -EINVAL.
 */
MSIDOM_API int msidom_vfio_device_fd(const struct msidom_vfio *vdev);

/**
 * @brief Replace the default slot's domain: frees every vector of the
 * current one and creates the MSI or MSI-X domain.
 * @param vdev Device.
 * @param mode Wanted mode (AUTO: MSI-X if present, else MSI).
 * @return 0 (also when already in @p mode), -EINVAL, -EBUSY (inside a
 * batch), -ENODEV (the device lacks that capability), -ENOMEM; if the new
 * domain cannot be created the old mode's domain is recreated, empty.
 */
MSIDOM_API int msidom_vfio_set_mode(struct msidom_vfio *vdev, enum msidom_vfio_mode mode);

/**
 * @brief Shortcut: allocate vector @p index (or MSIDOM_INDEX_ANY) of the
 * current domain and install @p fn as its handler.
 * @param vdev Device.
 * @param index Vector index, or MSIDOM_INDEX_ANY.
 * @param unmasked Deliver at once (else masked until msidom_irq_unmask()).
 * @param fn Handler, or NULL.
 * @param arg Handler argument.
 * @return {index, virq}, or index = a negative errno with nothing changed.
 */
MSIDOM_API struct msidom_map msidom_vfio_alloc(struct msidom_vfio *vdev, uint32_t index,
					       bool unmasked, msidom_handler_fn fn, void *arg);

/**
 * @brief Shortcut for msidom_msi_free() on the current domain.
 * @param vdev Device.
 * @param index Vector index.
 * @return 0, -EINVAL, -ENOENT.
 */
MSIDOM_API int msidom_vfio_free(struct msidom_vfio *vdev, uint32_t index);

/**
 * @brief Start a batch: following allocations, frees, masks and unmasks
 * of the current domain are recorded and reach the kernel at
 * msidom_vfio_batch_end(), one SET_IRQS per contiguous run of changed
 * vectors (unallocated gaps carry fd -1). Batches nest.
 * @param vdev Device.
 * @return 0, -EINVAL.
 */
MSIDOM_API int msidom_vfio_batch_begin(struct msidom_vfio *vdev);

/**
 * @brief End a batch; the outermost commit programs the kernel.
 *
 * On failure the kernel keeps the programming it had before the batch;
 * the library keeps what the batch did, and the next commit, operation
 * or msidom_vfio_sync() retries.
 * @param vdev Device.
 * @return 0, -EINVAL (no batch), or the failing system call's error.
 */
MSIDOM_API int msidom_vfio_batch_end(struct msidom_vfio *vdev);

/**
 * @brief Program into the kernel whatever a failed commit left out.
 * @param vdev Device.
 * @return 0, -EINVAL, -EBUSY (inside a batch), or the system call's error.
 */
MSIDOM_API int msidom_vfio_sync(struct msidom_vfio *vdev);

/**
 * @brief The host trigger eventfd of vector @p index (owned by the
 * library; valid until the vector is freed). Hand it to KVM as an irqfd.
 * @param vdev Device.
 * @param index Vector index of the current domain.
 * @return The fd, -EINVAL, -ENOENT (not allocated).
 */
MSIDOM_API int msidom_vfio_vector_eventfd(const struct msidom_vfio *vdev, uint32_t index);

/**
 * @brief Whether vector @p index's trigger is in the event loop's epoll
 * set (default: yes). Take it out before handing it to KVM.
 * @param vdev Device.
 * @param index Vector index of the current domain.
 * @param polled New state.
 * @return 0, -EINVAL, -ENOENT, or epoll_ctl's error (state unchanged).
 */
MSIDOM_API int msidom_vfio_set_polled(struct msidom_vfio *vdev, uint32_t index, bool polled);

/**
 * @brief Whether masked vector @p index has an interrupt pending: caught
 * by the mask eventfd, left unread in a polled trigger from before the
 * mask, or read by msidom_vfio_dispatch() and not yet handed to the
 * handler (a free racing the dispatch would otherwise lose it; the
 * handler may then run too: a spurious interrupt, never a lost one).
 * Does not consume the pending state: the unmask replays it.
 * @param vdev Device.
 * @param index Vector index of the current domain.
 * @return 1 pending, 0 not, -EINVAL, -ENOENT.
 */
MSIDOM_API int msidom_vfio_vector_pending(struct msidom_vfio *vdev, uint32_t index);

/**
 * @brief Ask the kernel to signal vector @p index's current trigger
 * (VFIO_IRQ_SET_DATA_NONE | ACTION_TRIGGER): a loopback test needing no
 * device knowledge. A masked vector becomes pending.
 * @param vdev Device.
 * @param index Vector index of the current domain.
 * @return 0, -EINVAL, -ENOENT (not allocated or not live), or the ioctl's error.
 */
MSIDOM_API int msidom_vfio_trigger(struct msidom_vfio *vdev, uint32_t index);

/**
 * @brief The epoll fd to watch (readable: call msidom_vfio_dispatch()).
 * @param vdev Device.
 * @return The fd, or -EINVAL.
 */
MSIDOM_API int msidom_vfio_event_fd(const struct msidom_vfio *vdev);

/**
 * @brief Wait up to @p timeout_ms (0: poll, -1: forever) for ready
 * eventfds, read them and call the handlers (msidom_handle() on the root)
 * and the ERR/REQ callbacks. An interrupt read for a masked vector is not
 * handled but kept pending for its unmask. Call it from one thread at a
 * time; it runs handlers without the context lock, so they may call the
 * library.
 * @param vdev Device.
 * @param timeout_ms Timeout in milliseconds.
 * @return Number of handler and callback calls made, -EINVAL, or
 * epoll_wait's error (-EINTR included).
 */
MSIDOM_API int msidom_vfio_dispatch(struct msidom_vfio *vdev, int timeout_ms);

#ifdef __cplusplus
}
#endif

#endif
