// Package oracle runs the live kernel's bpf_cpumask kfuncs and verifier so
// the prototype's claims about kernel behaviour can be checked against the
// kernel itself.
//
// Open checks the machine and returns an Oracle. Load and Run take a
// kfuncs/progs Program (the ported selftests and probes): kfunc names
// become the kernel's BTF ids and the program's maps are created from their
// specs; a rejection comes back as *ebpf.VerifierError with the kernel's
// log. LoadProgram and KfuncCall serve hand-assembled programs, KernelBTF
// and Target the struct layouts they need. MeasureAll times every cpumask
// kfunc in the kernel (for cmd/kernelcost). The kfuncs the oracle calls,
// with their argument shapes and return types, come from the rows of
// kfuncs.Kfuncs.
//
// The package's tests drive each kfunc on chosen masks: a SYSCALL program,
// built once per shape and cached, creates fresh bpf_cpumasks, fills them
// from the context buffer (bpf_cpumask_populate, or bpf_cpumask_copy from
// the stack to reach words above nr_cpu_ids), calls the kfunc, copies its
// return value and every storage word of every mask back into the context,
// and releases the masks: one call, one BPF_PROG_RUN. What they report is
// what the kernel stores, which is not tail-clean: bits at or above
// nr_cpu_ids may be set by setall, populate, or, xor and copy.
//
// bpf_cpumask_any_distribute and bpf_cpumask_any_and_distribute keep a
// per-CPU cursor shared with the scheduler, which moves it in
// set_cpus_allowed (and so in sched_setaffinity). Within one program run
// the CPU cannot change, so repeated calls in one run show the rotation
// exactly; across runs only a thread pinned with LockToCPU sees one cursor,
// and even then other tasks on that CPU may move it.
//
// Open reports why the oracle is unavailable (not Linux, no kernel BTF,
// no CAP_BPF/CAP_PERFMON, a kfunc missing) as an error wrapping
// ErrUnavailable. The kernel's rules are in
// Documentation/bpf/cpumasks.rst and kernel/bpf/cpumask.c.
package oracle
