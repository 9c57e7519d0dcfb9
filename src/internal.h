/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Internal structures of the core. Nothing here is part of the ABI.
 */
#ifndef MSIDOM_INTERNAL_H
#define MSIDOM_INTERNAL_H

#include <stdarg.h>

#include <libmsidom/provider.h>

#include "bitmap.h"
#include "list.h"
#include "radix.h"

#ifndef MSIDOM_FREESTANDING
#define MSIDOM_FREESTANDING 0
#endif

#define MSIDOM_MAX_DEPTH     8
#define MSIDOM_DEFAULT_VIRQS (1u << 20)
#define MSIDOM_MAX_VIRQS     (1u << 24)
#define MSIDOM_MIN_VIRQS     64u

#define container_of(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

#define MSIDOM_CTX_PIN_KINDS 8

struct msidom_ctx {
	struct msidom_hooks hooks;
	void *lock;
	size_t mem_bytes;
	uint32_t op_seq; /* bumped by every locked operation: see radix.c */
	uint32_t max_virqs;
	uint32_t nr_irqs;
	struct msidom_bitmap virq_map;  /* bit v-1 set: virq v in use */
	struct msidom_radix virq_descs; /* virq - 1 -> struct msidom_desc */
	struct msidom_list domains;
	struct msidom_list devices;
	/* Objects built on the context outside the core (msidom_ctx_pin()), by kind. */
	struct {
		const char *kind;
		uint32_t n;
	} pins[MSIDOM_CTX_PIN_KINDS];
};

/*
 * One level of one interrupt. Kept inline in the descriptor, so the
 * descriptor is found from any level by stepping back @level entries.
 */
struct msidom_irq_data {
	uint32_t hwirq;
	uint8_t level; /* 0: the device domain; n: its n-th ancestor */
	uint8_t pad[3];
};

enum desc_flags {
	DESC_MASKED = 1u << 0,
	DESC_ACTIVATED = 1u << 1,
	DESC_MANAGED = 1u << 2,
	DESC_LEVELS_DONE = 1u << 3,              /* every level allocated */
	DESC_FRESH = 1u << 4,                    /* created by the allocation in progress */
	DESC_SPARE = 1u << 5,                    /* taken from the domain's spare */
	DESC_OP_FLAGS = DESC_FRESH | DESC_SPARE, /* only meaningful during one call */
	DESC_COMMIT = 1u << 6,    /* affinity_commit waits for the outermost batch end */
	DESC_UNSETTLED = 1u << 7, /* a move whose commit was dropped: settled on free */
	DESC_RETIRED = 1u << 8,   /* freed inside a caller's batch: levels wait for its end */
};

struct msidom_desc {
	struct msidom_domain *domain; /* the device domain */
	msidom_handler_fn handler;
	union {
		void *handler_arg;
		/* A retired descriptor no longer has a handler: reuse the field. */
		struct msidom_desc *next_retired;
	};
	void *user_data;
	msidom_cookie cookie;
	struct msidom_msg msg;
	uint32_t virq;
	uint32_t cpu;
	uint16_t flags;
	uint8_t nlevels;
	uint8_t pad;
	struct msidom_irq_data lv[]; /* lv[0].hwirq is the index */
};

struct msidom_domain {
	struct msidom_ctx *ctx;
	struct msidom_list node;                      /* ctx->domains */
	struct msidom_domain *path[MSIDOM_MAX_DEPTH]; /* path[0] = this, then ancestors */
	uint8_t nlevels;                              /* entries in path */
	uint32_t nchildren;
	char name[64];
	char child_prefix[16];
	enum msidom_bus_token bus;
	uint32_t flags;
	uint32_t hwsize;
	const struct msidom_domain_ops *ops;
	const struct msidom_chip_ops *chip;
	/*
	 * Ops tables of another size than this library's are copied and
	 * zero-extended here; ops and chip then point at the copies.
	 */
	struct msidom_domain_ops *ops_copy;
	struct msidom_chip_ops *chip_copy;
	void *priv;
	struct msidom_radix revmap; /* hwirq -> struct msidom_irq_data */
	uint32_t mapped;
	uint32_t batch_depth;
	uint32_t commits;            /* descriptors flagged DESC_COMMIT */
	struct msidom_desc *retired; /* freed in a caller's batch, see msi_map.c */
	/*
	 * The path and its ops never change, so the levels that act are
	 * found once here rather than on every allocation (-1: none).
	 */
	int8_t compose_lvl, mask_lvl, unmask_lvl;
	uint8_t activate_lvls, deactivate_lvls; /* bit l: level l has the op */
	uint64_t spurious;
	/* Per-device domains only. */
	struct msidom_device *dev;
	enum msidom_slot slot;
	struct msidom_bitmap index_map; /* descriptors present */
	/*
	 * One freed descriptor kept for the next allocation: a VMM that frees
	 * and allocates vectors one at a time then never reaches the allocator.
	 */
	struct msidom_desc *spare;
	msidom_cookie default_cookie;
	uint32_t ndescs;
};

struct msidom_device {
	struct msidom_ctx *ctx;
	struct msidom_list node; /* ctx->devices */
	char name[32];
	uint16_t requester_id;
	void *priv;
	struct msidom_domain *domains[MSIDOM_MAX_DOMAINS];
};

static inline struct msidom_desc *data_desc(const struct msidom_irq_data *data)
{
	return container_of(data - data->level, struct msidom_desc, lv);
}

static inline struct msidom_domain *data_domain(const struct msidom_irq_data *data)
{
	return data_desc(data)->domain->path[data->level];
}

static inline size_t desc_size(unsigned int nlevels)
{
	return sizeof(struct msidom_desc) + nlevels * sizeof(struct msidom_irq_data);
}

/* Small freestanding helpers. */
void msidom__memzero(void *p, size_t n);
size_t msidom__strlcpy(char *dst, const char *src, size_t size);
size_t msidom__strlen(const char *s);
int msidom__vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);

/* Logging shortcuts. */
#define pr_err(ctx, ...)   msidom_log((ctx), MSIDOM_LOG_ERR, __VA_ARGS__)
#define pr_warn(ctx, ...)  msidom_log((ctx), MSIDOM_LOG_WARN, __VA_ARGS__)
#define pr_debug(ctx, ...) msidom_log((ctx), MSIDOM_LOG_DEBUG, __VA_ARGS__)

/* context.c */
static inline uint32_t msidom__op_seq(const struct msidom_ctx *ctx)
{
	return ctx->op_seq;
}
void msidom__lock(struct msidom_ctx *ctx);
void msidom__unlock(struct msidom_ctx *ctx);

/* hosted.c (absent in freestanding builds) */
int msidom__hosted_defaults(struct msidom_hooks *hooks);

/* virq.c */
int msidom__virq_init(struct msidom_ctx *ctx, uint32_t max);
void msidom__virq_fini(struct msidom_ctx *ctx);
int64_t msidom__virq_alloc(struct msidom_ctx *ctx, struct msidom_desc *desc);
/* @undo: release memory the failed operation allocated. */
void msidom__virq_free(struct msidom_ctx *ctx, uint32_t virq, bool undo);
struct msidom_desc *msidom__virq_desc(const struct msidom_ctx *ctx, uint32_t virq);

/* domain.c */
int msidom__domain_new(struct msidom_ctx *ctx, const struct msidom_domain_info *info,
		       struct msidom_domain *parent, struct msidom_domain **out);
void msidom__domain_release(struct msidom_domain *d);
int msidom__revmap_insert(struct msidom_domain *d, uint32_t hwirq, struct msidom_irq_data *data);
void msidom__revmap_remove(struct msidom_domain *d, uint32_t hwirq, bool release);

static inline void msidom__batch_begin(struct msidom_domain *d)
{
	if (d->batch_depth++ == 0 && d->chip && d->chip->bus_lock)
		d->chip->bus_lock(d);
}

/* msi_map.c: release the parents' part of vectors freed inside the batch. */
void msidom__reap_retired(struct msidom_domain *d);

/* irq.c: run (or, if the batch failed, drop) the deferred affinity commits. */
void msidom__finish_commits(struct msidom_domain *d, int sync_ret);
void msidom__affinity_commit(struct msidom_desc *desc);

static inline int msidom__batch_end(struct msidom_domain *d)
{
	int ret = 0;

	if (--d->batch_depth)
		return 0;
	if (d->chip && d->chip->bus_sync_unlock)
		ret = d->chip->bus_sync_unlock(d);
	if (d->commits)
		msidom__finish_commits(d, ret);
	if (d->retired)
		msidom__reap_retired(d);
	return ret;
}

/* desc.c */
struct msidom_desc *msidom__desc_new(struct msidom_domain *dd, uint32_t index, msidom_cookie cookie,
				     int *err);
void msidom__desc_delete(struct msidom_desc *desc, bool undo);
void msidom__desc_unlink(struct msidom_desc *desc, bool undo);
void msidom__desc_put(struct msidom_desc *desc, bool undo);
void msidom__desc_spare_release(struct msidom_domain *dd);
struct msidom_desc *msidom__desc_scan(const struct msidom_domain *dd, uint32_t from,
				      enum msidom_desc_filter filter);
int msidom__index_find(struct msidom_domain *dd, uint32_t index, int *err);

/* hierarchy.c */
int msidom__levels_alloc(struct msidom_desc *const *descs, unsigned int nr,
			 const struct msidom_alloc_arg *arg);
void msidom__levels_free(struct msidom_desc *const *descs, unsigned int nr, bool undo);

/* msg.c */
int msidom__activate(struct msidom_desc *desc);
void msidom__deactivate(struct msidom_desc *desc);
int msidom__compose_write(struct msidom_desc *desc);
int msidom__mask(struct msidom_desc *desc, bool mask);
bool msidom__msg_immutable(const struct msidom_desc *desc);

/* msi_map.c */
int msidom__free_all_locked(struct msidom_domain *dd);

#endif
