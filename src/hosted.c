/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Hosted defaults for the platform hooks: malloc, a pthread mutex and
 * stderr. Left out of freestanding builds.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "internal.h"

/* The public codes promise Linux's values; hold them to it. */
_Static_assert(MSIDOM_EPERM == EPERM && MSIDOM_ENOENT == ENOENT && MSIDOM_EIO == EIO &&
		       MSIDOM_EBADF == EBADF && MSIDOM_EAGAIN == EAGAIN &&
		       MSIDOM_ENOMEM == ENOMEM && MSIDOM_EBUSY == EBUSY &&
		       MSIDOM_EEXIST == EEXIST && MSIDOM_ENODEV == ENODEV &&
		       MSIDOM_EINVAL == EINVAL && MSIDOM_EMFILE == EMFILE &&
		       MSIDOM_ENOSPC == ENOSPC && MSIDOM_ERANGE == ERANGE &&
		       MSIDOM_ENOSYS == ENOSYS && MSIDOM_EOPNOTSUPP == EOPNOTSUPP &&
		       MSIDOM_EDQUOT == EDQUOT,
	       "libmsidom error codes must equal Linux errno values");

static void *hosted_alloc(void *opaque, size_t size)
{
	(void)opaque;
	return malloc(size);
}

static void hosted_free(void *opaque, void *ptr, size_t size)
{
	(void)opaque;
	(void)size;
	free(ptr);
}

static int hosted_lock_init(void *opaque, void **lock)
{
	pthread_mutex_t *m = malloc(sizeof(*m));

	(void)opaque;
	if (!m)
		return -MSIDOM_ENOMEM;
	if (pthread_mutex_init(m, NULL)) {
		free(m);
		return -MSIDOM_ENOMEM;
	}
	*lock = m;
	return 0;
}

static void hosted_lock(void *opaque, void *lock)
{
	(void)opaque;
	pthread_mutex_lock(lock);
}

static void hosted_unlock(void *opaque, void *lock)
{
	(void)opaque;
	pthread_mutex_unlock(lock);
}

static void hosted_lock_destroy(void *opaque, void *lock)
{
	(void)opaque;
	pthread_mutex_destroy(lock);
	free(lock);
}

static void hosted_log(void *opaque, enum msidom_log_level level, const char *line)
{
	static const char *const names[] = {
		[MSIDOM_LOG_ERR] = "error",
		[MSIDOM_LOG_WARN] = "warning",
		[MSIDOM_LOG_INFO] = "info",
		[MSIDOM_LOG_DEBUG] = "debug",
	};
	const char *name = (unsigned int)level < sizeof(names) / sizeof(names[0]) && names[level] ?
				   names[level] :
				   "log";

	(void)opaque;
	fprintf(stderr, "libmsidom %s: %s\n", name, line);
}

int msidom__hosted_defaults(struct msidom_hooks *h)
{
	if (!h->alloc != !h->free)
		return -MSIDOM_EINVAL;
	if (!h->alloc) {
		h->alloc = hosted_alloc;
		h->free = hosted_free;
	}
	if (!h->lock && !h->unlock && !h->lock_init && !h->lock_destroy) {
		h->lock_init = hosted_lock_init;
		h->lock = hosted_lock;
		h->unlock = hosted_unlock;
		h->lock_destroy = hosted_lock_destroy;
	}
	if (!h->log)
		h->log = hosted_log;
	return 0;
}
