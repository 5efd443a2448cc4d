package doc

import "github.com/bpfbitmap/prototype/bpfbitmap"

func snapshot(b *bpfbitmap.Bitmap) bpfbitmap.Bitmap { // want `Bitmap copied by value: bpfbitmap.Bitmap returned by value`
	return *b // want `Bitmap copied by value: bpfbitmap.Bitmap copied`
}
