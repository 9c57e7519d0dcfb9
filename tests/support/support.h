/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Test support shared by every cmocka suite (library msidom-test-support):
 *  - platform hooks: a fault-injectable allocator that accounts every byte
 *    and checks the size of every free, a single-threaded lock that
 *    counts misuse (or the library's own mutex), and a log sink that keeps
 *    the lines;
 *  - interleaving: the first unlock after a trigger runs an action, where
 *    a second thread could take the lock;
 *  - probes: open descriptors, the whole dump, descriptors of a domain.
 *
 * Set MSIDOM_TEST_LOG in the environment to get every log line, down to
 * debug, on stderr.
 */
#ifndef MSIDOM_TEST_SUPPORT_H
#define MSIDOM_TEST_SUPPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libmsidom/msidom.h>
#include <libmsidom/provider.h>

#define TS_LOG_TEXT 8192u

struct ts_hooks {
	struct msidom_hooks hooks;
	/* Allocator: blocks carry their size and start filled with 0xa5. */
	long fail_at;            /* > 0: the fail_at-th allocation from now fails */
	unsigned long failed;    /* allocations refused */
	unsigned long allocs;    /* allocations made */
	size_t live;             /* bytes live through this hook */
	unsigned long bad_frees; /* frees whose size did not match the allocation */
	/* Checking lock (one context per ts_hooks, one thread). */
	int lock_depth;
	unsigned long lock_errors; /* recursion, unlock while not held, ... */
	unsigned long locks;
	bool lock_inited;
	bool *il_trigger; /* see ts_interleave() */
	void (*il_act)(void *arg);
	void *il_arg;
	/* Log. */
	unsigned int nerr;      /* ERR lines */
	unsigned int nlines;    /* every line */
	char last[256];         /* the last line */
	char last_err[256];     /* the last ERR line */
	char text[TS_LOG_TEXT]; /* every line since ts_log_clear(), '\n' after each */
	size_t text_len;
};

/* Checking lock, log level WARN, nothing failing. */
void ts_hooks_init(struct ts_hooks *h);
/* Use the library's default mutex instead of the checking lock (threads). */
void ts_hooks_hosted_lock(struct ts_hooks *h);
/* A context on @h (asserts success). */
struct msidom_ctx *ts_ctx_new(struct ts_hooks *h);
/* After the context is destroyed: every byte back, every free sized, the lock unused. */
void ts_hooks_assert_clean(const struct ts_hooks *h);

/*
 * With the checking lock: the first unlock after *@trigger turned true
 * clears it and runs @act(@arg) once, with the lock released, exactly
 * where another thread could run. @act may call the library.
 */
void ts_interleave(struct ts_hooks *h, bool *trigger, void (*act)(void *arg), void *arg);

/* Forget the kept log lines. */
void ts_log_clear(struct ts_hooks *h);
/* Whether a kept log line contains @s. */
bool ts_log_has(const struct ts_hooks *h, const char *s);

/* Descriptors open in this process (compare before and after). */
int ts_count_fds(void);
/* The whole dump of @ctx in a malloc'd string (asserts the two forms agree). */
char *ts_dump(struct msidom_ctx *ctx);
/* Descriptors of a device domain (0 for NULL). */
uint32_t ts_count_descs(const struct msidom_domain *d);

#endif
