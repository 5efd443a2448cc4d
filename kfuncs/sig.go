package kfuncs

import (
	"errors"
	"fmt"
	"strings"
)

// ErrProto reports a prototype in the table that Signature cannot read.
var ErrProto = errors.New("kfuncs: unreadable prototype")

// ParamKind is how the verifier classifies a parameter or return value of a
// kfunc from its BTF type (get_kfunc_ptr_arg_type and check_kfunc_args in
// kernel/bpf/verifier.c).
type ParamKind uint8

// Parameter kinds, in the order the verifier tests for them.
const (
	ParamVoid    ParamKind = iota // only as a return type: nothing in R0
	ParamScalar                   // an integer (u32 cpu, int bits, size_t src__sz, bool, u64)
	ParamStruct                   // a pointer to a named kernel struct (KF_ARG_PTR_TO_BTF_ID)
	ParamMem                      // void * or a pointer to an integer: memory checked by size
	ParamMemSize                  // the __sz scalar that gives the size of the ParamMem before it
	ParamIter                     // struct bpf_iter_* *: an iterator on the stack
)

var paramKindNames = [...]string{"void", "scalar", "struct", "mem", "mem_size", "iter"}

// String returns the kind's name as docs/kfuncs.md prints it.
func (k ParamKind) String() string {
	if int(k) < len(paramKindNames) {
		return paramKindNames[k]
	}
	return fmt.Sprintf("ParamKind(%d)", uint8(k))
}

// Param is one parameter, or the return value, of a kfunc's prototype.
type Param struct {
	Name   string    // C name with the kernel's suffixes (src__sz, unsafe_ptr__ign); empty for the return value
	Kind   ParamKind //
	Struct string    // for ParamStruct and ParamIter: the struct's name, "cpumask", "bpf_cpumask"
	Const  bool      // the pointee is const: the kfunc only reads it
	Type   string    // the C type as written, "const struct cpumask *"
}

// Signature is a kfunc prototype as the verifier reads it: the arguments in
// the kernel's order, in R1..R5, and the return value in R0.
type Signature struct {
	Ret    Param
	Params []Param
}

// Signature parses k.Proto. Every row of Kfuncs parses; a test checks it.
func (k Kfunc) Signature() (Signature, error) {
	open := strings.IndexByte(k.Proto, '(')
	if open < 0 || !strings.HasSuffix(k.Proto, ")") {
		return Signature{}, fmt.Errorf("%w: %q", ErrProto, k.Proto)
	}
	head := strings.TrimSpace(k.Proto[:open])
	if !strings.HasSuffix(head, k.Kernel) {
		return Signature{}, fmt.Errorf("%w: %q does not declare %s", ErrProto, k.Proto, k.Kernel)
	}
	ret, err := parseType(strings.TrimSpace(strings.TrimSuffix(head, k.Kernel)))
	if err != nil {
		return Signature{}, fmt.Errorf("%w: %s return: %v", ErrProto, k.Kernel, err)
	}
	sig := Signature{Ret: ret}
	list := strings.TrimSpace(k.Proto[open+1 : len(k.Proto)-1])
	if list == "void" || list == "" {
		return sig, nil
	}
	for _, decl := range strings.Split(list, ",") {
		decl = strings.TrimSpace(decl)
		cut := strings.LastIndexAny(decl, " *")
		if cut < 0 || cut == len(decl)-1 {
			return Signature{}, fmt.Errorf("%w: %s: parameter %q has no name", ErrProto, k.Kernel, decl)
		}
		p, err := parseType(strings.TrimSpace(decl[:cut+1]))
		if err != nil {
			return Signature{}, fmt.Errorf("%w: %s: %v", ErrProto, k.Kernel, err)
		}
		p.Name = decl[cut+1:]
		if strings.HasSuffix(p.Name, "__sz") {
			if p.Kind != ParamScalar || len(sig.Params) == 0 || sig.Params[len(sig.Params)-1].Kind != ParamMem {
				return Signature{}, fmt.Errorf("%w: %s: %s must be a scalar after a memory pointer", ErrProto, k.Kernel, p.Name)
			}
			p.Kind = ParamMemSize
		}
		sig.Params = append(sig.Params, p)
	}
	if len(sig.Params) > 5 {
		return Signature{}, fmt.Errorf("%w: %s has %d parameters; BPF passes at most 5", ErrProto, k.Kernel, len(sig.Params))
	}
	return sig, nil
}

// scalarTypes are the integer types the table's prototypes use.
var scalarTypes = map[string]bool{
	"u32": true, "u64": true, "int": true, "bool": true, "size_t": true,
}

func parseType(t string) (Param, error) {
	p := Param{Type: t}
	rest := t
	if s, ok := strings.CutPrefix(rest, "const "); ok {
		p.Const, rest = true, s
	}
	ptr := strings.HasSuffix(rest, "*")
	rest = strings.TrimSpace(strings.TrimSuffix(rest, "*"))
	switch {
	case rest == "void" && !ptr:
		p.Kind = ParamVoid
	case scalarTypes[rest] && !ptr:
		p.Kind = ParamScalar
	case (rest == "void" || scalarTypes[rest]) && ptr:
		p.Kind = ParamMem
	case strings.HasPrefix(rest, "struct ") && ptr:
		p.Struct = strings.TrimPrefix(rest, "struct ")
		p.Kind = ParamStruct
		if strings.HasPrefix(p.Struct, "bpf_iter_") {
			p.Kind = ParamIter
		}
	default:
		return Param{}, fmt.Errorf("type %q", t)
	}
	return p, nil
}
