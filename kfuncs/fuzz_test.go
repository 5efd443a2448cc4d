package kfuncs_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/cast"
)

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
	f.Fuzz(func(t *testing.T, topo byte, prog []byte) {
		tp := topologies[int(topo)%len(topologies)]
		n, nr := tp[0], tp[1]
		md := newModel(n, nr)
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
			mw[i] = make([]uint64, md.words)
		}
		src := make([]byte, wordEnd(n)/8)
		for i := range src {
			src[i] = byte(i*37 + 11)
		}
		cpus := cpusFor(n, nr)
		for ; len(prog) >= 3; prog = prog[3:] {
			o := ops[int(prog[0])%len(ops)]
			cpu := cpus[int(prog[1])%len(cpus)]
			ai, bi := int(prog[2])%3, int(prog[2]/3)%3
			want := o.want(md, mw[0], mw[ai], mw[bi], cpu, src)
			for _, s := range states {
				got := o.run(args{dst: s.masks[0], dstR: s.views[0], a: s.views[ai], b: s.views[bi], cpu: cpu, src: src})
				require.Equalf(t, want, got, "%s(cpu=%d, a=%d, b=%d) on nr_cpu_ids=%d NR_CPUS=%d", o.name, cpu, ai, bi, n, nr)
				for i := range mw {
					require.Equalf(t, mw[i], s.views[i].AppendWords(nil), "%s: mask %d storage", o.name, i)
				}
				require.Equal(t, md.prev, int(s.k.DistributeCursor()))
			}
		}
	})
}
