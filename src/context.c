/* SPDX-License-Identifier: BSD-2-Clause */
#include "internal.h"

void msidom__lock(struct msidom_ctx *ctx)
{
	if (ctx->hooks.lock)
		ctx->hooks.lock(ctx->hooks.lock_opaque, ctx->lock);
	/* Each operation gets its own number: undo frees only what it made. */
	ctx->op_seq++;
}

void msidom__unlock(struct msidom_ctx *ctx)
{
	if (ctx->hooks.unlock)
		ctx->hooks.unlock(ctx->hooks.lock_opaque, ctx->lock);
}

MSIDOM_API void msidom_ctx_lock(struct msidom_ctx *ctx)
{
	if (ctx)
		msidom__lock(ctx);
}

MSIDOM_API void msidom_ctx_unlock(struct msidom_ctx *ctx)
{
	if (ctx)
		msidom__unlock(ctx);
}

MSIDOM_API void *msidom_zalloc(struct msidom_ctx *ctx, size_t size)
{
	void *p;

	if (!ctx || !size)
		return NULL;
	p = ctx->hooks.alloc(ctx->hooks.alloc_opaque, size);
	if (!p)
		return NULL;
	msidom__memzero(p, size);
	ctx->mem_bytes += size;
	return p;
}

MSIDOM_API void msidom_free(struct msidom_ctx *ctx, void *ptr, size_t size)
{
	if (!ctx || !ptr)
		return;
	ctx->mem_bytes -= size;
	ctx->hooks.free(ctx->hooks.alloc_opaque, ptr, size);
}

MSIDOM_API size_t msidom_ctx_mem_bytes(const struct msidom_ctx *ctx)
{
	return ctx ? ctx->mem_bytes : 0;
}

static int fill_hooks(struct msidom_hooks *h, const struct msidom_hooks *given)
{
	struct msidom_hooks local;
	int ret;

	msidom__memzero(h, sizeof(*h));
	if (given) {
		given = msidom_opts_load(NULL, given, &local, sizeof(local), "msidom_hooks", &ret);
		if (!given)
			return ret;
		*h = *given;
	}
	h->sz = sizeof(*h);
	if (!h->log_level)
		h->log_level = MSIDOM_LOG_WARN;
#if !MSIDOM_FREESTANDING
	return msidom__hosted_defaults(h);
#else
	/* Without libc there is nothing to fall back on for memory. */
	if (!h->alloc || !h->free)
		return -MSIDOM_EINVAL;
	return 0;
#endif
}

static int check_lock_hooks(const struct msidom_hooks *h)
{
	bool any = h->lock_init || h->lock || h->unlock || h->lock_destroy;
	bool all = h->lock && h->unlock;

	return any && !all ? -MSIDOM_EINVAL : 0;
}

MSIDOM_API int msidom_ctx_create(const struct msidom_ctx_config *cfg, struct msidom_ctx **out)
{
	struct msidom_ctx_config local;
	struct msidom_hooks hooks;
	struct msidom_ctx *ctx;
	uint32_t max;
	int ret;

	if (!out)
		return -MSIDOM_EINVAL;
	*out = NULL;
	/* No context yet, so no log hook: the errno alone says why. */
	if (cfg) {
		cfg = msidom_opts_load(NULL, cfg, &local, sizeof(local), "msidom_ctx_config", &ret);
		if (!cfg)
			return ret;
	}
	max = cfg && cfg->max_virqs ? cfg->max_virqs : MSIDOM_DEFAULT_VIRQS;
	if (max < MSIDOM_MIN_VIRQS || max > MSIDOM_MAX_VIRQS)
		return -MSIDOM_EINVAL;
	ret = fill_hooks(&hooks, cfg ? cfg->hooks : NULL);
	if (ret)
		return ret;
	ret = check_lock_hooks(&hooks);
	if (ret)
		return ret;

	ctx = hooks.alloc(hooks.alloc_opaque, sizeof(*ctx));
	if (!ctx)
		return -MSIDOM_ENOMEM;
	msidom__memzero(ctx, sizeof(*ctx));
	ctx->hooks = hooks;
	ctx->mem_bytes = sizeof(*ctx);
	list_init(&ctx->domains);
	list_init(&ctx->devices);

	if (hooks.lock_init) {
		ret = hooks.lock_init(hooks.lock_opaque, &ctx->lock);
		if (ret)
			goto err_free;
	}
	ret = msidom__virq_init(ctx, max);
	if (ret)
		goto err_lock;
	*out = ctx;
	return 0;

err_lock:
	if (hooks.lock_destroy)
		hooks.lock_destroy(hooks.lock_opaque, ctx->lock);
err_free:
	hooks.free(hooks.alloc_opaque, ctx, sizeof(*ctx));
	return ret < 0 ? ret : -MSIDOM_ENOMEM;
}

static struct msidom_domain *find_leaf_domain(struct msidom_ctx *ctx)
{
	for (struct msidom_list *n = ctx->domains.next; n != &ctx->domains; n = n->next) {
		struct msidom_domain *d = container_of(n, struct msidom_domain, node);

		if (!d->nchildren)
			return d;
	}
	return NULL;
}

static bool same_kind(const char *a, const char *b)
{
	while (*a && *a == *b) {
		a++;
		b++;
	}
	return *a == *b;
}

MSIDOM_API int msidom_ctx_pin(struct msidom_ctx *ctx, const char *kind)
{
	int ret = -MSIDOM_ENOSPC;

	if (!ctx || !kind)
		return -MSIDOM_EINVAL;
	msidom__lock(ctx);
	for (unsigned int i = 0; i < MSIDOM_CTX_PIN_KINDS; i++) {
		if (ctx->pins[i].n && !same_kind(ctx->pins[i].kind, kind))
			continue;
		if (ctx->pins[i].n == UINT32_MAX) {
			ret = -MSIDOM_ENOSPC;
			break;
		}
		if (!ctx->pins[i].n++)
			ctx->pins[i].kind = kind;
		ret = 0;
		break;
	}
	msidom__unlock(ctx);
	if (ret)
		pr_err(ctx, "context: cannot pin for a %s: %s", kind, msidom_strerror(ret));
	return ret;
}

MSIDOM_API void msidom_ctx_unpin(struct msidom_ctx *ctx, const char *kind)
{
	if (!ctx || !kind)
		return;
	msidom__lock(ctx);
	for (unsigned int i = 0; i < MSIDOM_CTX_PIN_KINDS; i++) {
		if (ctx->pins[i].n && same_kind(ctx->pins[i].kind, kind)) {
			ctx->pins[i].n--;
			break;
		}
	}
	msidom__unlock(ctx);
}

/* With the lock held: "1 VFIO device, 2 VMM function" into @buf; 0 if nothing is pinned. */
static size_t pinned_kinds(const struct msidom_ctx *ctx, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < MSIDOM_CTX_PIN_KINDS; i++) {
		int n;

		if (!ctx->pins[i].n || len >= size)
			continue;
		n = msidom_snprintf(buf + len, size - len, "%s%u %s", len ? ", " : "",
				    ctx->pins[i].n, ctx->pins[i].kind);
		len += n > 0 ? (size_t)n : 0;
	}
	return len;
}

MSIDOM_API int msidom_ctx_destroy(struct msidom_ctx *ctx)
{
	struct msidom_domain *d;
	char what[160];
	size_t busy;

	if (!ctx)
		return 0;
	/*
	 * A backend object (VFIO device or container, VMM function) holds
	 * descriptors and pointers into the context; tearing the context down
	 * under it would leave it dangling and its descriptors open.
	 */
	msidom__lock(ctx);
	busy = pinned_kinds(ctx, what, sizeof(what));
	msidom__unlock(ctx);
	if (busy) {
		pr_err(ctx, "context: destroy refused: still open: %s; close them first", what);
		return -MSIDOM_EBUSY;
	}
	while (!list_empty(&ctx->devices))
		msidom_device_destroy(container_of(ctx->devices.next, struct msidom_device, node));

	msidom__lock(ctx);
	/* Leaves first, so no domain goes before its children. */
	while ((d = find_leaf_domain(ctx)) != NULL)
		msidom__domain_release(d);
	msidom__virq_fini(ctx);
	msidom__unlock(ctx);

	if (ctx->hooks.lock_destroy)
		ctx->hooks.lock_destroy(ctx->hooks.lock_opaque, ctx->lock);
	ctx->hooks.free(ctx->hooks.alloc_opaque, ctx, sizeof(*ctx));
	return 0;
}
