/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A program with its own functions and data under names a library of this
 * kind could easily have used for its internals: those the VFIO backend
 * once had (vfio_close, vfio_program, ...), the helpers of the bare-metal
 * allocators (find_block, bitmap_alloc, ...) and the unprefixed forms of the
 * core's internal functions. clash.sh links it against every object of
 * libmsidom.a (--whole-archive): any of these names defined globally in the
 * library is a "multiple definition" error.
 */
#include <libmsidom/msidom.h>

#include <stdio.h>
#include <string.h>

#define NAMES(X)                                                          \
	/* the VFIO backend's former global functions */                  \
	X(vfio_cdev_open)                                                 \
	X(vfio_clear_deferred)                                            \
	X(vfio_close)                                                     \
	X(vfio_devdomain_create)                                          \
	X(vfio_disable_index)                                             \
	X(vfio_errreq_arm)                                                \
	X(vfio_errreq_disarm)                                             \
	X(vfio_eventfd_drain)                                             \
	X(vfio_eventfd_new)                                               \
	X(vfio_eventfd_signal)                                            \
	X(vfio_probe_isolated)                                            \
	X(vfio_program)                                                   \
	X(vfio_reap)                                                      \
	X(vfio_root_create)                                               \
	X(vfio_set_irqs_fds)                                              \
	X(vfio_set_irqs_none)                                             \
	X(vfio_vec_release)                                               \
	/* allocator helpers */                                           \
	X(bitmap_alloc)                                                   \
	X(bitmap_clear)                                                   \
	X(bitmap_find_zero)                                               \
	X(bitmap_fini)                                                    \
	X(bitmap_init)                                                    \
	X(bitmap_set)                                                     \
	X(bitmap_test)                                                    \
	X(ctz64)                                                          \
	X(find_block)                                                     \
	X(pool_alloc)                                                     \
	X(pool_free)                                                      \
	X(radix_fini)                                                     \
	X(radix_init)                                                     \
	X(round_up)                                                       \
	/* the core's and the backends' internals without their prefix */ \
	X(activate)                                                       \
	X(bm_barrier)                                                     \
	X(bm_cfg_read)                                                    \
	X(bm_cfg_write)                                                   \
	X(bm_find_cap)                                                    \
	X(bm_zero)                                                        \
	X(deactivate)                                                     \
	X(desc_new)                                                       \
	X(domain_new)                                                     \
	X(hosted_defaults)                                                \
	X(ims_create)                                                     \
	X(index_find)                                                     \
	X(lock)                                                           \
	X(mask)                                                           \
	X(memzero)                                                        \
	X(unlock)                                                         \
	X(virq_alloc)                                                     \
	X(virq_free)                                                      \
	X(vmm_lock)                                                       \
	X(vmm_unlock)

/* Data under names of the same kind. */
int vmm_emulated_ops = 1;
int vmm_ims_ops = 2;
int vmm_vfio_ops = 3;
int data_domain = 4;

#define DEFINE(name)                       \
	int name(void);                    \
	int name(void)                     \
	{                                  \
		return (int)sizeof(#name); \
	}
NAMES(DEFINE)

#define ENTRY(name) { #name, name },
static const struct {
	const char *name;
	int (*fn)(void);
} own[] = { NAMES(ENTRY) };

int main(void)
{
	unsigned int i;

	for (i = 0; i < sizeof(own) / sizeof(own[0]); i++) {
		if (own[i].fn() != (int)strlen(own[i].name) + 1) {
			fprintf(stderr, "clash: %s is not the program's own function\n",
				own[i].name);
			return 1;
		}
	}
	if (vmm_emulated_ops + vmm_ims_ops + vmm_vfio_ops + data_domain != 10)
		return 1;
	if (strcmp(msidom_version(), MSIDOM_VERSION_STRING) != 0) {
		fprintf(stderr, "clash: library %s, headers %s\n", msidom_version(),
			MSIDOM_VERSION_STRING);
		return 1;
	}
	printf("clash: %u functions and 4 data objects of the program's own, linked with every "
	       "object of libmsidom.a %s\n",
	       i, msidom_version());
	return 0;
}
