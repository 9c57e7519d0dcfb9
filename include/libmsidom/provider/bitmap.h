/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file provider/bitmap.h
 * @brief Free-area search in a flat bitmap, for domain implementations
 * that keep their own entry or vector tables (remapping tables, doorbell
 * data ranges).
 *
 * The map is an array of 64-bit words: entry @c i is bit <tt>i % 64</tt>
 * of word <tt>i / 64</tt>, set when the entry is in use. Bits at and past
 * @c nbits are never read as free, whatever their value, so the tail of
 * the last word need not be kept in any particular state. The map is only
 * read; the caller sets the bits of the area it takes.
 */
#ifndef LIBMSIDOM_PROVIDER_BITMAP_H
#define LIBMSIDOM_PROVIDER_BITMAP_H

#include <libmsidom/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Find the lowest run of @p n clear bits that starts on a multiple
 * of @p align.
 *
 * A multi-MSI block of @p n vectors takes <tt>align = n</tt>; single
 * entries take <tt>n = 1, align = 1</tt> (the lowest clear bit).
 * @param map Words of the bitmap, at least <tt>(nbits + 63) / 64</tt>.
 * @param nbits Number of entries the map describes.
 * @param n Length of the run, at least 1.
 * @param align Alignment of the run's first entry, a power of two.
 * @return The first entry of the run (0 .. nbits - 1), -MSIDOM_ENOSPC if
 * no such run exists (also when @p n exceeds @p nbits), or -MSIDOM_EINVAL
 * (NULL @p map, @p n 0, @p align 0 or not a power of two).
 */
MSIDOM_API int64_t msidom_bitmap_find_area(const uint64_t *map, uint32_t nbits, uint32_t n,
					   uint32_t align);

/**
 * @brief Like msidom_bitmap_find_area(), with the alignment taken in a
 * shifted number space: the run's first entry plus @p offset is a
 * multiple of @p align.
 *
 * For tables whose entry @c i stands for the number <tt>offset + i</tt>,
 * e.g. a doorbell whose MSI data is <tt>base + i</tt>: a multi-message
 * function replaces the low bits of the data with the message number, so
 * the block must be aligned in data space.
 * @param map Words of the bitmap, at least <tt>(nbits + 63) / 64</tt>.
 * @param nbits Number of entries the map describes.
 * @param n Length of the run, at least 1.
 * @param align Alignment of the run's first entry plus @p offset, a power
 *        of two.
 * @param offset Number that entry 0 stands for; only its remainder
 *        modulo @p align matters.
 * @return The first entry of the run (0 .. nbits - 1), -MSIDOM_ENOSPC if
 * no such run exists, or -MSIDOM_EINVAL (as msidom_bitmap_find_area()).
 */
MSIDOM_API int64_t msidom_bitmap_find_area_off(const uint64_t *map, uint32_t nbits, uint32_t n,
					       uint32_t align, uint32_t offset);

#ifdef __cplusplus
}
#endif

#endif
