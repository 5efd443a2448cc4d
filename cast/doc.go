// Package cast holds what turns a generic bitmap into a cpumask, and the
// kernel that decides it. It has four parts:
//
//   - Topology (topology.go): nr_cpu_ids and NR_CPUS as values, and the
//     widths include/linux/cpumask.h derives from them (small_cpumask_bits,
//     large_cpumask_bits, nr_cpumask_bits).
//   - The views (cpumask.go): Cpumask is const struct cpumask *, what every
//     reader kfunc takes; OwnedCpumask is a BPF-owned mask the mutators may
//     write. Each operation uses the width the kernel's cpumask_* function
//     uses.
//   - The simulated kernel (cast.go): Kernel is what the kernel keeps in
//     globals — the topology, the BPF allocator (bpf_global_ma), the per-CPU
//     distribute cursor, cpu_possible_mask and cpu_online_mask — so that
//     kernels of different NR_CPUS live in one process; Task is the
//     task_struct's cpus_ptr. BitmapCastToCpumask, the bpf_bitmap proposal's
//     checked cast, yields a view only when num_bits == the Kernel's
//     nr_cpu_ids.
//   - The host (host*.go): the running machine's Topology and CPU lists read
//     from sysfs (Host, HostFrom, ReadHostCPUs, /sys/devices/system/cpu)
//     and a task's affinity (Affinity, SetAffinity: sched_getaffinity and
//     sched_setaffinity on Linux, ErrUnsupported elsewhere). They live here
//     because what they return is this package's Topology and bitmaps of
//     nr_cpu_ids bits; nothing else in the package touches the host, and
//     the simulated Kernel never reads it: a Kernel has the Topology it is
//     given.
//
// The kernel's rules for cpumask kfuncs are in Documentation/bpf/cpumasks.rst;
// the widths each operation uses are in include/linux/cpumask.h.
package cast
