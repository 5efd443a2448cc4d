package verifier

import (
	"fmt"

	"github.com/cilium/ebpf/btf"

	"github.com/bpfbitmap/prototype/kfuncs/progs"
)

// kptrField is a referenced kptr field (BPF_KPTR_REF) of a map value.
type kptrField struct {
	off     uint32
	pointee string // pointee: "bpf_cpumask", "bpf_bitmap"
}

// mapDesc is what the verifier knows of a map: a one-entry array map with a
// 4-byte key, as progs.Map describes.
type mapDesc struct {
	name   string
	size   uint32
	fields []kptrField // sorted by offset; nil when the record failed
}

func (m *mapDesc) field(off int64) (kptrField, bool) {
	for _, f := range m.fields {
		if int64(f.off) == off {
			return f, true
		}
	}
	return kptrField{}, false
}

// describeMap reads a value layout as btf_parse_fields does for kptrs: it
// walks structs and arrays and finds pointers to TYPE_TAG "kptr".
//
// A value with more than t.KptrFieldsMax (BTF_FIELDS_MAX) special fields
// gets no btf_record at all, so none of its kptrs is one.
func describeMap(pm progs.Map, t progs.Target) (*mapDesc, error) {
	if pm.Value == nil {
		return nil, fmt.Errorf("%w: map %q has no value type", ErrInvalid, pm.Name)
	}
	size, err := btf.Sizeof(pm.Value)
	if err != nil {
		return nil, fmt.Errorf("%w: map %q: %v", ErrInvalid, pm.Name, err)
	}
	m := &mapDesc{name: pm.Name, size: uint32(size)}
	var fields []kptrField
	if err := walkKptrs(pm.Value, 0, &fields, 0); err != nil {
		return nil, fmt.Errorf("%w: map %q: %v", ErrInvalid, pm.Name, err)
	}
	if len(fields) <= t.KptrFieldsMax {
		m.fields = fields
	}
	return m, nil
}

func walkKptrs(t btf.Type, off uint32, out *[]kptrField, depth int) error {
	if depth > 8 {
		return fmt.Errorf("value type nested too deep")
	}
	switch t := btf.UnderlyingType(t).(type) {
	case *btf.Struct:
		for _, m := range t.Members {
			if err := walkKptrs(m.Type, off+m.Offset.Bytes(), out, depth+1); err != nil {
				return err
			}
		}
	case *btf.Array:
		esize, err := btf.Sizeof(t.Type)
		if err != nil {
			return err
		}
		for i := uint32(0); i < t.Nelems; i++ {
			if err := walkKptrs(t.Type, off+i*uint32(esize), out, depth+1); err != nil {
				return err
			}
		}
	case *btf.Pointer:
		tag, ok := t.Target.(*btf.TypeTag)
		if !ok || tag.Value != "kptr" {
			return nil
		}
		s, ok := btf.UnderlyingType(tag.Type).(*btf.Struct)
		if !ok {
			return fmt.Errorf("kptr at offset %d does not point to a struct", off)
		}
		*out = append(*out, kptrField{off: off, pointee: s.Name})
	}
	return nil
}
