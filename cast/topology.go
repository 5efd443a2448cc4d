package cast

import (
	"fmt"
	"syscall"

	"github.com/bpfbitmap/prototype/bpfbitmap"
	"github.com/bpfbitmap/prototype/internal/words"
)

// ErrTopology reports an impossible CPU topology: nr_cpu_ids <= 0, NR_CPUS
// <= 0, nr_cpu_ids > NR_CPUS, or NR_CPUS > MaxNrCPUs. It matches
// syscall.EINVAL.
var ErrTopology = fmt.Errorf("invalid cpu topology: %w", syscall.EINVAL)

// Topology is what the cpumask code knows about the CPUs: NR_CPUS, the
// compile-time CONFIG_NR_CPUS that sizes struct cpumask, and nr_cpu_ids, the
// number of possible CPU ids at run time. It is a value, never a global, so
// that any kernel configuration can be simulated beside the host's.
type Topology struct {
	nrCPUIDs int
	nrCPUs   int
}

// MaxNrCPUs is the largest NR_CPUS a Topology may have: a Kernel allocates
// its cpumasks with NR_CPUS bits, and bpfbitmap.MaxBits is the largest
// bitmap there is. The kernel's Kconfig stops far lower (NR_CPUS_RANGE_END
// is 8192 on x86-64 with MAXSMP).
const MaxNrCPUs = bpfbitmap.MaxBits

// NewTopology returns the topology of a kernel built with NR_CPUS = nrCPUs
// running on a machine with nr_cpu_ids = nrCPUIDs, or ErrTopology.
func NewTopology(nrCPUIDs, nrCPUs int) (Topology, error) {
	if nrCPUIDs <= 0 || nrCPUs <= 0 || nrCPUIDs > nrCPUs || nrCPUs > MaxNrCPUs {
		return Topology{}, fmt.Errorf("nr_cpu_ids %d, NR_CPUS %d: %w", nrCPUIDs, nrCPUs, ErrTopology)
	}
	return Topology{nrCPUIDs: nrCPUIDs, nrCPUs: nrCPUs}, nil
}

// MustTopology is NewTopology that panics on error; for tests and examples.
func MustTopology(nrCPUIDs, nrCPUs int) Topology {
	t, err := NewTopology(nrCPUIDs, nrCPUs)
	if err != nil {
		panic("cast.MustTopology: " + err.Error())
	}
	return t
}

// NrCPUIDs returns nr_cpu_ids.
func (t Topology) NrCPUIDs() int { return t.nrCPUIDs }

// NrCPUs returns NR_CPUS.
func (t Topology) NrCPUs() int { return t.nrCPUs }

// Valid reports whether t came from NewTopology (the zero Topology is not).
func (t Topology) Valid() bool { return t.nrCPUIDs > 0 }

// SmallCpumaskBits returns small_cpumask_bits: the width of the cpumask
// queries and the and/or/xor operations (include/linux/cpumask.h). It is
// NR_CPUS when NR_CPUS fits one word, else nr_cpu_ids.
func (t Topology) SmallCpumaskBits() int {
	if t.nrCPUs <= words.WordBits {
		return t.nrCPUs
	}
	return t.nrCPUIDs
}

// LargeCpumaskBits returns large_cpumask_bits: the width of cpumask_copy and
// cpumask_clear. It is NR_CPUS up to four words, else nr_cpu_ids.
func (t Topology) LargeCpumaskBits() int {
	if t.nrCPUs <= 4*words.WordBits {
		return t.nrCPUs
	}
	return t.nrCPUIDs
}

// NrCpumaskBits returns nr_cpumask_bits (= nr_cpu_ids): the width of
// cpumask_full, cpumask_setall's general path and the distribute functions.
func (t Topology) NrCpumaskBits() int { return t.nrCPUIDs }

// String returns "nr_cpu_ids=N NR_CPUS=M".
func (t Topology) String() string {
	return fmt.Sprintf("nr_cpu_ids=%d NR_CPUS=%d", t.nrCPUIDs, t.nrCPUs)
}
