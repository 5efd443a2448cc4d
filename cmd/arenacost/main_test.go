package main

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bpfbitmap/prototype/bench"
	"github.com/bpfbitmap/prototype/kfuncs/oracle"
)

// TestRun loads and runs every measurement program on the live kernel with
// a short loop (the numbers are not looked at) and checks the JSON has a
// row for each planned body.
func TestRun(t *testing.T) {
	o, err := oracle.Open()
	if errors.Is(err, oracle.ErrUnavailable) {
		t.Skip(err.Error())
	}
	require.NoError(t, err)
	nr := o.Topology().NrCPUIDs
	require.NoError(t, o.Close())

	var stdout, stderr bytes.Buffer
	require.Equal(t, exitOK, run([]string{"-o", "-", "-n", "10", "-runs", "1"}, &stdout, &stderr), stderr.String())
	var k bench.KernelCost
	require.NoError(t, json.Unmarshal(stdout.Bytes(), &k))
	assert.Len(t, k.Rows, len(plan(nr)))
	for _, w := range wordsFor(nr) {
		for _, op := range []string{"and", "or", "empty", "weight", "first"} {
			_, ok := k.Find(op, bench.Arena, w)
			assert.True(t, ok, "%s on %d words", op, w)
		}
	}
	assert.Equal(t, 10, k.Iterations)
	assert.Contains(t, k.Memory, "a BPF arena (BPF_MAP_TYPE_ARENA) for the bit operations")
}

func TestUsage(t *testing.T) {
	var stdout, stderr bytes.Buffer
	assert.Equal(t, exitUsage, run([]string{"-n", "0"}, &stdout, &stderr))
	assert.Equal(t, exitUsage, run([]string{"extra"}, &stdout, &stderr))
	assert.Equal(t, exitUsage, run([]string{"-bogus"}, &stdout, &stderr))
}

// TestArenaLoad: a program reads and writes the arena through the pointer
// addr_space_cast makes of the user address, so the arena measurements
// touch the arena.
func TestArenaLoad(t *testing.T) {
	o, err := oracle.Open()
	if errors.Is(err, oracle.ErrUnavailable) {
		t.Skip(err.Error())
	}
	require.NoError(t, err)
	defer o.Close()
	a, err := newArena()
	require.NoError(t, err)
	defer a.Close()
	binary.LittleEndian.PutUint64(a.mem[offB:], 0x1234567)

	b := &builder{o: o}
	cast := b.arenaPrologue(a)
	b.emit(
		asm.LoadMem(asm.R0, asm.R6, offB, asm.DWord),
		asm.StoreMem(asm.R6, offD, asm.R0, asm.DWord),
		asm.Return(),
	)
	p, err := loadRaw("arena_load", b.insns, []int{cast})
	require.NoError(t, err)
	defer p.Close()
	ctx := make([]byte, 8)
	binary.LittleEndian.PutUint64(ctx, a.addr)
	ret, err := p.Run(&ebpf.RunOptions{Context: ctx})
	require.NoError(t, err)
	assert.Equal(t, uint32(0x1234567), ret)
	assert.Equal(t, uint64(0x1234567), binary.LittleEndian.Uint64(a.mem[offD:]), "the store reached the arena")

	_, err = loadRaw("arena_nocast", b.insns, nil)
	assert.ErrorContains(t, err, "invalid mem access 'scalar'", "without the cast the pointer is a number")
}

// TestPopulateRefusesArena: bpf_cpumask_populate takes no arena memory as
// its source, which is why scx_bitmap_to_bpf (and the conversion measured
// here) copies the words to other memory first.
func TestPopulateRefusesArena(t *testing.T) {
	o, err := oracle.Open()
	if errors.Is(err, oracle.ErrUnavailable) {
		t.Skip(err.Error())
	}
	require.NoError(t, err)
	defer o.Close()
	a, err := newArena()
	require.NoError(t, err)
	defer a.Close()
	b := &builder{o: o}
	cast := b.arenaPrologue(a)
	b.call("bpf_cpumask_create")
	b.emit(asm.JNE.Imm(asm.R0, 0, "ok"), asm.Return())
	b.emit(asm.Mov.Reg(asm.R7, asm.R0).WithSymbol("ok"), asm.Mov.Reg(asm.R1, asm.R7), asm.Mov.Reg(asm.R2, asm.R6), asm.Mov.Imm(asm.R3, 8))
	b.call("bpf_cpumask_populate")
	b.emit(asm.Mov.Reg(asm.R1, asm.R7))
	b.call("bpf_cpumask_release")
	b.emit(asm.Mov.Imm(asm.R0, 0), asm.Return())
	require.NoError(t, b.err)
	_, err = loadRaw("populate_arena", b.insns, []int{cast})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "R2 type=arena expected=fp")
	assert.Contains(t, err.Error(), "arg#1 arg#2 memory, len pair leads to invalid memory access")
}
