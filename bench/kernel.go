package bench

import (
	_ "embed"
	"encoding/json"
	"fmt"
)

// KernelCost is what command arenacost measured on a live kernel: the
// arena road's bit operations as BPF code against the bpf_cpumask kfuncs
// doing the same work, and what turning a mask into a cpumask costs in each
// design. The report reads the committed copy (KernelCosts); rerun
// `go run ./cmd/arenacost` as root on a kernel with BTF to regenerate it.
type KernelCost struct {
	Kernel   string `json:"kernel"`
	CPU      string `json:"cpu"`
	NrCPUs   int    `json:"nr_cpus"`
	NrCPUIDs int    `json:"nr_cpu_ids"`
	// Memory says where the arena road's masks lived for the measurement.
	Memory string `json:"memory"`
	Method string `json:"method"`
	// Iterations is the -n the measurement ran with: body runs per program
	// run, divided by the mask's words for the arena road's loops.
	Iterations int             `json:"iterations"`
	Runs       int             `json:"runs"`
	LoopNs     float64         `json:"loop_ns"`
	Rows       []KernelCostRow `json:"rows"`
}

// KernelCostRow is one measured body.
type KernelCostRow struct {
	// Op is what the body does: "and", "or", "empty", "weight", "first",
	// or "convert" (a mask to a const struct cpumask *).
	Op string `json:"op"`
	// Design is Fixed, Generic or Arena; for the cpumask kfuncs, which both
	// kfunc designs share, Fixed.
	Design Design `json:"design"`
	// Name says what ran (a kfunc, or the scx function and its BPF form).
	Name string `json:"name"`
	// Words is the arena mask's length in u64 words, 0 for kfunc bodies,
	// which run on the kernel's own cpumask widths.
	Words int `json:"words,omitempty"`
	// SrcBytes is bpf_cpumask_populate's src__sz, where the body calls it.
	SrcBytes int `json:"src_bytes,omitempty"`
	// Iterations is how many times one program run ran the body.
	Iterations int     `json:"iterations"`
	NsPerOp    float64 `json:"ns_per_op"`
}

//go:embed kernel_cost.json
var kernelCostJSON []byte

// KernelCosts returns the committed kernel measurement.
func KernelCosts() (KernelCost, error) {
	var k KernelCost
	if err := json.Unmarshal(kernelCostJSON, &k); err != nil {
		return KernelCost{}, fmt.Errorf("bench: kernel_cost.json: %w", err)
	}
	return k, nil
}

// Find returns the row of op, design and words, and whether there is one.
func (k KernelCost) Find(op string, d Design, words int) (KernelCostRow, bool) {
	for _, r := range k.Rows {
		if r.Op == op && r.Design == d && r.Words == words {
			return r, true
		}
	}
	return KernelCostRow{}, false
}
