/* SPDX-License-Identifier: BSD-2-Clause */
/**
 * @file context.h
 * @brief The library context and the platform hooks it is built on.
 */
#ifndef LIBMSIDOM_CONTEXT_H
#define LIBMSIDOM_CONTEXT_H

#include <libmsidom/common.h>

#ifdef __cplusplus
extern "C" {
#endif

/** @brief Log levels, most severe first. */
enum msidom_log_level {
	MSIDOM_LOG_ERR = 3,   /**< An operation failed. */
	MSIDOM_LOG_WARN = 4,  /**< Something unusual, but handled. */
	MSIDOM_LOG_INFO = 6,  /**< Normal but significant. */
	MSIDOM_LOG_DEBUG = 7, /**< Tracing. */
};

/**
 * @brief Platform hooks: everything the core needs from its environment.
 *
 * Any member may be NULL; the hosted build fills NULL members with
 * malloc/free, a pthread mutex and stderr. A freestanding build has no
 * defaults for alloc/free: they are mandatory there.
 */
struct msidom_hooks {
	/** sizeof(struct msidom_hooks): see MSIDOM_OPTS(). */
	size_t sz;
	/** Allocate @p size bytes aligned for any object; NULL on failure. */
	void *(*alloc)(void *opaque, size_t size);
	/** Release memory from alloc; @p size is the size asked for. */
	void (*free)(void *opaque, void *ptr, size_t size);
	/** Opaque argument of alloc and free. */
	void *alloc_opaque;

	/** Create a lock; store its handle in *lock. 0 or negative errno. */
	int (*lock_init)(void *opaque, void **lock);
	/** Take a lock (may not fail). */
	void (*lock)(void *opaque, void *lock);
	/** Release a lock. */
	void (*unlock)(void *opaque, void *lock);
	/** Destroy a lock created by lock_init. */
	void (*lock_destroy)(void *opaque, void *lock);
	/** Opaque argument of the lock hooks. */
	void *lock_opaque;

	/** Receive one formatted log line (no trailing newline). */
	void (*log)(void *opaque, enum msidom_log_level level, const char *line);
	/** Opaque argument of log. */
	void *log_opaque;
	/** Lines above this level are not formatted (default MSIDOM_LOG_WARN). */
	enum msidom_log_level log_level;
};

/** @brief Context creation parameters. */
struct msidom_ctx_config {
	/** sizeof(struct msidom_ctx_config): see MSIDOM_OPTS(). */
	size_t sz;
	/** Platform hooks; NULL for all hosted defaults. */
	const struct msidom_hooks *hooks;
	/** Virq space size: 0 for the default 1 << 20; 64 .. 1 << 24. */
	uint32_t max_virqs;
};

/**
 * @brief Create a context.
 * @param cfg Configuration; NULL for hosted defaults.
 * @param[out] out The new context.
 * @return 0, -EINVAL for bad arguments, -ENOMEM.
 */
MSIDOM_API int msidom_ctx_create(const struct msidom_ctx_config *cfg, struct msidom_ctx **out);

/**
 * @brief Destroy a context and everything the core still owns in it.
 *
 * Devices are destroyed (their vectors freed), then domains, leaves first.
 * Objects that a backend or module built on the context (VFIO devices,
 * opened or attached, VFIO containers, VMM functions) are not torn down
 * behind their owner's back: while one is still open the call is refused
 * with -EBUSY and an error log line naming what is open, and nothing
 * changes. Close them first (VMM functions, then VFIO devices, then
 * containers), then destroy the context.
 * @param ctx Context, or NULL (no-op).
 * @return 0 (the context is gone), or -EBUSY (nothing changed).
 */
MSIDOM_API int msidom_ctx_destroy(struct msidom_ctx *ctx);

/**
 * @brief Bytes currently allocated through the context's allocator hook.
 * @param ctx Context.
 * @return Live bytes, counting every object the library owns.
 */
MSIDOM_API size_t msidom_ctx_mem_bytes(const struct msidom_ctx *ctx);

/**
 * @brief Format into a buffer with the same subset as msidom_log()
 * (widths are clamped to 4096).
 * @param[out] buf Receives the NUL-terminated output, truncated to fit;
 * may be NULL if @p size is 0.
 * @param size Size of @p buf in bytes.
 * @param fmt Format string.
 * @param ... Arguments of @p fmt.
 * @return Length the full output needs (excluding NUL), like snprintf;
 * -EINVAL for a NULL @p fmt, or a NULL @p buf with a non-zero @p size.
 */
MSIDOM_API int msidom_snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/**
 * @brief Library version as a string, e.g. "0.1.0".
 * @return Static string.
 */
MSIDOM_API const char *msidom_version(void);

/**
 * @brief Library version as a number: major << 16 | minor << 8 | patch.
 * @return The version of the library actually linked.
 */
MSIDOM_API uint32_t msidom_version_number(void);

#ifdef __cplusplus
}
#endif

#endif
