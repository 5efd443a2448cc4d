package oracle

import (
	"fmt"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/cilium/ebpf/btf"
	"github.com/stretchr/testify/require"
)

// This file is a small assembler kit for porting the kernel's
// cpumask_success.c and cpumask_failure.c to SYSCALL programs. Ports keep
// the C control flow; what a tp_btf program gets from its arguments or
// globals comes from elsewhere:
//   - err lives in ctx slot 0 (a .bss int in C), nr_cpus in ctx slot 1;
//   - the tracepoint's task is bpf_get_current_task_btf();
//   - each private(...) .bss section and __cpumask_map is an array map of
//     one entry whose value BTF has the same layout; globals are addressed
//     with BPF_PSEUDO_MAP_VALUE like libbpf does;
//   - is_test_task() is dropped: a SYSCALL program only runs when asked.

const (
	ctxErr    = 0
	ctxNrCPUs = 8
)

// sprog assembles one ported program.
type sprog struct {
	t testing.TB
	o *Oracle
	e emitter
	n int // label counter
}

func newSprog(t testing.TB, o *Oracle) *sprog {
	p := &sprog{t: t, o: o}
	p.emit(asm.Mov.Reg(asm.R6, asm.R1)) // R6 = ctx for the whole program
	return p
}

func (p *sprog) emit(ins ...asm.Instruction) { p.e.emit(ins...) }
func (p *sprog) label(name string)           { p.e.label(name) }

func (p *sprog) fresh(prefix string) string {
	p.n++
	return fmt.Sprintf("%s_%d", prefix, p.n)
}

func (p *sprog) kf(name string) asm.Instruction {
	ins, err := p.o.KfuncCall(name)
	require.NoError(p.t, err)
	return ins
}

func (p *sprog) setErr(v int32) { p.emit(storeImm64(asm.R6, ctxErr, v)) }

func (p *sprog) ret0() { p.emit(asm.Mov.Imm(asm.R0, 0), asm.Return()) }

func (p *sprog) release(r asm.Register) {
	p.emit(asm.Mov.Reg(asm.R1, r), p.kf("bpf_cpumask_release"))
}

// createCpumask is cpumask_common.h's create_cpumask() inlined: dst ends
// up holding a new empty mask or NULL, with err set on failure.
func (p *sprog) createCpumask(dst asm.Register) {
	ok, done := p.fresh("created"), p.fresh("create_done")
	p.emit(p.kf("bpf_cpumask_create"), asm.JNE.Imm(asm.R0, 0, ok))
	p.setErr(1)
	p.emit(asm.Mov.Imm(dst, 0), asm.Ja.Label(done))
	p.label(ok)
	p.emit(
		asm.Mov.Reg(dst, asm.R0),
		asm.Mov.Reg(asm.R1, asm.R0),
		p.kf("bpf_cpumask_empty"),
		asm.And.Imm(asm.R0, 0xff),
		asm.JNE.Imm(asm.R0, 0, done),
	)
	p.setErr(2)
	p.release(dst)
	p.emit(asm.Mov.Imm(dst, 0))
	p.label(done)
	p.emit(asm.Mov.Reg(dst, dst)) // a landing pad for the label
}

// ifZeroReturn emits "if (!r) return 0;".
func (p *sprog) ifZeroReturn(r asm.Register) {
	cont := p.fresh("nonzero")
	p.emit(asm.JNE.Imm(r, 0, cont))
	p.ret0()
	p.label(cont)
}

// currentTask leaves a trusted task_struct * in dst, standing in for the
// tracepoint's task argument.
func (p *sprog) currentTask(dst asm.Register) {
	p.emit(asm.FnGetCurrentTaskBtf.Call(), asm.Mov.Reg(dst, asm.R0))
}

// memberOffset returns the byte offset of a member of a kernel struct.
func (p *sprog) memberOffset(structName, member string) int16 {
	var s *btf.Struct
	require.NoError(p.t, p.o.KernelBTF().TypeByName(structName, &s))
	for _, m := range s.Members {
		if m.Name == member {
			return int16(m.Offset.Bytes())
		}
	}
	p.t.Fatalf("%s has no member %s", structName, member)
	return 0
}

// mapValue loads &value[off] of a one-entry array map into dst, as libbpf
// addresses a global variable.
func (p *sprog) mapValue(dst asm.Register, m *ebpf.Map, off int) {
	p.emit(asm.LoadMapValue(dst, m.FD(), uint32(off)))
}

// kptrXchg emits r0 = bpf_kptr_xchg(&value[off], src).
func (p *sprog) kptrXchg(m *ebpf.Map, off int, src asm.Register) {
	p.emit(asm.Mov.Reg(asm.R2, src))
	p.mapValue(asm.R1, m, off)
	p.emit(asm.FnKptrXchg.Call())
}

// loadKptr emits dst = value[off]: a direct (RCU) read of the kptr slot.
func (p *sprog) loadKptr(dst asm.Register, m *ebpf.Map, off int) {
	p.mapValue(asm.R1, m, off)
	p.emit(asm.LoadMem(dst, asm.R1, 0, asm.DWord))
}

// mapLookup emits r0 = bpf_map_lookup_elem(map, &(u32){0}).
func (p *sprog) mapLookup(m *ebpf.Map) {
	p.emit(
		asm.StoreImm(asm.RFP, -4, 0, asm.Word),
		asm.LoadMapPtr(asm.R1, m.FD()),
		asm.Mov.Reg(asm.R2, asm.RFP),
		asm.Add.Imm(asm.R2, -4),
		asm.FnMapLookupElem.Call(),
	)
}

// mapInsert is cpumask_map_insert(mask) inlined; on any failure it
// returns 0 from the program, as every caller in the selftests does.
func (p *sprog) mapInsert(m *ebpf.Map, mask asm.Register, onFailErr int32) {
	updated, found, empty := p.fresh("updated"), p.fresh("found"), p.fresh("slot_empty")
	p.emit(
		asm.StoreImm(asm.RFP, -4, 0, asm.Word), // key
		storeImm64(asm.RFP, -16, 0),            // local.cpumask = NULL
		asm.LoadMapPtr(asm.R1, m.FD()),         //
		asm.Mov.Reg(asm.R2, asm.RFP),           //
		asm.Add.Imm(asm.R2, -4),                //
		asm.Mov.Reg(asm.R3, asm.RFP),           //
		asm.Add.Imm(asm.R3, -16),               //
		asm.Mov.Imm(asm.R4, 0),                 //
		asm.FnMapUpdateElem.Call(),             //
		asm.JEq.Imm(asm.R0, 0, updated),        //
	)
	p.release(mask)
	p.failReturn(onFailErr)
	p.label(updated)
	p.mapLookup(m)
	p.emit(asm.JNE.Imm(asm.R0, 0, found))
	p.release(mask)
	p.failReturn(onFailErr)
	p.label(found)
	p.emit(asm.Mov.Reg(asm.R1, asm.R0), asm.Mov.Reg(asm.R2, mask), asm.FnKptrXchg.Call())
	p.emit(asm.JEq.Imm(asm.R0, 0, empty))
	p.emit(asm.Mov.Reg(asm.R1, asm.R0), p.kf("bpf_cpumask_release"))
	p.failReturn(onFailErr)
	p.label(empty)
	p.emit(asm.Mov.Reg(mask, mask))
}

func (p *sprog) failReturn(errCode int32) {
	if errCode != 0 {
		p.setErr(errCode)
	}
	p.ret0()
}

func (p *sprog) load(name string) (*ebpf.Program, error) {
	return p.o.LoadProgram(name, p.e.insns)
}

// run loads and runs the program with nr_cpus in the context and returns
// err as the program left it.
func (p *sprog) run(name string) (int64, error) {
	prog, err := p.load(name)
	if err != nil {
		return 0, err
	}
	defer prog.Close()
	ctx := make([]byte, 16)
	ctx[ctxNrCPUs] = byte(p.o.Topology().NrCPUIDs)
	if _, err := prog.Run(&ebpf.RunOptions{Context: ctx, ContextOut: ctx}); err != nil {
		return 0, err
	}
	return int64(int32(uint32(ctx[0]) | uint32(ctx[1])<<8 | uint32(ctx[2])<<16 | uint32(ctx[3])<<24)), nil
}

// kptr BTF: struct bpf_cpumask __kptr *. The kernel resolves the pointee by
// name in vmlinux, so a memberless struct of the right name suffices.
func kptrType() btf.Type {
	return &btf.Pointer{Target: &btf.TypeTag{Value: "kptr", Type: &btf.Struct{Name: "bpf_cpumask"}}}
}

var (
	btfInt  = &btf.Int{Name: "int", Size: 4, Encoding: btf.Signed}
	btfLong = &btf.Int{Name: "long", Size: 8, Encoding: btf.Signed}
)

func alignOf(t btf.Type) uint32 {
	switch t := t.(type) {
	case *btf.Int:
		return t.Size
	case *btf.Pointer:
		return 8
	case *btf.Array:
		return alignOf(t.Type)
	case *btf.Struct:
		a := uint32(1)
		for _, m := range t.Members {
			a = max(a, alignOf(m.Type))
		}
		return a
	}
	panic(fmt.Sprintf("alignOf %T", t))
}

func sizeOf(t btf.Type) uint32 {
	n, err := btf.Sizeof(t)
	if err != nil {
		panic(err)
	}
	return uint32(n)
}

type field struct {
	name string
	typ  btf.Type
}

// cstruct lays members out with C alignment.
func cstruct(name string, fields ...field) *btf.Struct {
	s := &btf.Struct{Name: name}
	var off uint32
	for _, f := range fields {
		a := alignOf(f.typ)
		off = (off + a - 1) / a * a
		s.Members = append(s.Members, btf.Member{Name: f.name, Type: f.typ, Offset: btf.Bits(8 * off)})
		off += sizeOf(f.typ)
	}
	a := alignOf(s)
	s.Size = (off + a - 1) / a * a
	return s
}

func carray(t btf.Type, n uint32) *btf.Array {
	return &btf.Array{Index: btfInt, Type: t, Nelems: n}
}

// kptrOffsets lists the byte offsets of every kptr in t, in declaration
// order: the order the selftests walk them.
func kptrOffsets(t btf.Type, base uint32) []uint32 {
	switch t := t.(type) {
	case *btf.Pointer:
		if tag, ok := t.Target.(*btf.TypeTag); ok && tag.Value == "kptr" {
			return []uint32{base}
		}
	case *btf.Array:
		var out []uint32
		for i := range t.Nelems {
			out = append(out, kptrOffsets(t.Type, base+i*sizeOf(t.Type))...)
		}
		return out
	case *btf.Struct:
		var out []uint32
		for _, m := range t.Members {
			out = append(out, kptrOffsets(m.Type, base+m.Offset.Bytes())...)
		}
		return out
	}
	return nil
}

// valueMap creates a one-entry array map whose value has BTF value, the
// stand-in for a .bss section or __cpumask_map.
func valueMap(value *btf.Struct) (*ebpf.Map, error) {
	return ebpf.NewMap(&ebpf.MapSpec{
		Name:       value.Name,
		Type:       ebpf.Array,
		KeySize:    4,
		ValueSize:  value.Size,
		MaxEntries: 1,
		Key:        btfInt,
		Value:      value,
	})
}

func mustValueMap(t testing.TB, value *btf.Struct) *ebpf.Map {
	m, err := valueMap(value)
	require.NoError(t, err, "map %s", value.Name)
	t.Cleanup(func() { m.Close() })
	return m
}

// globalMaskMap is cpumask_common.h's private(MASK) global_mask, alone.
func globalMaskMap(t testing.TB) *ebpf.Map {
	return mustValueMap(t, cstruct("MASK", field{"global_mask", kptrType()}))
}

// cpumaskMap is cpumask_common.h's __cpumask_map.
func cpumaskMap(t testing.TB) *ebpf.Map {
	return mustValueMap(t, cstruct("__cpumask_map_value", field{"cpumask", kptrType()}))
}

// kptrFieldsMax finds the largest number of kptrs a map value may hold
// (BTF_FIELDS_MAX; the selftests hard-code it as CPUMASK_KPTR_FIELDS_MAX).
// Map creation cannot tell: past the limit the kernel refuses the BTF and
// cilium/ebpf, like libbpf, silently retries without it. So each size is
// probed by whether a bpf_kptr_xchg into the last slot verifies.
func kptrFieldsMax(t testing.TB, o *Oracle) int {
	for n := 1; n <= 64; n++ {
		m, err := valueMap(cstruct("probe", field{"mask", carray(kptrType(), uint32(n))}))
		require.NoError(t, err)
		p := newSprog(t, o)
		p.createCpumask(asm.R7)
		p.ifZeroReturn(asm.R7)
		p.kptrXchg(m, 8*(n-1), asm.R7)
		done := p.fresh("done")
		p.emit(asm.JEq.Imm(asm.R0, 0, done), asm.Mov.Reg(asm.R1, asm.R0), p.kf("bpf_cpumask_release"))
		p.label(done)
		p.ret0()
		prog, err := p.load("kptr_fields_max")
		m.Close()
		if err != nil {
			return n - 1
		}
		prog.Close()
	}
	t.Fatal("no kptr field limit up to 64")
	return 0
}
