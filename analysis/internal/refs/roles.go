package refs

import (
	"fmt"
	"go/types"
	"strings"

	"github.com/bpfbitmap/prototype/kfuncs"
)

// Import paths of the module's packages whose functions have roles.
const (
	modulePath    = "github.com/bpfbitmap/prototype"
	kfuncsPath    = modulePath + "/kfuncs"
	bitmapPath    = modulePath + "/bpfbitmap"
	castPath      = modulePath + "/cast"
	kptrXchgName  = "bpf_kptr_xchg"
	createName    = "bpf_bitmap_create"
	acquireName   = "bpf_bitmap_acquire"
	releaseName   = "bpf_bitmap_release"
	castName      = "bpf_bitmap_cast_to_cpumask"
	trustedArgMsg = "Possibly NULL pointer passed to trusted arg%d"
	helperArgMsg  = "Possibly NULL pointer passed to helper arg%d"
)

// A role is what a callee does to the references passed to it and what its
// result is, as the verifier would see the kfunc behind it.
type role struct {
	name    string      // how messages name the callee: "BitmapCreate", "Allocator.New"
	flags   kfuncs.Flag // the kfunc row's flags, when there is one
	acquire bool        // the result is a new reference
	retNull bool        // the result may be nil (KF_RET_NULL)
	nullWhy string      // why it may be nil, when not for KF_RET_NULL
	// errLinked says the result is (ptr, error), ptr being nil exactly when
	// the error is not.
	errLinked bool
	view      bool         // the result shares argument 0's object and takes no reference
	release   map[int]bool // arguments whose reference the call consumes
	xchg      bool         // bpf_kptr_xchg: argument 1 moves into the slot
	// iterNew (KF_ITER_NEW) starts the iterator at argument iterArg,
	// which then holds a reference until KF_ITER_DESTROY.
	iterNew bool
	iterArg int
	// nilMsg gives, for each argument the verifier refuses maybe-NULL, the
	// verifier's message; deref arguments (method receivers) have "".
	nilMsg map[int]string
	deref  map[int]bool // arguments the callee dereferences (receivers)
	// uarMsg gives the verifier's message for a released register passed
	// as each pointer argument.
	uarMsg    map[int]string
	borrow    bool         // the callee keeps no argument (default: unknown callees keep them)
	borrowArg map[int]bool // arguments the callee keeps on no path
	// pointerOnly callees compare their arguments as pointers and read
	// nothing through them (testify's Same, Nil).
	pointerOnly bool
	// Test and exit helpers.
	noReturn  bool
	nilAssert map[int]bool // arguments the call asserts non-nil, not returning otherwise
	errAssert map[int]bool // error arguments the call asserts nil, not returning otherwise
	nilFail   map[int]bool // arguments the call asserts nil
	errFail   map[int]bool // error arguments the call asserts non-nil
	// assertArg-1 is the bool argument the call asserts true
	// (assertTrue) or false (0: none): testify's True and False.
	assertArg  int
	assertTrue bool
	// sameArg-1 and sameArg are the arguments the call asserts to be the
	// same pointer (0: none): testify's Same.
	sameArg int
	// errMatch: errors.Is or errors.As, true only for a non-nil error.
	errMatch bool
	// nilCheck is a helper returning whether argument nilCheckArg is
	// non-nil (nilCheckNonNil) or nil.
	nilCheck       bool
	nilCheckArg    int
	nilCheckNonNil bool
}

// kfuncRole derives the role of the kfuncs function named by k from its
// table row: flags, and the prototype for which arguments are pointers.
func kfuncRole(k kfuncs.Kfunc, fn *types.Func) (*role, error) {
	sig, err := k.Signature()
	if err != nil {
		return nil, err
	}
	r := &role{name: k.Go, flags: k.Flags, borrow: true}
	r.acquire = k.Flags.Has(kfuncs.KfAcquire)
	r.retNull = k.Flags.Has(kfuncs.KfRetNull)
	params := fn.Type().(*types.Signature).Params()
	// Go adds the *cast.Kernel the kernel keeps in globals as a first
	// argument: the kernel's argument i is Go's i+off.
	off := 0
	if params.Len() > 0 && isNamed(params.At(0).Type(), castPath, "Kernel") {
		off = 1
	}
	checked := k.Flags&(kfuncs.KfTrustedArgs|kfuncs.KfRelease|kfuncs.KfRcu) != 0
	for i, p := range sig.Params {
		g := i + off
		if g >= params.Len() {
			continue
		}
		if p.Kind == kfuncs.ParamIter {
			// An open-coded iterator on the stack: KF_ITER_NEW makes it
			// hold a reference (mark_stack_slots_iter), KF_ITER_DESTROY
			// drops it, and any other use needs it initialised.
			name := strings.TrimPrefix(p.Struct, "bpf_")
			switch {
			case k.Flags.Has(kfuncs.KfIterNew):
				r.iterNew, r.iterArg = true, g
			case k.Flags.Has(kfuncs.KfIterDestroy):
				r.setBool(&r.release, g)
				r.set(&r.uarMsg, g, fmt.Sprintf("expected an initialized %s as arg #%d", name, i))
			default:
				r.set(&r.uarMsg, g, fmt.Sprintf("expected an initialized %s as arg #%d", name, i))
			}
			continue
		}
		if p.Kind != kfuncs.ParamStruct {
			continue
		}
		r.set(&r.uarMsg, g, fmt.Sprintf("R%d type=scalar expected=fp", i+1))
		if checked {
			r.set(&r.nilMsg, g, fmt.Sprintf(trustedArgMsg, i))
		}
		if k.Flags.Has(kfuncs.KfRelease) {
			r.setBool(&r.release, g)
		}
	}
	switch {
	case k.Kernel == kptrXchgName:
		// The helper moves its second argument's reference into the
		// slot and returns the slot's old one, maybe NULL
		// (bpf_kptr_xchg's RET_PTR_TO_BTF_ID_OR_NULL with a ref_obj_id).
		r.xchg, r.acquire, r.retNull = true, true, true
		r.borrow = false
		r.set(&r.uarMsg, 1, "R2 type=scalar expected=fp")
		r.set(&r.nilMsg, 1, fmt.Sprintf(helperArgMsg, 2))
	case r.retNull && !r.acquire && sig.Ret.Kind == kfuncs.ParamStruct && len(sig.Params) > 0 && sig.Params[0].Kind == kfuncs.ParamStruct:
		// A maybe-NULL struct pointer made from a struct argument without a
		// reference of its own: the cast. It lives as long as the argument.
		r.view = true
	}
	return r, nil
}

func (r *role) set(m *map[int]string, i int, s string) {
	if *m == nil {
		*m = map[int]string{}
	}
	(*m)[i] = s
}

func (r *role) setBool(m *map[int]bool, i int) {
	if *m == nil {
		*m = map[int]bool{}
	}
	(*m)[i] = true
}

// isNamed reports whether t is *path.name or path.name.
func isNamed(t types.Type, path, name string) bool {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	n, ok := types.Unalias(t).(*types.Named)
	if !ok {
		return false
	}
	obj := n.Obj()
	return obj.Pkg() != nil && obj.Pkg().Path() == path && obj.Name() == name
}

// trackedTypes are the module's reference-counted object and its views:
// their methods dereference the receiver.
var trackedTypes = map[string][]string{
	bitmapPath: {"Bitmap"},
	castPath:   {"Cpumask", "OwnedCpumask"},
	kfuncsPath: {"BPFCpumask"},
}

func isTracked(t types.Type) bool {
	for path, names := range trackedTypes {
		for _, n := range names {
			if isNamed(t, path, n) {
				return true
			}
		}
	}
	return false
}

// roles maps callees to roles. It reads kfuncs.Kfuncs when it is made, so new
// rows take effect without a change here.
type roles struct {
	byFunc map[*types.Func]*role
	rows   map[string]kfuncs.Kfunc // by Go name
	kernel map[string]kfuncs.Kfunc // by kernel name
	errs   []error
}

func newRoles() *roles {
	r := &roles{byFunc: map[*types.Func]*role{}, rows: map[string]kfuncs.Kfunc{}, kernel: map[string]kfuncs.Kfunc{}}
	for _, k := range kfuncs.Kfuncs {
		r.rows[k.Go] = k
		r.kernel[k.Kernel] = k
	}
	return r
}

// flagsOf returns the flags of the kernel function name, from the table.
func (rs *roles) flagsOf(name string) kfuncs.Flag { return rs.kernel[name].Flags }

// builtin returns the role of fn that does not come from analysing its body:
// a table row, the core API's counterparts of the kfuncs, or a test or exit
// helper. It returns nil for other functions.
func (rs *roles) builtin(fn *types.Func) *role {
	if r, ok := rs.byFunc[fn]; ok {
		return r
	}
	r := rs.compute(fn)
	rs.byFunc[fn] = r
	return r
}

func (rs *roles) compute(fn *types.Func) *role {
	if fn.Pkg() == nil {
		return nil
	}
	path := fn.Pkg().Path()
	sig := fn.Type().(*types.Signature)
	recv := sig.Recv()
	switch path {
	case kfuncsPath:
		if recv != nil && isNamed(recv.Type(), kfuncsPath, "Kptr") && fn.Name() == "Load" {
			// The direct load of a kptr field: under RCU the verifier
			// types it rcu_ptr_or_null_, to be NULL-checked before use.
			return &role{name: "Kptr.Load", retNull: true, nullWhy: "a kptr load, rcu_ptr_or_null_", borrow: true}
		}
		if recv != nil {
			break
		}
		if k, ok := rs.rows[fn.Name()]; ok {
			r, err := kfuncRole(k, fn)
			if err != nil {
				rs.errs = append(rs.errs, err)
				return nil
			}
			return r
		}
	case bitmapPath, castPath:
		if r := rs.core(fn, sig); r != nil {
			return r
		}
	case "os":
		if fn.Name() == "Exit" && recv == nil {
			return &role{name: "os.Exit", noReturn: true}
		}
	case "runtime":
		if fn.Name() == "Goexit" {
			return &role{name: "runtime.Goexit", noReturn: true}
		}
	case "log":
		if strings.HasPrefix(fn.Name(), "Fatal") || strings.HasPrefix(fn.Name(), "Panic") {
			return &role{name: "log." + fn.Name(), noReturn: true}
		}
	case "testing":
		switch fn.Name() {
		case "Fatal", "Fatalf", "FailNow", "Skip", "Skipf", "SkipNow":
			return &role{name: fn.Name(), noReturn: true}
		}
		return &role{name: fn.Name(), borrow: true}
	case "fmt":
		return &role{name: "fmt." + fn.Name(), borrow: true}
	case "errors":
		if recv == nil && (fn.Name() == "Is" || fn.Name() == "As") {
			return &role{name: "errors." + fn.Name(), borrow: true, errMatch: true}
		}
	case "github.com/stretchr/testify/require", "github.com/stretchr/testify/assert":
		// A test whose assertion failed has failed: the analyzer follows
		// the path on which each assertion holds, for assert as for
		// require.
		r := &role{name: fn.Name(), borrow: true}
		i := 1 // the argument after t
		if recv != nil {
			i = 0
		}
		switch fn.Name() {
		case "Same":
			r.pointerOnly = true
			r.sameArg = i + 1
		case "NotSame":
			r.pointerOnly = true
		case "True":
			r.assertArg, r.assertTrue = i+1, true
		case "False":
			r.assertArg = i + 1
		case "Nil":
			r.pointerOnly = true
			r.setBool(&r.nilFail, i)
		case "NotNil":
			r.pointerOnly = true
			r.setBool(&r.nilAssert, i)
			r.nilCheck, r.nilCheckArg, r.nilCheckNonNil = true, i, true
		case "NoError":
			r.setBool(&r.errAssert, i)
		case "Error", "ErrorIs", "ErrorAs", "ErrorContains", "EqualError":
			r.setBool(&r.errFail, i)
		}
		return r
	}
	if recv != nil && isTracked(recv.Type()) {
		// Any other method of the object or its views reads through the
		// receiver (BPF: a load from the register).
		r := &role{name: recvName(recv.Type()) + "." + fn.Name(), borrow: true}
		r.setBool(&r.deref, 0)
		r.set(&r.uarMsg, 0, "invalid mem access 'scalar'")
		if fn.Name() == "Cpumask" {
			r.view = true
		}
		return r
	}
	return nil
}

// core gives the roles of the core API's counterparts of the bitmap kfuncs,
// with the flags of the kfunc each stands for.
func (rs *roles) core(fn *types.Func, sig *types.Signature) *role {
	res := sig.Results()
	recv := sig.Recv()
	name := fn.Name()
	if recv != nil {
		name = recvName(recv.Type()) + "." + name
	}
	withKernel := func(kernel string) *role {
		r := &role{name: name, flags: rs.flagsOf(kernel), borrow: true}
		r.acquire = r.flags.Has(kfuncs.KfAcquire)
		r.retNull = r.flags.Has(kfuncs.KfRetNull)
		if recv != nil && isTracked(recv.Type()) {
			r.setBool(&r.deref, 0)
			r.set(&r.uarMsg, 0, "R1 type=scalar expected=fp")
			if r.flags&(kfuncs.KfTrustedArgs|kfuncs.KfRelease|kfuncs.KfRcu) != 0 {
				r.set(&r.nilMsg, 0, fmt.Sprintf(trustedArgMsg, 0))
			}
			if r.flags.Has(kfuncs.KfRelease) {
				r.setBool(&r.release, 0)
			}
		}
		return r
	}
	isBitmapPtr := func(t types.Type) bool {
		_, ok := t.(*types.Pointer)
		return ok && isNamed(t, bitmapPath, "Bitmap")
	}
	isErr := func(t types.Type) bool { return types.Identical(t, types.Universe.Lookup("error").Type()) }
	switch {
	case recv != nil && isNamed(recv.Type(), bitmapPath, "Bitmap") && fn.Name() == "Acquire":
		return withKernel(acquireName)
	case recv != nil && isNamed(recv.Type(), bitmapPath, "Bitmap") && fn.Name() == "Release":
		return withKernel(releaseName)
	case fn.Pkg().Path() == bitmapPath && recv == nil && fn.Name() == "MustNew":
		r := withKernel(createName)
		r.retNull = false // it panics instead
		return r
	case res.Len() == 2 && isBitmapPtr(res.At(0).Type()) && isErr(res.At(1).Type()):
		// Every (*Bitmap, error) constructor of the core API allocates
		// as bpf_bitmap_create does, reporting NULL as an error.
		r := withKernel(createName)
		r.errLinked = true
		return r
	case fn.Pkg().Path() == castPath && recv == nil:
		switch fn.Name() {
		case "BitmapCastToCpumask", "To", "MustBitmapCastToCpumask":
			r := &role{name: "cast." + fn.Name(), flags: rs.flagsOf(castName), borrow: true, view: true}
			// MustBitmapCastToCpumask panics instead of returning nil
			// (bpf_assert); To says why in its error, and takes nil.
			r.retNull = r.flags.Has(kfuncs.KfRetNull) && fn.Name() != "MustBitmapCastToCpumask"
			r.errLinked = fn.Name() == "To"
			r.set(&r.uarMsg, 0, "R1 type=scalar expected=fp")
			if fn.Name() != "To" && r.flags&(kfuncs.KfTrustedArgs|kfuncs.KfRelease|kfuncs.KfRcu) != 0 {
				r.set(&r.nilMsg, 0, fmt.Sprintf(trustedArgMsg, 0))
			}
			return r
		}
	}
	return nil
}

func recvName(t types.Type) string {
	if p, ok := t.(*types.Pointer); ok {
		t = p.Elem()
	}
	if n, ok := types.Unalias(t).(*types.Named); ok {
		return n.Obj().Name()
	}
	return t.String()
}
