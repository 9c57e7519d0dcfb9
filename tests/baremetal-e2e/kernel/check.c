/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * The result protocol parsed by the harness: one "E2E CHECK <name>
 * PASS|FAIL <detail>" line per assertion, "E2E FATAL" for a crash.
 */
#include <stdarg.h>

#include "kernel.h"

static unsigned int n_checks, n_failed;

bool check(bool ok, const char *name, const char *fmt, ...)
{
	va_list ap;

	n_checks++;
	if (!ok)
		n_failed++;
	kprintf("E2E CHECK %s %s ", name, ok ? "PASS" : "FAIL");
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kputs("\n");
	return ok;
}

unsigned int check_failures(void)
{
	return n_failed;
}

unsigned int check_count(void)
{
	return n_checks;
}

void fatal(const char *fmt, ...)
{
	va_list ap;

	kputs("E2E FATAL ");
	va_start(ap, fmt);
	kvprintf(fmt, ap);
	va_end(ap);
	kputs("\n");
	qemu_exit(E2E_EXIT_CRASH);
}
