package kfuncs

import (
	"sync/atomic"

	"github.com/bpfbitmap/prototype/bpfbitmap"
	"github.com/bpfbitmap/prototype/cast"
)

// Kptr is a referenced kptr field of a map value or global, such as
// struct bpf_cpumask __kptr *mask: a slot that owns one reference to a T, or
// is empty. Its zero value is an empty slot.
//
// The slot changes only through KptrXchg. A program that wants to read the
// object without taking it loads it with Load inside RcuReadLock and
// RcuReadUnlock of the object's Kernel: the result is an RCU pointer, valid
// until the section ends, that may be passed to KF_RCU kfuncs (every cpumask
// query and mutator) but not to an acquire or release. That is safe because
// the last release frees through an RCU grace period, so a reader inside a
// section never sees the object reused, even if another CPU takes it out of
// the slot and releases it meanwhile.
type Kptr[T any] struct {
	p atomic.Pointer[T]
}

// KptrXchg stores ptr in the slot at dst and returns what was there,
// atomically (bpf_kptr_xchg). The reference ptr carried moves into the slot;
// the returned pointer, maybe nil, carries the slot's old reference, which the
// caller must now release or store. A nil dst stores nothing and returns ptr.
func KptrXchg[T any](dst *Kptr[T], ptr *T) *T {
	if dst == nil {
		return ptr
	}
	return dst.p.Swap(ptr)
}

// Load returns the object in the slot without taking a reference, or nil:
// the direct load of a kptr field. Use it only inside an RCU read section of
// the object's Kernel, and not past its end.
func (s *Kptr[T]) Load() *T { return s.p.Load() }

// Destroy empties the slot and passes what it held to dtor, as the BPF core
// does with the registered destructor (CpumaskReleaseDtor,
// BitmapReleaseDtor) when a map value is freed or deleted.
func (s *Kptr[T]) Destroy(dtor func(*T)) {
	if old := s.p.Swap(nil); old != nil {
		dtor(old)
	}
}

// RcuReadLock enters an RCU read section of k and returns the token
// RcuReadUnlock needs (bpf_rcu_read_lock). A nil k gives a token that
// RcuReadUnlock ignores.
func RcuReadLock(k *cast.Kernel) bpfbitmap.RCUToken {
	if k == nil {
		return 0
	}
	return k.Allocator().RCUReadLock()
}

// RcuReadUnlock leaves the section RcuReadLock(k) entered
// (bpf_rcu_read_unlock).
func RcuReadUnlock(k *cast.Kernel, token bpfbitmap.RCUToken) {
	if k != nil {
		k.Allocator().RCUReadUnlock(token)
	}
}
