// Package bench answers the design question of the project with numbers:
// what the merged fixed-size struct bpf_cpumask (NR_CPUS bits and a refcount)
// and the proposed generic refcounted struct bpf_bitmap (nr_cpu_ids bits,
// cast to a cpumask only when num_bits == nr_cpu_ids) cost, side by side.
//
// It computes three things, each from the prototype itself rather than from
// formulas:
//
//   - Memory: Memory allocates one cpumask per design on a simulated kernel of
//     each topology (kfuncs.CpumaskCreate and kfuncs.BitmapCreate on a
//     cast.Kernel) and reads the unit, size class and waste from the
//     kernel's bpfbitmap.Allocator.Stats. The numbers are exact and
//     deterministic.
//   - Time: Cases returns one benchmark per kfunc, design and topology: the
//     cpumask kfuncs are the rows of kfuncs.Kfuncs that take a cpumask, each
//     running its row's Call on the arguments kfuncs.NewArgs sets up, so a
//     kfunc added to the table is timed with no change here; RunTimings runs them with
//     testing.Benchmark, and BenchmarkDesign in this package's tests runs
//     the same bodies under go test. Timings vary from run to run.
//   - Program cost: Selftests counts, with the verifier model
//     (kfuncs/verifier), the NULL checks, kfunc calls and instructions of
//     the kernel's cpumask_success.c programs in both designs (kfuncs/progs);
//     Scx and KernelCosts hold committed counts of sched-ext/scx and
//     live-kernel timings (commands scxcount and arenacost).
//
// MemoryChart and TimeChart draw memory and time as SVG with
// gonum.org/v1/plot. Command bpfbitmap's report subcommand writes
// docs/design.md from all of it.
package bench
