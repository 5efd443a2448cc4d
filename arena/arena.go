package arena

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/bpfbitmap/prototype/cast"
	"github.com/bpfbitmap/prototype/internal/words"
	"github.com/bpfbitmap/prototype/kfuncs"
)

// Sizes from sched-ext/scx (see the package doc for the commit).
const (
	// PageSize is the arena's page: bpf_arena_alloc_pages hands out whole
	// pages.
	PageSize = 4096
	// IDBytes is sizeof(union sdt_id): the allocator's sdt_data header, and
	// again the tid field at the start of struct scx_bitmap.
	IDBytes = 8
	// MaxWords is SCXMASK_NLONG, the length of struct scx_bitmap's bits[]
	// as declared: scx_bitmap_to_bpf copies at most this many words through
	// its per-CPU stack buffer, so a mask converts whole only up to
	// MaxWords*64 = 4096 CPUs.
	MaxWords = 512 / 8
	// minElemsPerSlab is SDT_TASK_MIN_ELEM_PER_ALLOC: scx_alloc_init sizes a
	// slab to hold at least this many elements.
	minElemsPerSlab = 8
	// entsPerChunk is SDT_TASK_ENTS_PER_CHUNK: a radix-tree leaf is one page
	// of 512 element pointers, and its descriptor (struct sdt_desc: a
	// 512-bit allocation bitmap, nr_free and the chunk pointer) is 80 bytes.
	entsPerChunk = 512
	descBytes    = 8*(entsPerChunk/64) + 8 + 8
)

// Layout is what one scx_bitmap costs the arena allocator on a topology.
type Layout struct {
	// Words is mask_size: scx_bitmap_init(div_round_up(nr_cpu_ids, 8)) rounds
	// the bytes up to whole u64 words.
	Words int `json:"words"`
	// ObjectBytes is the scx_bitmap as allocated: tid and Words words.
	ObjectBytes int `json:"object_bytes"`
	// ElementBytes is ObjectBytes plus the allocator's sdt_data header,
	// rounded up to 8 bytes (scx_alloc_init): the allocation granularity is
	// 8 bytes, not a size class.
	ElementBytes int `json:"element_bytes"`
	// SlabPages is the pages one slab takes: div_round_up(8*ElementBytes,
	// PageSize).
	SlabPages int `json:"slab_pages"`
	// PerSlab is the elements carved from one slab.
	PerSlab int `json:"per_slab"`
}

// PerMaskBytes is what a mask costs once many are allocated: its share of a
// full slab (the slab's unusable tail spread over its elements) plus its
// 8-byte pointer in a radix-tree leaf and its share of the leaf's
// descriptor.
func (l Layout) PerMaskBytes() float64 {
	return float64(l.SlabPages*PageSize)/float64(l.PerSlab) + 8 + float64(descBytes)/entsPerChunk
}

// Converts reports whether scx_bitmap_to_bpf can copy the whole mask: its
// stack buffer holds MaxWords words.
func (l Layout) Converts() bool { return l.Words <= MaxWords }

// ErrTopology reports a topology the model cannot size.
var ErrTopology = errors.New("arena: invalid topology")

// NewLayout returns the layout scx_bitmap_init and scx_alloc_init give a
// mask on topology t.
func NewLayout(t cast.Topology) (Layout, error) {
	n := t.NrCPUIDs()
	if n <= 0 {
		return Layout{}, fmt.Errorf("%w: nr_cpu_ids %d", ErrTopology, n)
	}
	w := (n + 7) / 8
	w = (w + 7) / 8
	l := Layout{Words: w, ObjectBytes: IDBytes + 8*w}
	l.ElementBytes = (l.ObjectBytes + IDBytes + 7) / 8 * 8
	if l.ElementBytes > PageSize {
		// scx_alloc_from_pool refuses elements larger than a page.
		return Layout{}, fmt.Errorf("%w: a %d-byte element is larger than a page", ErrTopology, l.ElementBytes)
	}
	l.SlabPages = (minElemsPerSlab*l.ElementBytes + PageSize - 1) / PageSize
	l.PerSlab = l.SlabPages * PageSize / l.ElementBytes
	return l, nil
}

// Allocator is the scx_alloc model for one mask size: elements are carved
// from slabs of arena pages in order, a freed element goes on a free list
// and is handed out again by the next Alloc, with no grace period, and the
// arena's pages are never returned.
type Allocator struct {
	t      cast.Topology
	layout Layout
	slabs  int
	carved int // elements carved from the current slab
	free   []*Bitmap
	live   int
}

// NewAllocator returns an allocator of masks for topology t.
func NewAllocator(t cast.Topology) (*Allocator, error) {
	l, err := NewLayout(t)
	if err != nil {
		return nil, err
	}
	return &Allocator{t: t, layout: l, carved: l.PerSlab}, nil
}

// Layout returns the allocator's element layout.
func (a *Allocator) Layout() Layout { return a.layout }

// Stats is the allocator's accounting.
type Stats struct {
	Live       int `json:"live"`
	Slabs      int `json:"slabs"`
	ArenaBytes int `json:"arena_bytes"` // pages taken from the arena by slabs
}

// Stats returns the allocator's accounting.
func (a *Allocator) Stats() Stats {
	return Stats{Live: a.live, Slabs: a.slabs, ArenaBytes: a.slabs * a.layout.SlabPages * PageSize}
}

// Alloc returns a zeroed mask (scx_bitmap_alloc). It reuses the most
// recently freed element first, as scx_alloc does.
func (a *Allocator) Alloc() *Bitmap {
	var b *Bitmap
	if n := len(a.free); n > 0 {
		b, a.free = a.free[n-1], a.free[:n-1]
		clear(b.words)
	} else {
		if a.carved == a.layout.PerSlab {
			a.slabs++
			a.carved = 0
		}
		a.carved++
		b = &Bitmap{words: make([]uint64, a.layout.Words), alloc: a}
	}
	b.live = true
	a.live++
	return b
}

// Free returns b to the allocator (scx_bitmap_free): no reference count
// decides it, and the element is reused by the next Alloc. Freeing nil or a
// freed mask does nothing.
func (a *Allocator) Free(b *Bitmap) {
	if b == nil || !b.live || b.alloc != a {
		return
	}
	b.live = false
	a.live--
	a.free = append(a.free, b)
}

// Bitmap is one struct scx_bitmap: mask_size words of arena memory.
type Bitmap struct {
	words []uint64
	alloc *Allocator
	live  bool
}

// Words returns the mask's words; they alias the element.
func (b *Bitmap) Words() []uint64 { return b.words }

func (b *Bitmap) bits() int { return len(b.words) * words.WordBits }

// SetCPU sets cpu (scx_bitmap_set_cpu, a plain OR). The scx code does not
// check cpu; past the mask it would write into the next element. The model
// ignores such a cpu instead, so it cannot show that hazard.
func (b *Bitmap) SetCPU(cpu uint32) {
	if int(cpu) < b.bits() {
		b.words[cpu/64] |= 1 << (cpu % 64)
	}
}

// ClearCPU clears cpu (scx_bitmap_clear_cpu); see SetCPU for the range.
func (b *Bitmap) ClearCPU(cpu uint32) {
	if int(cpu) < b.bits() {
		b.words[cpu/64] &^= 1 << (cpu % 64)
	}
}

// TestCPU reports whether cpu is set (scx_bitmap_test_cpu).
func (b *Bitmap) TestCPU(cpu uint32) bool {
	return int(cpu) < b.bits() && b.words[cpu/64]&(1<<(cpu%64)) != 0
}

// Clear zeroes the mask (scx_bitmap_clear).
func (b *Bitmap) Clear() { words.Zero(b.words, b.bits()) }

// And sets dst to src1 & src2 (scx_bitmap_and).
func And(dst, src1, src2 *Bitmap) { words.And(dst.words, src1.words, src2.words, dst.bits()) }

// Or sets dst to src1 | src2 (scx_bitmap_or).
func Or(dst, src1, src2 *Bitmap) { words.Or(dst.words, src1.words, src2.words, dst.bits()) }

// Copy sets dst to src (scx_bitmap_copy).
func Copy(dst, src *Bitmap) { words.Copy(dst.words, src.words, dst.bits()) }

// Empty reports whether no bit is set (scx_bitmap_empty).
func (b *Bitmap) Empty() bool { return words.FindFirstBit(b.words, b.bits()) == b.bits() }

// Subset reports whether every bit of small is in big
// (scx_bitmap_subset(big, small): the arguments in the opposite order from
// cpumask_subset).
func Subset(big, small *Bitmap) bool { return words.Subset(small.words, big.words, big.bits()) }

// Intersects reports whether a and b share a bit (scx_bitmap_intersects).
func Intersects(a, b *Bitmap) bool { return words.Intersects(a.words, b.words, a.bits()) }

// Weight counts the set bits. scx has no weight: a BPF program would count
// with a loop, BPF having no popcount instruction; the report's kernel
// measurement times that loop.
func (b *Bitmap) Weight() int { return words.Weight(b.words, b.bits()) }

// First returns the first set bit, or the mask's size in bits when none is
// (the find_first_bit convention; scx's own pickers return an errno).
func (b *Bitmap) First() int { return words.FindFirstBit(b.words, b.bits()) }

// ToCpumask copies src into dst as scx_bitmap_to_bpf does: the words go to
// a per-CPU stack buffer of MaxWords words (scx_bitmap_copy_to_stack, which
// stops at MaxWords), then bpf_cpumask_populate copies nr_cpu_ids bits of it
// into dst. It returns populate's result: 0, or -EACCES when the buffer is
// shorter than nr_cpu_ids bits (a mask of more than 4096 CPUs).
func ToCpumask(dst *kfuncs.BPFCpumask, src *Bitmap, stack *[MaxWords * 8]byte) int32 {
	for i, w := range src.words {
		if i >= MaxWords {
			break
		}
		binary.LittleEndian.PutUint64(stack[8*i:], w)
	}
	return kfuncs.CpumaskPopulate(dst, stack[:])
}
