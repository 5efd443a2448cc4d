// Command bpfbitmap shows what the bpf_bitmap proposal and the merged
// bpf_cpumask would cost on this machine, and converts between the kernel's
// two CPU mask text forms.
//
// Usage:
//
//	bpfbitmap <command> [flags] [arguments]
//
// The commands are:
//
//	cpus     this host's CPU lists, affinity, and each design's cpumask allocation
//	convert  convert CPU lists (0-3,8) to hex masks (10f) and back
//	report   measure the designs, print the answers, write the design report
//
// Run 'bpfbitmap <command> -h' for a command's flags. The exit status is 0 on
// success, 1 when the command failed (bad input, a sysfs or syscall error) and
// 2 on a usage error.
package main

import "os"

func main() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) }
