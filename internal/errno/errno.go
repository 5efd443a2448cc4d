// Package errno makes sentinel errors that also match the errno the kernel
// returns for the same condition, so that both errors.Is(err, pkg.ErrRange)
// and errors.Is(err, syscall.ERANGE) hold (the pattern of cilium/ebpf's
// internal/sys.Error).
package errno

import "syscall"

type sentinel struct {
	msg   string
	errno syscall.Errno
}

func (e *sentinel) Error() string { return e.msg }
func (e *sentinel) Unwrap() error { return e.errno }

// New returns a distinct sentinel with message msg that unwraps to errno.
func New(msg string, errno syscall.Errno) error { return &sentinel{msg, errno} }
