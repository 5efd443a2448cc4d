package kfuncs_test

import (
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/cast"
	"github.com/bpfbitmap/prototype/internal/testutil"
	"github.com/bpfbitmap/prototype/kfuncs"
)

// maxCpumaskSteps bounds the steps FuzzCpumaskOps runs from one input.
const maxCpumaskSteps = 64

// FuzzCpumaskOps drives a stream of cpumask kfuncs over three masks (dst, a,
// b) that keep their state between steps, on both designs at once, and
// checks every result and every storage word against the model. Each step is
// three bytes: the op, the cpu, and which masks play a and b.
func FuzzCpumaskOps(f *testing.F) {
	f.Add(byte(6), []byte{8, 1, 0, 9, 0, 0, 18, 0, 1, 10, 0, 2, 19, 3, 0})
	f.Add(byte(0), []byte{3, 0, 0, 10, 0, 1, 22, 255, 2, 13, 0, 0})
	f.Add(byte(23), []byte{8, 0, 0, 20, 0, 0, 20, 0, 0, 21, 0, 1})
	// One kernel per topology and design for the whole run: kernels and their
	// allocators live as long as the process.
	kernels := map[[3]int]*cast.Kernel{}
	// The rows and their parsed prototypes, once: parsing them at every
	// step made each input cost milliseconds.
	var rows []kfuncs.Kfunc
	var sigs []kfuncs.Signature
	var got []uint64
	f.Fuzz(func(t *testing.T, topo byte, prog []byte) {
		tp := topologies[int(topo)%len(topologies)]
		n, nr := tp[0], tp[1]
		md := testutil.NewCpumask(n, nr)
		if rows == nil {
			rows = cpumaskRows(t)
			for _, row := range rows {
				sig, err := row.Signature()
				require.NoError(t, err)
				sigs = append(sigs, sig)
			}
		}
		// Bounded steps keep every input cheap to run and to minimize.
		prog = prog[:min(len(prog), 3*maxCpumaskSteps)]
		type state struct {
			k     *cast.Kernel
			masks [3]mutator
			views [3]*cast.Cpumask
		}
		var states []state
		for di, d := range designs {
			key := [3]int{n, nr, di}
			k := kernels[key]
			if k == nil {
				k = cast.MustKernel(cast.MustTopology(n, nr))
				kernels[key] = k
			}
			k.SetDistributeCursor(0)
			var s state
			s.k = k
			for i := range s.masks {
				m, r, rel := d.create(t, k, make([]byte, wordEnd(n)/8))
				defer rel()
				s.masks[i], s.views[i] = m, r
			}
			states = append(states, s)
		}
		var mw [3][]uint64
		for i := range mw {
			mw[i] = make([]uint64, md.Words())
		}
		src := make([]byte, wordEnd(n)/8)
		for i := range src {
			src[i] = byte(i*37 + 11)
		}
		cpus := cpusFor(n, nr)
		for ; len(prog) >= 3; prog = prog[3:] {
			ri := int(prog[0]) % len(rows)
			row, sig := rows[ri], sigs[ri]
			cpu := cpus[int(prog[1])%len(cpus)]
			ai, bi := int(prog[2])%3, int(prog[2]/3)%3
			var model [][]uint64 // the model's masks in argument order, aliasing mw as the kernel's would
			srcs := []int{ai, bi}
			for _, p := range sig.Params {
				switch {
				case p.Kind != kfuncs.ParamStruct:
				case p.Const:
					model, srcs = append(model, mw[srcs[0]]), srcs[1:]
				default:
					model = append(model, mw[0])
				}
			}
			want, err := md.Call(row.Kernel, cpu, src, model)
			require.NoError(t, err)
			for _, s := range states {
				a := &kfuncs.Args{Dst: owned(s.masks[0]), Src1: s.views[ai], Src2: s.views[bi], Cpu: cpu, Mem: src}
				row.Call(a, 1)
				// Plain compares: testify's formatting and reflection cost
				// more than the kfunc.
				if a.Ret != want {
					t.Fatalf("%s(cpu=%d, a=%d, b=%d) on nr_cpu_ids=%d NR_CPUS=%d = %v; want %v", row.Kernel, cpu, ai, bi, n, nr, a.Ret, want)
				}
				for i := range mw {
					if got = s.views[i].AppendWords(got[:0]); !slices.Equal(mw[i], got) {
						t.Fatalf("%s: mask %d storage %#x; want %#x", row.Kernel, i, got, mw[i])
					}
				}
				if s.k.DistributeCursor() != md.Prev {
					t.Fatalf("%s: distribute cursor %d; want %d", row.Kernel, s.k.DistributeCursor(), md.Prev)
				}
			}
		}
	})
}
