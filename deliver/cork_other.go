//go:build !linux

package deliver

import "net"

// cork is a no-op where TCP_CORK does not exist: the last byte is sent at
// once, and the gap before the commit is the time to write it.
func cork(net.Conn, bool) {}

// abort closes a connection so that anything still queued is thrown away.
func abort(c net.Conn) {
	if tc, ok := c.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	c.Close()
}
