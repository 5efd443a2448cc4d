package verifier

import (
	"fmt"
	"strings"
	"sync"
	"syscall"

	"github.com/cilium/ebpf/asm"

	"github.com/bpfbitmap/prototype/kfuncs"
	"github.com/bpfbitmap/prototype/kfuncs/progs"
)

// castKfunc is the proposal's one special case (docs/verifier.md).
const castKfunc = "bpf_bitmap_cast_to_cpumask"

// lookupKfunc finds a kfunc's row: kfuncs.Kfuncs, or progs.Support for
// the kernel functions package kfuncs does not implement (bpf_throw, the
// bpf_iter_num trio).
func lookupKfunc(name string) (*kfuncs.Kfunc, bool) {
	k, ok := progs.Lookup(name)
	if !ok || k.Kind != kfuncs.KindKfunc {
		return nil, false
	}
	return &k, true
}

var sigCache sync.Map // kernel name -> kfuncs.Signature

func signature(k *kfuncs.Kfunc) (kfuncs.Signature, error) {
	if s, ok := sigCache.Load(k.Kernel); ok {
		return s.(kfuncs.Signature), nil
	}
	s, err := k.Signature()
	if err != nil {
		return kfuncs.Signature{}, err
	}
	sigCache.Store(k.Kernel, s)
	return s, nil
}

// structSize is sizeof() of the structs kfunc arguments point to, for the
// KF_ARG_PTR_TO_MEM fallback; every one is a "scalar struct".
func (e *env) structSize(name string) (int, bool) {
	cm := 8 * e.cfg.Target.CpumaskWords
	switch name {
	case "cpumask":
		return cm, true
	case "bpf_cpumask":
		return cm + 8, true
	case "bpf_bitmap":
		return 8, true // refcount_t, int num_bits, u64 bits[]
	}
	return 0, false
}

// firstMember is the type of each modelled struct's member at offset 0,
// which btf_pointeeids_match walks into: bpf_cpumask starts with cpumask_t,
// a typedef of struct cpumask. bpf_bitmap starts with a refcount_t and
// task_struct with a thread_info, neither of which leads to a cpumask.
var firstMember = map[string]string{
	"bpf_cpumask": "cpumask",
	"bpf_bitmap":  "refcount_struct",
	"task_struct": "thread_info",
}

// structIDsMatch is btf_pointeeids_match for the modelled structs: equal at
// offset 0, or (unless strict) reached by walking first members.
func structIDsMatch(have string, off int32, want string, strict bool) bool {
	if off == 0 && have == want {
		return true
	}
	if strict || off != 0 {
		return false
	}
	for t, ok := firstMember[have]; ok; t, ok = firstMember[t] {
		if t == want {
			return true
		}
	}
	return false
}

type kfuncMeta struct {
	refObjID     uint32
	releaseRegno asm.Register
	arg0         *reg // the cast's argument
	iterSpi      int  // the iterator's stack slot, or -1
}

// kfuncCall is check_kfunc_call: the arguments (check_kfunc_args), RCU
// bookkeeping, the release, bpf_throw's exit, then R0 from the prototype.
func (e *env) kfuncCall(ins *asm.Instruction) (bool, error) {
	st := e.cur
	pc := st.pc
	k := e.prog.kfuncs[pc]
	e.kfuncSeen[pc] = true
	sig, err := signature(k)
	if err != nil {
		return false, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	meta, err := e.kfuncArgs(k, sig)
	if err != nil {
		return false, err
	}
	release := k.Flags.Has(kfuncs.KfRelease)
	if release && meta.releaseRegno == 0 {
		return false, e.reject(syscall.EINVAL, "release kernel function %s expects refcounted PTR_TO_BTF_ID", k.Kernel)
	}
	switch k.Kernel {
	case "bpf_rcu_read_lock":
		if st.rcu {
			return false, e.reject(syscall.EINVAL, "nested rcu read lock (kernel function %s)", k.Kernel)
		}
		st.rcu = true
	case "bpf_rcu_read_unlock":
		if !st.rcu {
			return false, e.reject(syscall.EINVAL, "unmatched rcu read unlock (kernel function %s)", k.Kernel)
		}
		st.eachReg(func(r *reg) {
			if r.typ != scalarValue && r.flag&memRCU != 0 {
				r.flag &^= memRCU | ptrMaybeNull
				r.flag |= ptrUntrusted
			}
		})
		st.rcu = false
	}
	if meta.releaseRegno != 0 {
		e.releaseReference(st.regs[meta.releaseRegno].refObjID)
	}
	switch {
	case k.Flags.Has(kfuncs.KfIterNew):
		// mark_stack_slots_iter: the iterator holds a reference.
		id := e.newID()
		st.refs = append(st.refs, ref{id: id, insn: pc})
		s := &st.stack[meta.iterSpi]
		s.types = [8]byte{stackIter, stackIter, stackIter, stackIter, stackIter, stackIter, stackIter, stackIter}
		s.spilled = reg{typ: ptrToStack, refObjID: id, iterState: iterActive, bits: -1}
	case k.Flags.Has(kfuncs.KfIterDestroy):
		s := &st.stack[meta.iterSpi]
		id := s.spilled.refObjID
		*s = slot{spilled: reg{bits: -1}}
		e.releaseReference(id)
	}
	for r := asm.R0; r <= asm.R5; r++ {
		st.regs[r] = reg{bits: -1}
		e.scratchReg(r)
	}
	if k.Kernel == "bpf_throw" {
		return true, e.resourceLeak(true, "bpf_throw")
	}
	switch sig.Ret.Kind {
	case kfuncs.ParamVoid:
	case kfuncs.ParamScalar:
		st.regs[asm.R0] = unknownReg()
	case kfuncs.ParamStruct:
		r0 := reg{typ: ptrToBTFID, btf: sig.Ret.Struct, bits: -1}
		if k.Flags.Has(kfuncs.KfRetNull) {
			r0.flag |= ptrMaybeNull
			r0.id = e.newID()
		}
		if k.Flags.Has(kfuncs.KfAcquire) {
			id := e.newID()
			st.refs = append(st.refs, ref{id: id, insn: pc})
			if k.Flags.Has(kfuncs.KfRetNull) {
				r0.id = id
			}
			r0.refObjID = id
		}
		if k.Kernel == "bpf_bitmap_create" {
			r0.bits = meta.arg0.bitsArg()
		}
		if k.Kernel == castKfunc {
			e.castResult(&r0, meta.arg0)
		}
		st.regs[asm.R0] = r0
	case kfuncs.ParamMem:
		if sig.Ret.Type != "int *" {
			return false, unsupported(pc, "%s returns %s", k.Kernel, sig.Ret.Type)
		}
		r0 := reg{typ: ptrToMem, flag: memRdonly, memSize: 4, refObjID: meta.refObjID, bits: -1}
		if k.Flags.Has(kfuncs.KfRetNull) {
			r0.flag |= ptrMaybeNull
			r0.id = e.newID()
		}
		st.regs[asm.R0] = r0
	default:
		return false, unsupported(pc, "%s returns %s", k.Kernel, sig.Ret.Type)
	}
	if k.Flags.Has(kfuncs.KfIterNext) {
		return false, e.iterNext(pc, meta.iterSpi)
	}
	st.pc++
	return false, nil
}

// iterNext is process_iter_next_call: an active iterator forks a path
// where it yields (R0 not NULL, pushed) from the one where it is drained
// (R0 = 0, explored first).
func (e *env) iterNext(pc, spi int) error {
	st := e.cur
	it := &st.stack[spi].spilled
	if it.iterState == iterActive {
		q := st.clone()
		q.pc = pc + 1
		q.stack[spi].spilled.iterDepth++
		if prev := e.prevEntry(pc); prev != nil {
			widen(prev.st, q)
		}
		q.regs[asm.R0].flag &^= ptrMaybeNull
		if err := e.push(q); err != nil {
			return err
		}
	}
	it.iterState = iterDrained
	st.regs[asm.R0] = constReg(0)
	st.pc = pc + 1
	return nil
}

// bitsArg is the constant size given to bpf_bitmap_create, or -1.
func (r *reg) bitsArg() int64 {
	if r != nil && r.known() && int64(r.umin) >= 0 && r.umin <= 1<<31 {
		return int64(r.umin)
	}
	return -1
}

// castResult applies the proposal's rule for bpf_bitmap_cast_to_cpumask:
// the view is a BPF-owned struct cpumask * derived from its argument. It
// views the argument's reference (so releasing or exchanging the bitmap
// invalidates it) and is RCU-protected when the argument is (so
// bpf_rcu_read_unlock invalidates it). A bitmap of a known wrong size
// casts to NULL.
func (e *env) castResult(r0, arg *reg) {
	r0.owned = true
	r0.refObjID = arg.refObjID
	if arg.refObjID == 0 && arg.rcu() {
		r0.flag |= memRCU
	}
	if n := e.cfg.Target.NrCPUIDs; n > 0 && arg.bits >= 0 && arg.bits != int64(n) {
		*r0 = constReg(0)
	}
}

// releaseReference is release_reference: the reference leaves refs[] and
// every register and spill viewing it becomes an unknown scalar
// (mark_reg_invalid for a loader with allow_ptr_leaks).
func (e *env) releaseReference(id uint32) {
	st := e.cur
	st.dropRef(id)
	st.eachReg(func(r *reg) {
		if r.typ != scalarValue && r.refObjID == id {
			*r = unknownReg()
		}
	})
}

// kfuncArgs is check_kfunc_args: arguments left to right, the first
// failure wins.
func (e *env) kfuncArgs(k *kfuncs.Kfunc, sig kfuncs.Signature) (kfuncMeta, error) {
	meta := kfuncMeta{iterSpi: -1}
	st := e.cur
	trustedArgs := k.Flags.Has(kfuncs.KfTrustedArgs) || k.Flags.Has(kfuncs.KfRelease)
	rcuArgs := k.Flags.Has(kfuncs.KfRcu)
	release := k.Flags.Has(kfuncs.KfRelease)
	for i := 0; i < len(sig.Params); i++ {
		p := sig.Params[i]
		regno := asm.Register(i + 1)
		r := &st.regs[regno]
		if i == 0 {
			c := *r
			meta.arg0 = &c
		}
		switch p.Kind {
		case kfuncs.ParamScalar, kfuncs.ParamMemSize:
			if r.typ != scalarValue {
				return meta, e.reject(syscall.EINVAL, "R%d is not a scalar", regno)
			}
			continue
		case kfuncs.ParamIter:
			if err := e.iterArg(k, i, r, &meta); err != nil {
				return meta, err
			}
			continue
		}
		if (trustedArgs || rcuArgs) && (r.isNull() || r.maybeNull()) {
			return meta, e.reject(syscall.EACCES, "Possibly NULL pointer passed to trusted arg%d", i)
		}
		if r.typ != scalarValue && r.refObjID != 0 {
			if release && meta.refObjID != 0 {
				return meta, unsupported(st.pc, "more than one referenced argument to a release kfunc")
			}
			meta.refObjID = r.refObjID
			if release {
				meta.releaseRegno = regno
			}
		}
		// get_kfunc_ptr_arg_type: a BTF pointer register makes a BTF-ID
		// argument; anything else falls back to memory of the pointee's
		// size, since cpumask, bpf_cpumask and bpf_bitmap are scalar
		// structs.
		memSize := i+1 < len(sig.Params) && sig.Params[i+1].Kind == kfuncs.ParamMemSize &&
			st.regs[regno+1].typ == scalarValue
		btfArg := r.typ == ptrToBTFID
		if btfArg && p.Kind != kfuncs.ParamStruct {
			return meta, unsupported(st.pc, "BTF pointer as %s of %s", p.Type, k.Kernel)
		}
		if btfArg && (trustedArgs || rcuArgs) && !r.trusted() {
			if !rcuArgs {
				return meta, e.reject(syscall.EINVAL, "R%d must be referenced or trusted", regno)
			}
			if !r.rcu() {
				return meta, e.reject(syscall.EINVAL, "R%d must be a rcu pointer", regno)
			}
		}
		if err := e.argRegOff(r, regno, release && r.refObjID != 0); err != nil {
			return meta, err
		}
		switch {
		case btfArg:
			if r.flag&ptrUntrusted != 0 && !r.rcu() {
				return meta, unsupported(st.pc, "untrusted pointer to a flagless kfunc")
			}
			strict := release && r.refObjID != 0
			ok := structIDsMatch(r.btf, r.off, p.Struct, strict)
			// The proposal: a cast view is BPF-owned memory, which the
			// mutators' struct bpf_cpumask * parameters accept.
			if !ok && r.owned && r.off == 0 && r.btf == "cpumask" && p.Struct == "bpf_cpumask" {
				ok = true
			}
			if !ok {
				return meta, e.reject(syscall.EINVAL, "kernel function %s args#%d expected pointer to STRUCT %s but R%d has a pointer to STRUCT %s",
					k.Kernel, i, p.Struct, regno, r.btf)
			}
		case memSize:
			if err := e.memSizeArg(i, regno); err != nil {
				return meta, err
			}
			i++
		case p.Kind == kfuncs.ParamStruct:
			size, ok := e.structSize(p.Struct)
			if !ok {
				return meta, unsupported(st.pc, "struct %s as memory", p.Struct)
			}
			if err := e.helperMem(regno, r, size, false); err != nil {
				return meta, err
			}
		default:
			return meta, unsupported(st.pc, "%s argument of %s", p.Type, k.Kernel)
		}
	}
	return meta, nil
}

// iterArg is process_iter_arg for an iterator of one 8-byte slot
// (struct bpf_iter_num).
func (e *env) iterArg(k *kfuncs.Kfunc, i int, r *reg, meta *kfuncMeta) error {
	if r.typ != ptrToStack {
		return e.reject(syscall.EINVAL, "arg#%d expected pointer to an iterator on stack", i)
	}
	name := strings.TrimPrefix(k.Kernel, "bpf_iter_")
	name = name[:strings.LastIndexByte(name, '_')]
	if r.off%8 != 0 || r.off >= 0 || r.off < -maxStack {
		return unsupported(e.cur.pc, "iterator at fp%d", r.off)
	}
	spi := int(-r.off-1) / 8
	s := &e.cur.stack[spi]
	isIter := s.types[7] == stackIter
	if k.Flags.Has(kfuncs.KfIterNew) {
		if isIter {
			return e.reject(syscall.EINVAL, "expected uninitialized iter_%s as arg #%d", name, i)
		}
	} else {
		if !isIter {
			return e.reject(syscall.EINVAL, "expected an initialized iter_%s as arg #%d", name, i)
		}
		meta.refObjID = s.spilled.refObjID
	}
	meta.iterSpi = spi
	return nil
}

// argRegOff is check_func_arg_reg_off.
func (e *env) argRegOff(r *reg, regno asm.Register, releaseArg bool) error {
	if releaseArg {
		if r.off != 0 {
			return e.reject(syscall.EINVAL, "R%d must have zero offset when passed to release func or trusted arg to kfunc", regno)
		}
		return nil
	}
	switch r.typ {
	case ptrToStack, ptrToMapValue, scalarValue:
		return nil
	case ptrToBTFID:
		if r.flag&^(ptrTrusted|memRCU) == 0 {
			return nil
		}
	case notInit:
		return e.reject(syscall.EACCES, "variable ? access var_off=(0x0; 0xffffffffffffffff) disallowed")
	}
	if r.off != 0 {
		return e.reject(syscall.EACCES, "dereference of modified %s ptr R%d off=%d disallowed", r.typeStr(), regno, r.off)
	}
	return nil
}

// memSizeArg is KF_ARG_PTR_TO_MEM_SIZE: check_kfunc_mem_size_reg, then the
// memory, with the pair line after any failure.
func (e *env) memSizeArg(i int, regno asm.Register) error {
	size := &e.cur.regs[regno+1]
	pair := func(err error) error {
		if ve, ok := err.(*Error); ok {
			ve.Msg += fmt.Sprintf("\narg#%d arg#%d memory, len pair leads to invalid memory access", i, i+1)
		}
		return err
	}
	if !size.known() {
		if size.umax >= 1<<29 {
			return pair(e.reject(syscall.EACCES, "R%d unbounded memory access, use 'var &= const' or 'if (var < const)'", regno+1))
		}
	}
	if size.umax == 0 {
		return nil
	}
	if err := e.helperMem(regno, &e.cur.regs[regno], int(size.umax), false); err != nil {
		return pair(err)
	}
	e.markPrecise(e.cur, 1<<(regno+1), 0)
	return nil
}

// helperMem is check_helper_mem_access for a read and a write of size
// bytes (check_mem_reg), or only a read.
func (e *env) helperMem(regno asm.Register, r *reg, size int, readOnly bool) error {
	off := int64(r.off)
	switch r.typ {
	case ptrToStack:
		if err := e.stackBounds(regno, off, size, " read from"); err != nil {
			return err
		}
		if !readOnly {
			e.clobberStack(off, size)
		}
		return nil
	case ptrToMapValue:
		if r.maybeNull() {
			break
		}
		return e.mapAccess(regno, r, off, size, false)
	case ptrToCtx:
		if off+int64(size) > 1<<16 {
			return e.reject(syscall.EACCES, "invalid access to memory, mem_size=%d off=%d size=%d", 1<<16, off, size)
		}
		return nil
	}
	return e.reject(syscall.EACCES, "R%d type=%s expected=fp", regno, r.typeStr())
}

// clobberStack marks stack bytes a kfunc may write as STACK_MISC; spilled
// registers in them are lost.
func (e *env) clobberStack(off int64, size int) {
	for a := off; a < off+int64(size); a++ {
		idx := int(-a - 1)
		s := &e.cur.stack[idx/8]
		if s.isSpill() {
			for j := range s.types {
				s.types[j] = stackMisc
			}
			s.spilled = reg{bits: -1}
		}
		s.types[idx%8] = stackMisc
	}
}

// helperCall is check_helper_call for the four helpers cpumask programs
// use.
func (e *env) helperCall(ins *asm.Instruction) error {
	st := e.cur
	fn := asm.BuiltinFunc(ins.Constant)
	var r0 reg
	var releaseID uint32
	acquire := false
	switch fn {
	case asm.FnMapLookupElem, asm.FnMapUpdateElem:
		m, err := e.mapPtrArg(asm.R1)
		if err != nil {
			return err
		}
		key, err := e.memArg(asm.R2, 4)
		if err != nil {
			return err
		}
		if fn == asm.FnMapUpdateElem {
			if _, err := e.memArg(asm.R3, int(m.size)); err != nil {
				return err
			}
			if _, err := e.readReg(asm.R4); err != nil {
				return err
			}
			r0 = unknownReg()
			break
		}
		r0 = reg{typ: ptrToMapValue, m: m, bits: -1}
		if k, ok := e.constKey(key); !ok || k != 0 {
			r0.flag = ptrMaybeNull
			r0.id = e.newID()
		}
	case asm.FnGetCurrentTaskBtf:
		r0 = reg{typ: ptrToBTFID, flag: ptrTrusted, btf: "task_struct", bits: -1}
	case asm.FnKptrXchg:
		f, err := e.kptrXchgDest()
		if err != nil {
			return err
		}
		if releaseID, err = e.kptrXchgNew(f); err != nil {
			return err
		}
		r0 = reg{typ: ptrToBTFID, flag: ptrMaybeNull, btf: f.pointee, bits: -1}
		r0.id = e.newID()
		acquire = true
	default:
		return unsupported(st.pc, "helper %v", fn)
	}
	if releaseID != 0 {
		e.releaseReference(releaseID)
	}
	for r := asm.R0; r <= asm.R5; r++ {
		st.regs[r] = reg{bits: -1}
		e.scratchReg(r)
	}
	if acquire {
		id := e.newID()
		st.refs = append(st.refs, ref{id: id, insn: st.pc})
		r0.id, r0.refObjID = id, id
	}
	st.regs[asm.R0] = r0
	return nil
}

func (e *env) mapPtrArg(regno asm.Register) (*mapDesc, error) {
	r, err := e.readReg(regno)
	if err != nil {
		return nil, err
	}
	if r.typ != constPtrToMap {
		return nil, e.reject(syscall.EACCES, "R%d type=%s expected=map_ptr", regno, r.typeStr())
	}
	return r.m, nil
}

// memTypes is reg_type_str of every type in mem_types, the compatible
// registers of ARG_PTR_TO_MAP_KEY and ARG_PTR_TO_MAP_VALUE.
const memTypes = "fp, pkt, pkt_meta, map_key, map_value, mem, ringbuf_mem, buf, trusted_ptr_"

func (e *env) memArg(regno asm.Register, size int) (*reg, error) {
	r, err := e.readReg(regno)
	if err != nil {
		return nil, err
	}
	switch r.typ {
	case ptrToStack:
		return r, e.stackBounds(regno, int64(r.off), size, " read from")
	case ptrToMapValue:
		if r.maybeNull() {
			return nil, e.reject(syscall.EACCES, "R%d type=%s expected=%s", regno, r.typeStr(), memTypes)
		}
		return r, e.mapAccess(regno, r, int64(r.off), size, false)
	case ptrToBTFID:
		return nil, unsupported(e.cur.pc, "BTF pointer as helper memory")
	}
	return nil, e.reject(syscall.EACCES, "R%d type=%s expected=%s", regno, r.typeStr(), memTypes)
}

// constKey is get_constant_map_key: a key on the stack known to the
// verifier, from STACK_ZERO bytes or a constant scalar spill.
func (e *env) constKey(key *reg) (uint64, bool) {
	if key.typ != ptrToStack {
		return 0, false
	}
	slotIdx := int(-key.off - 1)
	s := &e.cur.stack[slotIdx/8]
	zero := 0
	for i := slotIdx % 8; i >= 0 && s.types[i] == stackZero; i-- {
		zero++
	}
	if zero >= 4 {
		return 0, true
	}
	if !s.isSpill() || s.spilled.typ != scalarValue {
		return 0, false
	}
	spill := 0
	for i := slotIdx % 8; i >= 0 && s.types[i] == stackSpill; i-- {
		spill++
	}
	if spill != 4 || !s.spilled.known() {
		return 0, false
	}
	e.markPrecise(e.cur, 0, 1<<(slotIdx/8))
	return s.spilled.umin, true
}

// kptrXchgDest checks bpf_kptr_xchg's R1 (ARG_KPTR_XCHG_DEST,
// process_kptr_func).
func (e *env) kptrXchgDest() (kptrField, error) {
	r, err := e.readReg(asm.R1)
	if err != nil {
		return kptrField{}, err
	}
	if r.typ != ptrToMapValue || r.maybeNull() {
		return kptrField{}, e.reject(syscall.EACCES, "R1 type=%s expected=map_value, ptr_", r.typeStr())
	}
	if len(r.m.fields) == 0 {
		return kptrField{}, e.reject(syscall.EINVAL, "R1 has no valid kptr")
	}
	f, ok := r.m.field(int64(r.off))
	if !ok {
		return kptrField{}, e.reject(syscall.EACCES, "off=%d doesn't point to kptr", r.off)
	}
	return f, nil
}

// kptrXchgNew checks bpf_kptr_xchg's R2 (ARG_PTR_TO_BTF_ID_OR_NULL |
// OBJ_RELEASE) and returns the reference it moves into the map, or 0 for
// NULL.
func (e *env) kptrXchgNew(f kptrField) (uint32, error) {
	r, err := e.readReg(asm.R2)
	if err != nil {
		return 0, err
	}
	if r.isNull() {
		return 0, nil
	}
	if r.typ != ptrToBTFID || r.flag&^(ptrMaybeNull|ptrTrusted|memRCU) != 0 {
		return 0, e.reject(syscall.EACCES, "R2 type=%s expected=ptr_, trusted_ptr_, rcu_ptr_", r.typeStr())
	}
	if r.maybeNull() {
		return 0, e.reject(syscall.EACCES, "Possibly NULL pointer passed to helper arg2")
	}
	if r.off != 0 || r.btf != f.pointee {
		return 0, e.reject(syscall.EACCES, "invalid kptr access, R2 type=%s%s expected=ptr_%s", r.typeStr(), r.btf, f.pointee)
	}
	if r.refObjID == 0 {
		return 0, e.reject(syscall.EINVAL, "R2 must be referenced when passed to release function")
	}
	return r.refObjID, nil
}
