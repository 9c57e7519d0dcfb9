/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * x86 vector domain: the root of an x86 hierarchy. Each CPU has a table of
 * 256 vectors; the domain hands out (CPU, vector) pairs, spreading load
 * over the CPUs an interrupt may target, and moves movable vectors on
 * affinity changes without ever leaving the old vector unmapped while a
 * device may still send to it.
 */
#include "bm_internal.h"

#define NWORDS       4u /* 256 vectors */
#define MOVE_INTERIM 0x80000000u
#define MOVE_HW(rec) ((rec) & ~MOVE_INTERIM)

struct bm_cpu {
	uint64_t used[NWORDS];
	uint64_t managed[NWORDS];
	uint64_t block[NWORDS]; /* part of a multi-MSI block: not movable */
	/*
	 * Per vector of this CPU that is the new target of an unfinished
	 * affinity change: the hwirq it replaces (0 = none; vector 0 is never
	 * handed out), plus MOVE_INTERIM when the new vector number is held
	 * on the old CPU too. Kept per interrupt so that moves of different
	 * interrupts in one batch commit independently.
	 */
	uint32_t old[256];
	uint32_t count;
};

struct bm_vector {
	uint32_t magic;
	struct msidom_ctx *ctx;
	uint32_t ncpus;
	bool ext_dest_id;
	uint64_t reserved[NWORDS];
	uint32_t *apic_ids;
	struct bm_cpu *cpus;
};

static struct bm_vector *vector_of(const struct msidom_domain *d)
{
	struct bm_vector *v;

	if (!d || msidom_domain_bus(d) != MSIDOM_BUS_VECTOR)
		return NULL;
	v = msidom_domain_priv(d);
	return v && v->magic == BM_MAGIC_VECTOR ? v : NULL;
}

MSIDOM_API int msidom_bm_x86_compose_msi(uint32_t apic_id, uint8_t vector, bool ext_dest_id,
					 struct msidom_msg *msg)
{
	if (!msg || vector < MSIDOM_BM_X86_FIRST_VECTOR)
		return -MSIDOM_EINVAL;
	if (apic_id > 255u && (!ext_dest_id || apic_id > 32767u))
		return -MSIDOM_EINVAL;
	/* Physical destination mode (bit 2 clear), no redirection hint (bit 3). */
	msg->address_lo = 0xfee00000u | ((apic_id & 0xffu) << 12) | (((apic_id >> 8) & 0x7fu) << 5);
	msg->address_hi = 0;
	/* Fixed delivery mode (bits 10:8 = 0), edge trigger (bit 15 = 0). */
	msg->data = vector;
	return 0;
}

static bool vector_free(const struct bm_vector *v, const struct bm_cpu *c, uint32_t vec)
{
	return !bm_bit_test(c->used, vec) && !bm_bit_test(v->reserved, vec);
}

/* First aligned run of @n free vectors on @c, or 0 (vector 0 is never free). */
static uint32_t find_run(const struct bm_vector *v, const struct bm_cpu *c, uint32_t n)
{
	for (uint32_t vec = MSIDOM_BM_X86_FIRST_VECTOR; vec + n <= 256u; vec += n) {
		uint32_t i;

		for (i = 0; i < n && vector_free(v, c, vec + i); i++)
			;
		if (i == n)
			return vec;
	}
	return 0;
}

/* Lowest vector free on both @c and @also, or 0. */
static uint32_t find_common(const struct bm_vector *v, const struct bm_cpu *c,
			    const struct bm_cpu *also)
{
	for (uint32_t vec = MSIDOM_BM_X86_FIRST_VECTOR; vec < 256u; vec++)
		if (vector_free(v, c, vec) && vector_free(v, also, vec))
			return vec;
	return 0;
}

/*
 * The least-loaded CPU of @mask with @n free aligned vectors (lowest CPU
 * on ties). -EINVAL if the mask names no CPU of the domain, -ENOSPC if
 * none of them has room.
 */
static int pick(const struct bm_vector *v, const struct msidom_cpumask *mask, uint32_t n,
		uint32_t *cpu, uint32_t *vec)
{
	bool any = false, found = false;
	uint32_t best = 0;

	for (uint32_t c = 0; c < v->ncpus; c++) {
		uint32_t first;

		if (!bm_cpumask_test(mask, c))
			continue;
		any = true;
		if (found && v->cpus[c].count >= v->cpus[best].count)
			continue;
		first = find_run(v, &v->cpus[c], n);
		if (!first)
			continue;
		found = true;
		best = c;
		*vec = first;
	}
	if (!any)
		return -MSIDOM_EINVAL;
	if (!found)
		return -MSIDOM_ENOSPC;
	*cpu = best;
	return 0;
}

static void take(struct bm_vector *v, uint32_t cpu, uint32_t vec, bool managed, bool block)
{
	struct bm_cpu *c = &v->cpus[cpu];

	bm_bit_set(c->used, vec);
	if (managed)
		bm_bit_set(c->managed, vec);
	if (block)
		bm_bit_set(c->block, vec);
	c->count++;
}

static void release(struct bm_vector *v, uint32_t hwirq)
{
	struct bm_cpu *c = &v->cpus[hwirq >> 8];
	uint32_t vec = hwirq & 0xffu;

	if (!bm_bit_test(c->used, vec))
		return;
	bm_bit_clear(c->used, vec);
	bm_bit_clear(c->managed, vec);
	bm_bit_clear(c->block, vec);
	c->old[vec] = 0;
	c->count--;
}

/* The move record of the interrupt now at @hw: 0 when none is unfinished. */
static uint32_t *old_of(struct bm_vector *v, uint32_t hw)
{
	return &v->cpus[hw >> 8].old[hw & 0xffu];
}

/* The (old CPU, new vector) pair a move from @rec to @newhw may hold. */
static uint32_t interim_of(uint32_t rec, uint32_t newhw)
{
	return MSIDOM_BM_X86_HWIRQ(MOVE_HW(rec) >> 8, newhw);
}

/* Release the vectors a move record holds besides the current one. */
static void drop_move(struct msidom_domain *d, struct bm_vector *v, uint32_t rec, uint32_t newhw)
{
	if (rec & MOVE_INTERIM) {
		msidom_domain_unmap(d, interim_of(rec, newhw));
		release(v, interim_of(rec, newhw));
	}
	msidom_domain_unmap(d, MOVE_HW(rec));
	release(v, MOVE_HW(rec));
}

static void vector_free_op(struct msidom_domain *d, struct msidom_irq_data *const *data,
			   unsigned int nr);

static int vector_alloc(struct msidom_domain *d, struct msidom_irq_data *const *data,
			unsigned int nr, const struct msidom_alloc_arg *arg)
{
	struct bm_vector *v = msidom_domain_priv(d);
	const struct msidom_cpumask *mask = arg ? arg->affinity : NULL;
	bool managed = arg && arg->managed;
	uint32_t cpu = 0, vec = 0;
	unsigned int i;
	int ret;

	if (bm_want_block(d, data, nr)) {
		if (!bm_is_pow2(nr) || nr > 32u) {
			bm_err(v->ctx, "%s: multi-MSI block of %u vectors", msidom_domain_name(d),
			       nr);
			return -MSIDOM_EINVAL;
		}
		ret = pick(v, mask, nr, &cpu, &vec);
		if (ret)
			goto err_log;
		for (i = 0; i < nr; i++) {
			take(v, cpu, vec + i, managed, true);
			msidom_irq_data_set_hwirq(data[i], MSIDOM_BM_X86_HWIRQ(cpu, vec + i));
			msidom_irq_data_set_cpu(data[i], cpu);
		}
		return 0;
	}
	for (i = 0; i < nr; i++) {
		ret = pick(v, mask, 1, &cpu, &vec);
		if (ret)
			goto err_undo;
		take(v, cpu, vec, managed, false);
		msidom_irq_data_set_hwirq(data[i], MSIDOM_BM_X86_HWIRQ(cpu, vec));
		msidom_irq_data_set_cpu(data[i], cpu);
	}
	return 0;

err_undo:
	vector_free_op(d, data, i);
err_log:
	bm_err(v->ctx, "%s: %s", msidom_domain_name(d),
	       ret == -MSIDOM_ENOSPC ? "no free vector on the allowed CPUs" :
				       "affinity mask names no CPU of the domain");
	return ret;
}

static void vector_free_op(struct msidom_domain *d, struct msidom_irq_data *const *data,
			   unsigned int nr)
{
	struct bm_vector *v = msidom_domain_priv(d);

	for (unsigned int i = 0; i < nr; i++) {
		uint32_t hw = msidom_irq_data_hwirq(data[i]);
		uint32_t rec = *old_of(v, hw);

		/* Freed in the middle of a move: drop the old vector too. */
		if (rec)
			drop_move(d, v, rec, hw);
		release(v, hw);
	}
}

int bm_x86_vector_target(struct msidom_irq_data *data, uint8_t *vector, uint32_t *apic_id)
{
	struct bm_vector *v = data ? vector_of(msidom_irq_data_domain(data)) : NULL;
	uint32_t hw;

	if (!v)
		return -MSIDOM_EINVAL;
	hw = msidom_irq_data_hwirq(data);
	*vector = (uint8_t)(hw & 0xffu);
	*apic_id = v->apic_ids[hw >> 8];
	return 0;
}

static int vector_compose(struct msidom_irq_data *data, struct msidom_msg *msg)
{
	struct bm_vector *v = msidom_domain_priv(msidom_irq_data_domain(data));
	uint32_t hw = msidom_irq_data_hwirq(data);
	uint32_t apic = v->apic_ids[hw >> 8];
	int ret = msidom_bm_x86_compose_msi(apic, (uint8_t)(hw & 0xffu), v->ext_dest_id, msg);

	if (ret)
		bm_err(v->ctx, "VECTOR: APIC id %u cannot be encoded in an MSI address%s", apic,
		       v->ext_dest_id ? "" : " without the extended destination id");
	return ret;
}

bool bm_is_x86_vector(const struct msidom_domain *d)
{
	return vector_of(d) != NULL;
}

/* Undo a move whose message switch failed: back to the old vector. */
void bm_x86_vector_abort_move(struct msidom_irq_data *data)
{
	struct msidom_domain *d = msidom_irq_data_domain(data);
	struct bm_vector *v = vector_of(d);
	uint32_t newhw, rec;

	if (!v)
		return;
	newhw = msidom_irq_data_hwirq(data);
	rec = *old_of(v, newhw);
	if (!rec)
		return;
	if (rec & MOVE_INTERIM) {
		msidom_domain_unmap(d, interim_of(rec, newhw));
		release(v, interim_of(rec, newhw));
	}
	msidom_irq_data_set_hwirq(data, MOVE_HW(rec));
	msidom_domain_unmap(d, newhw);
	release(v, newhw);
}

static void vector_commit(struct msidom_irq_data *data)
{
	struct msidom_domain *d = msidom_irq_data_domain(data);
	struct bm_vector *v = msidom_domain_priv(d);
	uint32_t hw = msidom_irq_data_hwirq(data);
	uint32_t *old = old_of(v, hw);
	uint32_t rec = *old;

	if (!rec)
		return;
	/* The new message is live: nothing can target the old vector any more. */
	*old = 0;
	drop_move(d, v, rec, hw);
}

static int vector_set_affinity(struct msidom_irq_data *data, const struct msidom_cpumask *mask,
			       uint32_t *cpu)
{
	struct msidom_domain *d = msidom_irq_data_domain(data);
	struct bm_vector *v = msidom_domain_priv(d);
	uint32_t hw = msidom_irq_data_hwirq(data);
	struct bm_cpu *c = &v->cpus[hw >> 8];
	uint32_t ncpu = 0, nvec = 0, newhw, rec, old = MOVE_HW(*old_of(v, hw));
	int ret;

	if (bm_bit_test(c->managed, hw & 0xffu)) {
		bm_err(v->ctx, "%s: vector %u on CPU %u is managed and cannot move",
		       msidom_domain_name(d), hw & 0xffu, hw >> 8);
		return -MSIDOM_EPERM;
	}
	if (bm_bit_test(c->block, hw & 0xffu)) {
		bm_err(v->ctx, "%s: vector %u on CPU %u belongs to a multi-MSI block",
		       msidom_domain_name(d), hw & 0xffu, hw >> 8);
		return -MSIDOM_EINVAL;
	}
	if (old && bm_cpumask_test(mask, old >> 8)) {
		/* Going back while the switch is unfinished: keep the old vector. */
		*cpu = old >> 8;
		bm_x86_vector_abort_move(data);
		return 0;
	}
	if (bm_cpumask_test(mask, hw >> 8)) {
		*cpu = hw >> 8;
		return 0;
	}
	if (old) {
		/*
		 * The device may still target the old vector and the current
		 * one (a batch not yet synced): a third vector would leave one
		 * of them released while still live.
		 */
		bm_err(v->ctx, "%s: vector %u on CPU %u is still moving", msidom_domain_name(d),
		       hw & 0xffu, hw >> 8);
		return -MSIDOM_EBUSY;
	}
	ret = pick(v, mask, 1, &ncpu, &nvec);
	if (ret) {
		bm_err(v->ctx, "%s: %s", msidom_domain_name(d),
		       ret == -MSIDOM_ENOSPC ? "no free vector on the requested CPUs" :
					       "affinity mask names no CPU of the domain");
		return ret;
	}
	/*
	 * A function that cannot be masked may send (old CPU, new vector)
	 * between the data and the address write (Linux x86 msi_set_affinity
	 * steps through that pair): prefer a vector number also free on the
	 * old CPU and hold it there for this interrupt until the commit; or
	 * keep the vector number, so that only the address changes.
	 */
	rec = hw;
	if (vector_free(v, &v->cpus[ncpu], hw & 0xffu)) {
		nvec = hw & 0xffu;
	} else if (vector_free(v, c, nvec)) {
		rec |= MOVE_INTERIM;
	} else if (find_common(v, &v->cpus[ncpu], c)) {
		nvec = find_common(v, &v->cpus[ncpu], c);
		rec |= MOVE_INTERIM;
	}
	newhw = MSIDOM_BM_X86_HWIRQ(ncpu, nvec);
	take(v, ncpu, nvec, false, false);
	/* Both vectors stay mapped until affinity_commit: the old may still fire. */
	ret = msidom_domain_map(d, newhw, data);
	if (ret)
		goto err_new;
	if (rec & MOVE_INTERIM) {
		take(v, hw >> 8, nvec, false, false);
		ret = msidom_domain_map(d, interim_of(rec, newhw), data);
		if (ret)
			goto err_interim;
	}
	msidom_irq_data_set_hwirq(data, newhw);
	*old_of(v, newhw) = rec;
	*cpu = ncpu;
	return 0;

err_interim:
	release(v, interim_of(rec, newhw));
	msidom_domain_unmap(d, newhw);
err_new:
	release(v, newhw);
	bm_err(v->ctx, "%s: mapping vector %u on CPU %u failed", msidom_domain_name(d), nvec, ncpu);
	return ret;
}

static void vector_destroy(struct msidom_domain *d)
{
	struct bm_vector *v = msidom_domain_priv(d);
	struct msidom_ctx *ctx = v->ctx;

	msidom_free(ctx, v->cpus, (size_t)v->ncpus * sizeof(*v->cpus));
	msidom_free(ctx, v->apic_ids, (size_t)v->ncpus * sizeof(*v->apic_ids));
	msidom_free(ctx, v, sizeof(*v));
}

static const struct msidom_domain_ops vector_ops = {
	.sz = sizeof(struct msidom_domain_ops),
	.alloc = vector_alloc,
	.free = vector_free_op,
	.destroy = vector_destroy,
};

static const struct msidom_chip_ops vector_chip = {
	.sz = sizeof(struct msidom_chip_ops),
	.compose_msg = vector_compose,
	.set_affinity = vector_set_affinity,
	.affinity_commit = vector_commit,
};

static int check_config(struct msidom_ctx *ctx, const struct msidom_bm_x86_vector_config *cfg)
{
	uint32_t usable = 0;

	if (!cfg->ncpus || cfg->ncpus > MSIDOM_BM_X86_MAX_CPUS || !cfg->apic_ids) {
		bm_err(ctx, "VECTOR: need 1..%u CPUs and their APIC ids", MSIDOM_BM_X86_MAX_CPUS);
		return -MSIDOM_EINVAL;
	}
	/* Quadratic, but only at creation and only for duplicate detection. */
	for (uint32_t i = 0; i < cfg->ncpus && cfg->ncpus <= 4096u; i++) {
		for (uint32_t j = i + 1; j < cfg->ncpus; j++) {
			if (cfg->apic_ids[i] == cfg->apic_ids[j]) {
				bm_err(ctx, "VECTOR: CPUs %u and %u share APIC id %u", i, j,
				       cfg->apic_ids[i]);
				return -MSIDOM_EINVAL;
			}
		}
	}
	for (uint32_t vec = MSIDOM_BM_X86_FIRST_VECTOR; vec < 256u; vec++)
		if (!cfg->reserved || !bm_bit_test(cfg->reserved, vec))
			usable++;
	if (!usable) {
		bm_err(ctx, "VECTOR: every vector is reserved");
		return -MSIDOM_EINVAL;
	}
	return 0;
}

MSIDOM_API int msidom_bm_x86_vector_domain_create(struct msidom_ctx *ctx,
						  const struct msidom_bm_x86_vector_config *cfg,
						  struct msidom_domain **out)
{
	struct msidom_bm_x86_vector_config clocal;
	struct msidom_domain_info info;
	struct bm_vector *v;
	int ret;

	if (!ctx || !cfg || !out) {
		if (ctx)
			bm_err(ctx, "x86_vector_create: NULL argument");
		return -MSIDOM_EINVAL;
	}
	*out = NULL;
	cfg = msidom_opts_load(ctx, cfg, &clocal, sizeof(clocal), "msidom_bm_x86_vector_config",
			       &ret);
	if (!cfg)
		return ret;
	ret = check_config(ctx, cfg);
	if (ret)
		return ret;

	v = msidom_zalloc(ctx, sizeof(*v));
	if (!v)
		return -MSIDOM_ENOMEM;
	v->magic = BM_MAGIC_VECTOR;
	v->ctx = ctx;
	v->ncpus = cfg->ncpus;
	v->ext_dest_id = cfg->ext_dest_id;
	for (uint32_t w = 0; w < NWORDS; w++)
		v->reserved[w] = cfg->reserved ? cfg->reserved[w] : 0;
	v->reserved[0] |= 0xffffffffull; /* exceptions */
	ret = -MSIDOM_ENOMEM;
	v->apic_ids = msidom_zalloc(ctx, (size_t)v->ncpus * sizeof(*v->apic_ids));
	if (!v->apic_ids)
		goto err_v;
	v->cpus = msidom_zalloc(ctx, (size_t)v->ncpus * sizeof(*v->cpus));
	if (!v->cpus)
		goto err_ids;
	for (uint32_t i = 0; i < v->ncpus; i++)
		v->apic_ids[i] = cfg->apic_ids[i];

	/* Zeroed by hand: compilers may turn a { 0 } initializer into memset(). */
	bm_zero(&info, sizeof(info));
	info.sz = sizeof(info);
	info.name = cfg->name ? cfg->name : "VECTOR";
	info.child_prefix = "";
	info.bus = MSIDOM_BUS_VECTOR;
	info.flags = MSIDOM_DOMAIN_MSI_PARENT;
	info.hwsize = v->ncpus * 256u;
	info.ops = &vector_ops;
	info.chip = &vector_chip;
	info.priv = v;
	ret = msidom_domain_create(ctx, &info, NULL, out);
	if (ret)
		goto err_cpus;
	return 0;

err_cpus:
	msidom_free(ctx, v->cpus, (size_t)v->ncpus * sizeof(*v->cpus));
err_ids:
	msidom_free(ctx, v->apic_ids, (size_t)v->ncpus * sizeof(*v->apic_ids));
err_v:
	msidom_free(ctx, v, sizeof(*v));
	return ret;
}

MSIDOM_API int msidom_bm_x86_vector_load(struct msidom_domain *d, uint32_t cpu)
{
	struct bm_vector *v = vector_of(d);
	int n;

	if (!v)
		return -MSIDOM_EINVAL;
	if (cpu >= v->ncpus) {
		bm_err(v->ctx, "%s: no CPU %u", msidom_domain_name(d), cpu);
		return -MSIDOM_EINVAL;
	}
	msidom_ctx_lock(v->ctx);
	n = (int)v->cpus[cpu].count;
	msidom_ctx_unlock(v->ctx);
	return n;
}

MSIDOM_API int msidom_bm_x86_vector_lookup(struct msidom_domain *d, uint32_t virq, uint32_t *cpu,
					   uint8_t *vector)
{
	struct bm_vector *v = vector_of(d);
	bool found = false, current = false;
	uint32_t best = 0;

	if (!v || !virq)
		return -MSIDOM_EINVAL;
	msidom_ctx_lock(v->ctx);
	for (uint32_t c = 0; c < v->ncpus && !current; c++) {
		if (!v->cpus[c].count)
			continue;
		for (uint32_t vec = MSIDOM_BM_X86_FIRST_VECTOR; vec < 256u; vec++) {
			uint32_t hw = MSIDOM_BM_X86_HWIRQ(c, vec);

			if (!bm_bit_test(v->cpus[c].used, vec) ||
			    msidom_domain_find_virq(d, hw) != (int64_t)virq)
				continue;
			/* During a move the vector holding the move record is the new one. */
			if (!found || v->cpus[c].old[vec]) {
				best = hw;
				found = true;
				current = v->cpus[c].old[vec] != 0;
			}
			if (current)
				break;
		}
	}
	msidom_ctx_unlock(v->ctx);
	if (!found)
		return -MSIDOM_ENOENT;
	if (cpu)
		*cpu = best >> 8;
	if (vector)
		*vector = (uint8_t)(best & 0xffu);
	return 0;
}
