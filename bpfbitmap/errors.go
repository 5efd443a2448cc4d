package bpfbitmap

import "syscall"

// errnoError is a sentinel that also matches the kernel errno the same
// condition returns there, so errors.Is(err, ErrRange) and
// errors.Is(err, syscall.ERANGE) both hold.
type errnoError struct {
	msg   string
	errno syscall.Errno
}

func (e *errnoError) Error() string { return e.msg }
func (e *errnoError) Unwrap() error { return e.errno }

// Sentinel errors. Each wraps the errno the kernel returns for the same
// condition; errors returned by this package wrap exactly one of them.
var (
	// ErrInvalid reports malformed input: bad text, a negative size (EINVAL).
	ErrInvalid error = &errnoError{"invalid argument", syscall.EINVAL}
	// ErrRange reports a bit index at or above the bitmap's length in text
	// input (ERANGE, as bitmap_parselist returns).
	ErrRange error = &errnoError{"bit index out of range", syscall.ERANGE}
	// ErrOverflow reports a number in text input too large to represent
	// (EOVERFLOW, as bitmap_parse returns for too many hex digits).
	ErrOverflow error = &errnoError{"value too large", syscall.EOVERFLOW}
	// ErrTooBig reports a size above MaxBits (E2BIG, as
	// bpf_mem_alloc_check_size returns).
	ErrTooBig error = &errnoError{"bitmap too big", syscall.E2BIG}
	// ErrNoMem reports an allocation failure, real or injected with
	// Allocator.FailNext (ENOMEM; the kernel's allocator returns NULL).
	ErrNoMem error = &errnoError{"out of memory", syscall.ENOMEM}
	// ErrSizeMismatch reports operands of a mutating bulk operation whose
	// lengths differ (EINVAL: the kernel never mixes lengths).
	ErrSizeMismatch error = &errnoError{"bitmap lengths differ", syscall.EINVAL}
)
