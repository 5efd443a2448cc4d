package bpfbitmap_test

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/bits-and-blooms/bitset"

	"github.com/bpfbitmap/prototype/bpfbitmap"
)

var benchSizes = []int{64, 1024, 8192, 65536}

// benchPair is the same bits held by both implementations.
type benchPair struct {
	bm *bpfbitmap.Bitmap
	bs *bitset.BitSet
}

func newBenchPair(b *testing.B, a *bpfbitmap.Allocator, n int, density int, rng *rand.Rand) benchPair {
	bm, err := a.New(n)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { bm.Release() })
	bs := bitset.New(uint(n))
	for i := range n {
		if density > 0 && rng.IntN(density) == 0 {
			bm.NonAtomicSet(i)
			bs.Set(uint(i))
		}
	}
	return benchPair{bm, bs}
}

// BenchmarkOps compares the core with bits-and-blooms/bitset on the
// operations of issue 3; compare with `benchstat -col /impl`.
func BenchmarkOps(b *testing.B) {
	a := bpfbitmap.NewAllocator()
	rng := rand.New(rand.NewPCG(1, 2)) // fixed seed: same inputs every run
	var sinkInt int
	var sinkBool bool
	var sinkSet *bitset.BitSet
	for _, n := range benchSizes {
		x := newBenchPair(b, a, n, 2, rng)
		y := newBenchPair(b, a, n, 2, rng)
		dst := newBenchPair(b, a, n, 0, rng)
		sparse := newBenchPair(b, a, n, 16, rng)
		last := newBenchPair(b, a, n, 0, rng)
		last.bm.Set(n - 1)
		last.bs.Set(uint(n - 1))
		empty := newBenchPair(b, a, n, 0, rng)

		run := func(op string, bytes int, bm, bs func()) {
			b.Run(fmt.Sprintf("op=%s/bits=%d/impl=bpfbitmap", op, n), func(b *testing.B) {
				b.SetBytes(int64(bytes))
				b.ReportAllocs()
				for b.Loop() {
					bm()
				}
			})
			b.Run(fmt.Sprintf("op=%s/bits=%d/impl=bitset", op, n), func(b *testing.B) {
				b.SetBytes(int64(bytes))
				b.ReportAllocs()
				for b.Loop() {
					bs()
				}
			})
		}
		run("Weight", n/8,
			func() { sinkInt = x.bm.Weight() },
			func() { sinkInt = int(x.bs.Count()) })
		// bitset has no three-operand AND; InPlaceIntersection reads two
		// operands and writes one, as z.And(x, y) does.
		run("And", n/8,
			func() { sinkBool, _ = dst.bm.And(x.bm, y.bm) },
			func() { dst.bs.InPlaceIntersection(y.bs) })
		run("Empty", n/8,
			func() { sinkBool = empty.bm.Empty() },
			func() { sinkBool = empty.bs.None() })
		run("FindFirstBit", n/8,
			func() { sinkInt = last.bm.FindFirstBit() },
			func() { i, _ := last.bs.NextSet(0); sinkInt = int(i) })
		run("FindNextBitWalk", n/8,
			func() {
				for i := sparse.bm.FindFirstBit(); i < n; i = sparse.bm.FindNextBit(i + 1) {
					sinkInt = i
				}
			},
			func() {
				for i, ok := sparse.bs.NextSet(0); ok; i, ok = sparse.bs.NextSet(i + 1) {
					sinkInt = int(i)
				}
			})
		// Set/Test compares like with like: bitset's Set is a plain
		// read-modify-write, as NonAtomicSet is; op=SetAtomicTest shows
		// what the kernel's atomic set_bit costs on top.
		i := 0
		run("SetTest", 0,
			func() {
				x.bm.NonAtomicSet(i)
				sinkBool = x.bm.Test(i)
				if i++; i == n {
					i = 0
				}
			},
			func() {
				x.bs.Set(uint(i))
				sinkBool = x.bs.Test(uint(i))
				if i++; i == n {
					i = 0
				}
			})
		b.Run(fmt.Sprintf("op=SetAtomicTest/bits=%d/impl=bpfbitmap", n), func(b *testing.B) {
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				x.bm.Set(i)
				sinkBool = x.bm.Test(i)
				if i++; i == n {
					i = 0
				}
			}
		})
		run("New+Release", n/8,
			func() {
				bm, err := a.New(n)
				if err != nil {
					panic(err)
				}
				bm.Release()
			},
			func() { sinkSet = bitset.New(uint(n)) })
	}
	_, _, _ = sinkInt, sinkBool, sinkSet
}
