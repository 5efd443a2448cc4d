// Package ignoredirective defines an Analyzer that reports malformed //bpfbitmapvet:ignore directives.
//
// # Analyzer ignoredirective
//
// ignoredirective: report malformed //bpfbitmapvet:ignore directives
//
// A directive
//
//	//bpfbitmapvet:ignore RULE[,RULE...] REASON
//
// silences the named rules (unreleased, possiblynil, useafterrelease,
// bitmapcopy) on its line, or on the next line when it stands alone. One that
// names no rule or an unknown one, or gives no reason, silences nothing and
// is reported here. A well-formed directive that silences nothing is
// reported by the analyzer of the rule it names.
package ignoredirective

import (
	"golang.org/x/tools/go/analysis"

	"github.com/bpfbitmap/prototype/analysis/internal/ignore"
)

// Analyzer reports malformed //bpfbitmapvet:ignore directives.
var Analyzer = &analysis.Analyzer{
	Name: "ignoredirective",
	Doc:  "report malformed //bpfbitmapvet:ignore directives",
	Run:  run,
}

func run(pass *analysis.Pass) (any, error) {
	for _, d := range ignore.Parse(pass) {
		if d.Err != "" {
			pass.Report(analysis.Diagnostic{Pos: d.Pos, Message: d.Err})
		}
	}
	return nil, nil
}
