/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file domain.h
 * @brief Interrupt domains, their ops, and the hierarchy.
 *
 * A domain translates the interrupts of its children into its own hardware
 * interrupt numbers (hwirq). Domains stack: a root (an x86 vector domain,
 * a VFIO eventfd root) optionally below a remapping domain, below
 * per-device MSI domains. Allocation runs root first; freeing runs from the
 * device toward the root.
 *
 * All ops are called with the context lock held. They may call the
 * msidom_irq_data_*() helpers, msidom_domain_map(), msidom_domain_unmap(),
 * msidom_domain_find_virq(), msidom_handle() and the accessors of this
 * header, but not msidom_domain_create(), msidom_domain_destroy(),
 * msidom_domain_batch_begin()/end() nor the locking API of other headers.
 *
 * Dispatch (msidom_handle()) takes no lock: do not dispatch on a domain
 * while vectors of it are being allocated or freed, or make sure the
 * interrupt cannot fire then (masked and drained). A free inside a
 * caller's batch on a domain with bus_sync_unlock releases the parents'
 * resources (vectors, remapping entries) and the virq only at the end of
 * the batch, after its sync: until then the device may still target them.
 */
#ifndef LIBMSIDOM_DOMAIN_H
#define LIBMSIDOM_DOMAIN_H

#include <libmsidom/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief What kind of bus or controller a domain serves. */
enum msidom_bus_token {
	MSIDOM_BUS_ANY = 0,     /**< Unspecified. */
	MSIDOM_BUS_VECTOR,      /**< CPU vector root (x86 vector domain). */
	MSIDOM_BUS_REMAP,       /**< Interrupt remapping (VT-d IR). */
	MSIDOM_BUS_DOORBELL,    /**< Doorbell root (GICv2m, IMSIC style). */
	MSIDOM_BUS_VFIO,        /**< Host eventfd root (Linux VFIO). */
	MSIDOM_BUS_GENERIC_MSI, /**< Parent of MSI device domains. */
	MSIDOM_BUS_PCI_MSI,     /**< Per-device PCI/MSI. */
	MSIDOM_BUS_PCI_MSIX,    /**< Per-device PCI/MSI-X. */
	MSIDOM_BUS_PCI_IMS,     /**< Per-device PCI/IMS. */
	MSIDOM_BUS_VIRT,        /**< Virtual (guest-facing) device. */
};

/** @brief Domain flags. */
enum msidom_domain_flags {
	/** Parent of per-device MSI domains. */
	MSIDOM_DOMAIN_MSI_PARENT = 1u << 0,
	/** A per-device domain (set by msidom_device_create_domain()). */
	MSIDOM_DOMAIN_DEVICE = 1u << 1,
	/** Interrupt remapping or equivalent isolation is present. */
	MSIDOM_DOMAIN_ISOLATED_MSI = 1u << 2,
	/** The composed message never changes on affinity changes. */
	MSIDOM_DOMAIN_IMMUTABLE = 1u << 3,
	/** Range allocations need one contiguous, aligned block (multi-MSI). */
	MSIDOM_DOMAIN_CONTIGUOUS = 1u << 4,
	/**
	 * The storage relies on a vector being masked before it is freed
	 * (IMS). The core masks every unmasked vector before freeing it on
	 * any domain, so this flag only records the need (shown in the dump).
	 */
	MSIDOM_DOMAIN_MASK_ON_FREE = 1u << 5,
};

/** @brief Arguments of one allocation through the hierarchy. */
struct msidom_alloc_arg {
	/** Requested CPUs; NULL for any. */
	const struct msidom_cpumask *affinity;
	/** Instance cookie of the vector(s). */
	msidom_cookie cookie;
	/** Device the vectors belong to. */
	struct msidom_device *device;
	/** True if the vector's affinity is managed (may not be moved). */
	bool managed;
};

/**
 * @brief Domain (hierarchy) ops. Every member is optional.
 */
struct msidom_domain_ops {
	/**
	 * Allocate @p nr interrupts, data[0..nr-1]; set each one's hwirq
	 * with msidom_irq_data_set_hwirq(). With MSIDOM_DOMAIN_CONTIGUOUS on
	 * the device domain, nr > 1 asks for a contiguous, naturally aligned
	 * block. Called after the parent's alloc succeeded. Must leave
	 * nothing behind on failure. Absent: hwirq = the virq.
	 */
	int (*alloc)(struct msidom_domain *d, struct msidom_irq_data *const *data, unsigned int nr,
		     const struct msidom_alloc_arg *arg);
	/** Release what alloc did (children are already freed). */
	void (*free)(struct msidom_domain *d, struct msidom_irq_data *const *data, unsigned int nr);
	/** Make the interrupt live in hardware (root first). */
	int (*activate)(struct msidom_domain *d, struct msidom_irq_data *data);
	/** Undo activate (device first). */
	void (*deactivate)(struct msidom_domain *d, struct msidom_irq_data *data);
	/**
	 * Per-device domains: check and fill a new descriptor before any
	 * level is allocated (e.g. reserve an IMS slot for the cookie).
	 */
	int (*prepare_desc)(struct msidom_domain *d, struct msidom_desc *desc,
			    msidom_cookie cookie);
	/** Per-device domains: the descriptor got its virq. */
	void (*set_desc)(struct msidom_domain *d, struct msidom_desc *desc);
	/** Per-device domains: the descriptor is about to be released. */
	void (*teardown_desc)(struct msidom_domain *d, struct msidom_desc *desc);
	/** Release the domain's private data (msidom_domain_priv()). */
	void (*destroy)(struct msidom_domain *d);
};

/**
 * @brief Chip ops: message and masking. Every member is optional.
 */
struct msidom_chip_ops {
	/** Compose the message a device must write for this interrupt. */
	int (*compose_msg)(struct msidom_irq_data *data, struct msidom_msg *msg);
	/** Program @p msg into the device's storage (zeroed: deactivated). */
	int (*write_msg)(struct msidom_irq_data *data, const struct msidom_msg *msg);
	/** Mask the interrupt at this level. */
	int (*mask)(struct msidom_irq_data *data);
	/** Unmask the interrupt at this level. */
	int (*unmask)(struct msidom_irq_data *data);
	/**
	 * Retarget to @p mask. May call msidom_irq_data_parent_set_affinity()
	 * first. Stores the effective CPU in *cpu.
	 */
	int (*set_affinity)(struct msidom_irq_data *data, const struct msidom_cpumask *mask,
			    uint32_t *cpu);
	/**
	 * The new message of an affinity change is live everywhere: release
	 * what the old target still held (the old vector). Root first.
	 */
	void (*affinity_commit)(struct msidom_irq_data *data);
	/** Start a batch: following writes/masks may only be recorded. */
	void (*bus_lock)(struct msidom_domain *d);
	/** End a batch: make the recorded updates effective, in order. */
	int (*bus_sync_unlock)(struct msidom_domain *d);
};

/** @brief Everything needed to create a (non-device) domain. */
struct msidom_domain_info {
	/** Name, copied (at most 63 characters). */
	const char *name;
	/** Prefix given to child device domains' names, e.g. "IR-" (at most 15 characters). */
	const char *child_prefix;
	/** Bus token. */
	enum msidom_bus_token bus;
	/** MSIDOM_DOMAIN_* flags. */
	uint32_t flags;
	/** Size of the hwirq space (1 .. 1 << 24). */
	uint32_t hwsize;
	/** Domain ops, or NULL. Must outlive the domain. */
	const struct msidom_domain_ops *ops;
	/** Chip ops, or NULL. Must outlive the domain. */
	const struct msidom_chip_ops *chip;
	/** Private data, returned by msidom_domain_priv(). */
	void *priv;
};

/**
 * @brief Create a domain.
 * @param ctx Context.
 * @param info Description.
 * @param parent Parent domain, or NULL for a root.
 * @param[out] out New domain.
 * @return 0, -EINVAL, -ENOMEM.
 */
MSIDOM_API int msidom_domain_create(struct msidom_ctx *ctx, const struct msidom_domain_info *info,
				    struct msidom_domain *parent, struct msidom_domain **out);

/**
 * @brief Destroy a domain that has no children and no interrupts.
 * @param d The domain; not a per-device domain (see
 * msidom_device_remove_domain()).
 * @return 0, -EINVAL, -EBUSY (children, live interrupts or an open batch).
 */
MSIDOM_API int msidom_domain_destroy(struct msidom_domain *d);

/**
 * @brief The domain's name.
 * @param d The domain.
 * @return The name, or NULL if @p d is NULL.
 */
MSIDOM_API const char *msidom_domain_name(const struct msidom_domain *d);
/**
 * @brief The domain's parent.
 * @param d The domain.
 * @return The parent, or NULL for a root (or a NULL @p d).
 */
MSIDOM_API struct msidom_domain *msidom_domain_parent(const struct msidom_domain *d);
/**
 * @brief The domain's MSIDOM_DOMAIN_* flags.
 * @param d The domain.
 * @return The flags, or 0 if @p d is NULL.
 */
MSIDOM_API uint32_t msidom_domain_flags(const struct msidom_domain *d);
/**
 * @brief The domain's bus token.
 * @param d The domain.
 * @return The bus token, or MSIDOM_BUS_ANY if @p d is NULL.
 */
MSIDOM_API enum msidom_bus_token msidom_domain_bus(const struct msidom_domain *d);
/**
 * @brief The domain's hwirq space size.
 * @param d The domain.
 * @return The size, or 0 if @p d is NULL.
 */
MSIDOM_API uint32_t msidom_domain_hwsize(const struct msidom_domain *d);
/**
 * @brief Private data given at creation.
 * @param d The domain.
 * @return msidom_domain_info.priv (or msidom_template.priv), or NULL.
 */
MSIDOM_API void *msidom_domain_priv(const struct msidom_domain *d);
/**
 * @brief The context owning the domain.
 * @param d The domain.
 * @return The context, or NULL if @p d is NULL.
 */
MSIDOM_API struct msidom_ctx *msidom_domain_ctx(const struct msidom_domain *d);
/**
 * @brief The device of a per-device domain.
 * @param d The domain.
 * @return The device, or NULL (not a per-device domain, or NULL @p d).
 */
MSIDOM_API struct msidom_device *msidom_domain_device(const struct msidom_domain *d);
/**
 * @brief Number of interrupts mapped in the domain's reverse map.
 * @param d The domain.
 * @return The count, or 0 if @p d is NULL.
 */
MSIDOM_API uint32_t msidom_domain_mapped(const struct msidom_domain *d);

/**
 * @brief Virq mapped at @p hwirq in the domain's reverse map.
 * @param d The domain.
 * @param hwirq Hardware irq number in @p d.
 * @return The virq (> 0), or -ENOENT, -EINVAL.
 */
MSIDOM_API int64_t msidom_domain_find_virq(const struct msidom_domain *d, uint32_t hwirq);

/**
 * @brief Map an extra hwirq to an interrupt (e.g. the new vector of an
 * affinity change, while the old one may still fire).
 * @param d The domain; not a per-device domain (its map is its descriptors).
 * @param hwirq Hardware irq number to map, below the domain's hwsize.
 * @param data The interrupt's data at the level of @p d.
 * @return 0, -EINVAL, -ERANGE, -EEXIST, -ENOMEM.
 */
MSIDOM_API int msidom_domain_map(struct msidom_domain *d, uint32_t hwirq,
				 struct msidom_irq_data *data);

/**
 * @brief Remove a mapping made by msidom_domain_map().
 * @param d The domain (not a per-device domain).
 * @param hwirq Hardware irq number to unmap.
 * @return 0, -EINVAL, -ENOENT.
 */
MSIDOM_API int msidom_domain_unmap(struct msidom_domain *d, uint32_t hwirq);

/**
 * @brief Dispatch an interrupt: call the handler of the virq mapped at
 * @p hwirq. O(1), no allocation, no lock: callable from an interrupt
 * handler or an event loop, but not concurrently with the allocation or
 * free of vectors that can fire on @p d (see the file comment).
 * @param d The domain that received the interrupt.
 * @param hwirq Hardware irq number in @p d.
 * @return 0 if a handler ran, -ENOENT if nothing is mapped or no handler
 * (counted in msidom_domain_spurious()), -EINVAL for a NULL @p d.
 */
MSIDOM_API int msidom_handle(struct msidom_domain *d, uint32_t hwirq);

/**
 * @brief Number of msidom_handle() calls that found no handler.
 * @param d The domain.
 * @return The count, or 0 if @p d is NULL.
 */
MSIDOM_API uint64_t msidom_domain_spurious(const struct msidom_domain *d);

/**
 * @brief Start a batch on a domain: its chip's bus_lock runs on the
 * outermost call, so the following updates may only be recorded.
 * Batches nest. Every single public operation on a device domain is
 * wrapped in a batch of its own as well.
 * @param d The domain.
 * @return 0, -EINVAL.
 */
MSIDOM_API int msidom_domain_batch_begin(struct msidom_domain *d);

/**
 * @brief End a batch: on the outermost call the chip's bus_sync_unlock
 * makes the recorded updates effective, in order, once.
 * @param d The domain.
 * @return 0, -EINVAL (NULL @p d or no batch open), or bus_sync_unlock's error.
 */
MSIDOM_API int msidom_domain_batch_end(struct msidom_domain *d);

/* Per-level view, for domain implementations. */

/**
 * @brief Domain of this level.
 * @param data One level of an interrupt.
 * @return The domain, or NULL if @p data is NULL.
 */
MSIDOM_API struct msidom_domain *msidom_irq_data_domain(const struct msidom_irq_data *data);
/**
 * @brief Hardware irq number at this level.
 * @param data One level of an interrupt.
 * @return The hwirq, or 0 if @p data is NULL.
 */
MSIDOM_API uint32_t msidom_irq_data_hwirq(const struct msidom_irq_data *data);
/**
 * @brief Set the hwirq at this level (alloc op only, or an affinity
 * change that has already mapped the new hwirq).
 * @param data One level of an interrupt.
 * @param hwirq New hwirq; at the device level it must equal the index.
 * @return 0, -ERANGE if outside the domain's hwsize, -EINVAL (NULL
 * @p data, or another hwirq at the device level).
 */
MSIDOM_API int msidom_irq_data_set_hwirq(struct msidom_irq_data *data, uint32_t hwirq);
/**
 * @brief The virq of the interrupt.
 * @param data Any level of the interrupt.
 * @return The virq, or 0 while it is being allocated (or a NULL @p data).
 */
MSIDOM_API uint32_t msidom_irq_data_virq(const struct msidom_irq_data *data);
/**
 * @brief The device-level descriptor.
 * @param data Any level of the interrupt.
 * @return The descriptor, or NULL if @p data is NULL.
 */
MSIDOM_API struct msidom_desc *msidom_irq_data_desc(const struct msidom_irq_data *data);
/**
 * @brief The same interrupt's data one level closer to the root.
 * @param data One level of an interrupt.
 * @return The parent level, or NULL at the root (or a NULL @p data).
 */
MSIDOM_API struct msidom_irq_data *msidom_irq_data_parent(struct msidom_irq_data *data);
/**
 * @brief The instance cookie of the interrupt.
 * @param data Any level of the interrupt.
 * @return The cookie; zero if @p data is NULL.
 */
MSIDOM_API msidom_cookie msidom_irq_data_cookie(const struct msidom_irq_data *data);
/**
 * @brief The effective CPU of the interrupt.
 * @param data Any level of the interrupt.
 * @return The CPU, or 0 if @p data is NULL.
 */
MSIDOM_API uint32_t msidom_irq_data_cpu(const struct msidom_irq_data *data);
/**
 * @brief Record the effective CPU of the interrupt (a root's alloc op,
 * once it has chosen the target; set_affinity reports it through its
 * cpu argument instead).
 * @param data Any level of the interrupt.
 * @param cpu CPU index.
 */
MSIDOM_API void msidom_irq_data_set_cpu(struct msidom_irq_data *data, uint32_t cpu);

/**
 * @brief Compose through the nearest ancestor (from @p data's parent up)
 * that composes.
 * @param data One level of an interrupt.
 * @param[out] msg The composed message.
 * @return 0, -EINVAL (NULL argument), -ENOSYS if none composes, or the
 * op's error.
 */
MSIDOM_API int msidom_irq_data_parent_compose_msg(struct msidom_irq_data *data,
						  struct msidom_msg *msg);

/**
 * @brief Ask the nearest ancestor with set_affinity to retarget.
 * @param data One level of an interrupt.
 * @param mask Target CPUs, passed to the op.
 * @param[out] cpu The new effective CPU, as the op reports it.
 * @return 0, -EINVAL (NULL @p data or @p cpu), -ENOSYS if none can, or
 * the op's error.
 */
MSIDOM_API int msidom_irq_data_parent_set_affinity(struct msidom_irq_data *data,
						   const struct msidom_cpumask *mask,
						   uint32_t *cpu);

/**
 * @brief Mask through the nearest ancestor with a mask op.
 * @param data One level of an interrupt.
 * @return 0, -EINVAL, -ENOSYS if none masks, or the op's error.
 */
MSIDOM_API int msidom_irq_data_parent_mask(struct msidom_irq_data *data);

/**
 * @brief Unmask through the nearest ancestor with an unmask op.
 * @param data One level of an interrupt.
 * @return 0, -EINVAL, -ENOSYS if none unmasks, or the op's error.
 */
MSIDOM_API int msidom_irq_data_parent_unmask(struct msidom_irq_data *data);

#ifdef __cplusplus
}
#endif

#endif
