// Package ignore reads the directives that silence one rule on one line,
//
//	//bpfbitmapvet:ignore RULE[,RULE...] REASON
//
// and reports a rule's findings through them. A directive that follows code
// covers its own line; one alone on its line covers the next line. It
// silences only the rules it names, and only with a reason. Each rule's
// analyzer reports the directives naming it that silenced nothing, so a
// stale one cannot stay; the ignoredirective analyzer reports the malformed
// ones (no rule, an unknown rule, no reason), which silence nothing.
package ignore

import (
	"bytes"
	"fmt"
	"go/token"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"
)

// Prefix starts a directive, written as go:build is: no space after //.
const Prefix = "//bpfbitmapvet:ignore"

// Rules are the rules a directive may name: the rule analyzers' names.
var Rules = []string{"unreleased", "possiblynil", "useafterrelease", "bitmapcopy"}

// A Directive is one //bpfbitmapvet:ignore comment.
type Directive struct {
	Pos    token.Pos // the comment
	File   string
	Line   int // the line it covers
	Rules  []string
	Reason string
	// Err says why the directive is malformed; a malformed directive
	// silences nothing.
	Err string
}

// Parse returns the directives in pass's files.
func Parse(pass *analysis.Pass) []Directive {
	var out []Directive
	for _, f := range pass.Files {
		for _, cg := range f.Comments {
			for _, c := range cg.List {
				if !strings.HasPrefix(c.Text, Prefix) {
					continue
				}
				rest := c.Text[len(Prefix):]
				if rest != "" && rest[0] != ' ' && rest[0] != '\t' {
					continue // //bpfbitmapvet:ignoreX is another word
				}
				out = append(out, parse(pass, c.Pos(), rest))
			}
		}
	}
	return out
}

func parse(pass *analysis.Pass, pos token.Pos, text string) Directive {
	posn := pass.Fset.Position(pos)
	d := Directive{Pos: pos, File: posn.Filename, Line: posn.Line}
	if alone(pass, pos) {
		d.Line++
	}
	fields := strings.Fields(text)
	if len(fields) == 0 {
		d.Err = fmt.Sprintf("%s directive names no rule (want %s RULE REASON)", Prefix[2:], Prefix)
		return d
	}
	for r := range strings.SplitSeq(fields[0], ",") {
		if !slices.Contains(Rules, r) {
			d.Err = fmt.Sprintf("%s directive names unknown rule %q (rules: %s)", Prefix[2:], r, strings.Join(Rules, ", "))
			return d
		}
		d.Rules = append(d.Rules, r)
	}
	d.Reason = strings.Join(fields[1:], " ")
	if d.Reason == "" {
		d.Err = fmt.Sprintf("%s directive for %s gives no reason (want %s RULE REASON)", Prefix[2:], fields[0], Prefix)
	}
	return d
}

// alone reports whether only blanks precede the comment at pos on its line.
func alone(pass *analysis.Pass, pos token.Pos) bool {
	tf := pass.Fset.File(pos)
	if tf == nil {
		return false
	}
	src, err := pass.ReadFile(tf.Name())
	if err != nil {
		return false
	}
	off := tf.Offset(pos)
	start := tf.Offset(tf.LineStart(tf.Line(pos)))
	return off <= len(src) && len(bytes.TrimSpace(src[start:off])) == 0
}

// Report reports the findings of rule that no well-formed directive naming
// rule covers, and each such directive that covered none.
func Report(pass *analysis.Pass, rule string, diags []analysis.Diagnostic) {
	var ds []Directive
	for _, d := range Parse(pass) {
		if d.Err == "" && slices.Contains(d.Rules, rule) {
			ds = append(ds, d)
		}
	}
	used := make([]bool, len(ds))
	for _, diag := range diags {
		posn := pass.Fset.Position(diag.Pos)
		silenced := false
		for i, d := range ds {
			if d.File == posn.Filename && d.Line == posn.Line {
				used[i], silenced = true, true
			}
		}
		if !silenced {
			pass.Report(diag)
		}
	}
	for i, d := range ds {
		if !used[i] {
			pass.Report(analysis.Diagnostic{Pos: d.Pos, Category: rule,
				Message: fmt.Sprintf("unused %s directive: no %s finding on line %d", Prefix[2:], rule, d.Line)})
		}
	}
}
