// Package cast holds what turns a generic bitmap into a cpumask: the CPU
// Topology (nr_cpu_ids and NR_CPUS, as values), the Cpumask view that
// struct cpumask * is, and the checked cast of the bpf_bitmap proposal, which
// yields a view only when num_bits == nr_cpu_ids.
//
// The kernel's rules for cpumask kfuncs are in Documentation/bpf/cpumasks.rst;
// the widths each operation uses are in include/linux/cpumask.h.
package cast
