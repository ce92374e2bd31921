package web

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/contest-ct/contest"
)

// FuzzReadUploadForm: an upload from outside (the body of a multipart
// form, with any boundary, field and file) never panics, never returns more
// than the limit, and every refusal is a field error.
func FuzzReadUploadForm(f *testing.F) {
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, _ := mw.CreateFormFile("file", "shot.png")
	fw.Write([]byte("\x89PNG\r\n\x1a\nrest"))
	mw.WriteField("note", "x")
	mw.Close()
	f.Add(b.Bytes(), mw.Boundary(), 64)
	f.Add([]byte("--x\r\nContent-Disposition: form-data; name=\"file\"; filename=\"\"\r\n\r\n\r\n--x--\r\n"), "x", 10)
	f.Add([]byte("garbage"), "b", 1)
	f.Fuzz(func(t *testing.T, body []byte, boundary string, limit int) {
		if limit < 0 || limit > 1<<20 {
			return
		}
		r := httptest.NewRequest("POST", "/content/1/captures", bytes.NewReader(body))
		r.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
		r.Body = http.MaxBytesReader(httptest.NewRecorder(), r.Body, 1<<16)
		_, _, data, err := readUploadForm(r, "file", int64(limit))
		if err != nil {
			if contest.ErrorCode(err) != contest.EINVALID {
				t.Fatalf("error %v is not EINVALID", err)
			}
			return
		}
		if len(data) > limit {
			t.Fatalf("%d bytes read past the limit %d", len(data), limit)
		}
	})
}
