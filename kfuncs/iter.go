package kfuncs

import (
	"iter"
	"syscall"
	"unsafe"

	"github.com/bpfbitmap/prototype/bpfbitmap"
	"github.com/bpfbitmap/prototype/internal/words"
)

// IterBitsMaxWords is BITS_ITER_NR_WORDS_MAX: bpf_iter_bits copies at most
// 511 words (4088 bytes, bpf_mem_alloc's largest payload).
const IterBitsMaxWords = 511

// IterBits is struct bpf_iter_bits, the open-coded iterator over the set
// bits of a memory area (kernel/bpf/helpers.c, Linux 6.11). Its zero value
// is an iterator that yields nothing. Use it through IterBitsNew,
// IterBitsNext and IterBitsDestroy, or Bits; it must not be copied while in
// use.
type IterBits struct {
	bitsCopy uint64            // the inline copy of a one-word area
	bits     *bpfbitmap.Bitmap // the copy of a larger area, from bpf_global_ma
	nrBits   int32
	bit      int32
}

// IterBitsNew snapshots nrWords u64 words of unsafePtr into it and returns 0
// (bpf_iter_bits_new). Later changes to the area are not seen. It returns
// -EINVAL for a nil area or nrWords == 0, -E2BIG above IterBitsMaxWords,
// -EFAULT when the area is shorter than nrWords (the kernel's faulting
// probe-read), and -ENOMEM when the copy of more than one word cannot be
// allocated from bpfbitmap.Default (the kernel's bpf_global_ma). Whatever it
// returns, IterBitsDestroy must follow.
func IterBitsNew(it *IterBits, unsafePtr []uint64, nrWords uint32) int32 {
	if it == nil {
		return -int32(syscall.EINVAL)
	}
	*it = IterBits{bit: -1}
	switch {
	case unsafePtr == nil || nrWords == 0:
		return -int32(syscall.EINVAL)
	case nrWords > IterBitsMaxWords:
		return -int32(syscall.E2BIG)
	case uint64(nrWords) > uint64(len(unsafePtr)):
		return -int32(syscall.EFAULT)
	}
	nrBits := int(nrWords) * words.WordBits
	if nrWords == 1 {
		it.bitsCopy = unsafePtr[0]
		it.nrBits = int32(nrBits)
		return 0
	}
	b, err := bpfbitmap.Default().New(nrBits)
	if err != nil {
		return errno(err)
	}
	words.Copy(b.Words(), unsafePtr, nrBits)
	it.bits, it.nrBits = b, int32(nrBits)
	return 0
}

// IterBitsNext returns a pointer to the next set bit's index, lowest first,
// or nil when there is none left or IterBitsNew failed (bpf_iter_bits_next).
// The pointer is into it and valid until the next call.
func IterBitsNext(it *IterBits) *int32 {
	if it == nil || it.nrBits == 0 || it.bit >= it.nrBits {
		return nil
	}
	var w []uint64
	if it.bits != nil {
		w = it.bits.Words()
	} else {
		w = unsafe.Slice(&it.bitsCopy, 1)
	}
	it.bit = int32(words.FindNextBit(w, int(it.nrBits), int(it.bit)+1))
	if it.bit >= it.nrBits {
		return nil
	}
	return &it.bit
}

// IterBitsDestroy frees what IterBitsNew allocated (bpf_iter_bits_destroy).
// Calling it again, or on a zero IterBits, does nothing.
func IterBitsDestroy(it *IterBits) {
	if it == nil {
		return
	}
	if it.bits != nil {
		it.bits.Release()
	}
	*it = IterBits{}
}

// Bits returns the set bits of w as an iter.Seq: IterBitsNew, IterBitsNext
// until nil and IterBitsDestroy, which runs also when the loop breaks. It
// yields nothing where IterBitsNew fails: for an empty w, for more than
// IterBitsMaxWords words, or when the copy cannot be allocated.
func Bits(w []uint64) iter.Seq[int] {
	return func(yield func(int) bool) {
		var it IterBits
		defer IterBitsDestroy(&it)
		IterBitsNew(&it, w, uint32(min(len(w), IterBitsMaxWords+1)))
		for p := IterBitsNext(&it); p != nil; p = IterBitsNext(&it) {
			if !yield(int(*p)) {
				return
			}
		}
	}
}
