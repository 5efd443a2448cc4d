package verifier

import (
	"errors"
	"fmt"
	"syscall"
)

// Sentinel errors. A program the model cannot judge wraps ErrUnsupported;
// a malformed input (a map without a value type, a kfunc call without a
// name) wraps ErrInvalid. A program the modelled verifier rejects is an
// *Error instead.
var (
	ErrUnsupported = errors.New("verifier: unsupported")
	ErrInvalid     = errors.New("verifier: invalid input")
)

// Error is a rejection in the kernel's words: Msg is the text the 6.18
// verifier logs (without the trailing newline; a reference leak has one
// "Unreleased reference" line per leaked reference before the summary
// line), Insn the index of the instruction it was logged at, counted in raw
// 8-byte instructions as the kernel counts them, and Errno the error the
// BPF_PROG_LOAD syscall returns.
type Error struct {
	Insn  int
	Msg   string
	Errno syscall.Errno
	// Log is the level-1 log up to and including Msg, when Config.Log was
	// set.
	Log string
	// Stats counts what was verified up to the rejection.
	Stats Stats
}

// Error returns "insn N: msg".
func (e *Error) Error() string { return fmt.Sprintf("insn %d: %s", e.Insn, e.Msg) }

// Is makes an *Error match its Errno, so errors.Is(err, unix.EACCES)
// works as it does for cilium/ebpf's VerifierError.
func (e *Error) Is(target error) bool {
	errno, ok := target.(syscall.Errno)
	return ok && errno == e.Errno
}

// Class is the message with the numbers that depend on the program (ids,
// instruction indexes, offsets) kept: the text a kernel log line must
// contain to be the same rejection. It is the last line of Msg, which for
// a leak is the summary.
func (e *Error) Class() string {
	msg := e.Msg
	for i := len(msg) - 1; i >= 0; i-- {
		if msg[i] == '\n' {
			return msg[i+1:]
		}
	}
	return msg
}

func unsupported(insn int, format string, args ...any) error {
	return fmt.Errorf("%w: insn %d: %s", ErrUnsupported, insn, fmt.Sprintf(format, args...))
}
