package words

// SetRange sets bits [start, start+n) of w (bitmap_set).
func SetRange(w []uint64, start, n int) { fillRange(w, start, n, ^uint64(0)) }

// ClearRange clears bits [start, start+n) of w (bitmap_clear).
func ClearRange(w []uint64, start, n int) { fillRange(w, start, n, 0) }

// fillRange replaces bits [start, start+n) of w with the same bits of fill,
// which is all ones or all zeros.
func fillRange(w []uint64, start, n int, fill uint64) {
	if n <= 0 {
		return
	}
	end := start + n
	first, last := start/WordBits, (end-1)/WordBits
	if first == last {
		m := FirstWordMask(start) & LastWordMask(end)
		w[first] = w[first]&^m | fill&m
		return
	}
	m := FirstWordMask(start)
	w[first] = w[first]&^m | fill&m
	for i := first + 1; i < last; i++ {
		w[i] = fill
	}
	m = LastWordMask(end)
	w[last] = w[last]&^m | fill&m
}
