/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Activation and messages: activate root first, compose at the nearest
 * composing level, write through the device domain; deactivate writes a
 * zeroed message and unwinds device first.
 */
#include "internal.h"

static void deactivate_levels(struct msidom_desc *desc, unsigned int from, unsigned int to)
{
	unsigned int todo = desc->domain->deactivate_lvls;

	for (unsigned int l = from; l < to; l++) {
		struct msidom_domain *d = desc->domain->path[l];

		if (todo & (1u << l))
			d->ops->deactivate(d, &desc->lv[l]);
	}
}

/* Level of the nearest composer, or -1. */
static int composer_level(const struct msidom_desc *desc)
{
	return desc->domain->compose_lvl;
}

static int write_msg(struct msidom_desc *desc, const struct msidom_msg *msg)
{
	const struct msidom_chip_ops *chip = desc->domain->chip;
	int ret = 0;

	if (chip && chip->write_msg)
		ret = chip->write_msg(&desc->lv[0], msg);
	if (ret)
		pr_err(desc->domain->ctx, "%s: writing the message of index %u failed: %s",
		       desc->domain->name, desc->lv[0].hwirq, msidom_strerror(ret));
	else
		desc->msg = *msg;
	return ret;
}

int msidom__compose_write(struct msidom_desc *desc)
{
	struct msidom_msg msg = { 0, 0, 0 };
	int l = composer_level(desc);

	if (l >= 0) {
		struct msidom_domain *d = desc->domain->path[l];
		int ret = d->chip->compose_msg(&desc->lv[l], &msg);

		if (ret) {
			pr_err(d->ctx, "domain %s: compose failed: %s", d->name,
			       msidom_strerror(ret));
			return ret;
		}
	}
	return write_msg(desc, &msg);
}

bool msidom__msg_immutable(const struct msidom_desc *desc)
{
	int l = composer_level(desc);

	return l >= 0 && (desc->domain->path[l]->flags & MSIDOM_DOMAIN_IMMUTABLE);
}

int msidom__activate(struct msidom_desc *desc)
{
	unsigned int todo = desc->domain->activate_lvls;
	int top = desc->nlevels - 1;
	int l, ret = 0;

	for (l = top; todo && l >= 0; l--) {
		struct msidom_domain *d = desc->domain->path[l];

		if (todo & (1u << l)) {
			ret = d->ops->activate(d, &desc->lv[l]);
			if (ret) {
				pr_err(d->ctx, "domain %s: activate failed: %s", d->name,
				       msidom_strerror(ret));
				goto err;
			}
		}
	}
	l = -1;
	ret = msidom__compose_write(desc);
	if (ret)
		goto err;
	desc->flags |= DESC_ACTIVATED;
	return 0;

err:
	deactivate_levels(desc, (unsigned int)(l + 1), desc->nlevels);
	return ret;
}

void msidom__deactivate(struct msidom_desc *desc)
{
	struct msidom_msg zero = { 0, 0, 0 };

	if (!(desc->flags & DESC_ACTIVATED))
		return;
	/* A failed zeroing is logged; teardown must go on regardless. */
	write_msg(desc, &zero);
	desc->msg = zero;
	if (desc->domain->deactivate_lvls)
		deactivate_levels(desc, 0, desc->nlevels);
	desc->flags &= (uint16_t)~DESC_ACTIVATED;
}

/* First level from the device upward providing mask (or unmask). */
int msidom__mask(struct msidom_desc *desc, bool mask)
{
	int l = mask ? desc->domain->mask_lvl : desc->domain->unmask_lvl;

	if (l >= 0) {
		const struct msidom_chip_ops *chip = desc->domain->path[l]->chip;
		int ret = (mask ? chip->mask : chip->unmask)(&desc->lv[l]);

		if (ret)
			return ret;
	}
	if (mask)
		desc->flags |= DESC_MASKED;
	else
		desc->flags &= (uint16_t)~DESC_MASKED;
	return 0;
}
