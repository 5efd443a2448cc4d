package kfuncs_test

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"testing"

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
// design=generic calls the cpumask kfuncs on the view BitmapCastToCpumask
// returned; fn=cast measures the cast itself (for design=fixed, the free
// BPFCpumask.Cpumask conversion) and fn=create+release one object's life.
func BenchmarkKfunc(b *testing.B) {
	for _, tp := range benchTopologies {
		k := cast.MustKernel(cast.MustTopology(tp.n, tp.nr))
		src := benchSource(tp.n)
		benchCpumask(b, fmt.Sprintf("design=fixed/cpus=%d", tp.n), src, func() (*kfuncs.BPFCpumask, *cast.Cpumask, func()) {
			m := kfuncs.CpumaskCreate(k)
			return m, m.Cpumask(), func() { kfuncs.CpumaskRelease(m) }
		})
		benchCpumask(b, fmt.Sprintf("design=generic/cpus=%d", tp.n), src, func() (*cast.OwnedCpumask, *cast.Cpumask, func()) {
			bm := kfuncs.BitmapCreate(k, int32(tp.n))
			m := kfuncs.BitmapCastToCpumask(bm)
			return m, m.Cpumask(), func() { kfuncs.BitmapRelease(bm) }
		})
		benchLife(b, k, tp.n)
		benchBitmap(b, k, tp.n, src)
	}
}

func benchSource(n int) []byte {
	rng := rand.New(rand.NewPCG(1, 2)) // fixed seed: same inputs every run
	src := make([]byte, 8*((n+63)/64))
	for i := 0; i+8 <= len(src); i += 8 {
		binary.LittleEndian.PutUint64(src[i:], rng.Uint64())
	}
	return src
}

func benchCpumask[M kfuncs.BPFOwned](b *testing.B, suffix string, src []byte, create func() (M, *cast.Cpumask, func())) {
	dst, dstR, relD := create()
	defer relD()
	a, aR, relA := create()
	defer relA()
	_, bR, relB := create()
	defer relB()
	kfuncs.CpumaskPopulate(a, src)
	kfuncs.CpumaskPopulate(dst, src)
	cpu := uint32(1)
	run := func(fn string, f func(b *testing.B)) {
		b.Run("fn="+fn+"/"+suffix, func(b *testing.B) {
			b.ReportAllocs()
			f(b)
		})
	}
	run("first", func(b *testing.B) {
		for b.Loop() {
			sinkU32 = kfuncs.CpumaskFirst(bR) // empty: scans all S bits
		}
	})
	run("first_zero", func(b *testing.B) {
		for b.Loop() {
			sinkU32 = kfuncs.CpumaskFirstZero(aR)
		}
	})
	run("first_and", func(b *testing.B) {
		for b.Loop() {
			sinkU32 = kfuncs.CpumaskFirstAnd(aR, bR)
		}
	})
	run("set_cpu", func(b *testing.B) {
		for b.Loop() {
			kfuncs.CpumaskSetCpu(cpu, dst)
		}
	})
	run("clear_cpu", func(b *testing.B) {
		for b.Loop() {
			kfuncs.CpumaskClearCpu(cpu, dst)
		}
	})
	run("test_cpu", func(b *testing.B) {
		for b.Loop() {
			sinkBool = kfuncs.CpumaskTestCpu(cpu, aR)
		}
	})
	run("test_and_set_cpu", func(b *testing.B) {
		for b.Loop() {
			sinkBool = kfuncs.CpumaskTestAndSetCpu(cpu, dst)
		}
	})
	run("test_and_clear_cpu", func(b *testing.B) {
		for b.Loop() {
			sinkBool = kfuncs.CpumaskTestAndClearCpu(cpu, dst)
		}
	})
	run("setall", func(b *testing.B) {
		for b.Loop() {
			kfuncs.CpumaskSetall(dst)
		}
	})
	run("clear", func(b *testing.B) {
		for b.Loop() {
			kfuncs.CpumaskClear(dst)
		}
	})
	run("and", func(b *testing.B) {
		for b.Loop() {
			sinkBool = kfuncs.CpumaskAnd(dst, aR, bR)
		}
	})
	run("or", func(b *testing.B) {
		for b.Loop() {
			kfuncs.CpumaskOr(dst, aR, bR)
		}
	})
	run("xor", func(b *testing.B) {
		for b.Loop() {
			kfuncs.CpumaskXor(dst, aR, bR)
		}
	})
	run("equal", func(b *testing.B) {
		for b.Loop() {
			sinkBool = kfuncs.CpumaskEqual(aR, aR) // equal: compares every word
		}
	})
	run("intersects", func(b *testing.B) {
		for b.Loop() {
			sinkBool = kfuncs.CpumaskIntersects(aR, bR)
		}
	})
	run("subset", func(b *testing.B) {
		for b.Loop() {
			sinkBool = kfuncs.CpumaskSubset(bR, aR)
		}
	})
	run("empty", func(b *testing.B) {
		for b.Loop() {
			sinkBool = kfuncs.CpumaskEmpty(bR)
		}
	})
	run("full", func(b *testing.B) {
		for b.Loop() {
			sinkBool = kfuncs.CpumaskFull(dstR)
		}
	})
	run("copy", func(b *testing.B) {
		for b.Loop() {
			kfuncs.CpumaskCopy(dst, aR)
		}
	})
	run("any_distribute", func(b *testing.B) {
		for b.Loop() {
			sinkU32 = kfuncs.CpumaskAnyDistribute(aR)
		}
	})
	run("any_and_distribute", func(b *testing.B) {
		for b.Loop() {
			sinkU32 = kfuncs.CpumaskAnyAndDistribute(aR, aR)
		}
	})
	run("weight", func(b *testing.B) {
		for b.Loop() {
			sinkU32 = kfuncs.CpumaskWeight(aR)
		}
	})
	run("populate", func(b *testing.B) {
		for b.Loop() {
			sinkI32 = kfuncs.CpumaskPopulate(dst, src)
		}
	})
}

// benchLife measures the cast and an object's create+release in both designs.
func benchLife(b *testing.B, k *cast.Kernel, n int) {
	b.Run(fmt.Sprintf("fn=cast/design=fixed/cpus=%d", n), func(b *testing.B) {
		m := kfuncs.CpumaskCreate(k)
		defer kfuncs.CpumaskRelease(m)
		b.ReportAllocs()
		var r *cast.Cpumask
		for b.Loop() {
			r = m.Cpumask()
		}
		sinkBool = r == nil
	})
	b.Run(fmt.Sprintf("fn=cast/design=generic/cpus=%d", n), func(b *testing.B) {
		bm := kfuncs.BitmapCreate(k, int32(n))
		defer kfuncs.BitmapRelease(bm)
		b.ReportAllocs()
		var m *cast.OwnedCpumask
		for b.Loop() {
			m = kfuncs.BitmapCastToCpumask(bm)
		}
		sinkBool = m == nil
	})
	b.Run(fmt.Sprintf("fn=create+release/design=fixed/cpus=%d", n), func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			kfuncs.CpumaskRelease(kfuncs.CpumaskCreate(k))
		}
	})
	b.Run(fmt.Sprintf("fn=create+release/design=generic/cpus=%d", n), func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			kfuncs.BitmapRelease(kfuncs.BitmapCreate(k, int32(n)))
		}
	})
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
