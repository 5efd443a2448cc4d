package verifier_test

import (
	"testing"

	"github.com/bpfbitmap/prototype/kfuncs/progs"
	"github.com/bpfbitmap/prototype/kfuncs/verifier"
)

// BenchmarkVerify verifies the ported selftests: each program alone, and
// all 35 ports of a design per iteration (set=ports).
func BenchmarkVerify(b *testing.B) {
	tg := progs.DefaultTarget
	for _, d := range []progs.Design{progs.Fixed, progs.Generic} {
		ports := append(progs.Success(d, tg), progs.Failure(d, tg)...)
		b.Run("design="+d.String()+"/set=ports", func(b *testing.B) {
			for b.Loop() {
				for _, p := range ports {
					verifier.VerifyProgram(p, tg, false) //nolint:errcheck // failures are the point
				}
			}
		})
		for _, name := range []string{"test_alloc_free_cpumask", "test_global_mask_nested_deep_array_rcu", "test_populate"} {
			for _, p := range ports {
				if p.Name != name {
					continue
				}
				b.Run("design="+d.String()+"/prog="+name, func(b *testing.B) {
					for b.Loop() {
						verifier.VerifyProgram(p, tg, false) //nolint:errcheck
					}
				})
			}
		}
	}
}
