package words

import "encoding/binary"

// CopyFromBytes copies the first Len(nbits) words of dst from src, read as
// little-endian u64s, whole words and tails included: the memcpy that
// bitmap_copy(dst, src, nbits) is for a run-time nbits, as
// bpf_cpumask_populate does it on a little-endian host. src must hold at
// least 8*Len(nbits) bytes; words of dst past Len(nbits) are left alone.
func CopyFromBytes(dst []uint64, src []byte, nbits int) {
	n := Len(nbits)
	dst, src = dst[:n], src[:8*n]
	for i := range dst {
		dst[i] = binary.LittleEndian.Uint64(src[8*i:])
	}
}
