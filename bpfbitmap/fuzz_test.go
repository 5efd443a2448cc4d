package bpfbitmap_test

import (
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/bpfbitmap/prototype/bpfbitmap"
)

// Differential fuzz targets: each decodes its input into bitmaps and
// operations, runs them on Bitmap and on the []bool model, and fails on the
// first difference. They share one allocator per process (a fresh one per
// input would keep a slab per class alive for every input) and check after
// every input that everything it allocated was released.

// maxFuzzBits bounds the sizes the targets build: several words, both sides
// of the unrolled loops, and small enough to stay fast.
const maxFuzzBits = 1100

// maxFuzzSteps bounds the instructions FuzzOps runs from one input; the
// rest is ignored. Without it an input grows to thousands of steps, each
// checked against the model, and the fuzzer spends its minutes minimizing
// such inputs instead of running new ones.
const maxFuzzSteps = 64

var fuzzAlloc = sync.OnceValue(bpfbitmap.NewAllocator)

// fuzzLeakCheck, deferred first, fails t if the input left a Bitmap live. A
// panic goes on unchanged: a Fatalf here would turn it into a quiet Goexit.
func fuzzLeakCheck(t *testing.T) {
	if r := recover(); r != nil {
		panic(r)
	}
	if live := fuzzAlloc().Stats().Live; live != 0 {
		t.Fatalf("%d bitmaps live after the input: a missing Release", live)
	}
}

// modelFromBytes returns n bits taken from data, bit i being bit i%8 of
// data[i/8]; bits past the data are clear.
func modelFromBytes(n int, data []byte) boolModel {
	m := make(boolModel, n)
	for i := range m {
		if i/8 < len(data) {
			m[i] = data[i/8]>>(i%8)&1 == 1
		}
	}
	return m
}

// newFuzzBitmap builds a Bitmap holding m from the shared allocator.
func newFuzzBitmap(t *testing.T, m boolModel) *bpfbitmap.Bitmap {
	b, err := fuzzAlloc().New(len(m))
	if err != nil {
		t.Fatalf("New(%d): %v", len(m), err)
	}
	for i, v := range m {
		if v {
			b.NonAtomicSet(i)
		}
	}
	return b
}

// checkModel is a fast requireModel for the fuzz loops: words (so the tail),
// slack, and the whole-bitmap readers.
func checkModel(t *testing.T, b *bpfbitmap.Bitmap, m boolModel, what string) {
	t.Helper()
	if got, want := b.Words(), m.words(); b.Len() != len(m) || !slices.Equal(got, want) {
		t.Fatalf("%s: words %#x (Len %d); want %#x (Len %d)", what, got, b.Len(), want, len(m))
	}
	for i, w := range b.Backing()[len(b.Words()):] {
		if w != 0 {
			t.Fatalf("%s: slack word %d is %#x", what, i, w)
		}
	}
	if got, want := b.Weight(), m.weight(); got != want {
		t.Fatalf("%s: Weight() = %d; want %d", what, got, want)
	}
	if got, want := b.Empty(), m.weight() == 0; got != want {
		t.Fatalf("%s: Empty() = %v; want %v", what, got, want)
	}
	if got, want := b.Full(), m.weight() == len(m); got != want {
		t.Fatalf("%s: Full() = %v; want %v", what, got, want)
	}
	if got, want := b.FindFirstBit(), m.findNext(0, true); got != want {
		t.Fatalf("%s: FindFirstBit() = %d; want %d", what, got, want)
	}
	if got, want := b.FindFirstZeroBit(), m.findNext(0, false); got != want {
		t.Fatalf("%s: FindFirstZeroBit() = %d; want %d", what, got, want)
	}
	if got, want := b.FindLastBit(), m.findLast(); got != want {
		t.Fatalf("%s: FindLastBit() = %d; want %d", what, got, want)
	}
}

// FuzzOps decodes prog into a size (two bytes) and then a sequence of
// 3-byte instructions (op, index high, index low) run on two same-sized
// bitmaps, b[0] the target and b[1] the other operand. The index is a signed
// 16-bit value, so negative and out-of-range indices occur.
func FuzzOps(f *testing.F) {
	f.Add([]byte{0, 1, 0, 0, 5, 1, 0, 5, 4, 0, 0})                           // Set 5, Clear 5 on 256 bits
	f.Add([]byte{65, 0, 9, 0, 0, 11, 0, 0, 2, 0, 64, 3, 0, 64})              // Fill, Complement, TestAndSet/Clear 64
	f.Add([]byte{64, 0, 0, 0, 63, 12, 0, 0, 0, 0, 1, 13, 0, 0})              // two operands, And
	f.Add([]byte{127, 0, 0, 0xff, 0xff, 0, 0, 127, 6, 0x7f, 0xff})           // index -1, Len, huge
	f.Add([]byte{0xe8, 0x3, 9, 0, 0, 7, 0x3, 0xe7, 20, 0x3, 0xe6, 18, 0, 1}) // 1000 bits
	f.Add([]byte{1, 0, 0, 0, 0, 11, 0, 0, 19, 0, 0, 9, 0, 0, 19, 0, 0})
	f.Add([]byte{0, 0, 9, 0, 0, 11, 0, 0, 14, 0, 0, 23, 0, 0}) // 0 bits
	f.Fuzz(fuzzOps)
}

func fuzzOps(t *testing.T, prog []byte) {
	defer fuzzLeakCheck(t)
	if len(prog) < 2 {
		return
	}
	n := int(prog[0]) | int(prog[1])<<8
	n %= maxFuzzBits + 1
	prog = prog[2:min(len(prog), 2+3*maxFuzzSteps)]
	m := [2]boolModel{make(boolModel, n), make(boolModel, n)}
	b := [2]*bpfbitmap.Bitmap{newFuzzBitmap(t, m[0]), newFuzzBitmap(t, m[1])}
	defer b[0].Release()
	defer b[1].Release()
	for step := 0; len(prog) >= 3; prog, step = prog[3:], step+1 {
		op := prog[0] % 24
		i := int(int16(uint16(prog[1])<<8 | uint16(prog[2])))
		in := i >= 0 && i < n
		x, mx := b[0], m[0]
		var got, want any
		switch op {
		case 0, 1, 2, 3, 4, 5, 6, 7, 8:
			bo := bitOps[op]
			got = bo.do(x, i)
			want = false
			if in {
				want = bo.model(mx, i)
			}
		case 9:
			x.Fill()
			copy(mx, fullModel(n))
		case 10:
			x.Zero()
			clear(mx)
		case 11:
			got = x.Complement(x)
			for j := range mx {
				mx[j] = !mx[j]
			}
			want = error(nil)
		case 12:
			b[0], b[1], m[0], m[1] = b[1], b[0], m[1], m[0]
			continue
		case 13, 14, 15, 16:
			bop := bulkOps[op-13]
			var err error
			got, err = bop.do(x, x, b[1])
			if err != nil {
				t.Fatalf("step %d: %s: %v", step, bop.name, err)
			}
			copy(mx, applyModel(bop, mx, m[1]))
			want = got
			if bop.hasResult {
				want = mx.weight() != 0
			}
		case 17:
			got = x.Copy(b[1])
			copy(mx, m[1])
			want = error(nil)
		case 18:
			got, want = x.FindNextBit(i), mx.findNext(i, true)
		case 19:
			got, want = x.FindNextZeroBit(i), mx.findNext(i, false)
		case 20:
			got, want = x.FindNthBit(i), mx.findNth(i)
		case 21:
			got, want = x.FindNextAndBit(b[1], i), mx.findNextAnd(m[1], i, false)
		case 22:
			got, want = x.FindNextAndNotBit(b[1], i), mx.findNextAnd(m[1], i, true)
		case 23:
			got = [3]bool{x.Equal(b[1]), x.Intersects(b[1]), x.Subset(b[1])}
			want = [3]bool{mx.equal(m[1]), mx.intersects(m[1]), mx.subset(m[1])}
		}
		if got != want {
			t.Fatalf("step %d: op %d index %d on %d bits = %v; want %v", step, op, i, n, got, want)
		}
		// The words (tail included) after every step; the whole-bitmap
		// readers once, below.
		if got, want := x.Words(), mx.words(); !slices.Equal(got, want) {
			t.Fatalf("step %d: op %d index %d on %d bits: words %#x; want %#x", step, op, i, n, got, want)
		}
	}
	checkModel(t, b[0], m[0], "FuzzOps")
	checkModel(t, b[1], m[1], "FuzzOps other operand")
	if got, want := slices.Collect(b[0].All()), m[0].set(); !slices.Equal(got, want) {
		t.Fatalf("All() = %v; want %v", got, want)
	}
}

// FuzzBulk builds x and y from bytes with independent lengths (same length
// when sameLen is set) and checks every bulk operation and predicate against
// the model: the mismatch rule for mutating ones, set semantics for the
// predicates, and aliasing of the destination with an operand.
func FuzzBulk(f *testing.F) {
	f.Add(uint16(64), uint16(64), true, []byte{1, 2, 3, 4, 5, 6, 7, 8}, []byte{0xff, 0, 0xff})
	f.Add(uint16(65), uint16(64), false, []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1}, []byte{0xff})
	f.Add(uint16(1000), uint16(1), true, []byte{0x80}, []byte{})
	f.Add(uint16(0), uint16(129), false, []byte{}, []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1})
	f.Add(uint16(127), uint16(127), true, []byte{0x55, 0xaa}, []byte{0xaa, 0x55})
	f.Fuzz(func(t *testing.T, nx, ny uint16, sameLen bool, xd, yd []byte) {
		defer fuzzLeakCheck(t)
		n1, n2 := int(nx)%(maxFuzzBits+1), int(ny)%(maxFuzzBits+1)
		if sameLen {
			n2 = n1
		}
		xm, ym := modelFromBytes(n1, xd), modelFromBytes(n2, yd)
		x, y := newFuzzBitmap(t, xm), newFuzzBitmap(t, ym)
		defer x.Release()
		defer y.Release()

		if got, want := x.Equal(y), xm.equal(ym); got != want {
			t.Fatalf("Equal = %v; want %v", got, want)
		}
		if got, want := y.Equal(x), xm.equal(ym); got != want {
			t.Fatalf("Equal reversed = %v; want %v", got, want)
		}
		if got, want := x.Intersects(y), xm.intersects(ym); got != want {
			t.Fatalf("Intersects = %v; want %v", got, want)
		}
		if got, want := x.WeightAnd(y), xm.weightAnd(ym); got != want {
			t.Fatalf("WeightAnd = %d; want %d", got, want)
		}
		if got, want := x.Subset(y), xm.subset(ym); got != want {
			t.Fatalf("Subset = %v; want %v", got, want)
		}
		if got, want := y.Subset(x), ym.subset(xm); got != want {
			t.Fatalf("Subset reversed = %v; want %v", got, want)
		}

		for _, op := range bulkOps {
			z := newFuzzBitmap(t, xm)
			nonEmpty, err := op.do(z, x, y)
			mismatch := n1 != n2 && op.binary
			switch {
			case mismatch:
				if !errors.Is(err, bpfbitmap.ErrSizeMismatch) {
					t.Fatalf("%s of %d and %d bits: err = %v; want ErrSizeMismatch", op.name, n1, n2, err)
				}
				checkModel(t, z, xm, op.name+" after a size mismatch")
			case err != nil:
				t.Fatalf("%s of %d and %d bits: %v", op.name, n1, n2, err)
			default:
				want := applyModel(op, xm, xm)
				if op.binary {
					want = applyModel(op, xm, ym)
				}
				if op.hasResult && nonEmpty != (want.weight() != 0) {
					t.Fatalf("%s non-empty = %v; want %v", op.name, nonEmpty, !nonEmpty)
				}
				checkModel(t, z, want, op.name)
				// Into an operand: same result.
				zx := newFuzzBitmap(t, xm)
				if _, err := op.do(zx, zx, y); err != nil {
					t.Fatalf("%s into its operand: %v", op.name, err)
				}
				checkModel(t, zx, want, op.name+" into its operand")
				zx.Release()
			}
			z.Release()
		}

		// Interop both ways keeps the bits and the clean tail.
		bs := x.ToBitset()
		if bs.Len() != uint(n1) || bs.Count() != uint(xm.weight()) {
			t.Fatalf("ToBitset: Len %d Count %d; want %d, %d", bs.Len(), bs.Count(), n1, xm.weight())
		}
		back, err := fuzzAlloc().FromBitset(bs)
		if err != nil {
			t.Fatalf("FromBitset: %v", err)
		}
		checkModel(t, back, xm, "FromBitset(ToBitset)")
		back.Release()
	})
}

// FuzzFind checks the whole find_bit family at one start and one n against
// the model, with an other operand of an independent length.
func FuzzFind(f *testing.F) {
	f.Add(uint16(192), []byte{0, 4, 0x10, 0x40, 0, 1, 0x10, 0x10, 0, 0, 1, 0, 0, 0, 0, 0x08}, uint16(100), 3, -1)
	f.Add(uint16(64), []byte{0, 0, 0, 0, 0, 0, 0, 0x80}, uint16(64), 63, 0)
	f.Add(uint16(65), []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1}, uint16(0), 64, 64)
	f.Add(uint16(1000), []byte{}, uint16(1000), -5, 1<<40)
	f.Add(uint16(127), []byte{0xaa}, uint16(200), 127, 1)
	f.Fuzz(func(t *testing.T, nbits uint16, data []byte, nother uint16, start, nth int) {
		defer fuzzLeakCheck(t)
		n := int(nbits) % (maxFuzzBits + 1)
		m := modelFromBytes(n, data)
		// other: the data shifted by one byte, so the two differ.
		om := modelFromBytes(int(nother)%(maxFuzzBits+1), append([]byte{0x5a}, data...))
		b, o := newFuzzBitmap(t, m), newFuzzBitmap(t, om)
		defer b.Release()
		defer o.Release()
		checkModel(t, b, m, "FuzzFind")
		for _, s := range []int{start, start % (n + 1), 0, n - 1, n} {
			if got, want := b.FindNextBit(s), m.findNext(s, true); got != want {
				t.Fatalf("FindNextBit(%#x, %d, %d) = %d; want %d", b.Words(), n, s, got, want)
			}
			if got, want := b.FindNextZeroBit(s), m.findNext(s, false); got != want {
				t.Fatalf("FindNextZeroBit(%#x, %d, %d) = %d; want %d", b.Words(), n, s, got, want)
			}
			if got, want := b.FindNextAndBit(o, s), m.findNextAnd(om, s, false); got != want {
				t.Fatalf("FindNextAndBit(%#x, %#x, %d, %d) = %d; want %d", b.Words(), o.Words(), n, s, got, want)
			}
			if got, want := b.FindNextAndNotBit(o, s), m.findNextAnd(om, s, true); got != want {
				t.Fatalf("FindNextAndNotBit(%#x, %#x, %d, %d) = %d; want %d", b.Words(), o.Words(), n, s, got, want)
			}
		}
		if got, want := b.FindFirstAndBit(o), m.findNextAnd(om, 0, false); got != want {
			t.Fatalf("FindFirstAndBit(%#x, %#x, %d) = %d; want %d", b.Words(), o.Words(), n, got, want)
		}
		for _, k := range []int{nth, nth % (m.weight() + 1), m.weight() - 1, m.weight()} {
			if got, want := b.FindNthBit(k), m.findNth(k); got != want {
				t.Fatalf("FindNthBit(%#x, %d, %d) = %d; want %d", b.Words(), n, k, got, want)
			}
		}
	})
}

// FuzzIter checks All and Backward against the model, whole and with a
// break after stop bits.
func FuzzIter(f *testing.F) {
	f.Add(uint16(130), []byte{1, 0, 0, 0, 0, 0, 0, 0x80, 1, 0, 0, 0, 0, 0, 0, 0, 3}, uint8(2))
	f.Add(uint16(0), []byte{0xff}, uint8(0))
	f.Add(uint16(64), []byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, uint8(63))
	f.Add(uint16(1000), []byte{0x11, 0x22, 0x44, 0x88}, uint8(255))
	f.Fuzz(func(t *testing.T, nbits uint16, data []byte, stop uint8) {
		defer fuzzLeakCheck(t)
		n := int(nbits) % (maxFuzzBits + 1)
		m := modelFromBytes(n, data)
		b := newFuzzBitmap(t, m)
		defer b.Release()
		up := m.set()
		down := slices.Clone(up)
		slices.Reverse(down)
		if got := slices.Collect(b.All()); !slices.Equal(got, up) {
			t.Fatalf("All() = %v; want %v", got, up)
		}
		if got := slices.Collect(b.Backward()); !slices.Equal(got, down) {
			t.Fatalf("Backward() = %v; want %v", got, down)
		}
		k := min(int(stop), len(up))
		var got []int
		for i := range b.All() {
			if len(got) == k {
				break
			}
			got = append(got, i)
		}
		if !slices.Equal(got, up[:k]) {
			t.Fatalf("All() with a break after %d = %v; want %v", k, got, up[:k])
		}
		got = got[:0]
		for i := range b.Backward() {
			if len(got) == k {
				break
			}
			got = append(got, i)
		}
		if !slices.Equal(got, down[:k]) {
			t.Fatalf("Backward() with a break after %d = %v; want %v", k, got, down[:k])
		}
	})
}
