// Package words holds every loop over []uint64 bitmap words in the module: the
// kernel's lib/bitmap.c and lib/find_bit.c helpers, on little-endian u64 words
// (bit i is word i/64, bit i%64).
//
// Everything else (the Bitmap type, the cpumask view, both kfunc designs) calls
// in here, so that a faster implementation of one loop (assembly, SIMD) is a
// change to this package only.
//
// On amd64 the bulk functions (weight, weight of an AND, the and/andnot/or/xor
// writers, and with its weight, copy, equal, intersects, subset, empty, full
// and the find searches) run AVX-512 kernels
// (VPOPCNTQ, opmask tails) or AVX2 ones from asm_amd64.s, chosen once at start
// from the CPU's features; mkasm.go writes that file. Up to one word they
// answer inline, and below a size threshold they run the pure-Go loops, which are
// also the whole implementation on other architectures and under the purego
// build tag. The tests hold every implementation the CPU has to the pure-Go
// one.
//
// Conventions follow the kernel:
//   - nbits/size arguments bound what is read; bits at or above nbits in the
//     last partial word are ignored by every reader here, exactly as the kernel
//     masks them with BITMAP_LAST_WORD_MASK.
//   - find functions return size when nothing is found (find_nth_bit may return
//     more than size, as lib/find_bit.c does; callers compare with >=).
//   - writers that take a destination write whole words: callers that need
//     clean tails mask the last word with LastWordMask (the kernel's
//     bitmap_and does; bitmap_or and bitmap_copy do not).
//
// Slices passed together must be long enough for nbits; the functions do not
// check, as the kernel helpers do not. They are internal: the exported layers
// validate lengths before calling.
package words
