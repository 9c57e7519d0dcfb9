/* SPDX-License-Identifier: BSD-2-Clause */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "env.h"

struct env *env_new(uint32_t routes)
{
	struct env *e = calloc(1, sizeof(*e));
	assert_non_null(e);
	ts_hooks_init(&e->h);
	e->ctx = ts_ctx_new(&e->h);
	e->fk = fkvm_new(routes);
	return e;
}

struct env *env_opened(uint32_t routes, uint32_t first_gsi)
{
	struct env *e = env_new(routes);
	MSIDOM_OPTS(msidom_kvm_config, cfg, .vm_fd = e->fk->vm_fd, .sys = &e->fk->sys,
		    .first_gsi = first_gsi);
	assert_int_equal(msidom_kvm_open(e->ctx, &cfg, &e->kvm), 0);
	return e;
}

int env_compose(void *arg, uint32_t index, struct msidom_msg *msg)
{
	struct env *e = arg;
	if (e->fail_compose < 0)
		return e->fail_compose;
	*msg = e->guest[index];
	return 0;
}

struct env *env_with_domain(uint32_t routes, uint32_t first_gsi)
{
	struct env *e = env_opened(routes, first_gsi);
	MSIDOM_OPTS(msidom_device_info, info, .name = "guest0", .requester_id = 0x18);
	assert_int_equal(msidom_device_create(e->ctx, &info, &e->dev), 0);
	MSIDOM_OPTS(msidom_kvm_domain_config, dc, .name = "PCI-MSIX", .hwsize = ENV_GUEST_VECTORS,
		    .compose = env_compose, .arg = e);
	assert_int_equal(msidom_kvm_device_domain_create(e->kvm, e->dev, MSIDOM_DEFAULT_DOMAIN, &dc,
							 &e->dom),
			 0);
	for (uint32_t v = 0; v < ENV_GUEST_VECTORS; v++)
		e->guest[v] = env_msg(v % 2, 0x40 + v);
	return e;
}

void env_free(struct env *e)
{
	if (e->dev)
		msidom_device_destroy(e->dev);
	if (e->kvm)
		assert_int_equal(msidom_kvm_close(e->kvm), 0);
	msidom_ctx_destroy(e->ctx);
	ts_hooks_assert_clean(&e->h);
	fkvm_free(e->fk);
	free(e);
}

struct msidom_msg env_msg(uint32_t apic, uint32_t vec)
{
	return (struct msidom_msg){ .address_lo = 0xfee00000u | (apic << 12), .data = vec };
}

struct msidom_kvm_route env_route(struct msidom_msg msg)
{
	MSIDOM_OPTS(msidom_kvm_route, r, .type = MSIDOM_KVM_ROUTE_MSI, .msg = msg);
	return r;
}

uint32_t env_alloc(struct env *e, uint32_t index)
{
	MSIDOM_OPTS(msidom_alloc_opts, opts, .unmasked = true);
	struct msidom_map m = msidom_msi_alloc_at(e->dev, MSIDOM_DEFAULT_DOMAIN, index, &opts);
	assert_int_equal(m.index, index);
	return m.virq;
}

uint32_t env_gsi(struct env *e, uint32_t index)
{
	int64_t g = msidom_kvm_vector_gsi(e->kvm, e->dom, index);
	assert_true(g >= 0);
	return (uint32_t)g;
}

void snap_take(struct env *e, struct snap *s)
{
	MSIDOM_OPTS(msidom_kvm_info, info, );
	MSIDOM_OPTS(msidom_kvm_stats, st, );
	assert_int_equal(msidom_kvm_get_info(e->kvm, &info), 0);
	assert_int_equal(msidom_kvm_get_stats(e->kvm, &st), 0);
	s->kernel = e->fk->st;
	s->ngsi = info.ngsi;
	s->routes = calloc(info.ngsi, sizeof(*s->routes));
	s->irqfds = calloc(info.ngsi, sizeof(*s->irqfds));
	assert_non_null(s->routes);
	assert_non_null(s->irqfds);
	for (uint32_t g = 0; g < info.ngsi; g++) {
		s->routes[g].sz = sizeof(s->routes[g]);
		assert_int_equal(msidom_kvm_get_route(e->kvm, g, &s->routes[g]), 0);
		s->irqfds[g] = msidom_kvm_irqfd(e->kvm, g);
	}
	s->gsis = st.gsis;
	s->nroutes = st.routes;
	s->nirqfds = st.irqfds;
	s->mem = msidom_ctx_mem_bytes(e->ctx);
	s->fds = ts_count_fds();
}

void snap_assert_same(const struct snap *a, const struct snap *b)
{
	assert_int_equal(a->kernel.nr, b->kernel.nr);
	assert_memory_equal(a->kernel.table, b->kernel.table,
			    a->kernel.nr * sizeof(a->kernel.table[0]));
	assert_int_equal(a->kernel.nirqfd, b->kernel.nirqfd);
	assert_memory_equal(a->kernel.irqfd, b->kernel.irqfd,
			    a->kernel.nirqfd * sizeof(a->kernel.irqfd[0]));
	assert_int_equal(a->ngsi, b->ngsi);
	assert_memory_equal(a->routes, b->routes, a->ngsi * sizeof(a->routes[0]));
	assert_memory_equal(a->irqfds, b->irqfds, a->ngsi * sizeof(a->irqfds[0]));
	assert_int_equal(a->gsis, b->gsis);
	assert_int_equal(a->nroutes, b->nroutes);
	assert_int_equal(a->nirqfds, b->nirqfds);
	assert_int_equal(a->mem, b->mem);
	assert_int_equal(a->fds, b->fds);
}

void snap_free(struct snap *s)
{
	free(s->routes);
	free(s->irqfds);
}

unsigned long fail_each_ioctl(struct env *e, int (*op)(struct env *e, void *arg), void *arg)
{
	for (long n = 1;; n++) {
		struct snap before, after;
		snap_take(e, &before);
		unsigned long calls = e->fk->ioctls;
		fkvm_fail_at(e->fk, n, EIO);
		int ret = op(e, arg);
		if (e->fk->fail_at > 0) {
			/* The n-th ioctl never came: the operation is done. */
			e->fk->fail_at = 0;
			assert_true(ret >= 0);
			snap_free(&before);
			return e->fk->ioctls - calls;
		}
		assert_int_equal(ret, -EIO);
		snap_take(e, &after);
		snap_assert_same(&before, &after);
		snap_free(&before);
		snap_free(&after);
	}
}
