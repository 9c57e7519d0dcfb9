/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file kvm.h
 * @brief Linux KVM backend: a GSI domain over a VM, its MSI routing table,
 * irqfds and directly signalled MSIs.
 *
 * msidom_kvm_open() takes a VM file descriptor that the VMM created (and
 * keeps: the library never closes it) and builds, inside the caller's
 * context, a root domain "KVM-GSI" ("KVM-GSI-" + msidom_kvm_config.name
 * when a name is given; bus MSIDOM_BUS_GENERIC_MSI, flag
 * MSIDOM_DOMAIN_MSI_PARENT) whose hwirqs are the VM's GSIs. The GSI
 * space is [0, ngsi): ngsi is KVM's routing capacity
 * (KVM_CHECK_EXTENSION(KVM_CAP_IRQ_ROUTING)), or the caller's smaller
 * limit. GSIs below msidom_kvm_config.first_gsi belong to the VMM (the
 * irqchip pins, say), which registers their routes with
 * msidom_kvm_route_set(); the library allocates the others:
 * - for the VMM directly, with msidom_kvm_gsi_alloc();
 * - for vectors of per-device domains created under the root with
 *   msidom_kvm_device_domain_create(): the composed message of such a
 *   vector (the guest's message, given by a callback) is its GSI's route.
 *
 * KVM_SET_GSI_ROUTING replaces the VM's whole table, so the library keeps
 * the table of the whole VM: every route of every GSI above, and nothing
 * else. Register every route the VM needs through the library (a VM with
 * KVM_CREATE_IRQCHIP loses its default irqchip routes at the library's
 * first update otherwise). Outside a batch one route change is one
 * KVM_SET_GSI_ROUTING; inside a batch (msidom_kvm_batch_begin(), or a
 * batch of the root or of a per-device domain under it) every change
 * reaches KVM at the outermost end, as one KVM_SET_GSI_ROUTING.
 *
 * An eventfd attached to a GSI with msidom_kvm_irqfd_attach() (KVM_IRQFD)
 * stays attached when the GSI's route changes: the next write to it
 * reaches the new route. msidom_kvm_signal() injects a GSI's MSI route
 * once (KVM_SIGNAL_MSI), for vectors without an eventfd.
 *
 * A failed call leaves KVM's table, the library's table, the irqfds and
 * the descriptors exactly as before it. All functions return 0 (or a
 * value) or a negative errno.
 */
#ifndef LIBMSIDOM_KVM_H
#define LIBMSIDOM_KVM_H

#include <libmsidom/common.h>
#include <libmsidom/device.h>
#include <libmsidom/domain.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief A VM's GSI domain and routing table (opaque). */
struct msidom_kvm;

/**
 * @brief MSI route flag: @ref msidom_kvm_route.devid is valid (KVM's
 * KVM_MSI_VALID_DEVID, needed by ARM's GICv3 ITS to find the device).
 */
#define MSIDOM_KVM_MSI_VALID_DEVID (1u << 0)

/** @brief What a GSI routes to (KVM's KVM_IRQ_ROUTING_* values). */
enum msidom_kvm_route_type {
	MSIDOM_KVM_ROUTE_NONE = 0,    /**< No route: the GSI delivers nothing. */
	MSIDOM_KVM_ROUTE_IRQCHIP = 1, /**< A pin of an in-kernel irqchip. */
	MSIDOM_KVM_ROUTE_MSI = 2,     /**< An MSI message. */
};

/** @brief One GSI's route. */
struct msidom_kvm_route {
	/** sizeof(struct msidom_kvm_route): see MSIDOM_OPTS(). */
	size_t sz;
	/** Route type. */
	enum msidom_kvm_route_type type;
	/** MSI: the message (address low, address high, data). */
	struct msidom_msg msg;
	/** MSI: 0 or MSIDOM_KVM_MSI_VALID_DEVID. */
	uint32_t flags;
	/** MSI: the device id, with MSIDOM_KVM_MSI_VALID_DEVID. */
	uint32_t devid;
	/** IRQCHIP: KVM's irqchip number (x86: 0 PIC master, 1 PIC slave, 2 IOAPIC). */
	uint32_t irqchip;
	/** IRQCHIP: the pin. */
	uint32_t pin;
};

/**
 * @brief System call seam. Each member returns what the system call
 * returns, except that failures return a negative errno instead of -1
 * with errno set. msidom_kvm_sys_default() gives the real call; tests
 * substitute a fake KVM.
 */
struct msidom_kvm_sys {
	/** sizeof(struct msidom_kvm_sys): see MSIDOM_OPTS(). */
	size_t sz;
	/** Opaque first argument of every member. */
	void *opaque;
	/** ioctl(2) with a pointer argument (or an integer cast to a pointer); mandatory. */
	int (*ioctl)(void *opaque, int fd, unsigned long request, void *arg);
};

/**
 * @brief The real system calls.
 * @return A static seam; never NULL.
 */
MSIDOM_API const struct msidom_kvm_sys *msidom_kvm_sys_default(void);

/** @brief Parameters of msidom_kvm_open(). */
struct msidom_kvm_config {
	/** sizeof(struct msidom_kvm_config): see MSIDOM_OPTS(). */
	size_t sz;
	/** The VM's file descriptor (KVM_CREATE_VM); stays the VMM's. */
	int vm_fd;
	/** System call seam; NULL for msidom_kvm_sys_default(). */
	const struct msidom_kvm_sys *sys;
	/** Use at most this many GSIs (0: KVM's whole capacity). */
	uint32_t max_gsis;
	/** GSIs below this one are the VMM's (msidom_kvm_route_set()); the library allocates the
	 * others. */
	uint32_t first_gsi;
	/** Quota: library-allocated GSIs live at once (0: no quota). */
	uint32_t gsi_quota;
	/** Quota: irqfds attached at once (0: no quota). */
	uint32_t irqfd_quota;
	/** Suffix of the root domain's name ("KVM-GSI-NAME"), or NULL. */
	const char *name;
};

/** @brief What msidom_kvm_open() found (msidom_kvm_get_info()). */
struct msidom_kvm_info {
	/** sizeof(struct msidom_kvm_info): see MSIDOM_OPTS(). */
	size_t sz;
	/** KVM's routing capacity (KVM_CHECK_EXTENSION(KVM_CAP_IRQ_ROUTING)). */
	uint32_t capacity;
	/** GSIs managed: capacity, or the caller's smaller limit. */
	uint32_t ngsi;
	/** First GSI the library allocates. */
	uint32_t first_gsi;
	/** KVM_IRQFD is available (KVM_CAP_IRQFD). */
	bool irqfd;
	/** KVM_SIGNAL_MSI is available (KVM_CAP_SIGNAL_MSI). */
	bool signal_msi;
	/** The VM needs device ids in MSI routes (KVM_CAP_MSI_DEVID: ARM's ITS). */
	bool msi_devid;
};

/** @brief Counters and current usage (msidom_kvm_get_stats()). */
struct msidom_kvm_stats {
	/** sizeof(struct msidom_kvm_stats): see MSIDOM_OPTS(). */
	size_t sz;
	/** KVM_SET_GSI_ROUTING calls (failed ones included). */
	uint64_t set_gsi_routing;
	/** Of those, the ones that failed. */
	uint64_t set_gsi_routing_failed;
	/** KVM_IRQFD calls that attached (failed ones included). */
	uint64_t irqfd_assign;
	/** KVM_IRQFD calls that detached (KVM_IRQFD_FLAG_DEASSIGN). */
	uint64_t irqfd_deassign;
	/** KVM_SIGNAL_MSI calls. */
	uint64_t signal_msi;
	/** Library-allocated GSIs live now. */
	uint32_t gsis;
	/** Entries of the routing table now (as the library wants it). */
	uint32_t routes;
	/** Irqfds attached now. */
	uint32_t irqfds;
};

/**
 * @brief The guest message of vector @p index of a per-device domain
 * (msidom_kvm_device_domain_create()). Called with the context lock held:
 * it may not call the library's functions that take it.
 * @param arg msidom_kvm_domain_config.arg.
 * @param index Vector index in the per-device domain.
 * @param[out] msg The message; all zero: no route.
 * @return 0 or a negative errno.
 */
typedef int (*msidom_kvm_compose_fn)(void *arg, uint32_t index, struct msidom_msg *msg);

/** @brief Parameters of msidom_kvm_device_domain_create(). */
struct msidom_kvm_domain_config {
	/** sizeof(struct msidom_kvm_domain_config): see MSIDOM_OPTS(). */
	size_t sz;
	/** Bus name inside the domain name ("PCI-MSIX" gives KVM-PCI-MSIX-DEVICE, DEVICE being the
	 * device name). */
	const char *name;
	/** Bus token (MSIDOM_BUS_ANY: MSIDOM_BUS_VIRT). */
	enum msidom_bus_token bus;
	/** Number of indexes, 1 .. MSIDOM_MAX_HWSIZE. */
	uint32_t hwsize;
	/** The guest message of a vector; mandatory. */
	msidom_kvm_compose_fn compose;
	/** Argument of compose. */
	void *arg;
	/** Flags of every route of the domain: 0 or MSIDOM_KVM_MSI_VALID_DEVID. */
	uint32_t flags;
	/** Device id of every route of the domain, with MSIDOM_KVM_MSI_VALID_DEVID. */
	uint32_t devid;
};

/**
 * @brief Build the GSI domain of a VM in @p ctx.
 *
 * Asks KVM for its routing capacity and for KVM_CAP_IRQFD,
 * KVM_CAP_SIGNAL_MSI and KVM_CAP_MSI_DEVID; programs nothing.
 * @param ctx Context (must outlive the domain).
 * @param cfg Configuration (vm_fd mandatory).
 * @param[out] out The new GSI domain.
 * @return 0, -EINVAL (bad configuration; first_gsi not below ngsi),
 * -ENODEV (KVM has no GSI routing), -ENOMEM, or the failing ioctl's
 * error; then nothing is left behind.
 */
MSIDOM_API int msidom_kvm_open(struct msidom_ctx *ctx, const struct msidom_kvm_config *cfg,
			       struct msidom_kvm **out);

/**
 * @brief Detach every irqfd, remove the library's GSIs from KVM's table
 * (the VMM's routes stay), destroy the root domain and free the state.
 * The VM fd stays open.
 * @param kvm GSI domain, or NULL (no-op).
 * @return 0, -EBUSY (a per-device domain or a batch is still open: nothing
 * done). A failed ioctl is logged; the state is released anyway.
 */
MSIDOM_API int msidom_kvm_close(struct msidom_kvm *kvm);

/**
 * @brief Describe the GSI domain.
 * @param kvm GSI domain.
 * @param[out] out Description.
 * @return 0, -EINVAL.
 */
MSIDOM_API int msidom_kvm_get_info(const struct msidom_kvm *kvm, struct msidom_kvm_info *out);

/**
 * @brief Read the counters.
 * @param kvm GSI domain.
 * @param[out] out Counters.
 * @return 0, -EINVAL.
 */
MSIDOM_API int msidom_kvm_get_stats(const struct msidom_kvm *kvm, struct msidom_kvm_stats *out);

/**
 * @brief The root domain (hwirq = GSI).
 * @param kvm GSI domain.
 * @return The root, or NULL if @p kvm is NULL.
 */
MSIDOM_API struct msidom_domain *msidom_kvm_root(const struct msidom_kvm *kvm);

/**
 * @brief Change the quotas (0: none). Lowering one below the current use
 * is allowed: only new GSIs or irqfds are refused.
 * @param kvm GSI domain.
 * @param gsi_quota Library-allocated GSIs live at once.
 * @param irqfd_quota Irqfds attached at once.
 * @return 0, -EINVAL.
 */
MSIDOM_API int msidom_kvm_set_quota(struct msidom_kvm *kvm, uint32_t gsi_quota,
				    uint32_t irqfd_quota);

/**
 * @brief Allocate the lowest free GSI from first_gsi up, for the VMM's own
 * use, with an optional route.
 * @param kvm GSI domain.
 * @param route Its route, or NULL (none yet).
 * @param[out] gsi The GSI.
 * @return 0, -EINVAL (bad route), -EDQUOT (GSI quota), -ENOSPC (no free
 * GSI), or KVM_SET_GSI_ROUTING's error (outside a batch; then no GSI).
 */
MSIDOM_API int msidom_kvm_gsi_alloc(struct msidom_kvm *kvm, const struct msidom_kvm_route *route,
				    uint32_t *gsi);

/**
 * @brief Free a GSI from msidom_kvm_gsi_alloc() and remove its route.
 * @param kvm GSI domain.
 * @param gsi The GSI.
 * @return 0, -EINVAL (not allocated by msidom_kvm_gsi_alloc()), -EBUSY
 * (an irqfd is attached: detach it first), or KVM_SET_GSI_ROUTING's error
 * (outside a batch; then the GSI stays).
 */
MSIDOM_API int msidom_kvm_gsi_free(struct msidom_kvm *kvm, uint32_t gsi);

/**
 * @brief Set the route of a VMM GSI (below first_gsi) or of a GSI from
 * msidom_kvm_gsi_alloc(). A route of type MSIDOM_KVM_ROUTE_NONE removes it.
 * GSIs of per-device domain vectors are routed by their domain.
 * @param kvm GSI domain.
 * @param gsi The GSI.
 * @param route The route.
 * @return 0, -EINVAL, -EPERM (the GSI belongs to a per-device domain or
 * is free), or KVM_SET_GSI_ROUTING's error (outside a batch; then the old
 * route stays).
 */
MSIDOM_API int msidom_kvm_route_set(struct msidom_kvm *kvm, uint32_t gsi,
				    const struct msidom_kvm_route *route);

/**
 * @brief The route the library keeps for @p gsi (inside a batch, what the
 * batch will program).
 * @param kvm GSI domain.
 * @param gsi The GSI.
 * @param[out] out The route (type MSIDOM_KVM_ROUTE_NONE: none).
 * @return 0, -EINVAL.
 */
MSIDOM_API int msidom_kvm_get_route(const struct msidom_kvm *kvm, uint32_t gsi,
				    struct msidom_kvm_route *out);

/**
 * @brief Start a batch: route changes are recorded and reach KVM at the
 * outermost msidom_kvm_batch_end() as one KVM_SET_GSI_ROUTING. Batches
 * nest, with each other and with the domain batches of the root and of
 * the per-device domains under it.
 * @param kvm GSI domain.
 * @return 0, -EINVAL.
 */
MSIDOM_API int msidom_kvm_batch_begin(struct msidom_kvm *kvm);

/**
 * @brief End a batch; the outermost end programs KVM (nothing if no route
 * changed).
 * @param kvm GSI domain.
 * @return 0, -EINVAL (no batch), or KVM_SET_GSI_ROUTING's error: then
 * KVM's table and the library's are both as before the batch (GSIs
 * allocated in it stay allocated, without a route).
 */
MSIDOM_API int msidom_kvm_batch_end(struct msidom_kvm *kvm);

/**
 * @brief Attach @p eventfd to @p gsi (KVM_IRQFD): a write to it injects
 * the GSI's route, whatever that route is at the time. The eventfd stays
 * the caller's; keep it open until it is detached.
 * @param kvm GSI domain.
 * @param gsi An allocated or VMM GSI without an irqfd.
 * @param eventfd The eventfd.
 * @return 0, -EINVAL, -EBUSY (the GSI has an irqfd), -EDQUOT (irqfd
 * quota), -ENOSYS (no KVM_CAP_IRQFD), or KVM_IRQFD's error.
 */
MSIDOM_API int msidom_kvm_irqfd_attach(struct msidom_kvm *kvm, uint32_t gsi, int eventfd);

/**
 * @brief Detach the irqfd of @p gsi (KVM_IRQFD with KVM_IRQFD_FLAG_DEASSIGN).
 *
 * Also retries the detach of a vector's irqfd that KVM refused when the
 * vector was freed: until it succeeds, that GSI is not handed out again.
 * @param kvm GSI domain.
 * @param gsi The GSI.
 * @return 0, -EINVAL, -ENOENT (no irqfd), or KVM_IRQFD's error (then it
 * stays attached).
 */
MSIDOM_API int msidom_kvm_irqfd_detach(struct msidom_kvm *kvm, uint32_t gsi);

/**
 * @brief The eventfd attached to @p gsi.
 * @param kvm GSI domain.
 * @param gsi The GSI.
 * @return The eventfd, -EINVAL, -ENOENT (none).
 */
MSIDOM_API int msidom_kvm_irqfd(const struct msidom_kvm *kvm, uint32_t gsi);

/**
 * @brief Inject @p gsi's MSI route once (KVM_SIGNAL_MSI), for a vector
 * that has no eventfd.
 * @param kvm GSI domain.
 * @param gsi A GSI with an MSI route.
 * @return 1 delivered, 0 blocked by the guest, -EINVAL, -ENOENT (no MSI
 * route), -ENOSYS (no KVM_CAP_SIGNAL_MSI), or KVM_SIGNAL_MSI's error.
 */
MSIDOM_API int msidom_kvm_signal(struct msidom_kvm *kvm, uint32_t gsi);

/**
 * @brief Create a per-device domain under the GSI root: each vector gets a
 * GSI, and its composed message (cfg->compose, the guest's message) is
 * that GSI's MSI route. An activated vector is routed; a deactivated one
 * is not. After the guest changes a vector's message, call
 * msidom_irq_refresh_msg() (in a batch of this domain for several, one
 * KVM_SET_GSI_ROUTING). Freeing a vector detaches its irqfd (if KVM
 * refuses, the free still succeeds with a log line, and the GSI stays out
 * of use until msidom_kvm_irqfd_detach() or msidom_kvm_close() detaches
 * it).
 * @param kvm GSI domain.
 * @param dev The device.
 * @param slot Slot to populate.
 * @param cfg Configuration (compose mandatory).
 * @param[out] out The new domain ("KVM-" + cfg->name + "-" + the device name).
 * @return 0, -EINVAL, -EEXIST (slot in use), -ENOMEM.
 */
MSIDOM_API int msidom_kvm_device_domain_create(struct msidom_kvm *kvm, struct msidom_device *dev,
					       enum msidom_slot slot,
					       const struct msidom_kvm_domain_config *cfg,
					       struct msidom_domain **out);

/**
 * @brief The GSI of vector @p index of a per-device domain made by
 * msidom_kvm_device_domain_create() on @p kvm.
 * @param kvm GSI domain.
 * @param d The per-device domain.
 * @param index Vector index.
 * @return The GSI, -EINVAL (not such a domain of @p kvm), -ENOENT (no
 * vector at @p index).
 */
MSIDOM_API int64_t msidom_kvm_vector_gsi(const struct msidom_kvm *kvm,
					 const struct msidom_domain *d, uint32_t index);

#ifdef __cplusplus
}
#endif

#endif
