/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * A consumer that includes nothing of libmsidom but the consumer umbrella
 * <libmsidom/msidom.h>, before any system header, and uses the consumer API
 * without implementing a domain: a context on a caller-provided pool, a
 * device, its (empty) domain slots, the error paths of allocation and
 * interrupt calls, the dump. It proves that the consumer headers declare
 * everything their users need, on their own.
 */
#include <libmsidom/msidom.h>

#include <stdio.h>
#include <string.h>

static int failures;

#define CHECK(cond)                                                                                \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			fprintf(stderr, "umbrella: %s:%d: check failed: %s\n", __FILE__, __LINE__, \
				#cond);                                                            \
			failures++;                                                                \
		}                                                                                  \
	} while (0)

/* The library's error lines: counted, not printed. */
static void count_line(void *opaque, enum msidom_log_level level, const char *line)
{
	unsigned int *errors = opaque;

	(void)line;
	if (level == MSIDOM_LOG_ERR)
		(*errors)++;
}

int main(void)
{
	static _Alignas(16) unsigned char mem[256 * 1024];
	static struct msidom_pool pool;
	unsigned int errors = 0;
	MSIDOM_OPTS(msidom_hooks, hooks, .log = count_line, .log_opaque = &errors,
		    .log_level = MSIDOM_LOG_ERR);
	struct msidom_ctx *ctx = NULL;
	struct msidom_device *dev = NULL;
	int owner = 42;
	char buf[4096];
	int64_t len;

	CHECK(strcmp(msidom_version(), MSIDOM_VERSION_STRING) == 0);
	CHECK(msidom_version_number() == (uint32_t)MSIDOM_VERSION);
	CHECK(msidom_strerror(-MSIDOM_ENOENT) != NULL);

	/* Heapless: every allocation of the context comes from the pool. */
	CHECK(msidom_pool_init(&pool, mem, sizeof(mem), &hooks) == 0);
	const struct msidom_ctx_config cfg = { .sz = sizeof(struct msidom_ctx_config),
					       .hooks = &hooks,
					       .max_virqs = 256 };
	CHECK(msidom_ctx_create(&cfg, &ctx) == 0 && ctx != NULL);
	if (!ctx)
		return 1;
	CHECK(msidom_pool_used(&pool) > 0);
	CHECK(msidom_ctx_mem_bytes(ctx) > 0);

	const struct msidom_device_info info = {
		.sz = sizeof(struct msidom_device_info),
		.name = "0000:00:04.0",
		.requester_id = 0x0020,
		.priv = &owner,
	};
	CHECK(msidom_device_create(ctx, &info, &dev) == 0 && dev != NULL);
	if (!dev) {
		msidom_ctx_destroy(ctx);
		return 1;
	}
	CHECK(strcmp(msidom_device_name(dev), "0000:00:04.0") == 0);
	CHECK(msidom_device_requester_id(dev) == 0x0020);
	CHECK(msidom_device_priv(dev) == &owner);
	CHECK(msidom_device_ctx(dev) == ctx);

	/* No domain in either slot: allocation and lookups report it. */
	CHECK(msidom_device_domain(dev, MSIDOM_DEFAULT_DOMAIN) == NULL);
	CHECK(msidom_device_domain(dev, MSIDOM_SECONDARY_DOMAIN) == NULL);
	struct msidom_map m =
		msidom_msi_alloc_at(dev, MSIDOM_DEFAULT_DOMAIN, MSIDOM_INDEX_ANY, NULL);
	CHECK(m.index == -MSIDOM_ENOENT);
	CHECK(msidom_msi_virq(dev, MSIDOM_DEFAULT_DOMAIN, 0) < 0);
	CHECK(msidom_msi_alloc_at(dev, MSIDOM_MAX_DOMAINS, 0, NULL).index == -MSIDOM_EINVAL);
	CHECK(msidom_irq_count(ctx) == 0);
	CHECK(msidom_irq_desc(ctx, 1) == NULL);
	CHECK(msidom_irq_mask(ctx, 1) < 0);
	CHECK(errors == 4);

	len = msidom_dump_to_buf(ctx, buf, sizeof(buf));
	CHECK(len > 0 && (size_t)len < sizeof(buf));
	if (len > 0 && (size_t)len < sizeof(buf)) {
		CHECK(strstr(buf, "libmsidom") != NULL);
		fputs(buf, stdout);
	}

	msidom_device_destroy(dev);
	msidom_ctx_destroy(ctx);
	CHECK(msidom_pool_used(&pool) == 0);

	if (failures) {
		fprintf(stderr, "umbrella: %d check(s) failed\n", failures);
		return 1;
	}
	printf("umbrella: all checks passed\n");
	return 0;
}
