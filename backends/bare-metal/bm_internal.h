/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Shared helpers of the bare-metal backend. Nothing here is public: the
 * backend only uses the core's public API, so it can be linked against any
 * core build.
 */
#ifndef MSIDOM_BM_INTERNAL_H
#define MSIDOM_BM_INTERNAL_H

#include <libmsidom/baremetal.h>
#include <libmsidom/provider.h>

/* Internal symbols stay in the library's namespace: a static archive links into foreign kernels. */
#define bm_want_block            msidom__bm_want_block
#define bm_barrier               msidom__bm_barrier
#define bm_zero                  msidom__bm_zero
#define bm_copy                  msidom__bm_copy
#define bm_platform_load         msidom__bm_platform_load
#define bm_x86_vector_target     msidom__bm_x86_vector_target
#define bm_x86_vector_abort_move msidom__bm_x86_vector_abort_move
#define bm_is_x86_vector         msidom__bm_is_x86_vector
#define bm_cfg_read              msidom__bm_cfg_read
#define bm_cfg_write             msidom__bm_cfg_write
#define bm_find_cap              msidom__bm_find_cap

/* First word of every private structure, so creators can check a parent's type. */
enum bm_magic {
	BM_MAGIC_VECTOR = 0x76656374u,
	BM_MAGIC_VTD = 0x76746469u,
	BM_MAGIC_DOORBELL = 0x646f6f72u,
	BM_MAGIC_MSI = 0x6d736930u,
	BM_MAGIC_MSIX = 0x6d736978u,
};

#define bm_err(ctx, ...)   msidom_log((ctx), MSIDOM_LOG_ERR, __VA_ARGS__)
#define bm_debug(ctx, ...) msidom_log((ctx), MSIDOM_LOG_DEBUG, __VA_ARGS__)

static inline bool bm_bit_test(const uint64_t *map, uint32_t bit)
{
	return (map[bit >> 6] >> (bit & 63u)) & 1u;
}

static inline void bm_bit_set(uint64_t *map, uint32_t bit)
{
	map[bit >> 6] |= 1ull << (bit & 63u);
}

static inline void bm_bit_clear(uint64_t *map, uint32_t bit)
{
	map[bit >> 6] &= ~(1ull << (bit & 63u));
}

static inline bool bm_is_pow2(uint32_t v)
{
	return v && !(v & (v - 1u));
}

/* Smallest power of two >= v (v <= 1 << 31). */
static inline uint32_t bm_roundup_pow2(uint32_t v)
{
	uint32_t p = 1;

	while (p < v)
		p <<= 1;
	return p;
}

static inline uint32_t bm_log2(uint32_t v)
{
	uint32_t l = 0;

	while (v > 1u) {
		v >>= 1;
		l++;
	}
	return l;
}

static inline bool bm_cpumask_test(const struct msidom_cpumask *mask, uint32_t cpu)
{
	if (!mask)
		return true;
	if (cpu >= mask->nbits || !mask->bits)
		return false;
	return bm_bit_test(mask->bits, cpu);
}

/*
 * Whether an allocation of @nr interrupts must be one aligned block at
 * level @d: only the level directly under a multi-message MSI device
 * domain sees the device add its vector number to the message data.
 */
bool bm_want_block(struct msidom_domain *d, struct msidom_irq_data *const *data, unsigned int nr);

/* Full barrier through the platform hook, or a compiler fence. */
void bm_barrier(const struct msidom_bm_platform *plat);

/* Zero @n bytes without libc (and without a call gcc could turn into memset). */
void bm_zero(void *p, size_t n);

/* Copy @n bytes without libc (and without a call gcc could turn into memcpy). */
void bm_copy(void *dst, const void *src, size_t n);

/*
 * Load the caller's platform hooks into @into, whatever header version the
 * caller was built with; the domain keeps the copy, so the caller's struct
 * need not outlive the call. 0, -EINVAL (NULL or bad sz), -E2BIG.
 */
int bm_platform_load(struct msidom_ctx *ctx, const struct msidom_bm_platform *given,
		     struct msidom_bm_platform *into);

/* x86 vector domain: where the vector-level interrupt @data is delivered. */
int bm_x86_vector_target(struct msidom_irq_data *data, uint8_t *vector, uint32_t *apic_id);
/* x86 vector domain: undo a move set_affinity started whose switch failed. */
void bm_x86_vector_abort_move(struct msidom_irq_data *data);
/* Whether @d is an x86 vector domain of this backend. */
bool bm_is_x86_vector(const struct msidom_domain *d);

/* PCI config helpers: 0 or -EIO (logged). */
int bm_cfg_read(struct msidom_ctx *ctx, const struct msidom_bm_platform *plat, uint32_t sbdf,
		uint16_t off, uint8_t size, uint32_t *val);
int bm_cfg_write(struct msidom_ctx *ctx, const struct msidom_bm_platform *plat, uint32_t sbdf,
		 uint16_t off, uint8_t size, uint32_t val);
int bm_find_cap(struct msidom_ctx *ctx, const struct msidom_bm_platform *plat, uint32_t sbdf,
		uint8_t cap_id);

/* PCI config space offsets and bits used by the device domains. */
#define PCI_VENDOR_ID       0x00
#define PCI_COMMAND         0x04
#define PCI_COMMAND_MEMORY  0x2u
#define PCI_STATUS          0x06
#define PCI_STATUS_CAP_LIST 0x10u
#define PCI_BAR0            0x10
#define PCI_CAP_PTR         0x34
#define PCI_CAP_ID_MSI      0x05
#define PCI_CAP_ID_MSIX     0x11

#define PCI_MSI_FLAGS         2
#define PCI_MSI_FLAGS_ENABLE  0x0001u
#define PCI_MSI_FLAGS_QMASK   0x000eu
#define PCI_MSI_FLAGS_QSIZE   0x0070u
#define PCI_MSI_FLAGS_64BIT   0x0080u
#define PCI_MSI_FLAGS_MASKBIT 0x0100u
#define PCI_MSI_ADDRESS_LO    4
#define PCI_MSI_ADDRESS_HI    8
#define PCI_MSI_DATA_32       8
#define PCI_MSI_DATA_64       12
#define PCI_MSI_MASK_32       12
#define PCI_MSI_MASK_64       16

#define PCI_MSIX_FLAGS              2
#define PCI_MSIX_FLAGS_QSIZE        0x07ffu
#define PCI_MSIX_FLAGS_MASKALL      0x4000u
#define PCI_MSIX_FLAGS_ENABLE       0x8000u
#define PCI_MSIX_TABLE              4
#define PCI_MSIX_PBA                8
#define PCI_MSIX_BIR                0x7u
#define PCI_MSIX_ENTRY_SIZE         16u
#define PCI_MSIX_ENTRY_ADDR_LO      0u
#define PCI_MSIX_ENTRY_ADDR_HI      4u
#define PCI_MSIX_ENTRY_DATA         8u
#define PCI_MSIX_ENTRY_CTRL         12u
#define PCI_MSIX_ENTRY_CTRL_MASKBIT 1u

#endif
