package oracle

import (
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"

	"github.com/bpfbitmap/prototype/kfuncs/progs"
)

// Target returns the running kernel's progs.Target: the struct offsets and
// sizes its programs are built for.
func (o *Oracle) Target() progs.Target { return o.target }

// Load loads p into the kernel as a sleepable SYSCALL program: each kfunc
// call gets the kernel's BTF id for its name, and each map p refers to is
// created from its Map spec (a one-entry array with that value BTF) and
// associated by name. The maps live as long as the program. Only the fixed
// design loads: the kernel has no bpf_bitmap kfuncs. A verifier rejection
// is returned as *ebpf.VerifierError carrying the kernel's log.
func (o *Oracle) Load(p progs.Program) (*ebpf.Program, error) {
	return o.LoadWith(p, ebpf.ProgramOptions{LogSizeStart: 1 << 16})
}

// LoadWith is Load with the caller's program options, for a verifier log
// at another level (the verifier model's differential tests compare the
// kernel's level-1 log and its statistics line). Maps that p declares but
// no instruction refers to are not created.
func (o *Oracle) LoadWith(p progs.Program, opts ebpf.ProgramOptions) (*ebpf.Program, error) {
	if p.Design != progs.Fixed {
		return nil, fmt.Errorf("%s: the kernel cannot load the %s design: %w", p.Name, p.Design, ErrInvalidInput)
	}
	insns := slices.Clone(p.Insns)
	for i, ins := range insns {
		if !ins.IsKfuncCall() {
			continue
		}
		name, ok := progs.KfuncName(ins)
		if !ok {
			if ins.Constant > 0 {
				continue // already a BTF id (KfuncCall)
			}
			return nil, fmt.Errorf("%s insn %d: kfunc call without a name: %w", p.Name, i, ErrInvalidInput)
		}
		id, err := o.kfuncID(name)
		if err != nil {
			return nil, fmt.Errorf("%s insn %d: %w", p.Name, i, err)
		}
		insns[i].Constant = int64(id)
	}
	refs := insns.ReferenceOffsets()
	for _, m := range p.Maps {
		if len(refs[m.Name]) == 0 {
			continue
		}
		mm, err := newValueMap(m)
		if err != nil {
			return nil, fmt.Errorf("%s: map %s: %w", p.Name, m.Name, err)
		}
		defer mm.Close() // the loaded program holds its own reference
		if err := insns.AssociateMap(m.Name, mm); err != nil {
			return nil, fmt.Errorf("%s: map %s: %w", p.Name, m.Name, err)
		}
	}
	return ebpf.NewProgramWithOptions(&ebpf.ProgramSpec{
		Name:         p.Name,
		Type:         ebpf.Syscall,
		Flags:        bpfFSleepable,
		License:      "GPL",
		Instructions: insns,
	}, opts)
}

// Run loads p, runs it once with the context progs describes (nr_cpus set
// to nr_cpu_ids) and returns the err the program left.
func (o *Oracle) Run(p progs.Program) (int32, error) {
	prog, err := o.Load(p)
	if err != nil {
		return 0, err
	}
	defer prog.Close()
	ctx := make([]byte, progs.CtxSize)
	binary.NativeEndian.PutUint64(ctx[progs.CtxNrCPUs:], uint64(o.topo.NrCPUIDs))
	if _, err := prog.Run(&ebpf.RunOptions{Context: ctx, ContextOut: ctx}); err != nil {
		return 0, fmt.Errorf("run %s: %w", p.Name, err)
	}
	return int32(binary.NativeEndian.Uint32(ctx[progs.CtxErr:])), nil
}

var btfInt = &btf.Int{Name: "int", Size: 4, Encoding: btf.Signed}

// newValueMap creates the one-entry array map m stands for (a .bss section
// or a selftest's map), named m.Name as the program refers to it. Past the
// kernel's kptr field limit the kernel refuses the value's BTF and
// cilium/ebpf, like libbpf, creates the map without it.
func newValueMap(m progs.Map) (*ebpf.Map, error) {
	return ebpf.NewMap(&ebpf.MapSpec{
		Name:       m.Name,
		Type:       ebpf.Array,
		KeySize:    4,
		ValueSize:  m.Value.Size,
		MaxEntries: 1,
		Key:        btfInt,
		Value:      m.Value,
	})
}
