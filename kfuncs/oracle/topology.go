package oracle

import "fmt"

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
// result mask holds.
func (t Topology) Words() int { return (t.NrCPUs + wordBits - 1) / wordBits }

// ValidWords returns ceil(nr_cpu_ids/64): the words an exactly
// nr_cpu_ids-sized bitmap has, and the words populate writes.
func (t Topology) ValidWords() int { return (t.NrCPUIDs + wordBits - 1) / wordBits }

// String prints the four numbers under their kernel names.
func (t Topology) String() string {
	return fmt.Sprintf("NR_CPUS=%d nr_cpu_ids=%d small_cpumask_bits=%d large_cpumask_bits=%d",
		t.NrCPUs, t.NrCPUIDs, t.SmallCpumaskBits, t.LargeCpumaskBits)
}
