// Package a holds programs the unreleased analyzer must flag and programs it
// must not.
package a

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/bpfbitmap"
	"github.com/bpfbitmap/prototype/cast"
	"github.com/bpfbitmap/prototype/kfuncs"
)

var k = cast.MustKernel(cast.MustTopology(4, 64))

// Flagged.

func neverReleased() uint32 {
	m := kfuncs.CpumaskCreate(k) // want `unreleased reference: CpumaskCreate's result`
	if m == nil {
		return 0
	}
	return kfuncs.CpumaskWeight(m.Cpumask())
}

func releasedOnOnePath(cond bool) {
	b := kfuncs.BitmapCreate(k, 100) // want `unreleased reference: BitmapCreate's result`
	if b == nil {
		return
	}
	kfuncs.BitmapSetBit(3, b)
	if cond {
		kfuncs.BitmapRelease(b)
	}
}

func acquiredTwiceReleasedOnce(b *bpfbitmap.Bitmap) {
	c := kfuncs.BitmapAcquire(b) // want `unreleased reference: BitmapAcquire's result`
	kfuncs.BitmapSetBit(1, c)
}

func extraAcquire() {
	m := kfuncs.CpumaskCreate(k) // want `unreleased reference: CpumaskCreate's result`
	if m == nil {
		return
	}
	kfuncs.CpumaskAcquire(m) // kept for its effect: m now holds two
	kfuncs.CpumaskRelease(m)
}

func oldSlotValueDropped(slot *kfuncs.Kptr[kfuncs.BPFCpumask]) {
	m := kfuncs.CpumaskCreate(k)
	if m == nil {
		return
	}
	kfuncs.KptrXchg(slot, m) // want `unreleased reference: KptrXchg's result`
}

func deferredNonRelease() {
	m := kfuncs.CpumaskCreate(k) // want `unreleased reference: CpumaskCreate's result`
	if m == nil {
		return
	}
	defer kfuncs.CpumaskClear(m) // not a release
}

func returnsSomethingElse(other *kfuncs.BPFCpumask) *kfuncs.BPFCpumask {
	m := kfuncs.CpumaskCreate(k) // want `unreleased reference: CpumaskCreate's result`
	if m == nil {
		return nil
	}
	kfuncs.CpumaskCopy(other, m.Cpumask())
	return other
}

func coreAPI(n int) error {
	b, err := bpfbitmap.New(n) // want `unreleased reference: New's result`
	if err != nil {
		return err
	}
	b.Set(1)
	return nil
}

func allocatorAPI(a *bpfbitmap.Allocator) {
	b, err := a.New(64) // want `unreleased reference: Allocator.New's result`
	if err == nil {
		b.Set(1)
	}
}

// newMask acquires on behalf of its caller, which must release.
func newMask() *kfuncs.BPFCpumask {
	m := kfuncs.CpumaskCreate(k)
	if m == nil {
		return nil
	}
	kfuncs.CpumaskSetall(m)
	return m
}

func throughHelper() {
	m := newMask() // want `unreleased reference: newMask's result`
	if m == nil {
		return
	}
	kfuncs.CpumaskClear(m)
}

func iteratorNotDestroyed(w []uint64) int32 {
	var it kfuncs.IterBits
	kfuncs.IterBitsNew(&it, w, uint32(len(w))) // want `unreleased reference: the iterator IterBitsNew started \(KF_ITER_NEW\) is not destroyed on every path`
	p := kfuncs.IterBitsNext(&it)
	if p == nil {
		return -1 // it still holds its copy here
	}
	kfuncs.IterBitsDestroy(&it)
	return *p
}

// Not flagged.

func iteratorDestroyedInDefer(b *bpfbitmap.Bitmap) (n int) {
	var it kfuncs.IterBitmap
	defer kfuncs.IterBitmapDestroy(&it) // Go's order: deferred before it starts
	kfuncs.IterBitmapNew(&it, b)
	for p := kfuncs.IterBitmapNext(&it); p != nil; p = kfuncs.IterBitmapNext(&it) {
		n++
	}
	return n
}

func iteratorDestroyedAfterLoop(w []uint64) (sum int32) {
	var it kfuncs.IterBits
	kfuncs.IterBitsNew(&it, w, uint32(len(w)))
	for p := kfuncs.IterBitsNext(&it); p != nil; p = kfuncs.IterBitsNext(&it) {
		sum += *p
	}
	kfuncs.IterBitsDestroy(&it)
	return sum
}

func releasedOnEveryPath(cond bool) {
	b := kfuncs.BitmapCreate(k, 100)
	if b == nil {
		return
	}
	if cond {
		kfuncs.BitmapSetBit(3, b)
		kfuncs.BitmapRelease(b)
		return
	}
	kfuncs.BitmapRelease(b)
}

func releasedInDefer() uint32 {
	m := kfuncs.CpumaskCreate(k)
	if m == nil {
		return 0
	}
	defer kfuncs.CpumaskRelease(m)
	kfuncs.CpumaskSetCpu(1, m)
	return kfuncs.CpumaskWeight(m.Cpumask())
}

func releasedInDeferredClosure() {
	b, err := bpfbitmap.New(64)
	if err != nil {
		return
	}
	defer func() { b.Release() }()
	b.Set(1)
}

func handedToKptrSlot(slot *kfuncs.Kptr[kfuncs.BPFCpumask]) {
	m := kfuncs.CpumaskCreate(k)
	if m == nil {
		return
	}
	if old := kfuncs.KptrXchg(slot, m); old != nil {
		kfuncs.CpumaskRelease(old)
	}
}

func returnedToCaller(n int) (*bpfbitmap.Bitmap, error) {
	b, err := bpfbitmap.New(n)
	if err != nil {
		return nil, err
	}
	b.Set(0)
	return b, nil
}

func nilBranchHoldsNothing() {
	m := kfuncs.CpumaskCreate(k)
	if m == nil {
		return
	}
	kfuncs.CpumaskRelease(m)
}

func errorBranchHoldsNothing(n int) error {
	b, err := bpfbitmap.Default().New(n)
	if err != nil {
		return errors.Join(err, errors.New("no bitmap"))
	}
	b.Release()
	return nil
}

// drop releases m on every path; callers see it through its summary.
func drop(m *kfuncs.BPFCpumask) {
	if m == nil {
		return
	}
	kfuncs.CpumaskRelease(m)
}

func releasedThroughHelper() {
	m := newMask()
	drop(m)
}

func acquireKeptForEffect() {
	b := bpfbitmap.MustNew(8)
	b.Acquire()
	b.Release()
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
	b.Release()
}

type owner struct{ b *bpfbitmap.Bitmap }

func storedInAStruct(o *owner) {
	b, err := bpfbitmap.New(8)
	if err != nil {
		return
	}
	o.b = b // the struct owns it now
}

func loop(n int) {
	for i := range n {
		b := kfuncs.BitmapCreate(k, int32(i+1))
		if b == nil {
			continue
		}
		kfuncs.BitmapRelease(b)
	}
}

// An error the code expects: where errors.As or errors.Is holds, the
// constructor returned nil and nothing is held.
func expectedError(t *testing.T) {
	_, err := bpfbitmap.ParseList("0-N,64", 64)
	var pe *bpfbitmap.ParseError
	require.True(t, errors.As(err, &pe))
	_, err = bpfbitmap.New(-1)
	if !errors.Is(err, bpfbitmap.ErrInvalid) {
		t.Fatal(err)
	}
	b, err := bpfbitmap.New(-1)
	if errors.Is(err, bpfbitmap.ErrInvalid) {
		return
	}
	if err == nil {
		b.Release()
	}
}

// Asserted nil: nothing held.
func assertedNil(t *testing.T) {
	m := kfuncs.CpumaskCreate(k)
	require.False(t, m != nil)
}

// Where errors.Is does not hold, the error may be nil and the result held.
func unexpectedSuccess() bool {
	_, err := bpfbitmap.New(-1) // want `unreleased reference: New's result`
	return errors.Is(err, bpfbitmap.ErrInvalid)
}

func expectedErrorOnOneBranch() {
	_, err := bpfbitmap.New(-1) // want `unreleased reference: New's result`
	if errors.Is(err, bpfbitmap.ErrInvalid) {
		return
	}
}

// errors.Is(err, nil) holds for a nil err.
func isNilTarget() {
	b, err := bpfbitmap.New(8) // want `unreleased reference: New's result`
	if errors.Is(err, nil) {
		return
	}
	if err == nil {
		b.Release()
	}
}
