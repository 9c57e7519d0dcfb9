/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * Delivery through the real /dev/kvm: a VM with an in-kernel irqchip and
 * two vCPUs that never run. Their local APICs are software-enabled
 * through KVM_GET_LAPIC/KVM_SET_LAPIC (spurious-interrupt vector register,
 * offset 0xF0, bit 8); an interrupt KVM delivers shows as the vector's
 * bit in the IRR (offset 0x200 + 0x10 * (v / 32), bit v % 32) of the next
 * KVM_GET_LAPIC, since nothing acknowledges it. Routes name the
 * destination APIC id in address bits 19:12 (xAPIC, physical mode).
 * Every check uses a vector not used before in the same VM.
 *
 * Without a usable /dev/kvm (or off x86, whose local APIC these checks
 * read) the program prints one line saying so and every test is skipped;
 * with MSIDOM_REQUIRE_KVM set in the environment that is a failure
 * instead.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <linux/kvm.h>

#include <libmsidom/kvm.h>

#include "support.h"

#define NVCPU 2

static bool usable;
static char why[200];

#if defined(__x86_64__) || defined(__i386__)
#define HAVE_LAPIC 1

#define APIC_SPIV    0xf0
#define APIC_SPIV_EN (1u << 8)
#define APIC_IRR     0x200

struct vm {
	int fds_before;
	int kvm;
	int vm;
	int vcpu[NVCPU];
	struct ts_hooks h;
	struct msidom_ctx *ctx;
	struct msidom_kvm *gsi;
	struct msidom_device *dev;
	struct msidom_domain *dom;
	struct msidom_msg guest[4];
	int efd[4];
};

static uint32_t reg32(const struct kvm_lapic_state *l, unsigned int off)
{
	uint32_t v;
	memcpy(&v, &l->regs[off], sizeof(v));
	return v;
}

static void lapic_enable(int vcpu)
{
	struct kvm_lapic_state l;
	assert_int_equal(ioctl(vcpu, KVM_GET_LAPIC, &l), 0);
	uint32_t spiv = reg32(&l, APIC_SPIV) | APIC_SPIV_EN;
	memcpy(&l.regs[APIC_SPIV], &spiv, sizeof(spiv));
	assert_int_equal(ioctl(vcpu, KVM_SET_LAPIC, &l), 0);
	assert_int_equal(ioctl(vcpu, KVM_GET_LAPIC, &l), 0);
	assert_true(reg32(&l, APIC_SPIV) & APIC_SPIV_EN);
}

/* Whether vector @v is pending in @vcpu's IRR. */
static bool irr(const struct vm *m, int vcpu, uint8_t v)
{
	struct kvm_lapic_state l;
	assert_int_equal(ioctl(m->vcpu[vcpu], KVM_GET_LAPIC, &l), 0);
	return (reg32(&l, APIC_IRR + 0x10u * (v / 32u)) >> (v % 32u)) & 1u;
}

/* Vector @v is pending on @vcpu and only there. */
static void assert_landed(const struct vm *m, int vcpu, uint8_t v)
{
	for (int c = 0; c < NVCPU; c++) {
		if (irr(m, c, v) != (c == vcpu))
			fail_msg("vector 0x%x: IRR of vCPU %d is %d, expected %d", v, c,
				 irr(m, c, v), c == vcpu);
	}
}

/* Forget every pending vector (nothing acknowledges them: the vCPUs never run). */
static void irr_clear(const struct vm *m)
{
	for (int c = 0; c < NVCPU; c++) {
		struct kvm_lapic_state l;
		assert_int_equal(ioctl(m->vcpu[c], KVM_GET_LAPIC, &l), 0);
		memset(&l.regs[APIC_IRR], 0, 0x80);
		assert_int_equal(ioctl(m->vcpu[c], KVM_SET_LAPIC, &l), 0);
	}
}

static void assert_nowhere(const struct vm *m, uint8_t v)
{
	for (int c = 0; c < NVCPU; c++)
		if (irr(m, c, v))
			fail_msg("vector 0x%x: pending on vCPU %d", v, c);
}

/* Fixed, edge, physical destination @apic, vector @v. */
static struct msidom_msg msi(uint32_t apic, uint8_t v)
{
	return (struct msidom_msg){ .address_lo = 0xfee00000u | (apic << 12), .data = v };
}

static int compose(void *arg, uint32_t index, struct msidom_msg *msg)
{
	struct vm *m = arg;
	*msg = m->guest[index];
	return 0;
}

static void fire(const struct vm *m, uint32_t index)
{
	uint64_t one = 1;
	assert_int_equal(write(m->efd[index], &one, sizeof(one)), sizeof(one));
}

static int setup(void **state)
{
	/* Nothing to set up: the test skips. */
	if (!usable)
		return 0;
	struct vm *m = calloc(1, sizeof(*m));
	assert_non_null(m);
	m->fds_before = ts_count_fds();
	m->kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	assert_true(m->kvm >= 0);
	m->vm = ioctl(m->kvm, KVM_CREATE_VM, 0);
	assert_true(m->vm >= 0);
	assert_int_equal(ioctl(m->vm, KVM_CREATE_IRQCHIP, 0), 0);
	for (int c = 0; c < NVCPU; c++) {
		m->vcpu[c] = ioctl(m->vm, KVM_CREATE_VCPU, c);
		assert_true(m->vcpu[c] >= 0);
		lapic_enable(m->vcpu[c]);
	}
	ts_hooks_init(&m->h);
	m->ctx = ts_ctx_new(&m->h);
	MSIDOM_OPTS(msidom_kvm_config, cfg, .vm_fd = m->vm, .first_gsi = 24, .name = "test");
	assert_int_equal(msidom_kvm_open(m->ctx, &cfg, &m->gsi), 0);
	MSIDOM_OPTS(msidom_device_info, info, .name = "guest0");
	assert_int_equal(msidom_device_create(m->ctx, &info, &m->dev), 0);
	MSIDOM_OPTS(msidom_kvm_domain_config, dc, .name = "PCI-MSIX", .hwsize = 4,
		    .compose = compose, .arg = m);
	assert_int_equal(msidom_kvm_device_domain_create(m->gsi, m->dev, MSIDOM_DEFAULT_DOMAIN, &dc,
							 &m->dom),
			 0);
	for (int i = 0; i < 4; i++) {
		m->efd[i] = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
		assert_true(m->efd[i] >= 0);
	}
	*state = m;
	return 0;
}

static int teardown(void **state)
{
	struct vm *m = *state;
	if (!m)
		return 0;
	msidom_device_destroy(m->dev);
	assert_int_equal(msidom_kvm_close(m->gsi), 0);
	/* The VM fd is the VMM's: still open. */
	assert_true(fcntl(m->vm, F_GETFD) >= 0);
	msidom_ctx_destroy(m->ctx);
	ts_hooks_assert_clean(&m->h);
	for (int i = 0; i < 4; i++)
		close(m->efd[i]);
	for (int c = 0; c < NVCPU; c++)
		close(m->vcpu[c]);
	close(m->vm);
	close(m->kvm);
	assert_int_equal(ts_count_fds(), m->fds_before);
	free(m);
	return 0;
}

/* Allocate vectors 0 .. n-1 in one batch and attach eventfd i to vector i's GSI. */
static void alloc_and_attach(struct vm *m, uint32_t n, uint32_t *virq)
{
	MSIDOM_OPTS(msidom_kvm_stats, st, );
	assert_int_equal(msidom_kvm_get_stats(m->gsi, &st), 0);
	uint64_t calls = st.set_gsi_routing;
	MSIDOM_OPTS(msidom_alloc_opts, opts, .unmasked = true);
	assert_int_equal(msidom_domain_batch_begin(m->dom), 0);
	for (uint32_t i = 0; i < n; i++) {
		struct msidom_map r = msidom_msi_alloc_at(m->dev, MSIDOM_DEFAULT_DOMAIN, i, &opts);
		assert_int_equal(r.index, i);
		virq[i] = r.virq;
	}
	assert_int_equal(msidom_domain_batch_end(m->dom), 0);
	assert_int_equal(msidom_kvm_get_stats(m->gsi, &st), 0);
	assert_int_equal(st.set_gsi_routing, calls + 1);
	assert_int_equal(st.set_gsi_routing_failed, 0);
	for (uint32_t i = 0; i < n; i++) {
		int64_t g = msidom_kvm_vector_gsi(m->gsi, m->dom, i);
		assert_true(g >= 24);
		assert_int_equal(msidom_kvm_irqfd_attach(m->gsi, (uint32_t)g, m->efd[i]), 0);
	}
}

static void test_routes_reach_the_vector_on_the_destination_apic(void **state)
{
	if (!usable)
		skip();
	struct vm *m = *state;
	uint32_t virq[2];
	m->guest[0] = msi(1, 0x41);
	m->guest[1] = msi(0, 0x62);
	alloc_and_attach(m, 2, virq);
	assert_nowhere(m, 0x41);
	assert_nowhere(m, 0x62);
	fire(m, 0);
	assert_landed(m, 1, 0x41);
	assert_nowhere(m, 0x62);
	fire(m, 1);
	assert_landed(m, 0, 0x62);
	assert_landed(m, 1, 0x41);
}

static void test_live_retarget_moves_the_interrupt(void **state)
{
	if (!usable)
		skip();
	struct vm *m = *state;
	uint32_t virq[2];
	m->guest[0] = msi(0, 0x43);
	m->guest[1] = msi(0, 0x53);
	alloc_and_attach(m, 2, virq);
	fire(m, 0);
	assert_landed(m, 0, 0x43);
	fire(m, 1);
	assert_landed(m, 0, 0x53);

	/* One vector, outside a batch: one KVM_SET_GSI_ROUTING, the irqfd stays. */
	MSIDOM_OPTS(msidom_kvm_stats, st, );
	assert_int_equal(msidom_kvm_get_stats(m->gsi, &st), 0);
	uint64_t calls = st.set_gsi_routing, assigns = st.irqfd_assign;
	m->guest[0] = msi(1, 0x74);
	assert_int_equal(msidom_irq_refresh_msg(m->ctx, virq[0]), 0);
	assert_int_equal(msidom_kvm_get_stats(m->gsi, &st), 0);
	assert_int_equal(st.set_gsi_routing, calls + 1);
	assert_int_equal(st.irqfd_assign, assigns);
	assert_int_equal(st.irqfd_deassign, 0);
	fire(m, 0);
	assert_landed(m, 1, 0x74);

	/* Both vectors to the other APIC in one batch: one call. */
	m->guest[0] = msi(0, 0x85);
	m->guest[1] = msi(1, 0x96);
	assert_int_equal(msidom_domain_batch_begin(m->dom), 0);
	assert_int_equal(msidom_irq_refresh_msg(m->ctx, virq[0]), 0);
	assert_int_equal(msidom_irq_refresh_msg(m->ctx, virq[1]), 0);
	assert_int_equal(msidom_domain_batch_end(m->dom), 0);
	assert_int_equal(msidom_kvm_get_stats(m->gsi, &st), 0);
	assert_int_equal(st.set_gsi_routing, calls + 2);
	fire(m, 0);
	fire(m, 1);
	assert_landed(m, 0, 0x85);
	assert_landed(m, 1, 0x96);
}

static void test_signal_delivers_without_an_eventfd(void **state)
{
	if (!usable)
		skip();
	struct vm *m = *state;
	MSIDOM_OPTS(msidom_kvm_route, r, .type = MSIDOM_KVM_ROUTE_MSI, .msg = msi(0, 0x52));
	uint32_t g;
	assert_int_equal(msidom_kvm_gsi_alloc(m->gsi, &r, &g), 0);
	assert_int_equal(msidom_kvm_signal(m->gsi, g), 1);
	assert_landed(m, 0, 0x52);
	r.msg = msi(1, 0x5a);
	assert_int_equal(msidom_kvm_route_set(m->gsi, g, &r), 0);
	assert_int_equal(msidom_kvm_signal(m->gsi, g), 1);
	assert_landed(m, 1, 0x5a);
	assert_int_equal(msidom_kvm_gsi_free(m->gsi, g), 0);
}

static void test_teardown_leaves_nothing_attached(void **state)
{
	if (!usable)
		skip();
	struct vm *m = *state;
	uint32_t virq[2];
	m->guest[0] = msi(1, 0xa1);
	m->guest[1] = msi(0, 0xb2);
	alloc_and_attach(m, 2, virq);
	assert_int_equal(msidom_msi_free(m->dev, MSIDOM_DEFAULT_DOMAIN, 0), 0);
	MSIDOM_OPTS(msidom_kvm_stats, st, );
	assert_int_equal(msidom_kvm_get_stats(m->gsi, &st), 0);
	assert_int_equal(st.irqfd_deassign, 1);
	assert_int_equal(st.irqfds, 1);
	assert_int_equal(st.set_gsi_routing_failed, 0);
	/* Its eventfd is no irqfd any more: a write reaches no vCPU. */
	fire(m, 0);
	assert_nowhere(m, 0xa1);
	/* The other vector still works, and the domain teardown detaches it too. */
	fire(m, 1);
	assert_landed(m, 0, 0xb2);
	assert_int_equal(msidom_device_domain_destroy(m->dev, MSIDOM_DEFAULT_DOMAIN), 0);
	assert_int_equal(msidom_kvm_get_stats(m->gsi, &st), 0);
	assert_int_equal(st.irqfds, 0);
	assert_int_equal(st.gsis, 0);
	assert_int_equal(st.routes, 0);
	irr_clear(m);
	assert_nowhere(m, 0xb2);
	fire(m, 1);
	assert_nowhere(m, 0xb2);
}

/* A VM the backend can open: /dev/kvm, API version 12, KVM_CREATE_VM. */
static bool probe(void)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0) {
		snprintf(why, sizeof(why), "open /dev/kvm: %s", strerror(errno));
		return false;
	}
	int v = ioctl(kvm, KVM_GET_API_VERSION, 0);
	if (v != KVM_API_VERSION) {
		snprintf(why, sizeof(why), "KVM_GET_API_VERSION gave %d", v);
		close(kvm);
		return false;
	}
	int vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0) {
		snprintf(why, sizeof(why), "KVM_CREATE_VM: %s", strerror(errno));
		close(kvm);
		return false;
	}
	close(vm);
	close(kvm);
	return true;
}
#else
#define HAVE_LAPIC 0
#endif

int main(void)
{
#if HAVE_LAPIC
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_routes_reach_the_vector_on_the_destination_apic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_live_retarget_moves_the_interrupt, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_signal_delivers_without_an_eventfd, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_teardown_leaves_nothing_attached, setup,
						teardown),
	};
	usable = probe();
	if (usable)
		return cmocka_run_group_tests(tests, NULL, NULL);
#else
	snprintf(why, sizeof(why), "these checks read an x86 local APIC");
#endif
	if (getenv("MSIDOM_REQUIRE_KVM")) {
		fprintf(stderr,
			"kvm-delivery: MSIDOM_REQUIRE_KVM is set but there is no usable "
			"/dev/kvm (%s)\n",
			why);
		return 1;
	}
	printf("kvm-delivery: SKIPPED: no usable /dev/kvm on this machine (%s)\n", why);
	fflush(stdout);
#if HAVE_LAPIC
	/* Each test sees the probe's answer and skips. */
	(void)cmocka_run_group_tests(tests, NULL, NULL);
#endif
	/* meson's exit status for a skipped test; scripts/test.sh accepts it only here. */
	return 77;
}
