/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Small helpers shared by the bare-metal domains.
 */
#include "bm_internal.h"

bool bm_want_block(struct msidom_domain *d, struct msidom_irq_data *const *data, unsigned int nr)
{
	struct msidom_desc *desc;
	struct msidom_domain *dd;

	if (nr < 2)
		return false;
	desc = msidom_irq_data_desc(data[0]);
	dd = desc ? msidom_desc_domain(desc) : NULL;
	return dd && (msidom_domain_flags(dd) & MSIDOM_DOMAIN_CONTIGUOUS) &&
	       msidom_domain_parent(dd) == d;
}

void bm_barrier(const struct msidom_bm_platform *plat)
{
	if (plat && plat->barrier)
		plat->barrier(plat->opaque);
	else
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

void bm_zero(void *p, size_t n)
{
	/* volatile keeps the compiler from turning the loop into a memset call */
	volatile unsigned char *c = p;

	for (size_t i = 0; i < n; i++)
		c[i] = 0;
}

void bm_copy(void *dst, const void *src, size_t n)
{
	volatile unsigned char *d = dst;
	const unsigned char *s = src;

	while (n--)
		*d++ = *s++;
}

int bm_platform_load(struct msidom_ctx *ctx, const struct msidom_bm_platform *given,
		     struct msidom_bm_platform *into)
{
	const struct msidom_bm_platform *p;
	int ret;

	if (!given) {
		bm_err(ctx, "platform hooks are required");
		return -MSIDOM_EINVAL;
	}
	p = msidom_opts_load(ctx, given, into, sizeof(*into), "msidom_bm_platform", &ret);
	if (!p)
		return ret;
	if (p != into)
		bm_copy(into, p, sizeof(*into));
	return 0;
}
