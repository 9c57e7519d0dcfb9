/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Per-device domains under the GSI root: each guest vector gets a GSI
 * whose route is the vector's composed (guest) message. One operation is
 * one KVM_SET_GSI_ROUTING; a batch of the domain or of the root, however
 * many vectors it touches, is one; a failure anywhere leaves the tables,
 * the irqfds, the descriptors and the memory as before.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "env.h"

static void assert_routed_to_guest(struct env *e, uint32_t index)
{
	const struct kvm_irq_routing_entry *k = fkvm_route(e->fk, env_gsi(e, index));
	assert_non_null(k);
	assert_int_equal(k->type, KVM_IRQ_ROUTING_MSI);
	assert_int_equal(k->u.msi.address_lo, e->guest[index].address_lo);
	assert_int_equal(k->u.msi.address_hi, e->guest[index].address_hi);
	assert_int_equal(k->u.msi.data, e->guest[index].data);
}

static void test_vector_route_is_its_guest_message(void **state)
{
	(void)state;
	struct env *e = env_with_domain(4096, 24);
	assert_string_equal(msidom_domain_name(e->dom), "KVM-PCI-MSIX-guest0");
	assert_ptr_equal(msidom_domain_parent(e->dom), msidom_kvm_root(e->kvm));
	for (uint32_t i = 0; i < 4; i++) {
		env_alloc(e, i);
		assert_int_equal(e->fk->set_gsi_routing, i + 1);
		assert_true(env_gsi(e, i) >= 24);
		assert_routed_to_guest(e, i);
	}
	assert_int_equal(msidom_kvm_vector_gsi(e->kvm, e->dom, 4), -ENOENT);
	assert_int_equal(msidom_kvm_vector_gsi(e->kvm, msidom_kvm_root(e->kvm), 0), -EINVAL);
	/* The domain's GSIs are routed by the domain alone. */
	struct msidom_kvm_route r = env_route(env_msg(0, 0x99));
	assert_int_equal(msidom_kvm_route_set(e->kvm, env_gsi(e, 0), &r), -EPERM);
	char *dump = ts_dump(e->ctx);
	assert_non_null(strstr(dump, "KVM-PCI-MSIX-guest0"));
	assert_non_null(strstr(dump, "KVM-GSI"));
	free(dump);
	assert_int_equal(msidom_msi_free(e->dev, MSIDOM_DEFAULT_DOMAIN, 2), 0);
	assert_null(fkvm_route(e->fk, 26));
	assert_int_equal(e->fk->set_gsi_routing, 5);
	env_free(e);
}

static void test_guest_retarget_outside_a_batch_costs_one_call(void **state)
{
	(void)state;
	struct env *e = env_with_domain(4096, 0);
	uint32_t virq = env_alloc(e, 3);
	int efd = eventfd(0, EFD_CLOEXEC);
	assert_true(efd >= 0);
	assert_int_equal(msidom_kvm_irqfd_attach(e->kvm, env_gsi(e, 3), efd), 0);
	unsigned long calls = e->fk->ioctls;
	e->guest[3] = env_msg(1, 0x77);
	assert_int_equal(msidom_irq_refresh_msg(e->ctx, virq), 0);
	assert_int_equal(e->fk->ioctls, calls + 1);
	assert_int_equal(e->fk->set_gsi_routing, 2);
	assert_routed_to_guest(e, 3);
	struct kvm_irq_routing_msi to;
	assert_true(fkvm_deliver(e->fk, efd, &to));
	assert_int_equal(to.data, 0x77);
	/* Freeing the vector detaches its irqfd and removes its route. */
	assert_int_equal(msidom_msi_free(e->dev, MSIDOM_DEFAULT_DOMAIN, 3), 0);
	assert_int_equal(e->fk->irqfd_deassign, 1);
	assert_int_equal(e->fk->st.nirqfd, 0);
	assert_int_equal(e->fk->st.nr, 0);
	close(efd);
	env_free(e);
}

static void test_domain_batch_rewriting_every_vector_is_one_call(void **state)
{
	(void)state;
	struct env *e = env_with_domain(4096, 0);
	uint32_t virq[ENV_GUEST_VECTORS];
	assert_int_equal(msidom_domain_batch_begin(e->dom), 0);
	for (uint32_t i = 0; i < ENV_GUEST_VECTORS; i++)
		virq[i] = env_alloc(e, i);
	assert_int_equal(e->fk->set_gsi_routing, 0);
	assert_int_equal(msidom_domain_batch_end(e->dom), 0);
	assert_int_equal(e->fk->set_gsi_routing, 1);
	assert_int_equal(e->fk->st.nr, ENV_GUEST_VECTORS);
	/* The guest rewrites its whole table. */
	assert_int_equal(msidom_domain_batch_begin(e->dom), 0);
	for (uint32_t i = 0; i < ENV_GUEST_VECTORS; i++) {
		e->guest[i] = env_msg((i + 1) % 2, 0x80 + i);
		assert_int_equal(msidom_irq_refresh_msg(e->ctx, virq[i]), 0);
	}
	assert_int_equal(msidom_domain_batch_end(e->dom), 0);
	assert_int_equal(e->fk->set_gsi_routing, 2);
	for (uint32_t i = 0; i < ENV_GUEST_VECTORS; i++)
		assert_routed_to_guest(e, i);
	/* A batch of the root holds the domain's operations as well. */
	struct msidom_domain *root = msidom_kvm_root(e->kvm);
	assert_int_equal(msidom_domain_batch_begin(root), 0);
	for (uint32_t i = 0; i < 8; i++) {
		e->guest[i] = env_msg(i % 2, 0xc0 + i);
		assert_int_equal(msidom_irq_refresh_msg(e->ctx, virq[i]), 0);
	}
	assert_int_equal(msidom_msi_free(e->dev, MSIDOM_DEFAULT_DOMAIN, 63), 0);
	assert_int_equal(msidom_domain_batch_end(root), 0);
	assert_int_equal(e->fk->set_gsi_routing, 3);
	assert_int_equal(e->fk->st.nr, ENV_GUEST_VECTORS - 1);
	assert_routed_to_guest(e, 7);
	/* The domain's batch is not the caller's to end through the explicit API. */
	assert_int_equal(msidom_domain_batch_begin(e->dom), 0);
	assert_int_equal(msidom_kvm_batch_end(e->kvm), -EINVAL);
	assert_int_equal(msidom_domain_batch_end(e->dom), 0);
	/* And so does the explicit batch. */
	assert_int_equal(msidom_kvm_batch_begin(e->kvm), 0);
	assert_int_equal(msidom_msi_free_all(e->dev, MSIDOM_DEFAULT_DOMAIN), ENV_GUEST_VECTORS - 1);
	assert_int_equal(msidom_kvm_batch_end(e->kvm), 0);
	assert_int_equal(e->fk->set_gsi_routing, 4);
	assert_int_equal(e->fk->st.nr, 0);
	env_free(e);
}

static int op_alloc(struct env *e, void *arg)
{
	MSIDOM_OPTS(msidom_alloc_opts, opts, .unmasked = true);
	struct msidom_map m =
		msidom_msi_alloc_at(e->dev, MSIDOM_DEFAULT_DOMAIN, *(uint32_t *)arg, &opts);
	return m.index < 0 ? (int)m.index : 0;
}

static int op_refresh(struct env *e, void *arg)
{
	return msidom_irq_refresh_msg(e->ctx, *(uint32_t *)arg);
}

static int op_batch(struct env *e, void *arg)
{
	const uint32_t *virq = arg;
	assert_int_equal(msidom_domain_batch_begin(e->dom), 0);
	for (uint32_t i = 0; i < 3; i++) {
		e->guest[i] = env_msg(i % 2, 0xd0 + i);
		assert_int_equal(msidom_irq_refresh_msg(e->ctx, virq[i]), 0);
	}
	return msidom_domain_batch_end(e->dom);
}

static void test_every_failing_ioctl_leaves_everything_as_before(void **state)
{
	(void)state;
	struct env *e = env_with_domain(256, 16);
	uint32_t virq[3];
	for (uint32_t i = 0; i < 3; i++)
		virq[i] = env_alloc(e, i);
	int efd = eventfd(0, EFD_CLOEXEC);
	assert_true(efd >= 0);
	assert_int_equal(msidom_kvm_irqfd_attach(e->kvm, env_gsi(e, 1), efd), 0);
	uint32_t index = 9;
	uint32_t descs = ts_count_descs(e->dom);
	assert_int_equal(fail_each_ioctl(e, op_alloc, &index), 1);
	assert_int_equal(ts_count_descs(e->dom), descs + 1);
	assert_routed_to_guest(e, 9);
	e->guest[1] = env_msg(0, 0xee);
	assert_int_equal(fail_each_ioctl(e, op_refresh, &virq[1]), 1);
	assert_routed_to_guest(e, 1);
	assert_int_equal(fail_each_ioctl(e, op_batch, virq), 1);
	for (uint32_t i = 0; i < 3; i++)
		assert_routed_to_guest(e, i);
	/* The irqfd was never touched. */
	assert_int_equal(e->fk->irqfd_assign, 1);
	assert_int_equal(e->fk->irqfd_deassign, 0);
	assert_int_equal(fkvm_irqfd_gsi(e->fk, efd), env_gsi(e, 1));
	close(efd);
	env_free(e);
}

static void test_free_with_a_failing_detach_keeps_the_gsi_out_of_use(void **state)
{
	(void)state;
	struct env *e = env_with_domain(64, 0);
	env_alloc(e, 0);
	int efd = eventfd(0, EFD_CLOEXEC);
	assert_true(efd >= 0);
	uint32_t g = env_gsi(e, 0);
	assert_int_equal(msidom_kvm_irqfd_attach(e->kvm, g, efd), 0);
	fkvm_fail_at(e->fk, 1, EIO);
	assert_int_equal(msidom_msi_free(e->dev, MSIDOM_DEFAULT_DOMAIN, 0), 0);
	assert_true(ts_log_has(&e->h, "detaching eventfd"));
	MSIDOM_OPTS(msidom_kvm_stats, st, );
	assert_int_equal(msidom_kvm_get_stats(e->kvm, &st), 0);
	assert_int_equal(st.gsis, 0);
	assert_int_equal(st.irqfds, 1);
	assert_int_equal(st.routes, 0);
	assert_int_equal(e->fk->st.nr, 0);
	/* KVM still holds the irqfd: the next vector gets another GSI. */
	assert_int_equal(fkvm_irqfd_gsi(e->fk, efd), g);
	env_alloc(e, 1);
	assert_int_not_equal(env_gsi(e, 1), g);
	assert_int_equal(msidom_kvm_irqfd_attach(e->kvm, g, efd), -EINVAL);
	assert_int_equal(msidom_kvm_signal(e->kvm, g), -EINVAL);
	/* The retried detach gives it back. */
	assert_int_equal(msidom_kvm_irqfd_detach(e->kvm, g), 0);
	assert_int_equal(fkvm_irqfd_gsi(e->fk, efd), -1);
	assert_int_equal(msidom_msi_free(e->dev, MSIDOM_DEFAULT_DOMAIN, 1), 0);
	env_alloc(e, 2);
	assert_int_equal(env_gsi(e, 2), g);
	close(efd);
	env_free(e);
}

static void test_quota_compose_failure_and_bad_configs_leave_nothing(void **state)
{
	(void)state;
	struct env *e = env_with_domain(64, 0);
	env_alloc(e, 0);
	assert_int_equal(msidom_kvm_set_quota(e->kvm, 1, 0), 0);
	size_t mem = msidom_ctx_mem_bytes(e->ctx);
	MSIDOM_OPTS(msidom_alloc_opts, opts, .unmasked = true);
	struct msidom_map m = msidom_msi_alloc_at(e->dev, MSIDOM_DEFAULT_DOMAIN, 1, &opts);
	assert_int_equal(m.index, -EDQUOT);
	assert_int_equal(msidom_ctx_mem_bytes(e->ctx), mem);
	assert_int_equal(msidom_kvm_set_quota(e->kvm, 0, 0), 0);
	e->fail_compose = -EFAULT;
	unsigned long calls = e->fk->ioctls;
	m = msidom_msi_alloc_at(e->dev, MSIDOM_DEFAULT_DOMAIN, 1, &opts);
	assert_int_equal(m.index, -EFAULT);
	assert_true(ts_log_has(&e->h, "guest message of vector 1"));
	assert_int_equal(e->fk->ioctls, calls);
	assert_int_equal(msidom_ctx_mem_bytes(e->ctx), mem);
	e->fail_compose = 0;
	/* Bad per-device domain configurations. */
	struct msidom_device *dev2;
	MSIDOM_OPTS(msidom_device_info, info, .name = "guest1");
	assert_int_equal(msidom_device_create(e->ctx, &info, &dev2), 0);
	struct msidom_domain *d = NULL;
	MSIDOM_OPTS(msidom_kvm_domain_config, nocompose, .name = "PCI-MSI", .hwsize = 1);
	assert_int_equal(msidom_kvm_device_domain_create(e->kvm, dev2, MSIDOM_DEFAULT_DOMAIN,
							 &nocompose, &d),
			 -EINVAL);
	assert_null(d);
	/* The slot is taken: the core refuses and the backend's state goes back. */
	MSIDOM_OPTS(msidom_kvm_domain_config, dup, .name = "PCI-MSI", .hwsize = 1,
		    .compose = env_compose, .arg = e);
	mem = msidom_ctx_mem_bytes(e->ctx);
	assert_int_equal(
		msidom_kvm_device_domain_create(e->kvm, e->dev, MSIDOM_DEFAULT_DOMAIN, &dup, &d),
		-EEXIST);
	assert_int_equal(msidom_ctx_mem_bytes(e->ctx), mem);
	for (long n = 1;; n++) {
		e->h.fail_at = n;
		int ret = msidom_kvm_device_domain_create(e->kvm, dev2, MSIDOM_DEFAULT_DOMAIN, &dup,
							  &d);
		if (e->h.fail_at > 0) {
			e->h.fail_at = 0;
			assert_int_equal(ret, 0);
			break;
		}
		assert_int_equal(ret, -ENOMEM);
		assert_int_equal(msidom_ctx_mem_bytes(e->ctx), mem);
	}
	assert_int_equal(msidom_device_domain_destroy(dev2, MSIDOM_DEFAULT_DOMAIN), 0);
	assert_int_equal(msidom_ctx_mem_bytes(e->ctx), mem);
	msidom_device_destroy(dev2);
	env_free(e);
}

static void test_device_id_of_the_domain_reaches_every_route(void **state)
{
	(void)state;
	struct env *e = env_opened(64, 0);
	MSIDOM_OPTS(msidom_device_info, info, .name = "its0", .requester_id = 0x18);
	assert_int_equal(msidom_device_create(e->ctx, &info, &e->dev), 0);
	MSIDOM_OPTS(msidom_kvm_domain_config, dc, .name = "PCI-MSIX", .hwsize = 8,
		    .compose = env_compose, .arg = e, .flags = MSIDOM_KVM_MSI_VALID_DEVID,
		    .devid = 0x18);
	assert_int_equal(msidom_kvm_device_domain_create(e->kvm, e->dev, MSIDOM_DEFAULT_DOMAIN, &dc,
							 &e->dom),
			 0);
	/* A GICv3 ITS doorbell (GITS_TRANSLATER) and the event id. */
	e->guest[0] = (struct msidom_msg){ .address_lo = 0x08090040u, .data = 5 };
	e->guest[1] = (struct msidom_msg){ .address_lo = 0x08090040u, .data = 6 };
	env_alloc(e, 0);
	env_alloc(e, 1);
	for (uint32_t i = 0; i < 2; i++) {
		const struct kvm_irq_routing_entry *k = fkvm_route(e->fk, env_gsi(e, i));
		assert_non_null(k);
		assert_int_equal(k->flags, KVM_MSI_VALID_DEVID);
		assert_int_equal(k->u.msi.devid, 0x18);
		assert_int_equal(k->u.msi.data, 5 + i);
	}
	env_free(e);
}

static void test_domain_teardown_detaches_every_irqfd_and_route(void **state)
{
	(void)state;
	struct env *e = env_with_domain(64, 8);
	int efd[3];
	for (uint32_t i = 0; i < 3; i++) {
		env_alloc(e, i);
		efd[i] = eventfd(0, EFD_CLOEXEC);
		assert_true(efd[i] >= 0);
		assert_int_equal(msidom_kvm_irqfd_attach(e->kvm, env_gsi(e, i), efd[i]), 0);
	}
	MSIDOM_OPTS(msidom_kvm_route, pin, .type = MSIDOM_KVM_ROUTE_IRQCHIP, .irqchip = 2,
		    .pin = 1);
	assert_int_equal(msidom_kvm_route_set(e->kvm, 1, &pin), 0);
	unsigned long calls = e->fk->set_gsi_routing;
	assert_int_equal(msidom_device_domain_destroy(e->dev, MSIDOM_DEFAULT_DOMAIN), 0);
	e->dom = NULL;
	assert_int_equal(e->fk->irqfd_deassign, 3);
	assert_int_equal(e->fk->set_gsi_routing, calls + 1);
	assert_int_equal(e->fk->st.nirqfd, 0);
	/* Only the VMM's route is left. */
	assert_int_equal(e->fk->st.nr, 1);
	assert_non_null(fkvm_route(e->fk, 1));
	MSIDOM_OPTS(msidom_kvm_stats, st, );
	assert_int_equal(msidom_kvm_get_stats(e->kvm, &st), 0);
	assert_int_equal(st.gsis, 0);
	assert_int_equal(st.irqfds, 0);
	for (uint32_t i = 0; i < 3; i++)
		close(efd[i]);
	env_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vector_route_is_its_guest_message),
		cmocka_unit_test(test_guest_retarget_outside_a_batch_costs_one_call),
		cmocka_unit_test(test_domain_batch_rewriting_every_vector_is_one_call),
		cmocka_unit_test(test_every_failing_ioctl_leaves_everything_as_before),
		cmocka_unit_test(test_free_with_a_failing_detach_keeps_the_gsi_out_of_use),
		cmocka_unit_test(test_quota_compose_failure_and_bad_configs_leave_nothing),
		cmocka_unit_test(test_device_id_of_the_domain_reaches_every_route),
		cmocka_unit_test(test_domain_teardown_detaches_every_irqfd_and_route),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
