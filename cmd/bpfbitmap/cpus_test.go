package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/bpfbitmap/prototype/cast"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCPUsGolden runs cpus on the fake sysfs directories in
// testdata/sysfs and compares text and JSON with testdata/cpus/*.golden.
func TestCPUsGolden(t *testing.T) {
	for _, shape := range []string{"one", "holes", "distro", "maxsmp"} {
		t.Run(shape, func(t *testing.T) {
			dir := filepath.Join("testdata", "sysfs", shape)
			r := runCLI(t, "", "cpus", "--sysfs", dir)
			require.Equal(t, exitOK, r.code, "stderr: %s", r.stderr)
			require.Empty(t, r.stderr)
			golden(t, filepath.Join("cpus", shape+".golden"), r.stdout)

			r = runCLI(t, "", "cpus", "--json", "--sysfs="+dir)
			require.Equal(t, exitOK, r.code, "stderr: %s", r.stderr)
			golden(t, filepath.Join("cpus", shape+".json.golden"), r.stdout)
			var got cpusJSON
			require.NoError(t, json.Unmarshal([]byte(r.stdout), &got))
			assert.Nil(t, got.Affinity, "--sysfs leaves the affinity out")
		})
	}
}

func TestCPUsJSON(t *testing.T) {
	r := runCLI(t, "", "cpus", "--sysfs", "testdata/sysfs/holes", "--json")
	require.Equal(t, exitOK, r.code, "stderr: %s", r.stderr)
	var got cpusJSON
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &got))
	assert.Equal(t, 512, got.NrCPUs)
	assert.Equal(t, 16, got.NrCPUIDs)
	assert.Equal(t, &MaskJSON{List: "0-3,8-11", Mask: "0f0f", Weight: 8, Bits: 16}, got.Online)
	assert.Equal(t, &MaskJSON{List: "2-3", Mask: "000c", Weight: 2, Bits: 16}, got.Isolated)
	assert.Equal(t, "4-7,12-15", got.Offline.List)
	assert.Equal(t, 512, got.Offline.Bits)
	require.Len(t, got.Allocations, 3)
	// NR_CPUS=512: bpf_cpumask is 8*8+8 = 72 bytes, 80 with the header:
	// kmalloc-96 (reference §1.1, §5.2).
	assert.Equal(t, allocation{
		Design: "bpf_cpumask", Sizing: "NR_CPUS", Bits: 512, ObjectBytes: 72, UnitBytes: 80,
		Allocator: "kmalloc", ClassBytes: 96, KernelClass: true, NeededBytes: 24, ExcessBytes: 72,
	}, got.Allocations[0])
}

func TestCPUsErrors(t *testing.T) {
	for _, tt := range []cliCase{
		{name: "missing isolated", args: []string{"cpus", "--sysfs", "testdata/sysfs/missing"}, code: exitFail,
			stderr: `^bpfbitmap cpus: sysfs isolated: open isolated: .*(no such file|not exist)`},
		{name: "missing dir", args: []string{"cpus", "--sysfs", "testdata/sysfs/nonexistent"}, code: exitFail,
			stderr: `^bpfbitmap cpus: sysfs kernel_max: open kernel_max: `},
		{name: "bad online", args: []string{"cpus", "--json", "--sysfs", "testdata/sysfs/bad"}, code: exitFail,
			stderr: `^bpfbitmap cpus: sysfs online: bitmap_parselist: at byte 4 "x": .*invalid argument\n$`},
	} {
		t.Run(tt.name, tt.check)
	}
}

// TestCPUsHost runs cpus on this machine, where sysfs exists.
func TestCPUsHost(t *testing.T) {
	topo, err := cast.Host()
	if err != nil {
		r := runCLI(t, "", "cpus")
		assert.Equal(t, exitFail, r.code)
		assert.Contains(t, r.stderr, "bpfbitmap cpus: ")
		return
	}
	r := runCLI(t, "", "cpus", "--json")
	require.Equal(t, exitOK, r.code, "stderr: %s", r.stderr)
	var got cpusJSON
	require.NoError(t, json.Unmarshal([]byte(r.stdout), &got))
	assert.Equal(t, topo.NrCPUIDs(), got.NrCPUIDs)
	assert.Equal(t, topo.NrCPUs(), got.NrCPUs)
	require.NotNil(t, got.Affinity, "the affinity of this process")
	assert.Equal(t, topo.NrCPUIDs(), got.Affinity.Bits)
	assert.NotZero(t, got.Affinity.Weight)

	r = runCLI(t, "", "cpus")
	require.Equal(t, exitOK, r.code, "stderr: %s", r.stderr)
	assert.Regexp(t, `(?m)^Affinity list: +\S`, r.stdout)
	assert.Regexp(t, `(?m)^bpf_cpumask +NR_CPUS +\d+`, r.stdout)
	if _, err := os.Stat(cast.SysfsCPUDir); err != nil {
		t.Fatalf("Host succeeded without %s", cast.SysfsCPUDir)
	}
}
