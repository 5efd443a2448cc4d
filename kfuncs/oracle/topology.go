package oracle

import (
	"fmt"
	"strconv"
	"strings"
)

// wordBits is BITS_PER_LONG on every target the oracle runs on.
const wordBits = 64

// Topology is what the running kernel's cpumask code is sized by.
type Topology struct {
	// NrCPUs is CONFIG_NR_CPUS, read as 8*sizeof(struct cpumask) from BTF;
	// it is the storage size of every bpf_cpumask.
	NrCPUs int
	// NrCPUIDs is nr_cpu_ids: one past the highest possible CPU.
	NrCPUIDs int
	// SmallCpumaskBits is small_cpumask_bits: the width the find/and/or/xor/
	// equal/weight family scans (reference §3.2).
	SmallCpumaskBits int
	// LargeCpumaskBits is large_cpumask_bits: the width copy and clear touch.
	LargeCpumaskBits int
}

// DeriveTopology computes small/large_cpumask_bits from NR_CPUS and
// nr_cpu_ids as include/linux/cpumask.h does on a 64-bit kernel.
func DeriveTopology(nrCPUs, nrCPUIDs int) Topology {
	t := Topology{NrCPUs: nrCPUs, NrCPUIDs: nrCPUIDs}
	switch {
	case nrCPUs <= wordBits:
		t.SmallCpumaskBits, t.LargeCpumaskBits = nrCPUs, nrCPUs
	case nrCPUs <= 4*wordBits:
		t.SmallCpumaskBits, t.LargeCpumaskBits = nrCPUIDs, nrCPUs
	default:
		t.SmallCpumaskBits, t.LargeCpumaskBits = nrCPUIDs, nrCPUIDs
	}
	return t
}

// Words returns the number of 64-bit words in a struct cpumask: what every
// Result mask holds.
func (t Topology) Words() int { return (t.NrCPUs + wordBits - 1) / wordBits }

// ValidWords returns ceil(nr_cpu_ids/64): the words an exactly
// nr_cpu_ids-sized bitmap has, and the words populate writes.
func (t Topology) ValidWords() int { return (t.NrCPUIDs + wordBits - 1) / wordBits }

// String prints the four numbers under their kernel names.
func (t Topology) String() string {
	return fmt.Sprintf("NR_CPUS=%d nr_cpu_ids=%d small_cpumask_bits=%d large_cpumask_bits=%d",
		t.NrCPUs, t.NrCPUIDs, t.SmallCpumaskBits, t.LargeCpumaskBits)
}

// parseCPUList returns one past the highest CPU in a cpulist such as
// "0-3,8,10-11" (the format of /sys/devices/system/cpu/possible), which is
// how the kernel sets nr_cpu_ids from cpu_possible_mask.
func parseCPUList(s string) (int, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, fmt.Errorf("empty cpulist: %w", ErrInvalidInput)
	}
	highest := -1
	for part := range strings.SplitSeq(s, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		if err != nil || a < 0 {
			return 0, fmt.Errorf("cpulist %q: bad cpu %q: %w", s, lo, ErrInvalidInput)
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil || b < a {
				return 0, fmt.Errorf("cpulist %q: bad range %q: %w", s, part, ErrInvalidInput)
			}
		}
		highest = max(highest, b)
	}
	return highest + 1, nil
}
