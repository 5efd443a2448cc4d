package cast_test

import (
	"errors"
	"fmt"

	"github.com/bpfbitmap/prototype/cast"
)

func ExampleBitmapCastToCpumask() {
	k := cast.MustKernel(cast.MustTopology(4, 64))
	b, err := k.NewBitmap(4)
	if err != nil {
		panic(err)
	}
	defer b.Release()

	m := cast.BitmapCastToCpumask(b)
	if m == nil { // num_bits != nr_cpu_ids
		return
	}
	m.SetCpu(2)
	fmt.Println(b.Test(2), m.Cpumask().First(), m.Cpumask().Full())
	// Output: true 2 false
}

func ExampleTo() {
	k := cast.MustKernel(cast.MustTopology(4, 64))
	b, err := k.NewBitmap(5)
	if err != nil {
		panic(err)
	}
	defer b.Release()

	_, err = cast.To(b)
	fmt.Println(err, errors.Is(err, cast.ErrSizeMismatch))
	// Output: cast to cpumask: num_bits 5 != nr_cpu_ids 4 true
}

// MustBitmapCastToCpumask: where the size is right by construction, a Go
// caller skips the nil check (a BPF program cannot: bpf_assert is refused
// with a reference held).
func ExampleMustBitmapCastToCpumask() {
	k := cast.MustKernel(cast.MustTopology(2, 256))
	b, err := k.NewBitmap(k.Topology().NrCPUIDs())
	if err != nil {
		panic(err)
	}
	defer b.Release()

	m := cast.MustBitmapCastToCpumask(b)
	m.Setall()
	fmt.Println(m.Cpumask().Weight(), b.Cap() >= k.Topology().LargeCpumaskBits())
	// Output: 2 true
}
