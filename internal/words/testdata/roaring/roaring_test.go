// Package roaring times RoaringBitmap/roaring v2 on the work of
// BenchmarkWords in internal/words, so that its AVX-512 container kernels
// can be compared with ours in one benchstat table. It is a module of its
// own under testdata, so roaring is never a dependency of bpfbitmap; run it
// from this directory and feed both outputs to benchstat:
//
//	go test -bench . -count 10 > roaring.txt
//	(cd ../.. && go test -run XXX -bench 'Words/op=(AndWeight|WeightAnd)/bits=65536' -count 10) > words.txt
//	benchstat -ignore pkg -col /impl words.txt roaring.txt
package roaring

import (
	"math/rand/v2"
	"testing"

	"github.com/RoaringBitmap/roaring/v2"
)

// dense returns a bitmap with each of the first 65536 bits set with
// probability 1/2, which roaring holds as one bitmap container.
func dense(rng *rand.Rand) *roaring.Bitmap {
	b := roaring.New()
	for i := range uint32(65536) {
		if rng.IntN(2) == 0 {
			b.Add(i)
		}
	}
	return b
}

var sink uint64

// BenchmarkWords has the names of internal/words' BenchmarkWords:
// op=AndWeight is and, store and weight (roaring's in-place And on two
// bitmap containers computes the cardinality as it stores); op=WeightAnd is
// and and weight without a store, roaring's AndCardinality and the kernel's
// bitmap_weight_and (words.WeightAnd).
func BenchmarkWords(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 2)) // fixed seed: same inputs every run
	x, y := dense(rng), dense(rng)
	b.Run("op=AndWeight/bits=65536/impl=roaring", func(b *testing.B) {
		d := x.Clone()
		b.SetBytes(65536 / 8)
		for b.Loop() {
			d.And(y) // d stays x AND y, one bitmap container: the same work each time
			sink = d.GetCardinality()
		}
	})
	b.Run("op=WeightAnd/bits=65536/impl=roaring", func(b *testing.B) {
		b.SetBytes(65536 / 8)
		for b.Loop() {
			sink = x.AndCardinality(y)
		}
	})
}
