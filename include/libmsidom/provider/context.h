/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file provider/context.h
 * @brief The context's services for domain implementations and backends:
 * its allocator, its log and its lock, so that their memory is accounted
 * and fault-injectable with the core's and their log lines reach the
 * same hook.
 */
#ifndef LIBMSIDOM_PROVIDER_CONTEXT_H
#define LIBMSIDOM_PROVIDER_CONTEXT_H

#include <libmsidom/common.h>
#include <libmsidom/context.h>

#ifdef __cplusplus
extern "C" {
#endif

/**
 * @brief Allocate memory through the context's allocator hook.
 *
 * For backends and domain implementations, so their memory is accounted
 * for and fault-injectable with the core's.
 * @param ctx Context.
 * @param size Bytes to allocate.
 * @return Zeroed memory, or NULL (NULL @p ctx, zero @p size, or the hook
 * failed).
 */
MSIDOM_API void *msidom_zalloc(struct msidom_ctx *ctx, size_t size);

/**
 * @brief Release memory from msidom_zalloc().
 * @param ctx Context.
 * @param ptr Pointer, or NULL.
 * @param size The size given to msidom_zalloc().
 */
MSIDOM_API void msidom_free(struct msidom_ctx *ctx, void *ptr, size_t size);

/**
 * @brief Log through the context's log hook (printf-like subset:
 * %d %i %u %x %X %s %c %p %%, with l/ll/z/h/hh, a width or *, '0' and '-').
 *
 * Nothing is logged for a NULL @p ctx or @p fmt, without a log hook, or
 * for a level less severe than msidom_hooks.log_level; a line is cut at
 * 255 characters.
 * @param ctx Context.
 * @param level Severity of the message.
 * @param fmt Format string.
 * @param ... Arguments of @p fmt.
 */
MSIDOM_API void msidom_log(struct msidom_ctx *ctx, enum msidom_log_level level, const char *fmt,
			   ...) __attribute__((format(printf, 3, 4)));

/**
 * @brief Take the context lock (for backends that extend the core).
 * @param ctx Context.
 */
MSIDOM_API void msidom_ctx_lock(struct msidom_ctx *ctx);

/**
 * @brief Release the context lock.
 * @param ctx Context.
 */
MSIDOM_API void msidom_ctx_unlock(struct msidom_ctx *ctx);

/**
 * @brief Record that an object of kind @p kind, built on the context
 * outside the core (a backend's device, a module's function), is open:
 * msidom_ctx_destroy() refuses with -EBUSY until msidom_ctx_unpin().
 * @param ctx Context.
 * @param kind Static string naming the kind in the refusal's log line
 * (e.g. "VFIO device"); pins are counted per kind.
 * @return 0, -EINVAL, -ENOSPC (more than 8 kinds pinned at once, or
 * 2^32 - 1 pins of one kind).
 */
MSIDOM_API int msidom_ctx_pin(struct msidom_ctx *ctx, const char *kind);

/**
 * @brief Drop one pin of kind @p kind taken with msidom_ctx_pin().
 * @param ctx Context, or NULL (no-op).
 * @param kind The kind given to msidom_ctx_pin().
 */
MSIDOM_API void msidom_ctx_unpin(struct msidom_ctx *ctx, const char *kind);

#ifdef __cplusplus
}
#endif

#endif
