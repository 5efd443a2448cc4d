package oracle

import (
	"strings"

	"github.com/bpfbitmap/prototype/kfuncs"
)

// kfunc is one bpf_cpumask kfunc the oracle can call, by its kernel name
// ("bpf_cpumask_first"). The list, the argument shapes and the return type
// come from its row of kfuncs.Kfuncs and that row's Signature.
type kfunc string

// cpumaskKfuncs returns every kfunc the oracle can call, in kfuncs.Kfuncs order:
// the cpumask kfuncs both designs share. bpf_cpumask_create, _acquire and
// _release are not listed: every program uses create and release to own
// its masks, so they are measured separately.
func cpumaskKfuncs() []kfunc {
	var out []kfunc
	for _, k := range kfuncs.Kfuncs {
		if callable(k) {
			out = append(out, kfunc(k.Kernel))
		}
	}
	return out
}

func callable(k kfuncs.Kfunc) bool {
	return k.Kind == kfuncs.KindKfunc && k.Design == kfuncs.DesignShared && strings.HasPrefix(k.Kernel, "bpf_cpumask_")
}

// String returns the kernel's name, so logs and testdata grep the same as
// kernel sources.
func (fn kfunc) String() string { return string(fn) }

// signature returns the kfunc's prototype as the verifier reads it; false
// for a name the oracle cannot call.
func (fn kfunc) signature() (kfuncs.Signature, bool) {
	k, ok := kfuncs.Kfuncs.Lookup(string(fn))
	if !ok || k.Kernel != string(fn) || !callable(k) {
		return kfuncs.Signature{}, false
	}
	sig, err := k.Signature()
	return sig, err == nil
}

func (fn kfunc) valid() bool {
	_, ok := fn.signature()
	return ok
}

// isMask reports whether a parameter is a mask: struct bpf_cpumask * or
// (const) struct cpumask *.
func isMask(p kfuncs.Param) bool {
	return p.Kind == kfuncs.ParamStruct && (p.Struct == "cpumask" || p.Struct == "bpf_cpumask")
}

// NumMasks returns how many mask arguments the kfunc takes, which is how
// many input masks a kcall needs.
func (fn kfunc) NumMasks() int {
	sig, _ := fn.signature()
	n := 0
	for _, p := range sig.Params {
		if isMask(p) {
			n++
		}
	}
	return n
}

// TakesCPU reports whether the kfunc's first argument is a CPU number.
func (fn kfunc) TakesCPU() bool {
	sig, _ := fn.signature()
	return len(sig.Params) > 0 && sig.Params[0].Kind == kfuncs.ParamScalar
}

// TakesSrc reports whether the kfunc reads a memory buffer with its size
// (bpf_cpumask_populate's src and src__sz): kcall.Src.
func (fn kfunc) TakesSrc() bool {
	sig, _ := fn.signature()
	for _, p := range sig.Params {
		if p.Kind == kfuncs.ParamMem {
			return true
		}
	}
	return false
}

// retKind is the C return type of a kfunc, which decides how result.Ret
// is to be read: the JIT only guarantees the low bits of R0 for narrow types.
type retKind uint8

// Return kinds of the cpumask kfuncs.
const (
	retVoid retKind = iota // void: result.Ret is meaningless
	retBool                // bool: only the low byte of R0 is defined
	retU32                 // u32
	retInt                 // int: a negative errno or 0
)

// Ret returns the kfunc's C return type.
func (fn kfunc) Ret() retKind {
	sig, _ := fn.signature()
	switch sig.Ret.Type {
	case "bool":
		return retBool
	case "u32":
		return retU32
	case "int":
		return retInt
	}
	return retVoid
}

// distributes reports whether the kfunc picks with this CPU's cursor
// (cpumask_any_distribute and _and_distribute, lib/cpumask.c), so that one
// run per pick would mistake the cursor moving for a change of input.
func (fn kfunc) distributes() bool { return strings.HasSuffix(string(fn), "_distribute") }
