package words

// SetRange sets bits [start, start+n) of w (bitmap_set); n <= 0 sets none.
func SetRange(w []uint64, start, n int) {
	if n <= 0 {
		return
	}
	end := start + n
	first, last := start/WordBits, (end-1)/WordBits
	if first == last {
		w[first] |= FirstWordMask(start) & LastWordMask(end)
		return
	}
	w[first] |= FirstWordMask(start)
	for i := first + 1; i < last; i++ {
		w[i] = ^uint64(0)
	}
	w[last] |= LastWordMask(end)
}
