package bpfbitmap

import (
	"syscall"

	"github.com/bpfbitmap/prototype/internal/errno"
)

// Sentinel errors. Each wraps the errno the kernel returns for the same
// condition; errors returned by this package wrap exactly one of them.
var (
	// ErrInvalid reports malformed input: bad text, a negative size (EINVAL).
	ErrInvalid error = errno.New("invalid argument", syscall.EINVAL)
	// ErrRange reports a bit index at or above the bitmap's length in text
	// input (ERANGE, as bitmap_parselist returns).
	ErrRange error = errno.New("bit index out of range", syscall.ERANGE)
	// ErrOverflow reports a number in text input too large to represent
	// (EOVERFLOW, as bitmap_parse returns for too many hex digits).
	ErrOverflow error = errno.New("value too large", syscall.EOVERFLOW)
	// ErrTooBig reports a size above MaxBits (E2BIG, as
	// bpf_mem_alloc_check_size returns), and list input that needs more
	// work than ParseList's bound (ListWorkBase) allows.
	ErrTooBig error = errno.New("bitmap too big", syscall.E2BIG)
	// ErrNoMem reports an allocation failure, real or injected with
	// Allocator.FailNext (ENOMEM; the kernel's allocator returns NULL).
	ErrNoMem error = errno.New("out of memory", syscall.ENOMEM)
	// ErrSizeMismatch reports operands of a mutating bulk operation whose
	// lengths differ (EINVAL: the kernel never mixes lengths).
	ErrSizeMismatch error = errno.New("bitmap lengths differ", syscall.EINVAL)
)
