package bpfbitmap

import "math"

// Warning is a misuse the model survives instead of corrupting memory: the
// refcount_t warnings (REFCOUNT_ADD_UAF and friends in lib/refcount.c),
// lockdep's unbalanced rcu_read_unlock, and the use of a stale pointer. The
// kernel prints each once (WARN_ONCE); the model counts every event in
// Stats.Warnings and calls the allocator's OnWarning function.
type Warning uint8

// The warnings; String returns the kernel's message where the kernel has
// one.
const (
	WarnAddOnZero Warning = iota // REFCOUNT_ADD_UAF: increment from 0
	WarnSaturated                // REFCOUNT_ADD_OVF: overflow, or increment of a saturated counter
	WarnUnderflow                // REFCOUNT_SUB_UAF: decrement from 0 or below (double release)
	// WarnUnlockBalance is an RCUReadUnlock with no matching RCUReadLock or
	// with a token not from this allocator (lockdep's "bad unlock balance").
	WarnUnlockBalance
	// WarnStale is the use of a Bitmap (or a cast view of one) after the
	// grace period that followed its last Release. The kernel has no
	// message: its verifier rejects such a program. Every access sees a
	// released object: 0 bits, a failed cast, no-op mutators, not-found
	// results. The cast, the views, Cap, Acquire and Release count one each
	// time; the bit operations do not, to stay inlinable.
	WarnStale
	numWarnings
)

var warningText = [numWarnings]string{
	WarnAddOnZero:     "refcount_t: addition on 0; use-after-free.",
	WarnSaturated:     "refcount_t: saturated; leaking memory.",
	WarnUnderflow:     "refcount_t: underflow; use-after-free.",
	WarnUnlockBalance: "WARNING: bad unlock balance detected!",
	WarnStale:         "bpfbitmap: use of a bitmap after its grace period; use-after-free.",
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

// OnWarning sets the function called on every warning of a or of a Bitmap
// from a (the Bitmap is nil for WarnUnlockBalance); nil removes it. It runs
// on the goroutine that caused the warning. A nil a does nothing.
func (a *Allocator) OnWarning(f func(*Bitmap, Warning)) {
	if a == nil {
		return
	}
	if f == nil {
		a.warnFn.Store(nil)
		return
	}
	a.warnFn.Store(&f)
}

// warn is refcount_warn_saturate: saturate, then report. h is b's live
// header.
func (b *Bitmap) warn(h header, w Warning) {
	b.refcnt.Store(refcountSaturated)
	allocatorOf(h).report(b, w)
}

// report counts w and calls the OnWarning function.
func (a *Allocator) report(b *Bitmap, w Warning) {
	a.warns[w].Add(1)
	if f := a.warnFn.Load(); f != nil {
		(*f)(b, w)
	}
}

// stale handles an owned b whose header failed the check: a released
// object is reported to its allocator; a copy has no header to name one.
//
//go:noinline
func (b *Bitmap) stale(h header) {
	if !h.released(b) {
		return
	}
	if a := allocatorOf(h); a != nil {
		a.report(b, WarnStale)
	}
}

// Acquire takes a reference and returns b (refcount_inc; kernel:
// bpf_bitmap_acquire). On a count of 0 (use after the last Release) or an
// overflowing or saturated count it saturates and reports a Warning instead
// of wrapping, so the object is leaked rather than freed twice. Nil and a
// zero Bitmap are returned unchanged; a stale b (see WarnStale) or a copy is
// returned unchanged and its count untouched.
func (b *Bitmap) Acquire() *Bitmap {
	if b == nil || !b.owned() {
		return b
	}
	h := headerOf(b)
	if !h.live(b) {
		b.stale(h)
		return b
	}
	old := b.refcnt.Add(1) - 1
	switch {
	case old == 0:
		b.warn(h, WarnAddOnZero)
	case old < 0 || old == math.MaxInt32:
		b.warn(h, WarnSaturated)
	}
	return b
}

// Release drops a reference (refcount_dec_and_test; kernel:
// bpf_bitmap_release) and reports whether it was the last, in which case the
// object went back to its allocator, reusable after a grace period. A release
// of a count already at 0 (a double release) or saturated reports
// WarnUnderflow and frees nothing. Release of nil or of a zero Bitmap does
// nothing; of a stale b (see WarnStale) or a copy, it reports false and
// frees nothing.
func (b *Bitmap) Release() bool {
	if b == nil || !b.owned() {
		return false
	}
	h := headerOf(b)
	if !h.live(b) {
		b.stale(h)
		return false
	}
	old := b.refcnt.Add(-1) + 1
	if old == 1 {
		allocatorOf(h).free(b, h)
		return true
	}
	if old <= 0 {
		b.warn(h, WarnUnderflow)
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
