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

int64_t msidom__bitmap_find_zero_area(const struct msidom_bitmap *b, uint32_t count, uint32_t align)
{
	if (!count || !align || (align & (align - 1)))
		return -1;
	for (uint64_t start = 0; start + count <= b->nbits; start += align) {
		uint32_t i;

		for (i = 0; i < count; i++)
			if (msidom__bitmap_test(b, (uint32_t)(start + i)))
				break;
		if (i == count)
			return (int64_t)start;
	}
	return -1;
}
