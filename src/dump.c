/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Text dump of the hierarchy, in tree order, in the spirit of debugfs
 * irq/domains.
 */
#include "internal.h"

struct sink {
	msidom_emit_fn emit;
	void *arg;
};

static void out(struct sink *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void out(struct sink *s, const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = msidom__vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n >= (int)sizeof(line))
		n = sizeof(line) - 1;
	s->emit(s->arg, line, (size_t)n);
}

static const char *bus_name(enum msidom_bus_token bus)
{
	static const char *const names[] = {
		"ANY",         "VECTOR",  "REMAP",    "DOORBELL", "VFIO",
		"GENERIC_MSI", "PCI_MSI", "PCI_MSIX", "PCI_IMS",  "VIRT",
	};

	return (unsigned int)bus < sizeof(names) / sizeof(names[0]) ? names[bus] : "?";
}

static void flags_str(uint32_t f, char *buf, size_t size)
{
	static const char *const names[] = { "MSI_PARENT", "DEVICE",     "ISOLATED_MSI",
					     "IMMUTABLE",  "CONTIGUOUS", "MASK_ON_FREE" };
	size_t len = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (f & (1u << i))
			len += (size_t)msidom_snprintf(buf + len, len < size ? size - len : 0,
						       "%s%s", len ? "|" : "", names[i]);
	if (!len)
		msidom_snprintf(buf, size, "-");
}

static void dump_descs(struct sink *s, const struct msidom_domain *dd, int indent)
{
	for (struct msidom_desc *d = msidom_desc_first(dd, MSIDOM_DESC_ALL); d;
	     d = msidom_desc_next(d, MSIDOM_DESC_ALL)) {
		out(s, "%*s  index %5u virq %7u hwirq", indent, "", d->lv[0].hwirq, d->virq);
		for (unsigned int l = 1; l < d->nlevels && d->virq; l++)
			out(s, " %s:%u", dd->path[l]->name, d->lv[l].hwirq);
		out(s, "\n%*s        msg %08x:%08x data %08x cookie 0x%llx cpu %u %s %s\n", indent,
		    "", d->msg.address_hi, d->msg.address_lo, d->msg.data,
		    (unsigned long long)d->cookie.value, d->cpu,
		    d->flags & DESC_MASKED ? "masked" : "unmasked",
		    d->flags & DESC_ACTIVATED ? "active" : "inactive");
	}
}

static void dump_domain(struct sink *s, struct msidom_ctx *ctx, const struct msidom_domain *d,
			int indent)
{
	char flags[96];

	flags_str(d->flags, flags, sizeof(flags));
	out(s, "%*sname:   %s\n", indent, "", d->name);
	out(s, "%*s bus:    %s  flags: %s\n", indent, "", bus_name(d->bus), flags);
	out(s, "%*s size:   %u  mapped: %u  spurious: %llu\n", indent, "", d->hwsize, d->mapped,
	    (unsigned long long)d->spurious);
	if (d->dev) {
		out(s, "%*s device: %s (rid %04x) slot %d, %u descriptor(s)\n", indent, "",
		    d->dev->name, d->dev->requester_id, (int)d->slot, d->ndescs);
		dump_descs(s, d, indent);
	}
	for (struct msidom_list *n = ctx->domains.next; n != &ctx->domains; n = n->next) {
		const struct msidom_domain *c = container_of(n, struct msidom_domain, node);

		if (c->nlevels > 1 && c->path[1] == d)
			dump_domain(s, ctx, c, indent + 4);
	}
}

MSIDOM_API int msidom_dump(struct msidom_ctx *ctx, msidom_emit_fn emit, void *arg)
{
	struct sink s = { emit, arg };

	if (!ctx || !emit) {
		if (ctx)
			pr_err(ctx, "dump: NULL emit function");
		return -MSIDOM_EINVAL;
	}
	msidom__lock(ctx);
	out(&s, "libmsidom %s: %u virq(s) live, %zu bytes\n", MSIDOM_VERSION_STRING, ctx->nr_irqs,
	    ctx->mem_bytes);
	for (struct msidom_list *n = ctx->domains.next; n != &ctx->domains; n = n->next) {
		const struct msidom_domain *d = container_of(n, struct msidom_domain, node);

		if (d->nlevels == 1)
			dump_domain(&s, ctx, d, 0);
	}
	msidom__unlock(ctx);
	return 0;
}

struct buf_sink {
	char *buf;
	size_t size;
	size_t len;
};

static void buf_emit(void *arg, const char *text, size_t len)
{
	struct buf_sink *b = arg;

	for (size_t i = 0; i < len; i++, b->len++)
		if (b->len + 1 < b->size)
			b->buf[b->len] = text[i];
}

MSIDOM_API int64_t msidom_dump_to_buf(struct msidom_ctx *ctx, char *buf, size_t size)
{
	struct buf_sink b = { buf, size, 0 };
	int ret;

	if (!ctx || (!buf && size)) {
		if (ctx)
			pr_err(ctx, "dump_to_buf: NULL buffer of size %zu", size);
		return -MSIDOM_EINVAL;
	}
	ret = msidom_dump(ctx, buf_emit, &b);
	if (ret)
		return ret;
	if (size)
		buf[b.len < size ? b.len : size - 1] = '\0';
	return (int64_t)b.len;
}
