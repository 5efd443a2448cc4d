// Command arenacost measures, on the live kernel, the arena road's bit
// operations as BPF code against the bpf_cpumask kfuncs doing the same
// work, and what turning a mask into a const struct cpumask * costs in each
// design, and writes the result as JSON for the design report
// (bench/kernel_cost.json, embedded by package bench).
//
// Usage:
//
//	go run ./cmd/arenacost [-o bench/kernel_cost.json] [-n 100000] [-runs 15]
//
// It needs Linux with BTF and root (CAP_BPF and CAP_PERFMON).
//
// Method: a sleepable BPF_PROG_TYPE_SYSCALL program runs a body -n times in
// a bpf_iter_num loop; user space times BPF_PROG_RUN with the thread pinned
// to CPU 0, alternating with the same program without the body, and takes
// (fastest run - fastest baseline run) / n. The arena road's masks live in
// a BPF arena (BPF_MAP_TYPE_ARENA) mapped into this process; the programs
// get its user address in their context and make an arena pointer of it
// with addr_space_cast (BPF_MOV with off=1), as clang does for an __arena
// pointer. cilium/ebpf's assembler cannot encode that instruction (it
// clears the offset of every ALU move), so those programs are marshalled,
// patched and loaded with the bpf syscall directly (arena.go); without the
// cast the verifier refuses the access ("invalid mem access 'scalar'").
// The conversion reads its words from an array map value:
// bpf_cpumask_populate takes no arena memory, and scx copies through a
// per-CPU buffer too.
package main

import (
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"time"

	"github.com/cilium/ebpf"
	"golang.org/x/sys/unix"

	"github.com/bpfbitmap/prototype/bench"
	"github.com/bpfbitmap/prototype/internal/atomicfile"
	"github.com/bpfbitmap/prototype/kfuncs/oracle"
)

const exitOK, exitFail, exitUsage = 0, 1, 2

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("arenacost", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("o", "bench/kernel_cost.json", "write the JSON here (- for stdout)")
	n := fs.Int("n", 100_000, "body runs per program run (divided by the mask's words for the arena road's loops)")
	runs := fs.Int("runs", 15, "program runs per body (the fastest counts)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return exitOK
		}
		return exitUsage
	}
	if *n < 1 || *runs < 1 || fs.NArg() > 0 {
		fmt.Fprintln(stderr, "arenacost: -n and -runs must be at least 1; no arguments")
		return exitUsage
	}
	k, err := measure(*n, *runs, stderr)
	if err == nil {
		err = atomicfile.WriteJSON(*out, stdout, k)
	}
	if err != nil {
		fmt.Fprintf(stderr, "arenacost: %v\n", err)
		return exitFail
	}
	return exitOK
}

// words are the arena mask lengths measured: this kernel's nr_cpu_ids and
// 1024 and 8192 CPUs.
func wordsFor(nrCPUIDs int) []int {
	return []int{(nrCPUIDs + 63) / 64, 1024 / 64, 8192 / 64}
}

type measured struct {
	op     string
	design bench.Design
	o      op
	// inArena puts the masks in the BPF arena when there is one.
	inArena bool
}

func plan(nrCPUIDs int) []measured {
	var ms []measured
	for _, w := range wordsFor(nrCPUIDs) {
		ms = append(ms,
			measured{"and", bench.Arena, arenaAnd(w), true},
			measured{"or", bench.Arena, arenaOr(w), true},
			measured{"empty", bench.Arena, arenaEmpty(w), true},
			measured{"weight", bench.Arena, arenaWeight(w), true},
			measured{"first", bench.Arena, arenaFirst(w), true},
		)
		if w <= srcBytes/8 {
			ms = append(ms, measured{op: "convert", design: bench.Arena, o: arenaToCpumask(w)})
		}
	}
	for _, o := range kfuncOps() {
		ms = append(ms, measured{op: strings.TrimPrefix(o.Name, "bpf_cpumask_"), design: bench.Fixed, o: o})
	}
	ms = append(ms,
		measured{op: "cast-inline", design: bench.Generic, o: castInline(nrCPUIDs)},
		measured{op: "cast-kfunc", design: bench.Generic, o: castKfunc()},
	)
	for _, size := range []int32{8, 64, srcBytes} {
		ms = append(ms, measured{op: "populate", design: bench.Fixed, o: populate(size)})
	}
	return ms
}

func measure(n, runs int, progress io.Writer) (bench.KernelCost, error) {
	o, err := oracle.Open()
	if err != nil {
		return bench.KernelCost{}, err
	}
	defer o.Close()
	topo := o.Topology()
	m, err := ebpf.NewMap(&ebpf.MapSpec{Name: "arenacost", Type: ebpf.Array, KeySize: 4, ValueSize: valueSize, MaxEntries: 1})
	if err != nil {
		return bench.KernelCost{}, err
	}
	defer m.Close()

	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	var set unix.CPUSet
	set.Set(0)
	if err := unix.SchedSetaffinity(0, &set); err != nil {
		return bench.KernelCost{}, fmt.Errorf("pin to CPU 0: %w", err)
	}

	k := bench.KernelCost{
		Kernel: release(), CPU: cpuModel(), NrCPUs: topo.NrCPUs, NrCPUIDs: topo.NrCPUIDs,
		Memory: "a BPF arena (BPF_MAP_TYPE_ARENA) for the bit operations; an array map value for the conversion's words, " +
			"since bpf_cpumask_populate takes no arena memory and scx copies through a per-CPU buffer",
		Method: "sleepable SYSCALL program, body run -n times in a bpf_iter_num loop, BPF_PROG_RUN timed from user space on CPU 0, " +
			"(fastest run - fastest run without the body) / n",
		Iterations: n, Runs: runs,
	}
	a, err := newArena()
	if err != nil {
		fmt.Fprintf(progress, "arenacost: no BPF arena (%v); the arena road's masks go in a map value\n", err)
		k.Memory = fmt.Sprintf("an array map value (no BPF arena: %v)", err)
	} else {
		defer a.Close()
	}
	var loopNs float64
	for _, mm := range plan(topo.NrCPUIDs) {
		v := value(mm.o.Words, topo.NrCPUIDs)
		if err := m.Put(uint32(0), v); err != nil {
			return bench.KernelCost{}, err
		}
		var in *arenaMem
		if mm.inArena && a != nil {
			in = a
			copy(a.mem, v)
		}
		// Long bodies run fewer times, so that one program run stays near a
		// millisecond and a loaded machine rarely preempts all of them.
		iters := max(n/max(mm.o.Words, 1), 1)
		ns, base, err := timeOp(o, m, in, mm.o, iters, runs)
		if err != nil {
			return bench.KernelCost{}, fmt.Errorf("%s: %w", mm.o.Name, err)
		}
		loopNs = base
		name := mm.o.Name
		if in != nil {
			name += ", in a BPF arena"
		}
		fmt.Fprintf(progress, "arenacost: %-8s %-8s words=%-3d %8.2f ns  %s\n", mm.op, mm.design, mm.o.Words, ns, name)
		k.Rows = append(k.Rows, bench.KernelCostRow{Op: mm.op, Design: mm.design, Name: name, Words: mm.o.Words, SrcBytes: mm.o.SrcBytes, Iterations: iters, NsPerOp: ns})
	}
	k.LoopNs = loopNs
	return k, nil
}

// value returns the map value (and arena contents): masks a and b with
// alternating bit patterns, the populate source, zeroes for empty, the last
// bit of a words-long mask for first, and num_bits = nr_cpu_ids.
func value(words, nrCPUIDs int) []byte {
	v := make([]byte, valueSize)
	for i := range maxWords {
		binary.LittleEndian.PutUint64(v[offA+8*i:], 0x5555555555555555)
		binary.LittleEndian.PutUint64(v[offB+8*i:], 0x3333333333333333)
	}
	for i := range srcBytes / 8 {
		binary.LittleEndian.PutUint64(v[offSrc+8*i:], 0xaaaaaaaaaaaaaaaa)
	}
	if words > 0 {
		binary.LittleEndian.PutUint64(v[offLast+8*(words-1):], 1<<63)
	}
	binary.LittleEndian.PutUint32(v[offNumBits:], uint32(nrCPUIDs))
	return v
}

// timeOp returns ns per body and the baseline's ns per loop iteration.
func timeOp(o *oracle.Oracle, m *ebpf.Map, a *arenaMem, op op, n, runs int) (float64, float64, error) {
	ctx := make([]byte, 8)
	if a != nil {
		binary.LittleEndian.PutUint64(ctx, a.addr)
	}
	load := func(name string, body func(*builder)) (*ebpf.Program, error) {
		b := &builder{o: o, arena: a}
		var setup, teardown, bodyFn func()
		if op.Masks {
			setup, teardown = b.createMasks, b.releaseMasks
		}
		if body != nil {
			bodyFn = func() { body(b) }
		}
		insns := b.program(m, n, setup, bodyFn, teardown)
		if b.err != nil {
			return nil, b.err
		}
		if a != nil {
			return loadRaw(name, insns, b.casts)
		}
		return o.LoadProgram(name, insns)
	}
	p, err := load("arenacost", op.body)
	if err != nil {
		return 0, 0, err
	}
	defer p.Close()
	base, err := load("arenacost_base", nil)
	if err != nil {
		return 0, 0, err
	}
	defer base.Close()
	best := func(p *ebpf.Program) (time.Duration, error) {
		start := time.Now()
		ret, err := p.Run(&ebpf.RunOptions{Context: ctx})
		d := time.Since(start)
		if err == nil && ret != 0 {
			err = fmt.Errorf("program returned %d (bpf_cpumask_create gave NULL)", ret)
		}
		return d, err
	}
	var minOp, minBase time.Duration
	for i := range runs {
		b, err := best(base)
		if err != nil {
			return 0, 0, err
		}
		d, err := best(p)
		if err != nil {
			return 0, 0, err
		}
		if i == 0 || d < minOp {
			minOp = d
		}
		if i == 0 || b < minBase {
			minBase = b
		}
	}
	return float64(minOp-minBase) / float64(n), float64(minBase) / float64(n), nil
}

func release() string {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return "unknown"
	}
	return unix.ByteSliceToString(u.Release[:])
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown"
	}
	for _, line := range strings.Split(string(b), "\n") {
		if name, ok := strings.CutPrefix(line, "model name"); ok {
			return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(name), ":"))
		}
	}
	return "unknown"
}
