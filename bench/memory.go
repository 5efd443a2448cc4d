package bench

import (
	"errors"
	"fmt"

	"github.com/bpfbitmap/prototype/arena"
	"github.com/bpfbitmap/prototype/bpfbitmap"
	"github.com/bpfbitmap/prototype/cast"
	"github.com/bpfbitmap/prototype/kfuncs"
)

// Design names one of the two cpumask designs.
type Design string

// The two designs compared.
const (
	// Fixed is the merged struct bpf_cpumask: NR_CPUS bits and a refcount,
	// from kfuncs.CpumaskCreate.
	Fixed Design = "fixed"
	// Generic is the proposed struct bpf_bitmap of nr_cpu_ids bits, from
	// kfuncs.BitmapCreate, used as a cpumask through
	// kfuncs.BitmapCastToCpumask.
	Generic Design = "generic"
)

// Designs lists both designs in report order.
var Designs = []Design{Fixed, Generic}

// NrCPUsValues are the CONFIG_NR_CPUS values Topologies covers: 64 (small
// embedded configs), 128 and 256 (the small_cpumask_bits == NR_CPUS range,
// 256 being this project's test kernels), 512 and 1024 (arm64 and older
// distro defaults), 4096 and 8192 (x86-64 MAXSMP distro kernels).
var NrCPUsValues = []int{64, 128, 256, 512, 1024, 4096, 8192}

// NrCPUIDsValues are the nr_cpu_ids values Topologies covers, from a
// uniprocessor to a full 8192-CPU machine.
var NrCPUIDsValues = []int{1, 2, 4, 8, 64, 96, 256, 1024, 8192}

// Topologies returns every valid pair of NrCPUsValues and NrCPUIDsValues
// (nr_cpu_ids <= NR_CPUS), ordered by NR_CPUS and then nr_cpu_ids.
func Topologies() []cast.Topology {
	var ts []cast.Topology
	for _, nr := range NrCPUsValues {
		for _, n := range NrCPUIDsValues {
			if t, err := cast.NewTopology(n, nr); err == nil {
				ts = append(ts, t)
			}
		}
	}
	return ts
}

// Alloc is what one object cost its allocator, read from the allocator's
// accounting (bpfbitmap.Allocator.Stats) around the allocation.
type Alloc struct {
	// ObjectBytes is the object the program sees: sizeof(struct
	// bpf_cpumask) = 8*ceil(NR_CPUS/64)+8, or sizeof(struct bpf_bitmap) +
	// 8*ceil(num_bits/64).
	ObjectBytes int `json:"object_bytes"`
	// UnitBytes is ObjectBytes plus bpf_mem_alloc's 8-byte per-object header.
	UnitBytes int `json:"unit_bytes"`
	// ClassBytes is the size class the unit was served from.
	ClassBytes int `json:"class_bytes"`
	// WasteBytes is ClassBytes - UnitBytes, as the allocator accounts it
	// (bpfbitmap.ClassStats.WastedBytes). The cpus command's excess_bytes
	// is another quantity: the class less the least any design needs.
	// For a castable bitmap it includes the padding to large_cpumask_bits.
	WasteBytes int `json:"waste_bytes"`
	// KernelClass is false when bpf_mem_alloc has no such class (the kernel
	// would return NULL); always true for the topologies here.
	KernelClass bool `json:"kernel_class"`
}

// MemoryRow is one topology's memory per cpumask in each design.
type MemoryRow struct {
	NrCPUIDs int `json:"nr_cpu_ids"`
	NrCPUs   int `json:"nr_cpus"`
	// LargeCpumaskBits is large_cpumask_bits: the bits cpumask_copy and
	// cpumask_clear touch, hence the backing a cast bitmap needs.
	LargeCpumaskBits int `json:"large_cpumask_bits"`
	// Fixed is a struct bpf_cpumask (kfuncs.CpumaskCreate).
	Fixed Alloc `json:"fixed"`
	// Generic is a castable struct bpf_bitmap of nr_cpu_ids bits as
	// kfuncs.BitmapCreate allocates it: padded to large_cpumask_bits where
	// that needs more words (docs/design-cast.md §4).
	Generic Alloc `json:"generic"`
	// GenericExact is a bitmap of exactly nr_cpu_ids bits without that
	// padding (Allocator.New): what the proposal costs where the bitmap is
	// never cast, and what the padding adds where it differs from Generic.
	GenericExact Alloc `json:"generic_exact"`
	// Arena is the arena road's mask on this topology (arena.NewLayout).
	Arena ArenaAlloc `json:"arena"`
}

// ArenaAlloc is what one sched_ext arena mask costs: no size class, an
// element of 8-byte granularity carved from slabs of arena pages.
type ArenaAlloc struct {
	// ObjectBytes is struct scx_bitmap as allocated: an 8-byte id and
	// ceil(nr_cpu_ids/64) words.
	ObjectBytes int `json:"object_bytes"`
	// ElementBytes adds the allocator's 8-byte header.
	ElementBytes int `json:"element_bytes"`
	// PerMaskBytes is the element's share of a full slab plus its slot in
	// the allocator's index (arena.Layout.PerMaskBytes).
	PerMaskBytes float64 `json:"per_mask_bytes"`
	// Converts is false where bpf_cpumask_populate cannot take the whole
	// mask through scx's 4096-bit stack buffer.
	Converts bool `json:"converts"`
}

// Saved returns the bytes of size class the generic design saves per cpumask
// over the fixed one (negative if it costs more).
func (r MemoryRow) Saved() int { return r.Fixed.ClassBytes - r.Generic.ClassBytes }

// PaddingBytes returns what the cast's large_cpumask_bits backing adds to a
// castable bitmap in size-class bytes: non-zero only when
// 64 < NR_CPUS <= 256 and nr_cpu_ids is small.
func (r MemoryRow) PaddingBytes() int { return r.Generic.ClassBytes - r.GenericExact.ClassBytes }

// ErrNoAlloc reports that an allocation the measurement needed failed
// (create returned NULL), or that the allocator's accounting did not show it.
var ErrNoAlloc = errors.New("bench: allocation not measured")

// Memory measures one cpumask of each design on a fresh simulated kernel of
// each topology. The result is exact and the same on every machine.
func Memory(topologies []cast.Topology) ([]MemoryRow, error) {
	rows := make([]MemoryRow, 0, len(topologies))
	for _, t := range topologies {
		r, err := memoryRow(t)
		if err != nil {
			return nil, err
		}
		rows = append(rows, r)
	}
	return rows, nil
}

func memoryRow(t cast.Topology) (MemoryRow, error) {
	k, err := cast.NewKernel(t)
	if err != nil {
		return MemoryRow{}, fmt.Errorf("bench: kernel %v: %w", t, err)
	}
	row := MemoryRow{NrCPUIDs: t.NrCPUIDs(), NrCPUs: t.NrCPUs(), LargeCpumaskBits: t.LargeCpumaskBits()}
	l, err := arena.NewLayout(t)
	if err != nil {
		return MemoryRow{}, fmt.Errorf("bench: arena mask on %v: %w", t, err)
	}
	row.Arena = ArenaAlloc{ObjectBytes: l.ObjectBytes, ElementBytes: l.ElementBytes, PerMaskBytes: l.PerMaskBytes(), Converts: l.Converts()}
	n := t.NrCPUIDs()
	if row.Fixed, err = measure(k, func() func() {
		m := kfuncs.CpumaskCreate(k)
		if m == nil {
			return nil
		}
		return func() { kfuncs.CpumaskRelease(m) }
	}); err != nil {
		return MemoryRow{}, fmt.Errorf("bench: bpf_cpumask_create on %v: %w", t, err)
	}
	if row.Generic, err = measure(k, func() func() {
		b := kfuncs.BitmapCreate(k, int32(n))
		if b == nil {
			return nil
		}
		return func() { kfuncs.BitmapRelease(b) }
	}); err != nil {
		return MemoryRow{}, fmt.Errorf("bench: bpf_bitmap_create(%d) on %v: %w", n, t, err)
	}
	if row.GenericExact, err = measure(k, func() func() {
		b, err := k.Allocator().New(n)
		if err != nil {
			return nil
		}
		return func() { b.Release() }
	}); err != nil {
		return MemoryRow{}, fmt.Errorf("bench: bitmap of %d bits on %v: %w", n, t, err)
	}
	return row, nil
}

// measure allocates one object with alloc (which returns its release, or nil
// on failure) and reads its class and waste from the difference in k's
// allocator accounting.
func measure(k *cast.Kernel, alloc func() (release func())) (Alloc, error) {
	a := k.Allocator()
	before := a.Stats()
	release := alloc()
	if release == nil {
		return Alloc{}, ErrNoAlloc
	}
	after := a.Stats()
	release()
	for i := range after.Classes {
		if i >= len(before.Classes) || after.Classes[i].Live != before.Classes[i].Live+1 {
			continue
		}
		c := after.Classes[i]
		waste := c.WastedBytes - before.Classes[i].WastedBytes
		unit := c.Unit - waste
		return Alloc{
			ObjectBytes: unit - bpfbitmap.UnitHeaderBytes,
			UnitBytes:   unit,
			ClassBytes:  c.Unit,
			WasteBytes:  waste,
			KernelClass: c.Kernel,
		}, nil
	}
	return Alloc{}, ErrNoAlloc
}

// SizeCap is the largest bpf_bitmap the allocator model can hold and what
// happens one bit past it.
type SizeCap struct {
	// MaxBits is bpfbitmap.KernelMaxBits: the words that fit bpf_mem_alloc's
	// largest class after its 8-byte unit header and the bitmap's own 8 bytes.
	MaxBits int `json:"max_bits"`
	// At is the allocation of a bitmap of MaxBits bits.
	At Alloc `json:"at"`
	// PastIsNull is true when bpf_bitmap_create(MaxBits+1) returns NULL.
	PastIsNull bool `json:"past_is_null"`
}

// MeasureSizeCap creates a bitmap of bpfbitmap.KernelMaxBits bits and one of
// a bit more with kfuncs.BitmapCreate, on a simulated kernel large enough to
// need neither padding nor a cast.
func MeasureSizeCap() (SizeCap, error) {
	k, err := cast.NewKernel(cast.MustTopology(8192, 8192))
	if err != nil {
		return SizeCap{}, err
	}
	c := SizeCap{MaxBits: bpfbitmap.KernelMaxBits}
	if c.At, err = measure(k, func() func() {
		b := kfuncs.BitmapCreate(k, int32(c.MaxBits))
		if b == nil {
			return nil
		}
		return func() { kfuncs.BitmapRelease(b) }
	}); err != nil {
		return SizeCap{}, fmt.Errorf("bench: bpf_bitmap_create(%d): %w", c.MaxBits, err)
	}
	past := kfuncs.BitmapCreate(k, int32(c.MaxBits+1))
	c.PastIsNull = past == nil
	if past != nil { // the verifier refuses a maybe-NULL release, and vet does too
		kfuncs.BitmapRelease(past)
	}
	return c, nil
}
