package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/bpfbitmap/prototype/bpfbitmap"
	"github.com/bpfbitmap/prototype/cast"
)

var cmdCPUs = &command{
	name:  "cpus",
	short: "this host's CPU lists, affinity, and each design's cpumask allocation",
	long: `
Cpus prints this machine's CPU topology in the style of lscpu: NR_CPUS (from
kernel_max), nr_cpu_ids (from the possible list), the possible, present and
online CPUs as a list (as taskset -c takes it) and a hex mask (as taskset
takes it), the off-line and isolated lists, and the affinity of this process.

It then shows what one cpumask costs here under each design: the merged
struct bpf_cpumask, sized by NR_CPUS; a struct bpf_bitmap of nr_cpu_ids bits;
and a bpf_bitmap whose backing also covers large_cpumask_bits, which a cast to
struct cpumask * needs. For each: the bits held, the object size, the
allocator unit (object + 8-byte header), the size class it rounds up to, and
the excess: class bytes minus the least any design needs for nr_cpu_ids bits.`,
	flags: func(c *command, fs *flag.FlagSet) runFunc {
		asJSON := fs.Bool("json", false, "print one JSON object instead of text")
		sysfs := fs.String("sysfs", cast.SysfsCPUDir, "read the CPU lists from `DIR`, a copy of the sysfs cpu directory; the affinity, which belongs to this machine, is then left out")
		return func(args []string, _ io.Reader, stdout, stderr io.Writer) int {
			if len(args) > 0 {
				return c.usageError(stderr, "unexpected argument %q", args[0])
			}
			return runCPUs(c, *sysfs, !isSet(fs, "sysfs"), *asJSON, stdout, stderr)
		}
	},
}

// MaskJSON is a CPU mask in both text forms, as the JSON output shows it.
type MaskJSON struct {
	List   string `json:"list"`   // %*pbl: "0-3,8"
	Mask   string `json:"mask"`   // %*pb: "10f"
	Weight int    `json:"weight"` // CPUs in the mask
	Bits   int    `json:"bits"`   // width of the mask
}

func newMaskJSON(b *bpfbitmap.Bitmap) *MaskJSON {
	return &MaskJSON{List: b.FormatList(), Mask: b.FormatHex(), Weight: b.Weight(), Bits: b.Len()}
}

// cpusJSON is the --json output of cpus.
type cpusJSON struct {
	NrCPUs           int          `json:"nr_cpus"`
	NrCPUIDs         int          `json:"nr_cpu_ids"`
	SmallCpumaskBits int          `json:"small_cpumask_bits"`
	LargeCpumaskBits int          `json:"large_cpumask_bits"`
	Possible         *MaskJSON    `json:"possible"`
	Present          *MaskJSON    `json:"present"`
	Online           *MaskJSON    `json:"online"`
	Offline          *MaskJSON    `json:"offline"`
	Isolated         *MaskJSON    `json:"isolated"`
	Affinity         *MaskJSON    `json:"affinity,omitempty"`
	Allocations      []allocation `json:"allocations"`
}

func runCPUs(c *command, dir string, affinity, asJSON bool, stdout, stderr io.Writer) int {
	h, err := cast.ReadHostCPUs(os.DirFS(dir))
	if err != nil {
		return c.fail(stderr, err)
	}
	defer h.Release()
	t := h.Topology
	out := cpusJSON{
		NrCPUs: t.NrCPUs(), NrCPUIDs: t.NrCPUIDs(),
		SmallCpumaskBits: t.SmallCpumaskBits(), LargeCpumaskBits: t.LargeCpumaskBits(),
		Possible: newMaskJSON(h.Possible), Present: newMaskJSON(h.Present), Online: newMaskJSON(h.Online),
		Offline: newMaskJSON(h.Offline), Isolated: newMaskJSON(h.Isolated),
	}
	if affinity {
		b, err := cast.Affinity(0, t.NrCPUIDs())
		if err != nil {
			return c.fail(stderr, err)
		}
		out.Affinity = newMaskJSON(b)
		b.Release()
	}
	if out.Allocations, err = allocations(t); err != nil {
		return c.fail(stderr, err)
	}
	if asJSON {
		err = writeJSON(stdout, out)
	} else {
		err = writeCPUs(stdout, &out)
	}
	if err != nil {
		return c.fail(stderr, err)
	}
	return exitOK
}

// writeCPUs prints c as lscpu does: "Field:" and the value in a column,
// then the allocation table.
func writeCPUs(w io.Writer, c *cpusJSON) error {
	var b strings.Builder
	field := func(name string, v any) {
		line := fmt.Sprintf("%-24s%v", name+":", v)
		b.WriteString(strings.TrimRight(line, " ") + "\n")
	}
	field("NR_CPUS", c.NrCPUs)
	field("nr_cpu_ids", c.NrCPUIDs)
	field("small_cpumask_bits", c.SmallCpumaskBits)
	field("large_cpumask_bits", c.LargeCpumaskBits)
	for _, m := range []struct {
		name string
		mask *MaskJSON
		hex  bool
	}{
		{"Possible CPU(s)", c.Possible, true},
		{"Present CPU(s)", c.Present, true},
		{"On-line CPU(s)", c.Online, true},
		{"Off-line CPU(s)", c.Offline, false}, // NR_CPUS bits wide: the list says it all
		{"Isolated CPU(s)", c.Isolated, false},
		{"Affinity", c.Affinity, true},
	} {
		if m.mask == nil {
			continue
		}
		field(m.name+" list", m.mask.List)
		if m.hex {
			field(m.name+" mask", m.mask.Mask)
		}
	}
	b.WriteString("\nCpumask allocation (bytes):\n")
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "DESIGN\tSIZED BY\tBITS\tOBJECT\tUNIT\tCLASS\tEXCESS")
	for _, a := range c.Allocations {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%d\t%d\t%s\t%d\n", a.Design, a.Sizing, a.Bits, a.ObjectBytes, a.UnitBytes, a.className(), a.ExcessBytes)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if len(c.Allocations) > 0 {
		fmt.Fprintf(&b, "(excess = class - %d bytes, the least that holds nr_cpu_ids bits with 8-byte allocator and object headers)\n", c.Allocations[0].NeededBytes)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
