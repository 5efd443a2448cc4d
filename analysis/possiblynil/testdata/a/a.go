// Package a holds programs the possiblynil analyzer must flag and programs it
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

func unchecked() {
	m := kfuncs.CpumaskCreate(k)
	kfuncs.CpumaskSetCpu(1, m) // want `possibly nil: CpumaskCreate's result \(KF_RET_NULL\) is passed to CpumaskSetCpu before a nil check \(verifier: Possibly NULL pointer passed to trusted arg1\)`
	kfuncs.CpumaskRelease(m)
}

func checkedOnOnePath(cond bool) {
	b := kfuncs.BitmapCreate(k, 64)
	if cond && b == nil {
		return
	}
	kfuncs.BitmapRelease(b) // want `possibly nil: BitmapCreate's result .* \(verifier: Possibly NULL pointer passed to trusted arg0\)`
}

func uncheckedCast(b *bpfbitmap.Bitmap) {
	m := kfuncs.BitmapCastToCpumask(b)
	kfuncs.CpumaskSetall(m) // want `possibly nil: BitmapCastToCpumask's result .* trusted arg0`
}

func methodOnMaybeNil() uint32 {
	m := kfuncs.CpumaskCreate(k)
	defer kfuncs.CpumaskRelease(m)
	return kfuncs.CpumaskWeight(m.Cpumask()) // want `possibly nil: CpumaskCreate's result \(KF_RET_NULL\) is dereferenced by BPFCpumask.Cpumask before a nil check`
}

func deferredUnchecked() {
	m := kfuncs.CpumaskCreate(k)
	defer kfuncs.CpumaskRelease(m) // want `possibly nil: CpumaskCreate's result \(KF_RET_NULL\) is released by a deferred call and not compared with nil before return`
}

func methodDereference() int {
	b, _ := bpfbitmap.New(8)
	n := b.Len() // want `possibly nil: New's result \(KF_RET_NULL\) is dereferenced by Bitmap.Len before a nil check \(verifier: R0 invalid mem access 'ptr_or_null_'\)`
	b.Release()
	return n
}

func iteratorValue(it *kfuncs.IterBits) int32 {
	return *kfuncs.IterBitsNext(it) // want `possibly nil: IterBitsNext's result .* dereferenced before a nil check`
}

func oldSlotValue(slot *kfuncs.Kptr[kfuncs.BPFCpumask]) {
	old := kfuncs.KptrXchg(slot, nil)
	kfuncs.CpumaskRelease(old) // want `possibly nil: KptrXchg's result`
}

func intoSlot(slot *kfuncs.Kptr[kfuncs.BPFCpumask]) {
	m := kfuncs.CpumaskCreate(k)
	if old := kfuncs.KptrXchg(slot, m); old != nil { // want `Possibly NULL pointer passed to helper arg2`
		kfuncs.CpumaskRelease(old)
	}
}

func invertedCheck() {
	m := kfuncs.CpumaskCreate(k)
	if m != nil {
		kfuncs.CpumaskRelease(m)
		return
	}
	kfuncs.CpumaskSetCpu(1, m) // want `possibly nil: CpumaskCreate's result \(KF_RET_NULL\) is passed to CpumaskSetCpu on the branch where it is nil`
}

func otherValueChecked(other *kfuncs.BPFCpumask) {
	m := kfuncs.CpumaskCreate(k)
	if other == nil {
		return
	}
	kfuncs.CpumaskCopy(m, other.Cpumask()) // want `possibly nil: CpumaskCreate's result .* CpumaskCopy before a nil check`
	kfuncs.CpumaskRelease(m)
}

func errorBranch(n int) int {
	b, err := bpfbitmap.New(n)
	if err != nil {
		return b.Len() // want `possibly nil: New's result .* dereferenced by Bitmap.Len on the branch where it is nil`
	}
	defer b.Release()
	return b.Len()
}

func loadedUnchecked(slot *kfuncs.Kptr[kfuncs.BPFCpumask]) uint32 {
	tok := kfuncs.RcuReadLock(k)
	defer kfuncs.RcuReadUnlock(k, tok)
	m := slot.Load()
	return kfuncs.CpumaskWeight(m.Cpumask()) // want `possibly nil: Kptr.Load's result \(a kptr load, rcu_ptr_or_null_\) is dereferenced by BPFCpumask.Cpumask`
}

// Not flagged.

func loadedChecked(slot *kfuncs.Kptr[kfuncs.BPFCpumask]) uint32 {
	tok := kfuncs.RcuReadLock(k)
	defer kfuncs.RcuReadUnlock(k, tok)
	if m := slot.Load(); m != nil {
		return kfuncs.CpumaskWeight(m.Cpumask())
	}
	return 0
}

func checkedWithReturn() {
	m := kfuncs.CpumaskCreate(k)
	if m == nil {
		return
	}
	kfuncs.CpumaskSetCpu(1, m)
	kfuncs.CpumaskRelease(m)
}

func checkedAround() {
	if b := kfuncs.BitmapCreate(k, 64); b != nil {
		kfuncs.BitmapSetBit(1, b)
		kfuncs.BitmapRelease(b)
	}
}

func valid(m *kfuncs.BPFCpumask) bool { return m != nil }

func checkedThroughHelper() {
	m := kfuncs.CpumaskCreate(k)
	if !valid(m) {
		return
	}
	kfuncs.CpumaskClear(m)
	kfuncs.CpumaskRelease(m)
}

func checkedError(n int) error {
	b, err := bpfbitmap.New(n)
	if err != nil {
		return err
	}
	b.Set(0)
	b.Release()
	return nil
}

func checkedCast(b *bpfbitmap.Bitmap) {
	if m := kfuncs.BitmapCastToCpumask(b); m != nil {
		kfuncs.CpumaskSetall(m)
	}
}

func castThatCannotFail(b *bpfbitmap.Bitmap) {
	kfuncs.CpumaskSetall(cast.MustBitmapCastToCpumask(b))
}

func deferredAfterCheck() uint32 {
	m := kfuncs.CpumaskCreate(k)
	defer kfuncs.CpumaskRelease(m)
	if m == nil {
		return 0
	}
	return kfuncs.CpumaskWeight(m.Cpumask())
}

func inATest(t *testing.T) {
	b, err := bpfbitmap.New(8)
	require.NoError(t, err)
	defer b.Release()
	m := kfuncs.CpumaskCreate(k)
	require.NotNil(t, m)
	kfuncs.CpumaskSetCpu(0, m)
	kfuncs.CpumaskRelease(m)
}

func fatalOnNil(t *testing.T) {
	m := kfuncs.CpumaskCreate(k)
	if m == nil {
		t.Fatal("no mask")
	}
	kfuncs.CpumaskRelease(m)
}

// requireMask returns only when m is not nil.
func requireMask(t *testing.T, m *kfuncs.BPFCpumask) {
	t.Helper()
	if m == nil {
		t.Fatal("CpumaskCreate: NULL")
	}
}

func mustMask(m *kfuncs.BPFCpumask) {
	if m == nil {
		panic("CpumaskCreate: NULL")
	}
}

func assertedByHelpers(t *testing.T) {
	m := kfuncs.CpumaskCreate(k)
	requireMask(t, m)
	kfuncs.CpumaskSetCpu(0, m)
	kfuncs.CpumaskRelease(m)
	n := kfuncs.CpumaskCreate(k)
	mustMask(n)
	kfuncs.CpumaskSetCpu(0, n)
	kfuncs.CpumaskRelease(n)
}

// logNil is no assertion: it returns in both cases.
func logNil(t *testing.T, m *kfuncs.BPFCpumask) {
	if m == nil {
		t.Log("nil")
	}
}

func notAsserted(t *testing.T) {
	m := kfuncs.CpumaskCreate(k)
	logNil(t, m)
	kfuncs.CpumaskRelease(m) // want `possibly nil: CpumaskCreate's result`
}

func iterate(it *kfuncs.IterBits) (sum int32) {
	for p := kfuncs.IterBitsNext(it); p != nil; p = kfuncs.IterBitsNext(it) {
		sum += *p
	}
	return sum
}

// require.Same against a value known not to be nil proves the other is not
// nil: the test stops there otherwise.
func sameAsChecked(t *testing.T, slot *kfuncs.Kptr[kfuncs.BPFCpumask]) {
	m := kfuncs.CpumaskCreate(k)
	require.NotNil(t, m)
	require.Nil(t, kfuncs.KptrXchg(slot, m))
	got := kfuncs.KptrXchg(slot, nil)
	require.Same(t, m, got)
	kfuncs.CpumaskRelease(got)
}

func sameAsAnIfChecked(t *testing.T, slot *kfuncs.Kptr[kfuncs.BPFCpumask], m *kfuncs.BPFCpumask) {
	if m == nil {
		return
	}
	got := kfuncs.KptrXchg(slot, nil)
	require.Same(t, got, m) // either side
	kfuncs.CpumaskRelease(got)
}

func sameAsMust(t *testing.T, b *bpfbitmap.Bitmap) {
	want := cast.MustBitmapCastToCpumask(b)
	got := kfuncs.BitmapCastToCpumask(b)
	require.Same(t, want, got)
	kfuncs.CpumaskSetCpu(0, got)
}

// Same against a value that may be nil proves nothing.
func sameAsUnchecked(t *testing.T, slot *kfuncs.Kptr[kfuncs.BPFCpumask], m *kfuncs.BPFCpumask) {
	got := kfuncs.KptrXchg(slot, nil)
	require.Same(t, m, got)
	kfuncs.CpumaskRelease(got) // want `possibly nil: KptrXchg's result`
}

// Same after the check, on another path only.
func sameAsCheckedElsewhere(t *testing.T, slot *kfuncs.Kptr[kfuncs.BPFCpumask], m *kfuncs.BPFCpumask, cond bool) {
	if cond {
		require.NotNil(t, m)
	}
	got := kfuncs.KptrXchg(slot, nil)
	require.Same(t, m, got)
	kfuncs.CpumaskRelease(got) // want `possibly nil: KptrXchg's result`
}

// NotSame proves nothing.
func notSame(t *testing.T, slot *kfuncs.Kptr[kfuncs.BPFCpumask]) {
	m := kfuncs.CpumaskCreate(k)
	require.NotNil(t, m)
	defer kfuncs.CpumaskRelease(m)
	got := kfuncs.KptrXchg(slot, nil)
	require.NotSame(t, m, got)
	kfuncs.CpumaskRelease(got) // want `possibly nil: KptrXchg's result`
}

// require.True and False with a nil comparison are nil checks.
func trueAndFalse(t *testing.T) {
	m := kfuncs.CpumaskCreate(k)
	require.True(t, m != nil)
	kfuncs.CpumaskRelease(m)
	n := kfuncs.CpumaskCreate(k)
	require.False(t, n == nil)
	kfuncs.CpumaskRelease(n)
}

func trueOfSomethingElse(t *testing.T, cond bool) {
	m := kfuncs.CpumaskCreate(k)
	require.True(t, cond)
	kfuncs.CpumaskRelease(m) // want `possibly nil: CpumaskCreate's result`
}

// errors.Is not holding says nothing of the result: the error may be nil.
func expectedErrorOtherwise(n int) int {
	b, err := bpfbitmap.New(n)
	if errors.Is(err, bpfbitmap.ErrInvalid) {
		return 0
	}
	return b.Len() // want `possibly nil: New's result`
}
