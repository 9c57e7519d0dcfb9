/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file dump.h
 * @brief Text dump of the whole hierarchy, like debugfs irq/domains.
 */
#ifndef LIBMSIDOM_DUMP_H
#define LIBMSIDOM_DUMP_H

#include <libmsidom/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Receives dump text in pieces (not NUL-terminated). */
typedef void (*msidom_emit_fn)(void *arg, const char *text, size_t len);

/**
 * @brief Dump every domain (tree order), device, descriptor, virq,
 * message and cookie.
 * @param ctx The context.
 * @param emit Called with each piece of text.
 * @param arg Passed to @p emit.
 * @return 0, -EINVAL (NULL @p ctx or @p emit).
 */
MSIDOM_API int msidom_dump(struct msidom_ctx *ctx, msidom_emit_fn emit, void *arg);

/**
 * @brief Dump into a buffer.
 * @param ctx The context.
 * @param[out] buf Receives the NUL-terminated dump (may be NULL if @p size is 0).
 * @param size Size of @p buf in bytes.
 * @return Length of the full dump (excluding NUL); truncated if >= @p size; or
 * -EINVAL.
 */
MSIDOM_API int64_t msidom_dump_to_buf(struct msidom_ctx *ctx, char *buf, size_t size);

#ifdef __cplusplus
}
#endif

#endif
