package kfuncs_test

import (
	"fmt"
	"testing"

	"github.com/bpfbitmap/prototype/bench"
	"github.com/bpfbitmap/prototype/bpfbitmap"
	"github.com/bpfbitmap/prototype/cast"
	"github.com/bpfbitmap/prototype/kfuncs"
)

// Sinks keep results alive beyond what b.Loop does.
var (
	sinkU32  uint32
	sinkBool bool
	sinkI32  int32
)

// benchTopologies: cpus=2 runs on NR_CPUS=256 (the test machine's kernel,
// where copy and clear touch 256 bits); the others on NR_CPUS=8192, a
// distro kernel, where every width is nr_cpu_ids.
var benchTopologies = []struct{ n, nr int }{{2, 256}, {64, 8192}, {1024, 8192}}

// BenchmarkKfunc measures every kfunc per call. Compare the designs with
//
//	go test -run '^$' -bench Kfunc -count 6 ./kfuncs | benchstat -col /design -
//
// The cpumask kfuncs, the cast and the objects' life come from bench.Cases,
// the same bodies the design report times: design=generic calls the cpumask
// kfuncs on the view BitmapCastToCpumask returned; fn=cast measures the cast
// itself (for design=fixed, the free BPFCpumask.Cpumask conversion).
func BenchmarkKfunc(b *testing.B) {
	for _, tp := range benchTopologies {
		topo := cast.MustTopology(tp.n, tp.nr)
		cases, release, err := bench.Cases(topo)
		if err != nil {
			b.Fatal(err)
		}
		for _, c := range cases {
			b.Run(c.Name(), c.Bench)
		}
		release()
		benchBitmap(b, cast.MustKernel(topo), tp.n, bench.Source(tp.n))
	}
}

// benchBitmap measures the proposal's generic kfuncs (design=generic only)
// and the infrastructure both designs share.
func benchBitmap(b *testing.B, k *cast.Kernel, n int, src []byte) {
	x, y, z := kfuncs.BitmapCreate(k, int32(n)), kfuncs.BitmapCreate(k, int32(n)), kfuncs.BitmapCreate(k, int32(n))
	defer kfuncs.BitmapRelease(x)
	defer kfuncs.BitmapRelease(y)
	defer kfuncs.BitmapRelease(z)
	kfuncs.CpumaskPopulate(kfuncs.BitmapCastToCpumask(x), src)
	words := x.Words()
	words[len(words)-1] &= ^uint64(0) >> (uint(-n) % 64) // keep the Bitmap's tail clean
	suffix := fmt.Sprintf("/design=generic/cpus=%d", n)
	run := func(fn string, f func(b *testing.B)) {
		b.Run("fn="+fn+suffix, func(b *testing.B) {
			b.ReportAllocs()
			f(b)
		})
	}
	bit := uint32(1)
	run("find_first_bit", func(b *testing.B) {
		for b.Loop() {
			sinkU32 = kfuncs.FindFirstBit(y)
		}
	})
	run("find_next_bit", func(b *testing.B) {
		for b.Loop() {
			sinkU32 = kfuncs.FindNextBit(x, bit)
		}
	})
	run("find_first_zero_bit", func(b *testing.B) {
		for b.Loop() {
			sinkU32 = kfuncs.FindFirstZeroBit(x)
		}
	})
	run("find_last_bit", func(b *testing.B) {
		for b.Loop() {
			sinkU32 = kfuncs.FindLastBit(y)
		}
	})
	run("bitmap_set_bit", func(b *testing.B) {
		for b.Loop() {
			kfuncs.BitmapSetBit(bit, z)
		}
	})
	run("bitmap_clear_bit", func(b *testing.B) {
		for b.Loop() {
			kfuncs.BitmapClearBit(bit, z)
		}
	})
	run("bitmap_test_bit", func(b *testing.B) {
		for b.Loop() {
			sinkBool = kfuncs.BitmapTestBit(bit, x)
		}
	})
	run("bitmap_test_and_set_bit", func(b *testing.B) {
		for b.Loop() {
			sinkBool = kfuncs.BitmapTestAndSetBit(bit, z)
		}
	})
	run("bitmap_test_and_clear_bit", func(b *testing.B) {
		for b.Loop() {
			sinkBool = kfuncs.BitmapTestAndClearBit(bit, z)
		}
	})
	run("bitmap_and", func(b *testing.B) {
		for b.Loop() {
			sinkBool = kfuncs.BitmapAnd(z, x, y)
		}
	})
	run("bitmap_or", func(b *testing.B) {
		for b.Loop() {
			kfuncs.BitmapOr(z, x, y)
		}
	})
	run("bitmap_xor", func(b *testing.B) {
		for b.Loop() {
			kfuncs.BitmapXor(z, x, y)
		}
	})
	run("bitmap_andnot", func(b *testing.B) {
		for b.Loop() {
			sinkBool = kfuncs.BitmapAndnot(z, x, y)
		}
	})
	run("bitmap_copy", func(b *testing.B) {
		for b.Loop() {
			kfuncs.BitmapCopy(z, x)
		}
	})
	run("bitmap_equal", func(b *testing.B) {
		for b.Loop() {
			sinkBool = kfuncs.BitmapEqual(x, x)
		}
	})
	run("bitmap_intersects", func(b *testing.B) {
		for b.Loop() {
			sinkBool = kfuncs.BitmapIntersects(x, y)
		}
	})
	run("bitmap_subset", func(b *testing.B) {
		for b.Loop() {
			sinkBool = kfuncs.BitmapSubset(y, x)
		}
	})
	run("bitmap_empty", func(b *testing.B) {
		for b.Loop() {
			sinkBool = kfuncs.BitmapEmpty(y)
		}
	})
	run("bitmap_full", func(b *testing.B) {
		for b.Loop() {
			sinkBool = kfuncs.BitmapFull(x)
		}
	})
	run("bitmap_weight", func(b *testing.B) {
		for b.Loop() {
			sinkU32 = kfuncs.BitmapWeight(x)
		}
	})
	run("iter_bits", func(b *testing.B) {
		w := x.Words()
		for b.Loop() {
			var it kfuncs.IterBits
			kfuncs.IterBitsNew(&it, w, uint32(len(w)))
			for p := kfuncs.IterBitsNext(&it); p != nil; p = kfuncs.IterBitsNext(&it) {
				sinkI32 = *p
			}
			kfuncs.IterBitsDestroy(&it)
		}
	})
	run("kptr_xchg", func(b *testing.B) {
		var slot kfuncs.Kptr[bpfbitmap.Bitmap]
		for b.Loop() {
			kfuncs.KptrXchg(&slot, kfuncs.KptrXchg(&slot, x))
		}
	})
	run("rcu_read_lock+unlock", func(b *testing.B) {
		for b.Loop() {
			kfuncs.RcuReadUnlock(k, kfuncs.RcuReadLock(k))
		}
	})
}
