/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What pktfuzz and cmfuzz share: softib's inject-file header constants
 * (tests/softib/sib_inject.c), the seeded generator that makes a run
 * repeatable from its seed, byte packing, GID parsing, and the class
 * selection of -x/-o with the per-class counts printed at the end.
 */
#ifndef FUZZLIB_H
#define FUZZLIB_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define INJ_HDR_LEN	64		/* then the payload */
#define INJ_MAGIC	0x4a424953	/* "SIBJ" */

static uint64_t rng_state;

/* xorshift64*: small, and the same sequence on every libc */
static inline uint64_t rnd64(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545F4914F6CDD1DULL;
}

static inline void rnd_seed(unsigned long long seed) { rng_state = seed * 0x9E3779B97F4A7C15ULL + 1; }
static inline uint32_t rnd(uint32_t n) { return n ? (uint32_t)((rnd64() >> 16) % n) : 0; }
static inline void rnd_bytes(uint8_t *p, size_t n) { while (n--) *p++ = (uint8_t)rnd64(); }

/* Big-endian (wire) and little-endian (the inject header) stores. */
static inline void put16(uint8_t *p, unsigned v) { p[0] = v >> 8; p[1] = v; }
static inline void put32(uint8_t *p, uint32_t v) { put16(p, v >> 16); put16(p + 2, v); }
static inline void le16(uint8_t *p, unsigned v) { p[0] = v; p[1] = v >> 8; }
static inline void le32(uint8_t *p, uint32_t v) { le16(p, v); le16(p + 2, v >> 16); }

/* A GID as sysfs prints it (hex digits, any separators): 0, or -1. */
static inline int parse_gid(const char *s, uint8_t *g)
{
	int n = 0;

	for (; *s && n < 32; s++) {
		int v;

		if (*s >= '0' && *s <= '9')
			v = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			v = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			v = *s - 'A' + 10;
		else
			continue;
		g[n / 2] = n % 2 ? g[n / 2] | v : v << 4;
		n++;
	}
	return n == 32 ? 0 : -1;
}

/* A tool's classes of input, by name, and the ones a run picks from. */
struct fuzz_classes {
	const char *prog;
	const char *const *name;
	int n;
};

static inline int class_by_name(const struct fuzz_classes *fc, const char *s)
{
	int c;

	for (c = 0; c < fc->n; c++)
		if (!strcmp(s, fc->name[c]))
			return c;
	fprintf(stderr, "%s: unknown class %s\n", fc->prog, s);
	exit(2);
}

/*
 * The classes a run picks from, into list (room for fc->n): all but the
 * comma-separated exclude (-x), or only one (-o); NULL for none given.
 * Returns how many.
 */
static inline int class_list(const struct fuzz_classes *fc, const char *exclude, const char *only, int *list)
{
	int c, n = 0, o = only ? class_by_name(fc, only) : -1;
	char *off = calloc(fc->n, 1);

	if (!off)
		exit(1);
	if (exclude) {
		char *s = strdup(exclude), *tok, *save = NULL;

		for (tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
			off[class_by_name(fc, tok)] = 1;
		free(s);
	}
	for (c = 0; c < fc->n; c++)
		if (o < 0 ? !off[c] : c == o)
			list[n++] = c;
	free(off);
	return n;
}

/* The "class NAME COUNT" lines the tests read. */
static inline void class_counts(const struct fuzz_classes *fc, const long *per)
{
	int c;

	for (c = 0; c < fc->n; c++)
		if (per[c])
			printf("class %s %ld\n", fc->name[c], per[c]);
}

#endif
