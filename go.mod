module github.com/bpfbitmap/prototype

go 1.26.0

require (
	github.com/bits-and-blooms/bitset v1.29.0
	github.com/cilium/ebpf v0.22.0
	github.com/stretchr/testify v1.12.1
	golang.org/x/sys v0.50.0
)

require go.yaml.in/yaml/v3 v3.0.5 // indirect
