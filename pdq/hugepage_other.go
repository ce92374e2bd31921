//go:build !linux

package pdq

import "unsafe"

// adviseHugePages is a no-op outside Linux.
func adviseHugePages(p unsafe.Pointer, size uintptr) {}
