package bench

import (
	"fmt"
	"testing"

	"github.com/bpfbitmap/prototype/arena"
	"github.com/bpfbitmap/prototype/cast"
	"github.com/bpfbitmap/prototype/kfuncs"
)

// Arena is the third design: sched_ext's arena mask (package arena), which
// becomes a cpumask only by a copy into a struct bpf_cpumask.
const Arena Design = "arena"

// sinkI32 keeps the arena conversion's result alive.
var sinkI32 int32

// ArenaCases returns the arena road's benchmarks on a new simulated kernel
// of topology t: its conversion to a cpumask ("cast", the row the other
// designs fill with a pointer conversion and the checked cast), which is
// scx_bitmap_to_bpf's copy to a stack buffer and bpf_cpumask_populate into
// a bpf_cpumask the program holds. release frees the objects used.
func ArenaCases(t cast.Topology) (cases []Case, release func(), err error) {
	k, err := cast.NewKernel(t)
	if err != nil {
		return nil, nil, fmt.Errorf("bench: kernel %v: %w", t, err)
	}
	a, err := arena.NewAllocator(t)
	if err != nil {
		return nil, nil, fmt.Errorf("bench: %w", err)
	}
	dst := kfuncs.CpumaskCreate(k)
	if dst == nil {
		return nil, nil, fmt.Errorf("bench: arena conversion target: %w", ErrNoAlloc)
	}
	src := a.Alloc()
	for cpu := 0; cpu < t.NrCPUIDs(); cpu += 3 {
		src.SetCPU(uint32(cpu))
	}
	stack := new([arena.MaxWords * 8]byte)
	body := func(b *testing.B) {
		b.ReportAllocs()
		var r int32
		b.ResetTimer()
		for range b.N {
			r = arena.ToCpumask(dst, src, stack)
		}
		sinkI32 = r
	}
	release = func() {
		a.Free(src)
		kfuncs.CpumaskRelease(dst)
	}
	return []Case{{Fn: FnCast, Kernel: "bpf_cpumask_populate", Design: Arena, Topology: t, Bench: body}}, release, nil
}
