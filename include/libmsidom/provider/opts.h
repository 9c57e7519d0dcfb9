/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file provider/opts.h
 * @brief Reading the caller's size-versioned structs (see MSIDOM_OPTS())
 * in a backend or domain implementation, the way the core reads its own.
 */
#ifndef LIBMSIDOM_PROVIDER_OPTS_H
#define LIBMSIDOM_PROVIDER_OPTS_H

#include <libmsidom/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Check a caller's input struct against the library's layout.
 *
 * A struct of exactly @p size bytes is used in place, with no copy. A
 * smaller one is copied into @p local and zero-extended; a larger one is
 * copied if the bytes beyond @p size are all zero.
 * @param ctx Context for the log line of a refusal, or NULL.
 * @param opts The caller's struct; its first member is `size_t sz`.
 * @param local Room for @p size bytes, used when the sizes differ.
 * @param size The library's sizeof of the struct.
 * @param what The struct's name, for the log line.
 * @param[out] err 0, -EINVAL (NULL @p opts, or an sz too small to hold
 * sz itself) or -E2BIG (a member this library does not know is set).
 * @return @p opts or @p local, or NULL on error.
 */
MSIDOM_API const void *msidom_opts_load(struct msidom_ctx *ctx, const void *opts, void *local,
					size_t size, const char *what, int *err);

/**
 * @brief Copy an info or stats struct to the caller, up to the caller's sz.
 *
 * Members the caller's struct has beyond @p size are zeroed; its sz is
 * kept.
 * @param ctx Context for the log line of a refusal, or NULL.
 * @param out The caller's struct; its first member is `size_t sz`.
 * @param full The library's complete struct.
 * @param size The library's sizeof of the struct.
 * @param what The struct's name, for the log line.
 * @return 0, or -EINVAL (NULL @p out, or an sz too small to hold sz).
 */
MSIDOM_API int msidom_opts_store(struct msidom_ctx *ctx, void *out, const void *full, size_t size,
				 const char *what);

#ifdef __cplusplus
}
#endif

#endif
