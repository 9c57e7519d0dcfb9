/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file bm_x86.h
 * @brief x86 vector domain: a root domain handing out (CPU, vector) pairs
 * from per-CPU vector tables, and the x86 MSI message format.
 *
 * The domain's hwirq is cpu * 256 + vector (see MSIDOM_BM_X86_HWIRQ()). An
 * interrupt entry stub for vector v running on CPU c dispatches with
 * msidom_handle(domain, MSIDOM_BM_X86_HWIRQ(c, v)). Vectors 0..31
 * (exceptions) and the caller's reserved system vectors are never handed
 * out. Allocation picks, among the CPUs of the affinity mask, the one with
 * the fewest allocated vectors (lowest CPU number on ties) and its lowest
 * free vector. An affinity change allocates the new vector first, keeps
 * both mapped while the message is switched, and releases the old one
 * in the affinity_commit step (per interrupt: inside a caller's batch
 * every moved interrupt holds its old vector until the batch ends, and a
 * second move of the same interrupt before that fails with -EBUSY unless
 * it goes back to the old CPU). The move keeps the vector number when it
 * is free on the new CPU; otherwise it prefers a number that is also free
 * on the old CPU and holds that (old CPU, new vector) pair for the
 * interrupt until the commit, so a function that cannot be masked and
 * gets its data before its address (PCI MSI without mask bits) never
 * sends to another interrupt's vector in between (Linux steps through
 * the same pair). If no such number exists, that intermediate pair may
 * belong to another interrupt and reach it as a spurious interrupt, as
 * in Linux. Managed vectors (alloc option "managed")
 * are never moved: set_affinity on them fails with -EPERM.
 *
 * The domain is flagged MSIDOM_DOMAIN_MSI_PARENT with an empty child
 * prefix, so PCI device domains may sit directly on it ("PCI-MSIX-...").
 * Multi-message MSI directly on this domain gets one naturally aligned
 * block of vectors on a single CPU; such vectors cannot be moved.
 * Destroy it with msidom_domain_destroy().
 */
#ifndef LIBMSIDOM_BM_X86_H
#define LIBMSIDOM_BM_X86_H

#include <libmsidom/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Most CPUs one vector domain manages (hwsize = ncpus * 256). */
#define MSIDOM_BM_X86_MAX_CPUS 65535u

/** @brief First vector the domain may hand out (0..31 are exceptions). */
#define MSIDOM_BM_X86_FIRST_VECTOR 32u

/**
 * @brief The vector domain hwirq of (@p cpu, @p vector).
 * @param cpu CPU index (0 .. ncpus - 1, not the APIC id).
 * @param vector Vector (0..255).
 */
#define MSIDOM_BM_X86_HWIRQ(cpu, vector) (((uint32_t)(cpu) << 8) | ((uint32_t)(vector)&0xffu))

/** @brief Configuration of an x86 vector domain. */
struct msidom_bm_x86_vector_config {
	/** sizeof(struct msidom_bm_x86_vector_config): see MSIDOM_OPTS(). */
	size_t sz;
	/** Domain name, copied; NULL for "VECTOR". */
	const char *name;
	/** Number of CPUs, 1 .. MSIDOM_BM_X86_MAX_CPUS. */
	uint32_t ncpus;
	/** APIC id of each CPU (ncpus entries), copied. */
	const uint32_t *apic_ids;
	/**
	 * Optional bitmap of 256 bits (4 words, bit v of word v / 64) of
	 * system vectors never handed out on any CPU; NULL for none.
	 * Vectors 0..31 are always excluded.
	 */
	const uint64_t *reserved;
	/**
	 * Allow APIC ids 256..32767 in composed messages through the
	 * extended destination id (address bits 11:5), as offered by
	 * hypervisors. Without it, composing for an APIC id above 255 fails
	 * with -EINVAL (a remapping domain on top carries any id).
	 */
	bool ext_dest_id;
};

/**
 * @brief Create an x86 vector root domain.
 * @param ctx Context.
 * @param cfg Configuration.
 * @param[out] out The new domain.
 * @return 0, -EINVAL (no CPUs, too many CPUs, NULL apic_ids, duplicate
 * APIC ids, every vector reserved), -ENOMEM.
 */
MSIDOM_API int msidom_bm_x86_vector_domain_create(struct msidom_ctx *ctx,
						  const struct msidom_bm_x86_vector_config *cfg,
						  struct msidom_domain **out);

/**
 * @brief Number of vectors currently allocated on @p cpu (vectors held
 * for an affinity change in progress included).
 * @param d An x86 vector domain.
 * @param cpu CPU index.
 * @return The count, or -EINVAL (not a vector domain, bad CPU).
 */
MSIDOM_API int msidom_bm_x86_vector_load(struct msidom_domain *d, uint32_t cpu);

/**
 * @brief Where @p virq is delivered (during an unfinished affinity
 * change: the new target).
 * @param d An x86 vector domain.
 * @param virq Interrupt allocated through @p d.
 * @param[out] cpu CPU index (may be NULL).
 * @param[out] vector Vector (may be NULL).
 * @return 0, -EINVAL, -ENOENT (not allocated through this domain).
 */
MSIDOM_API int msidom_bm_x86_vector_lookup(struct msidom_domain *d, uint32_t virq, uint32_t *cpu,
					   uint8_t *vector);

/**
 * @brief Compose a non-remapped x86 MSI message: fixed delivery, edge,
 * physical destination mode, no redirection hint.
 *
 * Address 0xFEEx_xxxx with destination id bits 7:0 in address bits 19:12
 * and, with @p ext_dest_id, bits 14:8 in address bits 11:5; data holds
 * the vector.
 * @param apic_id Destination APIC id.
 * @param vector Vector (32..255).
 * @param ext_dest_id Whether APIC ids up to 32767 may be encoded.
 * @param[out] msg The message.
 * @return 0, -EINVAL (vector below 32, APIC id not encodable).
 */
MSIDOM_API int msidom_bm_x86_compose_msi(uint32_t apic_id, uint8_t vector, bool ext_dest_id,
					 struct msidom_msg *msg);

#ifdef __cplusplus
}
#endif

#endif
