//go:build linux

package cast

import (
	"fmt"

	"github.com/bpfbitmap/prototype/bpfbitmap"
	"golang.org/x/sys/unix"
)

// Affinity returns the CPU affinity of the thread pid (0: the calling
// thread; in Go all threads of a process share it unless one was changed)
// as a new Bitmap of nbits bits, which the caller releases
// (sched_getaffinity). The kernel's buffer is sized from nbits, not capped at
// CPU_SETSIZE (1024), so machines with more CPUs work; nbits below the
// kernel's nr_cpu_ids makes the kernel fail with EINVAL, and the error is
// returned. Pass Topology.NrCPUIDs().
func Affinity(pid, nbits int) (*bpfbitmap.Bitmap, error) {
	b, err := bpfbitmap.New(nbits)
	if err != nil {
		return nil, fmt.Errorf("sched_getaffinity: %w", err)
	}
	set := unix.NewCPUSet(nbits)
	if err := unix.SchedGetaffinityDynamic(pid, set); err != nil {
		b.Release()
		return nil, fmt.Errorf("sched_getaffinity(%d, %d bits): %w", pid, nbits, err)
	}
	for cpu := range nbits {
		if set.IsSet(cpu) {
			b.NonAtomicSet(cpu)
		}
	}
	if set.Count() != b.Weight() {
		b.Release()
		return nil, fmt.Errorf("sched_getaffinity(%d): a cpu at or above %d: %w", pid, nbits, bpfbitmap.ErrRange)
	}
	return b, nil
}

// SetAffinity sets the CPU affinity of the thread pid (0: the calling thread)
// to the CPUs set in b (sched_setaffinity), with a buffer sized from b.Len().
// The kernel's errors are returned: EINVAL when b holds no online CPU the
// thread may use, EPERM without the right to change pid, ESRCH for no such
// thread.
func SetAffinity(pid int, b *bpfbitmap.Bitmap) error {
	set := unix.NewCPUSet(b.Len())
	for cpu := range b.All() {
		set.Set(cpu)
	}
	if err := unix.SchedSetaffinityDynamic(pid, set); err != nil {
		return fmt.Errorf("sched_setaffinity(%d, %s): %w", pid, b.FormatList(), err)
	}
	return nil
}
