package kfuncs_test

import (
	"encoding/binary"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/bpfbitmap"
	"github.com/bpfbitmap/prototype/cast"
	"github.com/bpfbitmap/prototype/kfuncs"
)

// TestKptrInsertRemove ports test_insert_leave and test_insert_remove_release.
func TestKptrInsertRemove(t *testing.T) {
	k := cast.MustKernel(cast.MustTopology(4, 64))
	live := k.Allocator().Stats().Live

	var slot kfuncs.Kptr[kfuncs.BPFCpumask]
	m := kfuncs.CpumaskCreate(k)
	require.NotNil(t, m)
	require.Nil(t, kfuncs.KptrXchg(&slot, m), "slot was empty")
	require.Same(t, m, slot.Load())
	got := kfuncs.KptrXchg(&slot, nil)
	require.Same(t, m, got, "the caller owns the old reference")
	kfuncs.CpumaskRelease(got)
	require.Equal(t, live, k.Allocator().Stats().Live)

	// test_insert_leave: the map value dies with the mask in it; the dtor frees it.
	m = kfuncs.CpumaskCreate(k)
	require.NotNil(t, m)
	require.Nil(t, kfuncs.KptrXchg(&slot, m))
	slot.Destroy(kfuncs.CpumaskReleaseDtor)
	require.Nil(t, slot.Load())
	require.Equal(t, live, k.Allocator().Stats().Live)
	slot.Destroy(func(*kfuncs.BPFCpumask) { t.Fatal("dtor on an empty slot") })

	var bslot kfuncs.Kptr[bpfbitmap.Bitmap]
	b := kfuncs.BitmapCreate(k, 4)
	require.NotNil(t, b)
	require.Nil(t, kfuncs.KptrXchg(&bslot, b))
	bslot.Destroy(kfuncs.BitmapReleaseDtor)
	require.Equal(t, live, k.Allocator().Stats().Live)
}

// TestKptrRCUStress: a writer keeps replacing the mask in a global kptr and
// releasing the old one, while readers read the current mask under RCU
// without a reference (test_global_mask_rcu). Each mask carries a signature
// (word 1 is the complement of word 0) that a reused object would break, and
// the race detector sees any write to memory a reader is still reading.
// The test also proves that objects really were reused meanwhile.
func TestKptrRCUStress(t *testing.T) {
	k := cast.MustKernel(cast.MustTopology(128, 8192))
	var slot kfuncs.Kptr[kfuncs.BPFCpumask]
	var stop atomic.Bool
	var reads, published atomic.Int64

	readers := max(runtime.GOMAXPROCS(0), 2)
	var wg sync.WaitGroup
	errs := make(chan string, readers)
	for range readers {
		wg.Go(func() {
			for !stop.Load() {
				tok := kfuncs.RcuReadLock(k)
				if m := slot.Load(); m != nil {
					w := m.Cpumask().AppendWords(nil)
					runtime.Gosched() // let the writer free and reallocate meanwhile
					w2 := m.Cpumask().AppendWords(nil)
					if w[0] == 0 || w[1] != ^w[0] || w2[0] != w[0] || w2[1] != w[1] {
						errs <- "reader saw a reused mask"
						kfuncs.RcuReadUnlock(k, tok)
						return
					}
					reads.Add(1)
				}
				kfuncs.RcuReadUnlock(k, tok)
			}
		})
	}

	seen := map[uintptr]bool{}
	reused := 0
	src := make([]byte, 16)
	deadline := time.Now().Add(300 * time.Millisecond)
	for gen := uint64(1); time.Now().Before(deadline) || reused == 0 || reads.Load() == 0; gen++ {
		if gen > 1<<20 {
			break
		}
		m := kfuncs.CpumaskCreate(k)
		require.NotNil(t, m)
		addr := uintptr(unsafe.Pointer(m))
		if seen[addr] {
			reused++
		}
		seen[addr] = true
		binary.LittleEndian.PutUint64(src, gen)
		binary.LittleEndian.PutUint64(src[8:], ^gen)
		require.Zero(t, kfuncs.CpumaskPopulate(m, src))
		published.Add(1)
		if old := kfuncs.KptrXchg(&slot, m); old != nil {
			kfuncs.CpumaskRelease(old) // freed after a grace period only
		}
		if gen%64 == 0 {
			k.Allocator().Synchronize()
		}
	}
	stop.Store(true)
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	last := kfuncs.KptrXchg(&slot, nil)
	require.NotNil(t, last, "the last published mask")
	kfuncs.CpumaskRelease(last)
	t.Logf("published %d masks, %d objects reused, %d RCU reads", published.Load(), reused, reads.Load())
	assert.Positive(t, reused, "the test must exercise reuse")
	assert.Positive(t, reads.Load())
}
