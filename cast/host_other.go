//go:build !linux

package cast

import (
	"errors"
	"fmt"

	"github.com/bpfbitmap/prototype/bpfbitmap"
)

// Affinity reports errors.ErrUnsupported: CPU affinity through
// sched_getaffinity exists only on Linux.
func Affinity(pid, nbits int) (*bpfbitmap.Bitmap, error) {
	return nil, fmt.Errorf("sched_getaffinity(%d, %d bits): %w", pid, nbits, errors.ErrUnsupported)
}

// SetAffinity reports errors.ErrUnsupported: CPU affinity through
// sched_setaffinity exists only on Linux.
func SetAffinity(pid int, b *bpfbitmap.Bitmap) error {
	return fmt.Errorf("sched_setaffinity(%d, %d bits): %w", pid, b.Len(), errors.ErrUnsupported)
}
