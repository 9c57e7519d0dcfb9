/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file bm_platform.h
 * @brief Platform hooks of the bare-metal backend: how the library reaches
 * PCI config space, device MMIO and interrupt remapping hardware when no
 * operating system sits underneath.
 *
 * The library never touches hardware on its own: every config access,
 * every MMIO access and every barrier goes through these hooks, so the
 * same code runs in a hypervisor, in firmware or against a software model.
 */
#ifndef LIBMSIDOM_BM_PLATFORM_H
#define LIBMSIDOM_BM_PLATFORM_H

#include <libmsidom/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Build a PCI address for the config hooks.
 * @param seg PCI segment (domain).
 * @param bus Bus number.
 * @param dev Device number (0..31).
 * @param fn Function number (0..7).
 */
#define MSIDOM_BM_SBDF(seg, bus, dev, fn)                                     \
	((((uint32_t)(seg)&0xffffu) << 16) | (((uint32_t)(bus)&0xffu) << 8) | \
	 (((uint32_t)(dev)&0x1fu) << 3) | ((uint32_t)(fn)&0x7u))

/**
 * @brief Hooks the bare-metal backend is built on.
 *
 * Each domain copies the structure when it is created, so it may be a
 * local of the creating code; later changes to it do not reach domains
 * that already exist. Which members are mandatory depends on the domain:
 * PCI MSI needs pci_read and pci_write; PCI MSI-X additionally needs
 * mmio_read32 and mmio_write32; the x86 vector and doorbell roots need
 * none; the VT-d remapping domain uses barrier, store128 and
 * irte_invalidate when present.
 */
struct msidom_bm_platform {
	/** sizeof(struct msidom_bm_platform): see MSIDOM_OPTS(). */
	size_t sz;
	/**
	 * Read @p size (1, 2 or 4) bytes of config space of function @p sbdf
	 * (see MSIDOM_BM_SBDF) at @p offset into *value.
	 * Returns 0 or a negative errno (reported as -EIO).
	 */
	int (*pci_read)(void *opaque, uint32_t sbdf, uint16_t offset, uint8_t size,
			uint32_t *value);
	/**
	 * Write the low @p size (1, 2 or 4) bytes of @p value to config
	 * space of @p sbdf at @p offset. Returns 0 or a negative errno.
	 */
	int (*pci_write)(void *opaque, uint32_t sbdf, uint16_t offset, uint8_t size,
			 uint32_t value);
	/** Read 32 bits of device memory at physical address @p addr. */
	uint32_t (*mmio_read32)(void *opaque, uint64_t addr);
	/** Write 32 bits of device memory at physical address @p addr. */
	void (*mmio_write32)(void *opaque, uint64_t addr, uint32_t value);
	/**
	 * Full memory barrier, ordering the library's stores to the
	 * remapping table before later stores. NULL: a compiler-generated
	 * sequentially consistent fence.
	 */
	void (*barrier)(void *opaque);
	/**
	 * Optional: store one 16-byte remapping table entry atomically
	 * (e.g. cmpxchg16b). @p dst is 16-byte aligned; @p lo goes to the
	 * lower address. Returns 0 or a negative errno. NULL: the library
	 * writes the upper half, a barrier, then the lower half.
	 */
	int (*store128)(void *opaque, volatile void *dst, uint64_t lo, uint64_t hi);
	/**
	 * Optional: invalidate the interrupt entry cache for the naturally
	 * aligned block of @p count (a power of two) entries starting at
	 * @p index, after the library changed them (VT-d: an IEC
	 * invalidation descriptor with index and index mask, then a wait).
	 * Returns 0 or a negative errno (reported as -EIO).
	 */
	int (*irte_invalidate)(void *opaque, uint32_t index, uint32_t count);
	/** Opaque argument of every hook. */
	void *opaque;
};

#ifdef __cplusplus
}
#endif

#endif
