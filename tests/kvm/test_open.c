/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Opening and closing a VM's GSI domain: what KVM is asked, the GSI
 * space, bad configurations, a failure at every ioctl and at every
 * allocation, and a close that leaves the VM fd and the VMM's routes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "env.h"

static void test_open_asks_kvm_its_capacity_and_programs_nothing(void **state)
{
	(void)state;
	struct env *e = env_new(4096);
	e->fk->cap_msi_devid = 1;
	MSIDOM_OPTS(msidom_kvm_config, cfg, .vm_fd = e->fk->vm_fd, .sys = &e->fk->sys,
		    .first_gsi = 24, .name = "vm1");
	assert_int_equal(msidom_kvm_open(e->ctx, &cfg, &e->kvm), 0);
	assert_int_equal(e->fk->check_extension, 4);
	assert_int_equal(e->fk->ioctls, 4);
	MSIDOM_OPTS(msidom_kvm_info, info, );
	assert_int_equal(msidom_kvm_get_info(e->kvm, &info), 0);
	assert_int_equal(info.capacity, 4096);
	assert_int_equal(info.ngsi, 4096);
	assert_int_equal(info.first_gsi, 24);
	assert_true(info.irqfd);
	assert_true(info.signal_msi);
	assert_true(info.msi_devid);
	struct msidom_domain *root = msidom_kvm_root(e->kvm);
	assert_string_equal(msidom_domain_name(root), "KVM-GSI-vm1");
	assert_int_equal(msidom_domain_hwsize(root), 4096);
	assert_true(msidom_domain_flags(root) & MSIDOM_DOMAIN_MSI_PARENT);
	env_free(e);
}

static void test_caller_limit_bounds_the_gsi_space(void **state)
{
	(void)state;
	struct env *e = env_new(4096);
	MSIDOM_OPTS(msidom_kvm_config, cfg, .vm_fd = e->fk->vm_fd, .sys = &e->fk->sys,
		    .max_gsis = 32, .first_gsi = 30);
	assert_int_equal(msidom_kvm_open(e->ctx, &cfg, &e->kvm), 0);
	MSIDOM_OPTS(msidom_kvm_info, info, );
	assert_int_equal(msidom_kvm_get_info(e->kvm, &info), 0);
	assert_int_equal(info.ngsi, 32);
	uint32_t g1, g2, g3;
	assert_int_equal(msidom_kvm_gsi_alloc(e->kvm, NULL, &g1), 0);
	assert_int_equal(msidom_kvm_gsi_alloc(e->kvm, NULL, &g2), 0);
	assert_int_equal(g1, 30);
	assert_int_equal(g2, 31);
	assert_int_equal(msidom_kvm_gsi_alloc(e->kvm, NULL, &g3), -ENOSPC);
	assert_true(ts_log_has(&e->h, "in use"));
	/* No route, so nothing reached KVM. */
	assert_int_equal(e->fk->set_gsi_routing, 0);
	assert_int_equal(msidom_kvm_gsi_free(e->kvm, g1), 0);
	assert_int_equal(msidom_kvm_gsi_free(e->kvm, g2), 0);
	env_free(e);
}

static void test_bad_configurations_are_refused_with_a_log_line(void **state)
{
	(void)state;
	struct env *e = env_new(64);
	struct msidom_kvm *kvm = NULL;
	size_t mem = msidom_ctx_mem_bytes(e->ctx);
	MSIDOM_OPTS(msidom_kvm_config, nofd, .vm_fd = -1, .sys = &e->fk->sys);
	assert_int_equal(msidom_kvm_open(e->ctx, &nofd, &kvm), -EINVAL);
	assert_int_equal(msidom_kvm_open(e->ctx, NULL, &kvm), -EINVAL);
	MSIDOM_OPTS(msidom_kvm_config, noout, .vm_fd = e->fk->vm_fd, .sys = &e->fk->sys);
	assert_int_equal(msidom_kvm_open(e->ctx, &noout, NULL), -EINVAL);
	MSIDOM_OPTS(msidom_kvm_sys, noioctl, );
	MSIDOM_OPTS(msidom_kvm_config, badsys, .vm_fd = e->fk->vm_fd, .sys = &noioctl);
	assert_int_equal(msidom_kvm_open(e->ctx, &badsys, &kvm), -EINVAL);
	assert_true(ts_log_has(&e->h, "seam"));
	MSIDOM_OPTS(msidom_kvm_config, nogsi, .vm_fd = e->fk->vm_fd, .sys = &e->fk->sys,
		    .first_gsi = 64);
	assert_int_equal(msidom_kvm_open(e->ctx, &nogsi, &kvm), -EINVAL);
	assert_true(ts_log_has(&e->h, "first_gsi 64"));
	e->fk->cap_irq_routing = 0;
	MSIDOM_OPTS(msidom_kvm_config, ok, .vm_fd = e->fk->vm_fd, .sys = &e->fk->sys);
	assert_int_equal(msidom_kvm_open(e->ctx, &ok, &kvm), -ENODEV);
	assert_true(ts_log_has(&e->h, "KVM_CAP_IRQ_ROUTING"));
	assert_null(kvm);
	assert_int_equal(msidom_ctx_mem_bytes(e->ctx), mem);
	env_free(e);
}

static void test_open_fails_cleanly_at_every_ioctl_and_every_allocation(void **state)
{
	(void)state;
	struct env *e = env_new(256);
	MSIDOM_OPTS(msidom_kvm_config, cfg, .vm_fd = e->fk->vm_fd, .sys = &e->fk->sys);
	size_t mem = msidom_ctx_mem_bytes(e->ctx);
	int fds = ts_count_fds();
	for (long n = 1; n <= 4; n++) {
		struct msidom_kvm *kvm = NULL;
		fkvm_fail_at(e->fk, n, EACCES);
		assert_int_equal(msidom_kvm_open(e->ctx, &cfg, &kvm), -EACCES);
		assert_null(kvm);
		assert_int_equal(msidom_ctx_mem_bytes(e->ctx), mem);
		assert_int_equal(ts_count_fds(), fds);
	}
	for (long n = 1;; n++) {
		struct msidom_kvm *kvm = NULL;
		e->h.fail_at = n;
		int ret = msidom_kvm_open(e->ctx, &cfg, &kvm);
		if (e->h.fail_at > 0) {
			e->h.fail_at = 0;
			assert_int_equal(ret, 0);
			assert_int_equal(msidom_kvm_close(kvm), 0);
			break;
		}
		assert_int_equal(ret, -ENOMEM);
		assert_null(kvm);
		assert_int_equal(msidom_ctx_mem_bytes(e->ctx), mem);
	}
	assert_int_equal(ts_count_fds(), fds);
	env_free(e);
}

static void test_close_keeps_the_vm_fd_and_the_vmm_routes(void **state)
{
	(void)state;
	struct env *e = env_opened(64, 24);
	MSIDOM_OPTS(msidom_kvm_route, pin, .type = MSIDOM_KVM_ROUTE_IRQCHIP, .irqchip = 2,
		    .pin = 4);
	assert_int_equal(msidom_kvm_route_set(e->kvm, 4, &pin), 0);
	struct msidom_kvm_route r = env_route(env_msg(0, 0x41));
	uint32_t g;
	assert_int_equal(msidom_kvm_gsi_alloc(e->kvm, &r, &g), 0);
	int efd = eventfd(0, EFD_CLOEXEC);
	assert_true(efd >= 0);
	assert_int_equal(msidom_kvm_irqfd_attach(e->kvm, g, efd), 0);
	assert_int_equal(e->fk->st.nr, 2);
	assert_int_equal(msidom_kvm_close(e->kvm), 0);
	e->kvm = NULL;
	/* The irqfd is gone, the library's route too, the VMM's stays. */
	assert_int_equal(e->fk->st.nirqfd, 0);
	assert_int_equal(e->fk->st.nr, 1);
	assert_non_null(fkvm_route(e->fk, 4));
	assert_null(fkvm_route(e->fk, g));
	/* Neither the VM fd nor the eventfd was closed. */
	assert_true(fcntl(e->fk->vm_fd, F_GETFD) >= 0);
	assert_true(fcntl(efd, F_GETFD) >= 0);
	close(efd);
	env_free(e);
}

static void test_close_refuses_while_a_domain_or_a_batch_is_open(void **state)
{
	(void)state;
	struct env *e = env_with_domain(64, 0);
	assert_int_equal(msidom_kvm_close(e->kvm), -EBUSY);
	msidom_device_destroy(e->dev);
	e->dev = NULL;
	assert_int_equal(msidom_kvm_batch_begin(e->kvm), 0);
	assert_int_equal(msidom_kvm_close(e->kvm), -EBUSY);
	assert_int_equal(msidom_kvm_batch_end(e->kvm), 0);
	assert_int_equal(msidom_kvm_close(NULL), 0);
	env_free(e);
}

static void test_real_ioctl_on_a_descriptor_that_is_no_vm_fails_with_enotty(void **state)
{
	(void)state;
	struct env *e = env_new(64);
	struct msidom_kvm *kvm = NULL;
	size_t mem = msidom_ctx_mem_bytes(e->ctx);
	int fds = ts_count_fds();
	/* No seam given: the real ioctl(2), on /dev/null. */
	MSIDOM_OPTS(msidom_kvm_config, cfg, .vm_fd = e->fk->vm_fd);
	assert_int_equal(msidom_kvm_open(e->ctx, &cfg, &kvm), -ENOTTY);
	assert_true(ts_log_has(&e->h, "KVM_CHECK_EXTENSION(KVM_CAP_IRQ_ROUTING)"));
	assert_null(kvm);
	assert_int_equal(msidom_ctx_mem_bytes(e->ctx), mem);
	assert_int_equal(ts_count_fds(), fds);
	assert_true(fcntl(e->fk->vm_fd, F_GETFD) >= 0);
	assert_non_null(msidom_kvm_sys_default()->ioctl);
	env_free(e);
}

static void test_newer_config_with_unknown_members_is_refused(void **state)
{
	(void)state;
	struct env *e = env_new(64);
	struct {
		struct msidom_kvm_config cfg;
		uint64_t future;
	} big = { .cfg = { .sz = sizeof(big), .vm_fd = e->fk->vm_fd, .sys = &e->fk->sys },
		  .future = 1 };
	struct msidom_kvm *kvm = NULL;
	assert_int_equal(msidom_kvm_open(e->ctx, &big.cfg, &kvm), -E2BIG);
	big.future = 0;
	assert_int_equal(msidom_kvm_open(e->ctx, &big.cfg, &kvm), 0);
	assert_int_equal(msidom_kvm_close(kvm), 0);
	env_free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_asks_kvm_its_capacity_and_programs_nothing),
		cmocka_unit_test(test_caller_limit_bounds_the_gsi_space),
		cmocka_unit_test(test_bad_configurations_are_refused_with_a_log_line),
		cmocka_unit_test(test_open_fails_cleanly_at_every_ioctl_and_every_allocation),
		cmocka_unit_test(test_close_keeps_the_vm_fd_and_the_vmm_routes),
		cmocka_unit_test(test_close_refuses_while_a_domain_or_a_batch_is_open),
		cmocka_unit_test(test_newer_config_with_unknown_members_is_refused),
		cmocka_unit_test(test_real_ioctl_on_a_descriptor_that_is_no_vm_fails_with_enotty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
