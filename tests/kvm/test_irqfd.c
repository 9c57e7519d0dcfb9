/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Irqfds and directly signalled MSIs: attach and detach are one KVM_IRQFD
 * each, a route change never touches a live irqfd (the next write reaches
 * the new route), the quota and the one-eventfd-per-GSI rule hold, a
 * failure leaves everything as before, and KVM_SIGNAL_MSI injects a GSI's
 * route with its device id.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "env.h"

static int new_eventfd(void)
{
	int fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	assert_true(fd >= 0);
	return fd;
}

static void test_retarget_of_a_live_irqfd_keeps_it_attached(void **state)
{
	(void)state;
	struct env *e = env_opened(64, 0);
	struct msidom_kvm_route r = env_route(env_msg(0, 0x41));
	uint32_t g;
	assert_int_equal(msidom_kvm_gsi_alloc(e->kvm, &r, &g), 0);
	int efd = new_eventfd();
	assert_int_equal(msidom_kvm_irqfd_attach(e->kvm, g, efd), 0);
	assert_int_equal(e->fk->irqfd_assign, 1);
	assert_int_equal(msidom_kvm_irqfd(e->kvm, g), efd);
	struct kvm_irq_routing_msi to;
	assert_true(fkvm_deliver(e->fk, efd, &to));
	assert_int_equal(to.address_lo, 0xfee00000u);
	assert_int_equal(to.data, 0x41);
	r = env_route(env_msg(1, 0x52));
	assert_int_equal(msidom_kvm_route_set(e->kvm, g, &r), 0);
	/* No KVM_IRQFD around the change: the same irqfd now reaches the new route. */
	assert_int_equal(e->fk->irqfd_assign, 1);
	assert_int_equal(e->fk->irqfd_deassign, 0);
	assert_true(fkvm_deliver(e->fk, efd, &to));
	assert_int_equal(to.address_lo, 0xfee01000u);
	assert_int_equal(to.data, 0x52);
	/* Also inside a batch. */
	assert_int_equal(msidom_kvm_batch_begin(e->kvm), 0);
	r = env_route(env_msg(0, 0x63));
	assert_int_equal(msidom_kvm_route_set(e->kvm, g, &r), 0);
	assert_int_equal(msidom_kvm_batch_end(e->kvm), 0);
	assert_int_equal(e->fk->irqfd_assign + e->fk->irqfd_deassign, 1);
	assert_true(fkvm_deliver(e->fk, efd, &to));
	assert_int_equal(to.data, 0x63);
	/* A GSI with an irqfd is not freed behind its back. */
	assert_int_equal(msidom_kvm_gsi_free(e->kvm, g), -EBUSY);
	assert_int_equal(msidom_kvm_irqfd_detach(e->kvm, g), 0);
	assert_int_equal(e->fk->irqfd_deassign, 1);
	assert_int_equal(e->fk->st.nirqfd, 0);
	assert_int_equal(msidom_kvm_irqfd(e->kvm, g), -ENOENT);
	assert_int_equal(msidom_kvm_gsi_free(e->kvm, g), 0);
	close(efd);
	env_free(e);
}

static void test_one_eventfd_per_gsi_and_the_irqfd_quota(void **state)
{
	(void)state;
	struct env *e = env_opened(64, 4);
	int fds[3] = { new_eventfd(), new_eventfd(), new_eventfd() };
	assert_int_equal(msidom_kvm_set_quota(e->kvm, 0, 2), 0);
	/* A VMM GSI takes an irqfd too; a free one of the library's range does not. */
	assert_int_equal(msidom_kvm_irqfd_attach(e->kvm, 0, fds[0]), 0);
	assert_int_equal(msidom_kvm_irqfd_attach(e->kvm, 0, fds[1]), -EBUSY);
	assert_int_equal(msidom_kvm_irqfd_attach(e->kvm, 10, fds[1]), -EINVAL);
	assert_int_equal(msidom_kvm_irqfd_attach(e->kvm, 1, -1), -EINVAL);
	assert_int_equal(msidom_kvm_irqfd_attach(e->kvm, 1, fds[1]), 0);
	assert_int_equal(msidom_kvm_irqfd_attach(e->kvm, 2, fds[2]), -EDQUOT);
	assert_true(ts_log_has(&e->h, "irqfd quota"));
	MSIDOM_OPTS(msidom_kvm_stats, st, );
	assert_int_equal(msidom_kvm_get_stats(e->kvm, &st), 0);
	assert_int_equal(st.irqfds, 2);
	assert_int_equal(e->fk->irqfd_assign, 2);
	assert_int_equal(msidom_kvm_irqfd_detach(e->kvm, 3), -ENOENT);
	assert_int_equal(msidom_kvm_irqfd_detach(e->kvm, 64), -EINVAL);
	assert_int_equal(msidom_kvm_irqfd_detach(e->kvm, 0), 0);
	assert_int_equal(msidom_kvm_irqfd_attach(e->kvm, 2, fds[2]), 0);
	/* KVM refuses an eventfd that is already attached elsewhere in the VM. */
	assert_int_equal(msidom_kvm_irqfd_attach(e->kvm, 3, fds[2]), -EDQUOT);
	assert_int_equal(msidom_kvm_set_quota(e->kvm, 0, 0), 0);
	assert_int_equal(msidom_kvm_irqfd_attach(e->kvm, 3, fds[2]), -EBUSY);
	assert_int_equal(msidom_kvm_irqfd(e->kvm, 3), -ENOENT);
	/* Close detaches the rest. */
	assert_int_equal(msidom_kvm_close(e->kvm), 0);
	e->kvm = NULL;
	assert_int_equal(e->fk->st.nirqfd, 0);
	for (int i = 0; i < 3; i++)
		close(fds[i]);
	env_free(e);
}

static int op_attach(struct env *e, void *arg)
{
	const int *a = arg;
	return msidom_kvm_irqfd_attach(e->kvm, (uint32_t)a[0], a[1]);
}

static int op_detach(struct env *e, void *arg)
{
	const int *a = arg;
	return msidom_kvm_irqfd_detach(e->kvm, (uint32_t)a[0]);
}

static int op_signal(struct env *e, void *arg)
{
	const int *a = arg;
	return msidom_kvm_signal(e->kvm, (uint32_t)a[0]);
}

static void test_every_failing_ioctl_leaves_irqfds_as_before(void **state)
{
	(void)state;
	struct env *e = env_opened(64, 0);
	struct msidom_kvm_route r = env_route(env_msg(1, 0x41));
	uint32_t g;
	assert_int_equal(msidom_kvm_gsi_alloc(e->kvm, &r, &g), 0);
	int a[2] = { (int)g, new_eventfd() };
	assert_int_equal(fail_each_ioctl(e, op_attach, a), 1);
	assert_int_equal(fkvm_irqfd_gsi(e->fk, a[1]), g);
	assert_int_equal(fail_each_ioctl(e, op_signal, a), 1);
	assert_int_equal(fail_each_ioctl(e, op_detach, a), 1);
	assert_int_equal(fkvm_irqfd_gsi(e->fk, a[1]), -1);
	assert_int_equal(msidom_kvm_gsi_free(e->kvm, g), 0);
	close(a[1]);
	env_free(e);
}

static void test_signal_injects_the_route_with_its_device_id(void **state)
{
	(void)state;
	struct env *e = env_opened(64, 0);
	MSIDOM_OPTS(msidom_kvm_route, r, .type = MSIDOM_KVM_ROUTE_MSI,
		    .msg = { .address_lo = 0xfee01000u, .address_hi = 0, .data = 0x52 },
		    .flags = MSIDOM_KVM_MSI_VALID_DEVID, .devid = 0x100);
	uint32_t g, none;
	assert_int_equal(msidom_kvm_gsi_alloc(e->kvm, &r, &g), 0);
	assert_int_equal(msidom_kvm_gsi_alloc(e->kvm, NULL, &none), 0);
	assert_int_equal(msidom_kvm_signal(e->kvm, g), 1);
	assert_int_equal(e->fk->signal_msi, 1);
	assert_int_equal(e->fk->last_msi.address_lo, 0xfee01000u);
	assert_int_equal(e->fk->last_msi.data, 0x52);
	assert_int_equal(e->fk->last_msi.flags, KVM_MSI_VALID_DEVID);
	assert_int_equal(e->fk->last_msi.devid, 0x100);
	/* The guest blocked it: KVM's 0 is handed back as is. */
	e->fk->signal_ret = 0;
	assert_int_equal(msidom_kvm_signal(e->kvm, g), 0);
	assert_int_equal(msidom_kvm_signal(e->kvm, none), -ENOENT);
	assert_int_equal(msidom_kvm_signal(e->kvm, 40), -EINVAL);
	MSIDOM_OPTS(msidom_kvm_stats, st, );
	assert_int_equal(msidom_kvm_get_stats(e->kvm, &st), 0);
	assert_int_equal(st.signal_msi, 2);
	assert_int_equal(msidom_kvm_gsi_free(e->kvm, g), 0);
	assert_int_equal(msidom_kvm_gsi_free(e->kvm, none), 0);
	env_free(e);
}

static void test_missing_capabilities_give_enosys(void **state)
{
	(void)state;
	struct env *e = env_new(64);
	e->fk->cap_irqfd = 0;
	e->fk->cap_signal_msi = 0;
	MSIDOM_OPTS(msidom_kvm_config, cfg, .vm_fd = e->fk->vm_fd, .sys = &e->fk->sys);
	assert_int_equal(msidom_kvm_open(e->ctx, &cfg, &e->kvm), 0);
	struct msidom_kvm_route r = env_route(env_msg(0, 0x41));
	uint32_t g;
	assert_int_equal(msidom_kvm_gsi_alloc(e->kvm, &r, &g), 0);
	int efd = new_eventfd();
	unsigned long calls = e->fk->ioctls;
	assert_int_equal(msidom_kvm_irqfd_attach(e->kvm, g, efd), -ENOSYS);
	assert_int_equal(msidom_kvm_signal(e->kvm, g), -ENOSYS);
	assert_int_equal(e->fk->ioctls, calls);
	assert_int_equal(msidom_kvm_gsi_free(e->kvm, g), 0);
	close(efd);
	env_free(e);
}

static void test_detach_after_the_eventfd_was_closed_forgets_it(void **state)
{
	(void)state;
	struct env *e = env_opened(64, 0);
	uint32_t g;
	assert_int_equal(msidom_kvm_gsi_alloc(e->kvm, NULL, &g), 0);
	int efd = new_eventfd();
	assert_int_equal(msidom_kvm_irqfd_attach(e->kvm, g, efd), 0);
	close(efd);
	assert_int_equal(msidom_kvm_irqfd_detach(e->kvm, g), 0);
	assert_true(ts_log_has(&e->h, "was closed before its detach"));
	assert_int_equal(msidom_kvm_irqfd(e->kvm, g), -ENOENT);
	assert_int_equal(e->fk->st.nirqfd, 0);
	assert_int_equal(msidom_kvm_gsi_free(e->kvm, g), 0);
	env_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_retarget_of_a_live_irqfd_keeps_it_attached),
		cmocka_unit_test(test_one_eventfd_per_gsi_and_the_irqfd_quota),
		cmocka_unit_test(test_every_failing_ioctl_leaves_irqfds_as_before),
		cmocka_unit_test(test_signal_injects_the_route_with_its_device_id),
		cmocka_unit_test(test_missing_capabilities_give_enosys),
		cmocka_unit_test(test_detach_after_the_eventfd_was_closed_forgets_it),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
