package oracle

import "math/bits"

// kmodel restates the kernel's cpumask code bit for bit, tails included,
// from include/linux/cpumask.h, include/linux/bitmap.h and
// kernel/bpf/cpumask.c, parameterised by the topology. It is the naive
// oracle the live kernel is checked against.
type kmodel struct {
	t Topology
	// prev is this CPU's distribute_cpu_mask_prev.
	prev uint32
}

func bit(w []uint64, i int) bool { return w[i/64]>>(i%64)&1 != 0 }

func setBit(w []uint64, i int, v bool) {
	if v {
		w[i/64] |= 1 << (i % 64)
	} else {
		w[i/64] &^= 1 << (i % 64)
	}
}

func words(n int) int { return (n + 63) / 64 }

// lastWordMask is BITMAP_LAST_WORD_MASK(n).
func lastWordMask(n int) uint64 { return ^uint64(0) >> ((-n) & 63) }

func findFirst(w []uint64, size int, want bool) int {
	for i := range size {
		if bit(w, i) == want {
			return i
		}
	}
	return size
}

// findNextWrap is find_next_bit_wrap.
func findNextWrap(w []uint64, size, off int) int {
	if off < size {
		for i := off; i < size; i++ {
			if bit(w, i) {
				return i
			}
		}
	}
	for i := range min(off, size) {
		if bit(w, i) {
			return i
		}
	}
	return size
}

func boolRet(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// apply runs fn on copies of masks (full storage each) and returns the
// return value and the masks afterwards.
func (m *kmodel) apply(fn Kfunc, cpu uint32, src []byte, in [][]uint64) (uint64, [][]uint64) {
	S, L, N := m.t.SmallCpumaskBits, m.t.LargeCpumaskBits, m.t.NrCPUIDs
	out := make([][]uint64, len(in))
	for i, w := range in {
		out[i] = make([]uint64, m.t.Words())
		copy(out[i], w)
	}
	valid := int(cpu) < N // cpu_valid()
	switch fn {
	case FnCpumaskFirst:
		return uint64(findFirst(out[0], S, true)), out
	case FnCpumaskFirstZero:
		return uint64(findFirst(out[0], S, false)), out
	case FnCpumaskFirstAnd:
		and := make([]uint64, len(out[0]))
		for i := range and {
			and[i] = out[0][i] & out[1][i]
		}
		return uint64(findFirst(and, S, true)), out
	case FnCpumaskSetCpu:
		if valid {
			setBit(out[0], int(cpu), true)
		}
		return 0, out
	case FnCpumaskClearCpu:
		if valid {
			setBit(out[0], int(cpu), false)
		}
		return 0, out
	case FnCpumaskTestCpu:
		return boolRet(valid && bit(out[0], int(cpu))), out
	case FnCpumaskTestAndSetCpu, FnCpumaskTestAndClearCpu:
		if !valid {
			return 0, out
		}
		old := bit(out[0], int(cpu))
		setBit(out[0], int(cpu), fn == FnCpumaskTestAndSetCpu)
		return boolRet(old), out
	case FnCpumaskSetall:
		if m.t.NrCPUs <= 64 { // small_const_nbits: one masked word
			out[0][0] = lastWordMask(N)
			return 0, out
		}
		for i := range words(N) { // bitmap_fill: whole words
			out[0][i] = ^uint64(0)
		}
		return 0, out
	case FnCpumaskClear:
		for i := range words(L) {
			out[0][i] = 0
		}
		return 0, out
	case FnCpumaskAnd: // __bitmap_and masks the last word, returns non-empty
		var any uint64
		for i := range words(S) {
			out[0][i] = out[1][i] & out[2][i]
			if i == words(S)-1 {
				out[0][i] &= lastWordMask(S)
			}
			any |= out[0][i]
		}
		return boolRet(any != 0), out
	case FnCpumaskOr, FnCpumaskXor: // whole words, no tail mask
		for i := range words(S) {
			if fn == FnCpumaskOr {
				out[0][i] = out[1][i] | out[2][i]
			} else {
				out[0][i] = out[1][i] ^ out[2][i]
			}
		}
		return 0, out
	case FnCpumaskEqual, FnCpumaskIntersects, FnCpumaskSubset:
		eq, inter, sub := true, false, true
		for i := range S {
			a, b := bit(out[0], i), bit(out[1], i)
			eq = eq && a == b
			inter = inter || a && b
			sub = sub && (!a || b)
		}
		return boolRet(map[Kfunc]bool{FnCpumaskEqual: eq, FnCpumaskIntersects: inter, FnCpumaskSubset: sub}[fn]), out
	case FnCpumaskEmpty:
		return boolRet(findFirst(out[0], S, true) == S), out
	case FnCpumaskFull:
		return boolRet(findFirst(out[0], N, false) == N), out
	case FnCpumaskCopy:
		copy(out[0][:words(L)], out[1][:words(L)])
		return 0, out
	case FnCpumaskAnyDistribute, FnCpumaskAnyAndDistribute:
		w := out[0]
		if fn == FnCpumaskAnyAndDistribute {
			w = make([]uint64, len(out[0]))
			for i := range w {
				w[i] = out[0][i] & out[1][i]
			}
		}
		next := findNextWrap(w, N, int(m.prev)+1)
		if next < N {
			m.prev = uint32(next)
		}
		return uint64(next), out
	case FnCpumaskWeight:
		n := 0
		for i := range words(S) {
			w := out[0][i]
			if i == words(S)-1 {
				w &= lastWordMask(S)
			}
			n += bits.OnesCount64(w)
		}
		return uint64(n), out
	case FnCpumaskPopulate:
		if len(src) < 8*words(N) {
			return uint64(uint32(0xffff_fff3)), out // -EACCES as u32
		}
		for i := range words(N) {
			var w uint64
			for b := range 8 {
				w |= uint64(src[8*i+b]) << (8 * b)
			}
			out[0][i] = w
		}
		return 0, out
	}
	panic("kmodel: unknown kfunc " + fn.String())
}
