package bpfbitmap_test

import (
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"

	"github.com/bits-and-blooms/bitset"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/arena"
	"github.com/bpfbitmap/prototype/bpfbitmap"
	"github.com/bpfbitmap/prototype/cast"
	"github.com/bpfbitmap/prototype/kfuncs"
)

// The error catalogue, docs/errors.md, is checked against the code here:
// every row names an error an exported function returns, and its case
// below provokes it, checks it against the row's sentinel and errno with
// errors.Is, and checks what the row says stays unchanged. Every exported
// function of the library packages with an error result has at least one
// row, and every case has a row.

const catalogue = "../docs/errors.md"

// catalogued are the packages the catalogue covers, by directory.
var catalogued = []string{"bpfbitmap", "cast", "kfuncs", "arena"}

var sentinels = map[string]error{
	"bpfbitmap.ErrInvalid":      bpfbitmap.ErrInvalid,
	"bpfbitmap.ErrRange":        bpfbitmap.ErrRange,
	"bpfbitmap.ErrOverflow":     bpfbitmap.ErrOverflow,
	"bpfbitmap.ErrTooBig":       bpfbitmap.ErrTooBig,
	"bpfbitmap.ErrNoMem":        bpfbitmap.ErrNoMem,
	"bpfbitmap.ErrSizeMismatch": bpfbitmap.ErrSizeMismatch,
	"cast.ErrTopology":          cast.ErrTopology,
	"cast.ErrForeignBitmap":     cast.ErrForeignBitmap,
	"cast.ErrSizeMismatch":      cast.ErrSizeMismatch,
	"cast.ErrShortBacking":      cast.ErrShortBacking,
	"cast.ErrAccess":            cast.ErrAccess,
	"cast.ErrUnaligned":         cast.ErrUnaligned,
	"cast.ErrSysfs":             cast.ErrSysfs,
	"kfuncs.ErrProto":           kfuncs.ErrProto,
	"kfuncs.ErrArgs":            kfuncs.ErrArgs,
	"arena.ErrTopology":         arena.ErrTopology,
	"fs.ErrNotExist":            fs.ErrNotExist,
	"syscall.EINVAL":            syscall.EINVAL,
	"syscall.ESRCH":             syscall.ESRCH,
	"syscall.EPERM":             syscall.EPERM,
}

var errnos = map[string]syscall.Errno{
	"EINVAL": syscall.EINVAL, "ERANGE": syscall.ERANGE, "EOVERFLOW": syscall.EOVERFLOW,
	"E2BIG": syscall.E2BIG, "ENOMEM": syscall.ENOMEM, "EACCES": syscall.EACCES,
	"ENOENT": syscall.ENOENT, "ESRCH": syscall.ESRCH, "EPERM": syscall.EPERM,
}

// errCase provokes one row's error. It returns the error, having checked
// what the row says stays unchanged. untestable says why a row cannot be
// provoked in a test; such rows are few and named.
type errCase struct {
	err        func(t *testing.T) error
	untestable string
}

// liveAfter runs f and checks that it left the Default allocator's live
// count where it was: a failed constructor allocates nothing.
func liveAfter(t *testing.T, f func() error) error {
	t.Helper()
	before := bpfbitmap.Default().Stats().Live
	err := f()
	assert.Equal(t, before, bpfbitmap.Default().Stats().Live, "a failed call left an object live")
	return err
}

// sameBits runs f on a copy of dst's words and checks dst did not change.
func sameBits(t *testing.T, dst *bpfbitmap.Bitmap, f func() error) error {
	t.Helper()
	before := slices.Clone(dst.Words())
	err := f()
	assert.Equal(t, before, dst.Words(), "the destination changed")
	return err
}

func bm(t *testing.T, n int, bits ...int) *bpfbitmap.Bitmap {
	b := bpfbitmap.MustNew(n)
	t.Cleanup(func() { b.Release() })
	for _, i := range bits {
		b.Set(i)
	}
	return b
}

func failing(f func(a *bpfbitmap.Allocator) error) func(t *testing.T) error {
	return func(t *testing.T) error {
		a := bpfbitmap.NewAllocator()
		a.FailNext(1)
		err := f(a)
		assert.Zero(t, a.Stats().Live)
		return err
	}
}

func sysfs(kernelMax, possible string) fstest.MapFS {
	m := fstest.MapFS{}
	if kernelMax != "" {
		m["kernel_max"] = &fstest.MapFile{Data: []byte(kernelMax + "\n")}
	}
	if possible != "" {
		m["possible"] = &fstest.MapFile{Data: []byte(possible + "\n")}
	}
	return m
}

func kernel4() *cast.Kernel { return cast.MustKernel(cast.MustTopology(4, 128)) }

func bulk(op string) func(t *testing.T) error {
	return func(t *testing.T) error {
		z, x, y := bm(t, 8, 1, 7), bm(t, 9, 0), bm(t, 8, 2)
		return sameBits(t, z, func() error {
			switch op {
			case "And":
				_, err := z.And(x, y)
				return err
			case "AndNot":
				_, err := z.AndNot(x, y)
				return err
			case "Or":
				return z.Or(x, y)
			case "Xor":
				return z.Xor(x, y)
			case "Complement":
				return z.Complement(x)
			}
			return z.Copy(x)
		})
	}
}

var cases = map[string]errCase{
	// Allocation.
	"bpfbitmap.New|bpfbitmap.ErrInvalid": {err: func(t *testing.T) error {
		return liveAfter(t, func() error { _, err := bpfbitmap.New(-1); return err })
	}},
	"bpfbitmap.New|bpfbitmap.ErrTooBig": {err: func(t *testing.T) error {
		return liveAfter(t, func() error { _, err := bpfbitmap.New(bpfbitmap.MaxBits + 1); return err })
	}},
	"bpfbitmap.New|bpfbitmap.ErrNoMem": {err: func(t *testing.T) error {
		bpfbitmap.Default().FailNext(1)
		return liveAfter(t, func() error { _, err := bpfbitmap.New(8); return err })
	}},
	"bpfbitmap.Allocator.New|bpfbitmap.ErrInvalid": {err: func(t *testing.T) error {
		var a bpfbitmap.Allocator // not made by NewAllocator
		_, err := a.New(8)
		return err
	}},
	"bpfbitmap.Allocator.New|bpfbitmap.ErrTooBig": {err: func(t *testing.T) error {
		_, err := bpfbitmap.NewAllocator().New(bpfbitmap.MaxBits + 1)
		return err
	}},
	"bpfbitmap.Allocator.New|bpfbitmap.ErrNoMem": {err: failing(func(a *bpfbitmap.Allocator) error {
		_, err := a.New(8)
		return err
	})},
	"bpfbitmap.Allocator.NewCap|bpfbitmap.ErrInvalid": {err: func(t *testing.T) error {
		_, err := bpfbitmap.NewAllocator().NewCap(-1, 64)
		return err
	}},
	"bpfbitmap.Allocator.NewCap|bpfbitmap.ErrTooBig": {err: func(t *testing.T) error {
		_, err := bpfbitmap.NewAllocator().NewCap(8, bpfbitmap.MaxBits+1)
		return err
	}},
	"bpfbitmap.Allocator.NewCap|bpfbitmap.ErrNoMem": {err: failing(func(a *bpfbitmap.Allocator) error {
		_, err := a.NewCap(8, 64)
		return err
	})},
	"bpfbitmap.FromBitset|bpfbitmap.ErrInvalid": {err: func(t *testing.T) error {
		return liveAfter(t, func() error { _, err := bpfbitmap.FromBitset(nil); return err })
	}},
	"bpfbitmap.FromBitset|bpfbitmap.ErrTooBig": {err: func(t *testing.T) error {
		return liveAfter(t, func() error { _, err := bpfbitmap.FromBitset(bitset.New(bpfbitmap.MaxBits + 1)); return err })
	}},
	"bpfbitmap.FromBitset|bpfbitmap.ErrNoMem": {err: func(t *testing.T) error {
		bpfbitmap.Default().FailNext(1)
		return liveAfter(t, func() error { _, err := bpfbitmap.FromBitset(bitset.New(8)); return err })
	}},
	"bpfbitmap.Allocator.FromBitset|bpfbitmap.ErrInvalid": {err: func(t *testing.T) error {
		_, err := bpfbitmap.NewAllocator().FromBitset(nil)
		return err
	}},
	"bpfbitmap.Allocator.FromBitset|bpfbitmap.ErrTooBig": {err: func(t *testing.T) error {
		_, err := bpfbitmap.NewAllocator().FromBitset(bitset.New(bpfbitmap.MaxBits + 1))
		return err
	}},
	"bpfbitmap.Allocator.FromBitset|bpfbitmap.ErrNoMem": {err: failing(func(a *bpfbitmap.Allocator) error {
		_, err := a.FromBitset(bitset.New(8))
		return err
	})},
	"bpfbitmap.ClassUnit|bpfbitmap.ErrInvalid": {err: func(t *testing.T) error { _, _, err := bpfbitmap.ClassUnit(-1); return err }},
	"bpfbitmap.ClassUnit|bpfbitmap.ErrTooBig": {err: func(t *testing.T) error {
		_, _, err := bpfbitmap.ClassUnit(bpfbitmap.MaxBits + 1)
		return err
	}},
	"bpfbitmap.ClassIndex|bpfbitmap.ErrInvalid": {err: func(t *testing.T) error { _, err := bpfbitmap.ClassIndex(-1); return err }},
	"bpfbitmap.ClassIndex|bpfbitmap.ErrTooBig": {err: func(t *testing.T) error {
		_, err := bpfbitmap.ClassIndex(bpfbitmap.MaxBits + 1)
		return err
	}},
	"bpfbitmap.Allocator.RCUReadUnlock|bpfbitmap.ErrInvalid": {err: func(t *testing.T) error {
		a := bpfbitmap.NewAllocator()
		tok := a.RCUReadLock()
		err := a.RCUReadUnlock(bpfbitmap.NewAllocator().RCUReadLock())
		// The reader is still counted: its own unlock still works.
		assert.NoError(t, a.RCUReadUnlock(tok))
		return err
	}},

	// Text.
	"bpfbitmap.ParseList|bpfbitmap.ErrInvalid": {err: func(t *testing.T) error {
		return liveAfter(t, func() error { _, err := bpfbitmap.ParseList("0-3,x", 8); return err })
	}},
	"bpfbitmap.ParseList|bpfbitmap.ErrRange": {err: func(t *testing.T) error {
		return liveAfter(t, func() error { _, err := bpfbitmap.ParseList("0-8", 8); return err })
	}},
	"bpfbitmap.ParseList|bpfbitmap.ErrOverflow": {err: func(t *testing.T) error {
		return liveAfter(t, func() error { _, err := bpfbitmap.ParseList("4294967296", 8); return err })
	}},
	"bpfbitmap.ParseList|bpfbitmap.ErrTooBig": {err: func(t *testing.T) error {
		return liveAfter(t, func() error {
			_, err := bpfbitmap.ParseList(strings.Repeat("all:1/2,", 8), bpfbitmap.MaxBits)
			return err
		})
	}},
	"bpfbitmap.ParseList|bpfbitmap.ErrNoMem": {err: func(t *testing.T) error {
		bpfbitmap.Default().FailNext(1)
		return liveAfter(t, func() error { _, err := bpfbitmap.ParseList("0", 8); return err })
	}},
	"bpfbitmap.Allocator.ParseList|bpfbitmap.ErrInvalid": {err: func(t *testing.T) error {
		_, err := bpfbitmap.NewAllocator().ParseList("0", -1)
		return err
	}},
	"bpfbitmap.Allocator.ParseList|bpfbitmap.ErrRange": {err: func(t *testing.T) error {
		_, err := bpfbitmap.NewAllocator().ParseList("8", 8)
		return err
	}},
	"bpfbitmap.Allocator.ParseList|bpfbitmap.ErrOverflow": {err: func(t *testing.T) error {
		_, err := bpfbitmap.NewAllocator().ParseList("99999999999", 8)
		return err
	}},
	"bpfbitmap.Allocator.ParseList|bpfbitmap.ErrTooBig": {err: func(t *testing.T) error {
		_, err := bpfbitmap.NewAllocator().ParseList("0", bpfbitmap.MaxBits+1)
		return err
	}},
	"bpfbitmap.Allocator.ParseList|bpfbitmap.ErrNoMem": {err: failing(func(a *bpfbitmap.Allocator) error {
		_, err := a.ParseList("0", 8)
		return err
	})},
	"bpfbitmap.ParseHex|bpfbitmap.ErrInvalid": {err: func(t *testing.T) error {
		return liveAfter(t, func() error { _, err := bpfbitmap.ParseHex("0x1g", 64); return err })
	}},
	"bpfbitmap.ParseHex|bpfbitmap.ErrOverflow": {err: func(t *testing.T) error {
		return liveAfter(t, func() error { _, err := bpfbitmap.ParseHex("1ff", 8); return err })
	}},
	"bpfbitmap.ParseHex|bpfbitmap.ErrTooBig": {err: func(t *testing.T) error {
		return liveAfter(t, func() error { _, err := bpfbitmap.ParseHex("1", bpfbitmap.MaxBits+1); return err })
	}},
	"bpfbitmap.ParseHex|bpfbitmap.ErrNoMem": {err: func(t *testing.T) error {
		bpfbitmap.Default().FailNext(1)
		return liveAfter(t, func() error { _, err := bpfbitmap.ParseHex("1", 8); return err })
	}},
	"bpfbitmap.Allocator.ParseHex|bpfbitmap.ErrInvalid": {err: func(t *testing.T) error {
		_, err := bpfbitmap.NewAllocator().ParseHex("g", 8)
		return err
	}},
	"bpfbitmap.Allocator.ParseHex|bpfbitmap.ErrOverflow": {err: func(t *testing.T) error {
		_, err := bpfbitmap.NewAllocator().ParseHex("123456789", 64)
		return err
	}},
	"bpfbitmap.Allocator.ParseHex|bpfbitmap.ErrTooBig": {err: func(t *testing.T) error {
		_, err := bpfbitmap.NewAllocator().ParseHex("1", bpfbitmap.MaxBits+1)
		return err
	}},
	"bpfbitmap.Allocator.ParseHex|bpfbitmap.ErrNoMem": {err: failing(func(a *bpfbitmap.Allocator) error {
		_, err := a.ParseHex("1", 8)
		return err
	})},
	"bpfbitmap.ListBits|bpfbitmap.ErrInvalid":  {err: func(t *testing.T) error { _, err := bpfbitmap.ListBits("x"); return err }},
	"bpfbitmap.ListBits|bpfbitmap.ErrOverflow": {err: func(t *testing.T) error { _, err := bpfbitmap.ListBits("4294967296"); return err }},
	"bpfbitmap.ListBits|bpfbitmap.ErrRange":    {err: func(t *testing.T) error { _, err := bpfbitmap.ListBits("16777216"); return err }},
	"bpfbitmap.HexBits|bpfbitmap.ErrInvalid":   {err: func(t *testing.T) error { _, err := bpfbitmap.HexBits("xyz"); return err }},
	"bpfbitmap.HexBits|bpfbitmap.ErrOverflow":  {err: func(t *testing.T) error { _, err := bpfbitmap.HexBits("123456789"); return err }},
	"bpfbitmap.HexBits|bpfbitmap.ErrNoMem": {err: func(t *testing.T) error {
		bpfbitmap.Default().FailNext(1)
		return liveAfter(t, func() error { _, err := bpfbitmap.HexBits("1"); return err })
	}},
	"bpfbitmap.Bitmap.UnmarshalText|bpfbitmap.ErrInvalid": {err: func(t *testing.T) error {
		b := bm(t, 8, 3)
		return sameBits(t, b, func() error { return b.UnmarshalText([]byte("1-x")) })
	}},
	"bpfbitmap.Bitmap.UnmarshalText|bpfbitmap.ErrRange": {err: func(t *testing.T) error {
		b := bm(t, 8, 3)
		return sameBits(t, b, func() error { return b.UnmarshalText([]byte("0,8")) })
	}},
	"bpfbitmap.Bitmap.UnmarshalText|bpfbitmap.ErrOverflow": {err: func(t *testing.T) error {
		b := bm(t, 8, 3)
		return sameBits(t, b, func() error { return b.UnmarshalText([]byte("0,4294967296")) })
	}},
	"bpfbitmap.Bitmap.UnmarshalText|bpfbitmap.ErrTooBig": {err: func(t *testing.T) error {
		b := bm(t, bpfbitmap.MaxBits, 3)
		return sameBits(t, b, func() error { return b.UnmarshalText([]byte(strings.Repeat("all:1/2,", 8))) })
	}},
	"bpfbitmap.Bitmap.MarshalText|—": {err: func(t *testing.T) error {
		var b *bpfbitmap.Bitmap
		_, err := b.MarshalText()
		return err
	}},
	"bpfbitmap.ParseError.Unwrap|—": {err: func(t *testing.T) error {
		_, err := bpfbitmap.ParseList("x", 8)
		var pe *bpfbitmap.ParseError
		require.True(t, errors.As(err, &pe))
		assert.Same(t, bpfbitmap.ErrInvalid, pe.Unwrap(), "Unwrap returns the sentinel")
		return nil
	}},

	// Bulk operations.
	"bpfbitmap.Bitmap.And|bpfbitmap.ErrSizeMismatch":        {err: bulk("And")},
	"bpfbitmap.Bitmap.AndWeight|bpfbitmap.ErrSizeMismatch":  {err: bulk("AndWeight")},
	"bpfbitmap.Bitmap.AndNot|bpfbitmap.ErrSizeMismatch":     {err: bulk("AndNot")},
	"bpfbitmap.Bitmap.Or|bpfbitmap.ErrSizeMismatch":         {err: bulk("Or")},
	"bpfbitmap.Bitmap.Xor|bpfbitmap.ErrSizeMismatch":        {err: bulk("Xor")},
	"bpfbitmap.Bitmap.Complement|bpfbitmap.ErrSizeMismatch": {err: bulk("Complement")},
	"bpfbitmap.Bitmap.Copy|bpfbitmap.ErrSizeMismatch":       {err: bulk("Copy")},

	// cast.
	"cast.NewTopology|cast.ErrTopology": {err: func(t *testing.T) error { _, err := cast.NewTopology(4, 2); return err }},
	"cast.NewKernel|cast.ErrTopology":   {err: func(t *testing.T) error { _, err := cast.NewKernel(cast.Topology{}); return err }},
	"cast.NewKernel|bpfbitmap.ErrNoMem": {untestable: "needs bpfbitmap.MaxAllocators allocators made first"},
	"cast.Kernel.NewBitmap|bpfbitmap.ErrInvalid": {err: func(t *testing.T) error {
		_, err := kernel4().NewBitmap(-1)
		return err
	}},
	"cast.Kernel.NewBitmap|bpfbitmap.ErrTooBig": {err: func(t *testing.T) error {
		_, err := kernel4().NewBitmap(bpfbitmap.MaxBits + 1)
		return err
	}},
	"cast.Kernel.NewBitmap|bpfbitmap.ErrNoMem": {err: func(t *testing.T) error {
		k := kernel4()
		k.Allocator().FailNext(1)
		_, err := k.NewBitmap(4)
		assert.Equal(t, 2, k.Allocator().Stats().Live)
		return err
	}},
	"cast.Kernel.NewTask|bpfbitmap.ErrRange": {err: func(t *testing.T) error {
		k := kernel4()
		_, err := k.NewTask(1, 4)
		assert.Equal(t, 2, k.Allocator().Stats().Live)
		return err
	}},
	"cast.Kernel.NewTask|bpfbitmap.ErrNoMem": {err: func(t *testing.T) error {
		k := kernel4()
		k.Allocator().FailNext(1)
		_, err := k.NewTask(1)
		return err
	}},
	"cast.To|cast.ErrForeignBitmap": {err: func(t *testing.T) error { _, err := cast.To(bm(t, 4)); return err }},
	"cast.To|cast.ErrSizeMismatch": {err: func(t *testing.T) error {
		k := kernel4()
		b, err := k.NewBitmap(5)
		require.NoError(t, err)
		defer b.Release()
		_, err = cast.To(b)
		return err
	}},
	"cast.To|cast.ErrShortBacking": {err: func(t *testing.T) error {
		k := cast.MustKernel(cast.MustTopology(2, 256))
		b, err := k.Allocator().New(2)
		require.NoError(t, err)
		defer b.Release()
		_, err = cast.To(b)
		return err
	}},
	"cast.CastError.Unwrap|—": {err: func(t *testing.T) error {
		e := &cast.CastError{NumBits: 5, NrCPUIDs: 4}
		assert.Same(t, cast.ErrSizeMismatch, e.Unwrap())
		return nil
	}},
	"cast.OwnedCpumask.Populate|cast.ErrForeignBitmap": {err: func(t *testing.T) error {
		var m *cast.OwnedCpumask
		return m.Populate(make([]byte, 8))
	}},
	"cast.OwnedCpumask.Populate|cast.ErrAccess": {err: func(t *testing.T) error {
		k := cast.MustKernel(cast.MustTopology(65, 8192))
		b, err := k.NewBitmap(65)
		require.NoError(t, err)
		defer b.Release()
		b.Set(3)
		return sameBits(t, b, func() error { return cast.MustBitmapCastToCpumask(b).Populate(make([]byte, 15)) })
	}},
	"cast.OwnedCpumask.Populate|cast.ErrUnaligned": {err: func(t *testing.T) error {
		k := cast.MustKernel(cast.MustTopology(4, 128))
		k.SetEfficientUnalignedAccess(false)
		b, err := k.NewBitmap(4)
		require.NoError(t, err)
		defer b.Release()
		b.Set(3)
		buf := make([]byte, 17)
		heapBytes = buf // on the heap, 8-byte aligned: buf[1:] is not
		return sameBits(t, b, func() error { return cast.MustBitmapCastToCpumask(b).Populate(buf[1:]) })
	}},
	"cast.Host|fs.ErrNotExist": {untestable: "this machine has sysfs; HostAt and HostFrom cover the same path"},
	"cast.HostAt|fs.ErrNotExist": {err: func(t *testing.T) error {
		_, err := cast.HostAt(filepath.Join(t.TempDir(), "none"))
		return err
	}},
	"cast.HostFrom|fs.ErrNotExist": {err: func(t *testing.T) error { _, err := cast.HostFrom(sysfs("", "")); return err }},
	"cast.HostFrom|cast.ErrSysfs":  {err: func(t *testing.T) error { _, err := cast.HostFrom(sysfs("x", "0-3")); return err }},
	"cast.HostFrom|bpfbitmap.ErrRange": {err: func(t *testing.T) error {
		_, err := cast.HostFrom(sysfs("3", "0-5"))
		return err
	}},
	"cast.HostFrom|bpfbitmap.ErrInvalid": {err: func(t *testing.T) error {
		_, err := cast.HostFrom(sysfs("3", "0-x"))
		return err
	}},
	"cast.ReadCPUList|fs.ErrNotExist": {err: func(t *testing.T) error {
		_, err := cast.ReadCPUList(sysfs("3", ""), cast.Possible, 4)
		return err
	}},
	"cast.ReadCPUList|bpfbitmap.ErrRange": {err: func(t *testing.T) error {
		return liveAfter(t, func() error { _, err := cast.ReadCPUList(sysfs("7", "0-7"), cast.Possible, 4); return err })
	}},
	"cast.ReadCPUList|bpfbitmap.ErrInvalid": {err: func(t *testing.T) error {
		_, err := cast.ReadCPUList(sysfs("7", "0-y"), cast.Possible, 4)
		return err
	}},
	"cast.ReadHostCPUs|fs.ErrNotExist": {err: func(t *testing.T) error {
		return liveAfter(t, func() error { _, err := cast.ReadHostCPUs(sysfs("7", "0-3")); return err })
	}},
	"cast.ReadHostCPUs|cast.ErrSysfs": {err: func(t *testing.T) error {
		_, err := cast.ReadHostCPUs(sysfs("", "0-3"))
		if err != nil && errors.Is(err, fs.ErrNotExist) {
			_, err = cast.ReadHostCPUs(sysfs("-1", "0-3"))
		}
		return err
	}},
	"cast.Affinity|syscall.EINVAL": {err: func(t *testing.T) error {
		// The buffer is whole words: it is short only for nr_cpu_ids > 64.
		if h, err := cast.Host(); err != nil || h.NrCPUIDs() <= 64 {
			t.Skip("needs a machine with nr_cpu_ids above 64")
		}
		return liveAfter(t, func() error { _, err := cast.Affinity(0, 1); return err })
	}},
	"cast.Affinity|syscall.ESRCH": {err: func(t *testing.T) error {
		return liveAfter(t, func() error { _, err := cast.Affinity(1<<30, 8192); return err })
	}},
	"cast.Affinity|bpfbitmap.ErrRange": {err: func(t *testing.T) error {
		// The kernel fills whole words: with nbits 1, CPU 1 has no bit.
		if mask, err := cast.Affinity(0, 8192); err != nil || mask.FindNextBit(1) >= mask.Len() {
			mask.Release()
			t.Skip("needs a thread allowed on CPU 1")
		} else {
			mask.Release()
		}
		return liveAfter(t, func() error { _, err := cast.Affinity(0, 1); return err })
	}},
	"cast.Affinity|bpfbitmap.ErrTooBig": {err: func(t *testing.T) error {
		_, err := cast.Affinity(0, bpfbitmap.MaxBits+1)
		return err
	}},
	"cast.SetAffinity|syscall.EINVAL": {err: func(t *testing.T) error {
		return cast.SetAffinity(0, bm(t, 8192)) // no CPU at all
	}},
	"cast.SetAffinity|syscall.ESRCH": {err: func(t *testing.T) error {
		return cast.SetAffinity(1<<30, bm(t, 8192, 0))
	}},
	"cast.SetAffinity|syscall.EPERM": {untestable: "needs a thread of another user; cast's TestSetAffinityEPERM re-runs its test binary as nobody for it"},

	// kfuncs and arena.
	"kfuncs.Kfunc.Signature|kfuncs.ErrProto": {err: func(t *testing.T) error {
		_, err := kfuncs.Kfunc{Kernel: "bpf_x", Proto: "int bpf_x"}.Signature()
		return err
	}},
	"kfuncs.NewArgs|kfuncs.ErrArgs": {err: func(t *testing.T) error {
		_, err := kfuncs.NewArgs(nil, kfuncs.DesignMerged, nil)
		return err
	}},
	"arena.NewLayout|arena.ErrTopology": {err: func(t *testing.T) error {
		_, err := arena.NewLayout(cast.Topology{})
		return err
	}},
	"arena.NewAllocator|arena.ErrTopology": {err: func(t *testing.T) error {
		_, err := arena.NewAllocator(cast.Topology{})
		return err
	}},
}

var heapBytes []byte

type row struct{ fn, err, errno string }

// readCatalogue returns the rows of the catalogue's tables: | `fn` |
// `error` | errno | input | unchanged |.
func readCatalogue(t *testing.T) []row {
	data, err := os.ReadFile(catalogue)
	require.NoError(t, err)
	var rows []row
	for _, line := range strings.Split(string(data), "\n") {
		if !strings.HasPrefix(line, "| `") {
			continue
		}
		cols := strings.Split(strings.Trim(line, "|"), "|")
		require.Len(t, cols, 5, "catalogue row %q", line)
		for i := range cols {
			cols[i] = strings.Trim(strings.TrimSpace(cols[i]), "`")
		}
		rows = append(rows, row{fn: cols[0], err: cols[1], errno: cols[2]})
	}
	require.NotEmpty(t, rows)
	return rows
}

func TestErrorCatalogue(t *testing.T) {
	rows := readCatalogue(t)
	seen := map[string]bool{}
	for _, r := range rows {
		key := r.fn + "|" + r.err
		require.False(t, seen[key], "row %s twice", key)
		seen[key] = true
		c, ok := cases[key]
		if !assert.True(t, ok, "catalogue row %s has no case in this test", key) {
			continue
		}
		t.Run(strings.ReplaceAll(key, "|", "/"), func(t *testing.T) {
			if c.untestable != "" {
				t.Skip(c.untestable)
			}
			err := c.err(t)
			if r.err == "—" {
				assert.NoError(t, err)
				return
			}
			want, ok := sentinels[r.err]
			require.True(t, ok, "unknown error %s", r.err)
			require.ErrorIs(t, err, want)
			if r.errno != "—" {
				errno, ok := errnos[r.errno]
				require.True(t, ok, "unknown errno %s", r.errno)
				assert.ErrorIs(t, err, errno)
			}
		})
	}
	for key := range cases {
		assert.True(t, seen[key], "case %s has no row in %s", key, catalogue)
	}
}

// TestErrorCatalogueCoversExports lists the exported functions with an
// error result and requires a row for each.
func TestErrorCatalogueCoversExports(t *testing.T) {
	covered := map[string]bool{}
	for _, r := range readCatalogue(t) {
		covered[r.fn] = true
	}
	for _, dir := range catalogued {
		fset := token.NewFileSet()
		pkgs, err := parser.ParseDir(fset, filepath.Join("..", dir), func(fi fs.FileInfo) bool {
			return !strings.HasSuffix(fi.Name(), "_test.go")
		}, 0)
		require.NoError(t, err)
		for _, p := range pkgs {
			for _, f := range p.Files {
				for _, d := range f.Decls {
					fd, ok := d.(*ast.FuncDecl)
					if !ok || !fd.Name.IsExported() || !returnsError(fd) {
						continue
					}
					name := p.Name + "." + fd.Name.Name
					if fd.Recv != nil {
						typ := fd.Recv.List[0].Type
						if s, ok := typ.(*ast.StarExpr); ok {
							typ = s.X
						}
						name = p.Name + "." + typ.(*ast.Ident).Name + "." + fd.Name.Name
					}
					assert.True(t, covered[name], "%s returns an error and has no row in %s", name, catalogue)
				}
			}
		}
	}
}

func returnsError(fd *ast.FuncDecl) bool {
	if fd.Type.Results == nil {
		return false
	}
	for _, r := range fd.Type.Results.List {
		if id, ok := r.Type.(*ast.Ident); ok && id.Name == "error" {
			return true
		}
	}
	return false
}
