package refs

import (
	"fmt"
	"go/types"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/tools/go/packages"

	"github.com/bpfbitmap/prototype/kfuncs"
)

// Every row of the table gets the role its flags and prototype say, with
// the kernel's argument numbers in the messages and Go's in the maps.
func TestRolesFromTable(t *testing.T) {
	pkgs, err := packages.Load(&packages.Config{Mode: packages.NeedName | packages.NeedTypes}, kfuncsPath)
	require.NoError(t, err)
	require.Len(t, pkgs, 1)
	require.Empty(t, pkgs[0].Errors)
	scope := pkgs[0].Types.Scope()
	rs := newRoles()
	views := 0
	for _, k := range kfuncs.Kfuncs {
		t.Run(k.Go, func(t *testing.T) {
			fn, ok := scope.Lookup(k.Go).(*types.Func)
			require.True(t, ok, "no function %s", k.Go)
			r := rs.builtin(fn)
			require.NotNil(t, r)
			xchg := k.Kernel == kptrXchgName
			assert.Equal(t, k.Flags.Has(kfuncs.KfAcquire) || xchg, r.acquire, "acquire")
			assert.Equal(t, k.Flags.Has(kfuncs.KfRetNull) || xchg, r.retNull, "retNull")
			if r.view {
				views++
			}
			sig, err := k.Signature()
			require.NoError(t, err)
			params := fn.Type().(*types.Signature).Params()
			off := params.Len() - len(sig.Params)
			if k.Kernel == "bpf_cpumask_populate" {
				off = 0 // src and src__sz are one []byte
			}
			checked := k.Flags&(kfuncs.KfTrustedArgs|kfuncs.KfRelease|kfuncs.KfRcu) != 0
			wantRelease, wantNil, wantUAR := map[int]bool{}, map[int]string{}, map[int]string{}
			for i, p := range sig.Params {
				if p.Kind == kfuncs.ParamIter {
					g := i + off
					assert.Equal(t, k.Flags.Has(kfuncs.KfIterNew), r.iterNew && r.iterArg == g, "iterNew")
					if !k.Flags.Has(kfuncs.KfIterNew) {
						wantUAR[g] = fmt.Sprintf("expected an initialized %s as arg #%d", strings.TrimPrefix(p.Struct, "bpf_"), i)
					}
					if k.Flags.Has(kfuncs.KfIterDestroy) {
						wantRelease[g] = true
					}
					continue
				}
				if p.Kind != kfuncs.ParamStruct {
					continue
				}
				require.Contains(t, []int{0, 1}, off, "Go adds at most the *cast.Kernel before pointers")
				g := i + off
				switch params.At(g).Type().(type) {
				case *types.Pointer, *types.TypeParam:
				default:
					t.Fatalf("Go argument %d of %s is %s, not a pointer", g, k.Go, params.At(g).Type())
				}
				wantUAR[g] = fmt.Sprintf("R%d type=scalar expected=fp", i+1)
				if checked {
					wantNil[g] = fmt.Sprintf("Possibly NULL pointer passed to trusted arg%d", i)
				}
				if k.Flags.Has(kfuncs.KfRelease) {
					wantRelease[g] = true
				}
			}
			if xchg {
				wantNil[1] = "Possibly NULL pointer passed to helper arg2"
				wantUAR[1] = "R2 type=scalar expected=fp"
			}
			assert.Equal(t, wantRelease, orEmpty(r.release), "release")
			assert.Equal(t, wantNil, orEmptyS(r.nilMsg), "nilMsg")
			assert.Equal(t, wantUAR, orEmptyS(r.uarMsg), "uarMsg")
		})
	}
	assert.Equal(t, 1, views, "only the cast makes a view")
	require.Empty(t, rs.errs)
}

func orEmpty(m map[int]bool) map[int]bool {
	if m == nil {
		return map[int]bool{}
	}
	return m
}

func orEmptyS(m map[int]string) map[int]string {
	if m == nil {
		return map[int]string{}
	}
	return m
}
