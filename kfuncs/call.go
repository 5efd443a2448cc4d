package kfuncs

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"

	"github.com/bpfbitmap/prototype/bpfbitmap"
	"github.com/bpfbitmap/prototype/cast"
)

// Args are the arguments a row's Call passes to its kfunc, one field per
// argument shape of the table's prototypes (Kfunc.Signature), and the
// result it leaves behind. Readers take the const pointers (Src1, Src2,
// Bitmap1, Bitmap2, in the prototype's order), writers the non-const one
// (Dst, BitmapDst), so a writer never disturbs what a reader scans.
type Args struct {
	Kernel *cast.Kernel // what CpumaskCreate, BitmapCreate and the RCU kfuncs take
	Bits   int32        // bpf_bitmap_create's bits
	Cpu    uint32       // the u32 scalar: a cpu, bit number, offset or n

	Dst        *cast.OwnedCpumask // the struct bpf_cpumask * a mutator writes
	Src1, Src2 *cast.Cpumask      // the const struct cpumask * arguments, in order
	Mem        []byte             // a void * with its __sz: populate's src
	Words      []uint64           // bpf_iter_bits_new's unsafe_ptr__ign; its length is nr_words
	Cpumask    *BPFCpumask        // the merged design's object behind Dst

	BitmapDst        *bpfbitmap.Bitmap // the struct bpf_bitmap * a writer, acquire or the cast takes
	Bitmap1, Bitmap2 *bpfbitmap.Bitmap // the const struct bpf_bitmap * arguments, in order
	Slot             Kptr[bpfbitmap.Bitmap]

	// Ret is the last call's scalar result as R0 holds it: a u32 or an int
	// zero-extended from 32 bits, a bool as 0 or 1; an iterator's Call
	// leaves the number of bits it saw.
	Ret   uint64
	Owned *cast.OwnedCpumask // the cast's result

	release []func()
}

// r0 returns b as R0 holds a bool.
func r0(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// ArgsSource returns the populate source the benchmarks use for nr_cpu_ids
// n: BITS_TO_LONGS(n) little-endian words from a fixed-seed generator, bits
// at or above n included (populate copies whole words), so that every run
// sees the same inputs.
func ArgsSource(n int) []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	src := make([]byte, 8*((n+63)/64))
	for i := 0; i+8 <= len(src); i += 8 {
		binary.LittleEndian.PutUint64(src[i:], rng.Uint64())
	}
	return src
}

// ErrArgs reports that NewArgs could not allocate its objects.
var ErrArgs = errors.New("kfuncs: cannot make benchmark arguments")

// NewArgs returns the arguments the benchmarks call every row with on kernel
// k, for one design: DesignMerged takes the cpumask arguments from
// CpumaskCreate, DesignProposed from BitmapCreate and BitmapCastToCpumask,
// when Bitmap1, Bitmap2 and BitmapDst are the bitmaps behind Src1, Src2 and
// Dst. Src1 is empty, so that the finds and tests scan every word; Src2 and
// Dst hold src's bits below nr_cpu_ids (populate's words, the tail cleared);
// Cpu is 1, valid on every kernel; Mem is src, Words its words. Release the
// result when done.
func NewArgs(k *cast.Kernel, d Design, src []byte) (*Args, error) {
	if k == nil || (d != DesignMerged && d != DesignProposed) {
		return nil, fmt.Errorf("%w: kernel %v, design %q", ErrArgs, k, d)
	}
	n := k.Topology().NrCPUIDs()
	a := &Args{Kernel: k, Bits: int32(n), Cpu: 1, Mem: src}
	clean := make([]byte, 8*((n+63)/64))
	copy(clean, src)
	for i := n; i < 8*len(clean); i++ {
		clean[i/8] &^= 1 << (i % 8)
	}
	for i := 0; i+8 <= len(clean); i += 8 {
		a.Words = append(a.Words, binary.LittleEndian.Uint64(clean[i:]))
	}
	var owned [3]*cast.OwnedCpumask
	for i := range owned {
		switch d {
		case DesignMerged:
			m := CpumaskCreate(k)
			if m == nil {
				a.Release()
				return nil, fmt.Errorf("%w: bpf_cpumask_create on %v", ErrArgs, k.Topology())
			}
			a.release = append(a.release, func() { CpumaskRelease(m) })
			owned[i] = m.Owned()
			a.Cpumask = m
		case DesignProposed:
			b := BitmapCreate(k, int32(n))
			m := BitmapCastToCpumask(b)
			if m == nil {
				BitmapRelease(b)
				a.Release()
				return nil, fmt.Errorf("%w: bpf_bitmap_create(%d) and its cast on %v", ErrArgs, n, k.Topology())
			}
			a.release = append(a.release, func() { BitmapRelease(b) })
			owned[i] = m
			a.Bitmap1, a.Bitmap2, a.BitmapDst = a.Bitmap2, a.BitmapDst, b
		}
	}
	a.Src1, a.Src2, a.Dst = owned[0].Cpumask(), owned[1].Cpumask(), owned[2]
	if CpumaskPopulate(owned[1], clean) != 0 || CpumaskPopulate(owned[2], clean) != 0 {
		a.Release()
		return nil, fmt.Errorf("%w: populate on %v", ErrArgs, k.Topology())
	}
	return a, nil
}

// Release releases what NewArgs allocated; a must not be used afterwards.
func (a *Args) Release() {
	if a == nil {
		return
	}
	for i := len(a.release) - 1; i >= 0; i-- {
		a.release[i]()
	}
	a.release = nil
}
