package bpfbitmap

import "math"

// Warning is a refcount_t warning (REFCOUNT_ADD_UAF and friends in
// lib/refcount.c). The kernel prints each once (WARN_ONCE) and saturates the
// counter instead of failing; the model counts every event in Stats.Warnings
// and calls the allocator's OnWarning function.
type Warning uint8

// The refcount_t warnings; String returns the kernel's message.
const (
	WarnAddOnZero Warning = iota // REFCOUNT_ADD_UAF: increment from 0
	WarnSaturated                // REFCOUNT_ADD_OVF: overflow, or increment of a saturated counter
	WarnUnderflow                // REFCOUNT_SUB_UAF: decrement from 0 or below (double release)
	numWarnings
)

var warningText = [numWarnings]string{
	WarnAddOnZero: "refcount_t: addition on 0; use-after-free.",
	WarnSaturated: "refcount_t: saturated; leaking memory.",
	WarnUnderflow: "refcount_t: underflow; use-after-free.",
}

// String returns the message the kernel prints for w.
func (w Warning) String() string {
	if w < numWarnings {
		return warningText[w]
	}
	return "refcount_t: unknown warning"
}

// refcountSaturated is REFCOUNT_SATURATED (INT_MIN / 2): deep in the negative
// band, so that further increments and decrements stay there.
const refcountSaturated = math.MinInt32 / 2

// OnWarning sets the function called on every refcount warning of a Bitmap
// from a; nil removes it. It runs on the goroutine that caused the warning.
func (a *Allocator) OnWarning(f func(*Bitmap, Warning)) {
	if f == nil {
		a.warnFn.Store(nil)
		return
	}
	a.warnFn.Store(&f)
}

// warn is refcount_warn_saturate: saturate, then report.
func (b *Bitmap) warn(w Warning) {
	b.refcnt.Store(refcountSaturated)
	a := allocatorOf(b)
	a.warns[w].Add(1)
	if f := a.warnFn.Load(); f != nil {
		(*f)(b, w)
	}
}

// Acquire takes a reference and returns b (refcount_inc; kernel:
// bpf_bitmap_acquire). On a count of 0 (use after the last Release) or an
// overflowing or saturated count it saturates and reports a Warning instead
// of wrapping, so the object is leaked rather than freed twice. Nil and a
// zero Bitmap are returned unchanged.
func (b *Bitmap) Acquire() *Bitmap {
	if b == nil || !b.owned() {
		return b
	}
	old := b.refcnt.Add(1) - 1
	switch {
	case old == 0:
		b.warn(WarnAddOnZero)
	case old < 0 || old == math.MaxInt32:
		b.warn(WarnSaturated)
	}
	return b
}

// Release drops a reference (refcount_dec_and_test; kernel:
// bpf_bitmap_release) and reports whether it was the last, in which case the
// object went back to its allocator, reusable after a grace period. A release
// of a count already at 0 (a double release) or saturated reports
// WarnUnderflow and frees nothing. Release of nil or of a zero Bitmap does
// nothing.
func (b *Bitmap) Release() bool {
	if b == nil || !b.owned() {
		return false
	}
	old := b.refcnt.Add(-1) + 1
	if old == 1 {
		allocatorOf(b).free(b)
		return true
	}
	if old <= 0 {
		b.warn(WarnUnderflow)
	}
	return false
}

// RefCount returns the current reference count; a saturated count is
// negative.
func (b *Bitmap) RefCount() int32 {
	if b == nil {
		return 0
	}
	return b.refcnt.Load()
}
