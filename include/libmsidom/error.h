/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file error.h
 * @brief Error codes and their descriptions.
 *
 * Every function that can fail returns a negative errno. The values are
 * Linux's, so that hosted Linux callers may compare against <errno.h>;
 * freestanding callers use these names.
 */
#ifndef LIBMSIDOM_ERROR_H
#define LIBMSIDOM_ERROR_H

#include <libmsidom/common.h>

#ifdef __cplusplus
extern "C" {
#endif

#define MSIDOM_EPERM      1   /**< Operation not permitted (isolation). */
#define MSIDOM_ENOENT     2   /**< No such object (index, virq, device). */
#define MSIDOM_EIO        5   /**< Hardware access failed or not enabled. */
#define MSIDOM_E2BIG      7   /**< A struct from a newer library with unknown members set. */
#define MSIDOM_EBADF      9   /**< Bad file descriptor. */
#define MSIDOM_EAGAIN     11  /**< Try again. */
#define MSIDOM_ENOMEM     12  /**< Allocator hook failed. */
#define MSIDOM_EBUSY      16  /**< Object still in use. */
#define MSIDOM_EEXIST     17  /**< Index already in use. */
#define MSIDOM_ENODEV     19  /**< No such device or capability. */
#define MSIDOM_EINVAL     22  /**< Invalid argument. */
#define MSIDOM_EMFILE     24  /**< Too many open files / quota reached. */
#define MSIDOM_ENOSPC     28  /**< No free vector, entry or index. */
#define MSIDOM_ERANGE     34  /**< Index outside the domain's hwsize. */
#define MSIDOM_ENOSYS     38  /**< Operation not provided by a domain. */
#define MSIDOM_EOPNOTSUPP 95  /**< Not supported by this kernel/device. */
#define MSIDOM_EDQUOT     122 /**< Per-function quota exceeded. */

/**
 * @brief Describe an error code.
 * @param err A negative (or positive) errno value, or 0.
 * @return A static, NUL-terminated string; never NULL.
 */
MSIDOM_API const char *msidom_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif
