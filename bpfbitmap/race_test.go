package bpfbitmap_test

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/bpfbitmap"
)

// Concurrent Acquire/Release pairs never lose a count: the object is freed
// exactly once, by the final Release.
func TestRaceAcquireRelease(t *testing.T) {
	a, w := newWatched(t)
	b, err := a.New(100)
	require.NoError(t, err)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 2000 {
				b.Acquire()
				assert.False(t, b.Release())
			}
		})
	}
	wg.Wait()
	assert.Equal(t, int32(1), b.RefCount())
	assert.True(t, b.Release())
	assert.Empty(t, w.got)
	assert.Equal(t, 0, a.Stats().Live)
}

// Atomic bit operations from many goroutines lose no update: goroutine id
// owns the bits i with i%g == id, so every word is shared by all of them.
func TestRaceAtomicBits(t *testing.T) {
	a := bpfbitmap.NewAllocator()
	const n, g = 1000, 8
	b, err := a.New(n)
	require.NoError(t, err)
	defer b.Release()
	var wg sync.WaitGroup
	for id := range g {
		wg.Go(func() {
			for i := id; i < n; i += g {
				b.Set(i)
			}
			for i := id; i < n; i += g {
				assert.True(t, b.TestAndClear(i), "bit %d lost its Set", i)
				assert.False(t, b.TestAndSet(i), "bit %d lost its Clear", i)
				b.Clear(i)
				assert.False(t, b.Test(i))
				b.Set(i)
			}
		})
	}
	wg.Wait()
	assert.Equal(t, n, b.Weight())
	assert.True(t, b.Full())
}

// Of many goroutines racing TestAndSet on one clear bit exactly one sees it
// clear.
func TestRaceTestAndSetOneWinner(t *testing.T) {
	a := bpfbitmap.NewAllocator()
	b, err := a.New(64)
	require.NoError(t, err)
	defer b.Release()
	for range 100 {
		b.Clear(5)
		var winners atomic.Int64
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				if !b.TestAndSet(5) {
					winners.Add(1)
				}
			})
		}
		wg.Wait()
		require.Equal(t, int64(1), winners.Load())
	}
}

// Readers inside RCU sections never see an object reused: writers replace a
// published bitmap, stamp the new one, and release the old one while
// readers check that the bitmap they hold keeps one stamp throughout. The
// words are written and read with plain accesses, so a reuse under a reader
// is also a data race for -race to report.
func TestRaceRCUNoReuseUnderReader(t *testing.T) {
	a := bpfbitmap.NewAllocator()
	const nbits = 1 << 16 // 16 KiB class, 4 per slab: the free list runs dry often
	var slot atomic.Pointer[bpfbitmap.Bitmap]
	var stamp atomic.Uint64
	publish := func() *bpfbitmap.Bitmap {
		b, err := a.New(nbits)
		require.NoError(t, err)
		s := stamp.Add(1)
		for i := range b.Words() {
			b.Words()[i] = s
		}
		return slot.Swap(b)
	}
	publish()
	var wg sync.WaitGroup
	stop := make(chan struct{})
	var reads atomic.Int64
	for range 4 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				tok := a.RCUReadLock()
				b := slot.Load()
				w := b.Words()
				first := w[0]
				for range 3 {
					runtime.Gosched()
					for i := range w {
						if w[i] != first {
							t.Errorf("bitmap changed under a reader: word %d = %d, was %d", i, w[i], first)
						}
					}
				}
				a.RCUReadUnlock(tok)
				reads.Add(1)
			}
		})
	}
	for range 2 {
		wg.Go(func() {
			for range 2000 {
				if old := publish(); old != nil {
					old.Release()
				}
			}
		})
	}
	wg.Go(func() {
		for range 50 {
			a.Synchronize()
			runtime.Gosched()
		}
	})
	for reads.Load() < 1000 {
		runtime.Gosched()
	}
	close(stop)
	wg.Wait()
	slot.Load().Release()
	assert.Equal(t, 0, a.Stats().Live)
}
