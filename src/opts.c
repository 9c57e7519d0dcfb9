/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Size-versioned structs: every caller-filled struct starts with its own
 * sizeof, so a library and a program built against different headers
 * still agree on which members exist.
 */
#include "internal.h"

static bool tail_is_zero(const unsigned char *p, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		if (p[i])
			return false;
	return true;
}

static void copy_bytes(unsigned char *dst, const unsigned char *src, size_t from, size_t to)
{
	for (size_t i = from; i < to; i++)
		dst[i] = src[i];
}

MSIDOM_API const void *msidom_opts_load(struct msidom_ctx *ctx, const void *opts, void *local,
					size_t size, const char *what, int *err)
{
	const unsigned char *src = opts;
	size_t sz;

	if (!opts || !local || size < sizeof(size_t) || !err) {
		if (err)
			*err = -MSIDOM_EINVAL;
		pr_err(ctx, "%s: NULL struct", what ? what : "options");
		return NULL;
	}
	sz = *(const size_t *)opts;
	*err = 0;
	if (sz == size)
		return opts;
	if (sz < sizeof(size_t)) {
		pr_err(ctx, "%s: sz %zu cannot hold its own size member (use MSIDOM_OPTS())", what,
		       sz);
		*err = -MSIDOM_EINVAL;
		return NULL;
	}
	if (sz > size && !tail_is_zero(src, size, sz)) {
		pr_err(ctx, "%s: sz %zu > %zu and members this library does not know are set", what,
		       sz, size);
		*err = -MSIDOM_E2BIG;
		return NULL;
	}
	msidom__memzero(local, size);
	copy_bytes(local, src, 0, sz < size ? sz : size);
	*(size_t *)local = size;
	return local;
}

MSIDOM_API int msidom_opts_store(struct msidom_ctx *ctx, void *out, const void *full, size_t size,
				 const char *what)
{
	unsigned char *dst = out;
	size_t sz;

	if (!out || !full || size < sizeof(size_t)) {
		pr_err(ctx, "%s: NULL struct", what ? what : "info");
		return -MSIDOM_EINVAL;
	}
	sz = *(const size_t *)out;
	if (sz < sizeof(size_t)) {
		pr_err(ctx, "%s: sz %zu cannot hold its own size member (use MSIDOM_OPTS())", what,
		       sz);
		return -MSIDOM_EINVAL;
	}
	copy_bytes(dst, full, sizeof(size_t), sz < size ? sz : size);
	for (size_t i = size; i < sz; i++)
		dst[i] = 0;
	return 0;
}
