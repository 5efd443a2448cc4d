module github.com/bpfbitmap/prototype

go 1.26.0

require github.com/bits-and-blooms/bitset v1.29.0
