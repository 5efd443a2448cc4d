package kfuncs_test

import (
	"errors"
	"fmt"
	"go/ast"
	"go/build"
	"go/parser"
	"go/token"
	"go/types"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/internal/testutil"
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

// rowEnv is what a row is checked against: the package's exported
// functions, the Call bodies in table.go, the reference model and
// docs/kfuncs.md.
type rowEnv struct {
	funcs  map[string]*ast.FuncDecl
	bodies map[string][]string
	model  *testutil.Cpumask
	docs   string
}

func newRowEnv(t *testing.T) rowEnv {
	docs, err := os.ReadFile("../docs/kfuncs.md")
	require.NoError(t, err)
	return rowEnv{parsePackage(t), callBodies(t), testutil.NewCpumask(4, 64), string(docs)}
}

// rowProblems returns what is missing for row, each naming the file that
// must change: the list TestHypotheticalRow shows for a new kfunc, and that
// TestTableRowsComplete requires empty for every row.
func rowProblems(env rowEnv, row kfuncs.Kfunc) []string {
	var out []string
	add := func(format string, args ...any) { out = append(out, row.Kernel+": "+fmt.Sprintf(format, args...)) }
	if row.Go != kfuncs.GoName(row.Kernel) {
		add("Go name %s breaks the naming rule (kfuncs/table.go)", row.Go)
	}
	if _, err := row.Signature(); err != nil {
		add("prototype: %v (kfuncs/table.go)", err)
	}
	if env.funcs[row.Go] == nil {
		add("no exported function %s (its implementation in kfuncs)", row.Go)
	}
	switch body, ok := env.bodies[row.Kernel]; {
	case wantsCall(row) != (row.Call != nil):
		add("Call must be set iff the row is not the second half of a pair (kfuncs/table.go)")
	case !ok:
		add("no row in kfuncs/table.go")
	case row.Call != nil && !slices.Contains(body, row.Go):
		add("Call does not call %s (kfuncs/table.go)", row.Go)
	}
	if row.Design == kfuncs.DesignShared && row.Call != nil && row.TakesCpumask() {
		masks := make([][]uint64, 3)
		for i := range masks {
			masks[i] = make([]uint64, env.model.Words())
		}
		if _, err := env.model.Call(row.Kernel, 0, nil, masks); errors.Is(err, testutil.ErrUnknownKfunc) {
			add("no case in the reference model (internal/testutil/cpumask.go)")
		}
	}
	md := string(kfuncs.Table{row}.Markdown())
	i := strings.Index(md, "| `"+row.Kernel+"`")
	if line, _, _ := strings.Cut(md[max(i, 0):], "\n"); i < 0 || !strings.Contains(env.docs, line+"\n") {
		add("docs/kfuncs.md lacks its row (go generate ./kfuncs)")
	}
	return out
}

func TestTableRowsComplete(t *testing.T) {
	env := newRowEnv(t)
	for _, row := range kfuncs.Kfuncs {
		assert.Empty(t, rowProblems(env, row))
	}
}

// TestHypotheticalRow adds a cpumask kfunc to the table and lists what else
// must change: its implementation, its case in the reference model, the
// row itself in table.go (the test's copy is not there) and the generated
// docs. Nothing else: the benchmarks take the row as it is (bench's
// TestHypotheticalRowBenchmarks), and the verifier model and the oracle
// read names, flags and argument kinds from it.
func TestHypotheticalRow(t *testing.T) {
	env := newRowEnv(t)
	row := kfuncs.Kfunc{
		Kernel: "bpf_cpumask_nth", Go: "CpumaskNth",
		Proto: "u32 bpf_cpumask_nth(u32 n, const struct cpumask *cpumask)",
		Flags: kfuncs.KfRcu, Since: "7.0", Kind: kfuncs.KindKfunc, Design: kfuncs.DesignShared,
		Why: "cpumask_nth over S; fewer than n+1 CPUs give S.",
		Call: func(a *kfuncs.Args, n int) {
			for range n {
				a.Ret = uint64(kfuncs.CpumaskFirst(a.Src1)) // stands in for CpumaskNth, which does not exist
			}
		},
	}
	sig, err := row.Signature()
	require.NoError(t, err)
	require.Equal(t, []kfuncs.ParamKind{kfuncs.ParamScalar, kfuncs.ParamStruct}, []kfuncs.ParamKind{sig.Params[0].Kind, sig.Params[1].Kind})
	assert.Equal(t, []string{
		"bpf_cpumask_nth: no exported function CpumaskNth (its implementation in kfuncs)",
		"bpf_cpumask_nth: no row in kfuncs/table.go",
		"bpf_cpumask_nth: no case in the reference model (internal/testutil/cpumask.go)",
		"bpf_cpumask_nth: docs/kfuncs.md lacks its row (go generate ./kfuncs)",
	}, rowProblems(env, row))

	// Had it a function, a row in table.go and a model case, only the
	// generated docs would be left, and go generate writes them.
	env.funcs[row.Go] = env.funcs["CpumaskFirst"]
	env.bodies[row.Kernel] = []string{"uint64", row.Go}
	assert.Equal(t, []string{"bpf_cpumask_nth: no case in the reference model (internal/testutil/cpumask.go)",
		"bpf_cpumask_nth: docs/kfuncs.md lacks its row (go generate ./kfuncs)"}, rowProblems(env, row))
	env.docs += string(kfuncs.Table{row}.Markdown())
	assert.Len(t, rowProblems(env, row), 1, "only the model case left")
}

// TestMarkdownArgs: the docs' Arguments and Timed columns come from
// Signature and Call.
func TestMarkdownArgs(t *testing.T) {
	md := string(kfuncs.Kfuncs.Markdown())
	for _, want := range []string{
		"| `int bpf_cpumask_populate(struct cpumask *cpumask, void *src, size_t src__sz)` | struct cpumask, mem, mem\\_size | yes |",
		"| `u32 bpf_cpumask_first(const struct cpumask *cpumask)` | const struct cpumask | yes |",
		"| `struct bpf_cpumask *bpf_cpumask_create(void)` | none | yes |",
		"| `void bpf_cpumask_release(struct bpf_cpumask *cpumask)` | struct bpf\\_cpumask | with its pair |",
		"| `void bpf_cpumask_release_dtor(void *cpumask)` | mem | no |",
	} {
		assert.Contains(t, md, want)
	}
}
