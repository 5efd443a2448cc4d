package oracle

import (
	"errors"
	"fmt"
	"runtime"
	"strings"
	"sync"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"

	"github.com/bpfbitmap/prototype/kfuncs"
	"github.com/bpfbitmap/prototype/kfuncs/progs"
)

// Sentinel errors. Errors returned by this package wrap one of them.
var (
	// ErrUnavailable reports that this machine cannot serve as an oracle
	// (not Linux, no kernel BTF, missing capabilities, a kfunc or the
	// SYSCALL program type missing). Tests skip on it and on nothing else.
	ErrUnavailable = errors.New("kernel oracle unavailable")
	// ErrNoMem reports that bpf_cpumask_create returned NULL while setting
	// up a call: the per-CPU bpf_mem_alloc cache was empty. Retrying helps.
	ErrNoMem = errors.New("bpf_cpumask_create returned NULL")
	// ErrInvalidInput reports arguments the oracle cannot turn into a
	// program: wrong number of masks, a mask longer than struct cpumask,
	// an unknown kfunc.
	ErrInvalidInput = errors.New("invalid oracle input")
)

// errSetup reports that bpf_cpumask_populate rejected an input mask.
var errSetup = errors.New("populating an input mask failed")

// bpfFSleepable is BPF_F_SLEEPABLE: a SYSCALL program must be sleepable to
// be allowed the cpumask kfuncs at all.
const bpfFSleepable = 16

// Oracle runs the live kernel's bpf_cpumask kfuncs. It is safe for
// concurrent use; programs are built on first use and cached.
type Oracle struct {
	topo   Topology
	spec   *btf.Spec
	target progs.Target

	idMu sync.Mutex // separate from mu: program builds look up ids under mu
	ids  map[string]btf.TypeID

	mu    sync.Mutex
	progs map[progKey]*ebpf.Program
}

// neededKfuncs are the kfuncs the oracle's own programs call, which Open
// requires: the merged design's object (the DesignMerged kfunc rows of
// kfuncs.Kfuncs), every cpumask kfunc, and the iterator of bpf_for that
// the measurement loops use (from progs.Support).
func neededKfuncs() []string {
	var names []string
	for _, k := range kfuncs.Kfuncs {
		if k.Kind == kfuncs.KindKfunc && k.Design == kfuncs.DesignMerged {
			names = append(names, k.Kernel)
		}
	}
	for _, fn := range cpumaskKfuncs() {
		names = append(names, fn.String())
	}
	for _, k := range progs.Support {
		if strings.HasPrefix(k.Kernel, "bpf_iter_num_") {
			names = append(names, k.Kernel)
		}
	}
	return names
}

// Open checks that this machine can run the oracle and returns it. When it
// cannot, the error wraps ErrUnavailable and says why.
func Open() (*Oracle, error) {
	if runtime.GOOS != "linux" {
		return nil, fmt.Errorf("%w: not Linux (GOOS=%s)", ErrUnavailable, runtime.GOOS)
	}
	spec, err := btf.LoadKernelSpec()
	if err != nil {
		return nil, fmt.Errorf("%w: no kernel BTF: %v", ErrUnavailable, err)
	}
	if err := checkCaps(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}

	var cpumask *btf.Struct
	if err := spec.TypeByName("cpumask", &cpumask); err != nil {
		return nil, fmt.Errorf("%w: struct cpumask not in kernel BTF: %v", ErrUnavailable, err)
	}
	size, err := btf.Sizeof(cpumask)
	if err != nil {
		return nil, fmt.Errorf("%w: sizeof(struct cpumask): %v", ErrUnavailable, err)
	}
	nrCPUIDs, err := readNrCPUIDs()
	if err != nil {
		return nil, fmt.Errorf("%w: nr_cpu_ids: %v", ErrUnavailable, err)
	}

	target, err := progs.TargetFromBTF(spec, nrCPUIDs)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
	}
	o := &Oracle{
		target: target,
		topo:   DeriveTopology(size*8, nrCPUIDs),
		spec:   spec,
		ids:    make(map[string]btf.TypeID),
		progs:  make(map[progKey]*ebpf.Program),
	}
	var missing []string
	for _, name := range neededKfuncs() {
		if _, err := o.kfuncID(name); err != nil {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%w: kfunc missing from kernel BTF: %v", ErrUnavailable, missing)
	}

	// A kernel can have everything above and still refuse: lockdown, an
	// LSM, or cpumask kfuncs not registered for SYSCALL programs.
	if err := o.probe(); err != nil {
		return nil, fmt.Errorf("%w: create+release probe program: %v", ErrUnavailable, err)
	}
	return o, nil
}

// Topology returns the kernel's cpumask sizing: NR_CPUS from BTF,
// nr_cpu_ids from the possible-CPU list, and the derived widths.
func (o *Oracle) Topology() Topology { return o.topo }

// Close releases every cached program.
func (o *Oracle) Close() error {
	o.mu.Lock()
	defer o.mu.Unlock()
	var errs []error
	for k, p := range o.progs {
		errs = append(errs, p.Close())
		delete(o.progs, k)
	}
	return errors.Join(errs...)
}

// KfuncCall returns a call instruction for the named kernel kfunc, for
// hand-assembled programs (the verifier verdict tests build their own).
func (o *Oracle) KfuncCall(name string) (asm.Instruction, error) {
	id, err := o.kfuncID(name)
	if err != nil {
		return asm.Instruction{}, err
	}
	return kfuncCall(id), nil
}

// KernelBTF returns the kernel's BTF, for hand-assembled programs that
// need struct layouts (task_struct.cpus_ptr) or kernel types.
func (o *Oracle) KernelBTF() *btf.Spec { return o.spec }

func (o *Oracle) kfuncID(name string) (btf.TypeID, error) {
	o.idMu.Lock()
	defer o.idMu.Unlock()
	if id, ok := o.ids[name]; ok {
		return id, nil
	}
	var fn *btf.Func
	if err := o.spec.TypeByName(name, &fn); err != nil {
		return 0, fmt.Errorf("kfunc %q not in kernel BTF: %w", name, err)
	}
	id, err := o.spec.TypeID(fn)
	if err != nil {
		return 0, fmt.Errorf("BTF id of %q: %w", name, err)
	}
	o.ids[name] = id
	return id, nil
}

func kfuncCall(id btf.TypeID) asm.Instruction {
	return asm.Instruction{
		OpCode:   asm.OpCode(asm.JumpClass).SetJumpOp(asm.Call),
		Src:      asm.PseudoKfuncCall,
		Constant: int64(id),
	}
}

// LoadProgram loads insns as a sleepable SYSCALL program, the only program
// type that can be run from user space and call cpumask kfuncs. A verifier
// rejection is returned as *ebpf.VerifierError carrying the kernel's log.
func (o *Oracle) LoadProgram(name string, insns asm.Instructions) (*ebpf.Program, error) {
	return o.LoadWith(progs.Program{Name: name, Design: progs.Fixed, Insns: insns}, ebpf.ProgramOptions{LogSizeStart: 1 << 16})
}

// probe loads and runs the smallest program that owns a bpf_cpumask. It is
// deliberately not built by the invoke machinery, so a bug there fails tests
// instead of skipping them.
func (o *Oracle) probe() error {
	p, err := o.LoadProgram("oracle_probe", asm.Instructions{
		o.kf("bpf_cpumask_create"),
		asm.JEq.Imm(asm.R0, 0, "out"),
		asm.Mov.Reg(asm.R1, asm.R0),
		o.kf("bpf_cpumask_release"),
		asm.Mov.Imm(asm.R0, 0).WithSymbol("out"),
		asm.Return(),
	})
	if err != nil {
		return err
	}
	defer p.Close()
	_, err = p.Run(&ebpf.RunOptions{Context: make([]byte, 8)})
	return err
}
