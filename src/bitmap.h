/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Hierarchical bitmap: a set bit in level k+1 says the word below is full,
 * so the lowest clear bit is found in O(log64 n) and set/clear cost the
 * same. Used for virqs, descriptor indexes and backend tables.
 */
#ifndef MSIDOM_BITMAP_H
#define MSIDOM_BITMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libmsidom/provider/bitmap.h>

#define MSIDOM_BITMAP_MAX_LEVELS 5

struct msidom_ctx;

struct msidom_bitmap {
	uint64_t *words; /* all levels, level 0 first */
	uint32_t nbits;
	uint8_t nlevels;
	uint32_t off[MSIDOM_BITMAP_MAX_LEVELS];    /* word offset of each level */
	uint32_t nwords[MSIDOM_BITMAP_MAX_LEVELS]; /* words in each level */
	size_t bytes;
};

int msidom__bitmap_init(struct msidom_ctx *ctx, struct msidom_bitmap *b, uint32_t nbits);
void msidom__bitmap_fini(struct msidom_ctx *ctx, struct msidom_bitmap *b);
bool msidom__bitmap_test(const struct msidom_bitmap *b, uint32_t bit);
void msidom__bitmap_set(struct msidom_bitmap *b, uint32_t bit);
void msidom__bitmap_clear(struct msidom_bitmap *b, uint32_t bit);
/* Lowest clear bit, or -1 if all are set. */
int64_t msidom__bitmap_find_zero(const struct msidom_bitmap *b);
/* Lowest set bit >= @from, or -1. */
int64_t msidom__bitmap_next_set(const struct msidom_bitmap *b, uint32_t from);
/*
 * Block searches go through msidom_bitmap_find_area() on level 0
 * (b->words, b->nbits): the levels above only speed up single bits.
 */

#endif
