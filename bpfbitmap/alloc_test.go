package bpfbitmap_test

import (
	"errors"
	"syscall"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/bpfbitmap"
)

// The size-class table of docs/kernel-reference.md §5.3, plus the library classes
// above the kernel's 4096-byte limit.
func TestClassUnit(t *testing.T) {
	tests := []struct {
		nbits  int
		unit   int
		kernel bool
	}{
		{0, 16, true},     // 8 + 8 + 0 words
		{1, 32, true},     // 24 -> 32
		{64, 32, true},    // 24 -> 32
		{65, 32, true},    // 32
		{129, 64, true},   // 40 -> 64
		{256, 64, true},   // 48 -> 64
		{640, 96, true},   // 8+8+80 = 96
		{1024, 192, true}, // 144 -> 192
		{1472, 256, true}, // 23 words: 200 -> 256
		{4096, 1024, true},
		{8192, 2048, true},
		{bpfbitmap.KernelMaxBits, 4096, true},
		{bpfbitmap.KernelMaxBits + 1, 8192, false},
		{65536, 16384, false},
		{bpfbitmap.MaxBits, 4 << 20, false},
	}
	for _, tt := range tests {
		unit, kernel, err := bpfbitmap.ClassUnit(tt.nbits)
		require.NoError(t, err)
		assert.Equal(t, tt.unit, unit, "ClassUnit(%d) unit", tt.nbits)
		assert.Equal(t, tt.kernel, kernel, "ClassUnit(%d) kernel", tt.nbits)
	}
	assert.Equal(t, 32640, bpfbitmap.KernelMaxBits, "510 words of the 4096-byte class")
}

func TestNewErrors(t *testing.T) {
	a := bpfbitmap.NewAllocator()
	tests := []struct {
		nbits    int
		sentinel error
		errno    syscall.Errno
	}{
		{-1, bpfbitmap.ErrInvalid, syscall.EINVAL},
		{-1 << 40, bpfbitmap.ErrInvalid, syscall.EINVAL},
		{bpfbitmap.MaxBits + 1, bpfbitmap.ErrTooBig, syscall.E2BIG},
		{1 << 40, bpfbitmap.ErrTooBig, syscall.E2BIG},
	}
	for _, tt := range tests {
		b, err := a.New(tt.nbits)
		assert.Nil(t, b)
		require.Error(t, err)
		assert.ErrorIs(t, err, tt.sentinel, "New(%d)", tt.nbits)
		assert.ErrorIs(t, err, tt.errno, "New(%d)", tt.nbits)
		_, _, err = bpfbitmap.ClassUnit(tt.nbits)
		assert.ErrorIs(t, err, tt.sentinel, "ClassUnit(%d)", tt.nbits)
	}
	assert.Equal(t, 0, a.Stats().Live)
}

func TestSentinelsAreDistinct(t *testing.T) {
	sentinels := map[string]struct {
		err   error
		errno syscall.Errno
	}{
		"ErrInvalid":      {bpfbitmap.ErrInvalid, syscall.EINVAL},
		"ErrRange":        {bpfbitmap.ErrRange, syscall.ERANGE},
		"ErrOverflow":     {bpfbitmap.ErrOverflow, syscall.EOVERFLOW},
		"ErrTooBig":       {bpfbitmap.ErrTooBig, syscall.E2BIG},
		"ErrNoMem":        {bpfbitmap.ErrNoMem, syscall.ENOMEM},
		"ErrSizeMismatch": {bpfbitmap.ErrSizeMismatch, syscall.EINVAL},
	}
	for name, s := range sentinels {
		assert.ErrorIs(t, s.err, s.errno, name)
		for other, o := range sentinels {
			if other != name {
				assert.False(t, errors.Is(s.err, o.err), "%s matches %s", name, other)
			}
		}
	}
}

func TestNewZeroedAndSized(t *testing.T) {
	a := bpfbitmap.NewAllocator()
	for _, n := range []int{0, 1, 63, 64, 65, 1000, bpfbitmap.KernelMaxBits, bpfbitmap.KernelMaxBits + 1} {
		b, err := a.New(n)
		require.NoError(t, err)
		assert.Equal(t, n, b.Len())
		assert.Len(t, b.Words(), (n+63)/64)
		assert.GreaterOrEqual(t, b.Cap(), n)
		assert.Equal(t, int32(1), b.RefCount())
		for i, w := range b.Backing() {
			require.Zero(t, w, "New(%d) word %d", n, i)
		}
		// Dirty the whole backing so that reuse has something to clear.
		for i := range b.Backing() {
			b.Backing()[i] = ^uint64(0)
		}
		require.True(t, b.Release())
	}
	a.Synchronize()
	for _, n := range []int{0, 1, 63, 64, 65, 1000, bpfbitmap.KernelMaxBits} {
		b, err := a.New(n)
		require.NoError(t, err)
		for i, w := range b.Backing() {
			require.Zero(t, w, "reused New(%d) word %d", n, i)
		}
		b.Release()
	}
	assert.Equal(t, 0, a.Stats().Live)
}

// The words sit right behind the 8-byte struct bpf_bitmap header in the same
// object, and the allocator header right before it.
func TestOneAllocation(t *testing.T) {
	a := bpfbitmap.NewAllocator()
	b, err := a.New(200)
	require.NoError(t, err)
	defer b.Release()
	assert.Equal(t, uintptr(unsafe.Pointer(b))+bpfbitmap.HeaderBytes, uintptr(unsafe.Pointer(&b.Words()[0])))
	assert.Equal(t, uintptr(8), unsafe.Sizeof(*b))
}

func TestNewCap(t *testing.T) {
	a := bpfbitmap.NewAllocator()
	b, err := a.NewCap(2, 256)
	require.NoError(t, err)
	defer b.Release()
	assert.Equal(t, 2, b.Len())
	assert.Len(t, b.Words(), 1)
	assert.GreaterOrEqual(t, b.Cap(), 256)
	assert.Len(t, b.Backing(), b.Cap()/64)
	_, err = a.NewCap(2, bpfbitmap.MaxBits+1)
	assert.ErrorIs(t, err, bpfbitmap.ErrTooBig)
	assert.Equal(t, 1, a.Stats().Live)
}

func TestFailNext(t *testing.T) {
	a := bpfbitmap.NewAllocator()
	a.FailNext(2)
	for range 2 {
		b, err := a.New(64)
		assert.Nil(t, b)
		assert.ErrorIs(t, err, bpfbitmap.ErrNoMem)
		assert.ErrorIs(t, err, syscall.ENOMEM)
	}
	b, err := a.New(64)
	require.NoError(t, err)
	b.Release()

	a.FailNext(5)
	a.FailNext(0) // cancels
	b, err = a.New(64)
	require.NoError(t, err)
	b.Release()
	assert.Equal(t, 0, a.Stats().Live)
}

func TestStatsAccounting(t *testing.T) {
	a := bpfbitmap.NewAllocator()
	b64, err := a.New(64) // 8 + 8 + 8 = 24 bytes in the 32-byte class: 8 wasted
	require.NoError(t, err)
	b128, err := a.New(128) // 32 bytes, exact fit
	require.NoError(t, err)
	b1024, err := a.New(1024) // 144 bytes in the 192-byte class: 48 wasted
	require.NoError(t, err)

	s := a.Stats()
	assert.Equal(t, 3, s.Live)
	byUnit := map[int]bpfbitmap.ClassStats{}
	for _, c := range s.Classes {
		byUnit[c.Unit] = c
	}
	assert.Equal(t, 2, byUnit[32].Live)
	assert.Equal(t, 64, byUnit[32].LiveBytes)
	assert.Equal(t, 8, byUnit[32].WastedBytes)
	assert.Equal(t, 1, byUnit[192].Live)
	assert.Equal(t, 48, byUnit[192].WastedBytes)
	assert.Positive(t, byUnit[192].Bytes)
	assert.True(t, byUnit[4096].Kernel)
	assert.False(t, byUnit[8192].Kernel)

	require.True(t, b64.Release())
	s = a.Stats()
	byUnit = map[int]bpfbitmap.ClassStats{}
	for _, c := range s.Classes {
		byUnit[c.Unit] = c
	}
	assert.Equal(t, 1, byUnit[32].Live)
	assert.Equal(t, 1, byUnit[32].Waiting, "released objects wait for a grace period")
	assert.Equal(t, 0, byUnit[32].WastedBytes)
	b128.Release()
	b1024.Release()
	a.Synchronize()
	s = a.Stats()
	assert.Equal(t, 0, s.Live)
	for _, c := range s.Classes {
		assert.Zero(t, c.Waiting, "class %d after Synchronize", c.Unit)
	}
}

// bigBits needs a class of 128 KiB: one object per slab, so reuse is
// visible as the same address coming back.
const bigBits = 1 << 19

func TestNoReuseInsideReadSection(t *testing.T) {
	a := bpfbitmap.NewAllocator()
	x, err := a.New(bigBits)
	require.NoError(t, err)
	tok := a.RCUReadLock()
	require.True(t, x.Release())
	for range 4 {
		y, err := a.New(bigBits)
		require.NoError(t, err)
		assert.NotSame(t, x, y, "object reused while a reader may hold it")
		defer y.Release()
	}
	a.RCUReadUnlock(tok)
	// No reader now: the next allocation that finds the free list empty
	// ends the grace period and takes a waiting object.
	z, err := a.New(bigBits)
	require.NoError(t, err)
	assert.Same(t, x, z, "object not reused after its grace period")
	z.Release()
}

func TestSynchronizeWaitsForReaders(t *testing.T) {
	a := bpfbitmap.NewAllocator()
	x, err := a.New(bigBits)
	require.NoError(t, err)
	tok := a.RCUReadLock()
	x.Release()
	done := make(chan struct{})
	go func() {
		a.Synchronize()
		close(done)
	}()
	// The reader still holds x: Synchronize cannot have finished, and x
	// is still waiting, whatever the scheduler did meanwhile.
	for range 100 {
		select {
		case <-done:
			t.Fatal("Synchronize returned while a reader was inside its section")
		default:
		}
		y, err := a.New(bigBits)
		require.NoError(t, err)
		require.NotSame(t, x, y)
		y.Release()
	}
	a.RCUReadUnlock(tok)
	<-done
	s := a.Stats()
	assert.Equal(t, 0, s.Live)
}

// A read section that begins after Synchronize starts does not hold it up.
func TestSynchronizeNestedSections(t *testing.T) {
	a := bpfbitmap.NewAllocator()
	t1 := a.RCUReadLock()
	t2 := a.RCUReadLock()
	a.RCUReadUnlock(t2)
	a.RCUReadUnlock(t1)
	a.Synchronize()
	a.Synchronize()
}

func TestSteadyStateAllocsNothing(t *testing.T) {
	a := bpfbitmap.NewAllocator()
	for _, n := range []int{64, 1024, 8192, 65536} {
		b, err := a.New(n) // warm the class
		require.NoError(t, err)
		b.Release()
		allocs := testing.AllocsPerRun(1000, func() {
			b, err := a.New(n)
			if err != nil {
				panic(err)
			}
			b.Release()
		})
		assert.Zero(t, allocs, "New(%d)+Release allocations", n)
	}
}

// Hint reads the allocator and size class the cast checks; ClassIndex names
// the class a capacity needs, in the same numbering.
func TestHintAndClassIndex(t *testing.T) {
	a := bpfbitmap.NewAllocator()
	prev := -1
	for _, n := range []int{0, 64, 65, 129, 1024, bpfbitmap.KernelMaxBits, bpfbitmap.KernelMaxBits + 1} {
		b, err := a.New(n)
		require.NoError(t, err)
		id, class := b.Hint()
		assert.Equal(t, a.ID(), id)
		assert.Equal(t, a.ID(), b.AllocatorID())
		want, err := bpfbitmap.ClassIndex(n)
		require.NoError(t, err)
		assert.Equal(t, want, class, "New(%d)", n)
		assert.GreaterOrEqual(t, int(class), prev, "class indices grow with size")
		prev = int(class)
		capClass, err := bpfbitmap.ClassIndex(b.Cap())
		require.NoError(t, err)
		assert.Equal(t, class, capClass, "Cap of New(%d) is in its own class", n)
		b.Release()
	}
	padded, err := a.NewCap(2, 256)
	require.NoError(t, err)
	defer padded.Release()
	_, class := padded.Hint()
	need, err := bpfbitmap.ClassIndex(256)
	require.NoError(t, err)
	assert.GreaterOrEqual(t, class, need)

	_, err = bpfbitmap.ClassIndex(-1)
	assert.ErrorIs(t, err, bpfbitmap.ErrInvalid)
	_, err = bpfbitmap.ClassIndex(bpfbitmap.MaxBits + 1)
	assert.ErrorIs(t, err, bpfbitmap.ErrTooBig)

	var zero bpfbitmap.Bitmap
	id, class := zero.Hint()
	assert.Equal(t, ^uint32(0), id)
	assert.Zero(t, class)
	var nilb *bpfbitmap.Bitmap
	assert.Equal(t, ^uint32(0), nilb.AllocatorID())
}

// Only NewAllocator makes a usable allocator; the zero value and nil say so
// instead of panicking.
func TestUnmadeAllocator(t *testing.T) {
	var zero bpfbitmap.Allocator
	b, err := zero.New(8)
	assert.Nil(t, b)
	assert.ErrorIs(t, err, bpfbitmap.ErrInvalid)
	var nilA *bpfbitmap.Allocator
	_, err = nilA.NewCap(8, 64)
	assert.ErrorIs(t, err, bpfbitmap.ErrInvalid)
	_, err = zero.ParseList("1", 8)
	assert.ErrorIs(t, err, bpfbitmap.ErrInvalid)
}
