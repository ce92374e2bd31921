package pdq

import (
	"syscall"
	"unsafe"
)

// adviseHugePages asks the kernel to back the 2 MiB-aligned part of a large,
// freshly allocated buffer with transparent huge pages (MADV_HUGEPAGE). Index
// queries touch the hash array and id lists at random; with 4 KiB pages
// nearly every such access is also a TLB miss and a page walk. It is a hint:
// errors are ignored.
func adviseHugePages(p unsafe.Pointer, size uintptr) {
	const huge = 2 << 20
	if size < 2*huge {
		return
	}
	start := (uintptr(p) + huge - 1) &^ (huge - 1)
	end := (uintptr(p) + size) &^ (huge - 1)
	if end <= start {
		return
	}
	b := unsafe.Slice((*byte)(unsafe.Add(p, start-uintptr(p))), end-start)
	_ = syscall.Madvise(b, syscall.MADV_HUGEPAGE)
}
