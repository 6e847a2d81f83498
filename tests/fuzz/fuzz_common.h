// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
// What every harness needs: kapi_warn and CHECK abort, which libFuzzer
// reports as a crash. Include once per harness, after <cstdlib>.
#ifndef FUZZ_COMMON_H
#define FUZZ_COMMON_H

// kern/result.h reports misuse (value() of a failed Result) through
// kapi_warn; here that is a bug worth a crash.
extern "C" void kapi_warn(const char *file, int line, const char *msg)
{
	__builtin_printf("kapi_warn %s:%d: %s\n", file, line, msg);
	abort();
}

#define CHECK(cond)                                                                      \
	do {                                                                             \
		if (!(cond)) {                                                           \
			__builtin_printf("%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			abort();                                                         \
		}                                                                        \
	} while (0)

#endif
