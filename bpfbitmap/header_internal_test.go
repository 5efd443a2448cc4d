package bpfbitmap

import (
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var sink []uint64

// heapUnit returns a unit on the heap: a stack one moves when the stack
// grows, and its tag with it.
func heapUnit() []uint64 {
	sink = make([]uint64, 4)
	return sink
}

// Every field keeps its value at the edges of its range, no field spills
// into another, and values past a range are refused rather than masked.
func TestHeaderPackUnpack(t *testing.T) {
	b := (*Bitmap)(unsafe.Pointer(&heapUnit()[1]))
	for _, c := range []struct {
		class int
		id    uint32
		slab  int
	}{
		{0, 0, 0},
		{1<<classBits - 1, MaxAllocators - 1, ownSlab},
		{5, 1, maxSlabs - 1},
		{1<<classBits - 1, 0, 0},
		{0, MaxAllocators - 1, 0},
		{0, 0, ownSlab},
	} {
		h, ok := makeHeader(c.class, c.id, c.slab, unsafe.Pointer(b))
		require.True(t, ok, "%+v", c)
		assert.Equal(t, c.class, h.class(), "%+v", c)
		assert.Equal(t, c.id, h.id(), "%+v", c)
		assert.Equal(t, c.slab, h.slab(), "%+v", c)
		assert.Equal(t, c.slab == ownSlab, h.ownUnit(), "%+v", c)
		assert.True(t, h.live(b), "%+v", c)
		assert.False(t, h.released(b), "%+v", c)
		d := h.dead()
		assert.False(t, d.live(b), "%+v", c)
		assert.True(t, d.released(b), "%+v", c)
		assert.Equal(t, h.class(), d.class())
		assert.Equal(t, h.id(), d.id())
		assert.Equal(t, h.slab(), d.slab())
	}
	for _, c := range []struct {
		class int
		id    uint32
		slab  int
	}{
		{1 << classBits, 0, 0},
		{-1, 0, 0},
		{0, MaxAllocators, 0},
		{0, ^uint32(0), 0},
		{0, 0, ownSlab + 1},
		{0, 0, -1},
	} {
		_, ok := makeHeader(c.class, c.id, c.slab, unsafe.Pointer(b))
		assert.False(t, ok, "%+v accepted", c)
	}
}

// The tag ties a header to the address behind it: the same header read in
// front of another address (a copy) is neither live nor released.
func TestHeaderTagIsTheAddress(t *testing.T) {
	unit := heapUnit()
	b := (*Bitmap)(unsafe.Pointer(&unit[1]))
	other := (*Bitmap)(unsafe.Pointer(&unit[2]))
	h, ok := makeHeader(3, 7, 9, unsafe.Pointer(b))
	require.True(t, ok)
	assert.False(t, h.live(other))
	assert.False(t, h.released(other))
	// Bits of the address in the tag matter; those above it cannot.
	addr := uintptr(unsafe.Pointer(b))
	for bit := 3; bit < 3+tagBits; bit++ {
		assert.False(t, h.liveAt(addr^1<<bit), "address bit %d", bit)
		assert.False(t, h.dead().liveAt(addr^1<<bit), "address bit %d", bit)
	}
	assert.True(t, h.liveAt(addr+1<<(3+tagBits)), "address bits above the tag")
}

// The classes the allocator makes fit the class field, and the real
// headers it writes read back through Hint and the checks.
func TestHeaderOfAllocatedObjects(t *testing.T) {
	a := NewAllocator()
	require.LessOrEqual(t, len(a.classes), 1<<classBits)
	for _, n := range []int{0, 64, KernelMaxBits, MaxBits} {
		b, err := a.New(n)
		require.NoError(t, err)
		h := headerOf(b)
		assert.True(t, h.live(b))
		assert.Equal(t, a.classFor(unitBytes(n)), h.class())
		assert.Equal(t, a.id, h.id())
		id, class := b.Hint()
		assert.Equal(t, a.id, id)
		assert.Equal(t, uint8(h.class()), class)
		b.Release()
	}
}

// An allocator made past MaxAllocators has no ID to put in a header: New
// fails cleanly instead of writing one that names another allocator.
func TestAllocatorPastMaxAllocators(t *testing.T) {
	a := NewAllocator()
	a.full, a.id = true, ^uint32(0)
	b, err := a.New(8)
	assert.Nil(t, b)
	assert.ErrorIs(t, err, ErrNoMem)
}

// A class that has used every slab index fails with ErrNoMem instead of
// writing an index that overflows into the tag.
func TestSlabIndexExhausted(t *testing.T) {
	a := NewAllocator()
	c := &a.classes[a.classFor(unitBytes(64))]
	c.slabs = make([][]uint64, maxSlabs)
	b, err := a.New(64)
	assert.Nil(t, b)
	assert.ErrorIs(t, err, ErrNoMem)
	assert.Equal(t, 0, a.Stats().Live)
}
