/* SPDX-License-Identifier: BSD-2-Clause */
#include "bitmap.h"

#include "internal.h"

/*
 * Where the CPU has no 64-bit count-trailing-zeros instruction the
 * builtin becomes a libgcc call, which a freestanding build cannot have:
 * use a de Bruijn multiply there (v != 0).
 */
static inline unsigned int ctz64(uint64_t v)
{
#if defined(__x86_64__) || defined(__aarch64__)
	return (unsigned int)__builtin_ctzll(v);
#else
	static const uint8_t pos[64] = {
		0,  1,  2,  53, 3,  7,  54, 27, 4,  38, 41, 8,  34, 55, 48, 28,
		62, 5,  39, 46, 44, 42, 22, 9,  24, 35, 59, 56, 49, 18, 29, 11,
		63, 52, 6,  26, 37, 40, 33, 47, 61, 45, 43, 21, 23, 58, 17, 10,
		51, 25, 36, 32, 60, 20, 57, 16, 50, 31, 19, 15, 30, 14, 13, 12,
	};

	return pos[((v & (0 - v)) * 0x022fdd63cc95386dull) >> 58];
#endif
}

int msidom__bitmap_init(struct msidom_ctx *ctx, struct msidom_bitmap *b, uint32_t nbits)
{
	uint32_t n = nbits, total = 0;
	uint8_t lv = 0;

	if (!nbits)
		return -MSIDOM_EINVAL;
	do {
		if (lv == MSIDOM_BITMAP_MAX_LEVELS)
			return -MSIDOM_EINVAL;
		b->off[lv] = total;
		b->nwords[lv] = (n + 63) / 64;
		total += b->nwords[lv];
		n = b->nwords[lv];
		lv++;
	} while (n > 1);

	b->bytes = (size_t)total * sizeof(uint64_t);
	b->words = msidom_zalloc(ctx, b->bytes);
	if (!b->words)
		return -MSIDOM_ENOMEM;
	b->nbits = nbits;
	b->nlevels = lv;

	/*
	 * Bits past the end of each level are set, so they are never found
	 * free and a word holding them still reads as full.
	 */
	n = nbits;
	for (lv = 0; lv < b->nlevels; lv++) {
		uint32_t tail = n % 64;
		uint64_t *w = &b->words[b->off[lv] + b->nwords[lv] - 1];

		if (tail)
			*w |= ~0ull << tail;
		n = b->nwords[lv];
	}
	return 0;
}

void msidom__bitmap_fini(struct msidom_ctx *ctx, struct msidom_bitmap *b)
{
	if (b->words)
		msidom_free(ctx, b->words, b->bytes);
	b->words = NULL;
}

bool msidom__bitmap_test(const struct msidom_bitmap *b, uint32_t bit)
{
	return (b->words[bit / 64] >> (bit % 64)) & 1;
}

void msidom__bitmap_set(struct msidom_bitmap *b, uint32_t bit)
{
	for (uint8_t lv = 0; lv < b->nlevels; lv++) {
		uint64_t *w = &b->words[b->off[lv] + bit / 64];

		*w |= 1ull << (bit % 64);
		if (*w != ~0ull)
			return;
		bit /= 64;
	}
}

void msidom__bitmap_clear(struct msidom_bitmap *b, uint32_t bit)
{
	for (uint8_t lv = 0; lv < b->nlevels; lv++) {
		uint64_t *w = &b->words[b->off[lv] + bit / 64];
		bool was_full = *w == ~0ull;

		*w &= ~(1ull << (bit % 64));
		if (!was_full)
			return;
		bit /= 64;
	}
}

int64_t msidom__bitmap_find_zero(const struct msidom_bitmap *b)
{
	uint64_t idx = 0;

	for (int lv = b->nlevels - 1; lv >= 0; lv--) {
		uint64_t w = b->words[b->off[lv] + idx];

		if (w == ~0ull)
			return -1;
		idx = idx * 64 + ctz64(~w);
	}
	return idx < b->nbits ? (int64_t)idx : -1;
}

int64_t msidom__bitmap_next_set(const struct msidom_bitmap *b, uint32_t from)
{
	uint32_t wi;
	uint64_t w;

	if (from >= b->nbits)
		return -1;
	wi = from / 64;
	w = b->words[wi] & (~0ull << (from % 64));
	for (;;) {
		if (w) {
			uint64_t bit = (uint64_t)wi * 64 + ctz64(w);

			return bit < b->nbits ? (int64_t)bit : -1;
		}
		if (++wi >= b->nwords[0])
			return -1;
		w = b->words[wi];
	}
}

/* Lowest clear bit in [from, nbits), or nbits. */
static uint64_t next_clear(const uint64_t *map, uint32_t nbits, uint64_t from)
{
	uint64_t wi = from / 64;
	uint64_t w;

	if (from >= nbits)
		return nbits;
	w = ~map[wi] & (~0ull << (from % 64));
	/* Whole words at a time: a nearly full map must not cost a step per bit. */
	while (!w) {
		if (++wi * 64 >= nbits)
			return nbits;
		w = ~map[wi];
	}
	from = wi * 64 + ctz64(w);
	return from < nbits ? from : nbits;
}

/* Lowest set bit in [from, to), or to (to <= nbits). */
static uint64_t next_set_below(const uint64_t *map, uint64_t from, uint64_t to)
{
	uint64_t wi = from / 64;
	uint64_t w;

	if (from >= to)
		return to;
	w = map[wi] & (~0ull << (from % 64));
	while (!w) {
		if (++wi * 64 >= to)
			return to;
		w = map[wi];
	}
	from = wi * 64 + ctz64(w);
	return from < to ? from : to;
}

/* Smallest y >= x with (y + off) a multiple of align (off < align). */
static uint64_t align_up(uint64_t x, uint64_t align, uint64_t off)
{
	return ((x + off + align - 1) & ~(align - 1)) - off;
}

MSIDOM_API int64_t msidom_bitmap_find_area_off(const uint64_t *map, uint32_t nbits, uint32_t n,
					       uint32_t align, uint32_t offset)
{
	uint64_t off, start, busy;

	if (!map || !n || !align || (align & (align - 1)))
		return -MSIDOM_EINVAL;
	off = offset & (align - 1);
	start = 0;
	for (;;) {
		/*
		 * Every candidate before the next clear bit starts on a set bit,
		 * and every candidate up to a set bit inside the window covers
		 * it: both jumps skip only starts that cannot fit.
		 */
		start = align_up(next_clear(map, nbits, start), align, off);
		if (start + n > nbits)
			return -MSIDOM_ENOSPC;
		busy = next_set_below(map, start, start + n);
		if (busy == start + n)
			return (int64_t)start;
		start = busy + 1;
	}
}

MSIDOM_API int64_t msidom_bitmap_find_area(const uint64_t *map, uint32_t nbits, uint32_t n,
					   uint32_t align)
{
	return msidom_bitmap_find_area_off(map, nbits, n, align, 0);
}
