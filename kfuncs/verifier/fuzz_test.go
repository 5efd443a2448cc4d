package verifier_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"

	"github.com/cilium/ebpf/asm"

	"github.com/bpfbitmap/prototype/kfuncs/progs"
	"github.com/bpfbitmap/prototype/kfuncs/verifier"
)

// FuzzVerify feeds raw instruction bytes (with the generated programs as
// seeds) to Verify: it must return a verdict or an error wrapping
// ErrUnsupported or ErrInvalid, and never panic.
func FuzzVerify(f *testing.F) {
	for _, c := range ruleCases {
		var b bytes.Buffer
		if err := withCpusPtr(c.insns, 800).Marshal(&b, binary.LittleEndian); err == nil {
			f.Add(b.Bytes())
		}
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		insns, err := asm.AppendInstructions(nil, bytes.NewReader(raw), binary.LittleEndian, "linux")
		if err != nil || len(insns) == 0 || len(insns) > 4096 {
			return
		}
		_, err = verifier.Verify(insns, verifier.Config{Target: progs.DefaultTarget, Log: true})
		var ve *verifier.Error
		if err != nil && !errors.As(err, &ve) && !errors.Is(err, verifier.ErrUnsupported) && !errors.Is(err, verifier.ErrInvalid) {
			t.Fatalf("unclassified error: %v", err)
		}
	})
}
