/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The dump: domains in tree order with names and flags, the
 * device, each descriptor's index, virq, per-level hwirqs, message, cookie
 * and state; the callback and buffer forms agree; truncation is safe.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "sim.h"

#define DEF MSIDOM_DEFAULT_DOMAIN
#define SEC MSIDOM_SECONDARY_DOMAIN

/* Assert @needle occurs in @hay; return where. */
static const char *has(const char *hay, const char *needle)
{
	const char *p = strstr(hay, needle);

	if (!p)
		fail_msg("dump lacks \"%s\":\n%s", needle, hay);
	return p;
}

/* The line of @hay containing @needle, copied into @buf. */
static const char *line_of(const char *hay, const char *needle, char *buf, size_t size)
{
	const char *p = has(hay, needle), *b = p, *e = strchr(p, '\n');

	while (b > hay && b[-1] != '\n')
		b--;
	if (!e)
		e = p + strlen(p);
	if ((size_t)(e - b) >= size)
		e = b + size - 1;
	memcpy(buf, b, (size_t)(e - b));
	buf[e - b] = '\0';
	return buf;
}

static size_t indent(const char *line)
{
	size_t n = 0;

	while (line[n] == ' ')
		n++;
	return n;
}

struct collect {
	char *text;
	size_t len;
	unsigned int pieces;
};

static void collect(void *arg, const char *text, size_t len)
{
	struct collect *c = arg;

	c->text = realloc(c->text, c->len + len + 1);
	assert_non_null(c->text);
	memcpy(c->text + c->len, text, len);
	c->len += len;
	c->text[c->len] = '\0';
	c->pieces++;
}

static void test_dump_contents(void **state)
{
	struct sim *s =
		sim_new(&(struct sim_cfg){ .ims = true, .ir_flags = MSIDOM_DOMAIN_ISOLATED_MSI });
	MSIDOM_OPTS(msidom_alloc_opts, o, .has_cookie = true, .cookie = { .value = 0x1234 });
	MSIDOM_OPTS(msidom_alloc_opts, un, .unmasked = true);
	MSIDOM_OPTS(msidom_alloc_opts, pasid, .has_cookie = true, .cookie = { .value = 0xabcdef });
	char line[300], line2[300];
	char *d;
	const char *p;

	(void)state;
	assert_int_equal(msidom_msi_alloc_at(s->dev, DEF, 0, &o).virq, 1);
	assert_int_equal(msidom_msi_alloc_at(s->dev, DEF, 5, &un).virq, 2);
	assert_int_equal(msidom_msi_alloc_at(s->dev, SEC, 3, &pasid).virq, 3);
	assert_int_equal(msidom_desc_add(s->dev_lv.d, 9, (msidom_cookie){ .value = 0x99 }), 9);
	assert_int_equal(msidom_handle(s->vec.d, 100), -MSIDOM_ENOENT);
	d = ts_dump(s->ctx);

	/* Header: live virqs and bytes. */
	has(d, "3 virq(s) live");
	/* Every domain, with bus and flags, children indented under parents. */
	{
		char lv[300], li[300], ld[300], lm[300];

		line_of(d, "VECTOR", lv, sizeof(lv));
		line_of(d, "IR-0", li, sizeof(li));
		line_of(d, "IR-PCI-MSIX-" SIM_DEV_NAME, ld, sizeof(ld));
		line_of(d, "IR-PCI-IMS-" SIM_DEV_NAME, lm, sizeof(lm));
		assert_true(indent(li) > indent(lv));
		assert_true(indent(ld) > indent(li));
		assert_int_equal(indent(lm), indent(ld));
	}
	assert_true(has(d, "VECTOR") < has(d, "IR-0"));
	assert_true(has(d, "IR-0") < has(d, "IR-PCI-MSIX-"));
	assert_true(has(d, "IR-PCI-MSIX-") < has(d, "IR-PCI-IMS-"));
	has(d, "MSI_PARENT|ISOLATED_MSI");
	has(d, "DEVICE");
	has(d, "PCI_MSIX");
	has(d, "PCI_IMS");
	has(d, "REMAP");
	has(d, "spurious: 1");
	/* The device, its requester id and slots. */
	has(d, SIM_DEV_NAME " (rid 0300) slot 0");
	has(d, SIM_DEV_NAME " (rid 0300) slot 1");

	/* MSI-X index 0: virq 1, hwirqs of every level, message, cookie, state. */
	line_of(d, "index     0 virq       1", line, sizeof(line));
	has(line, "VECTOR:32");
	has(line, "IR-0:0");
	p = has(d, "index     0 virq       1");
	line_of(p, "msg ", line2, sizeof(line2));
	has(line2, "msg 00000000:fee00000 data 00000020");
	has(line2, "cookie 0x1234");
	has(line2, " masked active");
	/* Index 5: unmasked. */
	p = has(d, "index     5 virq       2");
	line_of(p, "msg ", line2, sizeof(line2));
	has(line2, "data 00000021");
	has(line2, "unmasked active");
	/* The reserved index 9: no virq, no message, its cookie. */
	p = has(d, "index     9 virq       0");
	line_of(p, "msg ", line2, sizeof(line2));
	has(line2, "msg 00000000:00000000 data 00000000 cookie 0x99");
	has(line2, "inactive");
	/* IMS index 3 with its PASID cookie. */
	p = has(d, "IR-PCI-IMS-");
	p = has(p, "index     3 virq       3");
	line_of(p, "msg ", line2, sizeof(line2));
	has(line2, "cookie 0xabcdef");
	free(d);

	/* After a free, the index is gone from the dump. */
	assert_int_equal(msidom_msi_free(s->dev, DEF, 5), 0);
	d = ts_dump(s->ctx);
	assert_null(strstr(d, "index     5 "));
	has(d, "2 virq(s) live");
	free(d);
	sim_free(s);
}

static void test_dump_forms(void **state)
{
	struct sim *s = sim_new(&(struct sim_cfg){ .ims = true });
	struct collect c = { 0 };
	char *full, small[16];
	int64_t n;

	(void)state;
	assert_int_equal(msidom_msi_alloc_range(s->dev, DEF, 0, 3, NULL), 0);
	full = ts_dump(s->ctx);
	n = (int64_t)strlen(full);
	/* The callback form gives the same text, in pieces. */
	assert_int_equal(msidom_dump(s->ctx, collect, &c), 0);
	assert_true(c.pieces > 1);
	assert_string_equal(c.text, full);
	/* Truncation: the full length is returned, the buffer is terminated. */
	memset(small, 'Z', sizeof(small));
	assert_int_equal(msidom_dump_to_buf(s->ctx, small, sizeof(small)), n);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_memory_equal(small, full, sizeof(small) - 1);
	assert_int_equal(msidom_dump_to_buf(s->ctx, small, 1), n);
	assert_string_equal(small, "");
	assert_int_equal(msidom_dump_to_buf(s->ctx, NULL, 0), n);
	/* Bad arguments. */
	assert_int_equal(msidom_dump_to_buf(s->ctx, NULL, 8), -MSIDOM_EINVAL);
	assert_int_equal(msidom_dump_to_buf(NULL, small, sizeof(small)), -MSIDOM_EINVAL);
	assert_int_equal(msidom_dump(NULL, collect, &c), -MSIDOM_EINVAL);
	assert_int_equal(msidom_dump(s->ctx, NULL, &c), -MSIDOM_EINVAL);
	free(c.text);
	free(full);
	sim_free(s);
}

static void test_dump_empty_and_roots(void **state)
{
	struct ts_hooks h;
	MSIDOM_OPTS(msidom_ctx_config, cfg, .hooks = &h.hooks);
	struct msidom_ctx *ctx;
	struct msidom_domain *a, *b;
	char *d;

	(void)state;
	ts_hooks_init(&h);
	assert_int_equal(msidom_ctx_create(&cfg, &ctx), 0);
	d = ts_dump(ctx);
	has(d, "0 virq(s) live");
	has(d, MSIDOM_VERSION_STRING);
	free(d);
	assert_int_equal(msidom_domain_create(ctx,
					      &(struct msidom_domain_info){
						      .sz = sizeof(struct msidom_domain_info),
						      .name = "ROOT-A",
						      .hwsize = 8 },
					      NULL, &a),
			 0);
	assert_int_equal(msidom_domain_create(ctx,
					      &(struct msidom_domain_info){
						      .sz = sizeof(struct msidom_domain_info),
						      .name = "ROOT-B",
						      .hwsize = 8 },
					      NULL, &b),
			 0);
	d = ts_dump(ctx);
	has(d, "ROOT-A");
	has(d, "ROOT-B");
	free(d);
	msidom_ctx_destroy(ctx);
	assert_int_equal(h.live, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dump_contents),
		cmocka_unit_test(test_dump_forms),
		cmocka_unit_test(test_dump_empty_and_roots),
	};

	return cmocka_run_group_tests_name("unit-dump", tests, NULL, sim_group_teardown);
}
