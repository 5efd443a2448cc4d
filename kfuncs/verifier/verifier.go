// Package verifier is a static model of the Linux 6.18 BPF verifier for
// programs that use the cpumask kfuncs, and of the rules the bpf_bitmap
// proposal would need.
//
// Verify reads github.com/cilium/ebpf/asm instructions as the kernel's
// do_check reads a BPF_PROG_TYPE_SYSCALL program loaded sleepable by root:
// it tracks the type of every register and 8-byte stack slot, explores
// every branch depth-first in the kernel's order (the jump target is
// pushed, the fall-through runs first), refines NULL-ness on `if rX == 0`
// and `!= 0`, numbers ids and references as env->id_gen does, and checks
// each kfunc call by the flags and prototype of its row in kfuncs.Kfuncs,
// not by per-function code. It prunes where the kernel prunes (register
// liveness, scalar precision, the checkpoint heuristics), so its count of
// processed instructions is the kernel's. The first rejection ends
// verification, as in the kernel, and comes back as an *Error carrying the
// kernel's message; with Config.Log, also the kernel's level-1 log.
//
// Anything outside the modelled subset (other helpers and kfuncs,
// bpf-to-bpf calls, atomics, variable offsets, fields of kernel structs
// other than task_struct->cpus_ptr) is refused with an error wrapping
// ErrUnsupported, never accepted by default. docs/verifier.md lists every
// rule with the kernel function it comes from.
package verifier

import (
	"fmt"
	"math"
	"syscall"

	"github.com/cilium/ebpf/asm"

	"github.com/bpfbitmap/prototype/kfuncs/progs"
)

// Limits of the kernel's do_check (BPF_COMPLEXITY_LIMIT_INSNS,
// BPF_COMPLEXITY_LIMIT_JMP_SEQ).
const (
	complexityLimitInsns = 1000000
	complexityLimitJmps  = 8192
)

// Config is what Verify needs besides the instructions.
type Config struct {
	// Maps are the maps the program refers to by symbol.
	Maps []progs.Map
	// Target describes the kernel build: nr_cpu_ids (the proposal's cast
	// of a bitmap created with another constant size is known NULL),
	// sizeof(struct cpumask), offsetof(struct task_struct, cpus_ptr) (the
	// one kernel-struct field programs may load) and BTF_FIELDS_MAX.
	Target progs.Target
	// Log asks for the level-1 verifier log in Result.Log (accepted
	// programs) or Error.Log (rejected ones).
	Log bool
}

// Stats counts what a program costs its writer and the verifier.
type Stats struct {
	// Insns is the program's length in raw instructions.
	Insns int
	// Processed is the number of instructions simulated over all paths,
	// the kernel's "processed N insns": the model prunes where the kernel
	// does (its prune points, checkpoint heuristic and register liveness),
	// and the differential test checks the count equals the kernel's.
	Processed int
	// KfuncCalls is the number of kfunc call instructions the model
	// reached.
	KfuncCalls int
	// NullChecks is the number of distinct instructions that were a NULL
	// test (64-bit JEQ/JNE against 0) of a maybe-NULL pointer on some
	// path: the NULL checks the verifier made the program write.
	NullChecks int
}

// Result is the outcome of verifying an accepted program.
type Result struct {
	Stats Stats
	// Log is the level-1 log when Config.Log was set: on success the
	// kernel keeps only the summary line.
	Log string
}

// env is struct bpf_verifier_env for one Verify call.
type env struct {
	cfg  Config
	prog *program

	idGen     uint32
	processed int
	// jmps counts jump-class instructions (calls and exits too); prevJmps
	// and prevProcessed are both counts at the last stored checkpoint.
	jmps, prevJmps, prevProcessed int
	// The state counts of the kernel's summary line.
	totalStates, liveStates, peakStates, maxStatesPerInsn, freeList, backedges int
	kfuncSeen                                                                  map[int]bool
	nullSeen                                                                   map[int]bool

	stack []*state
	cur   *state
	ckpts map[int][]*ckpt
	log   *vlog // nil unless Config.Log
}

// VerifyProgram verifies p for the kernel build t.
func VerifyProgram(p progs.Program, t progs.Target, log bool) (*Result, error) {
	return Verify(p.Insns, Config{Maps: p.Maps, Target: t, Log: log})
}

// Verify checks insns as the 6.18 verifier would. It returns a *Error for
// a program the verifier rejects, an error wrapping ErrUnsupported for one
// outside the model and ErrInvalid for malformed input.
func Verify(insns asm.Instructions, cfg Config) (*Result, error) {
	p, err := loadProgram(insns, cfg)
	if err != nil {
		return nil, err
	}
	e := &env{cfg: cfg, prog: p, kfuncSeen: map[int]bool{}, nullSeen: map[int]bool{}, ckpts: map[int][]*ckpt{}}
	if cfg.Log {
		e.log = &vlog{}
	}
	if err := e.checkCFG(); err != nil {
		return nil, e.finish(err)
	}
	if err := e.run(); err != nil {
		return nil, e.finish(err)
	}
	res := &Result{Stats: e.stats()}
	if cfg.Log {
		res.Log = e.summary()
	}
	return res, nil
}

func (e *env) stats() Stats {
	return Stats{Insns: len(e.prog.code), Processed: e.processed, KfuncCalls: len(e.kfuncSeen), NullChecks: len(e.nullSeen)}
}

// summary is the kernel's last log line. The state counts are the model's
// checkpoints, which the kernel stores by other heuristics.
func (e *env) summary() string {
	return fmt.Sprintf("processed %d insns (limit %d) max_states_per_insn %d total_states %d peak_states %d mark_read 0\n",
		e.processed, complexityLimitInsns, e.maxStatesPerInsn, e.totalStates, e.peakStates)
}

func (e *env) finish(err error) error {
	if ve, ok := err.(*Error); ok {
		ve.Stats = e.stats()
	}
	if ve, ok := err.(*Error); ok && e.log != nil {
		e.log.printf("%s\n", ve.Msg)
		e.log.printf("%s", e.summary())
		ve.Log = string(e.log.buf)
	}
	return err
}

// reject is verbose() followed by a return of -errno.
func (e *env) reject(errno syscall.Errno, format string, args ...any) *Error {
	insn := -1
	if e.cur != nil {
		insn = e.cur.pc
	}
	return &Error{Insn: insn, Msg: fmt.Sprintf(format, args...), Errno: errno}
}

func (e *env) run() error {
	st := &state{}
	for i := range st.regs {
		st.regs[i].bits = -1
	}
	st.regs[asm.R1] = reg{typ: ptrToCtx, bits: -1}
	st.regs[asm.RFP] = reg{typ: ptrToStack, bits: -1}
	for i := range st.stack {
		st.stack[i].spilled.bits = -1
	}
	e.cur = st
	e.scratchAll()
	for {
		done, err := e.step()
		if err != nil {
			return err
		}
		if !done {
			continue
		}
		e.pathDone(e.cur.parent)
		if len(e.stack) == 0 {
			return nil
		}
		e.cur = e.stack[len(e.stack)-1]
		e.stack = e.stack[:len(e.stack)-1]
		if e.log != nil {
			e.log.buf = e.log.buf[:e.cur.logLen]
		}
		e.scratchAll()
	}
}

// push is push_stack: the other branch, to be explored after this one.
func (e *env) push(st *state) error {
	if len(e.stack) > complexityLimitJmps {
		return e.reject(syscall.E2BIG, "The sequence of %d jumps is too complex.", len(e.stack))
	}
	if e.log != nil {
		st.logLen = len(e.log.buf)
	}
	if st.parent != nil {
		st.parent.branches++
	}
	e.stack = append(e.stack, st)
	return nil
}

func (e *env) newID() uint32 {
	e.idGen++
	return e.idGen
}

// step simulates the instruction at e.cur.pc. done reports that the path
// ended (exit, bpf_throw).
func (e *env) step() (done bool, err error) {
	st := e.cur
	e.processed++
	if e.processed > complexityLimitInsns {
		return false, e.reject(syscall.E2BIG, "BPF program is too large. Processed %d insn", e.processed)
	}
	if e.isPrunePoint(st.pc) {
		pruned, err := e.visit()
		if err != nil || pruned {
			if pruned && e.log != nil {
				e.log.printf("%d: safe\n", st.pc)
			}
			return pruned, err
		}
	}
	ins := &e.prog.code[st.pc]
	if ins.OpCode.Class().IsJump() {
		e.jmps++
	}
	st.hist = append(st.hist, histEntry{pc: st.pc, spi: -1})
	if l := e.log; l != nil {
		if l.scratched() {
			e.printInsnState(st)
		}
		l.prevLogPos = len(l.buf)
		l.printf("%d: (%02x) %s\n", st.pc, uint8(ins.OpCode), disasm(ins, e.prog.targets[st.pc], st.pc))
		l.prevInsnPrintPos = len(l.buf) - l.prevLogPos
		l.prevLogPos = len(l.buf)
	}
	switch cls := ins.OpCode.Class(); {
	case cls.IsALU():
		err = e.alu(ins)
		st.pc++
	case cls == asm.LdXClass:
		err = e.ldx(ins)
		st.pc++
	case cls == asm.StXClass || cls == asm.StClass:
		err = e.store(ins)
		st.pc++
	case cls == asm.LdClass && ins.OpCode.IsDWordLoad():
		err = e.ldImm64(ins)
		st.pc += 2
	case cls.IsJump():
		return e.jump(ins)
	default:
		err = unsupported(st.pc, "instruction class %v", cls)
	}
	return false, err
}

// readReg is check_reg_arg(SRC_OP).
func (e *env) readReg(r asm.Register) (*reg, error) {
	if r > asm.RFP {
		return nil, e.reject(syscall.EINVAL, "R%d is invalid", r)
	}
	e.scratchReg(r)
	rg := &e.cur.regs[r]
	if rg.typ == notInit {
		return nil, e.reject(syscall.EACCES, "R%d !read_ok", r)
	}
	return rg, nil
}

// writeReg is check_reg_arg(DST_OP).
func (e *env) writeReg(r asm.Register) error {
	if r > asm.RFP {
		return e.reject(syscall.EINVAL, "R%d is invalid", r)
	}
	if r == asm.RFP {
		return e.reject(syscall.EACCES, "frame pointer is read only")
	}
	e.scratchReg(r)
	return nil
}

func (e *env) alu(ins *asm.Instruction) error {
	op := ins.OpCode.ALUOp()
	alu32 := ins.OpCode.Class() == asm.ALUClass
	src := ins.OpCode.Source()
	if op == asm.Swap || op == asm.Neg || op == asm.Div || op == asm.Mod {
		return unsupported(e.cur.pc, "ALU operation %v", op)
	}
	var s reg
	if src == asm.RegSource {
		r, err := e.readReg(ins.Src)
		if err != nil {
			return err
		}
		s = *r
	} else if alu32 {
		s = constReg(uint64(uint32(ins.Constant)))
	} else {
		s = constReg(uint64(ins.Constant))
	}
	if op != asm.Mov {
		if _, err := e.readReg(ins.Dst); err != nil {
			return err
		}
	}
	if err := e.writeReg(ins.Dst); err != nil {
		return err
	}
	dst := &e.cur.regs[ins.Dst]
	if op == asm.Mov {
		if ins.Offset != 0 {
			return unsupported(e.cur.pc, "sign-extending mov")
		}
		if src == asm.ImmSource {
			*dst = s
			return nil
		}
		srcReg := &e.cur.regs[ins.Src]
		if !alu32 {
			e.assignScalarID(srcReg)
			*dst = *srcReg
			return nil
		}
		if srcReg.isPointer() {
			return e.reject(syscall.EACCES, "R%d partial copy of pointer", ins.Src)
		}
		fits := srcReg.width() <= 32
		if fits {
			e.assignScalarID(srcReg)
		}
		*dst = *srcReg
		if !fits {
			dst.id = 0
		}
		zext32(dst)
		return nil
	}
	if dst.isPointer() || s.isPointer() {
		return e.pointerALU(ins, op, alu32, dst, &s)
	}
	return e.scalarALU(op, alu32, dst, &s, src == asm.RegSource && ins.Src == ins.Dst)
}

// assignScalarID is assign_scalar_id_before_mov.
func (e *env) assignScalarID(r *reg) {
	if r.typ != scalarValue {
		return
	}
	if r.id&addConst != 0 {
		r.id = 0
	}
	if r.id == 0 && !r.known() {
		r.id = e.newID()
	}
}

func zext32(r *reg) {
	if r.known() {
		v := uint64(uint32(r.umin))
		r.umin, r.umax = v, v
		return
	}
	if r.umax > math.MaxUint32 {
		r.umin, r.umax = 0, math.MaxUint32
	}
}

func (e *env) scalarALU(op asm.ALUOp, alu32 bool, dst, s *reg, self bool) error {
	if dst.known() && s.known() {
		a, b := dst.umin, s.umin
		var v uint64
		switch op {
		case asm.Add:
			v = a + b
		case asm.Sub:
			v = a - b
		case asm.Mul:
			v = a * b
		case asm.And:
			v = a & b
		case asm.Or:
			v = a | b
		case asm.Xor:
			v = a ^ b
		case asm.LSh:
			v = a << (b & 63)
		case asm.RSh:
			if alu32 {
				v = uint64(uint32(a) >> (b & 31))
			} else {
				v = a >> (b & 63)
			}
		case asm.ArSh:
			if alu32 {
				v = uint64(uint32(int32(a) >> (b & 31)))
			} else {
				v = uint64(int64(a) >> (b & 63))
			}
		default:
			return unsupported(e.cur.pc, "ALU operation %v", op)
		}
		*dst = constReg(v)
		if alu32 {
			zext32(dst)
		}
		return nil
	}
	oldID := dst.id
	umax := uint64(math.MaxUint64)
	if op == asm.And {
		umax = min(dst.umax, s.umax)
	}
	*dst = reg{typ: scalarValue, umax: umax, bits: -1}
	if alu32 {
		zext32(dst)
	}
	// adjust_reg_min_max_vals keeps a link for rX += const (BPF_ADD_CONST)
	// and clears the id otherwise.
	if (op == asm.Add || op == asm.Sub) && oldID != 0 && s.known() && !self && oldID&addConst == 0 && !alu32 &&
		int64(s.umin) >= math.MinInt32 && int64(s.umin) <= math.MaxInt32 {
		dst.id = oldID | addConst
	}
	return nil
}

func (e *env) pointerALU(ins *asm.Instruction, op asm.ALUOp, alu32 bool, dst, s *reg) error {
	pc := e.cur.pc
	if alu32 {
		return e.reject(syscall.EACCES, "R%d 32-bit pointer arithmetic prohibited", ins.Dst)
	}
	if !dst.isPointer() {
		return unsupported(pc, "scalar %v pointer", op)
	}
	if s.isPointer() {
		return unsupported(pc, "pointer %v pointer", op)
	}
	if dst.maybeNull() {
		return e.reject(syscall.EACCES, "R%d pointer arithmetic on %s prohibited, null-check it first", ins.Dst, dst.typeStr())
	}
	if op != asm.Add && op != asm.Sub {
		return unsupported(pc, "%v on a pointer", op)
	}
	if !s.known() {
		return unsupported(pc, "pointer arithmetic with an unknown scalar")
	}
	switch dst.typ {
	case ptrToStack, ptrToMapValue, ptrToBTFID:
	default:
		return unsupported(pc, "arithmetic on %s", dst.typeStr())
	}
	d := int64(s.umin)
	if op == asm.Sub {
		d = -d
	}
	if ins.OpCode.Source() == asm.RegSource {
		e.markPrecise(e.cur, 1<<ins.Src, 0)
	}
	off := int64(dst.off) + d
	if off >= 1<<29 || off <= -(1<<29) {
		return unsupported(pc, "pointer offset %d", off)
	}
	dst.off = int32(off)
	return nil
}

func accessSize(ins *asm.Instruction) int {
	switch ins.OpCode.Size() {
	case asm.Byte:
		return 1
	case asm.Half:
		return 2
	case asm.Word:
		return 4
	}
	return 8
}

func (e *env) ldx(ins *asm.Instruction) error {
	if ins.OpCode.Mode() != asm.MemMode {
		return unsupported(e.cur.pc, "load mode %v", ins.OpCode.Mode())
	}
	base, err := e.readReg(ins.Src)
	if err != nil {
		return err
	}
	if err := e.writeReg(ins.Dst); err != nil {
		return err
	}
	size := accessSize(ins)
	val, err := e.memRead(ins.Src, base, int64(ins.Offset), size, ins)
	if err != nil {
		return err
	}
	if val.typ == scalarValue && size < 8 {
		coerce(&val, size)
	}
	e.cur.regs[ins.Dst] = val
	return nil
}

// coerce is coerce_reg_to_size: a narrow load zero-extends.
func coerce(r *reg, size int) {
	mask := uint64(1)<<(8*size) - 1
	if r.known() {
		v := r.umin & mask
		r.umin, r.umax = v, v
		return
	}
	if r.umax > mask {
		r.umin, r.umax = 0, mask
		r.id = 0
	}
}

// memRead is check_mem_access for BPF_READ; it returns the loaded value.
func (e *env) memRead(regno asm.Register, base *reg, insOff int64, size int, ins *asm.Instruction) (reg, error) {
	off := int64(base.off) + insOff
	switch base.typ {
	case ptrToStack:
		if err := e.stackBounds(regno, off, size, " read from"); err != nil {
			return reg{}, err
		}
		return e.stackRead(off, size)
	case ptrToCtx:
		if err := e.ctxAccess(base, insOff, size); err != nil {
			return reg{}, err
		}
		return unknownReg(), nil
	case ptrToMapValue:
		if base.maybeNull() {
			break
		}
		if err := e.mapAccess(regno, base, off, size, true); err != nil {
			return reg{}, err
		}
		if f, ok := base.m.field(off); ok {
			if ins.OpCode.Mode() != asm.MemMode {
				return reg{}, e.reject(syscall.EACCES, "kptr in map can only be accessed using BPF_MEM instruction mode")
			}
			// btf_ld_kptr_type: a referenced kptr of an RCU-protected
			// type is MEM_RCU inside an RCU section, untrusted outside.
			flag := ptrMaybeNull | ptrUntrusted
			if e.cur.rcu && rcuProtected(f.pointee) {
				flag = ptrMaybeNull | memRCU
			}
			return reg{typ: ptrToBTFID, flag: flag, btf: f.pointee, id: e.newID(), bits: -1}, nil
		}
		return unknownReg(), nil
	case ptrToBTFID:
		if base.maybeNull() {
			break
		}
		return e.btfRead(regno, base, off, size)
	case ptrToMem:
		if base.maybeNull() {
			break
		}
		if err := e.memRegion(regno, base, off, size); err != nil {
			return reg{}, err
		}
		return unknownReg(), nil
	}
	return reg{}, e.reject(syscall.EACCES, "R%d invalid mem access '%s'", regno, base.typeStr())
}

// memRegion is check_mem_region_access for PTR_TO_MEM.
func (e *env) memRegion(regno asm.Register, base *reg, off int64, size int) error {
	if off < 0 || off+int64(size) > int64(base.memSize) {
		return e.reject(syscall.EACCES, "invalid access to memory, mem_size=%d off=%d size=%d\nR%d min value is outside of the allowed memory range",
			base.memSize, off, size, regno)
	}
	return nil
}

// rcuProtected is rcu_protected_object (kernel/bpf/btf.c's
// rcu_protected_types): bpf_cpumask in the kernel, and bpf_bitmap in the
// proposal, whose release is RCU-deferred the same way.
func rcuProtected(name string) bool { return name == "bpf_cpumask" || name == "bpf_bitmap" }

func (e *env) stackBounds(regno asm.Register, off int64, size int, what string) error {
	if off < -maxStack || off+int64(size) > 0 || size < 0 {
		return e.reject(syscall.EACCES, "invalid%s stack R%d off=%d size=%d", what, regno, off, size)
	}
	return nil
}

// stackRead is check_stack_read_fixed_off for a root loader.
func (e *env) stackRead(off int64, size int) (reg, error) {
	slotIdx := int(-off - 1)
	spi := slotIdx / 8
	e.scratchSlot(spi)
	s := &e.cur.stack[spi]
	if s.isSpill() {
		if size == 8 && off%8 == 0 {
			e.cur.hist[len(e.cur.hist)-1].spi = spi
			return s.spilled, nil
		}
		if s.spilled.typ != scalarValue {
			return reg{}, e.reject(syscall.EACCES, "invalid size of register fill")
		}
		v := unknownReg()
		return v, nil
	}
	zero := true
	for i := 0; i < size; i++ {
		b := (slotIdx - i) % 8
		if s.types[b] != stackZero {
			zero = false
		}
	}
	if zero {
		return constReg(0), nil
	}
	return unknownReg(), nil
}

// ctxAccess is the SYSCALL program's ctx check (syscall_prog_is_valid_access).
func (e *env) ctxAccess(base *reg, off int64, size int) error {
	if base.off != 0 {
		return e.reject(syscall.EACCES, "dereference of modified ctx ptr R%d off=%d disallowed", 0, base.off)
	}
	if off < 0 || off >= math.MaxUint16 || off%int64(size) != 0 {
		return e.reject(syscall.EACCES, "invalid bpf_context access off=%d size=%d", off, size)
	}
	return nil
}

// mapAccess is check_map_access: bounds, then the kptr fields' rules.
func (e *env) mapAccess(regno asm.Register, base *reg, off int64, size int, direct bool) error {
	if off < 0 || off+int64(size) > int64(base.m.size) {
		// __check_mem_access, then check_mem_region_access's own line.
		return e.reject(syscall.EACCES, "invalid access to map value, value_size=%d off=%d size=%d\nR%d min value is outside of the allowed memory range",
			base.m.size, off, size, regno)
	}
	for _, f := range base.m.fields {
		p := int64(f.off)
		if off < p+8 && p < off+int64(size) {
			if !direct {
				return e.reject(syscall.EACCES, "kptr cannot be accessed indirectly by helper")
			}
			if p != off {
				return e.reject(syscall.EACCES, "kptr access misaligned expected=%d off=%d", p, off)
			}
			if size != 8 {
				return e.reject(syscall.EACCES, "kptr access size must be BPF_DW")
			}
		}
	}
	return nil
}

// btfRead is check_ptr_to_btf_access for the one field modelled:
// task_struct->cpus_ptr, a BTF_TYPE_SAFE_RCU field.
func (e *env) btfRead(regno asm.Register, base *reg, off int64, size int) (reg, error) {
	if off < 0 {
		return reg{}, e.reject(syscall.EACCES, "R%d is ptr_%s invalid negative access: off=%d", regno, base.btf, off)
	}
	cpus := int64(e.cfg.Target.CpusPtrOffset)
	if base.btf != "task_struct" || cpus <= 0 || off != cpus || size != 8 {
		return reg{}, unsupported(e.cur.pc, "load of %s+%d size %d", base.btf, off, size)
	}
	var flag typeFlag
	switch {
	case base.flag&ptrUntrusted != 0:
		flag = ptrUntrusted
	case base.trusted() || base.rcu():
		if e.cur.rcu {
			flag = memRCU
		} else {
			flag = ptrUntrusted
		}
	default:
		return reg{}, unsupported(e.cur.pc, "walk of a %s", base.typeStr())
	}
	return reg{typ: ptrToBTFID, flag: flag, btf: "cpumask", bits: -1}, nil
}

func (e *env) store(ins *asm.Instruction) error {
	if ins.OpCode.Mode() != asm.MemMode {
		return unsupported(e.cur.pc, "store mode %v (atomics are not modelled)", ins.OpCode.Mode())
	}
	var val *reg
	if ins.OpCode.Class() == asm.StXClass {
		v, err := e.readReg(ins.Src)
		if err != nil {
			return err
		}
		val = v
	}
	base, err := e.readReg(ins.Dst)
	if err != nil {
		return err
	}
	size := accessSize(ins)
	off := int64(base.off) + int64(ins.Offset)
	switch base.typ {
	case ptrToStack:
		if err := e.stackBounds(ins.Dst, off, size, " write to"); err != nil {
			return err
		}
		return e.stackWrite(off, size, val, ins)
	case ptrToCtx:
		return e.ctxAccess(base, int64(ins.Offset), size)
	case ptrToMapValue:
		if base.maybeNull() {
			break
		}
		if err := e.mapAccess(ins.Dst, base, off, size, true); err != nil {
			return err
		}
		if _, ok := base.m.field(off); ok {
			return e.reject(syscall.EACCES, "store to referenced kptr disallowed")
		}
		return nil
	case ptrToBTFID:
		if base.maybeNull() {
			break
		}
		return e.reject(syscall.EACCES, "only read is supported")
	case ptrToMem:
		if base.maybeNull() {
			break
		}
		return e.reject(syscall.EACCES, "R%d cannot write into %s", ins.Dst, base.typeStr())
	}
	return e.reject(syscall.EACCES, "R%d invalid mem access '%s'", ins.Dst, base.typeStr())
}

// stackWrite is check_stack_write_fixed_off for a root loader.
func (e *env) stackWrite(off int64, size int, val *reg, ins *asm.Instruction) error {
	slotIdx := int(-off - 1)
	spi := slotIdx / 8
	e.scratchSlot(spi)
	s := &e.cur.stack[spi]
	aligned := off%8 == 0
	switch {
	case val != nil && aligned && val.typ == scalarValue:
		fits := val.width() <= 8*size
		if fits {
			e.assignScalarID(val)
		}
		e.saveSpill(s, val, size)
		if !fits {
			s.spilled.id = 0
		}
	case val == nil && aligned:
		v := constReg(uint64(ins.Constant))
		e.saveSpill(s, &v, size)
	case val != nil && val.isPointer():
		if size != 8 {
			return e.reject(syscall.EACCES, "invalid size of register spill")
		}
		e.saveSpill(s, val, size)
	default:
		t := stackMisc
		if s.isSpill() {
			for i := range s.types {
				if s.types[i] == stackSpill {
					s.types[i] = stackMisc
				}
			}
		}
		s.spilled = reg{bits: -1}
		if (val != nil && val.isNull()) || (val == nil && ins.Constant == 0) {
			t = stackZero
		}
		for i := 0; i < size; i++ {
			s.types[(slotIdx-i)%8] = t
		}
	}
	return nil
}

// saveSpill is save_register_state; the history records the slot for
// backtracking.
func (e *env) saveSpill(s *slot, val *reg, size int) {
	for i := range e.cur.stack {
		if &e.cur.stack[i] == s {
			e.cur.hist[len(e.cur.hist)-1].spi = i
		}
	}
	s.spilled = *val
	i := 8
	for ; i > 8-size; i-- {
		s.types[i-1] = stackSpill
	}
	for ; i > 0; i-- {
		if s.types[i-1] != stackZero && s.types[i-1] != stackInvalid {
			s.types[i-1] = stackMisc
		}
	}
}

func (e *env) ldImm64(ins *asm.Instruction) error {
	if err := e.writeReg(ins.Dst); err != nil {
		return err
	}
	switch ins.Src {
	case asm.PseudoMapFD, asm.PseudoMapValue:
		m, ok := e.prog.maps[ins.Reference()]
		if !ok {
			return fmt.Errorf("%w: insn %d: map %q is not in Config.Maps", ErrInvalid, e.cur.pc, ins.Reference())
		}
		if ins.Src == asm.PseudoMapFD {
			e.cur.regs[ins.Dst] = reg{typ: constPtrToMap, m: m, bits: -1}
			return nil
		}
		off := uint32(uint64(ins.Constant) >> 32)
		if off >= m.size {
			return e.reject(syscall.EINVAL, "invalid access to map value pointer, value_size=%d off=%d", m.size, off)
		}
		e.cur.regs[ins.Dst] = reg{typ: ptrToMapValue, m: m, off: int32(off), bits: -1}
		return nil
	case 0:
		e.cur.regs[ins.Dst] = constReg(uint64(ins.Constant))
		return nil
	}
	return unsupported(e.cur.pc, "ld_imm64 with src %v", ins.Src)
}
