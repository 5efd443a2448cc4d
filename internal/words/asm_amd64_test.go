//go:build amd64 && gc && !purego

package words

import (
	"flag"
	"fmt"
	"math/bits"
	"math/rand/v2"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// guarded returns n-word slices that end where a PROT_NONE page begins, so a
// kernel that reads or writes one word past its slice faults instead of
// passing. They start at every 8-byte offset within a 64-byte line as n
// varies.
func guarded(t *testing.T, count, n int) [][]uint64 {
	page := unix.Getpagesize()
	size := (8*n+page-1)/page*page + page
	var out [][]uint64
	for range count {
		mem, err := unix.Mmap(-1, 0, size, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_ANON|unix.MAP_PRIVATE)
		require.NoError(t, err)
		t.Cleanup(func() { _ = unix.Munmap(mem) })
		require.NoError(t, unix.Mprotect(mem[size-page:], unix.PROT_NONE))
		end := size - page
		out = append(out, unsafe.Slice((*uint64)(unsafe.Pointer(&mem[end-8*n])), n))
	}
	return out
}

// genericWeight is the reference for the weight kernel.
func genericWeight(a []uint64) (n int) {
	for _, w := range a {
		n += bits.OnesCount64(w)
	}
	return n
}

// genericFirst is the reference for the search kernels.
func genericFirst(n int, match func(i int) bool) int {
	for i := range n {
		if match(i) {
			return i
		}
	}
	return n
}

// TestKernels calls every kernel directly at every length 0..300 against the
// pure-Go loops: the weight, the four writers (result words, non-empty
// result, aliasing of dst with a and with b) and the five searches with the
// match planted at every kind of position, including none.
func TestKernels(t *testing.T) {
	for _, im := range impls()[1:] {
		t.Run(im.name, func(t *testing.T) {
			t.Cleanup(saveImpl())
			im.use()
			rng := rand.New(rand.NewPCG(5, 6)) // fixed seed: same inputs every run
			for n := 0; n <= 300; n++ {
				g := guarded(t, 3, n)
				a, b, dst := g[0], g[1], g[2]
				for trial := range 4 {
					for i := range a {
						a[i], b[i] = rng.Uint64(), rng.Uint64()
						if trial == 1 { // sparse: most words zero
							a[i] &= -uint64(rng.IntN(8) / 7)
							b[i] &= -uint64(rng.IntN(8) / 7)
						}
					}
					if trial == 2 && n > 0 { // one set bit, at the end
						clear(a)
						a[n-1] = 1 << 63
					}
					require.Equal(t, genericWeight(a), weightAsm(a), "weight n=%d trial %d", n, trial)
					both := make([]uint64, n)
					for i := range both {
						both[i] = a[i] & b[i]
					}
					require.Equal(t, genericWeight(both), weightAndAsm(a, b), "weightAnd n=%d trial %d", n, trial)
					for i := range dst {
						dst[i] = rng.Uint64()
					}
					require.Equal(t, genericWeight(both), andWeightAsm(dst, a, b), "andWeight n=%d trial %d", n, trial)
					require.Equal(t, both, dst, "andWeight stores n=%d trial %d", n, trial)

					for _, w := range []struct {
						name string
						f    func(dst, a, b []uint64) bool
						op   func(x, y uint64) uint64
					}{
						{"and", andAsm, func(x, y uint64) uint64 { return x & y }},
						{"andNot", andNotAsm, func(x, y uint64) uint64 { return x &^ y }},
						{"or", func(d, a, b []uint64) bool { orAsm(d, a, b); return false }, func(x, y uint64) uint64 { return x | y }},
						{"xor", func(d, a, b []uint64) bool { xorAsm(d, a, b); return false }, func(x, y uint64) uint64 { return x ^ y }},
					} {
						want := make([]uint64, n)
						var nonEmpty bool
						for i := range want {
							want[i] = w.op(a[i], b[i])
							nonEmpty = nonEmpty || want[i] != 0
						}
						for _, alias := range []string{"", "dst=a", "dst=b"} {
							x, y := a, b
							d := dst
							for i := range d {
								d[i] = rng.Uint64()
							}
							switch alias {
							case "dst=a":
								copy(d, x)
								x = d
							case "dst=b":
								copy(d, y)
								y = d
							}
							got := w.f(d, x, y)
							require.Equal(t, want, d, "%s n=%d trial %d %s", w.name, n, trial, alias)
							if w.name == "and" || w.name == "andNot" {
								require.Equal(t, nonEmpty, got, "%s result n=%d trial %d %s", w.name, n, trial, alias)
							}
						}
					}
				}

				for i := range dst {
					dst[i] = rng.Uint64()
				}
				copyAsm(dst, a)
				require.Equal(t, a, dst, "copy n=%d", n)

				// Searches: the first match at each position, or none.
				for _, pos := range []int{-1, 0, n / 3, n - 9, n - 8, n - 1} {
					if pos >= n || pos < -1 {
						continue
					}
					clear(a)
					for i := range b {
						b[i] = ^uint64(0)
					}
					if pos >= 0 {
						a[pos] = 1 << rng.IntN(64)
						if pos+1 < n {
							a[pos+1+rng.IntN(n-pos-1)] = 1 // a later match must not win
						}
					}
					want := genericFirst(n, func(i int) bool { return a[i] != 0 })
					require.Equal(t, want, firstNonZeroAsm(a), "firstNonZero n=%d pos=%d", n, pos)
					require.Equal(t, want, firstAndAsm(a, b), "firstAnd n=%d pos=%d", n, pos)
					require.Equal(t, n, firstAndNotAsm(a, b), "firstAndNot masked n=%d pos=%d", n, pos)
					zero := dst
					clear(zero)
					require.Equal(t, want, firstDiffAsm(a, zero), "firstDiff n=%d pos=%d", n, pos)
					require.Equal(t, want, firstAndNotAsm(a, zero), "firstAndNot n=%d pos=%d", n, pos)
					require.Equal(t, n, firstAndAsm(a, zero), "firstAnd masked n=%d pos=%d", n, pos)
					copy(dst, a)
					require.Equal(t, n, firstDiffAsm(a, dst), "firstDiff equal n=%d pos=%d", n, pos)
					for i := range dst {
						dst[i] = ^a[i]
					}
					require.Equal(t, want, firstNotFullAsm(dst), "firstNotFull n=%d pos=%d", n, pos)
				}
			}
		})
	}
}

var calibrate = flag.Bool("calibrate", false, "TestCalibrate: time the kernels against the Go loops at small sizes")

// TestCalibrate prints ns/op of the pure-Go loops and of each kernel the CPU
// has at the sizes around minAsmWords and minAsmSearchWords, for choosing
// them; minAsmPairWords (Intersects, Subset) was chosen from BenchmarkWords
// at 1024 bits. It times, so it runs only with -calibrate.
func TestCalibrate(t *testing.T) {
	if !*calibrate {
		t.Skip("run with -calibrate")
	}
	type op struct {
		name string
		run  func(x, y, d []uint64, n int)
	}
	var sinkInt int
	var sinkBool bool
	ops := []op{
		{"Weight", func(x, _, _ []uint64, n int) { sinkInt = Weight(x, n) }},
		{"And", func(x, y, d []uint64, n int) { sinkBool = And(d, x, y, n) }},
		{"Or", func(x, y, d []uint64, n int) { Or(d, x, y, n) }},
		{"Equal", func(x, _, d []uint64, n int) { sinkBool = Equal(x, d, n) }},
		{"Empty", func(_, _, d []uint64, n int) { sinkBool = Empty(d, n) }},
	}
	defer saveImpl()()
	for _, o := range ops {
		line := fmt.Sprintf("%-7s", o.name)
		for _, nw := range []int{2, 3, 4, 6, 8, 12, 16, 32} {
			x, y := make([]uint64, nw), make([]uint64, nw)
			for i := range x {
				x[i], y[i] = rand.Uint64(), rand.Uint64()
			}
			line += fmt.Sprintf(" | %2dw", nw)
			for _, im := range impls() {
				im.use()
				// The kernels on whole words, as the functions call them
				// from minAsmWords on; the Go loops below that.
				d := make([]uint64, nw)
				if o.name == "Equal" {
					copy(d, x)
				}
				run := o.run
				if im.name != "purego" {
					run = map[string]func(x, y, d []uint64, n int){
						"Weight": func(x, _, _ []uint64, _ int) { sinkInt = weightAsm(x) },
						"And":    func(x, y, d []uint64, _ int) { sinkBool = andAsm(d, x, y) },
						"Or":     func(x, y, d []uint64, _ int) { orAsm(d, x, y) },
						"Equal":  func(x, _, d []uint64, _ int) { sinkBool = firstDiffAsm(x, d) == len(x) },
						"Empty":  func(_, _, d []uint64, _ int) { sinkBool = firstNonZeroAsm(d) == len(d) },
					}[o.name]
				}
				r := testing.Benchmark(func(b *testing.B) {
					for b.Loop() {
						run(x, y, d, 64*nw)
					}
				})
				line += fmt.Sprintf(" %s %5.1f", im.name[:2], float64(r.T.Nanoseconds())/float64(r.N))
			}
		}
		t.Log(line)
	}
	_, _ = sinkInt, sinkBool
}
