// Package a holds programs the bitmapcopy analyzer must flag and programs it
// must not.
package a

import (
	"github.com/bpfbitmap/prototype/bpfbitmap"
	"github.com/bpfbitmap/prototype/cast"
	"github.com/bpfbitmap/prototype/kfuncs"
)

// Flagged.

func dereferenced(b *bpfbitmap.Bitmap) int {
	c := *b // want `Bitmap copied by value: bpfbitmap.Bitmap copied; a Bitmap must not be copied`
	return c.Len()
}

func byValue(b bpfbitmap.Bitmap) int { // want `Bitmap copied by value: bpfbitmap.Bitmap passed by value`
	return b.Len()
}

func ranged(bs []bpfbitmap.Bitmap) (n int) {
	for _, b := range bs { // want `Bitmap copied by value: bpfbitmap.Bitmap copied`
		n += b.Len()
	}
	return n
}

func view(m *cast.Cpumask) cast.Cpumask { // want `Bitmap copied by value: cast.Cpumask returned by value; it contains a bpfbitmap.Bitmap`
	return *m // want `Bitmap copied by value: cast.Cpumask copied; it contains a bpfbitmap.Bitmap`
}

type holder struct {
	mask kfuncs.BPFCpumask
}

func nested(h *holder) holder { // want `Bitmap copied by value: holder returned by value`
	return *h // want `Bitmap copied by value: holder copied; it contains a bpfbitmap.Bitmap`
}

func array(p *[2]bpfbitmap.Bitmap) int {
	a := *p // want `Bitmap copied by value: \[2\]bpfbitmap.Bitmap copied; it contains a bpfbitmap.Bitmap`
	return a[0].Len()
}

func intoInterface(b *bpfbitmap.Bitmap) any {
	return *b // want `Bitmap copied by value: bpfbitmap.Bitmap copied`
}

// Not flagged.

func emptyArray(p *[0]bpfbitmap.Bitmap) [0]bpfbitmap.Bitmap {
	return *p
}

func pointers(b *bpfbitmap.Bitmap, m *kfuncs.BPFCpumask) int {
	c := b
	n := m
	return c.Len() + int(kfuncs.CpumaskWeight(n.Cpumask()))
}

func zero() *bpfbitmap.Bitmap {
	return new(bpfbitmap.Bitmap)
}

func indexed(bs []bpfbitmap.Bitmap) (n int) {
	for i := range bs {
		n += bs[i].Len()
	}
	return n
}
