// Package bitmapcopy defines an Analyzer that reports copies of a
// bpfbitmap.Bitmap.
//
// # Analyzer bitmapcopy
//
// bitmapcopy: report bpfbitmap.Bitmap values copied
//
// A Bitmap is struct bpf_bitmap: its reference count and size sit in front
// of its words in one allocation, and the allocator finds the object from
// the header before it. A copy has the count but not the words, and Release
// on it frees memory it does not own. The analyzer reports every load of a
// value whose type is or contains a Bitmap (cast.Cpumask, cast.OwnedCpumask
// and kfuncs.BPFCpumask do) and every parameter or result of such a type,
// whether or not the type carries a noCopy marker for copylocks.
package bitmapcopy

import (
	"fmt"
	"go/token"
	"go/types"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/passes/buildssa"
	"golang.org/x/tools/go/ssa"

	"github.com/bpfbitmap/prototype/analysis/internal/ignore"
)

// Analyzer reports copies of a bpfbitmap.Bitmap.
var Analyzer = &analysis.Analyzer{
	Name:     "bitmapcopy",
	Doc:      "report bpfbitmap.Bitmap values copied",
	Run:      run,
	Requires: []*analysis.Analyzer{buildssa.Analyzer},
}

const bitmapPath = "github.com/bpfbitmap/prototype/bpfbitmap"

func run(pass *analysis.Pass) (any, error) {
	c := checker{pass: pass, memo: map[types.Type]bool{}}
	for _, fn := range pass.ResultOf[buildssa.Analyzer].(*buildssa.SSA).SrcFuncs {
		c.function(fn)
	}
	ignore.Report(pass, "bitmapcopy", c.diags)
	return nil, nil
}

type checker struct {
	pass  *analysis.Pass
	memo  map[types.Type]bool
	diags []analysis.Diagnostic
}

func (c *checker) function(fn *ssa.Function) {
	for _, p := range fn.Params {
		if c.contains(p.Type()) {
			c.report(p.Pos(), p.Type(), "passed by value")
		}
	}
	res := fn.Signature.Results()
	for i := range res.Len() {
		if c.contains(res.At(i).Type()) {
			c.report(fn.Pos(), res.At(i).Type(), "returned by value")
		}
	}
	for _, b := range fn.Blocks {
		for _, instr := range b.Instrs {
			var v ssa.Value
			switch instr := instr.(type) {
			case *ssa.UnOp:
				if instr.Op == token.MUL {
					v = instr
				}
			case *ssa.Field, *ssa.Index, *ssa.Lookup, *ssa.Extract:
				v = instr.(ssa.Value)
			}
			if v != nil && c.contains(v.Type()) {
				c.report(posOf(instr), v.Type(), "copied")
			}
		}
	}
}

func posOf(instr ssa.Instruction) token.Pos {
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
	return instr.Parent().Pos()
}

func (c *checker) report(pos token.Pos, t types.Type, how string) {
	q := func(p *types.Package) string {
		if p == c.pass.Pkg {
			return ""
		}
		return p.Name()
	}
	name := types.TypeString(t, q)
	if isBitmap(t) {
		c.reportf(pos, "Bitmap copied by value: %s %s; a Bitmap must not be copied (its header and words are one object)", name, how)
		return
	}
	c.reportf(pos, "Bitmap copied by value: %s %s; it contains a bpfbitmap.Bitmap, which must not be copied (its header and words are one object)", name, how)
}

func (c *checker) reportf(pos token.Pos, format string, args ...any) {
	c.diags = append(c.diags, analysis.Diagnostic{Pos: pos, Message: fmt.Sprintf(format, args...)})
}

func isBitmap(t types.Type) bool {
	n, ok := types.Unalias(t).(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == bitmapPath && n.Obj().Name() == "Bitmap"
}

// contains reports whether a value of type t holds a Bitmap, not through a
// pointer.
func (c *checker) contains(t types.Type) bool {
	if v, ok := c.memo[t]; ok {
		return v
	}
	c.memo[t] = false // cuts recursive types
	var v bool
	switch u := types.Unalias(t).(type) {
	case *types.Named:
		v = isBitmap(u) || c.contains(u.Underlying())
	case *types.Struct:
		for f := range u.Fields() {
			if c.contains(f.Type()) {
				v = true
				break
			}
		}
	case *types.Array:
		v = u.Len() > 0 && c.contains(u.Elem())
	case *types.Tuple:
		for i := range u.Len() {
			v = v || c.contains(u.At(i).Type())
		}
	}
	c.memo[t] = v
	return v
}
