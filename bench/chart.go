package bench

import (
	"bytes"
	"errors"
	"fmt"
	"image/color"
	"math"
	"slices"
	"strconv"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// Colours of the designs in every chart.
var (
	fixedColor   = color.RGBA{R: 0xd6, G: 0x27, B: 0x28, A: 0xff} // red
	genericColor = color.RGBA{R: 0x1f, G: 0x77, B: 0xb4, A: 0xff} // blue
	arenaColor   = color.RGBA{R: 0x2c, G: 0xa0, B: 0x2c, A: 0xff} // green
)

// ErrNoData reports a chart asked for with nothing to draw.
var ErrNoData = errors.New("bench: no data for chart")

// MemoryChart draws the size class of one cpumask against nr_cpu_ids for
// both designs on NR_CPUS = nrCPUs, from rows (other NR_CPUS are skipped),
// both axes logarithmic, and returns it as SVG. Where BitmapCreate pads the
// generic bitmap for the cast, the unpadded size is drawn dashed too. The
// output depends only on rows.
func MemoryChart(rows []MemoryRow, nrCPUs int) (svg []byte, err error) {
	defer recoverErr(&err)
	var fixed, generic, exact, arenaXY plotter.XYs
	var ticks []plot.Tick
	padded := false
	maxY := 0
	for _, r := range rows {
		if r.NrCPUs != nrCPUs {
			continue
		}
		x := float64(r.NrCPUIDs)
		fixed = append(fixed, plotter.XY{X: x, Y: float64(r.Fixed.ClassBytes)})
		generic = append(generic, plotter.XY{X: x, Y: float64(r.Generic.ClassBytes)})
		exact = append(exact, plotter.XY{X: x, Y: float64(r.GenericExact.ClassBytes)})
		arenaXY = append(arenaXY, plotter.XY{X: x, Y: r.Arena.PerMaskBytes})
		padded = padded || r.PaddingBytes() != 0
		ticks = append(ticks, plot.Tick{Value: x, Label: strconv.Itoa(r.NrCPUIDs)})
		maxY = max(maxY, r.Fixed.ClassBytes, r.Generic.ClassBytes)
	}
	if len(fixed) == 0 {
		return nil, fmt.Errorf("%w: no topology with NR_CPUS=%d", ErrNoData, nrCPUs)
	}
	p := plot.New()
	p.Title.Text = fmt.Sprintf("Memory per cpumask, NR_CPUS=%d", nrCPUs)
	p.X.Label.Text = "nr_cpu_ids"
	p.Y.Label.Text = "bytes per mask (size class; arena: amortized)"
	p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
	p.X.Tick.Marker = plot.ConstantTicks(ticks)
	var yt []plot.Tick
	for y := 8; y <= max(maxY*2, 64); y *= 2 {
		yt = append(yt, plot.Tick{Value: float64(y), Label: strconv.Itoa(y)})
	}
	p.Y.Tick.Marker = plot.ConstantTicks(yt)
	p.Y.Min, p.Y.Max = 8, yt[len(yt)-1].Value
	p.Add(plotter.NewGrid())
	// Bottom right stays empty: both lines start at small nr_cpu_ids and
	// above 16 bytes, and rise only at the right.
	p.Legend.Top, p.Legend.Left = false, false
	p.Legend.XOffs, p.Legend.YOffs = -vg.Points(6), vg.Points(6)
	// The fixed line is drawn wider and first, so that where both designs
	// cost the same it shows around the generic one.
	if err := addLine(p, "fixed: bpf_cpumask (NR_CPUS bits)", fixed, fixedColor, vg.Points(4), nil); err != nil {
		return nil, err
	}
	if err := addLine(p, "generic: bpf_bitmap_create(nr_cpu_ids)", generic, genericColor, vg.Points(1.5), nil); err != nil {
		return nil, err
	}
	if err := addLine(p, "arena: scx_bitmap (sched_ext)", arenaXY, arenaColor, vg.Points(1.5), []vg.Length{vg.Points(1), vg.Points(2)}); err != nil {
		return nil, err
	}
	if padded {
		if err := addLine(p, "generic without the cast's padding", exact, genericColor, vg.Points(1.5), []vg.Length{vg.Points(4), vg.Points(3)}); err != nil {
			return nil, err
		}
	}
	return render(p, 6*vg.Inch, 4*vg.Inch)
}

func addLine(p *plot.Plot, name string, xys plotter.XYs, c color.Color, width vg.Length, dashes []vg.Length) error {
	l, s, err := plotter.NewLinePoints(xys)
	if err != nil {
		return fmt.Errorf("bench: chart line: %w", err)
	}
	l.Color, s.Color = c, c
	l.Width = width
	l.Dashes = dashes
	if dashes != nil {
		s.Shape = draw.BoxGlyph{}
	}
	p.Add(l, s)
	p.Legend.Add(name, l, s)
	return nil
}

// TimeChart draws ns per call of every Fn for both designs on the topology
// with nr_cpu_ids n and NR_CPUS nrCPUs, as horizontal bars side by side, and
// returns it as SVG.
func TimeChart(ps []Pair, n, nrCPUs int) (svg []byte, err error) {
	defer recoverErr(&err)
	var names []string
	var fixed, generic plotter.Values
	for _, p := range ps {
		if p.NrCPUIDs != n || p.NrCPUs != nrCPUs {
			continue
		}
		names = append(names, p.Fn)
		fixed = append(fixed, finite(p.Fixed.NsPerOp))
		generic = append(generic, finite(p.Generic.NsPerOp))
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("%w: no timings for nr_cpu_ids=%d NR_CPUS=%d", ErrNoData, n, nrCPUs)
	}
	// Top to bottom in Fns order: the nominal axis runs upwards.
	slices.Reverse(names)
	slices.Reverse(fixed)
	slices.Reverse(generic)
	p := plot.New()
	p.Title.Text = fmt.Sprintf("ns per call, nr_cpu_ids=%d NR_CPUS=%d", n, nrCPUs)
	p.X.Label.Text = "ns/call (median)"
	p.X.Min = 0
	p.NominalY(names...)
	p.Add(plotter.NewGrid())
	w := vg.Points(6)
	for i, d := range []struct {
		name string
		v    plotter.Values
		c    color.Color
	}{{"fixed", fixed, fixedColor}, {"generic", generic, genericColor}} {
		bars, err := plotter.NewBarChart(d.v, w)
		if err != nil {
			return nil, fmt.Errorf("bench: chart bars: %w", err)
		}
		bars.Horizontal = true
		bars.Color = d.c
		bars.LineStyle.Width = 0
		bars.Offset = w * vg.Length(i*2-1) / 2
		p.Add(bars)
		p.Legend.Add(d.name, bars)
	}
	p.Legend.Top = true
	p.Legend.XOffs = -vg.Points(12)
	return render(p, 7*vg.Inch, vg.Length(len(names))*vg.Points(17)+vg.Inch)
}

func finite(x float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return 0
	}
	return x
}

// render writes p as SVG without embedded fonts (smaller, and the same bytes
// for the same data).
func render(p *plot.Plot, w, h vg.Length) ([]byte, error) {
	c := vgsvg.NewWith(vgsvg.UseWH(w, h), vgsvg.EmbedFonts(false))
	// A left margin for viewers whose fallback font is wider than the
	// Liberation fonts the layout was measured with.
	p.Draw(draw.Crop(draw.New(c), vg.Points(24), 0, 0, 0))
	var buf bytes.Buffer
	if _, err := c.WriteTo(&buf); err != nil {
		return nil, fmt.Errorf("bench: svg: %w", err)
	}
	return buf.Bytes(), nil
}

// recoverErr turns a panic of the plotting library into an error, so that
// the exported chart functions never panic.
func recoverErr(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("bench: chart: %v", r)
	}
}
