package testutil

import (
	"errors"
	"fmt"
	"math/bits"
	"slices"
	"syscall"
)

// ErrUnknownKfunc reports a kernel name Cpumask.Call has no model of.
var ErrUnknownKfunc = errors.New("testutil: no model of this kfunc")

// Cpumask restates the kernel's cpumask kfuncs bit for bit, tails included,
// from include/linux/cpumask.h, include/linux/bitmap.h and
// kernel/bpf/cpumask.c: the naive model that kfuncs' implementation and the
// live kernel are both checked against. It decides the widths itself from
// nr_cpu_ids and NR_CPUS, independently of cast.Topology.
type Cpumask struct {
	N  int // nr_cpu_ids, nr_cpumask_bits
	NR int // NR_CPUS
	S  int // small_cpumask_bits: NR_CPUS when NR_CPUS <= 64, else nr_cpu_ids
	L  int // large_cpumask_bits: NR_CPUS when NR_CPUS <= 256, else nr_cpu_ids
	// Prev is this CPU's distribute_cpu_mask_prev, which
	// bpf_cpumask_any_distribute and bpf_cpumask_any_and_distribute share.
	Prev uint32
}

// NewCpumask returns the model of a kernel with nr_cpu_ids n and NR_CPUS nr,
// its distribute cursor at 0.
func NewCpumask(n, nr int) *Cpumask {
	m := &Cpumask{N: n, NR: nr, S: n, L: n}
	if nr <= 64 {
		m.S = nr
	}
	if nr <= 256 {
		m.L = nr
	}
	return m
}

// Words returns how many words any operation of the kernel can touch,
// BITS_TO_LONGS(max(S, L, N)): the least length Call's masks must have.
func (m *Cpumask) Words() int { return Words(max(m.S, m.L, m.N)) }

// Kfuncs returns the kernel names Call models, sorted.
func (m *Cpumask) Kfuncs() []string {
	names := make([]string, 0, len(cpumaskModels))
	for name := range cpumaskModels {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

// Call applies the kfunc kernel to masks, which are its mask arguments in
// the kernel's argument order, each at least Words() long (a bpf_cpumask's
// NR_CPUS bits may be more; no operation touches them), changing them in place as
// the kernel changes its memory; cpu is the u32 argument and src populate's
// memory. It returns R0: a u32 result, an int zero-extended from 32 bits
// (populate's -EACCES is 0xfffffff3), a bool as 0 or 1, 0 for void.
func (m *Cpumask) Call(kernel string, cpu uint32, src []byte, masks [][]uint64) (uint64, error) {
	f, ok := cpumaskModels[kernel]
	if !ok {
		return 0, fmt.Errorf("%w: %s", ErrUnknownKfunc, kernel)
	}
	for i, w := range masks {
		if len(w) < m.Words() {
			return 0, fmt.Errorf("testutil: %s: mask %d has %d words, want at least %d", kernel, i, len(w), m.Words())
		}
	}
	return f(m, cpu, src, masks), nil
}

// Bit reports whether bit i of w is set.
func Bit(w []uint64, i int) bool { return w[i/64]>>(i%64)&1 != 0 }

// SetBit sets bit i of w to v.
func SetBit(w []uint64, i int, v bool) {
	if v {
		w[i/64] |= 1 << (i % 64)
	} else {
		w[i/64] &^= 1 << (i % 64)
	}
}

// Words returns BITS_TO_LONGS(n).
func Words(n int) int { return (n + 63) / 64 }

// LastWordMask is BITMAP_LAST_WORD_MASK(n).
func LastWordMask(n int) uint64 { return ^uint64(0) >> ((-n) & 63) }

func findFirst(w []uint64, size int, want bool) int {
	for i := range size {
		if Bit(w, i) == want {
			return i
		}
	}
	return size
}

// findNextWrap is find_next_bit_wrap.
func findNextWrap(w []uint64, size, off int) int {
	for i := off; i < size; i++ {
		if Bit(w, i) {
			return i
		}
	}
	for i := range min(off, size) {
		if Bit(w, i) {
			return i
		}
	}
	return size
}

func r0(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

func and(a, b []uint64) []uint64 {
	w := make([]uint64, len(a))
	for i := range w {
		w[i] = a[i] & b[i]
	}
	return w
}

// testSet is the per-CPU test-and-modify kfuncs: cpu >= nr_cpu_ids is false
// and changes nothing (cpu_valid()).
func testSet(v bool) func(*Cpumask, uint32, []byte, [][]uint64) uint64 {
	return func(m *Cpumask, cpu uint32, _ []byte, w [][]uint64) uint64 {
		if int64(cpu) >= int64(m.N) {
			return 0
		}
		old := Bit(w[0], int(cpu))
		SetBit(w[0], int(cpu), v)
		return r0(old)
	}
}

// compare is the pairwise queries over S bits.
func compare(f func(a, b bool) bool, all bool) func(*Cpumask, uint32, []byte, [][]uint64) uint64 {
	return func(m *Cpumask, _ uint32, _ []byte, w [][]uint64) uint64 {
		for i := range m.S {
			if f(Bit(w[0], i), Bit(w[1], i)) != all {
				return r0(!all)
			}
		}
		return r0(all)
	}
}

func distribute(m *Cpumask, w []uint64) uint64 {
	next := findNextWrap(w, m.N, int(m.Prev)+1)
	if next < m.N {
		m.Prev = uint32(next)
	}
	return uint64(next)
}

var cpumaskModels = map[string]func(m *Cpumask, cpu uint32, src []byte, w [][]uint64) uint64{
	"bpf_cpumask_first": func(m *Cpumask, _ uint32, _ []byte, w [][]uint64) uint64 {
		return uint64(findFirst(w[0], m.S, true))
	},
	"bpf_cpumask_first_zero": func(m *Cpumask, _ uint32, _ []byte, w [][]uint64) uint64 {
		return uint64(findFirst(w[0], m.S, false))
	},
	"bpf_cpumask_first_and": func(m *Cpumask, _ uint32, _ []byte, w [][]uint64) uint64 {
		return uint64(findFirst(and(w[0], w[1]), m.S, true))
	},
	"bpf_cpumask_set_cpu": func(m *Cpumask, cpu uint32, _ []byte, w [][]uint64) uint64 {
		if int64(cpu) < int64(m.N) {
			SetBit(w[0], int(cpu), true)
		}
		return 0
	},
	"bpf_cpumask_clear_cpu": func(m *Cpumask, cpu uint32, _ []byte, w [][]uint64) uint64 {
		if int64(cpu) < int64(m.N) {
			SetBit(w[0], int(cpu), false)
		}
		return 0
	},
	"bpf_cpumask_test_cpu": func(m *Cpumask, cpu uint32, _ []byte, w [][]uint64) uint64 {
		return r0(int64(cpu) < int64(m.N) && Bit(w[0], int(cpu)))
	},
	"bpf_cpumask_test_and_set_cpu":   testSet(true),
	"bpf_cpumask_test_and_clear_cpu": testSet(false),
	"bpf_cpumask_setall": func(m *Cpumask, _ uint32, _ []byte, w [][]uint64) uint64 {
		if m.NR <= 64 { // small_const_nbits: word 0 := BITMAP_LAST_WORD_MASK(N)
			w[0][0] = LastWordMask(m.N)
			return 0
		}
		for i := range Words(m.N) { // bitmap_fill: whole words
			w[0][i] = ^uint64(0)
		}
		return 0
	},
	"bpf_cpumask_clear": func(m *Cpumask, _ uint32, _ []byte, w [][]uint64) uint64 {
		clear(w[0][:Words(m.L)])
		return 0
	},
	"bpf_cpumask_and": func(m *Cpumask, _ uint32, _ []byte, w [][]uint64) uint64 {
		var any uint64 // __bitmap_and masks the last word and reports non-empty
		for i := range Words(m.S) {
			w[0][i] = w[1][i] & w[2][i]
			if i == Words(m.S)-1 {
				w[0][i] &= LastWordMask(m.S)
			}
			any |= w[0][i]
		}
		return r0(any != 0)
	},
	"bpf_cpumask_or": func(m *Cpumask, _ uint32, _ []byte, w [][]uint64) uint64 {
		for i := range Words(m.S) { // whole words, no tail mask
			w[0][i] = w[1][i] | w[2][i]
		}
		return 0
	},
	"bpf_cpumask_xor": func(m *Cpumask, _ uint32, _ []byte, w [][]uint64) uint64 {
		for i := range Words(m.S) {
			w[0][i] = w[1][i] ^ w[2][i]
		}
		return 0
	},
	"bpf_cpumask_equal":      compare(func(a, b bool) bool { return a == b }, true),
	"bpf_cpumask_intersects": compare(func(a, b bool) bool { return a && b }, false),
	"bpf_cpumask_subset":     compare(func(a, b bool) bool { return !a || b }, true),
	"bpf_cpumask_empty": func(m *Cpumask, _ uint32, _ []byte, w [][]uint64) uint64 {
		return r0(findFirst(w[0], m.S, true) == m.S)
	},
	"bpf_cpumask_full": func(m *Cpumask, _ uint32, _ []byte, w [][]uint64) uint64 {
		return r0(findFirst(w[0], m.N, false) == m.N) // the one query of width N
	},
	"bpf_cpumask_copy": func(m *Cpumask, _ uint32, _ []byte, w [][]uint64) uint64 {
		copy(w[0][:Words(m.L)], w[1][:Words(m.L)]) // tails included
		return 0
	},
	"bpf_cpumask_any_distribute": func(m *Cpumask, _ uint32, _ []byte, w [][]uint64) uint64 {
		return distribute(m, w[0])
	},
	"bpf_cpumask_any_and_distribute": func(m *Cpumask, _ uint32, _ []byte, w [][]uint64) uint64 {
		return distribute(m, and(w[0], w[1]))
	},
	"bpf_cpumask_weight": func(m *Cpumask, _ uint32, _ []byte, w [][]uint64) uint64 {
		n := 0
		for i := range Words(m.S) {
			x := w[0][i]
			if i == Words(m.S)-1 {
				x &= LastWordMask(m.S)
			}
			n += bits.OnesCount64(x)
		}
		return uint64(n)
	},
	"bpf_cpumask_populate": func(m *Cpumask, _ uint32, src []byte, w [][]uint64) uint64 {
		if len(src) < 8*Words(m.N) { // bitmap_size(nr_cpu_ids)
			errno := -int32(syscall.EACCES)
			return uint64(uint32(errno))
		}
		for i := range Words(m.N) { // whole words, tail bits included
			var x uint64
			for b := range 8 {
				x |= uint64(src[8*i+b]) << (8 * b)
			}
			w[0][i] = x
		}
		return 0
	},
}
