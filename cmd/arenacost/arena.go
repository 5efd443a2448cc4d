package main

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"runtime"
	"unsafe"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/asm"
	"golang.org/x/sys/unix"
)

// A BPF arena (BPF_MAP_TYPE_ARENA, 6.9) for the arena road's masks, mapped
// into this process: the programs reach it through the user address,
// converted with addr_space_cast, as clang compiles an __arena pointer.
type arenaMem struct {
	m    *ebpf.Map
	mem  []byte
	addr uint64
}

const (
	arenaPages     = 4
	bpfFMmapable   = 1 << 10 // BPF_F_MMAPABLE
	bpfProgLoad    = 5       // BPF_PROG_LOAD
	progTypeSysc   = 31      // BPF_PROG_TYPE_SYSCALL
	bpfFSleepable  = 1 << 4  // BPF_F_SLEEPABLE
	addrSpaceCast  = 1       // BPF_ADDR_SPACE_CAST, in the off field of a BPF_MOV
	castAS1ToAS0   = 1       // imm: from address space 1 (user) to 0: PTR_TO_ARENA
	progLoadAttrSz = 128
)

func newArena() (*arenaMem, error) {
	m, err := ebpf.NewMap(&ebpf.MapSpec{Name: "arenacost_arena", Type: ebpf.Arena, MaxEntries: arenaPages, Flags: bpfFMmapable})
	if err != nil {
		return nil, err
	}
	mem, err := unix.Mmap(m.FD(), 0, arenaPages*unix.Getpagesize(), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		m.Close()
		return nil, fmt.Errorf("mmap arena: %w", err)
	}
	return &arenaMem{m: m, mem: mem, addr: uint64(uintptr(unsafe.Pointer(&mem[0])))}, nil
}

func (a *arenaMem) Close() error {
	err := unix.Munmap(a.mem)
	if cerr := a.m.Close(); err == nil {
		err = cerr
	}
	return err
}

// arenaPrologue points R6 at the arena's first byte: the user address
// comes in the context, addr_space_cast makes it an arena pointer. It
// returns the index of the cast, which loadRaw encodes.
func (b *builder) arenaPrologue(a *arenaMem) int {
	b.emit(
		asm.LoadMapPtr(asm.R2, a.m.FD()), // ties the arena to the program
		asm.LoadMem(asm.R6, asm.R1, 0, asm.DWord),
	)
	b.emit(asm.Mov.Reg(asm.R6, asm.R6))
	return len(b.insns) - 1
}

// loadRaw loads insns as a sleepable SYSCALL program through the bpf
// syscall, with the instructions at casts encoded as addr_space_cast:
// cilium/ebpf's assembler clears the offset of every ALU move, so the
// marshalled bytes are patched.
func loadRaw(name string, insns asm.Instructions, casts []int) (*ebpf.Program, error) {
	var buf bytes.Buffer
	if err := insns.Marshal(&buf, binary.LittleEndian); err != nil {
		return nil, err
	}
	code := buf.Bytes()
	raw := make([]int, len(insns)) // byte offset of each instruction
	off := 0
	for i, ins := range insns {
		raw[i] = off
		off += int(ins.Size())
	}
	for _, i := range casts {
		binary.LittleEndian.PutUint16(code[raw[i]+2:], addrSpaceCast)
		binary.LittleEndian.PutUint32(code[raw[i]+4:], castAS1ToAS0)
	}
	license := []byte("GPL\x00")
	logBuf := make([]byte, 1<<16)
	var attr [progLoadAttrSz]byte
	le := binary.LittleEndian
	le.PutUint32(attr[0:], progTypeSysc)
	le.PutUint32(attr[4:], uint32(len(code)/8))
	le.PutUint64(attr[8:], uint64(uintptr(unsafe.Pointer(&code[0]))))
	le.PutUint64(attr[16:], uint64(uintptr(unsafe.Pointer(&license[0]))))
	le.PutUint32(attr[24:], 1)
	le.PutUint32(attr[28:], uint32(len(logBuf)))
	le.PutUint64(attr[32:], uint64(uintptr(unsafe.Pointer(&logBuf[0]))))
	le.PutUint32(attr[44:], bpfFSleepable)
	copy(attr[48:64], name)
	fd, _, errno := unix.Syscall(unix.SYS_BPF, bpfProgLoad, uintptr(unsafe.Pointer(&attr[0])), progLoadAttrSz)
	runtimeKeepAlive(code, license, logBuf)
	if errno != 0 {
		return nil, fmt.Errorf("load %s: %w: %s", name, errno, bytes.TrimRight(logBuf, "\x00"))
	}
	return ebpf.NewProgramFromFD(int(fd))
}

// runtimeKeepAlive keeps the buffers the kernel read alive until the
// syscall returned.
func runtimeKeepAlive(bufs ...[]byte) {
	for _, b := range bufs {
		runtime.KeepAlive(b)
	}
}
