package kfuncs_test

import (
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/kfuncs"
)

// notKfuncs are the exported package functions that are not kernel functions.
var notKfuncs = map[string]string{
	"Bits":       "iter.Seq over IterBitsNew/Next/Destroy",
	"GoName":     "the naming rule the table test applies",
	"NewArgs":    "the arguments every row's Call takes in the benchmarks",
	"ArgsSource": "the populate source NewArgs' callers pass",
}

// parsePackage returns the exported package-level functions of kfuncs, as
// built (go/build applies the build tags, so mktable.go is left out).
func parsePackage(t *testing.T) map[string]*ast.FuncDecl {
	t.Helper()
	pkg, err := build.ImportDir(".", 0)
	require.NoError(t, err)
	fset := token.NewFileSet()
	funcs := map[string]*ast.FuncDecl{}
	for _, name := range pkg.GoFiles {
		f, err := parser.ParseFile(fset, filepath.Join(pkg.Dir, name), nil, parser.SkipObjectResolution)
		require.NoError(t, err)
		for _, d := range f.Decls {
			if fd, ok := d.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.IsExported() {
				funcs[fd.Name.Name] = fd
			}
		}
	}
	require.NotContains(t, funcs, "main", "mktable.go must stay build-ignored")
	return funcs
}

func TestTableMatchesPackage(t *testing.T) {
	funcs := parsePackage(t)
	rows := map[string]bool{}
	for _, k := range kfuncs.Kfuncs {
		assert.Falsef(t, rows[k.Go], "%s: duplicate row", k.Go)
		rows[k.Go] = true
		assert.Containsf(t, funcs, k.Go, "row %s (%s) has no exported function", k.Go, k.Kernel)
	}
	for name := range funcs {
		if _, ok := notKfuncs[name]; ok {
			assert.Falsef(t, rows[name], "%s is both a row and listed as not a kfunc", name)
			continue
		}
		assert.Truef(t, rows[name], "exported function %s has no row in kfuncs.Kfuncs", name)
	}
}

var sinceRE = regexp.MustCompile(`^[1-9][0-9]*\.[0-9]+$`)

func TestTableRows(t *testing.T) {
	require.GreaterOrEqual(t, len(kfuncs.Kfuncs), 58)
	for _, k := range kfuncs.Kfuncs {
		t.Run(k.Kernel, func(t *testing.T) {
			assert.Equal(t, kfuncs.GoName(k.Kernel), k.Go, "naming rule")
			assert.True(t, strings.HasPrefix(k.Kernel, "bpf_"))
			assert.Regexp(t, `^[a-z0-9_ ]+[ *]`+k.Kernel+`\(.*\)$`, k.Proto, "prototype names the function")
			assert.NotEmpty(t, k.Why)
			if k.Design == kfuncs.DesignProposed {
				assert.Equal(t, "proposed", k.Since)
			} else {
				assert.Regexp(t, sinceRE, k.Since)
			}
			ret := cReturn(k)
			ptr := strings.HasSuffix(ret, "*")
			if k.Flags.Has(kfuncs.KfAcquire) || k.Flags.Has(kfuncs.KfRetNull) {
				assert.True(t, ptr, "KF_ACQUIRE/KF_RET_NULL need a pointer result")
			}
			if k.Flags.Has(kfuncs.KfRelease) {
				assert.Equal(t, "void", ret)
				assert.NotContains(t, cParams(k), ",", "KF_RELEASE takes one pointer")
			}
			if k.Kind == kfuncs.KindKfunc && k.Kernel != "bpf_rcu_read_lock" && k.Kernel != "bpf_rcu_read_unlock" &&
				!k.Flags.Has(kfuncs.KfRelease) && k.Flags&(kfuncs.KfIterNew|kfuncs.KfIterNext|kfuncs.KfIterDestroy) == 0 && k.Kernel != "bpf_bitmap_create" && k.Kernel != "bpf_cpumask_create" {
				assert.Truef(t, k.Flags.Has(kfuncs.KfRcu) || k.Flags.Has(kfuncs.KfTrustedArgs),
					"a kfunc taking objects needs KF_RCU or KF_TRUSTED_ARGS, has %v", k.Flags)
			}
		})
	}
}

func cReturn(k kfuncs.Kfunc) string {
	ret, _, _ := strings.Cut(k.Proto, k.Kernel+"(")
	return strings.TrimSpace(ret)
}

func cParams(k kfuncs.Kfunc) string {
	_, params, _ := strings.Cut(k.Proto, k.Kernel+"(")
	return strings.TrimSuffix(params, ")")
}

// goScalar is the Go spelling of the C scalar types the kernel functions
// return or take.
var goScalar = map[string]string{"u32": "uint32", "bool": "bool", "int": "int32", "int *": "*int32"}

// TestSignatures checks that Go keeps the kernel's return types and puts
// u32 arguments where the kernel does.
func TestSignatures(t *testing.T) {
	funcs := parsePackage(t)
	for _, k := range kfuncs.Kfuncs {
		fd := funcs[k.Go]
		if fd == nil {
			continue // reported by TestTableMatchesPackage
		}
		t.Run(k.Go, func(t *testing.T) {
			var results []string
			if fd.Type.Results != nil {
				for _, f := range fd.Type.Results.List {
					results = append(results, types.ExprString(f.Type))
				}
			}
			switch ret := cReturn(k); {
			case k.Go == "RcuReadLock":
				assert.Equal(t, []string{"bpfbitmap.RCUToken"}, results, "the one deviation: the section's token")
			case ret == "void":
				assert.Empty(t, results, "void kfunc returns nothing")
			default:
				require.Len(t, results, 1)
				if want, ok := goScalar[ret]; ok {
					assert.Equal(t, want, results[0], "C %s", ret)
				} else {
					assert.True(t, strings.HasPrefix(results[0], "*"), "C pointer result %s as %s", ret, results[0])
				}
			}
			var goParams []string
			for _, f := range fd.Type.Params.List {
				for range max(len(f.Names), 1) {
					goParams = append(goParams, types.ExprString(f.Type))
				}
			}
			if len(goParams) > 0 && goParams[0] == "*cast.Kernel" {
				goParams = goParams[1:] // the kernel's globals, see the package doc
			}
			cps := strings.Split(cParams(k), ",")
			for i, cp := range cps {
				cp = strings.TrimSpace(cp)
				if strings.HasPrefix(cp, "u32 ") {
					require.Greater(t, len(goParams), i)
					assert.Equal(t, "uint32", goParams[i], "argument %d (%s)", i, cp)
				}
			}
		})
	}
}

// TestDocsKfuncsFresh fails when docs/kfuncs.md is not what go generate
// writes from the table.
func TestDocsKfuncsFresh(t *testing.T) {
	got, err := os.ReadFile("../docs/kfuncs.md")
	require.NoError(t, err)
	require.Equal(t, string(kfuncs.Kfuncs.Markdown()), string(got), "docs/kfuncs.md is stale: run go generate ./kfuncs")
}

func TestFlagString(t *testing.T) {
	tests := []struct {
		f    kfuncs.Flag
		want string
	}{
		{0, "0"},
		{kfuncs.KfRcu, "KF_RCU"},
		{kfuncs.KfAcquire | kfuncs.KfRetNull, "KF_ACQUIRE | KF_RET_NULL"},
		{kfuncs.KfIterNext | kfuncs.KfRetNull, "KF_RET_NULL | KF_ITER_NEXT"},
		{1 << 15, "KF_UNKNOWN"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.f.String())
	}
	assert.True(t, (kfuncs.KfAcquire | kfuncs.KfRetNull).Has(kfuncs.KfRetNull))
	assert.False(t, kfuncs.KfAcquire.Has(kfuncs.KfAcquire|kfuncs.KfRetNull))
}

func TestLookupAndGoName(t *testing.T) {
	k, ok := kfuncs.Kfuncs.Lookup("bpf_cpumask_test_and_set_cpu")
	require.True(t, ok)
	assert.Equal(t, "CpumaskTestAndSetCpu", k.Go)
	k, ok = kfuncs.Kfuncs.Lookup("BitmapCastToCpumask")
	require.True(t, ok)
	assert.Equal(t, kfuncs.KfRetNull|kfuncs.KfRcu, k.Flags)
	_, ok = kfuncs.Kfuncs.Lookup("bpf_cpumask_kptr_get")
	assert.False(t, ok, "removed in 6.4")
	assert.Equal(t, "FindNextAndBit", kfuncs.GoName("find_next_and_bit"))
}

// wantsCall reports whether row must have a Call: every function but the
// second half of a pair, which the first half's Call runs (release, next,
// destroy, unlock), and destructors.
func wantsCall(row kfuncs.Kfunc) bool {
	return row.Kind != kfuncs.KindDtor && row.Kernel != "bpf_rcu_read_unlock" &&
		row.Flags&(kfuncs.KfRelease|kfuncs.KfIterNext|kfuncs.KfIterDestroy) == 0
}

// callBodies returns, per kernel name, the names of the functions the row's
// Call literal in table.go calls.
func callBodies(t *testing.T) map[string][]string {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "table.go", nil, parser.SkipObjectResolution)
	require.NoError(t, err)
	out := map[string][]string{}
	ast.Inspect(f, func(n ast.Node) bool {
		row, ok := n.(*ast.CompositeLit)
		if !ok || len(row.Elts) != 9 {
			return true
		}
		name, ok := row.Elts[0].(*ast.BasicLit)
		if !ok {
			return true
		}
		kernel := strings.Trim(name.Value, `"`)
		out[kernel] = []string{}
		ast.Inspect(row.Elts[8], func(n ast.Node) bool {
			if c, ok := n.(*ast.CallExpr); ok {
				if id, ok := c.Fun.(*ast.Ident); ok {
					out[kernel] = append(out[kernel], id.Name)
				}
			}
			return true
		})
		return false
	})
	return out
}

// TestTableCalls: every row that should have a Call has one and no other
// does, and each Call calls its own row's function, so that a body copied
// from the row above and not renamed fails here.
func TestTableCalls(t *testing.T) {
	bodies := callBodies(t)
	require.Len(t, bodies, len(kfuncs.Kfuncs), "every row parsed from table.go")
	for _, row := range kfuncs.Kfuncs {
		assert.Equalf(t, wantsCall(row), row.Call != nil, "%s: Call", row.Kernel)
		if row.Call != nil {
			assert.Containsf(t, bodies[row.Kernel], row.Go, "%s: Call does not call %s", row.Kernel, row.Go)
		}
	}
}
