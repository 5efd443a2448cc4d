package bpfbitmap

import "sync/atomic"

// Set sets bit i atomically (set_bit). An i outside [0, Len) does nothing, as
// bpf_cpumask_set_cpu does for an invalid cpu.
func (b *Bitmap) Set(i int) {
	if b.valid(i) {
		atomic.OrUint64(b.word(i), mask(i))
	}
}

// Clear clears bit i atomically (clear_bit); out of range does nothing.
func (b *Bitmap) Clear(i int) {
	if b.valid(i) {
		atomic.AndUint64(b.word(i), ^mask(i))
	}
}

// TestAndSet sets bit i atomically and returns its old value
// (test_and_set_bit); out of range returns false and changes nothing.
func (b *Bitmap) TestAndSet(i int) bool {
	return b.valid(i) && atomic.OrUint64(b.word(i), mask(i))&mask(i) != 0
}

// TestAndClear clears bit i atomically and returns its old value
// (test_and_clear_bit); out of range returns false and changes nothing.
func (b *Bitmap) TestAndClear(i int) bool {
	return b.valid(i) && atomic.AndUint64(b.word(i), ^mask(i))&mask(i) != 0
}

// Test reports whether bit i is set (test_bit); out of range reports false.
// The load is atomic so that it may race with the atomic writers above.
func (b *Bitmap) Test(i int) bool {
	return b.valid(i) && atomic.LoadUint64(b.word(i))&mask(i) != 0
}

// NonAtomicSet sets bit i with a plain read-modify-write (__set_bit): faster,
// for a Bitmap only one goroutine writes. Out of range does nothing.
func (b *Bitmap) NonAtomicSet(i int) {
	if b.valid(i) {
		*b.word(i) |= mask(i)
	}
}

// NonAtomicClear clears bit i with a plain read-modify-write (__clear_bit).
func (b *Bitmap) NonAtomicClear(i int) {
	if b.valid(i) {
		*b.word(i) &^= mask(i)
	}
}

// NonAtomicTestAndSet is TestAndSet without atomicity (__test_and_set_bit).
func (b *Bitmap) NonAtomicTestAndSet(i int) bool {
	if !b.valid(i) {
		return false
	}
	w := b.word(i)
	old := *w&mask(i) != 0
	*w |= mask(i)
	return old
}

// NonAtomicTestAndClear is TestAndClear without atomicity
// (__test_and_clear_bit).
func (b *Bitmap) NonAtomicTestAndClear(i int) bool {
	if !b.valid(i) {
		return false
	}
	w := b.word(i)
	old := *w&mask(i) != 0
	*w &^= mask(i)
	return old
}
