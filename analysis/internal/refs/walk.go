package refs

import (
	"go/token"
	"go/types"
	"slices"

	"golang.org/x/tools/go/ssa"
)

// An origin is one value the rules follow: a reference a call acquired, a
// maybe-nil result, or (for summaries) a parameter.
type origin struct {
	def     ssa.Instruction // the call that made it; nil for a parameter
	pos     token.Pos
	name    string // the callee, for messages
	why     string // why it may be nil, for messages: "KF_RET_NULL"
	acquire bool   // a reference that must be released, stored or returned
	retNull bool   // may be nil until compared with nil
	param   bool
	iter    bool // an iterator KF_ITER_NEW started
	// keepNil walks on through the branch where the value is nil, which
	// otherwise ends the path (it holds nothing there).
	keepNil bool
	// aliases hold the same pointer: the result, its conversions, phis
	// and Cpumask() views. views are cast views, valid while the
	// reference is (their nilness is their own origin's).
	aliases map[ssa.Value]bool
	views   map[ssa.Value]bool
	errs    map[ssa.Value]bool // the error results that tell nil
	// phis numbers the phis among aliases: a phi holds the reference only
	// on paths that enter it through an edge that does.
	phis map[*ssa.Phi]uint
}

// finish numbers o's phis.
func (o *origin) finish() *origin {
	o.phis = map[*ssa.Phi]uint{}
	for v := range o.aliases {
		if phi, ok := v.(*ssa.Phi); ok && len(o.phis) < 64 {
			o.phis[phi] = uint(len(o.phis))
		}
	}
	return o
}

// is reports whether v holds o's pointer on the path of st.
func (o *origin) is(st state, v ssa.Value) bool {
	if !o.aliases[v] {
		return false
	}
	if phi, ok := v.(*ssa.Phi); ok {
		if i, ok := o.phis[phi]; ok && st.notPhi&(1<<i) != 0 {
			return false
		}
	}
	return true
}

// enter updates st's phis for entering b from pred.
func (o *origin) enter(st state, pred, b *ssa.BasicBlock) state {
	if pred == nil || len(o.phis) == 0 {
		return st
	}
	k := slices.Index(b.Preds, pred)
	next := st
	for _, instr := range b.Instrs {
		phi, ok := instr.(*ssa.Phi)
		if !ok {
			break
		}
		if i, ok := o.phis[phi]; ok && k >= 0 {
			if o.is(st, phi.Edges[k]) {
				next.notPhi &^= 1 << i
			} else {
				next.notPhi |= 1 << i
			}
		}
	}
	return next
}

// Nilness of an origin on a path.
const (
	nonNil uint8 = iota
	maybeNil
	knownNil // on the branch where it compared equal to nil
)

type state struct {
	nilness  uint8
	refs     int8   // references held: 1 at the start, 0 once released
	relBy    string // the callee that released the last one
	deferred int8   // references deferred calls release at return
	// deferNil is the position of a deferred release of a maybe-nil
	// value: reported if the value is still maybe-nil at return.
	deferNil    token.Pos
	deferNilMsg string // the verifier's message for it
	notPhi      uint64 // o.phis that do not hold the reference on this path
}

func (st state) released() bool { return st.refs <= 0 }

// maxRefs bounds the reference count a path tracks.
const maxRefs = 8

// outcome is what the paths from an origin did with it, for summaries.
type outcome struct {
	returns, releasedReturns int
	escaped                  bool
	returned                 bool // result 0 on some return
	returnedMaybeNil         bool
	nilReturns               int // returns reached where it may be nil
}

// origins returns the values of fn the rules follow.
func (c *checker) origins(fn *ssa.Function) []*origin {
	var out []*origin
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			call, ok := instr.(*ssa.Call)
			if !ok {
				continue
			}
			r := c.roleOf(call.Common())
			if r != nil && r.iterNew {
				if args := callArgs(call.Common()); r.iterArg < len(args) && !isNil(args[r.iterArg]) {
					o := &origin{def: call, pos: call.Pos(), name: r.name, why: "KF_ITER_NEW", acquire: true, iter: true,
						views: map[ssa.Value]bool{}, errs: map[ssa.Value]bool{}}
					o.aliases = c.closure([]ssa.Value{args[r.iterArg]})
					out = append(out, o.finish())
				}
				continue
			}
			if r == nil || !(r.acquire || r.retNull) {
				continue
			}
			if r.acquire && !r.xchg && c.effectOnly(call) && len(callArgs(call.Common())) > 0 {
				continue // b.Acquire() for its effect: counted on b's path
			}
			o := &origin{def: call, pos: call.Pos(), name: r.name, why: "KF_RET_NULL", acquire: r.acquire, retNull: r.retNull, errs: map[ssa.Value]bool{}}
			if r.nullWhy != "" {
				o.why = r.nullWhy
			}
			var roots []ssa.Value
			if _, tuple := call.Type().(*types.Tuple); tuple {
				for _, ref := range *call.Referrers() {
					if ex, ok := ref.(*ssa.Extract); ok {
						switch {
						case ex.Index == 0:
							roots = append(roots, ex)
						case ex.Index == 1 && r.errLinked:
							o.errs[ex] = true
						}
					}
				}
			} else {
				roots = append(roots, call)
			}
			if r.xchg {
				o.why = "the slot's old reference"
			}
			o.aliases = c.closure(roots)
			o.views = map[ssa.Value]bool{}
			o.errs = errClosure(o.errs)
			out = append(out, o.finish())
		}
	}
	// Cast views of a reference are used after its release when the
	// reference is: give each reference its views.
	for _, o := range out {
		if !o.acquire {
			continue
		}
		for _, v := range out {
			if call, ok := v.def.(*ssa.Call); ok && !v.acquire && len(call.Call.Args) > 0 && o.aliases[call.Call.Args[0]] {
				for a := range v.aliases {
					o.views[a] = true
				}
			}
		}
	}
	return out
}

// effectOnly reports whether the result of call v is unused but for
// comparing it as a pointer: b.Acquire() called for its effect on b.
func (c *checker) effectOnly(v ssa.Value) bool {
	if v == nil {
		return false
	}
	for _, ref := range *v.Referrers() {
		mi, ok := ref.(*ssa.MakeInterface)
		if !ok {
			return false
		}
		for _, use := range *mi.Referrers() {
			call, ok := use.(ssa.CallInstruction)
			if !ok {
				return false
			}
			if r := c.roleOf(call.Common()); r == nil || !r.pointerOnly {
				return false
			}
		}
	}
	return true
}

// errClosure adds the phis that merge errors of errs.
func errClosure(errs map[ssa.Value]bool) map[ssa.Value]bool {
	var work []ssa.Value
	for v := range errs {
		work = append(work, v)
	}
	for len(work) > 0 {
		v := work[len(work)-1]
		work = work[:len(work)-1]
		for _, ref := range *v.Referrers() {
			if phi, ok := ref.(*ssa.Phi); ok && !errs[phi] {
				errs[phi] = true
				work = append(work, phi)
			}
		}
	}
	return errs
}

// closure returns roots and every value that holds the same pointer.
func (c *checker) closure(roots []ssa.Value) map[ssa.Value]bool {
	set := map[ssa.Value]bool{}
	work := append([]ssa.Value(nil), roots...)
	for len(work) > 0 {
		v := work[len(work)-1]
		work = work[:len(work)-1]
		if set[v] {
			continue
		}
		set[v] = true
		refs := v.Referrers()
		if refs == nil {
			continue
		}
		for _, ref := range *refs {
			switch ref := ref.(type) {
			case *ssa.ChangeType, *ssa.Convert, *ssa.Phi:
				work = append(work, ref.(ssa.Value))
			case *ssa.Call:
				// Cpumask() and the casts that cannot fail return the
				// same object's memory.
				if r := c.roleOf(ref.Common()); r != nil && r.view && !r.retNull && len(ref.Call.Args) > 0 && ref.Call.Args[0] == v {
					work = append(work, ref)
				}
			}
		}
	}
	return set
}

func paramOrigin(v ssa.Value) *origin {
	return &origin{pos: v.Pos(), name: v.Name(), param: true, aliases: map[ssa.Value]bool{v: true}, views: map[ssa.Value]bool{}, errs: map[ssa.Value]bool{}}
}

// summarise computes fn's FuncFact from walks of its parameters and of the
// references it returns.
func (c *checker) summarise(fn *ssa.Function) *FuncFact {
	f := &FuncFact{}
	var vals []ssa.Value // numbered as callArgs numbers a call's arguments
	for _, fv := range fn.FreeVars {
		vals = append(vals, fv)
	}
	for _, p := range fn.Params {
		vals = append(vals, p)
	}
	for i, v := range vals {
		if _, ok := v.Type().Underlying().(*types.Pointer); !ok {
			continue
		}
		o := paramOrigin(v)
		o.aliases = c.closure([]ssa.Value{v})
		out := c.walk(fn, o.finish())
		switch {
		case out.escaped || out.returned:
		case out.returns > 0 && out.releasedReturns == out.returns:
			f.Releases = append(f.Releases, i)
		case out.releasedReturns == 0:
			f.Borrows = append(f.Borrows, i)
		}
		// A helper that returns only when its argument is not nil
		// (t.Fatal or panic otherwise) is a nil check for its caller.
		o = paramOrigin(v)
		o.aliases = c.closure([]ssa.Value{v})
		o.retNull, o.keepNil = true, true
		if out := c.walk(fn, o.finish()); out.returns > 0 && out.nilReturns == 0 {
			f.NilAsserts = append(f.NilAsserts, i)
		}
	}
	results := fn.Signature.Results()
	if results.Len() >= 1 {
		if _, ok := results.At(0).Type().Underlying().(*types.Pointer); ok {
			c.summariseResult(fn, f)
		}
	}
	if results.Len() == 1 && types.Identical(results.At(0).Type(), types.Typ[types.Bool]) {
		c.summariseNilCheck(fn, f, vals)
	}
	return f
}

// summariseResult sets f.Acquire when every return of fn returns a reference
// fn acquired, or nil.
func (c *checker) summariseResult(fn *ssa.Function, f *FuncFact) {
	origins := c.origins(fn)
	acquired, maybeNil := false, false
	for _, b := range fn.Blocks {
		ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return)
		if !ok {
			continue
		}
		r0 := ret.Results[0]
		if k, ok := r0.(*ssa.Const); ok && k.IsNil() {
			maybeNil = true
			continue
		}
		found := false
		for _, o := range origins {
			if o.acquire && o.aliases[r0] {
				found = true
			}
		}
		if !found {
			return
		}
		acquired = true
	}
	if !acquired {
		return
	}
	for _, o := range origins {
		if o.acquire {
			if out := c.walk(fn, o); out.returnedMaybeNil {
				maybeNil = true
			}
		}
	}
	f.Acquire, f.RetNull = true, maybeNil
	res := fn.Signature.Results()
	f.ErrLinked = res.Len() == 2 && types.Identical(res.At(1).Type(), types.Universe.Lookup("error").Type())
}

// summariseNilCheck recognises func(p *T) bool { return p != nil }.
func (c *checker) summariseNilCheck(fn *ssa.Function, f *FuncFact, params []ssa.Value) {
	var rets []*ssa.Return
	for _, b := range fn.Blocks {
		if ret, ok := b.Instrs[len(b.Instrs)-1].(*ssa.Return); ok {
			rets = append(rets, ret)
		}
	}
	if len(rets) != 1 {
		return
	}
	bin, ok := rets[0].Results[0].(*ssa.BinOp)
	if !ok || (bin.Op != token.EQL && bin.Op != token.NEQ) {
		return
	}
	x := bin.X
	if isNil(x) {
		x = bin.Y
	} else if !isNil(bin.Y) {
		return
	}
	for i, p := range params {
		if p == x {
			f.NilCheckArg, f.NilCheckNonNil = i+1, bin.Op == token.NEQ
		}
	}
}

func isNil(v ssa.Value) bool {
	k, ok := v.(*ssa.Const)
	return ok && k.IsNil()
}

// check reports the findings of fn.
func (c *checker) check(fn *ssa.Function) {
	for _, o := range c.origins(fn) {
		c.walk(fn, o)
	}
	// Parameters are walked for use after release only.
	for _, p := range fn.Params {
		if _, ok := p.Type().Underlying().(*types.Pointer); ok {
			o := paramOrigin(p)
			o.aliases = c.closure([]ssa.Value{p})
			c.walk(fn, o.finish())
		}
	}
}

type frame struct {
	b    *ssa.BasicBlock
	pred *ssa.BasicBlock // the block the path came from, for phis
	i    int
	st   state
}

type visitKey struct {
	b  int
	st state
}

// walk follows every path from o's definition to a return, and reports what
// breaks a rule on one of them.
func (c *checker) walk(fn *ssa.Function, o *origin) outcome {
	var out outcome
	if len(fn.Blocks) == 0 {
		return out
	}
	start := frame{b: fn.Blocks[0], st: state{refs: 1}}
	if o.retNull {
		start.st.nilness = maybeNil
	}
	if o.def != nil {
		start.b = o.def.Block()
		for i, instr := range start.b.Instrs {
			if instr == o.def {
				start.i = i + 1
			}
		}
		start.st.deferred = c.deferredBefore(o, start)
	}
	visited := map[visitKey]bool{}
	stack := []frame{start}
	for len(stack) > 0 {
		f := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		succs, st, ok := c.block(fn, o, f, &out)
		if !ok {
			continue
		}
		for _, s := range succs {
			st := st
			switch s.nil {
			case branchNonNil:
				st.nilness = nonNil
			case branchIsNil:
				if !o.keepNil && o.param {
					continue
				}
				// Nothing is held here, but passing the nil on is
				// still refused.
				st.nilness = knownNil
			}
			st = o.enter(st, f.b, s.b)
			k := visitKey{s.b.Index, st}
			if !visited[k] {
				visited[k] = true
				stack = append(stack, frame{b: s.b, pred: f.b, st: st})
			}
		}
	}
	return out
}

// deferredBefore counts the deferred releases of o registered before its
// definition on every path to it: Go code defers IterBitsDestroy(&it)
// before IterBitsNew(&it, ...).
func (c *checker) deferredBefore(o *origin, start frame) int8 {
	var n int8
	for _, b := range start.b.Parent().Blocks {
		if !b.Dominates(start.b) {
			continue
		}
		for i, instr := range b.Instrs {
			if b == start.b && i >= start.i {
				break
			}
			d, ok := instr.(*ssa.Defer)
			if !ok {
				continue
			}
			r := c.roleOf(d.Common())
			if r == nil {
				continue
			}
			for j, a := range callArgs(d.Common()) {
				if r.release[j] && o.aliases[a] {
					n++
				}
			}
		}
	}
	return n
}

type succ struct {
	b   *ssa.BasicBlock
	nil branchNil // what the branch taken to b says of the value
}

// branchNil is what a condition, true or false, says of a value.
type branchNil uint8

const (
	branchUnknown branchNil = iota
	branchNonNil
	branchIsNil
)

// block runs f's block from f.i and returns its successors with the state at
// its end, or ok == false when the path ends inside it.
func (c *checker) block(fn *ssa.Function, o *origin, f frame, out *outcome) (succs []succ, st state, ok bool) {
	st = f.st
	for _, instr := range f.b.Instrs[f.i:] {
		if instr == o.def {
			return nil, st, false // the next acquisition: this one ends here
		}
		switch instr := instr.(type) {
		case *ssa.Return:
			c.atReturn(o, instr, st, out)
			return nil, st, false
		case *ssa.Panic:
			return nil, st, false
		case *ssa.If:
			onTrue, onFalse := c.nilTest(o, st, instr.Cond, 0)
			return []succ{{f.b.Succs[0], onTrue}, {f.b.Succs[1], onFalse}}, st, true
		case *ssa.Jump:
			return []succ{{b: f.b.Succs[0]}}, st, true
		case ssa.CallInstruction:
			var cont bool
			st, cont = c.call(o, instr, st, out)
			if !cont {
				return nil, st, false
			}
		default:
			var cont bool
			st, cont = c.other(o, instr, st, out)
			if !cont {
				return nil, st, false
			}
		}
	}
	return nil, st, false
}

func (c *checker) atReturn(o *origin, ret *ssa.Return, st state, out *outcome) {
	out.returns++
	if st.nilness != nonNil {
		out.nilReturns++
	}
	if st.refs-st.deferred <= 0 {
		out.releasedReturns++
	}
	if st.deferNil.IsValid() && st.nilness == maybeNil {
		c.add(RulePossiblyNil, st.deferNil,
			"possibly nil: %s's result (%s) is released by a deferred call and not compared with nil before return (verifier: %s)", o.name, o.why, st.deferNilMsg)
	}
	for i, r := range ret.Results {
		if o.is(st, unwrap(r)) {
			if o.param {
				out.escaped = true
			}
			if i == 0 {
				out.returned = true
				if st.nilness != nonNil {
					out.returnedMaybeNil = true
				}
			}
			return // the caller owns it now
		}
	}
	if st.nilness == knownNil {
		return // the verifier drops the reference on the NULL branch
	}
	if o.iter && st.refs-st.deferred > 0 {
		c.add(RuleUnreleased, o.pos,
			"unreleased reference: the iterator %s started (KF_ITER_NEW) is not destroyed on every path (verifier: Unreleased reference)", o.name)
		return
	}
	if o.acquire && st.refs-st.deferred > 0 {
		why := "KF_ACQUIRE"
		if o.why != "KF_RET_NULL" {
			why = o.why
		}
		c.add(RuleUnreleased, o.pos,
			"unreleased reference: %s's result (%s) is not released, put in a kptr slot or returned on every path (verifier: Unreleased reference)",
			o.name, why)
	}
}

// unwrap returns the value v converts to an interface, if it does.
func unwrap(v ssa.Value) ssa.Value {
	if mi, ok := v.(*ssa.MakeInterface); ok {
		return mi.X
	}
	return v
}

// nilTest says what cond being true, and being false, tells of o's
// nilness, if cond tests o (or its error) against nil.
func (c *checker) nilTest(o *origin, st state, cond ssa.Value, depth int) (onTrue, onFalse branchNil) {
	if depth > 4 {
		return branchUnknown, branchUnknown
	}
	switch v := cond.(type) {
	case *ssa.UnOp:
		if v.Op == token.NOT {
			t, f := c.nilTest(o, st, v.X, depth+1)
			return f, t
		}
	case *ssa.BinOp:
		if v.Op != token.EQL && v.Op != token.NEQ {
			break
		}
		x := v.X
		if isNil(x) {
			x = v.Y
		} else if !isNil(v.Y) {
			break
		}
		x = unwrap(x)
		switch {
		case o.is(st, x) && v.Op == token.NEQ, o.errs[x] && v.Op == token.EQL:
			return branchNonNil, branchIsNil
		case o.is(st, x), o.errs[x]:
			return branchIsNil, branchNonNil
		}
	case *ssa.Call:
		r := c.roleOf(v.Common())
		if r == nil {
			break
		}
		args := callArgs(v.Common())
		switch {
		case r.nilCheck && r.nilCheckArg < len(args) && o.is(st, unwrap(args[r.nilCheckArg])):
			if r.nilCheckNonNil {
				return branchNonNil, branchIsNil
			}
			return branchIsNil, branchNonNil
		case r.errMatch && len(args) == 2 && o.errs[unwrap(args[0])] && !isNil(args[1]):
			// errors.Is(err, target) or errors.As(err, &p) holds only
			// for a non-nil err: the result is nil then. Not holding
			// says nothing; err may be another error, or nil.
			return branchIsNil, branchUnknown
		}
	}
	return branchUnknown, branchUnknown
}

// nonNilAt reports whether v is known not to be nil at instr: it is the
// address of something, a result that cannot be nil, or a dominating nil
// check or assertion has passed.
func (c *checker) nonNilAt(v ssa.Value, at ssa.Instruction) bool {
	v = unwrap(v)
	for {
		ct, ok := v.(*ssa.ChangeType)
		if !ok {
			break
		}
		v = ct.X
	}
	switch v := v.(type) {
	case *ssa.Alloc, *ssa.MakeClosure, *ssa.MakeMap, *ssa.MakeChan, *ssa.FieldAddr, *ssa.IndexAddr, *ssa.Global, *ssa.Function:
		return true
	case *ssa.Call:
		if r := c.roleOf(v.Common()); r != nil && (r.acquire || r.view) && !r.retNull {
			return true // MustNew, MustBitmapCastToCpumask, an acquire
		}
	}
	b := at.Block()
	for d := b; d != nil; d = d.Idom() {
		for _, instr := range d.Instrs {
			if instr == at {
				break
			}
			call, ok := instr.(*ssa.Call)
			if !ok {
				continue
			}
			if r := c.roleOf(call.Common()); r != nil {
				for i, a := range callArgs(call.Common()) {
					if r.nilAssert[i] && unwrap(a) == v {
						return true
					}
				}
			}
		}
		if len(d.Preds) != 1 {
			continue
		}
		p := d.Preds[0]
		iff, ok := p.Instrs[len(p.Instrs)-1].(*ssa.If)
		if !ok {
			continue
		}
		if bin, ok := iff.Cond.(*ssa.BinOp); ok && (bin.X == v && isNil(bin.Y) || bin.Y == v && isNil(bin.X)) {
			if bin.Op == token.NEQ && d == p.Succs[0] || bin.Op == token.EQL && d == p.Succs[1] {
				return true
			}
		}
	}
	return false
}

// callArgs returns the arguments of call as its callee numbers them: a
// closure's bindings first, and an invoked method's receiver first.
func callArgs(call *ssa.CallCommon) []ssa.Value {
	if call.IsInvoke() {
		return append([]ssa.Value{call.Value}, call.Args...)
	}
	if mc, ok := call.Value.(*ssa.MakeClosure); ok {
		return append(append([]ssa.Value(nil), mc.Bindings...), call.Args...)
	}
	return call.Args
}

func posOf(instr ssa.Instruction, o *origin) token.Pos {
	if p := instr.Pos(); p.IsValid() {
		return p
	}
	if v, ok := instr.(ssa.Value); ok {
		for _, ref := range *v.Referrers() {
			if p := ref.Pos(); p.IsValid() {
				return p
			}
		}
	}
	return o.pos
}

func (c *checker) useAfterRelease(o *origin, instr ssa.Instruction, st state, by, verifier string) {
	what := "the reference from " + o.name
	switch {
	case o.param:
		what = o.name
	case o.iter:
		what = "the iterator " + o.name + " started"
	}
	c.add(RuleUseAfterRelease, posOf(instr, o), "use after release: %s, released by %s, is used by %s (verifier: %s)", what, st.relBy, by, verifier)
}

// call applies a call to the path's state; cont is false when the path ends.
func (c *checker) call(o *origin, instr ssa.CallInstruction, st state, out *outcome) (state, bool) {
	common := instr.Common()
	r := c.roleOf(common)
	name := "a call"
	if r != nil {
		name = r.name
	} else if callee := common.StaticCallee(); callee != nil {
		name = callee.Name()
	}
	_, deferred := instr.(*ssa.Defer)
	_, goes := instr.(*ssa.Go)
	escape := false
	if r != nil && !deferred && !goes {
		args := callArgs(common)
		if i := r.assertArg - 1; i >= 0 && i < len(args) {
			// require.True(t, cond) or False: the path goes on where
			// the assertion holds.
			onTrue, onFalse := c.nilTest(o, st, args[i], 0)
			holds := onTrue
			if !r.assertTrue {
				holds = onFalse
			}
			switch holds {
			case branchNonNil:
				st.nilness = nonNil
			case branchIsNil:
				return st, false // nil here: nothing held
			}
		}
		if i := r.sameArg - 1; i >= 0 && i+1 < len(args) {
			// require.Same(t, x, y) with x known not nil proves y is
			// not nil either.
			x, y := unwrap(args[i]), unwrap(args[i+1])
			if o.is(st, x) && c.nonNilAt(y, instr) || o.is(st, y) && c.nonNilAt(x, instr) {
				if st.nilness == knownNil {
					return st, false
				}
				st.nilness = nonNil
			}
		}
	}
	uarMsg := func(i int) string {
		if r != nil && r.uarMsg[i] != "" {
			return r.uarMsg[i]
		}
		return "invalid mem access 'scalar'"
	}
	for i, a := range callArgs(common) {
		a = unwrap(a)
		if o.errs[a] && r != nil && r.errAssert[i] {
			st.nilness = nonNil
		}
		if r != nil && (o.errs[a] && r.errFail[i] || o.is(st, a) && r.nilFail[i]) {
			return st, false // the path on which it is nil: nothing held
		}
		alias := o.is(st, a)
		if !alias && !o.views[a] {
			continue
		}
		if st.released() && !(r != nil && r.pointerOnly) { // comparing the pointer reads nothing
			by := name
			if !alias {
				by += " through a cast view"
			}
			c.useAfterRelease(o, instr, st, by, uarMsg(i))
			return st, false
		}
		if !alias {
			continue
		}
		if r == nil {
			escape = true
			continue
		}
		if st.nilness != nonNil && !o.param {
			reported := false
			if msg, ok := r.nilMsg[i]; ok {
				if deferred && r.release[i] {
					// Decided at return: a nil check may still come.
					st.deferNil, st.deferNilMsg = instr.Pos(), msg
				} else {
					c.add(RulePossiblyNil, posOf(instr, o),
						"possibly nil: %s's result (%s) is passed to %s %s (verifier: %s)", o.name, o.why, name, nilWhere(st), msg)
					reported = true
				}
			} else if r.deref[i] {
				c.add(RulePossiblyNil, posOf(instr, o),
					"possibly nil: %s's result (%s) is dereferenced by %s %s (verifier: R0 invalid mem access 'ptr_or_null_')", o.name, o.why, name, nilWhere(st))
				reported = true
			}
			if reported {
				if st.nilness == knownNil {
					return st, false // the verifier stops at the first error
				}
				st.nilness = nonNil
			}
		}
		switch {
		case goes:
			escape = true
		case r.release[i], r.xchg && i == 1:
			if deferred {
				st.deferred++
				break
			}
			if st.refs-st.deferred <= 0 {
				c.useAfterRelease(o, instr, st, name+", and again by the deferred release", uarMsg(i))
				return st, false
			}
			st.refs--
			st.relBy = name
		case r.acquire && !r.xchg && c.effectOnly(instr.Value()):
			// b.Acquire() kept for its effect: b holds one more.
			st.refs = min(st.refs+1, maxRefs)
		case r.nilAssert[i]:
			st.nilness = nonNil
		case r.borrow, r.borrowArg[i], r.deref[i], r.nilMsg[i] != "":
		default:
			escape = true
		}
	}
	if escape {
		out.escaped = true
		return st, false
	}
	if r != nil && r.noReturn {
		return st, false
	}
	return st, true
}

// nilWhere says why the value may be nil at a use.
func nilWhere(st state) string {
	if st.nilness == knownNil {
		return "on the branch where it is nil"
	}
	return "before a nil check"
}

// other applies an instruction other than a call or a terminator.
func (c *checker) other(o *origin, instr ssa.Instruction, st state, out *outcome) (state, bool) {
	var ops []*ssa.Value
	ops = instr.Operands(ops)
	uses, viewUse := false, false
	for _, op := range ops {
		if *op == nil {
			continue
		}
		if o.is(st, *op) {
			uses = true
		}
		if o.views[*op] {
			viewUse = true
		}
	}
	if !uses && !viewUse {
		return st, true
	}
	switch instr := instr.(type) {
	case *ssa.ChangeType, *ssa.Convert, *ssa.Phi, *ssa.BinOp, *ssa.DebugRef, *ssa.Extract:
		return st, true
	case *ssa.MakeInterface, *ssa.MakeClosure:
		// Neutral when only calls use the result: the call decides.
		for _, ref := range *instr.(ssa.Value).Referrers() {
			if _, ok := ref.(ssa.CallInstruction); !ok && uses {
				out.escaped = true
				return st, false
			}
		}
		return st, true
	case *ssa.UnOp, *ssa.FieldAddr, *ssa.IndexAddr, *ssa.Field, *ssa.Store:
		if s, ok := instr.(*ssa.Store); ok && o.is(st, s.Val) {
			out.escaped = true // stored: whoever holds the memory owns it
			return st, false
		}
		if st.released() {
			c.useAfterRelease(o, instr, st, "a load or store", "invalid mem access 'scalar'")
			return st, false
		}
		if uses && st.nilness != nonNil && !o.param {
			c.add(RulePossiblyNil, posOf(instr, o),
				"possibly nil: %s's result (%s) is dereferenced %s (verifier: R0 invalid mem access 'ptr_or_null_')", o.name, o.why, nilWhere(st))
			if st.nilness == knownNil {
				return st, false
			}
			st.nilness = nonNil
		}
		return st, true
	}
	if uses {
		out.escaped = true
		return st, false
	}
	return st, true
}
