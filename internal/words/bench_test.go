package words_test

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unsafe"

	"github.com/bits-and-blooms/bitset"

	"github.com/bpfbitmap/prototype/internal/words"
)

// BenchmarkWords times every bulk function at 64, 1024, 8192 and 65536 bits
// in each implementation: impl=asm is what the package chose for this CPU,
// impl=avx2 the AVX2 kernels where asm is AVX-512, impl=purego the Go loops,
// impl=bitset the same work with bits-and-blooms/bitset, and impl=c the loops
// of testdata/limit.c built with gcc -O3 -march=native (skipped without gcc).
// Compare with `benchstat -col /impl`.
//
// The inputs are the C program's: random words, or for the predicates and
// searches inputs that make them scan every word (equal operands, disjoint
// ones, all zeros, all ones, a single set or clear bit at the end).
func BenchmarkWords(b *testing.B) {
	cbin := buildC(b)
	for _, op := range benchOps {
		for _, n := range []int{64, 1024, 8192, 65536} {
			in := newBenchInput(n, op.input)
			for _, im := range benchImpls() {
				b.Run(fmt.Sprintf("op=%s/bits=%d/impl=%s", op.name, n, im.label), func(b *testing.B) {
					b.SetBytes(int64(n / 8))
					words.WithImpl(b, im.name, func() { op.words(b, in, n) })
				})
			}
			b.Run(fmt.Sprintf("op=%s/bits=%d/impl=bitset", op.name, n), func(b *testing.B) {
				b.SetBytes(int64(n / 8))
				op.bitset(b, in)
			})
			if op.c != "" {
				b.Run(fmt.Sprintf("op=%s/bits=%d/impl=c", op.name, n), func(b *testing.B) {
					if cbin == "" {
						b.Skip("no gcc: the C reference is not built")
					}
					b.ReportMetric(runC(b, cbin, op.c, n, b.N), "ns/op")
				})
			}
		}
	}
}

// BenchmarkWordsOffset times the kernels on operands that start off a
// 64-byte line by off bytes, as the allocator's bitmaps do (their words
// follow a 16-byte header), in each kernel implementation: the kernels step
// to the next line (AVX-512) or 32-byte boundary (AVX2) first. Compare with
// `benchstat -col /off`.
func BenchmarkWordsOffset(b *testing.B) {
	const n = 8192
	nw := words.Len(n)
	for _, off := range []int{0, 8, 16, 32} {
		// Three operands a 64-byte multiple apart, each off bytes past a line.
		buf := make([]uint64, 3*(nw+8)+8)
		base := (8 - int(uintptr(unsafe.Pointer(&buf[0]))%64/8)) % 8
		at := func(k int) []uint64 {
			i := base + k*(nw+8) + off/8
			return buf[i : i+nw : i+nw]
		}
		x, y, d := at(0), at(1), at(2)
		for i := range x {
			x[i], y[i] = uint64(i)*0x9e3779b97f4a7c15, uint64(i)*0x9e3779b97f4a7c15
		}
		for _, im := range benchImpls()[1:] {
			name := func(op string) string { return fmt.Sprintf("op=%s/bits=%d/off=%d/impl=%s", op, n, off, im.label) }
			b.Run(name("And"), func(b *testing.B) {
				words.WithImpl(b, im.name, func() {
					r := false
					for b.Loop() {
						r = words.And(d, x, y, n)
					}
					sinkBench = r
				})
			})
			b.Run(name("Equal"), func(b *testing.B) {
				words.WithImpl(b, im.name, func() {
					r := false
					for b.Loop() {
						r = words.Equal(x, y, n)
					}
					sinkBench = r
				})
			})
			b.Run(name("Weight"), func(b *testing.B) {
				words.WithImpl(b, im.name, func() {
					r := 0
					for b.Loop() {
						r = words.Weight(x, n)
					}
					sinkBench = r != 0
				})
			})
			b.Run(name("Copy"), func(b *testing.B) {
				words.WithImpl(b, im.name, func() {
					for b.Loop() {
						words.Copy(d, x, n)
					}
				})
			})
		}
	}
}

var sinkBench bool

// benchInput is one input of BenchmarkWords, as words and as bitsets.
type benchInput struct {
	a, b, d    []uint64
	bsA, bsB   *bitset.BitSet
	bsD        *bitset.BitSet
	sinkInt    int
	sinkBool   bool
	sinkUint   uint
	sinkUintOk bool
}

// Input kinds, as testdata/limit.c numbers them.
const (
	inRandom   = iota // a, b random
	inEqual           // b = a
	inDisjoint        // b = ^a
	inZero            // a zero
	inOnes            // a all ones
	inLastSet         // a zero but its last bit
	inLastZero        // a all ones but its last bit
)

func newBenchInput(n, kind int) *benchInput {
	rng := rand.New(rand.NewPCG(1, 2)) // fixed seed: same inputs every run
	nw := words.Len(n)
	a, b := make([]uint64, nw), make([]uint64, nw)
	for i := range a {
		a[i], b[i] = rng.Uint64(), rng.Uint64()
		switch kind {
		case inEqual:
			b[i] = a[i]
		case inDisjoint:
			b[i] = ^a[i]
		case inZero, inLastSet:
			a[i] = 0
		case inOnes, inLastZero:
			a[i] = ^uint64(0)
		}
	}
	switch kind {
	case inLastSet:
		a[nw-1] = 1 << 63
	case inLastZero:
		a[nw-1] = ^uint64(1 << 63)
	}
	return &benchInput{
		a: a, b: b, d: slices.Clone(a),
		bsA: bitset.From(slices.Clone(a)), bsB: bitset.From(slices.Clone(b)), bsD: bitset.From(slices.Clone(a)),
	}
}

// bitset has no three-operand writers: its in-place forms read two operands
// and write one, as words.And(d, a, b) does. It has no Intersects either:
// IntersectionCardinality is what a bitset user has for it.
//
// Each op runs its own b.Loop with the operands in locals, so that the loop
// calls the function under test directly, as the C reference's loop calls
// its kernel: a loop calling a closure per op would time one more call than
// a user's code makes.
var benchOps = []struct {
	name   string
	input  int
	c      string // the op's name in limit.c, "" if it has none
	words  func(b *testing.B, in *benchInput, n int)
	bitset func(b *testing.B, in *benchInput)
}{
	{"Weight", inRandom, "Weight",
		func(b *testing.B, in *benchInput, n int) {
			x, r := in.a, 0
			for b.Loop() {
				r = words.Weight(x, n)
			}
			in.sinkInt = r
		},
		func(b *testing.B, in *benchInput) {
			x, r := in.bsA, uint(0)
			for b.Loop() {
				r = x.Count()
			}
			in.sinkUint = r
		}},
	{"And", inRandom, "And",
		func(b *testing.B, in *benchInput, n int) {
			d, x, y, r := in.d, in.a, in.b, false
			for b.Loop() {
				r = words.And(d, x, y, n)
			}
			in.sinkBool = r
		},
		func(b *testing.B, in *benchInput) {
			d, y := in.bsD, in.bsB
			for b.Loop() {
				d.InPlaceIntersection(y)
			}
		}},
	{"AndNot", inRandom, "AndNot",
		func(b *testing.B, in *benchInput, n int) {
			d, x, y, r := in.d, in.a, in.b, false
			for b.Loop() {
				r = words.AndNot(d, x, y, n)
			}
			in.sinkBool = r
		},
		func(b *testing.B, in *benchInput) {
			d, y := in.bsD, in.bsB
			for b.Loop() {
				d.InPlaceDifference(y)
			}
		}},
	{"Or", inRandom, "Or",
		func(b *testing.B, in *benchInput, n int) {
			d, x, y := in.d, in.a, in.b
			for b.Loop() {
				words.Or(d, x, y, n)
			}
		},
		func(b *testing.B, in *benchInput) {
			d, y := in.bsD, in.bsB
			for b.Loop() {
				d.InPlaceUnion(y)
			}
		}},
	{"Xor", inRandom, "Xor",
		func(b *testing.B, in *benchInput, n int) {
			d, x, y := in.d, in.a, in.b
			for b.Loop() {
				words.Xor(d, x, y, n)
			}
		},
		func(b *testing.B, in *benchInput) {
			d, y := in.bsD, in.bsB
			for b.Loop() {
				d.InPlaceSymmetricDifference(y)
			}
		}},
	{"Copy", inRandom, "Copy",
		func(b *testing.B, in *benchInput, n int) {
			d, x := in.d, in.a
			for b.Loop() {
				words.Copy(d, x, n)
			}
		},
		func(b *testing.B, in *benchInput) {
			d, x, r := in.bsD, in.bsA, uint(0)
			for b.Loop() {
				r = x.Copy(d)
			}
			in.sinkUint = r
		}},
	{"Equal", inEqual, "Equal",
		func(b *testing.B, in *benchInput, n int) {
			x, y, r := in.a, in.b, false
			for b.Loop() {
				r = words.Equal(x, y, n)
			}
			in.sinkBool = r
		},
		func(b *testing.B, in *benchInput) {
			x, y, r := in.bsA, in.bsB, false
			for b.Loop() {
				r = x.Equal(y)
			}
			in.sinkBool = r
		}},
	{"Intersects", inDisjoint, "Intersects",
		func(b *testing.B, in *benchInput, n int) {
			x, y, r := in.a, in.b, false
			for b.Loop() {
				r = words.Intersects(x, y, n)
			}
			in.sinkBool = r
		},
		func(b *testing.B, in *benchInput) {
			x, y, r := in.bsA, in.bsB, false
			for b.Loop() {
				r = x.IntersectionCardinality(y) != 0
			}
			in.sinkBool = r
		}},
	{"Subset", inEqual, "Subset",
		func(b *testing.B, in *benchInput, n int) {
			x, y, r := in.a, in.b, false
			for b.Loop() {
				r = words.Subset(x, y, n)
			}
			in.sinkBool = r
		},
		func(b *testing.B, in *benchInput) {
			x, y, r := in.bsA, in.bsB, false
			for b.Loop() {
				r = y.IsSuperSet(x)
			}
			in.sinkBool = r
		}},
	{"Empty", inZero, "Empty",
		func(b *testing.B, in *benchInput, n int) {
			x, r := in.a, false
			for b.Loop() {
				r = words.Empty(x, n)
			}
			in.sinkBool = r
		},
		func(b *testing.B, in *benchInput) {
			x, r := in.bsA, false
			for b.Loop() {
				r = x.None()
			}
			in.sinkBool = r
		}},
	{"Full", inOnes, "Full",
		func(b *testing.B, in *benchInput, n int) {
			x, r := in.a, false
			for b.Loop() {
				r = words.Full(x, n)
			}
			in.sinkBool = r
		},
		func(b *testing.B, in *benchInput) {
			x, r := in.bsA, false
			for b.Loop() {
				r = x.All()
			}
			in.sinkBool = r
		}},
	{"FindFirstBit", inLastSet, "FindFirstBit",
		func(b *testing.B, in *benchInput, n int) {
			x, r := in.a, 0
			for b.Loop() {
				r = words.FindFirstBit(x, n)
			}
			in.sinkInt = r
		},
		func(b *testing.B, in *benchInput) {
			x, r, ok := in.bsA, uint(0), false
			for b.Loop() {
				r, ok = x.NextSet(0)
			}
			in.sinkUint, in.sinkUintOk = r, ok
		}},
	{"FindFirstZeroBit", inLastZero, "FindFirstZeroBit",
		func(b *testing.B, in *benchInput, n int) {
			x, r := in.a, 0
			for b.Loop() {
				r = words.FindFirstZeroBit(x, n)
			}
			in.sinkInt = r
		},
		func(b *testing.B, in *benchInput) {
			x, r, ok := in.bsA, uint(0), false
			for b.Loop() {
				r, ok = x.NextClear(0)
			}
			in.sinkUint, in.sinkUintOk = r, ok
		}},
	{"FindNextBit", inLastSet, "",
		func(b *testing.B, in *benchInput, n int) {
			x, r := in.a, 0
			for b.Loop() {
				r = words.FindNextBit(x, n, 1)
			}
			in.sinkInt = r
		},
		func(b *testing.B, in *benchInput) {
			x, r, ok := in.bsA, uint(0), false
			for b.Loop() {
				r, ok = x.NextSet(1)
			}
			in.sinkUint, in.sinkUintOk = r, ok
		}},
	// The weight of a AND b without a store: roaring's AndCardinality.
	{"WeightAnd", inRandom, "WeightAnd",
		func(b *testing.B, in *benchInput, n int) {
			x, y, r := in.a, in.b, 0
			for b.Loop() {
				r = words.WeightAnd(x, y, n)
			}
			in.sinkInt = r
		},
		func(b *testing.B, in *benchInput) {
			x, y, r := in.bsA, in.bsB, uint(0)
			for b.Loop() {
				r = x.IntersectionCardinality(y)
			}
			in.sinkUint = r
		}},
	// And into d and the weight of d: the work of roaring's in-place And on
	// bitmap containers (and, store, cardinality), in one pass.
	{"AndWeight", inRandom, "AndWeight",
		func(b *testing.B, in *benchInput, n int) {
			d, x, y, r := in.d, in.a, in.b, 0
			for b.Loop() {
				r = words.AndWeight(d, x, y, n)
			}
			in.sinkInt = r
		},
		func(b *testing.B, in *benchInput) {
			d, y, r := in.bsD, in.bsB, uint(0)
			for b.Loop() {
				d.InPlaceIntersection(y)
				r = d.Count()
			}
			in.sinkUint = r
		}},
}

type benchImpl struct{ name, label string }

// benchImpls returns the Go implementations to time: the chosen one as
// "asm" (when there is assembly), AVX2 too where AVX-512 was chosen, and the
// pure-Go loops.
func benchImpls() []benchImpl {
	names := words.Impls()
	list := []benchImpl{{"purego", "purego"}}
	if len(names) > 1 {
		list = append(list, benchImpl{names[len(names)-1], "asm"})
	}
	if slices.Contains(names, "avx2") && names[len(names)-1] != "avx2" {
		list = append(list, benchImpl{"avx2", "avx2"})
	}
	return list
}

// buildC compiles testdata/limit.c with gcc -O3 -march=native into a
// temporary directory, or returns "" when there is no gcc.
func buildC(b *testing.B) string {
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		return ""
	}
	bin := filepath.Join(b.TempDir(), "limit")
	if out, err := exec.Command(gcc, "-O3", "-march=native", "-o", bin, "testdata/limit.c").CombinedOutput(); err != nil {
		b.Fatalf("gcc testdata/limit.c: %v\n%s", err, out)
	}
	return bin
}

// runC runs the C reference for op at nbits bits over iters calls and
// returns its nanoseconds per call.
func runC(tb testing.TB, bin, op string, nbits, iters int) float64 {
	out, err := exec.Command(bin, op, strconv.Itoa(nbits), strconv.Itoa(iters)).Output()
	if err != nil {
		tb.Fatalf("%s %s %d %d: %v", bin, op, nbits, iters, err)
	}
	ns, err := strconv.ParseFloat(strings.TrimSpace(string(out)), 64)
	if err != nil {
		tb.Fatalf("%s %s: output %q: %v", bin, op, out, err)
	}
	return ns
}

var ratios = flag.Bool("ratios", false, "TestRatiosToC: time the asm kernels and the C reference in one run and log their ratios")

// TestRatiosToC logs ns/op of the chosen implementation and of the C
// reference, alternating rounds in one process, and their ratio (median of
// the rounds). It times, so it runs only with -ratios; it skips without gcc.
// benchstat over BenchmarkWords is the record; this is the quick look.
func TestRatiosToC(t *testing.T) {
	if !*ratios {
		t.Skip("run with -ratios")
	}
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		t.Skip("no gcc: the C reference cannot be built")
	}
	bin := filepath.Join(t.TempDir(), "limit")
	if out, err := exec.Command(gcc, "-O3", "-march=native", "-o", bin, "testdata/limit.c").CombinedOutput(); err != nil {
		t.Fatalf("gcc: %v\n%s", err, out)
	}
	const rounds = 5
	t.Logf("%-18s %6s %10s %10s %8s", "op", "bits", "ours ns", "C ns", "ours/C")
	for _, op := range benchOps {
		if op.c == "" {
			continue
		}
		for _, n := range []int{8192, 65536} {
			in := newBenchInput(n, op.input)
			var ours, c []float64
			for range rounds {
				r := testing.Benchmark(func(b *testing.B) { op.words(b, in, n) })
				ours = append(ours, float64(r.T.Nanoseconds())/float64(r.N))
				c = append(c, runC(t, bin, op.c, n, max(r.N, 1000)))
			}
			slices.Sort(ours)
			slices.Sort(c)
			o, m := ours[rounds/2], c[rounds/2]
			t.Logf("%-18s %6d %10.1f %10.1f %8.2f", op.name, n, o, m, o/m)
		}
	}
}
