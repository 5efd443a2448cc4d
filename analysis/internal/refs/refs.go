// Package refs follows the references, NULL results and releases of the
// kfuncs and of the core API through each function's SSA form, with the
// kfunc flag table (kfuncs.Kfuncs) saying which callee acquires, releases or
// may return nil. The analyzers of the rules (unreleased, possiblynil,
// useafterrelease) report its findings, one rule each.
package refs

import (
	"fmt"
	"go/ast"
	"go/token"
	"go/types"
	"reflect"
	"slices"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/ctrlflow"
	"golang.org/x/tools/go/ssa"

	"github.com/bpfbitmap/prototype/analysis/internal/ignore"
)

// The rules a Finding belongs to.
const (
	RuleUnreleased      = "unreleased"
	RulePossiblyNil     = "possiblynil"
	RuleUseAfterRelease = "useafterrelease"
)

// A Finding is one violation of a rule.
type Finding struct {
	Rule    string
	Pos     token.Pos
	Message string
}

// Result is what Analyzer gives the rule analyzers: the findings of one
// package, in source order.
type Result struct {
	Findings []Finding
}

// RuleAnalyzer returns the analyzer of one rule, named after it: one
// analyzer per rule, as x/tools' passes are, each reporting its share of the
// one walk Analyzer does for all of them.
func RuleAnalyzer(rule, doc string) *analysis.Analyzer {
	return &analysis.Analyzer{
		Name: rule,
		Doc:  doc,
		Run: func(pass *analysis.Pass) (any, error) {
			pass.ResultOf[Analyzer].(*Result).report(pass, rule)
			return nil, nil
		},
		Requires: []*analysis.Analyzer{Analyzer},
	}
}

// report reports pass's findings of rule, but for those a
// //bpfbitmapvet:ignore directive silences (package ignore).
func (r *Result) report(pass *analysis.Pass, rule string) {
	var diags []analysis.Diagnostic
	for _, f := range r.Findings {
		if f.Rule == rule {
			diags = append(diags, analysis.Diagnostic{Pos: f.Pos, Category: rule, Message: f.Message})
		}
	}
	ignore.Report(pass, rule, diags)
}

// FuncFact summarises what a function does with references, so that callers
// in other packages see through helpers: a function that returns a new
// reference acquires, one that releases its argument on every path
// releases, and one that returns whether its argument is nil checks it.
type FuncFact struct {
	Acquire   bool  // result 0 is a new reference on every path that returns one
	RetNull   bool  // ... and may be nil
	ErrLinked bool  // ... and is nil exactly when result 1, an error, is not
	Releases  []int // arguments released on every path
	Borrows   []int // pointer arguments kept on no path
	// NilAsserts are the arguments the function returns only when they
	// are not nil.
	NilAsserts []int
	// NilCheckArg+1 is the argument whose nilness the bool result tells
	// (0: none); NilCheckNonNil says true means non-nil.
	NilCheckArg    int
	NilCheckNonNil bool
}

// AFact marks FuncFact as an analysis fact.
func (*FuncFact) AFact() {}

func (f *FuncFact) String() string {
	return fmt.Sprintf("acquire=%t retnull=%t errlinked=%t releases=%v borrows=%v nilasserts=%v nilcheck=%d/%t",
		f.Acquire, f.RetNull, f.ErrLinked, f.Releases, f.Borrows, f.NilAsserts, f.NilCheckArg-1, f.NilCheckNonNil)
}

// Analyzer computes the findings of every rule and the facts of every
// function; it reports nothing itself.
var Analyzer = &analysis.Analyzer{
	Name: "kfuncrefs",
	Doc:  "follow kfunc references, NULL results and releases through SSA, with the flags of kfuncs.Kfuncs",
	Run:  run,
	// Not buildssa: an analyzer with facts runs on every dependency, and
	// so would buildssa, standard library included. SSA is built here only
	// for packages that can hold a reference; ctrlflow gives the same
	// no-return information buildssa uses.
	Requires:   []*analysis.Analyzer{ctrlflow.Analyzer},
	ResultType: reflect.TypeFor[*Result](),
	FactTypes:  []analysis.Fact{new(FuncFact)},
}

func run(pass *analysis.Pass) (any, error) {
	if !dependsOn(pass.Pkg, bitmapPath, map[*types.Package]bool{}) {
		return &Result{}, nil // no reference can be made or passed here
	}
	fns := buildSSA(pass)
	c := &checker{pass: pass, roles: newRoles(), summaries: map[*ssa.Function]*FuncFact{}}
	// Summaries of this package's functions depend on each other; a few
	// rounds reach the fixed point for any chain of helpers seen in
	// practice, and a summary that is still moving is only less precise.
	for range 4 {
		changed := false
		for _, fn := range fns {
			s := c.summarise(fn)
			if old := c.summaries[fn]; old == nil || !reflect.DeepEqual(old, s) {
				c.summaries[fn] = s
				changed = true
			}
		}
		if !changed {
			break
		}
	}
	if len(c.roles.errs) > 0 {
		return nil, c.roles.errs[0]
	}
	for _, fn := range fns {
		if obj, ok := fn.Object().(*types.Func); ok && fn.Parent() == nil {
			if s := c.summaries[fn]; s != nil && !s.empty() {
				pass.ExportObjectFact(obj, s)
			}
		}
	}
	c.report = true
	for _, fn := range fns {
		c.check(fn)
	}
	slices.SortStableFunc(c.findings, func(a, b Finding) int { return int(a.Pos - b.Pos) })
	return &Result{Findings: c.findings}, nil
}

// dependsOn reports whether pkg is or imports, maybe indirectly, the package
// path.
func dependsOn(pkg *types.Package, path string, seen map[*types.Package]bool) bool {
	if pkg.Path() == path {
		return true
	}
	seen[pkg] = true
	for _, imp := range pkg.Imports() {
		if !seen[imp] && dependsOn(imp, path, seen) {
			return true
		}
	}
	return false
}

func (f *FuncFact) empty() bool {
	return !f.Acquire && len(f.Releases) == 0 && len(f.Borrows) == 0 && len(f.NilAsserts) == 0 && f.NilCheckArg == 0
}

type checker struct {
	pass      *analysis.Pass
	roles     *roles
	summaries map[*ssa.Function]*FuncFact
	report    bool
	findings  []Finding
	seen      map[token.Pos]bool
}

func (c *checker) add(rule string, pos token.Pos, format string, args ...any) {
	if !c.report {
		return
	}
	if c.seen == nil {
		c.seen = map[token.Pos]bool{}
	}
	if c.seen[pos] {
		return
	}
	c.seen[pos] = true
	c.findings = append(c.findings, Finding{Rule: rule, Pos: pos, Message: fmt.Sprintf(format, args...)})
}

// roleOf returns the role of the callee of call, or nil if the callee is
// unknown (a function value, an interface method, a function without a
// fact). Arguments of a closure call are its bindings, then its arguments.
func (c *checker) roleOf(call *ssa.CallCommon) *role {
	if call.IsInvoke() {
		if obj := call.Method; obj != nil {
			return c.roles.builtin(obj)
		}
		return nil
	}
	var fn *ssa.Function
	switch v := call.Value.(type) {
	case *ssa.Function:
		fn = v
	case *ssa.MakeClosure:
		fn = v.Fn.(*ssa.Function)
	default:
		return nil
	}
	if o := fn.Origin(); o != nil {
		fn = o
	}
	obj, _ := fn.Object().(*types.Func)
	if obj != nil {
		if r := c.roles.builtin(obj.Origin()); r != nil {
			return r
		}
	}
	if s := c.summaries[fn]; s != nil {
		return factRole(fn.Name(), s)
	}
	if obj != nil && obj.Pkg() != c.pass.Pkg {
		var f FuncFact
		if c.pass.ImportObjectFact(obj.Origin(), &f) {
			return factRole(obj.Name(), &f)
		}
	}
	return nil
}

func factRole(name string, f *FuncFact) *role {
	r := &role{name: name, acquire: f.Acquire, retNull: f.RetNull, errLinked: f.ErrLinked}
	for _, i := range f.Releases {
		r.setBool(&r.release, i)
	}
	for _, i := range f.Borrows {
		r.setBool(&r.borrowArg, i)
	}
	for _, i := range f.NilAsserts {
		r.setBool(&r.nilAssert, i)
	}
	if f.NilCheckArg > 0 {
		r.nilCheck, r.nilCheckArg, r.nilCheckNonNil = true, f.NilCheckArg-1, f.NilCheckNonNil
	}
	return r
}

// buildSSA builds pass's package as buildssa does and returns its functions,
// closures included, in source order.
func buildSSA(pass *analysis.Pass) []*ssa.Function {
	prog := ssa.NewProgram(pass.Fset, 0)
	prog.SetNoReturn(pass.ResultOf[ctrlflow.Analyzer].(*ctrlflow.CFGs).NoReturn)
	for _, p := range pass.Pkg.Imports() {
		prog.CreatePackage(p, nil, nil, true)
	}
	pkg := prog.CreatePackage(pass.Pkg, pass.Files, pass.TypesInfo, false)
	pkg.Build()
	var fns []*ssa.Function
	var add func(f *ssa.Function)
	add = func(f *ssa.Function) {
		fns = append(fns, f)
		for _, anon := range f.AnonFuncs {
			add(anon)
		}
	}
	for _, file := range pass.Files {
		for _, decl := range file.Decls {
			if decl, ok := decl.(*ast.FuncDecl); ok {
				add(prog.FuncValue(pass.TypesInfo.Defs[decl.Name].(*types.Func)))
			}
		}
	}
	return fns
}
