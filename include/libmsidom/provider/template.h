/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file provider/template.h
 * @brief Per-device domains from a template, for backends that drive a
 * device's message storage (PCI MSI-X tables, IMS storage, VFIO).
 */
#ifndef LIBMSIDOM_PROVIDER_TEMPLATE_H
#define LIBMSIDOM_PROVIDER_TEMPLATE_H

#include <libmsidom/common.h>
#include <libmsidom/device.h>
#include <libmsidom/provider/domain.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Template of a per-device domain (like the kernel's
 * msi_domain_template).
 */
struct msidom_template {
	/** sizeof(struct msidom_template): see MSIDOM_OPTS(). */
	size_t sz;
	/** Bus name inside the domain name: "PCI-MSIX" gives IR-PCI-MSIX-0000:03:00.0. */
	const char *name;
	/** Bus token (MSIDOM_BUS_PCI_MSIX, ...). */
	enum msidom_bus_token bus;
	/** MSIDOM_DOMAIN_* flags (DEVICE is added). */
	uint32_t flags;
	/** Number of indexes, 1 .. MSIDOM_MAX_HWSIZE. */
	uint32_t hwsize;
	/** Domain ops (prepare_desc, set_desc, ...), or NULL. */
	const struct msidom_domain_ops *ops;
	/** Chip ops (write_msg, mask, unmask, ...), or NULL. */
	const struct msidom_chip_ops *chip;
	/** Private data, returned by msidom_domain_priv(). */
	void *priv;
	/** Cookie for allocations that give none. */
	msidom_cookie default_cookie;
};

/**
 * @brief Create the per-device domain of @p slot from a template.
 *
 * @p parent must be flagged MSIDOM_DOMAIN_MSI_PARENT. The name is the
 * parent's child prefix, the template name and the device name.
 * @param dev The device.
 * @param slot Slot to populate.
 * @param tmpl Template; name, hwsize, ops, chip, priv and cookie are used.
 * @param parent Parent domain.
 * @param[out] out The new domain, or NULL on failure.
 * @return 0, -EINVAL, -EEXIST (slot in use), -ENOMEM.
 */
MSIDOM_API int msidom_device_domain_create(struct msidom_device *dev, enum msidom_slot slot,
					   const struct msidom_template *tmpl,
					   struct msidom_domain *parent,
					   struct msidom_domain **out);

#ifdef __cplusplus
}
#endif

#endif
