/* SPDX-License-Identifier: BSD-2-Clause */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

/* ------------------------------------------------------------- allocator */

/* Every block carries its size, so a free with the wrong size is caught. */
#define HDR 16u

static void *ts_alloc(void *opaque, size_t size)
{
	struct ts_hooks *h = opaque;
	unsigned char *p;

	if (h->fail_at > 0 && --h->fail_at == 0) {
		h->failed++;
		return NULL;
	}
	p = malloc(size + HDR);
	if (!p)
		return NULL;
	memcpy(p, &size, sizeof(size));
	h->allocs++;
	h->live += size;
	/* Garbage, so a missing zeroing shows up. */
	memset(p + HDR, 0xa5, size);
	return p + HDR;
}

static void ts_free(void *opaque, void *ptr, size_t size)
{
	struct ts_hooks *h = opaque;
	unsigned char *p = (unsigned char *)ptr - HDR;
	size_t real;

	memcpy(&real, p, sizeof(real));
	if (real != size)
		h->bad_frees++;
	h->live -= real;
	free(p);
}

/* ------------------------------------------------------------------ lock */

static int ts_lock_init(void *opaque, void **lock)
{
	struct ts_hooks *h = opaque;

	if (h->lock_inited)
		h->lock_errors++; /* a second context on the same hooks */
	h->lock_inited = true;
	*lock = h;
	return 0;
}

static void ts_lock(void *opaque, void *lock)
{
	struct ts_hooks *h = opaque;

	if (lock != h || h->lock_depth != 0)
		h->lock_errors++;
	h->lock_depth++;
	h->locks++;
}

static void ts_unlock(void *opaque, void *lock)
{
	struct ts_hooks *h = opaque;
	void (*act)(void *arg) = h->il_act;

	if (lock != h || h->lock_depth != 1)
		h->lock_errors++;
	h->lock_depth--;
	if (!act || !h->il_trigger || !*h->il_trigger)
		return;
	*h->il_trigger = false;
	h->il_act = NULL;
	act(h->il_arg);
}

static void ts_lock_destroy(void *opaque, void *lock)
{
	struct ts_hooks *h = opaque;

	if (lock != h || !h->lock_inited || h->lock_depth)
		h->lock_errors++;
	h->lock_inited = false;
}

void ts_interleave(struct ts_hooks *h, bool *trigger, void (*act)(void *arg), void *arg)
{
	/* Only the checking lock knows where the lock is released. */
	assert_ptr_equal(h->hooks.unlock, ts_unlock);
	h->il_trigger = trigger;
	h->il_act = act;
	h->il_arg = arg;
}

/* ------------------------------------------------------------------- log */

static void keep_line(struct ts_hooks *h, const char *line)
{
	size_t n = strlen(line);

	if (h->text_len + n + 2 > sizeof(h->text))
		return;
	memcpy(h->text + h->text_len, line, n);
	h->text_len += n;
	h->text[h->text_len++] = '\n';
	h->text[h->text_len] = '\0';
}

static void ts_log(void *opaque, enum msidom_log_level level, const char *line)
{
	struct ts_hooks *h = opaque;

	h->nlines++;
	snprintf(h->last, sizeof(h->last), "%s", line);
	if (level == MSIDOM_LOG_ERR)
		h->nerr++;
	keep_line(h, line);
	if (getenv("MSIDOM_TEST_LOG"))
		fprintf(stderr, "log %d: %s\n", (int)level, line);
}

void ts_log_clear(struct ts_hooks *h)
{
	h->text[0] = '\0';
	h->text_len = 0;
}

bool ts_log_has(const struct ts_hooks *h, const char *s)
{
	return strstr(h->text, s) != NULL;
}

/* ----------------------------------------------------------------- setup */

void ts_hooks_init(struct ts_hooks *h)
{
	memset(h, 0, sizeof(*h));
	h->hooks.sz = sizeof(h->hooks);
	h->hooks.alloc = ts_alloc;
	h->hooks.free = ts_free;
	h->hooks.alloc_opaque = h;
	h->hooks.lock_init = ts_lock_init;
	h->hooks.lock = ts_lock;
	h->hooks.unlock = ts_unlock;
	h->hooks.lock_destroy = ts_lock_destroy;
	h->hooks.lock_opaque = h;
	h->hooks.log = ts_log;
	h->hooks.log_opaque = h;
	h->hooks.log_level = getenv("MSIDOM_TEST_LOG") ? MSIDOM_LOG_DEBUG : MSIDOM_LOG_WARN;
}

void ts_hooks_hosted_lock(struct ts_hooks *h)
{
	h->hooks.lock_init = NULL;
	h->hooks.lock = NULL;
	h->hooks.unlock = NULL;
	h->hooks.lock_destroy = NULL;
	h->hooks.lock_opaque = NULL;
}

struct msidom_ctx *ts_ctx_new(struct ts_hooks *h)
{
	MSIDOM_OPTS(msidom_ctx_config, cfg, .hooks = &h->hooks);
	struct msidom_ctx *ctx = NULL;

	assert_int_equal(msidom_ctx_create(&cfg, &ctx), 0);
	return ctx;
}

void ts_hooks_assert_clean(const struct ts_hooks *h)
{
	assert_int_equal(h->live, 0);
	assert_int_equal(h->bad_frees, 0);
	assert_int_equal(h->lock_errors, 0);
	assert_int_equal(h->lock_depth, 0);
	assert_false(h->lock_inited);
}
