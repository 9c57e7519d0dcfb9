/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * vfio-msix: open a VFIO device by PCI address, enable N MSI-X vectors
 * through libmsidom, and print each interrupt as it arrives.
 *
 *   vfio-msix [options] DDDD:BB:DD.F
 *     -n, --vectors N   vectors to enable, indexes 0..N-1 (default: all)
 *     -c, --count C     exit 0 once C interrupts arrived (default: no limit)
 *     -t, --timeout MS  stop after MS milliseconds (default: none); with
 *                       --count, reaching it first is a failure (exit 1)
 *     -l, --loopback    ask the kernel to fire every vector once (VFIO
 *                       DATA_NONE trigger), no device knowledge needed
 *     -p, --prealloc    on NORESIZE kernels enable the whole table at once
 *                       (default: grow, one disable/re-enable per growth)
 *     -m, --msi         use MSI instead of MSI-X
 *     -v, --verbose     library debug log
 *
 * The device must be bound to vfio-pci, e.g.
 *   echo vfio-pci > /sys/bus/pci/devices/BDF/driver_override
 *   echo BDF > /sys/bus/pci/drivers_probe
 *
 * Exit status: 0 done, 1 timeout before --count, 2 usage, 3 open refused
 * for lack of MSI isolation (EPERM), 4 any other failure.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libmsidom/msidom.h>
#include <libmsidom/vfio.h>

#define MAX_VECTORS 2048

struct state {
	unsigned long total;
	unsigned long per_vector[MAX_VECTORS];
	uint32_t index_of[MAX_VECTORS];
};

static struct state st;

static void log_line(void *opaque, enum msidom_log_level level, const char *line)
{
	(void)opaque;
	fprintf(stderr, "libmsidom[%d]: %s\n", (int)level, line);
}

static void on_irq(uint32_t virq, void *arg)
{
	uint32_t index = *(const uint32_t *)arg;
	st.total++;
	st.per_vector[index]++;
	printf("irq: vector %u virq %u (vector count %lu, total %lu)\n", index, virq,
	       st.per_vector[index], st.total);
	fflush(stdout);
}

static void on_err(struct msidom_vfio *v, void *arg)
{
	(void)v;
	(void)arg;
	printf("event: device error (ERR)\n");
	fflush(stdout);
}

static void on_req(struct msidom_vfio *v, void *arg)
{
	(void)v;
	(void)arg;
	printf("event: the host requests the device back (REQ)\n");
	fflush(stdout);
}

static long long now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [-n VECTORS] [-c COUNT] [-t TIMEOUT_MS] [-l] [-p] [-m] [-v] "
		"DDDD:BB:DD.F\n",
		prog);
}

static bool parse_num(const char *s, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 0);
	if (errno || end == s || *end || v < 0)
		return false;
	*out = v;
	return true;
}

static void print_stats(const struct msidom_vfio *v)
{
	MSIDOM_OPTS(msidom_vfio_stats, s, );
	if (msidom_vfio_get_stats(v, &s) != 0)
		return;
	printf("stats: set_irqs=%llu failed=%llu disables=%llu resizes=%llu "
	       "resize_signals=%llu replays=%llu dispatched=%llu spurious=%llu\n",
	       (unsigned long long)s.set_irqs, (unsigned long long)s.set_irqs_failed,
	       (unsigned long long)s.disables, (unsigned long long)s.resizes,
	       (unsigned long long)s.resize_signals, (unsigned long long)s.replays,
	       (unsigned long long)s.dispatched, (unsigned long long)s.spurious);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "vectors", required_argument, NULL, 'n' },
		{ "count", required_argument, NULL, 'c' },
		{ "timeout", required_argument, NULL, 't' },
		{ "loopback", no_argument, NULL, 'l' },
		{ "prealloc", no_argument, NULL, 'p' },
		{ "msi", no_argument, NULL, 'm' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	long nvec = -1, count = -1, timeout = -1;
	bool loopback = false, prealloc = false, msi = false, verbose = false;
	int c;

	while ((c = getopt_long(argc, argv, "n:c:t:lpmvh", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			if (!parse_num(optarg, &nvec) || nvec < 1 || nvec > MAX_VECTORS)
				goto bad;
			break;
		case 'c':
			if (!parse_num(optarg, &count))
				goto bad;
			break;
		case 't':
			if (!parse_num(optarg, &timeout))
				goto bad;
			break;
		case 'l': loopback = true; break;
		case 'p': prealloc = true; break;
		case 'm': msi = true; break;
		case 'v': verbose = true; break;
		case 'h': usage(argv[0]); return 0;
		default: goto bad;
		}
	}
	if (optind != argc - 1)
		goto bad;
	const char *bdf = argv[optind];

	MSIDOM_OPTS(msidom_hooks, hooks, .log = log_line,
		    .log_level = verbose ? MSIDOM_LOG_DEBUG : MSIDOM_LOG_INFO);
	MSIDOM_OPTS(msidom_ctx_config, cc, .hooks = &hooks);
	struct msidom_ctx *ctx = NULL;
	int ret = msidom_ctx_create(&cc, &ctx);
	if (ret) {
		fprintf(stderr, "vfio-msix: context: %s\n", msidom_strerror(ret));
		return 4;
	}

	MSIDOM_OPTS(msidom_vfio_config, vc, .bdf = bdf,
		    .mode = msi ? MSIDOM_VFIO_MODE_MSI : MSIDOM_VFIO_MODE_MSIX,
		    .policy = prealloc ? MSIDOM_VFIO_PREALLOC : MSIDOM_VFIO_GROW, .on_err = on_err,
		    .on_req = on_req);
	struct msidom_vfio *v = NULL;
	ret = msidom_vfio_open(ctx, &vc, &v);
	if (ret) {
		fprintf(stderr, "vfio-msix: open %s failed: %s\n", bdf, msidom_strerror(ret));
		msidom_ctx_destroy(ctx);
		return ret == -MSIDOM_EPERM ? 3 : 4;
	}

	MSIDOM_OPTS(msidom_vfio_info, info, );
	msidom_vfio_get_info(v, &info);
	enum msidom_vfio_irq_type type = msi ? MSIDOM_VFIO_MSI : MSIDOM_VFIO_MSIX;
	uint32_t avail = info.irq[type].count;
	uint32_t n = nvec < 0 ? avail : (uint32_t)nvec;
	struct msidom_domain *dom =
		msidom_device_domain(msidom_vfio_device(v), MSIDOM_DEFAULT_DOMAIN);
	printf("vfio-msix: %s group %d, %s %u vectors (flags 0x%x, %s), MSI isolated: %s\n", bdf,
	       (int)info.group, msi ? "MSI" : "MSI-X", avail, info.irq[type].flags,
	       (info.irq[type].flags & 0x8u) ? "NORESIZE" : "dynamic",
	       info.isolated ? "yes" : "no");
	printf("vfio-msix: domain %s under %s\n", msidom_domain_name(dom),
	       msidom_domain_name(msidom_vfio_root(v)));
	if (n > avail) {
		fprintf(stderr, "vfio-msix: the device has only %u vectors\n", avail);
		ret = 4;
		goto out;
	}

	/* One at a time, as a driver would: each live vector keeps running. */
	for (uint32_t i = 0; i < n; i++) {
		st.index_of[i] = i;
		struct msidom_map m = msidom_vfio_alloc(v, i, true, on_irq, &st.index_of[i]);
		if (m.index < 0) {
			fprintf(stderr, "vfio-msix: vector %u: %s\n", i, msidom_strerror(m.index));
			ret = 4;
			goto out;
		}
		printf("vfio-msix: vector %u -> virq %u, eventfd %d\n", i, m.virq,
		       msidom_vfio_vector_eventfd(v, i));
	}
	print_stats(v);

	/*
	 * A NORESIZE grow signals every live vector once (an interrupt raised
	 * during the gap must not be lost): take those out before counting.
	 */
	while (msidom_vfio_dispatch(v, 0) > 0)
		;
	if (st.total)
		printf("vfio-msix: %lu interrupts while enabling (spurious after growth), "
		       "not counted\n",
		       st.total);
	st.total = 0;
	for (uint32_t i = 0; i < n; i++)
		st.per_vector[i] = 0;
	fflush(stdout);

	if (loopback) {
		for (uint32_t i = 0; i < n; i++) {
			int r = msidom_vfio_trigger(v, i);
			if (r)
				fprintf(stderr, "vfio-msix: loopback %u: %s\n", i,
					msidom_strerror(r));
		}
	}

	printf("vfio-msix: waiting for interrupts\n");
	fflush(stdout);
	long long deadline = timeout >= 0 ? now_ms() + timeout : -1;
	ret = 0;
	while (count < 0 || st.total < (unsigned long)count) {
		int wait = -1;
		if (deadline >= 0) {
			long long left = deadline - now_ms();
			if (left <= 0) {
				if (count >= 0)
					ret = 1;
				break;
			}
			wait = left > 1000000 ? 1000000 : (int)left;
		}
		int r = msidom_vfio_dispatch(v, wait);
		if (r == -EINTR)
			continue;
		if (r < 0) {
			fprintf(stderr, "vfio-msix: dispatch: %s\n", msidom_strerror(r));
			ret = 4;
			break;
		}
	}
	if (ret == 1)
		printf("vfio-msix: timeout after %lu of %ld interrupts\n", st.total, count);
	else if (ret == 0)
		printf("vfio-msix: done, %lu interrupts\n", st.total);
out:
	print_stats(v);
	/* The device first: the context refuses (-EBUSY) while it is open. */
	msidom_vfio_close(v);
	if (msidom_ctx_destroy(ctx) < 0 && ret == 0)
		ret = 4;
	return ret;

bad:
	usage(argv[0]);
	return 2;
}
