package bpfbitmap_test

import (
	"errors"
	"fmt"
	"syscall"

	"github.com/bpfbitmap/prototype/bpfbitmap"
)

func ExampleParseList() {
	b, err := bpfbitmap.ParseList("0-3,8-15:2/4", 64)
	if err != nil {
		panic(err)
	}
	defer b.Release()
	fmt.Println(b.Weight(), b)

	// "N" is the last bit, and the errno is the kernel's.
	if c, err := bpfbitmap.ParseList("0-N,64", 64); err != nil {
		fmt.Println(errors.Is(err, syscall.ERANGE))
		fmt.Println(err)
	} else {
		c.Release()
	}
	// Output:
	// 8 0-3,8-9,12-13
	// true
	// bitmap_parselist: at byte 4 "64": bit 64 out of range for 64 bits: bit index out of range
}

func ExampleBitmap_FormatHex() {
	for _, nbits := range []int{2, 33, 64} {
		b := bpfbitmap.MustNew(nbits)
		b.Set(0)
		b.Set(nbits - 1)
		fmt.Printf("%d bits: %s\n", nbits, b.FormatHex())
		b.Release()
	}
	// Output:
	// 2 bits: 3
	// 33 bits: 1,00000001
	// 64 bits: 80000000,00000001
}

func ExampleParseHex() {
	b, err := bpfbitmap.ParseHex("f0,0000000f", 40)
	if err != nil {
		panic(err)
	}
	defer b.Release()
	fmt.Println(b.FormatList())
	// Output: 0-3,36-39
}
