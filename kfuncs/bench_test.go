package kfuncs_test

import (
	"fmt"
	"testing"

	"github.com/bpfbitmap/prototype/cast"
	"github.com/bpfbitmap/prototype/kfuncs"
)

// benchTopologies: cpus=2 runs on NR_CPUS=256 (the test machine's kernel,
// where copy and clear touch 256 bits); the others on NR_CPUS=8192, a
// distro kernel, where every width is nr_cpu_ids.
var benchTopologies = []struct{ n, nr int }{{2, 256}, {64, 8192}, {1024, 8192}}

// benchDesigns returns the designs a row runs on, as benchmark names spell
// them: the cpumask kfuncs on both (design=generic on the view
// BitmapCastToCpumask returned), a design's own kfuncs on that design, and
// the infrastructure once, with the proposal's objects.
func benchDesigns(row kfuncs.Kfunc) []kfuncs.Design {
	switch {
	case row.Design == kfuncs.DesignMerged:
		return []kfuncs.Design{kfuncs.DesignMerged}
	case row.Design == kfuncs.DesignShared && row.TakesCpumask():
		return []kfuncs.Design{kfuncs.DesignMerged, kfuncs.DesignProposed}
	}
	return []kfuncs.Design{kfuncs.DesignProposed}
}

// designName is how benchmark names and the design report call a design.
var designName = map[kfuncs.Design]string{kfuncs.DesignMerged: "fixed", kfuncs.DesignProposed: "generic"}

// BenchmarkKfunc runs the Call of every row of kfuncs.Kfuncs that has one,
// on the arguments kfuncs.NewArgs makes, the same bodies the design report
// times. Compare the designs with
//
//	go test -run '^$' -bench Kfunc -count 6 ./kfuncs | benchstat -col /design -
//
// Acquiring kfuncs' bodies release what they acquire, so fn=bpf_cpumask_create
// is create+release; fn=bpf_bitmap_cast_to_cpumask is the cast.
func BenchmarkKfunc(b *testing.B) {
	for _, tp := range benchTopologies {
		k := cast.MustKernel(cast.MustTopology(tp.n, tp.nr))
		args := map[kfuncs.Design]*kfuncs.Args{}
		for _, d := range []kfuncs.Design{kfuncs.DesignMerged, kfuncs.DesignProposed} {
			a, err := kfuncs.NewArgs(k, d, kfuncs.ArgsSource(tp.n))
			if err != nil {
				b.Fatal(err)
			}
			defer a.Release()
			args[d] = a
		}
		for _, row := range kfuncs.Kfuncs {
			if row.Call == nil {
				continue
			}
			for _, d := range benchDesigns(row) {
				a := args[d]
				b.Run(fmt.Sprintf("fn=%s/design=%s/cpus=%d", row.Kernel, designName[d], tp.n), func(b *testing.B) {
					b.ReportAllocs()
					b.ResetTimer()
					row.Call(a, b.N)
				})
			}
		}
	}
}
