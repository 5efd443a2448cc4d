package bpfbitmap

// SetRefCount is refcount_set, for tests that need a counter near its limits
// without 2^31 Acquires.
func (b *Bitmap) SetRefCount(n int32) { b.refcnt.Store(n) }

// RefcountSaturated exposes REFCOUNT_SATURATED.
const RefcountSaturated = refcountSaturated
