/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file vmm.h
 * @brief VMM side: guest-facing MSI and MSI-X emulation of a virtual PCI
 * function, with each guest vector backed by a host VFIO MSI-X vector, a
 * host IMS slot, or software emulation.
 *
 * A virtual function (struct msidom_vmm_fn) emulates one capability:
 * MSI-X (capability, table and PBA) or MSI (capability with multiple
 * messages and per-vector masking). The VMM forwards the guest's config
 * space accesses inside the capability and its MMIO accesses to the
 * table and the PBA; the library keeps the guest-visible state and tells
 * the VMM through callbacks what to route where:
 *
 * - route_changed: a vector's guest message, its effective mask (entry
 *   mask, function mask, enable) or its host eventfd changed. Only real
 *   changes are reported: a write that changes nothing calls nothing.
 * - deliver: inject the vector's guest message into the guest now
 *   (emulated vectors, IMS-backed vectors, VFIO-backed vectors that are
 *   not handed to KVM as irqfds, and pending bits released on unmask).
 * - backing_failed: a host vector could not be acquired when the guest
 *   unmasked (quota or host failure); the vector stays masked.
 *
 * Host-backed vectors (VFIO, IMS) are acquired lazily, when the guest
 * first unmasks the entry while the capability is enabled and not
 * function-masked, and released when the guest disables the capability
 * (or the VMM changes the backing or destroys the function).
 *
 * An interrupt that arrives while its vector is masked, function-masked
 * or disabled sets the vector's pending bit; the bit is delivered once
 * when the vector becomes live again. A VFIO vector is masked in the host
 * while the guest vector is not live (the backend holds what arrives and
 * replays it on unmask; what it holds when the vector is released becomes
 * the pending bit); an IMS slot stays unmasked while held and everything
 * it signals goes through the pending logic. So no sequence of guest
 * disable, enable, mask and function mask loses an interrupt (one may be
 * delivered that a real device would have dropped while disabled: a
 * spurious interrupt is harmless to drivers, a lost one is not).
 *
 * Locking: every function of this header takes the function's own lock
 * (recursive); callbacks are called with it held. A callback may call
 * msidom_vmm_get_vector_info() and msidom_vmm_get_stats(), but no function
 * that changes state. msidom_vmm_fire() may be called from any thread.
 * The function lock is taken before the context lock, never after: do
 * not call this header while holding msidom_ctx_lock().
 *
 * Lifetime: the host side (msidom_vfio_dispatch(), msidom_handle() of an
 * IMS parent) may run on another thread than the guest's accesses; an
 * interrupt racing the release of its host vector ends in the pending
 * bit. But its handlers point into the function: stop that dispatch
 * before msidom_vmm_fn_destroy(). A host IMS device model whose storage
 * ops dispatch must only dispatch the slot being operated on (its own
 * function's lock is then already held).
 */
#ifndef LIBMSIDOM_VMM_H
#define LIBMSIDOM_VMM_H

#include <libmsidom/common.h>
#include <libmsidom/device.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Opaque virtual (guest-facing) MSI or MSI-X function. */
struct msidom_vmm_fn;
/** @brief An opened VFIO device (see vfio.h). */
struct msidom_vfio;

/** @brief The capability a virtual function emulates. */
enum msidom_vmm_type {
	MSIDOM_VMM_MSIX = 1, /**< MSI-X: capability, table and PBA. */
	MSIDOM_VMM_MSI = 2,  /**< MSI: capability with up to 32 messages. */
};

/** @brief What stands behind one guest vector. */
enum msidom_vmm_backing_type {
	/** Software: the VMM raises it with msidom_vmm_fire(). */
	MSIDOM_VMM_BACKING_EMULATED = 0,
	/** A host MSI-X vector of a VFIO device (two eventfds each). */
	MSIDOM_VMM_BACKING_VFIO = 1,
	/** A slot of a host device's IMS domain (MSIDOM_SECONDARY_DOMAIN). */
	MSIDOM_VMM_BACKING_IMS = 2,
};

/** @brief Quota value meaning "no limit". */
#define MSIDOM_VMM_UNLIMITED UINT32_MAX

/** @brief Largest MSI-X table of a virtual function (PCI limit). */
#define MSIDOM_VMM_MSIX_MAX 2048u
/** @brief Largest number of MSI messages of a virtual function. */
#define MSIDOM_VMM_MSI_MAX 32u

/** @brief Size in bytes of one MSI-X table entry. */
#define MSIDOM_VMM_MSIX_ENTRY_SIZE 16u
/** @brief Size in bytes of the emulated MSI-X capability. */
#define MSIDOM_VMM_MSIX_CAP_SIZE 12u

/**
 * @brief The backing of one guest vector, chosen by the VMM. The host
 * device it names must stay open until the vector's backing is changed
 * or the function is destroyed.
 */
struct msidom_vmm_backing {
	/** sizeof(struct msidom_vmm_backing): see MSIDOM_OPTS(). */
	size_t sz;
	/** Kind of backing. */
	enum msidom_vmm_backing_type type;
	/**
	 * VFIO only: the host device opened with msidom_vfio_open(); vectors
	 * come from its current default-slot domain (MSI-X normally).
	 */
	struct msidom_vfio *vfio;
	/**
	 * IMS only: a device of the same context with an IMS domain in
	 * MSIDOM_SECONDARY_DOMAIN (see ims.h).
	 */
	struct msidom_device *host_dev;
	/**
	 * Index in the host domain (the host MSI-X entry or IMS slot), or
	 * MSIDOM_INDEX_ANY for the lowest free one. Unused when emulated.
	 */
	uint32_t host_index;
	/** IMS only: instance cookie of the slot (e.g. the guest's PASID). */
	msidom_cookie cookie;
	/**
	 * VFIO only: the VMM hands the host eventfd to KVM as an irqfd, so
	 * the library takes it out of the backend's event loop
	 * (msidom_vfio_set_polled(false)). Without it the VMM runs
	 * msidom_vfio_dispatch() and gets the vector through deliver.
	 */
	bool irqfd;
};

/** @brief A guest vector's routing, as reported to the VMM. */
struct msidom_vmm_route {
	/** Vector: MSI-X table entry, or MSI message number. */
	uint32_t vector;
	/** The guest's message (for MSI with the message number in data). */
	struct msidom_msg msg;
	/**
	 * True unless the vector is live: enabled, not function-masked, not
	 * masked, and (if host-backed) holding its host vector. While masked
	 * the VMM must not inject the vector (e.g. deassign its irqfd).
	 */
	bool masked;
	/** Backing of the vector. */
	enum msidom_vmm_backing_type backing;
	/**
	 * VFIO: the host vector's eventfd, for KVM irqfd with the guest
	 * message as its route; -1 otherwise or while none is held. Stays
	 * open until a route_changed reports it gone (that callback comes
	 * before the fd is closed, so the irqfd can be deassigned with it).
	 */
	int host_fd;
	/** Virq of the host vector in the context, or 0 if none is held. */
	uint32_t host_virq;
	/** Index of the host vector in its host domain (valid with host_virq). */
	uint32_t host_index;
};

/** @brief Callbacks from a virtual function to its VMM. All optional. */
struct msidom_vmm_ops {
	/** sizeof(struct msidom_vmm_ops): see MSIDOM_OPTS(). */
	size_t sz;
	/**
	 * The routing of @p route->vector changed (message, effective mask,
	 * host eventfd). Not called for accesses that change none of them.
	 */
	void (*route_changed)(void *opaque, struct msidom_vmm_fn *fn,
			      const struct msidom_vmm_route *route);
	/** Inject @p msg (vector @p vector's guest message) into the guest now. */
	void (*deliver)(void *opaque, struct msidom_vmm_fn *fn, uint32_t vector,
			const struct msidom_msg *msg);
	/**
	 * The guest unmasked @p vector but its host vector could not be
	 * acquired: -EDQUOT (host vector quota), -EMFILE (fd quota) or the
	 * host's error. The vector stays masked (interrupts only set its
	 * pending bit); it is retried when the guest unmasks it again, enables
	 * the capability again, or the quota is raised.
	 */
	void (*backing_failed)(void *opaque, struct msidom_vmm_fn *fn, uint32_t vector, int err);
};

/** @brief Parameters of a virtual function. */
struct msidom_vmm_config {
	/** sizeof(struct msidom_vmm_config): see MSIDOM_OPTS(). */
	size_t sz;
	/** Name for log lines, copied (at most 31 characters); NULL: "vfn". */
	const char *name;
	/** Capability emulated. */
	enum msidom_vmm_type type;
	/**
	 * Number of vectors: MSI-X 1 .. MSIDOM_VMM_MSIX_MAX table entries;
	 * MSI 1, 2, 4, 8, 16 or 32 messages.
	 */
	uint32_t nvec;
	/** Value of the capability's next pointer (read-only to the guest). */
	uint8_t cap_next;
	/** MSI-X: Table Offset/BIR register (offset 4 of the capability). */
	uint32_t msix_table_reg;
	/** MSI-X: PBA Offset/BIR register (offset 8 of the capability). */
	uint32_t msix_pba_reg;
	/** MSI: the capability has 64-bit addresses. */
	bool msi_64bit;
	/** MSI: the capability has per-vector mask and pending bits. */
	bool msi_maskable;
	/**
	 * Most host vectors (VFIO and IMS) held at once; 0 allows none,
	 * MSIDOM_VMM_UNLIMITED no limit.
	 */
	uint32_t max_host_vectors;
	/**
	 * Most host file descriptors (two per VFIO vector: its trigger and
	 * its mask eventfd) held at once;
	 * 0 allows none, MSIDOM_VMM_UNLIMITED no limit.
	 */
	uint32_t max_host_fds;
	/** Callbacks, or NULL; copied when the function is created. */
	const struct msidom_vmm_ops *ops;
	/** First argument of every callback. */
	void *opaque;
};

/** @brief Counters and state of a virtual function. */
struct msidom_vmm_stats {
	/** sizeof(struct msidom_vmm_stats): see MSIDOM_OPTS(). */
	size_t sz;
	/** Guest accesses refused (bad size, alignment or offset). */
	uint64_t bad_accesses;
	/** deliver callbacks made. */
	uint64_t delivered;
	/** Interrupts that set a pending bit instead of being delivered. */
	uint64_t latched;
	/** Host vector acquisitions refused by a quota. */
	uint64_t quota_denied;
	/** Host vector acquisitions the host refused. */
	uint64_t host_failures;
	/** Host vectors held now. */
	uint32_t host_vectors;
	/** Host file descriptors held now. */
	uint32_t host_fds;
	/** The capability is enabled. */
	bool enabled;
	/** MSI-X function mask is set. */
	bool function_masked;
	/** MSI: number of messages the guest enabled (1 << MME). */
	uint32_t msi_enabled_vectors;
};

/** @brief State of one guest vector. */
struct msidom_vmm_vector_info {
	/** sizeof(struct msidom_vmm_vector_info): see MSIDOM_OPTS(). */
	size_t sz;
	/** Current routing (what was last reported to route_changed). */
	struct msidom_vmm_route route;
	/** The guest's own mask bit for the vector. */
	bool guest_masked;
	/** Pending bit. */
	bool pending;
	/** The last host acquisition failed; waiting for a retry. */
	bool backing_failed;
};

/**
 * @brief Create a virtual function.
 *
 * Reset state: capability disabled, every MSI-X entry masked with a zero
 * message, every MSI mask bit clear, nothing pending, every vector
 * emulated.
 * @param ctx Context (memory, logging, host devices of the backings).
 * @param cfg Parameters; copied.
 * @param[out] out The new function.
 * @return 0, -EINVAL, -ENOMEM.
 */
MSIDOM_API int msidom_vmm_fn_create(struct msidom_ctx *ctx, const struct msidom_vmm_config *cfg,
				    struct msidom_vmm_fn **out);

/**
 * @brief Destroy a virtual function: release every host vector, each
 * reported (masked, no host fd) through route_changed before it goes.
 * No callback after the call returns. Stop dispatching the host side
 * (msidom_vfio_dispatch(), msidom_handle() of an IMS parent) on other
 * threads first: their handlers point into the function.
 * @param fn Function, or NULL (no-op).
 */
MSIDOM_API void msidom_vmm_fn_destroy(struct msidom_vmm_fn *fn);

/**
 * @brief Put the function back into its reset state (a guest FLR or
 * system reset): host vectors released, capability disabled, entries
 * masked and zeroed, pending bits cleared. Backings and quotas are kept.
 * @param fn Function.
 * @return 0, -EINVAL.
 */
MSIDOM_API int msidom_vmm_fn_reset(struct msidom_vmm_fn *fn);

/**
 * @brief Choose the backing of guest vector @p vector.
 *
 * A host vector held by the old backing is released first (pending
 * interrupts in it are kept as the vector's pending bit); if the vector
 * is live, the new backing is acquired at once. Choosing the backing the
 * vector already has changes nothing.
 * @param fn Function.
 * @param vector Vector, below nvec.
 * @param backing New backing; NULL means emulated.
 * @return 0, -EINVAL (NULL function or unknown type), -ERANGE (vector),
 * -ENODEV (VFIO: no device or no MSI/MSI-X domain; IMS: no device or no
 * IMS domain), -EOPNOTSUPP (VFIO backing without the VFIO backend); a
 * failed acquisition is reported through backing_failed, not here.
 */
MSIDOM_API int msidom_vmm_set_backing(struct msidom_vmm_fn *fn, uint32_t vector,
				      const struct msidom_vmm_backing *backing);

/**
 * @brief Change the quotas. Lowering them releases nothing; raising them
 * retries vectors whose acquisition failed.
 * @param fn Function.
 * @param max_host_vectors New host vector limit (MSIDOM_VMM_UNLIMITED: none).
 * @param max_host_fds New host fd limit (MSIDOM_VMM_UNLIMITED: none).
 * @return 0, -EINVAL.
 */
MSIDOM_API int msidom_vmm_set_quota(struct msidom_vmm_fn *fn, uint32_t max_host_vectors,
				    uint32_t max_host_fds);

/**
 * @brief Guest read of the capability in config space.
 * @param fn Function.
 * @param offset Byte offset from the start of the capability.
 * @param size 1, 2 or 4, naturally aligned.
 * @param[out] value The value (0 for a refused access).
 * @return 0, or -EINVAL for a refused access (counted in bad_accesses)
 * or bad arguments.
 */
MSIDOM_API int msidom_vmm_cfg_read(struct msidom_vmm_fn *fn, uint32_t offset, uint32_t size,
				   uint32_t *value);

/**
 * @brief Guest write of the capability in config space (read-only bits
 * are kept).
 * @param fn Function.
 * @param offset Byte offset from the start of the capability.
 * @param size 1, 2 or 4, naturally aligned.
 * @param value The value written (low @p size bytes).
 * @return 0, or -EINVAL for a refused access (ignored, counted in
 * bad_accesses) or bad arguments.
 */
MSIDOM_API int msidom_vmm_cfg_write(struct msidom_vmm_fn *fn, uint32_t offset, uint32_t size,
				    uint32_t value);

/**
 * @brief Size in bytes of the emulated capability in config space.
 * @param fn Function.
 * @return 12 for MSI-X, 10 to 24 for MSI, 0 for NULL.
 */
MSIDOM_API uint32_t msidom_vmm_cfg_size(const struct msidom_vmm_fn *fn);

/**
 * @brief Guest MMIO read of the MSI-X table.
 * @param fn An MSI-X function.
 * @param offset Byte offset from the start of the table.
 * @param size 4 or 8, naturally aligned, inside the table.
 * @param[out] value The value (0 for a refused access).
 * @return 0, or -EINVAL for a refused access (counted) or bad arguments.
 */
MSIDOM_API int msidom_vmm_table_read(struct msidom_vmm_fn *fn, uint64_t offset, uint32_t size,
				     uint64_t *value);

/**
 * @brief Guest MMIO write of the MSI-X table.
 * @param fn An MSI-X function.
 * @param offset Byte offset from the start of the table.
 * @param size 4 or 8, naturally aligned, inside the table.
 * @param value The value (low @p size bytes).
 * @return 0, or -EINVAL for a refused access (ignored, counted) or bad
 * arguments.
 */
MSIDOM_API int msidom_vmm_table_write(struct msidom_vmm_fn *fn, uint64_t offset, uint32_t size,
				      uint64_t value);

/**
 * @brief Guest MMIO read of the MSI-X PBA (interrupts the VFIO backend
 * holds for masked host vectors show as pending too).
 * @param fn An MSI-X function.
 * @param offset Byte offset from the start of the PBA.
 * @param size 4 or 8, naturally aligned, inside ceil(nvec / 64) * 8 bytes.
 * @param[out] value The value (0 for a refused access).
 * @return 0, or -EINVAL for a refused access (counted) or bad arguments.
 */
MSIDOM_API int msidom_vmm_pba_read(struct msidom_vmm_fn *fn, uint64_t offset, uint32_t size,
				   uint64_t *value);

/**
 * @brief Guest MMIO write of the MSI-X PBA: read-only, ignored.
 * @param fn An MSI-X function.
 * @param offset Byte offset from the start of the PBA.
 * @param size Access size.
 * @param value Ignored.
 * @return 0, or -EINVAL for a refused access (counted) or bad arguments.
 */
MSIDOM_API int msidom_vmm_pba_write(struct msidom_vmm_fn *fn, uint64_t offset, uint32_t size,
				    uint64_t value);

/**
 * @brief Size in bytes of the MSI-X table.
 * @param fn Function.
 * @return nvec * 16 for MSI-X, 0 otherwise.
 */
MSIDOM_API uint64_t msidom_vmm_table_size(const struct msidom_vmm_fn *fn);

/**
 * @brief Size in bytes of the MSI-X PBA.
 * @param fn Function.
 * @return ceil(nvec / 64) * 8 for MSI-X, 0 otherwise.
 */
MSIDOM_API uint64_t msidom_vmm_pba_size(const struct msidom_vmm_fn *fn);

/**
 * @brief An interrupt for guest vector @p vector, raised by the VMM
 * (emulated vectors). Host-backed vectors get here by themselves: VFIO
 * vectors from msidom_vfio_dispatch() (unless irqfd), IMS slots from
 * msidom_handle() on their parent. Delivered (deliver callback) if the
 * vector is live, otherwise its pending bit is set.
 * @param fn Function.
 * @param vector Vector, below nvec.
 * @return 1 delivered, 0 made pending, -EINVAL, -ERANGE.
 */
MSIDOM_API int msidom_vmm_fire(struct msidom_vmm_fn *fn, uint32_t vector);

/**
 * @brief State of guest vector @p vector.
 * @param fn Function.
 * @param vector Vector, below nvec.
 * @param[out] info The state.
 * @return 0, -EINVAL, -ERANGE.
 */
MSIDOM_API int msidom_vmm_get_vector_info(struct msidom_vmm_fn *fn, uint32_t vector,
					  struct msidom_vmm_vector_info *info);

/**
 * @brief Counters and state of the function.
 * @param fn Function.
 * @param[out] stats The counters.
 * @return 0, -EINVAL.
 */
MSIDOM_API int msidom_vmm_get_stats(struct msidom_vmm_fn *fn, struct msidom_vmm_stats *stats);

/**
 * @brief Name of a backing type, for logs ("emulated", "vfio", "ims").
 * @param type Backing type.
 * @return Static string; "?" for an unknown type.
 */
MSIDOM_API const char *msidom_vmm_backing_name(enum msidom_vmm_backing_type type);

#ifdef __cplusplus
}
#endif

#endif
