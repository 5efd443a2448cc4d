// Package oracle runs the live kernel's bpf_cpumask kfuncs and verifier so
// the prototype's claims about kernel behaviour can be checked against the
// kernel itself.
//
// Each Call assembles (once, then caches) a BPF_PROG_TYPE_SYSCALL program
// that creates fresh bpf_cpumasks, fills them from the context buffer
// (bpf_cpumask_populate, or bpf_cpumask_copy from the stack to reach words
// above nr_cpu_ids), calls one kfunc, copies its return value and every
// storage word of every mask back into the context, and releases the
// masks. One Call is one BPF_PROG_RUN.
//
// Results report what the kernel stores, which is not tail-clean: bits at
// or above nr_cpu_ids may be set by setall, populate, or, xor and copy.
// Compare against a model on what the kfuncs observe: return values and
// mask bits below nr_cpu_ids.
//
// bpf_cpumask_any_distribute and bpf_cpumask_any_and_distribute keep a
// per-CPU cursor shared with the scheduler, which moves it in
// set_cpus_allowed (and so in sched_setaffinity). Within one program run
// the CPU cannot change, so Call.Repeat shows the rotation exactly; across
// runs only a thread pinned with LockToCPU sees one cursor, and even then
// other tasks on that CPU may move it. Compare the starting point only
// within a single run.
//
// Load and Run take a kfuncs/progs Program (the ported selftests and
// probes): kfunc names become the kernel's BTF ids and the program's maps
// are created from their specs. The kfuncs the oracle calls, with their
// argument shapes and return types, come from the rows of kfuncs.Kfuncs.
// MeasureAll times every kfunc in the kernel for cmd/kernelcost.
//
// Open reports why the oracle is unavailable (not Linux, no kernel BTF,
// no CAP_BPF/CAP_PERFMON, a kfunc missing) as an error wrapping
// ErrUnavailable. The kernel's rules are in
// Documentation/bpf/cpumasks.rst and kernel/bpf/cpumask.c.
package oracle
