/* SPDX-License-Identifier: BSD-2-Clause */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "support.h"

int ts_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

char *ts_dump(struct msidom_ctx *ctx)
{
	int64_t n = msidom_dump_to_buf(ctx, NULL, 0);
	char *buf;

	assert_true(n > 0);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(msidom_dump_to_buf(ctx, buf, (size_t)n + 1), n);
	assert_int_equal(strlen(buf), (size_t)n);
	return buf;
}

uint32_t ts_count_descs(const struct msidom_domain *d)
{
	uint32_t n = 0;

	if (!d)
		return 0;
	for (struct msidom_desc *desc = msidom_desc_first(d, MSIDOM_DESC_ALL); desc;
	     desc = msidom_desc_next(desc, MSIDOM_DESC_ALL))
		n++;
	return n;
}
