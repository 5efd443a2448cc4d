package cast

import (
	"math"
	"math/bits"
	"unsafe"

	"github.com/bpfbitmap/prototype/bpfbitmap"
	"github.com/bpfbitmap/prototype/internal/words"
)

// NotFound is what the queries return for a nil mask or masks of different
// Kernels: a value >= every nr_cpu_ids, as the kernel's "not found" results
// are (callers compare with >=, as the selftests do).
const NotFound = math.MaxUint32

// Cpumask is const struct cpumask *: a read-only view of cpumask words,
// sharing memory with the object it came from (a kernel-owned mask, a
// BPFCpumask, or a cast bitmap). It has no method that writes the mask, and no
// mutator kfunc accepts it, so a kernel-owned mask such as task->cpus_ptr can
// be read by every reader and written by none.
//
// Each operation uses the width the kernel's does for the view's Kernel
// (include/linux/cpumask.h): small_cpumask_bits (S) for the find, test and
// bulk queries, nr_cpu_ids (N) for Full and the distribute functions. Like the
// kernel's, storage bits at or above N are not kept clear by every writer
// (Setall, Or, Xor, Copy and Populate pass or make them), and the queries of
// width S > N count them.
//
// Only pointers from a Kernel, a cast or a BPFCpumask are valid; a Cpumask
// made with new() is not, as a struct cpumask * from nowhere is not. A nil
// *Cpumask makes every query return NotFound or false.
type Cpumask struct {
	b bpfbitmap.Bitmap // the same memory as the object it views; never copied
}

// OwnedCpumask is the BPF-owned, mutable cpumask the checked cast returns: a
// struct cpumask * the program may write because it holds a reference to the
// bpf_bitmap behind it. It is a distinct type from Cpumask so that the
// generic design keeps the guarantee the merged design gets from
// struct bpf_cpumask: only BPF-owned masks reach a mutator. Cpumask converts it
// to the read-only view, one way.
//
// Mutators write with the kernel's widths: the per-CPU ones atomically and
// only below nr_cpu_ids, Setall N bits (word 0 masked when NR_CPUS <= 64,
// whole words otherwise), Clear and Copy large_cpumask_bits, And/Or/Xor
// small_cpumask_bits (And masks the last word, Or and Xor do not).
type OwnedCpumask struct {
	m Cpumask
}

func (m *Cpumask) bitmap() *bpfbitmap.Bitmap { return (*bpfbitmap.Bitmap)(unsafe.Pointer(m)) }

// Cpumask returns m as the read-only view (the one-way cast the kernel allows
// from struct bpf_cpumask * to const struct cpumask *). It does not allocate.
func (m *OwnedCpumask) Cpumask() *Cpumask { return (*Cpumask)(unsafe.Pointer(m)) }

// The bulk operations answer a one-word mask (small_cpumask_bits <= 64, as
// nr_cpu_ids is on most machines) in place, the one-word case of the words
// functions without the call: the kernel's cpumask.h does the same for
// small_const_nbits, and here the call is most of a one-word operation's cost.

// firstInWord is find_first_bit on one word whose bits past size are clear:
// the lowest set bit, or size.
func firstInWord(x uint64, size int) uint32 {
	if x == 0 {
		return uint32(size)
	}
	return uint32(bits.TrailingZeros64(x))
}

// view returns m's kernel and the words its operations may touch, or nil.
// view, view2 and view3 each read every mask's header once and make no call
// on the fast path: a one-word cpumask operation is a few loads, and calls
// were most of its cost.
func (m *Cpumask) view() (*Kernel, []uint64) {
	b := m.bitmap()
	id, _, n := b.HintLen()
	k := kernelOfID(b, id)
	if k == nil || !k.maskLen(n) {
		return nil, nil
	}
	return k, k.wordsOf(b)
}

// maskLen reports whether n bits is a length a mask of k's has: NR_CPUS
// (struct bpf_cpumask, the kernel's own masks) or nr_cpu_ids (a cast
// bitmap). A stale view whose memory now holds a bitmap of another length
// fails it, so it cannot write k.words words into that bitmap; a stale view
// of a same-length new owner is the use after free the verifier (and
// bpfbitmapvet's useafterrelease) refuses statically, and a checked
// allocator (bpfbitmap.Allocator.SetChecked) never hands that memory out.
func (k *Kernel) maskLen(n int) bool { return n == k.nrCPUIDs || n == k.topo.nrCPUs }

// wordsOf returns the k.words words of a mask of k's. They may reach past
// Len into the allocation's slack: a cast bitmap of nr_cpu_ids bits on
// 64 < NR_CPUS <= 256 is shorter than large_cpumask_bits, but every view of
// one came through BitmapCastToCpumask, which checked Cap >= large_cpumask_bits;
// every other mask of k's holds NR_CPUS bits. Building the slice here, rather
// than from Bitmap.Words, keeps the operations' fixed cost to a few loads.
func (k *Kernel) wordsOf(b *bpfbitmap.Bitmap) []uint64 {
	return unsafe.Slice((*uint64)(unsafe.Add(unsafe.Pointer(b), bpfbitmap.HeaderBytes)), k.words)
}

// view2 is view for two masks of one kernel; k is nil if either is nil or
// they belong to different kernels. Masks of one kernel share its
// allocator, so comparing the allocator IDs in their headers suffices; m is
// resolved first, so that only m reaches kernelOfSlow (and its stale
// warning), as with view.
func (m *Cpumask) view2(o *Cpumask) (k *Kernel, w, ow []uint64) {
	b := m.bitmap()
	id, _, n := b.HintLen()
	if k = kernelOfID(b, id); k == nil || !k.maskLen(n) || o.bitmap().AllocatorID() != id {
		return nil, nil, nil
	}
	return k, k.wordsOf(b), k.wordsOf(o.bitmap())
}

// view3 is view2 for three masks.
func (m *Cpumask) view3(x, y *Cpumask) (k *Kernel, w, xw, yw []uint64) {
	b := m.bitmap()
	id, _, n := b.HintLen()
	if k = kernelOfID(b, id); k == nil || !k.maskLen(n) || x.bitmap().AllocatorID() != id || y.bitmap().AllocatorID() != id {
		return nil, nil, nil, nil
	}
	return k, k.wordsOf(b), k.wordsOf(x.bitmap()), k.wordsOf(y.bitmap())
}

// Kernel returns the kernel m belongs to, or nil for nil.
func (m *Cpumask) Kernel() *Kernel { return kernelOf(m.bitmap()) }

// AppendWords appends the words m's kernel's operations can touch,
// BITS_TO_LONGS(max(S, L, N)), bits at or above N included, to dst.
func (m *Cpumask) AppendWords(dst []uint64) []uint64 {
	_, w := m.view()
	return append(dst, w...)
}

// First returns the first set CPU, or small_cpumask_bits if there is none
// (cpumask_first; NR_CPUS, not nr_cpu_ids, when NR_CPUS <= 64).
func (m *Cpumask) First() uint32 {
	k, w := m.view()
	switch {
	case k == nil:
		return NotFound
	case k.small <= words.WordBits:
		return firstInWord(w[0]&words.LastWordMask(k.small), k.small)
	}
	return uint32(words.FindFirstBit(w, k.small))
}

// FirstZero returns the first clear CPU, or small_cpumask_bits if all are set
// (cpumask_first_zero).
func (m *Cpumask) FirstZero() uint32 {
	k, w := m.view()
	switch {
	case k == nil:
		return NotFound
	case k.small <= words.WordBits:
		return firstInWord(^w[0]&words.LastWordMask(k.small), k.small)
	}
	return uint32(words.FindFirstZeroBit(w, k.small))
}

// FirstAnd returns the first CPU set in both m and o, or small_cpumask_bits
// (cpumask_first_and).
func (m *Cpumask) FirstAnd(o *Cpumask) uint32 {
	k, w, ow := m.view2(o)
	switch {
	case k == nil:
		return NotFound
	case k.small <= words.WordBits:
		return firstInWord(w[0]&ow[0]&words.LastWordMask(k.small), k.small)
	}
	return uint32(words.FindFirstAndBit(w, ow, k.small))
}

// TestCpu reports whether cpu is set; false for cpu >= nr_cpu_ids
// (bpf_cpumask_test_cpu). The load is atomic.
func (m *Cpumask) TestCpu(cpu uint32) bool {
	k := m.Kernel()
	return k != nil && int(cpu) < k.nrCPUIDs && m.bitmap().Test(int(cpu))
}

// Equal reports whether m and o agree on the first small_cpumask_bits bits
// (cpumask_equal).
func (m *Cpumask) Equal(o *Cpumask) bool {
	k, w, ow := m.view2(o)
	if k != nil && k.small <= words.WordBits {
		return (w[0]^ow[0])&words.LastWordMask(k.small) == 0
	}
	return k != nil && words.Equal(w, ow, k.small)
}

// Intersects reports whether m and o share a CPU below small_cpumask_bits
// (cpumask_intersects).
func (m *Cpumask) Intersects(o *Cpumask) bool {
	k, w, ow := m.view2(o)
	if k != nil && k.small <= words.WordBits {
		return w[0]&ow[0]&words.LastWordMask(k.small) != 0
	}
	return k != nil && words.Intersects(w, ow, k.small)
}

// Subset reports whether every CPU of m is in o (cpumask_subset(m, o)).
func (m *Cpumask) Subset(o *Cpumask) bool {
	k, w, ow := m.view2(o)
	if k != nil && k.small <= words.WordBits {
		return w[0]&^ow[0]&words.LastWordMask(k.small) == 0
	}
	return k != nil && words.Subset(w, ow, k.small)
}

// Empty reports whether no CPU below small_cpumask_bits is set
// (cpumask_empty). A nil mask is not empty: it is no mask.
func (m *Cpumask) Empty() bool {
	k, w := m.view()
	if k != nil && k.small <= words.WordBits {
		return w[0]&words.LastWordMask(k.small) == 0
	}
	return k != nil && words.Empty(w, k.small)
}

// Full reports whether every CPU below nr_cpu_ids is set (cpumask_full: the
// one query of exact width N).
func (m *Cpumask) Full() bool {
	k, w := m.view()
	if k != nil && k.nrCPUIDs <= words.WordBits {
		mask := words.LastWordMask(k.nrCPUIDs)
		return w[0]&mask == mask
	}
	return k != nil && words.Full(w, k.nrCPUIDs)
}

// Weight returns the number of CPUs set below small_cpumask_bits
// (cpumask_weight), 0 for nil.
func (m *Cpumask) Weight() uint32 {
	k, w := m.view()
	switch {
	case k == nil:
		return 0
	case k.small <= words.WordBits:
		return uint32(bits.OnesCount64(w[0] & words.LastWordMask(k.small)))
	}
	return uint32(words.Weight(w, k.small))
}

// AnyDistribute returns the next set CPU after the kernel's distribute cursor,
// wrapping around, and moves the cursor there; nr_cpu_ids if m is empty, with
// the cursor unchanged (cpumask_any_distribute). The cursor starts at 0, so
// the first pick skips CPU 0 when another CPU is set. It is a rotation, not a
// random choice.
func (m *Cpumask) AnyDistribute() uint32 {
	k, w := m.view()
	if k == nil {
		return NotFound
	}
	if k.topo.NrCPUs() == 1 {
		return m.First()
	}
	next := words.FindNextBitWrap(w, k.nrCPUIDs, int(k.prev.Load())+1)
	if next < k.nrCPUIDs {
		k.prev.Store(uint32(next))
	}
	return uint32(next)
}

// AnyAndDistribute is AnyDistribute over m AND o, with the same cursor
// (cpumask_any_and_distribute).
func (m *Cpumask) AnyAndDistribute(o *Cpumask) uint32 {
	k, w, ow := m.view2(o)
	if k == nil {
		return NotFound
	}
	if k.topo.NrCPUs() == 1 {
		return m.FirstAnd(o)
	}
	next := words.FindNextAndBitWrap(w, ow, k.nrCPUIDs, int(k.prev.Load())+1)
	if next < k.nrCPUIDs {
		k.prev.Store(uint32(next))
	}
	return uint32(next)
}

// SetCpu sets cpu atomically; a cpu >= nr_cpu_ids does nothing
// (bpf_cpumask_set_cpu).
func (m *OwnedCpumask) SetCpu(cpu uint32) {
	if k := m.Cpumask().Kernel(); k != nil && int(cpu) < k.nrCPUIDs {
		m.Cpumask().bitmap().Set(int(cpu))
	}
}

// ClearCpu clears cpu atomically; a cpu >= nr_cpu_ids does nothing
// (bpf_cpumask_clear_cpu).
func (m *OwnedCpumask) ClearCpu(cpu uint32) {
	if k := m.Cpumask().Kernel(); k != nil && int(cpu) < k.nrCPUIDs {
		m.Cpumask().bitmap().Clear(int(cpu))
	}
}

// TestAndSetCpu sets cpu atomically and returns its old value; a cpu >=
// nr_cpu_ids returns false and changes nothing (bpf_cpumask_test_and_set_cpu).
func (m *OwnedCpumask) TestAndSetCpu(cpu uint32) bool {
	k := m.Cpumask().Kernel()
	return k != nil && int(cpu) < k.nrCPUIDs && m.Cpumask().bitmap().TestAndSet(int(cpu))
}

// TestAndClearCpu clears cpu atomically and returns its old value; a cpu >=
// nr_cpu_ids returns false (bpf_cpumask_test_and_clear_cpu).
func (m *OwnedCpumask) TestAndClearCpu(cpu uint32) bool {
	k := m.Cpumask().Kernel()
	return k != nil && int(cpu) < k.nrCPUIDs && m.Cpumask().bitmap().TestAndClear(int(cpu))
}

// Setall sets CPUs 0 to nr_cpu_ids-1 (cpumask_setall). When NR_CPUS <= 64 it
// writes word 0 as exactly those bits; otherwise it fills whole words, so the
// last word's bits from nr_cpu_ids up become set, as bitmap_fill leaves them.
func (m *OwnedCpumask) Setall() {
	k, w := m.Cpumask().view()
	switch {
	case k == nil:
	case k.smallConst:
		w[0] = words.LastWordMask(k.nrCPUIDs)
	default:
		words.Fill(w, k.nrCPUIDs)
	}
}

// Clear clears large_cpumask_bits bits, whole words (cpumask_clear): NR_CPUS
// bits when NR_CPUS <= 256.
func (m *OwnedCpumask) Clear() {
	if k, w := m.Cpumask().view(); k != nil {
		words.Zero(w, k.large)
	}
}

// And stores a AND b in m over small_cpumask_bits, masking the last word, and
// reports whether the result is non-empty (cpumask_and). Masks of another
// Kernel leave m unchanged and report false.
func (m *OwnedCpumask) And(a, b *Cpumask) bool {
	k, w, aw, bw := m.Cpumask().view3(a, b)
	if k != nil && k.small <= words.WordBits {
		w[0] = aw[0] & bw[0] & words.LastWordMask(k.small)
		return w[0] != 0
	}
	return k != nil && words.And(w, aw, bw, k.small)
}

// Or stores a OR b in m over small_cpumask_bits, whole words (cpumask_or).
func (m *OwnedCpumask) Or(a, b *Cpumask) {
	if k, w, aw, bw := m.Cpumask().view3(a, b); k != nil {
		if k.small <= words.WordBits {
			w[0] = aw[0] | bw[0]
			return
		}
		words.Or(w, aw, bw, k.small)
	}
}

// Xor stores a XOR b in m over small_cpumask_bits, whole words (cpumask_xor).
func (m *OwnedCpumask) Xor(a, b *Cpumask) {
	if k, w, aw, bw := m.Cpumask().view3(a, b); k != nil {
		if k.small <= words.WordBits {
			w[0] = aw[0] ^ bw[0]
			return
		}
		words.Xor(w, aw, bw, k.small)
	}
}

// Copy copies large_cpumask_bits bits of src into m, whole words
// (cpumask_copy). Reading L bits of src is why a cast bitmap needs
// L bits of backing even when it is only read.
func (m *OwnedCpumask) Copy(src *Cpumask) {
	if k, w, sw := m.Cpumask().view2(src); k != nil {
		words.Copy(w, sw, k.large)
	}
}

// Populate copies BITS_TO_LONGS(nr_cpu_ids) whole words from src, read as
// little-endian u64s, into m; words past them are untouched and bits from
// nr_cpu_ids to the word's end are copied as they are (bpf_cpumask_populate).
// It fails with ErrAccess if src is shorter than bitmap_size(nr_cpu_ids)
// bytes, and with ErrUnaligned for a source not aligned to 8 bytes on a
// kernel without efficient unaligned access. A nil m fails with
// ErrForeignBitmap.
func (m *OwnedCpumask) Populate(src []byte) error {
	k, w := m.Cpumask().view()
	switch {
	case k == nil:
		return ErrForeignBitmap
	case len(src) < 8*words.Len(k.nrCPUIDs):
		return ErrAccess
	case k.unalignedSlow.Load() && uintptr(unsafe.Pointer(unsafe.SliceData(src)))%8 != 0:
		return ErrUnaligned
	}
	words.CopyFromBytes(w, src, k.nrCPUIDs)
	return nil
}
