package progs

import (
	"fmt"

	"github.com/cilium/ebpf/btf"
)

// The map values are laid out in Go as the selftests' C globals are laid
// out by the compiler, and described by the BTF a loader gives the map.

var (
	btfInt  = &btf.Int{Name: "int", Size: 4, Encoding: btf.Signed}
	btfLong = &btf.Int{Name: "long", Size: 8, Encoding: btf.Signed}
)

// KptrStruct returns the name of the struct the design's kptrs point to:
// "bpf_cpumask" or "bpf_bitmap".
func (d Design) KptrStruct() string {
	if d == Generic {
		return "bpf_bitmap"
	}
	return "bpf_cpumask"
}

// kptrType is the BTF of `struct bpf_cpumask __kptr *` (or bpf_bitmap).
// The kernel resolves the pointee by name in vmlinux, so a memberless
// struct of the right name suffices.
func (b *builder) kptrType() btf.Type {
	return &btf.Pointer{Target: &btf.TypeTag{Value: "kptr", Type: &btf.Struct{Name: b.d.KptrStruct()}}}
}

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
	panic(fmt.Sprintf("progs: alignOf %T", t))
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

// KptrOffsets lists the byte offsets of every kptr in t, in declaration
// order: the order the selftests walk them.
func KptrOffsets(t btf.Type) []uint32 { return kptrOffsets(t, 0) }

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

// valueMap declares a map whose value is s and returns its name.
func (b *builder) valueMap(s *btf.Struct) string { return b.addMap(Map{Name: s.Name, Value: s}) }

// globalMaskMap is cpumask_common.h's private(MASK) global_mask, alone.
func (b *builder) globalMaskMap() string {
	return b.valueMap(cstruct("MASK", field{"global_mask", b.kptrType()}))
}

// cpumaskMap is cpumask_common.h's __cpumask_map.
func (b *builder) cpumaskMap() string {
	return b.valueMap(cstruct("__cpumask_map_value", field{"cpumask", b.kptrType()}))
}
