package verifier

import (
	"fmt"
	"math"
	"strings"
)

// regType is the base type of a register (enum bpf_reg_type, the base part).
type regType uint8

const (
	notInit       regType = iota // NOT_INIT
	scalarValue                  // SCALAR_VALUE
	ptrToCtx                     // PTR_TO_CTX
	ptrToStack                   // PTR_TO_STACK
	ptrToMapValue                // PTR_TO_MAP_VALUE
	constPtrToMap                // CONST_PTR_TO_MAP
	ptrToBTFID                   // PTR_TO_BTF_ID
	ptrToMem                     // PTR_TO_MEM
)

// typeFlag is the flag part of enum bpf_reg_type (enum bpf_type_flag).
type typeFlag uint8

const (
	ptrMaybeNull typeFlag = 1 << iota // PTR_MAYBE_NULL
	memRCU                            // MEM_RCU
	ptrUntrusted                      // PTR_UNTRUSTED
	ptrTrusted                        // PTR_TRUSTED
	memRdonly                         // MEM_RDONLY
)

// addConst is BPF_ADD_CONST: a scalar id that links rX = rY + const.
const addConst = 1 << 31

// reg is struct bpf_reg_state, reduced to what cpumask programs touch.
type reg struct {
	typ  regType
	flag typeFlag

	// Scalars: the unsigned range; known when umin == umax.
	umin, umax uint64

	id       uint32 // NULL-check group for pointers, link for scalars
	refObjID uint32 // the acquired reference this register views
	off      int32  // fixed offset of a pointer

	btf string   // PTR_TO_BTF_ID: the struct's name
	m   *mapDesc // CONST_PTR_TO_MAP and PTR_TO_MAP_VALUE

	// The proposal's cast (modelled, not in any kernel): owned marks a
	// struct cpumask * view of BPF-owned memory, which mutators accept.
	owned bool
	// bits is a bpf_bitmap's num_bits when bpf_bitmap_create was given a
	// constant, else -1.
	bits int64

	memSize int32 // PTR_TO_MEM: readable bytes

	// precise marks a scalar whose value some verdict depended on
	// (mark_chain_precision): states differing in it are not equal.
	precise bool

	// An iterator's stack slot (STACK_ITER) keeps its state here.
	iterState uint8
	iterDepth int
}

// Iterator states (enum bpf_iter_state).
const (
	iterActive uint8 = iota + 1
	iterDrained
)

func (r *reg) known() bool { return r.typ == scalarValue && r.umin == r.umax }

func (r *reg) isNull() bool { return r.known() && r.umin == 0 }

func (r *reg) maybeNull() bool { return r.typ != scalarValue && r.flag&ptrMaybeNull != 0 }

func (r *reg) isPointer() bool { return r.typ != scalarValue && r.typ != notInit }

func constReg(v uint64) reg { return reg{typ: scalarValue, umin: v, umax: v, bits: -1} }

func unknownReg() reg { return reg{typ: scalarValue, umax: math.MaxUint64, bits: -1} }

// width is get_reg_width: the number of significant bits of umax.
func (r *reg) width() int {
	w := 0
	for v := r.umax; v != 0; v >>= 1 {
		w++
	}
	return w
}

// trusted is is_trusted_reg.
func (r *reg) trusted() bool {
	if r.refObjID != 0 {
		return true
	}
	return r.flag&ptrTrusted != 0 && r.flag&^(ptrTrusted) == 0
}

// rcu is is_rcu_reg.
func (r *reg) rcu() bool { return r.flag&memRCU != 0 }

// notNull is reg_not_null for the types modelled: the stack and ctx
// pointers are not in its list.
func (r *reg) notNull() bool {
	if r.flag&ptrMaybeNull != 0 {
		return false
	}
	switch r.typ {
	case constPtrToMap, ptrToMapValue:
		return true
	case ptrToBTFID:
		return r.trusted()
	case ptrToMem:
		return r.flag&ptrUntrusted == 0
	}
	return false
}

var baseNames = [...]string{
	notInit: "?", scalarValue: "scalar", ptrToCtx: "ctx", ptrToStack: "fp",
	ptrToMapValue: "map_value", constPtrToMap: "map_ptr", ptrToBTFID: "ptr_", ptrToMem: "mem",
}

// typeStr is reg_type_str (kernel/bpf/log.c).
func typeStr(t regType, f typeFlag) string {
	var b strings.Builder
	if f&memRdonly != 0 {
		b.WriteString("rdonly_")
	}
	if f&memRCU != 0 {
		b.WriteString("rcu_")
	}
	if f&ptrUntrusted != 0 {
		b.WriteString("untrusted_")
	}
	if f&ptrTrusted != 0 {
		b.WriteString("trusted_")
	}
	b.WriteString(baseNames[t])
	if f&ptrMaybeNull != 0 {
		if t == ptrToBTFID {
			b.WriteString("or_null_")
		} else {
			b.WriteString("_or_null")
		}
	}
	return b.String()
}

func (r *reg) typeStr() string { return typeStr(r.typ, r.flag) }

// String prints the register as print_reg_state (kernel/bpf/log.c) does.
// Scalar ranges are printed for the shapes the model tracks: known
// constants, unknown values and [0, max] ranges.
func (r *reg) String() string {
	switch r.typ {
	case notInit:
		return "?"
	case scalarValue:
		if r.known() {
			return fmtConst(r.umin)
		}
		var attrs []string
		if r.id != 0 {
			attrs = append(attrs, fmt.Sprintf("id=%d", r.id&^addConst))
		}
		attrs = append(attrs, scalarRanges(r.umin, r.umax)...)
		return "scalar(" + strings.Join(attrs, ",") + ")"
	case ptrToStack:
		return "fp" + fmtConst(uint64(int64(r.off)))
	}
	s := r.typeStr()
	if r.typ == ptrToBTFID {
		s += r.btf
	}
	var attrs []string
	if r.id != 0 {
		attrs = append(attrs, fmt.Sprintf("id=%d", r.id))
	}
	if r.refObjID != 0 {
		attrs = append(attrs, fmt.Sprintf("ref_obj_id=%d", r.refObjID))
	}
	if r.m != nil {
		// The kernel keeps BPF_OBJ_NAME_LEN - 1 bytes of a map's name.
		attrs = append(attrs, fmt.Sprintf("map=%s,ks=4,vs=%d", r.m.name[:min(len(r.m.name), 15)], r.m.size))
	}
	if r.off != 0 {
		attrs = append(attrs, "off="+fmtConst(uint64(int64(r.off))))
	}
	if r.typ == ptrToMem {
		attrs = append(attrs, fmt.Sprintf("sz=%d", r.memSize))
	}
	return s + "(" + strings.Join(attrs, ",") + ")"
}

// fmtConst is verbose_snum: decimal within the s16 range, hex beyond.
func fmtConst(v uint64) string {
	if int64(v) >= math.MinInt16 && int64(v) <= math.MaxInt16 {
		return fmt.Sprint(int64(v))
	}
	return fmt.Sprintf("%#x", v)
}

// fmtUnsigned is verbose_unum.
func fmtUnsigned(v uint64) string {
	if v <= math.MaxUint16 {
		return fmt.Sprint(v)
	}
	return fmt.Sprintf("%#x", v)
}

// scalarRanges is print_scalar_ranges and the var_off that follows it,
// for the signed, unsigned, 32-bit and tnum bounds the kernel derives from
// an unsigned range [umin, umax] (reg_bounds_sync, tnum_range).
func scalarRanges(umin, umax uint64) []string {
	smin, smax := int64(math.MinInt64), int64(math.MaxInt64)
	if umax <= math.MaxInt64 || umin > math.MaxInt64 {
		smin, smax = int64(umin), int64(umax)
	}
	u32min, u32max := uint32(0), uint32(math.MaxUint32)
	if umin>>32 == umax>>32 {
		u32min, u32max = uint32(umin), uint32(umax)
	}
	s32min, s32max := int32(math.MinInt32), int32(math.MaxInt32)
	if u32max <= math.MaxInt32 || u32min > math.MaxInt32 {
		s32min, s32max = int32(u32min), int32(u32max)
	}
	s32 := func(v int32) uint64 {
		if v >= math.MinInt16 && v <= math.MaxInt16 {
			return uint64(int64(v))
		}
		return uint64(uint32(v))
	}
	type minmax struct {
		name string
		val  uint64
		omit bool
	}
	ms := []minmax{
		{"smin", uint64(smin), smin == math.MinInt64},
		{"smax", uint64(smax), smax == math.MaxInt64},
		{"umin", umin, umin == 0},
		{"umax", umax, umax == math.MaxUint64},
		{"smin32", s32(s32min), s32min == math.MinInt32},
		{"smax32", s32(s32max), s32max == math.MaxInt32},
		{"umin32", uint64(u32min), u32min == 0},
		{"umax32", uint64(u32max), u32max == math.MaxUint32},
	}
	var out []string
	for i := range ms {
		m1 := &ms[i]
		if m1.omit {
			continue
		}
		neg1 := m1.name[0] == 's' && int64(m1.val) < 0
		names := m1.name + "="
		for j := i + 2; j < len(ms); j += 2 {
			m2 := &ms[j]
			if m2.omit || m2.val != m1.val || (m2.name[0] == 's' && int64(m2.val) < 0) != neg1 {
				continue
			}
			m2.omit = true
			names += m2.name + "="
		}
		if m1.name[0] == 's' {
			out = append(out, names+fmtConst(m1.val))
		} else {
			out = append(out, names+fmtUnsigned(m1.val))
		}
	}
	// tnum_range(umin, umax)
	bits := 0
	for chi := umin ^ umax; chi != 0; chi >>= 1 {
		bits++
	}
	if bits < 64 {
		delta := uint64(1)<<bits - 1
		out = append(out, fmt.Sprintf("var_off=(%#x; %#x)", umin&^delta, delta))
	}
	return out
}

// Stack slot byte types (enum bpf_stack_slot_type).
const (
	stackInvalid byte = iota
	stackSpill
	stackMisc
	stackZero
	stackIter
)

const (
	maxStack = 512
	slots    = maxStack / 8
)

// slot is struct bpf_stack_state: 8 byte types and the spilled register.
type slot struct {
	types   [8]byte
	spilled reg
}

func (s *slot) isSpill() bool { return s.types[7] == stackSpill }

// ref is struct bpf_reference_state for REF_TYPE_PTR.
type ref struct {
	id   uint32
	insn int
}

// state is one frame's struct bpf_verifier_state: the model has no
// subprograms.
type state struct {
	pc    int
	regs  [11]reg
	stack [slots]slot
	refs  []ref
	rcu   bool // active_rcu_lock
	// parent is the latest checkpoint on this state's path, and hist the
	// instructions run since it (the kernel's jmp_history), for
	// backtracking precision marks.
	parent *ckpt
	hist   []histEntry
	// logLen is the log length when this state was pushed, so a pop can
	// truncate the log as pop_stack does at level 1.
	logLen int
}

// iterActive reports whether the iterator slot spi is active.
func (s *state) iterActive(spi int) bool {
	return spi >= 0 && s.stack[spi].types[7] == stackIter && s.stack[spi].spilled.iterState == iterActive
}

// histEntry is one instruction of a state's history; spi is the stack
// slot a spill or fill moved a register through, or -1.
type histEntry struct {
	pc  int
	spi int
}

func (s *state) clone() *state {
	c := *s
	c.refs = append([]ref(nil), s.refs...)
	c.hist = append([]histEntry(nil), s.hist...)
	return &c
}

// eachReg calls f on every register and every spilled register, as
// bpf_for_each_reg_in_vstate does.
func (s *state) eachReg(f func(r *reg)) {
	for i := range s.regs {
		f(&s.regs[i])
	}
	for i := range s.stack {
		if s.stack[i].isSpill() {
			f(&s.stack[i].spilled)
		}
	}
}
