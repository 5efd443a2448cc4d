// Package a holds programs the useafterrelease analyzer must flag and
// programs it must not.
package a

import (
	"github.com/bpfbitmap/prototype/bpfbitmap"
	"github.com/bpfbitmap/prototype/cast"
	"github.com/bpfbitmap/prototype/kfuncs"
)

var k = cast.MustKernel(cast.MustTopology(4, 64))

// Flagged.

func usedAfterRelease() uint32 {
	m := kfuncs.CpumaskCreate(k)
	if m == nil {
		return 0
	}
	kfuncs.CpumaskRelease(m)
	return kfuncs.CpumaskWeight(m.Cpumask()) // want `use after release: the reference from CpumaskCreate, released by CpumaskRelease, is used by BPFCpumask.Cpumask \(verifier: invalid mem access 'scalar'\)`
}

func readOnlyViewKeptPastRelease() uint32 {
	m := kfuncs.CpumaskCreate(k)
	if m == nil {
		return 0
	}
	v := m.Cpumask()
	kfuncs.CpumaskRelease(m)
	return kfuncs.CpumaskWeight(v) // want `use after release: the reference from CpumaskCreate, released by CpumaskRelease, is used by CpumaskWeight \(verifier: R1 type=scalar expected=fp\)`
}

func doubleRelease() {
	b := kfuncs.BitmapCreate(k, 64)
	if b == nil {
		return
	}
	kfuncs.BitmapRelease(b)
	kfuncs.BitmapRelease(b) // want `use after release: .* used by BitmapRelease \(verifier: R1 type=scalar expected=fp\)`
}

func secondArgument() {
	b := kfuncs.BitmapCreate(k, 64)
	if b == nil {
		return
	}
	kfuncs.BitmapRelease(b)
	kfuncs.BitmapSetBit(1, b) // want `use after release: .* \(verifier: R2 type=scalar expected=fp\)`
}

func castViewAfterRelease() {
	b := kfuncs.BitmapCreate(k, 4)
	if b == nil {
		return
	}
	m := kfuncs.BitmapCastToCpumask(b)
	kfuncs.BitmapRelease(b)
	if m != nil {
		kfuncs.CpumaskSetCpu(1, m) // want `use after release: the reference from BitmapCreate, released by BitmapRelease, is used by CpumaskSetCpu through a cast view`
	}
}

func movedIntoSlot(slot *kfuncs.Kptr[kfuncs.BPFCpumask]) {
	m := kfuncs.CpumaskCreate(k)
	if m == nil {
		return
	}
	if old := kfuncs.KptrXchg(slot, m); old != nil {
		kfuncs.CpumaskRelease(old)
	}
	kfuncs.CpumaskSetCpu(0, m) // want `use after release: .* released by KptrXchg`
}

func releasedTwiceWithDefer() {
	b, err := bpfbitmap.New(8)
	if err != nil {
		return
	}
	defer b.Release()
	b.Set(1)
	b.Release() // want `use after release: .* and again by the deferred release`
}

func coreMethod() bool {
	b := bpfbitmap.MustNew(8)
	b.Release()
	return b.Test(0) // want `use after release: the reference from MustNew, released by Bitmap.Release, is used by Bitmap.Test`
}

func parameter(b *bpfbitmap.Bitmap) int {
	kfuncs.BitmapRelease(b)
	return b.Len() // want `use after release: b, released by BitmapRelease, is used by Bitmap.Len`
}

func iteratorAfterDestroy(w []uint64) bool {
	var it kfuncs.IterBits
	kfuncs.IterBitsNew(&it, w, uint32(len(w)))
	kfuncs.IterBitsDestroy(&it)
	return kfuncs.IterBitsNext(&it) != nil // want `use after release: the iterator IterBitsNew started, released by IterBitsDestroy, is used by IterBitsNext \(verifier: expected an initialized iter_bits as arg #0\)`
}

// Not flagged.

func usedThenReleased() uint32 {
	m := kfuncs.CpumaskCreate(k)
	if m == nil {
		return 0
	}
	n := kfuncs.CpumaskWeight(m.Cpumask())
	kfuncs.CpumaskRelease(m)
	return n
}

func twoReferences() {
	b := kfuncs.BitmapCreate(k, 64)
	if b == nil {
		return
	}
	c := kfuncs.BitmapAcquire(b)
	kfuncs.BitmapRelease(b)
	kfuncs.BitmapSetBit(1, c) // c is a reference of its own
	kfuncs.BitmapRelease(c)
}

func acquireForEffect() {
	b := bpfbitmap.MustNew(8)
	b.Acquire()
	b.Release()
	b.Set(1) // one reference left
	b.Release()
}

func reassigned(a *bpfbitmap.Allocator) {
	b, err := a.New(8)
	if err != nil {
		return
	}
	b.Release()
	b, err = a.New(16)
	if err != nil {
		return
	}
	b.Set(1)
	b.Release()
}

func comparedOnly() bool {
	b := bpfbitmap.MustNew(8)
	b.Release()
	return b != nil
}

func releasedOnOneBranch(cond bool) {
	b := bpfbitmap.MustNew(8)
	if cond {
		b.Release()
		return
	}
	b.Set(0)
	b.Release()
}
