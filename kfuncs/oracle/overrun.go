package oracle

import (
	"fmt"
	"slices"
)

// overrun is what one kfunc does to struct cpumask storage at or above
// word Topology().ValidWords(): the words an exactly nr_cpu_ids-sized
// bitmap would not have.
type overrun struct {
	Kfunc kfunc
	// Reads[i] lists the high words of argument i whose contents change
	// the kfunc's observable result (return value or any written word).
	// For bpf_cpumask_populate, Reads[1] is the source buffer.
	Reads [][]int
	// Writes[i] lists the high words of mask argument i the call changed.
	Writes [][]int
}

// observeOverruns runs every kfunc on full-storage masks (planted with
// loadCopy) and reports which words above nr_cpu_ids it reads and writes.
func (o *Oracle) observeOverruns() ([]overrun, error) {
	return observeOverrun(o.topo, o.invoke)
}

// observeOverrun probes with call, so the same procedure can run against
// the kernel and against a model. Each high word of each argument is
// flipped alone, from an all-zero and from an all-one baseline; a read is
// any change in what the kfunc reports, a write any high word that differs
// from its input.
func observeOverrun(tp Topology, call func(kcall) (result, error)) ([]overrun, error) {
	V, W, N := tp.ValidWords(), tp.Words(), tp.NrCPUIDs
	var out []overrun
	for _, fn := range cpumaskKfuncs() {
		nm := fn.NumMasks()
		nargs := nm
		if fn.TakesSrc() {
			nargs++ // the source buffer
		}
		reads, writes := make([]map[int]bool, nargs), make([]map[int]bool, nm)
		for i := range reads {
			reads[i] = map[int]bool{}
		}
		for i := range writes {
			writes[i] = map[int]bool{}
		}
		cpus := []uint32{0}
		if fn.TakesCPU() {
			cpus = []uint32{0, uint32(N - 1), uint32(N), uint32(64 * V), uint32(tp.NrCPUs - 1)}
		}
		repeat := 1
		if fn.distributes() {
			// One run per pick would mistake the cursor moving for a read;
			// a full rotation within one run gives a cursor-free answer.
			repeat = min(max(N, 1), maxRepeat)
		}
		for _, cpu := range cpus {
			for _, base := range []uint64{0, ^uint64(0)} {
				args := make([][]uint64, nargs)
				for i := range args {
					args[i] = slices.Repeat([]uint64{base}, W)
				}
				run := func(args [][]uint64) (result, error) {
					c := kcall{Kfunc: fn, CPU: cpu, Load: loadCopy, Masks: args[:nm], Repeat: repeat}
					if fn.TakesSrc() {
						c.Src = wordsToBytes(args[nm])
					}
					r, err := call(c)
					if err != nil {
						return r, fmt.Errorf("observe %s: %w", fn, err)
					}
					for i := range nm {
						for j := V; j < W; j++ {
							if r.Masks[i][j] != args[i][j] {
								writes[i][j] = true
							}
						}
					}
					return r, nil
				}
				a, err := run(args)
				if err != nil {
					return nil, err
				}
				for i := range nargs {
					for j := V; j < W; j++ {
						flipped := cloneWords(args)
						flipped[i][j] = ^base
						b, err := run(flipped)
						if err != nil {
							return nil, err
						}
						if differs(fn, a, b, args, flipped, i, j) {
							reads[i][j] = true
						}
					}
				}
			}
		}
		out = append(out, overrun{Kfunc: fn, Reads: sortedSets(reads), Writes: sortedSets(writes)})
	}
	return out, nil
}

// differs reports whether two runs that differ only in word j of argument
// i report different results. That word itself is not a difference when
// the kfunc left it alone in both runs.
func differs(fn kfunc, a, b result, inA, inB [][]uint64, i, j int) bool {
	retsA, retsB := slices.Clone(a.Rets), slices.Clone(b.Rets)
	for k := range retsA {
		retsA[k], retsB[k] = retMask(fn, retsA[k]), retMask(fn, retsB[k])
	}
	slices.Sort(retsA)
	slices.Sort(retsB)
	if !slices.Equal(retsA, retsB) {
		return true
	}
	for m := range a.Masks {
		for w := range a.Masks[m] {
			if m == i && w == j && a.Masks[m][w] == inA[m][w] && b.Masks[m][w] == inB[m][w] {
				continue
			}
			if a.Masks[m][w] != b.Masks[m][w] {
				return true
			}
		}
	}
	return false
}

// retMask keeps the bits of R0 the kfunc's C return type defines.
func retMask(fn kfunc, r uint64) uint64 {
	switch fn.Ret() {
	case retVoid:
		return 0
	case retBool:
		return r & 0xff
	default:
		return r & 0xffffffff
	}
}

func cloneWords(in [][]uint64) [][]uint64 {
	out := make([][]uint64, len(in))
	for i := range in {
		out[i] = slices.Clone(in[i])
	}
	return out
}

func wordsToBytes(w []uint64) []byte {
	b := make([]byte, 8*len(w))
	for i, x := range w {
		for k := range 8 {
			b[8*i+k] = byte(x >> (8 * k))
		}
	}
	return b
}

func sortedSets(sets []map[int]bool) [][]int {
	out := make([][]int, len(sets))
	for i, s := range sets {
		out[i] = []int{}
		for j := range s {
			out[i] = append(out[i], j)
		}
		slices.Sort(out[i])
	}
	return out
}
