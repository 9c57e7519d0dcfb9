/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file provider/domain.h
 * @brief Writing a domain: its ops, its creation and its reverse map.
 *
 * All ops are called with the context lock held. They may call the
 * msidom_irq_data_*() helpers (provider/irq_data.h), msidom_domain_map(),
 * msidom_domain_unmap(), msidom_domain_find_virq(), msidom_handle() and
 * the accessors of domain.h, but not msidom_domain_create(),
 * msidom_domain_destroy(), msidom_domain_batch_begin()/end() nor the
 * locking API of other headers.
 */
#ifndef LIBMSIDOM_PROVIDER_DOMAIN_H
#define LIBMSIDOM_PROVIDER_DOMAIN_H

#include <libmsidom/common.h>
#include <libmsidom/domain.h>

#ifdef __cplusplus
extern "C" {
#endif

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
	/** sizeof(struct msidom_domain_ops): see MSIDOM_OPTS(). */
	size_t sz;
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
	/** sizeof(struct msidom_chip_ops): see MSIDOM_OPTS(). */
	size_t sz;
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
	/** sizeof(struct msidom_domain_info): see MSIDOM_OPTS(). */
	size_t sz;
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
	/**
	 * Domain ops, or NULL. A table of this library's size (its sz) is
	 * used in place and must outlive the domain; one of another size is
	 * copied.
	 */
	const struct msidom_domain_ops *ops;
	/** Chip ops, or NULL; kept like @ref ops. */
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
 * @brief Private data given at creation.
 * @param d The domain.
 * @return msidom_domain_info.priv (or msidom_template.priv), or NULL.
 */
MSIDOM_API void *msidom_domain_priv(const struct msidom_domain *d);

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

#ifdef __cplusplus
}
#endif

#endif
