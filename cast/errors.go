package cast

import (
	"fmt"
	"syscall"

	"github.com/bpfbitmap/prototype/bpfbitmap"
	"github.com/bpfbitmap/prototype/internal/errno"
)

// Sentinel errors of the cast and of the cpumask operations. Each matches
// its errno with errors.Is; ErrSizeMismatch is bpfbitmap's.
var (
	// ErrSizeMismatch reports a cast of a bitmap whose num_bits is not
	// nr_cpu_ids (EINVAL). It is bpfbitmap.ErrSizeMismatch.
	ErrSizeMismatch = bpfbitmap.ErrSizeMismatch
	// ErrShortBacking reports a cast of a bitmap whose allocation holds fewer
	// than large_cpumask_bits bits, so that cpumask_copy or cpumask_clear
	// would run past its end (ERANGE). BitmapCreate in package kfuncs never
	// produces one; a bitmap from bpfbitmap's New can be one.
	ErrShortBacking error = errno.New("bitmap backing shorter than large_cpumask_bits", syscall.ERANGE)
	// ErrForeignBitmap reports a cast of a nil bitmap or of one that no
	// Kernel allocated, so that it has no nr_cpu_ids to be checked against
	// (EINVAL).
	ErrForeignBitmap error = errno.New("bitmap not allocated by a cast.Kernel", syscall.EINVAL)
	// ErrAccess reports a populate source smaller than bitmap_size(nr_cpu_ids)
	// (EACCES, as bpf_cpumask_populate returns).
	ErrAccess error = errno.New("populate source smaller than bitmap_size(nr_cpu_ids)", syscall.EACCES)
	// ErrUnaligned reports a populate source not aligned to 8 bytes on a
	// kernel without CONFIG_HAVE_EFFICIENT_UNALIGNED_ACCESS (EINVAL).
	ErrUnaligned error = errno.New("populate source not aligned to sizeof(long)", syscall.EINVAL)
)

// CastError is the detailed reason a bitmap cannot be viewed as a cpumask.
// It unwraps to ErrSizeMismatch when the lengths differ and to
// ErrShortBacking when only the capacity is short (and so to their errnos).
type CastError struct {
	NumBits  int // the bitmap's num_bits
	NrCPUIDs int // the kernel's nr_cpu_ids
	CapBits  int // bits the bitmap's allocation holds (Bitmap.Cap)
	NeedBits int // large_cpumask_bits: what cpumask_copy/clear touch
}

// Error describes the mismatch in the kernel's terms.
func (e *CastError) Error() string {
	if e.NumBits != e.NrCPUIDs {
		return fmt.Sprintf("cast to cpumask: num_bits %d != nr_cpu_ids %d", e.NumBits, e.NrCPUIDs)
	}
	return fmt.Sprintf("cast to cpumask: allocation holds %d bits, large_cpumask_bits is %d", e.CapBits, e.NeedBits)
}

// Unwrap returns the sentinel e stands for.
func (e *CastError) Unwrap() error {
	if e.NumBits != e.NrCPUIDs {
		return ErrSizeMismatch
	}
	return ErrShortBacking
}
