//go:build !linux

package match

import "time"

// ThreadCPUTime returns the CPU time the calling OS thread has used, and
// whether the platform can tell; here it cannot.
func ThreadCPUTime() (time.Duration, bool) { return 0, false }

// ProcessCPUTime returns the CPU time the whole process has used, and
// whether the platform can tell; here it cannot.
func ProcessCPUTime() (time.Duration, bool) { return 0, false }
