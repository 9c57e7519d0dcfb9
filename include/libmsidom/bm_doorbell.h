/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file bm_doorbell.h
 * @brief Generic doorbell root domain (GICv2m frame, RISC-V IMSIC file
 * and similar): every message goes to one fixed doorbell address, and the
 * data selects the interrupt.
 *
 * The domain's hwirq is the offset into its interrupt range: the message
 * for hwirq h is address = doorbell, data = base + h. The controller's
 * interrupt entry dispatches interrupt number n with
 * msidom_handle(domain, n - base). Multi-message MSI gets a block that is
 * naturally aligned in data space (base + h), as the function ORs the
 * message number into the low data bits. The domain is flagged MSIDOM_DOMAIN_MSI_PARENT (empty
 * child prefix) and has no affinity support (-ENOSYS).
 * Destroy it with msidom_domain_destroy().
 */
#ifndef LIBMSIDOM_BM_DOORBELL_H
#define LIBMSIDOM_BM_DOORBELL_H

#include <libmsidom/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Configuration of a doorbell root domain. */
struct msidom_bm_doorbell_config {
	/** sizeof(struct msidom_bm_doorbell_config): see MSIDOM_OPTS(). */
	size_t sz;
	/** Domain name, copied; NULL for "DOORBELL". */
	const char *name;
	/** Physical address devices write to (e.g. MSI_SETSPI_NS). */
	uint64_t doorbell;
	/** Data value of hwirq 0 (e.g. the first SPI of a GICv2m frame). */
	uint32_t base;
	/** Number of interrupts, 1 .. 1 << 24, base + count - 1 <= UINT32_MAX. */
	uint32_t count;
	/** The controller isolates devices (sets MSIDOM_DOMAIN_ISOLATED_MSI). */
	bool isolated;
};

/**
 * @brief Create a doorbell root domain.
 * @param ctx Context.
 * @param cfg Configuration.
 * @param[out] out The new domain.
 * @return 0, -EINVAL, -ENOMEM.
 */
MSIDOM_API int msidom_bm_doorbell_domain_create(struct msidom_ctx *ctx,
						const struct msidom_bm_doorbell_config *cfg,
						struct msidom_domain **out);

#ifdef __cplusplus
}
#endif

#endif
