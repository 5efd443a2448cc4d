// The C reference for the word benchmarks: plain loops over u64 words as
// gcc -O3 -march=native compiles them (vectorized with AVX-512 or AVX2 where
// the CPU has it). BenchmarkWords builds this file when gcc is on the PATH
// and reports it as impl=c beside the Go implementations.
//
// Usage: limit OP BITS ITERS. Prints the nanoseconds per operation, timed
// over ITERS calls on the inputs the Go benchmarks use (see bench_test.go).
// The predicates accumulate over every word and test once, the shape gcc
// vectorizes; the searches stop at the first match, as the kernel's
// find_bit loops do.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

typedef uint64_t u64;

#define NOINLINE __attribute__((noinline))

NOINLINE long weight(const u64 *a, const u64 *b, u64 *d, int n) {
  long s = 0;
  for (int i = 0; i < n; i++) s += __builtin_popcountll(a[i]);
  return s;
}
NOINLINE long weightand(const u64 *a, const u64 *b, u64 *d, int n) {
  long s = 0;
  for (int i = 0; i < n; i++) s += __builtin_popcountll(a[i] & b[i]);
  return s;
}
NOINLINE long and3(const u64 *a, const u64 *b, u64 *d, int n) {
  for (int i = 0; i < n; i++) d[i] = a[i] & b[i];
  return 0;
}
NOINLINE long andnot3(const u64 *a, const u64 *b, u64 *d, int n) {
  for (int i = 0; i < n; i++) d[i] = a[i] & ~b[i];
  return 0;
}
NOINLINE long or3(const u64 *a, const u64 *b, u64 *d, int n) {
  for (int i = 0; i < n; i++) d[i] = a[i] | b[i];
  return 0;
}
NOINLINE long xor3(const u64 *a, const u64 *b, u64 *d, int n) {
  for (int i = 0; i < n; i++) d[i] = a[i] ^ b[i];
  return 0;
}
NOINLINE long copy(const u64 *a, const u64 *b, u64 *d, int n) {
  memcpy(d, a, n * sizeof(u64));
  return 0;
}
NOINLINE long equal(const u64 *a, const u64 *b, u64 *d, int n) {
  u64 acc = 0;
  for (int i = 0; i < n; i++) acc |= a[i] ^ b[i];
  return acc == 0;
}
NOINLINE long intersects(const u64 *a, const u64 *b, u64 *d, int n) {
  u64 acc = 0;
  for (int i = 0; i < n; i++) acc |= a[i] & b[i];
  return acc != 0;
}
NOINLINE long subset(const u64 *a, const u64 *b, u64 *d, int n) {
  u64 acc = 0;
  for (int i = 0; i < n; i++) acc |= a[i] & ~b[i];
  return acc == 0;
}
NOINLINE long empty(const u64 *a, const u64 *b, u64 *d, int n) {
  u64 acc = 0;
  for (int i = 0; i < n; i++) acc |= a[i];
  return acc == 0;
}
NOINLINE long full(const u64 *a, const u64 *b, u64 *d, int n) {
  u64 acc = ~0ull;
  for (int i = 0; i < n; i++) acc &= a[i];
  return acc == ~0ull;
}
NOINLINE long first(const u64 *a, const u64 *b, u64 *d, int n) {
  for (int i = 0; i < n; i++)
    if (a[i]) return i * 64 + __builtin_ctzll(a[i]);
  return n * 64;
}
NOINLINE long firstzero(const u64 *a, const u64 *b, u64 *d, int n) {
  for (int i = 0; i < n; i++)
    if (~a[i]) return i * 64 + __builtin_ctzll(~a[i]);
  return n * 64;
}
NOINLINE long andweight(const u64 *a, const u64 *b, u64 *d, int n) {
  long s = 0;
  for (int i = 0; i < n; i++) {
    d[i] = a[i] & b[i];
    s += __builtin_popcountll(d[i]);
  }
  return s;
}

static const struct {
  const char *name;
  long (*f)(const u64 *, const u64 *, u64 *, int);
  int input; // 0: random a, b; 1: a = b; 2: b = ~a; 3: a zero; 4: a ones; 5: a zero but its last bit; 6: a ones but its last bit
} ops[] = {
    {"Weight", weight, 0},       {"And", and3, 0},           {"AndNot", andnot3, 0},
    {"Or", or3, 0},              {"Xor", xor3, 0},           {"Copy", copy, 0},
    {"Equal", equal, 1},         {"Intersects", intersects, 2}, {"Subset", subset, 1},
    {"Empty", empty, 3},         {"Full", full, 4},          {"FindFirstBit", first, 5},
    {"FindFirstZeroBit", firstzero, 6}, {"AndWeight", andweight, 0},
    {"WeightAnd", weightand, 0},
};

volatile long sink;

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: limit OP BITS ITERS\n");
    return 2;
  }
  int n = (atoi(argv[2]) + 63) / 64;
  long iters = atol(argv[3]);
  for (size_t k = 0; k < sizeof ops / sizeof ops[0]; k++) {
    if (strcmp(ops[k].name, argv[1]) != 0) continue;
    u64 *a = aligned_alloc(64, n * 8 + 64), *b = aligned_alloc(64, n * 8 + 64), *d = aligned_alloc(64, n * 8 + 64);
    u64 x = 0x9e3779b97f4a7c15ull;
    for (int i = 0; i < n; i++) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      a[i] = x;
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;
      b[i] = x;
      d[i] = 0;
      switch (ops[k].input) {
      case 1: b[i] = a[i]; break;
      case 2: b[i] = ~a[i]; break;
      case 3: case 5: a[i] = 0; break;
      case 4: case 6: a[i] = ~0ull; break;
      }
    }
    if (ops[k].input == 5) a[n - 1] = 1ull << 63;
    if (ops[k].input == 6) a[n - 1] = ~(1ull << 63);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long i = 0; i < iters; i++) {
      sink += ops[k].f(a, b, d, n);
      __asm__ volatile("" ::: "memory");
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    printf("%.3f\n", ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / iters);
    return 0;
  }
  fprintf(stderr, "limit: unknown op %s\n", argv[1]);
  return 2;
}
