package oracle

import (
	"encoding/binary"
	"fmt"
	"slices"
	"time"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
)

// CreateRelease names the cost row for one bpf_cpumask_create plus one
// bpf_cpumask_release, which only make sense as a pair.
const CreateRelease = "bpf_cpumask_create+bpf_cpumask_release"

// Cost is the in-kernel cost of one kfunc call, from a program that calls
// it Iterations times in a bpf_iter_num loop, timed from user space, minus
// the same program with the call left out.
type Cost struct {
	// Name is the kernel name, or CreateRelease.
	Name string
	// NsPerCall is (best op run - best baseline run) / Iterations.
	NsPerCall float64
	// LoopNs is the baseline's time per loop iteration (bpf_iter_num_next
	// and the jump), which NsPerCall excludes.
	LoopNs float64
	// Iterations is the number of calls per program run; Runs the number
	// of runs whose minimum was taken.
	Iterations, Runs int
	// NullCreates counts bpf_cpumask_create calls that returned NULL in
	// the fastest run (CreateRelease only): the per-CPU cache ran dry.
	NullCreates int
}

// costKey identifies a cached measurement program. fn == "" with pair set
// is create+release; empty drops the measured call.
type costKey struct {
	fn    kfunc
	pair  bool
	empty bool
}

// Context slots of a measurement program, after the kcall layout's status,
// detail and cpu slots.
const (
	slotIters = slotRets
	slotNulls = slotRets + 1
)

func (o *Oracle) costLayout(k costKey) layout {
	pk := progKey{fn: k.fn, repeat: 2}
	if k.fn.TakesSrc() {
		pk.srcLen = 8 * o.topo.ValidWords()
	}
	if k.pair {
		pk.fn = ""
	}
	l := o.layoutFor(pk)
	if k.pair {
		l.masks = 0
	}
	return l
}

// measureKfunc measures fn on masks holding every CPU below nr_cpu_ids
// (cpu argument 0, populate from a full valid-width source). The calling
// goroutine is pinned to CPU 0 for the measurement.
func (o *Oracle) measureKfunc(fn kfunc, iterations, runs int) (Cost, error) {
	if !fn.valid() {
		return Cost{}, fmt.Errorf("kfunc %q: %w", fn, ErrInvalidInput)
	}
	return o.measure(costKey{fn: fn}, fn.String(), iterations, runs)
}

// measureCreateRelease measures a bpf_cpumask_create, NULL check and
// bpf_cpumask_release per iteration. Released masks wait for an RCU grace
// period before reuse, so long loops drain the per-CPU cache: keep
// iterations small (tens) and see Cost.NullCreates.
func (o *Oracle) measureCreateRelease(iterations, runs int) (Cost, error) {
	return o.measure(costKey{pair: true}, CreateRelease, iterations, runs)
}

func (o *Oracle) measure(k costKey, name string, iterations, runs int) (Cost, error) {
	if iterations < 1 || runs < 1 {
		return Cost{}, fmt.Errorf("iterations %d, runs %d: %w", iterations, runs, ErrInvalidInput)
	}
	op, err := o.costProgram(k)
	if err != nil {
		return Cost{}, err
	}
	k.empty = true
	base, err := o.costProgram(k)
	if err != nil {
		return Cost{}, err
	}
	if unlock, err := LockToCPU(0); err == nil {
		defer unlock()
	}

	l := o.costLayout(k)
	buf := make([]byte, 8*l.slots())
	put := func(slot int, v uint64) { binary.NativeEndian.PutUint64(buf[8*slot:], v) }
	for i := range l.masks {
		for j := range l.validWords {
			put(l.maskSlot(i, j), validWord(o.topo.NrCPUIDs, j))
		}
	}
	for j := range l.srcWords {
		put(l.srcSlot(j), validWord(o.topo.NrCPUIDs, j))
	}
	put(slotIters, uint64(iterations))

	run := func(p *ebpf.Program) (time.Duration, int, error) {
		put(slotNulls, 0)
		start := time.Now()
		_, err := p.Run(&ebpf.RunOptions{Context: buf, ContextOut: buf})
		d := time.Since(start)
		if err != nil {
			return 0, 0, err
		}
		if s := binary.NativeEndian.Uint64(buf); s != 0 {
			return 0, 0, fmt.Errorf("%s: setup status %d: %w", name, s, ErrNoMem)
		}
		return d, int(binary.NativeEndian.Uint64(buf[8*slotNulls:])), nil
	}
	// Alternating op and baseline runs spreads frequency and cache drift
	// over both; the minimum is the least disturbed run of each.
	bestOp, bestBase, nulls := time.Duration(1<<62), time.Duration(1<<62), 0
	for range runs {
		d, nn, err := run(op)
		if err != nil {
			return Cost{}, fmt.Errorf("run %s: %w", name, err)
		}
		if d < bestOp {
			bestOp, nulls = d, nn
		}
		if d, _, err = run(base); err != nil {
			return Cost{}, fmt.Errorf("run %s baseline: %w", name, err)
		}
		bestBase = min(bestBase, d)
	}
	return Cost{
		Name:        name,
		NsPerCall:   float64(bestOp-bestBase) / float64(iterations),
		LoopNs:      float64(bestBase) / float64(iterations),
		Iterations:  iterations,
		Runs:        runs,
		NullCreates: nulls,
	}, nil
}

// validWord is word j of a mask with exactly the bits below n set.
func validWord(n, j int) uint64 {
	switch {
	case n >= 64*(j+1):
		return ^uint64(0)
	case n <= 64*j:
		return 0
	}
	return lastWordMask64(n - 64*j)
}

func lastWordMask64(n int) uint64 { return ^uint64(0) >> (64 - n) }

func (o *Oracle) costProgram(k costKey) (*ebpf.Program, error) {
	pk := progKey{cost: k}
	o.mu.Lock()
	defer o.mu.Unlock()
	if p, ok := o.progs[pk]; ok {
		return p, nil
	}
	p, err := o.LoadProgram("oracle_cost", o.costInsns(k))
	if err != nil {
		return nil, fmt.Errorf("load cost program for %v: %w", k, err)
	}
	o.progs[pk] = p
	return p, nil
}

func (o *Oracle) costInsns(k costKey) asm.Instructions {
	l := o.costLayout(k)
	itOff := l.srcOff() - 8 // struct bpf_iter_num
	var e emitter
	e.emit(asm.Mov.Reg(asm.R6, asm.R1))
	o.loadMasks(&e, loadPopulate, l)
	for j := range l.srcWords {
		e.emit(
			asm.LoadMem(asm.R1, asm.R6, ctxOff(l.srcSlot(j)), asm.DWord),
			asm.StoreMem(asm.RFP, l.srcOff()+int16(8*j), asm.R1, asm.DWord),
		)
	}
	e.emit(
		asm.LoadMem(asm.R3, asm.R6, ctxOff(slotIters), asm.DWord),
		asm.Mov.Reg(asm.R1, asm.RFP),
		asm.Add.Imm(asm.R1, int32(itOff)),
		asm.Mov.Imm(asm.R2, 0),
		o.kf("bpf_iter_num_new"),
	)
	e.label("loop")
	e.emit(
		asm.Mov.Reg(asm.R1, asm.RFP),
		asm.Add.Imm(asm.R1, int32(itOff)),
		o.kf("bpf_iter_num_next"),
		asm.JEq.Imm(asm.R0, 0, "done"),
	)
	switch {
	case k.empty:
	case k.pair:
		e.emit(
			o.kf("bpf_cpumask_create"),
			asm.JNE.Imm(asm.R0, 0, "created"),
			// Count NULLs in memory, not a register: a register counter
			// would be one more scalar for the iterator convergence check.
			asm.LoadMem(asm.R1, asm.R6, ctxOff(slotNulls), asm.DWord),
			asm.Add.Imm(asm.R1, 1),
			asm.StoreMem(asm.R6, ctxOff(slotNulls), asm.R1, asm.DWord),
			asm.Ja.Label("loop"),
		)
		e.label("created")
		e.emit(asm.Mov.Reg(asm.R1, asm.R0), o.kf("bpf_cpumask_release"))
	default:
		o.setArgs(&e, k.fn, l, l.srcWords*8)
		e.emit(o.kf(k.fn.String()))
	}
	e.emit(asm.Ja.Label("loop"))
	e.label("done")
	e.emit(
		asm.Mov.Reg(asm.R1, asm.RFP),
		asm.Add.Imm(asm.R1, int32(itOff)),
		o.kf("bpf_iter_num_destroy"),
	)
	o.releaseAndExit(&e, l.masks)
	return e.insns
}

// CostNames returns the Cost.Name of every row MeasureAll returns, in its
// order: each of Kfuncs() by its kernel name, then CreateRelease. A model
// compared with the kernel needs a number for each.
func CostNames() []string {
	var out []string
	for _, fn := range cpumaskKfuncs() {
		out = append(out, fn.String())
	}
	return append(out, CreateRelease)
}

// MeasureAll measures every kfunc and create+release, in Kfuncs() order
// with CreateRelease last (the names CostNames returns).
func (o *Oracle) MeasureAll(iterations, pairIterations, runs int) ([]Cost, error) {
	var out []Cost
	for _, fn := range cpumaskKfuncs() {
		c, err := o.measureKfunc(fn, iterations, runs)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	c, err := o.measureCreateRelease(pairIterations, runs*8)
	if err != nil {
		return nil, err
	}
	return slices.Concat(out, []Cost{c}), nil
}
