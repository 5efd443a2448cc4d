package progs

import (
	"fmt"
	"strings"

	"github.com/cilium/ebpf/asm"

	"github.com/bpfbitmap/prototype/kfuncs"
)

// ErrCodeCast is the err a generic program leaves when
// bpf_bitmap_cast_to_cpumask returns NULL: its NULL path releases every
// reference the program holds, leaves any RCU read section and returns 0.
const ErrCodeCast = 100

// mask names where a program keeps one of its masks: a struct bpf_cpumask *
// in the fixed design, a struct bpf_bitmap * in the generic one. R7..R9
// survive kfunc calls; a fourth mask lives in a stack slot.
type mask uint8

const (
	m7 mask = iota
	m8
	m9
	mStack
	numMasks
)

// maskSlot is mStack's home: create_cpumask_set()'s fourth mask.
const maskSlot = -24

var maskRegs = [...]asm.Register{asm.R7, asm.R8, asm.R9}

// viewSlot is where the generic design keeps mask m's cast: the struct
// cpumask * that bpf_bitmap_cast_to_cpumask returned for it. The slots sit
// at the bottom of the 512-byte stack, below anything the ported programs
// use.
func viewSlot(m mask) int16 { return -480 - 8*int16(m) }

// maskState is what the builder knows of a mask on the path it is emitting.
type maskState struct {
	held    bool // a reference the program must release or move
	nonNull bool // NULL-checked on this path
	view    bool // generic: viewSlot holds its cast
}

// builder assembles one program for one design. A program says what a C
// program would ("pass mask m to bpf_cpumask_and as its second argument");
// the design decides what that is in instructions. The builder follows the
// path it emits as straight-line code; side paths (early returns) are
// emitted with the *Side methods or raw instructions and leave its state
// alone.
type builder struct {
	d       Design
	t       Target
	insns   asm.Instructions
	pending string
	n       int // label counter
	maps    []Map
	ms      [numMasks]maskState
	rcu     int // bpf_rcu_read_lock depth on the emitted path
}

func newBuilder(d Design, t Target) *builder {
	b := &builder{d: d, t: t}
	b.emit(asm.Mov.Reg(asm.R6, asm.R1)) // R6 = ctx for the whole program
	return b
}

func (b *builder) program(name string, want Want) Program {
	return Program{Name: name, Design: b.d, Insns: b.insns, Maps: b.maps, Want: want}
}

func (b *builder) emit(ins ...asm.Instruction) {
	for _, in := range ins {
		if b.pending != "" {
			in = in.WithSymbol(b.pending)
			b.pending = ""
		}
		b.insns = append(b.insns, in)
	}
}

// label names the next instruction. Two labels in a row get a "ja +0"
// between them, since an instruction carries one symbol.
func (b *builder) label(name string) {
	if b.pending != "" {
		b.emit(asm.Instruction{OpCode: asm.Ja.Op(asm.ImmSource)})
	}
	b.pending = name
}

func (b *builder) fresh(prefix string) string {
	b.n++
	return fmt.Sprintf("%s_%d", prefix, b.n)
}

// addMap declares a one-entry array map with the given value and returns
// its name, the value struct's name.
func (b *builder) addMap(m Map) string {
	b.maps = append(b.maps, m)
	return m.Name
}

// kernel returns the kfunc this design calls for the fixed design's name:
// the merged design's own functions (bpf_cpumask_create, _acquire,
// _release) have generic counterparts named as in kfuncs.Kfuncs, with
// Cpumask replaced by Bitmap in the Go name; every other function is the
// same in both designs.
func (b *builder) kernel(name string) string {
	if b.d != Generic {
		return name
	}
	row, ok := kfuncs.Kfuncs.Lookup(name)
	if !ok || row.Design != kfuncs.DesignMerged {
		return name
	}
	gen, ok := kfuncs.Kfuncs.Lookup(strings.Replace(row.Go, "Cpumask", "Bitmap", 1))
	if !ok {
		panic("progs: no generic counterpart of " + name)
	}
	return gen.Kernel
}

func (b *builder) kf(name string) asm.Instruction { return Call(b.kernel(name)) }

// storeImm64 emits *(u64 *)(dst + off) = imm. BPF_ST|BPF_DW is valid BPF
// (the immediate is sign-extended), but asm.StoreImm refuses DWord.
func storeImm64(dst asm.Register, off int16, imm int32) asm.Instruction {
	return asm.Instruction{OpCode: asm.StoreImmOp(asm.DWord), Dst: dst, Offset: off, Constant: int64(imm)}
}

func (b *builder) setErr(v int32) { b.emit(storeImm64(asm.R6, CtxErr, v)) }

func (b *builder) ret0() { b.emit(asm.Mov.Imm(asm.R0, 0), asm.Return()) }

func (b *builder) failReturn(errCode int32) {
	if errCode != 0 {
		b.setErr(errCode)
	}
	b.ret0()
}

// load emits dst = mask m (the object pointer, never its cast).
func (b *builder) load(dst asm.Register, m mask) asm.Instruction {
	if m == mStack {
		return asm.LoadMem(dst, asm.RFP, maskSlot, asm.DWord)
	}
	return asm.Mov.Reg(dst, maskRegs[m])
}

// store emits mask m = src.
func (b *builder) store(m mask, src asm.Register) asm.Instruction {
	if m == mStack {
		return asm.StoreMem(asm.RFP, maskSlot, src, asm.DWord)
	}
	return asm.Mov.Reg(maskRegs[m], src)
}

func (b *builder) reg(m mask) asm.Register {
	if m == mStack {
		panic("progs: the stack mask has no register")
	}
	return maskRegs[m]
}

// createCall emits the design's allocation: bpf_cpumask_create(), or
// bpf_bitmap_create(nr_cpus) with nr_cpus read from the context.
func (b *builder) createCall() {
	if b.d == Generic {
		b.emit(asm.LoadMem(asm.R1, asm.R6, CtxNrCPUs, asm.DWord))
	}
	b.emit(b.kf("bpf_cpumask_create"))
}

// releaseSide emits the release of m without changing what the builder
// knows: for side paths that end in a return.
func (b *builder) releaseSide(m mask) {
	b.emit(b.load(asm.R1, m), b.kf("bpf_cpumask_release"))
}

// release emits the release of m on the main path.
func (b *builder) release(m mask) {
	b.releaseSide(m)
	b.ms[m] = maskState{}
}

// created records that m holds a new reference, maybe NULL.
func (b *builder) created(m mask, nonNull bool) {
	b.ms[m] = maskState{held: true, nonNull: nonNull}
}

// loaded records that m holds a pointer the program does not own (a kptr
// read, RCU-protected inside bpf_rcu_read_lock), maybe NULL.
func (b *builder) loaded(m mask) { b.ms[m] = maskState{} }

// nonNull records that the emitted path has NULL-checked ms.
func (b *builder) nonNull(ms ...mask) {
	for _, m := range ms {
		b.ms[m].nonNull = true
	}
}

// cast makes sure mask m's cast is in its view slot (generic design; the
// fixed design's bpf_cpumask is its own cpumask). The NULL path of the
// check releases every reference the path holds, leaves RCU and returns,
// as a C program would.
func (b *builder) cast(m mask) {
	if b.d != Generic || b.ms[m].view {
		return
	}
	ok := b.fresh("cast_ok")
	b.emit(b.load(asm.R1, m), Call("bpf_bitmap_cast_to_cpumask"), asm.JNE.Imm(asm.R0, 0, ok))
	b.unwindSide()
	b.setErr(ErrCodeCast)
	b.ret0()
	b.label(ok)
	b.emit(asm.StoreMem(asm.RFP, viewSlot(m), asm.R0, asm.DWord))
	b.ms[m].view = true
}

// unwindSide releases every reference the path holds (testing those not
// known to be non-NULL) and leaves every RCU read section.
func (b *builder) unwindSide() {
	for m := range numMasks {
		if !b.ms[m].held {
			continue
		}
		if b.ms[m].nonNull {
			b.releaseSide(m)
			continue
		}
		skip := b.fresh("null")
		b.emit(b.load(asm.R1, m), asm.JEq.Imm(asm.R1, 0, skip), b.kf("bpf_cpumask_release"))
		b.label(skip)
		b.emit(asm.Mov.Reg(asm.R0, asm.R0)) // a landing pad for the label
	}
	for range b.rcu {
		b.emit(Call("bpf_rcu_read_unlock"))
	}
}

// viewArg emits dst = the mask as a cpumask kfunc takes it: the object in
// the fixed design, its cast in the generic one.
func (b *builder) viewArg(dst asm.Register, m mask) asm.Instruction {
	if b.d == Generic {
		return asm.LoadMem(dst, asm.RFP, viewSlot(m), asm.DWord)
	}
	return b.load(dst, m)
}

// takesView reports whether the kernel function name takes masks as
// struct cpumask / struct bpf_cpumask pointers that the generic design
// passes as casts: the cpumask kfuncs both designs share.
func takesView(name string) bool {
	row, ok := kfuncs.Kfuncs.Lookup(name)
	return ok && row.Kernel == name && row.Design == kfuncs.DesignShared && strings.HasPrefix(name, "bpf_cpumask_")
}

// isMaskParam reports whether a parameter is a pointer to a cpumask.
func isMaskParam(p kfuncs.Param) bool {
	return p.Kind == kfuncs.ParamStruct && (p.Struct == "cpumask" || p.Struct == "bpf_cpumask")
}

// kcall emits a kfunc call in the fixed design's terms. Arguments go to
// R1.. in order: an int is an immediate, an asm.Register is copied as is,
// a mask is the mask as the kfunc's parameter takes it in this design.
func (b *builder) kcall(name string, args ...any) {
	row, ok := Lookup(name)
	if !ok {
		panic("progs: unknown kfunc " + name)
	}
	sig, err := row.Signature()
	if err != nil {
		panic(err)
	}
	view := func(i int) bool {
		return b.d == Generic && takesView(name) && i < len(sig.Params) && isMaskParam(sig.Params[i])
	}
	// Casts clobber R0..R5, so they all come before the first argument.
	for i, a := range args {
		if m, ok := a.(mask); ok && view(i) {
			b.cast(m)
		}
	}
	for i, a := range args {
		r := asm.R1 + asm.Register(i)
		switch a := a.(type) {
		case mask:
			if view(i) {
				b.emit(b.viewArg(r, a))
			} else {
				b.emit(b.load(r, a))
			}
		case int:
			b.emit(asm.Mov.Imm(r, int32(a)))
		case asm.Register:
			b.emit(asm.Mov.Reg(r, a))
		default:
			panic(fmt.Sprintf("progs: kcall argument %T", a))
		}
	}
	b.emit(b.kf(name))
}

// createCpumask is cpumask_common.h's create_cpumask() inlined: m ends up
// holding a new empty mask or NULL, with err set on failure.
func (b *builder) createCpumask(m mask) {
	dst := b.reg(m)
	ok, done := b.fresh("created"), b.fresh("create_done")
	b.createCall()
	b.emit(asm.JNE.Imm(asm.R0, 0, ok))
	b.setErr(1)
	b.emit(asm.Mov.Imm(dst, 0), asm.Ja.Label(done))
	b.label(ok)
	b.emit(asm.Mov.Reg(dst, asm.R0))
	b.checkEmpty(m, done)
	b.emit(asm.Mov.Imm(dst, 0))
	b.label(done)
	b.emit(asm.Mov.Reg(dst, dst)) // a landing pad for the label
	b.ms[m].nonNull = false       // NULL on the failure paths
}

// checkEmpty is create_cpumask()'s test of a mask just created and kept in
// m (R0 still holds it): jump to ok if bpf_cpumask_empty(m), else set err
// to 2 and release m. The generic design casts m first, as every mask
// handed to a cpumask kfunc is.
func (b *builder) checkEmpty(m mask, ok string) {
	b.created(m, true)
	if b.d == Generic {
		b.cast(m)
		b.emit(b.viewArg(asm.R1, m))
	} else {
		b.emit(asm.Mov.Reg(asm.R1, asm.R0))
	}
	b.emit(
		b.kf("bpf_cpumask_empty"),
		asm.And.Imm(asm.R0, 0xff),
		asm.JNE.Imm(asm.R0, 0, ok),
	)
	b.setErr(2)
	b.releaseSide(m)
}

// ifZeroReturn emits "if (!r) return 0;".
func (b *builder) ifZeroReturn(r asm.Register) {
	cont := b.fresh("nonzero")
	b.emit(asm.JNE.Imm(r, 0, cont))
	b.ret0()
	b.label(cont)
}

// ifNullReturn emits "if (!m) return 0;" for a mask.
func (b *builder) ifNullReturn(m mask) {
	b.ifZeroReturn(b.reg(m))
	b.nonNull(m)
}

// currentTask leaves a trusted task_struct * in dst, standing in for the
// tracepoint's task argument.
func (b *builder) currentTask(dst asm.Register) {
	b.emit(asm.FnGetCurrentTaskBtf.Call(), asm.Mov.Reg(dst, asm.R0))
}

// cpusPtr emits dst = task->cpus_ptr.
func (b *builder) cpusPtr(dst, task asm.Register) asm.Instruction {
	return asm.LoadMem(dst, task, b.t.CpusPtrOffset, asm.DWord)
}

func (b *builder) rcuLock() {
	b.emit(Call("bpf_rcu_read_lock"))
	b.rcu++
}

func (b *builder) rcuUnlock() {
	b.emit(Call("bpf_rcu_read_unlock"))
	b.rcu--
}

// mapValue emits dst = &value[off] of map name, as libbpf addresses a
// global variable.
func (b *builder) mapValue(dst asm.Register, name string, off int) {
	b.emit(asm.LoadMapValue(dst, 0, uint32(off)).WithReference(name))
}

// kptrXchg emits r0 = bpf_kptr_xchg(&value[off], m): m's reference moves
// into the map, and R0 holds the old one.
func (b *builder) kptrXchg(name string, off int, m mask) {
	b.emit(b.load(asm.R2, m))
	b.mapValue(asm.R1, name, off)
	b.emit(asm.FnKptrXchg.Call())
	b.ms[m] = maskState{}
}

// adopt emits m = R0 after bpf_kptr_xchg: m holds the old kptr's
// reference, maybe NULL.
func (b *builder) adopt(m mask) {
	b.emit(b.store(m, asm.R0))
	b.created(m, false)
}

// loadKptr emits dst = value[off]: a direct (RCU) read of the kptr slot.
func (b *builder) loadKptr(dst asm.Register, name string, off int) {
	b.mapValue(asm.R1, name, off)
	b.emit(asm.LoadMem(dst, asm.R1, 0, asm.DWord))
}

// loadKptrMask is loadKptr into a mask the program then uses.
func (b *builder) loadKptrMask(m mask, name string, off int) {
	b.loadKptr(b.reg(m), name, off)
	b.loaded(m)
}

// mapLookup emits r0 = bpf_map_lookup_elem(map, &(u32){0}).
func (b *builder) mapLookup(name string) {
	b.emit(
		asm.StoreImm(asm.RFP, -4, 0, asm.Word),
		asm.LoadMapPtr(asm.R1, 0).WithReference(name),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, -4),
		asm.FnMapLookupElem.Call(),
	)
}

// mapInsert is cpumask_map_insert(mask) inlined; on any failure it
// returns 0 from the program, as every caller in the selftests does.
func (b *builder) mapInsert(name string, m mask, onFailErr int32) {
	updated, found, empty := b.fresh("updated"), b.fresh("found"), b.fresh("slot_empty")
	b.emit(
		asm.StoreImm(asm.RFP, -4, 0, asm.Word), // key
		storeImm64(asm.RFP, -16, 0),            // local.cpumask = NULL
		asm.LoadMapPtr(asm.R1, 0).WithReference(name),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, -4),
		asm.Mov.Reg(asm.R3, asm.RFP),
		asm.Add.Imm(asm.R3, -16),
		asm.Mov.Imm(asm.R4, 0),
		asm.FnMapUpdateElem.Call(),
		asm.JEq.Imm(asm.R0, 0, updated),
	)
	b.releaseSide(m)
	b.failReturn(onFailErr)
	b.label(updated)
	b.mapLookup(name)
	b.emit(asm.JNE.Imm(asm.R0, 0, found))
	b.releaseSide(m)
	b.failReturn(onFailErr)
	b.label(found)
	b.emit(asm.Mov.Reg(asm.R1, asm.R0), b.load(asm.R2, m), asm.FnKptrXchg.Call())
	b.ms[m] = maskState{}
	b.emit(asm.JEq.Imm(asm.R0, 0, empty))
	b.emit(asm.Mov.Reg(asm.R1, asm.R0), b.kf("bpf_cpumask_release"))
	b.failReturn(onFailErr)
	b.label(empty)
	b.emit(asm.Mov.Reg(b.reg(m), b.reg(m)))
}
