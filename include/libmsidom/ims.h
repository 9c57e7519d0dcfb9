/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file ims.h
 * @brief PCI/IMS (Interrupt Message Store) per-device domains.
 *
 * An IMS device keeps its MSI messages wherever it likes: in an on-device
 * array, inside queue contexts, or in host memory it shares with the host.
 * Here, as in Linux, IMS is the secondary per-device domain
 * (MSIDOM_SECONDARY_DOMAIN) of a device, normally beside the device's
 * PCI/MSI-X domain and under the same parent. Each domain has its own index
 * (slot) space of up to MSIDOM_MAX_HWSIZE slots; vectors are allocated and
 * freed with the msi.h interface on MSIDOM_SECONDARY_DOMAIN.
 *
 * The driver supplies the slot storage through
 * struct msidom_ims_storage_ops, or uses one of two ready-made storages:
 * a device-memory array (msidom_ims_array_domain_create()) and entries in
 * host memory with a sync callback (msidom_ims_queue_domain_create()).
 *
 * An IMS domain has no set_affinity of its own: an affinity change is done
 * by the parent and reaches the storage only as a new write_msg.
 */
#ifndef LIBMSIDOM_IMS_H
#define LIBMSIDOM_IMS_H

#include <libmsidom/common.h>
#include <libmsidom/device.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Number of 32-bit words in one IMS entry of the ready-made storages. */
#define MSIDOM_IMS_ENTRY_WORDS 4u
/** @brief Size in bytes of one IMS entry of the ready-made storages. */
#define MSIDOM_IMS_ENTRY_SIZE 16u
/** @brief Byte offset of the address low word inside an entry. */
#define MSIDOM_IMS_ENTRY_ADDR_LO 0u
/** @brief Byte offset of the address high word inside an entry. */
#define MSIDOM_IMS_ENTRY_ADDR_HI 4u
/** @brief Byte offset of the data word inside an entry. */
#define MSIDOM_IMS_ENTRY_DATA 8u
/** @brief Byte offset of the control word inside an entry. */
#define MSIDOM_IMS_ENTRY_CTRL 12u
/** @brief Mask bit of the control word: set = the slot does not signal. */
#define MSIDOM_IMS_CTRL_MASKBIT 0x1u

/**
 * @brief Slot storage callbacks of an IMS domain, supplied by the driver.
 *
 * Every callback gets the storage's opaque pointer, the slot (the index
 * in the IMS domain) and the slot's instance cookie: the one given at
 * allocation (msidom_alloc_opts.has_cookie) or the domain's default.
 * Callbacks run with the context lock held; they must not call the
 * locking API (msidom_msi_*, msidom_irq_*, ...). A negative errno from
 * any callback fails the operation that called it; an allocation is then
 * fully undone.
 *
 * With bus_lock and bus_sync_unlock (both or neither), every write_msg,
 * mask and unmask happens between a bus_lock and a bus_sync_unlock: the
 * storage may only record them there, and bus_sync_unlock makes the
 * recorded updates effective in the order they were recorded, once.
 */
struct msidom_ims_storage_ops {
	/** sizeof(struct msidom_ims_storage_ops): see MSIDOM_OPTS(). */
	size_t sz;
	/**
	 * Optional: check (e.g. a PASID) and reserve slot resources before
	 * the slot's vector is allocated. Called at most once per slot until
	 * release_slot. 0 or a negative errno (the allocation fails).
	 */
	int (*prepare_slot)(void *opaque, uint32_t slot, msidom_cookie cookie);
	/**
	 * Optional: undo prepare_slot; the slot's vector is gone. With
	 * bus_lock/bus_sync_unlock it runs after the bus_sync_unlock that
	 * applied the slot's mask and zeroed message (also when that sync
	 * fails), or just before the slot is prepared again in the same
	 * batch.
	 */
	void (*release_slot)(void *opaque, uint32_t slot, msidom_cookie cookie);
	/**
	 * Mandatory: store @p msg in the slot. An all-zero message means the
	 * slot is deactivated; the slot is always masked when it comes.
	 */
	int (*write_msg)(void *opaque, uint32_t slot, const struct msidom_msg *msg,
			 msidom_cookie cookie);
	/** Mandatory: mask the slot. 0 or a negative errno. */
	int (*mask)(void *opaque, uint32_t slot, msidom_cookie cookie);
	/** Mandatory: unmask the slot. 0 or a negative errno. */
	int (*unmask)(void *opaque, uint32_t slot, msidom_cookie cookie);
	/** Optional: start a batch; updates until bus_sync_unlock only record. */
	void (*bus_lock)(void *opaque);
	/**
	 * Optional: apply the recorded updates in order, once, and end the
	 * batch. 0 or a negative errno (the updates did not take effect).
	 */
	int (*bus_sync_unlock)(void *opaque);
};

/** @brief Driver-supplied slot storage: callbacks and their argument. */
struct msidom_ims_storage {
	/** sizeof(struct msidom_ims_storage): see MSIDOM_OPTS(). */
	size_t sz;
	/** Callbacks; copied when the domain is created. */
	const struct msidom_ims_storage_ops *ops;
	/** First argument of every callback. */
	void *opaque;
};

/** @brief Parameters of an IMS domain. */
struct msidom_ims_info {
	/** sizeof(struct msidom_ims_info): see MSIDOM_OPTS(). */
	size_t sz;
	/**
	 * Bus name inside the domain name, or NULL for "PCI-IMS"
	 * (giving e.g. "IR-PCI-IMS-0000:03:00.0").
	 */
	const char *name;
	/**
	 * Number of slots, 1 .. MSIDOM_MAX_HWSIZE. For the ready-made
	 * storages 0 means "every entry of the storage".
	 */
	uint32_t hwsize;
	/** Cookie of allocations that give none. */
	msidom_cookie default_cookie;
};

/**
 * @brief Create the IMS domain of @p dev (slot MSIDOM_SECONDARY_DOMAIN)
 * on driver-supplied storage.
 *
 * The domain is flagged MSIDOM_DOMAIN_MASK_ON_FREE and has bus token
 * MSIDOM_BUS_PCI_IMS. It is destroyed with msidom_device_domain_destroy()
 * or with the device.
 * @param dev Device.
 * @param info Domain parameters (hwsize must be 1 .. MSIDOM_MAX_HWSIZE).
 * @param storage Storage callbacks (write_msg, mask, unmask mandatory;
 *        bus_lock and bus_sync_unlock both or neither).
 * @param parent Parent domain, flagged MSIDOM_DOMAIN_MSI_PARENT.
 * @param[out] out The new domain.
 * @return 0, -EINVAL, -EEXIST (the device already has an IMS domain),
 * -ENOMEM.
 */
MSIDOM_API int msidom_ims_domain_create(struct msidom_device *dev,
					const struct msidom_ims_info *info,
					const struct msidom_ims_storage *storage,
					struct msidom_domain *parent, struct msidom_domain **out);

/**
 * @brief 32-bit MMIO accessors of a device-memory IMS array.
 *
 * Offsets are in bytes from the start of the array (entry n's control
 * word is at n * MSIDOM_IMS_ENTRY_SIZE + MSIDOM_IMS_ENTRY_CTRL).
 */
struct msidom_ims_array_config {
	/** sizeof(struct msidom_ims_array_config): see MSIDOM_OPTS(). */
	size_t sz;
	/** Read the 32-bit word at @p offset into *value. 0 or a negative errno. */
	int (*read32)(void *opaque, uint64_t offset, uint32_t *value);
	/** Write the 32-bit word at @p offset. 0 or a negative errno. */
	int (*write32)(void *opaque, uint64_t offset, uint32_t value);
	/** First argument of read32 and write32. */
	void *opaque;
	/** Number of entries of the array, 1 .. MSIDOM_MAX_HWSIZE. */
	uint32_t nr_entries;
};

/**
 * @brief Create the IMS domain of @p dev on an array of 16-byte entries
 * (address low, address high, data, control with mask bit 0) in device
 * memory.
 *
 * Access sequences, each ending with a read of the control word so that
 * posted writes reach the device:
 * - write_msg: read control; if unmasked, write control | mask; write
 *   address low, address high, data; if it was unmasked, write the old
 *   control back; read control.
 * - mask / unmask: read control; write it with the mask bit set / clear
 *   if it differs; read control.
 *
 * If an access fails in the middle of a message update, the entry is left
 * masked (a half-written message never signals); if the final read of a
 * mask or unmask fails, the old control word is written back. The
 * accessor's error is returned.
 * @param dev Device.
 * @param info Domain parameters (hwsize 0: nr_entries; else at most
 *        nr_entries).
 * @param cfg Accessors and size; copied.
 * @param parent Parent domain, flagged MSIDOM_DOMAIN_MSI_PARENT.
 * @param[out] out The new domain.
 * @return 0, -EINVAL, -EEXIST, -ENOMEM.
 */
MSIDOM_API int msidom_ims_array_domain_create(struct msidom_device *dev,
					      const struct msidom_ims_info *info,
					      const struct msidom_ims_array_config *cfg,
					      struct msidom_domain *parent,
					      struct msidom_domain **out);

/** @brief Kind of one recorded update of a queue storage. */
enum msidom_ims_update_kind {
	MSIDOM_IMS_UPDATE_WRITE = 1,  /**< Message written (all zero: deactivated). */
	MSIDOM_IMS_UPDATE_MASK = 2,   /**< Slot masked. */
	MSIDOM_IMS_UPDATE_UNMASK = 3, /**< Slot unmasked. */
};

/** @brief One update applied to a queue storage, as told to its sync. */
struct msidom_ims_update {
	/** Slot (entry) updated. */
	uint32_t slot;
	/** What was done. */
	enum msidom_ims_update_kind kind;
	/** The slot's instance cookie (e.g. the queue's PASID). */
	msidom_cookie cookie;
};

/**
 * @brief Host-memory (queue) IMS storage: entries in caller memory that
 * the device reads after being told to (the sync callback).
 *
 * Entry n is the 16-byte entry layout at base + n * stride, e.g. inside
 * the n-th queue context.
 */
struct msidom_ims_queue_config {
	/** sizeof(struct msidom_ims_queue_config): see MSIDOM_OPTS(). */
	size_t sz;
	/** Entry 0; 4-byte aligned; must outlive the domain. */
	void *base;
	/** Bytes from one entry to the next; 0 means MSIDOM_IMS_ENTRY_SIZE. */
	size_t stride;
	/** Number of entries, 1 .. MSIDOM_MAX_HWSIZE. */
	uint32_t nr_entries;
	/**
	 * Optional: tell the device that the @p nr updates (in order) are now
	 * in memory. Called once per batch that changed something. On failure
	 * the entries are restored to their contents before the batch and
	 * the error is returned from the batch.
	 */
	int (*sync)(void *opaque, const struct msidom_ims_update *updates, uint32_t nr);
	/** First argument of sync. */
	void *opaque;
};

/**
 * @brief Create the IMS domain of @p dev on host-memory (queue) storage.
 *
 * Every write_msg, mask and unmask inside a batch (each public operation
 * is one; msidom_domain_batch_begin() makes larger ones) is only
 * recorded; the end of the batch applies the records to the entries in
 * order (a write masks the entry across the update) and then calls
 * cfg->sync once with the list.
 *
 * If sync fails, the entries go back to their contents before the batch.
 * A single failed operation is then undone by the library as well (an
 * allocation is released, a mask state kept). After a failed end of a
 * caller's own batch, or of a free, the library's state shows the batch's
 * operations but the entries do not: mask, unmask or refresh the vectors
 * concerned again, or reset the device.
 * @param dev Device.
 * @param info Domain parameters (hwsize 0: nr_entries; else at most
 *        nr_entries).
 * @param cfg Entries and sync callback; copied.
 * @param parent Parent domain, flagged MSIDOM_DOMAIN_MSI_PARENT.
 * @param[out] out The new domain.
 * @return 0, -EINVAL, -EEXIST, -ENOMEM.
 */
MSIDOM_API int msidom_ims_queue_domain_create(struct msidom_device *dev,
					      const struct msidom_ims_info *info,
					      const struct msidom_ims_queue_config *cfg,
					      struct msidom_domain *parent,
					      struct msidom_domain **out);

#ifdef __cplusplus
}
#endif

#endif
