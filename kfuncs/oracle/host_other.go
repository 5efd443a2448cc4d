//go:build !linux

package oracle

import (
	"fmt"
	"runtime"
)

func checkCaps() error { return fmt.Errorf("not Linux (GOOS=%s)", runtime.GOOS) }

func readNrCPUIDs() (int, error) { return 0, fmt.Errorf("not Linux (GOOS=%s)", runtime.GOOS) }

// LockToCPU is Linux-only; elsewhere it reports ErrUnavailable.
func LockToCPU(cpu int) (unlock func(), err error) {
	return nil, fmt.Errorf("%w: not Linux (GOOS=%s)", ErrUnavailable, runtime.GOOS)
}
