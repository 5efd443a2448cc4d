package doc

import "github.com/bpfbitmap/prototype/bpfbitmap"

func snapshotCopy(b *bpfbitmap.Bitmap) (*bpfbitmap.Bitmap, error) {
	c, err := bpfbitmap.New(b.Len())
	if err != nil {
		return nil, err
	}
	if err := c.Copy(b); err != nil { // copies the bits into an object of its own
		c.Release()
		return nil, err
	}
	return c, nil
}
