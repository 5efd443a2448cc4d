package bpfbitmap_test

import (
	"errors"
	"fmt"
	"slices"
	"syscall"

	"github.com/bpfbitmap/prototype/bpfbitmap"
)

func ExampleNew() {
	b, err := bpfbitmap.New(100)
	if err != nil {
		panic(err)
	}
	defer b.Release()
	fmt.Println(b.Len(), len(b.Words()), b.Weight(), b.RefCount())

	// A size the kernel refuses gives nil and an error that is both the
	// package's sentinel and the kernel's errno.
	if c, err := bpfbitmap.New(-1); err != nil {
		fmt.Println(errors.Is(err, bpfbitmap.ErrInvalid), errors.Is(err, syscall.EINVAL))
	} else {
		c.Release()
	}
	if c, err := bpfbitmap.New(bpfbitmap.MaxBits + 1); err != nil {
		fmt.Println(errors.Is(err, bpfbitmap.ErrTooBig), errors.Is(err, syscall.E2BIG))
	} else {
		c.Release()
	}
	// Output:
	// 100 2 0 1
	// true true
	// true true
}

func ExampleBitmap_Set() {
	b := bpfbitmap.MustNew(70)
	defer b.Release()
	b.Set(0)
	b.Set(69)
	b.Set(70) // out of range: does nothing, as set_bit on an invalid cpu
	b.Set(-1)
	fmt.Println(b.Test(0), b.Test(69), b.Test(70), b.Weight())
	fmt.Printf("%#x\n", b.Words())
	fmt.Println(b.TestAndSet(69), b.TestAndClear(69), b.Test(69))
	// Output:
	// true true false 2
	// [0x1 0x20]
	// true true false
}

func ExampleBitmap_FindFirstBit() {
	b := bpfbitmap.MustNew(200)
	defer b.Release()
	fmt.Println(b.FindFirstBit()) // nothing set: Len
	b.Set(130)
	b.Set(199)
	fmt.Println(b.FindFirstBit(), b.FindNextBit(131), b.FindLastBit(), b.FindNextBit(200))
	// Output:
	// 200
	// 130 199 199 200
}

func ExampleBitmap_All() {
	b := bpfbitmap.MustNew(128)
	defer b.Release()
	for _, i := range []int{3, 64, 65, 127} {
		b.Set(i)
	}
	fmt.Println(slices.Collect(b.All()))
	for i := range b.Backward() {
		if i < 64 {
			break
		}
		fmt.Println(i)
	}
	// Output:
	// [3 64 65 127]
	// 127
	// 65
	// 64
}

func ExampleBitmap_AndWeight() {
	x, y, z := bpfbitmap.MustNew(1000), bpfbitmap.MustNew(1000), bpfbitmap.MustNew(1000)
	defer x.Release()
	defer y.Release()
	defer z.Release()
	for i := 0; i < 1000; i += 2 {
		x.Set(i) // the even bits
	}
	for i := 0; i < 1000; i += 3 {
		y.Set(i) // the multiples of three
	}
	// The multiples of six, stored in z and counted in the same pass.
	n, err := z.AndWeight(x, y)
	fmt.Println(n, err, z.Weight(), z.FindFirstBit(), z.FindNextBit(1))
	// Counting without a result to store: bitmap_weight_and.
	fmt.Println(x.WeightAnd(y))
	// Operands must have the destination's length, as for And.
	short := bpfbitmap.MustNew(999)
	defer short.Release()
	_, err = z.AndWeight(x, short)
	fmt.Println(errors.Is(err, bpfbitmap.ErrSizeMismatch))
	// Output:
	// 167 <nil> 167 0 6
	// 167
	// true
}
