/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The VM's routing table: KVM_SET_GSI_ROUTING replaces it whole, so every
 * call sends every route the library keeps (the VMM's included); one
 * change outside a batch is one call, a batch of any size is one call,
 * and a failed call leaves KVM's table and the library's as before.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>

#include "env.h"

static void assert_kernel_msi(struct env *e, uint32_t gsi, struct msidom_msg m)
{
	const struct kvm_irq_routing_entry *k = fkvm_route(e->fk, gsi);
	assert_non_null(k);
	assert_int_equal(k->type, KVM_IRQ_ROUTING_MSI);
	assert_int_equal(k->u.msi.address_lo, m.address_lo);
	assert_int_equal(k->u.msi.address_hi, m.address_hi);
	assert_int_equal(k->u.msi.data, m.data);
}

static void test_every_update_sends_the_whole_table_with_the_vmm_routes(void **state)
{
	(void)state;
	struct env *e = env_opened(4096, 24);
	/* The irqchip pins the VMM keeps through the library. */
	for (uint32_t pin = 0; pin < 24; pin++) {
		MSIDOM_OPTS(msidom_kvm_route, r, .type = MSIDOM_KVM_ROUTE_IRQCHIP, .irqchip = 2,
			    .pin = pin);
		assert_int_equal(msidom_kvm_route_set(e->kvm, pin, &r), 0);
	}
	assert_int_equal(e->fk->set_gsi_routing, 24);
	struct msidom_kvm_route r = env_route(env_msg(1, 0x41));
	uint32_t g;
	assert_int_equal(msidom_kvm_gsi_alloc(e->kvm, &r, &g), 0);
	assert_int_equal(g, 24);
	assert_int_equal(e->fk->set_gsi_routing, 25);
	assert_int_equal(e->fk->st.nr, 25);
	assert_kernel_msi(e, 24, env_msg(1, 0x41));
	assert_int_equal(fkvm_route(e->fk, 7)->u.irqchip.pin, 7);
	MSIDOM_OPTS(msidom_kvm_stats, st, );
	assert_int_equal(msidom_kvm_get_stats(e->kvm, &st), 0);
	assert_int_equal(st.routes, 25);
	assert_int_equal(st.gsis, 1);
	assert_int_equal(st.set_gsi_routing, 25);
	assert_int_equal(msidom_kvm_gsi_free(e->kvm, g), 0);
	assert_int_equal(e->fk->st.nr, 24);
	env_free(e);
}

static void test_retarget_outside_a_batch_costs_one_set_gsi_routing(void **state)
{
	(void)state;
	struct env *e = env_opened(4096, 0);
	struct msidom_kvm_route r = env_route(env_msg(0, 0x41));
	uint32_t g;
	assert_int_equal(msidom_kvm_gsi_alloc(e->kvm, &r, &g), 0);
	unsigned long calls = e->fk->ioctls;
	r = env_route(env_msg(1, 0x42));
	assert_int_equal(msidom_kvm_route_set(e->kvm, g, &r), 0);
	assert_int_equal(e->fk->ioctls, calls + 1);
	assert_int_equal(e->fk->set_gsi_routing, 2);
	assert_kernel_msi(e, g, env_msg(1, 0x42));
	/* The same route again changes nothing and costs nothing. */
	assert_int_equal(msidom_kvm_route_set(e->kvm, g, &r), 0);
	assert_int_equal(e->fk->ioctls, calls + 1);
	MSIDOM_OPTS(msidom_kvm_route, got, );
	assert_int_equal(msidom_kvm_get_route(e->kvm, g, &got), 0);
	assert_int_equal(got.type, MSIDOM_KVM_ROUTE_MSI);
	assert_int_equal(got.msg.address_lo, 0xfee01000u);
	assert_int_equal(got.msg.data, 0x42);
	assert_int_equal(msidom_kvm_gsi_free(e->kvm, g), 0);
	env_free(e);
}

static void test_whole_table_rewrite_in_one_batch_is_one_set_gsi_routing(void **state)
{
	(void)state;
	struct env *e = env_opened(4096, 0);
	enum { N = 4096 };
	static uint32_t gsi[N];
	assert_int_equal(msidom_kvm_batch_begin(e->kvm), 0);
	for (uint32_t i = 0; i < N; i++) {
		struct msidom_kvm_route r = env_route(env_msg(i % 2, 0x20 + i % 200));
		assert_int_equal(msidom_kvm_gsi_alloc(e->kvm, &r, &gsi[i]), 0);
	}
	assert_int_equal(msidom_kvm_batch_end(e->kvm), 0);
	assert_int_equal(e->fk->set_gsi_routing, 1);
	assert_int_equal(e->fk->st.nr, N);
	/* Retarget every GSI: nested batches, still one call at the outermost end. */
	assert_int_equal(msidom_kvm_batch_begin(e->kvm), 0);
	assert_int_equal(msidom_kvm_batch_begin(e->kvm), 0);
	for (uint32_t i = 0; i < N; i++) {
		struct msidom_kvm_route r = env_route(env_msg((i + 1) % 2, 0x30 + i % 200));
		assert_int_equal(msidom_kvm_route_set(e->kvm, gsi[i], &r), 0);
	}
	assert_int_equal(msidom_kvm_batch_end(e->kvm), 0);
	assert_int_equal(e->fk->set_gsi_routing, 1);
	assert_kernel_msi(e, gsi[5], env_msg(5 % 2, 0x20 + 5));
	assert_int_equal(msidom_kvm_batch_end(e->kvm), 0);
	assert_int_equal(e->fk->set_gsi_routing, 2);
	for (uint32_t i = 0; i < N; i += 97)
		assert_kernel_msi(e, gsi[i], env_msg((i + 1) % 2, 0x30 + i % 200));
	/* A batch that changes nothing costs nothing; ending a batch never begun is refused. */
	assert_int_equal(msidom_kvm_batch_begin(e->kvm), 0);
	assert_int_equal(msidom_kvm_batch_end(e->kvm), 0);
	assert_int_equal(e->fk->set_gsi_routing, 2);
	assert_int_equal(msidom_kvm_batch_end(e->kvm), -EINVAL);
	/* Freeing them all in one batch: one call, an empty table. */
	assert_int_equal(msidom_kvm_batch_begin(e->kvm), 0);
	for (uint32_t i = 0; i < N; i++)
		assert_int_equal(msidom_kvm_gsi_free(e->kvm, gsi[i]), 0);
	assert_int_equal(msidom_kvm_batch_end(e->kvm), 0);
	assert_int_equal(e->fk->set_gsi_routing, 3);
	assert_int_equal(e->fk->st.nr, 0);
	env_free(e);
}

static int op_route_set(struct env *e, void *arg)
{
	const uint32_t *g = arg;
	struct msidom_kvm_route r = env_route(env_msg(1, 0x77));
	return msidom_kvm_route_set(e->kvm, *g, &r);
}

static int op_gsi_alloc(struct env *e, void *arg)
{
	struct msidom_kvm_route r = env_route(env_msg(0, 0x55));
	return msidom_kvm_gsi_alloc(e->kvm, &r, arg);
}

static int op_gsi_free(struct env *e, void *arg)
{
	return msidom_kvm_gsi_free(e->kvm, *(uint32_t *)arg);
}

static int op_batch(struct env *e, void *arg)
{
	const uint32_t *g = arg;
	int ret = msidom_kvm_batch_begin(e->kvm);
	assert_int_equal(ret, 0);
	for (uint32_t i = 0; i < 3; i++) {
		struct msidom_kvm_route r = env_route(env_msg(i % 2, 0x60 + i));
		assert_int_equal(msidom_kvm_route_set(e->kvm, g[i], &r), 0);
	}
	return msidom_kvm_batch_end(e->kvm);
}

static void test_every_failing_ioctl_leaves_both_tables_as_before(void **state)
{
	(void)state;
	struct env *e = env_opened(256, 8);
	MSIDOM_OPTS(msidom_kvm_route, pin, .type = MSIDOM_KVM_ROUTE_IRQCHIP, .irqchip = 0,
		    .pin = 1);
	assert_int_equal(msidom_kvm_route_set(e->kvm, 1, &pin), 0);
	uint32_t g[3];
	for (uint32_t i = 0; i < 3; i++) {
		struct msidom_kvm_route r = env_route(env_msg(0, 0x41 + i));
		assert_int_equal(msidom_kvm_gsi_alloc(e->kvm, &r, &g[i]), 0);
	}
	assert_int_equal(fail_each_ioctl(e, op_route_set, &g[0]), 1);
	uint32_t ng;
	assert_int_equal(fail_each_ioctl(e, op_gsi_alloc, &ng), 1);
	assert_int_equal(fail_each_ioctl(e, op_batch, g), 1);
	assert_kernel_msi(e, g[2], env_msg(0, 0x62));
	assert_int_equal(fail_each_ioctl(e, op_gsi_free, &ng), 1);
	assert_null(fkvm_route(e->fk, ng));
	env_free(e);
}

static void test_failed_batch_keeps_gsis_allocated_in_it_without_routes(void **state)
{
	(void)state;
	struct env *e = env_opened(64, 0);
	uint32_t a, b;
	struct msidom_kvm_route r = env_route(env_msg(0, 0x41));
	assert_int_equal(msidom_kvm_gsi_alloc(e->kvm, &r, &a), 0);
	assert_int_equal(msidom_kvm_batch_begin(e->kvm), 0);
	r = env_route(env_msg(1, 0x42));
	assert_int_equal(msidom_kvm_gsi_alloc(e->kvm, &r, &b), 0);
	assert_int_equal(msidom_kvm_route_set(e->kvm, a, &r), 0);
	fkvm_fail_at(e->fk, 1, ENOMEM);
	assert_int_equal(msidom_kvm_batch_end(e->kvm), -ENOMEM);
	assert_true(ts_log_has(&e->h, "KVM_SET_GSI_ROUTING"));
	MSIDOM_OPTS(msidom_kvm_route, got, );
	assert_int_equal(msidom_kvm_get_route(e->kvm, a, &got), 0);
	assert_int_equal(got.msg.data, 0x41);
	assert_int_equal(msidom_kvm_get_route(e->kvm, b, &got), 0);
	assert_int_equal(got.type, MSIDOM_KVM_ROUTE_NONE);
	assert_kernel_msi(e, a, env_msg(0, 0x41));
	assert_null(fkvm_route(e->fk, b));
	/* b is still the VMM's, and can be routed now. */
	assert_int_equal(msidom_kvm_route_set(e->kvm, b, &r), 0);
	assert_kernel_msi(e, b, env_msg(1, 0x42));
	assert_int_equal(msidom_kvm_gsi_free(e->kvm, a), 0);
	assert_int_equal(msidom_kvm_gsi_free(e->kvm, b), 0);
	env_free(e);
}

static void test_gsi_quota_and_ownership_are_enforced(void **state)
{
	(void)state;
	struct env *e = env_opened(64, 4);
	assert_int_equal(msidom_kvm_set_quota(e->kvm, 2, 0), 0);
	uint32_t a, b, c;
	assert_int_equal(msidom_kvm_gsi_alloc(e->kvm, NULL, &a), 0);
	assert_int_equal(msidom_kvm_gsi_alloc(e->kvm, NULL, &b), 0);
	assert_int_equal(msidom_kvm_gsi_alloc(e->kvm, NULL, &c), -EDQUOT);
	assert_true(ts_log_has(&e->h, "quota"));
	struct msidom_kvm_route r = env_route(env_msg(0, 0x41));
	/* A free GSI of the library's range is not the VMM's to route. */
	assert_int_equal(msidom_kvm_route_set(e->kvm, 10, &r), -EPERM);
	assert_int_equal(msidom_kvm_route_set(e->kvm, 64, &r), -EINVAL);
	MSIDOM_OPTS(msidom_kvm_route, got, );
	assert_int_equal(msidom_kvm_get_route(e->kvm, 64, &got), -EINVAL);
	assert_true(ts_log_has(&e->h, "GSI 64 is beyond 64"));
	assert_int_equal(msidom_kvm_gsi_free(e->kvm, 2), -EINVAL);
	assert_int_equal(msidom_kvm_gsi_free(e->kvm, 10), -EINVAL);
	MSIDOM_OPTS(msidom_kvm_route, badflags, .type = MSIDOM_KVM_ROUTE_MSI, .flags = 2);
	assert_int_equal(msidom_kvm_route_set(e->kvm, a, &badflags), -EINVAL);
	MSIDOM_OPTS(msidom_kvm_route, badtype, .type = (enum msidom_kvm_route_type)7);
	assert_int_equal(msidom_kvm_route_set(e->kvm, a, &badtype), -EINVAL);
	MSIDOM_OPTS(msidom_kvm_route, chipflags, .type = MSIDOM_KVM_ROUTE_IRQCHIP, .flags = 1);
	assert_int_equal(msidom_kvm_route_set(e->kvm, 0, &chipflags), -EINVAL);
	assert_int_equal(msidom_kvm_route_set(e->kvm, a, NULL), -EINVAL);
	assert_int_equal(e->fk->set_gsi_routing, 0);
	/* Lowered below the use: nothing taken back, nothing new given. */
	assert_int_equal(msidom_kvm_set_quota(e->kvm, 1, 0), 0);
	assert_int_equal(msidom_kvm_gsi_free(e->kvm, b), 0);
	assert_int_equal(msidom_kvm_gsi_alloc(e->kvm, NULL, &c), -EDQUOT);
	assert_int_equal(msidom_kvm_set_quota(e->kvm, 0, 0), 0);
	assert_int_equal(msidom_kvm_gsi_alloc(e->kvm, NULL, &c), 0);
	assert_int_equal(msidom_kvm_gsi_free(e->kvm, a), 0);
	assert_int_equal(msidom_kvm_gsi_free(e->kvm, c), 0);
	env_free(e);
}

static void test_devid_reaches_kvm_with_its_flag(void **state)
{
	(void)state;
	struct env *e = env_opened(64, 0);
	MSIDOM_OPTS(msidom_kvm_route, r, .type = MSIDOM_KVM_ROUTE_MSI,
		    .msg = { .address_lo = 0x08090040u, .data = 17 },
		    .flags = MSIDOM_KVM_MSI_VALID_DEVID, .devid = 0x18);
	uint32_t g;
	assert_int_equal(msidom_kvm_gsi_alloc(e->kvm, &r, &g), 0);
	const struct kvm_irq_routing_entry *k = fkvm_route(e->fk, g);
	assert_non_null(k);
	assert_int_equal(k->flags, KVM_MSI_VALID_DEVID);
	assert_int_equal(k->u.msi.devid, 0x18);
	/* Without the flag the devid means nothing and is not sent. */
	r.flags = 0;
	assert_int_equal(msidom_kvm_route_set(e->kvm, g, &r), 0);
	k = fkvm_route(e->fk, g);
	assert_int_equal(k->flags, 0);
	assert_int_equal(k->u.msi.devid, 0);
	assert_int_equal(msidom_kvm_gsi_free(e->kvm, g), 0);
	env_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_update_sends_the_whole_table_with_the_vmm_routes),
		cmocka_unit_test(test_retarget_outside_a_batch_costs_one_set_gsi_routing),
		cmocka_unit_test(test_whole_table_rewrite_in_one_batch_is_one_set_gsi_routing),
		cmocka_unit_test(test_every_failing_ioctl_leaves_both_tables_as_before),
		cmocka_unit_test(test_failed_batch_keeps_gsis_allocated_in_it_without_routes),
		cmocka_unit_test(test_gsi_quota_and_ownership_are_enforced),
		cmocka_unit_test(test_devid_reaches_kvm_with_its_flag),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
