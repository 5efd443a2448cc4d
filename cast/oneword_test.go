package cast_test

import (
	"encoding/binary"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/cast"
	"github.com/bpfbitmap/prototype/internal/words"
)

// TestOneWordQueries checks the in-place one-word paths of the queries and
// writers (small_cpumask_bits <= 64) against the words functions, on masks
// populated with random words, whose bits at and above nr_cpu_ids (up to the
// word's end, as bpf_cpumask_populate copies them) are garbage the widths
// must ignore or keep as the kernel does. A multi-word topology runs the
// same checks through the words functions.
func TestOneWordQueries(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8)) // fixed seed: same inputs every run
	for _, tp := range [][2]int{{2, 256}, {5, 64}, {64, 64}, {63, 256}, {65, 256}, {200, 256}} {
		k := cast.MustKernel(cast.MustTopology(tp[0], tp[1]))
		nw := words.Len(tp[0])
		mask := func() (*cast.OwnedCpumask, []uint64) {
			b, err := k.NewBitmap(tp[0])
			require.NoError(t, err)
			t.Cleanup(func() { b.Release() })
			m, err := cast.To(b)
			require.NoError(t, err)
			src := make([]byte, 8*nw)
			w := make([]uint64, nw)
			for i := range w {
				w[i] = rng.Uint64()
				switch rng.IntN(4) {
				case 0:
					w[i] = 0
				case 1:
					w[i] = ^uint64(0)
				}
				binary.LittleEndian.PutUint64(src[8*i:], w[i])
			}
			require.NoError(t, m.Populate(src))
			return m, w
		}
		for range 200 {
			a, aw := mask()
			b, bw := mask()
			small := k.Topology().SmallCpumaskBits()
			what := func(op string) string { return op + " on " + k.Topology().String() }
			require.Equal(t, uint32(words.FindFirstBit(aw, small)), a.Cpumask().First(), what("First"))
			require.Equal(t, uint32(words.FindFirstZeroBit(aw, small)), a.Cpumask().FirstZero(), what("FirstZero"))
			require.Equal(t, uint32(words.FindFirstAndBit(aw, bw, small)), a.Cpumask().FirstAnd(b.Cpumask()), what("FirstAnd"))
			require.Equal(t, uint32(words.Weight(aw, small)), a.Cpumask().Weight(), what("Weight"))
			require.Equal(t, words.Empty(aw, small), a.Cpumask().Empty(), what("Empty"))
			require.Equal(t, words.Full(aw, tp[0]), a.Cpumask().Full(), what("Full"))
			require.Equal(t, words.Equal(aw, bw, small), a.Cpumask().Equal(b.Cpumask()), what("Equal"))
			require.Equal(t, words.Intersects(aw, bw, small), a.Cpumask().Intersects(b.Cpumask()), what("Intersects"))
			require.Equal(t, words.Subset(aw, bw, small), a.Cpumask().Subset(b.Cpumask()), what("Subset"))
			for _, op := range []string{"And", "Or", "Xor"} {
				d, dw := mask()
				want := append([]uint64(nil), dw...)
				var got, wantNonEmpty bool
				switch op {
				case "And":
					wantNonEmpty = words.And(want, aw, bw, small)
					got = d.And(a.Cpumask(), b.Cpumask())
				case "Or":
					words.Or(want, aw, bw, small)
					d.Or(a.Cpumask(), b.Cpumask())
				case "Xor":
					words.Xor(want, aw, bw, small)
					d.Xor(a.Cpumask(), b.Cpumask())
				}
				require.Equal(t, wantNonEmpty, got, what(op+" result"))
				require.Equal(t, want, d.Cpumask().AppendWords(nil)[:nw], what(op))
			}
		}
	}
}
