/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file bm_pci.h
 * @brief PCI MSI and MSI-X device domains programmed through the platform
 * hooks.
 *
 * Both create the default-slot domain of a device (msidom_device_create())
 * under a parent flagged MSIDOM_DOMAIN_MSI_PARENT (an x86 vector domain,
 * a VT-d remapping domain or a doorbell root). Vectors are then allocated
 * and freed with msidom_msi_alloc_at(), msidom_msi_alloc_range() and
 * msidom_msi_free() on MSIDOM_DEFAULT_DOMAIN; the domain is removed with
 * msidom_device_domain_destroy() or msidom_device_destroy().
 *
 * Creation only reads config space (and sizes the MSI-X BAR if its size
 * was not given); nothing is written to the device until the first
 * vector is activated.
 *
 * MSI: 1..32 messages (power of two), 32- or 64-bit address, per-vector
 * mask bits when the capability has them (otherwise mask/unmask do
 * nothing, as in Linux). The capability cannot grow while enabled:
 * allocate all messages at once (msidom_msi_alloc_range(0, n - 1) for
 * n > 1); a later allocation while vectors are live fails with -EBUSY.
 * The first activation masks every vector, writes address and data, then
 * sets the multiple message enable and MSI enable; without mask bits,
 * MSI enable is set only once every message of the block is activated.
 * Freeing the last vector clears MSI enable. A message the capability
 * cannot hold (address above 4 GiB on a 32-bit capability, data above
 * 0xffff) fails the activation with -EINVAL. A live function without
 * mask bits gets data before address on a rewrite, so it only sends the
 * (old address, new data) pair in between (see bm_x86.h).
 *
 * MSI-X: the table and PBA must lie inside their BAR and must not
 * overlap. Every access to
 * the table first checks Memory Space Enable in the command register
 * (-EIO if clear). The first activation writes control = MASKALL|ENABLE,
 * masks every entry, programs the entry, then clears MASKALL. An entry
 * update masks the entry if it is unmasked, writes address low, address
 * high and data (32-bit writes, in that order), restores the vector
 * control word and reads the entry back to flush posted writes. Single
 * vectors are added and freed while others stay live; freeing the last
 * one clears MSI-X enable.
 */
#ifndef LIBMSIDOM_BM_PCI_H
#define LIBMSIDOM_BM_PCI_H

#include <libmsidom/common.h>
#include <libmsidom/bm_platform.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Configuration of a PCI MSI or MSI-X device domain. */
struct msidom_bm_pci_config {
	/** sizeof(struct msidom_bm_pci_config): see MSIDOM_OPTS(). */
	size_t sz;
	/** The function's address for the config hooks (MSIDOM_BM_SBDF()). */
	uint32_t sbdf;
	/** Platform hooks; borrowed. */
	const struct msidom_bm_platform *platform;
	/**
	 * Use at most this many vectors (0: all the capability offers).
	 * MSI rounds down to a power of two.
	 */
	uint32_t max_vectors;
	/**
	 * MSI-X only, optional: the sizes in bytes of BARs 0..5 (6 entries;
	 * 0 for "unknown"). When NULL or 0 for the table's or PBA's BAR, the
	 * library sizes that BAR at creation: it clears Memory Space Enable,
	 * writes all ones to the BAR, reads the size mask, restores the BAR
	 * and then the command register.
	 */
	const uint64_t *bar_sizes;
};

/**
 * @brief Create the PCI MSI domain of @p dev (slot MSIDOM_DEFAULT_DOMAIN),
 * named "<parent prefix>PCI-MSI-<device name>".
 * @param dev Device.
 * @param cfg Configuration.
 * @param parent Parent domain (MSIDOM_DOMAIN_MSI_PARENT).
 * @param[out] out The new domain.
 * @return 0, -EINVAL (bad arguments, malformed capability list),
 * -ENODEV (no function, no MSI capability), -EIO (config access failed),
 * -EEXIST (slot in use), -ENOMEM.
 */
MSIDOM_API int msidom_bm_pci_msi_domain_create(struct msidom_device *dev,
					       const struct msidom_bm_pci_config *cfg,
					       struct msidom_domain *parent,
					       struct msidom_domain **out);

/**
 * @brief Create the PCI MSI-X domain of @p dev (slot
 * MSIDOM_DEFAULT_DOMAIN), named "<parent prefix>PCI-MSIX-<device name>".
 * @param dev Device.
 * @param cfg Configuration.
 * @param parent Parent domain (MSIDOM_DOMAIN_MSI_PARENT).
 * @param[out] out The new domain.
 * @return 0, -EINVAL (bad arguments, malformed capability, table or PBA
 * outside its BAR or overlapping each other, I/O or unassigned BAR), -ENODEV (no function, no MSI-X
 * capability), -EIO (config access failed), -EEXIST, -ENOMEM.
 */
MSIDOM_API int msidom_bm_pci_msix_domain_create(struct msidom_device *dev,
						const struct msidom_bm_pci_config *cfg,
						struct msidom_domain *parent,
						struct msidom_domain **out);

/**
 * @brief Find a capability in the standard capability list.
 * @param platform Platform hooks (pci_read is used).
 * @param sbdf Function.
 * @param cap_id Capability id (0x05 MSI, 0x11 MSI-X).
 * @return The capability's config offset (0x40..0xfc), -ENODEV (no
 * function or no such capability), -EINVAL (malformed list), -EIO.
 */
MSIDOM_API int msidom_bm_pci_find_cap(const struct msidom_bm_platform *platform, uint32_t sbdf,
				      uint8_t cap_id);

#ifdef __cplusplus
}
#endif

#endif
