package db

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/contest-ct/contest"
	"github.com/contest-ct/contest/access"
)

// allowedTypes are the content types an attachment may have, as sniffed
// from its bytes by net/http.DetectContentType (never from its name or the
// type the sender claimed): photographs, video, PDF documents and plain
// text. Anything else (HTML, scripts, archives, office documents that are
// zip files, executables) is refused.
var allowedTypes = map[string]bool{
	"image/jpeg":                true,
	"image/png":                 true,
	"image/gif":                 true,
	"image/webp":                true,
	"image/bmp":                 true,
	"video/mp4":                 true,
	"video/webm":                true,
	"video/avi":                 true,
	"application/pdf":           true,
	"text/plain; charset=utf-8": true,
}

// SniffAttachment returns the content type of data, sniffed from its
// bytes, or an EINVALID error naming why the file is refused.
func SniffAttachment(data []byte) (string, error) {
	if len(data) == 0 {
		return "", contest.Errorf(contest.EINVALID, "The file is empty")
	}
	ct := http.DetectContentType(data)
	if !allowedTypes[ct] {
		return "", contest.Errorf(contest.EINVALID, "The file must be a photo (JPG, PNG, GIF, WebP), a video (MP4, WebM, AVI), a PDF or a plain text file")
	}
	return ct, nil
}

// safeFilename keeps the base name of what the sender called the file,
// without path or control characters, at most 200 bytes. It is shown to
// staff and used in Content-Disposition; it never decides the type.
func safeFilename(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, "\\", "/"))
	name = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == '"' || r == '/' || r == '\\' {
			return -1
		}
		return r
	}, name)
	if !utf8.ValidString(name) {
		name = strings.ToValidUTF8(name, "")
	}
	for len(name) > 200 {
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	if name == "" || name == "." || name == ".." {
		name = "attachment"
	}
	return name
}

// checkAttachments enforces the count and size limits, sniffs each file's
// type and records its SHA-256. The bytes are not changed.
func checkAttachments(atts []*contest.Attachment) error {
	var fe contest.FieldErrors
	if len(atts) > contest.MaxAttachments {
		fe.Add("attachments", "Attach "+strconv.Itoa(contest.MaxAttachments)+" files or fewer")
	}
	total := 0
	for _, at := range atts {
		total += len(at.Data)
		at.Filename = safeFilename(at.Filename)
		if len(at.Data) > contest.MaxAttachmentBytes {
			fe.Add("attachments", at.Filename+" must be smaller than "+strconv.Itoa(contest.MaxAttachmentBytes>>20)+" MB")
			continue
		}
		ct, err := SniffAttachment(at.Data)
		if err != nil {
			fe.Add("attachments", at.Filename+": "+contest.ErrorMessage(err))
			continue
		}
		sum := sha256.Sum256(at.Data)
		at.ContentType, at.Size, at.SHA256 = ct, int64(len(at.Data)), hex.EncodeToString(sum[:])
	}
	if total > contest.MaxAttachmentsTotal {
		fe.Add("attachments", "The files together must be smaller than "+strconv.Itoa(contest.MaxAttachmentsTotal>>20)+" MB")
	}
	return fe.Err()
}

// insertAttachments stores the report's attachments in its transaction.
func (tx *Tx) insertAttachments(ctx context.Context, r *contest.Report) error {
	for _, at := range r.Attachments {
		at.ReportID, at.CreatedAt = r.ID, tx.now
		if err := tx.QueryRowContext(ctx, `INSERT INTO report_attachments (report_id, filename, content_type, size, sha256, data, created_at)
			VALUES ($1,$2,$3,$4,$5,$6,$7) RETURNING id`, r.ID, at.Filename, at.ContentType, at.Size, at.SHA256, at.Data, micros(tx.now)).Scan(&at.ID); err != nil {
			return fmt.Errorf("insert attachment: %w", err)
		}
	}
	return nil
}

const attachmentCols = "id, report_id, filename, content_type, size, sha256, created_at"

// attachmentsOf lists a report's attachments, without their bytes.
func (d *DB) attachmentsOf(ctx context.Context, reportID int64) ([]*contest.Attachment, error) {
	rows, err := d.read.QueryContext(ctx, "SELECT "+attachmentCols+" FROM report_attachments WHERE report_id = $1 ORDER BY id", reportID)
	if err != nil {
		return nil, fmt.Errorf("attachments: %w", err)
	}
	defer rows.Close()
	var out []*contest.Attachment
	for rows.Next() {
		var at contest.Attachment
		var created int64
		if err := rows.Scan(&at.ID, &at.ReportID, &at.Filename, &at.ContentType, &at.Size, &at.SHA256, &created); err != nil {
			return nil, err
		}
		at.CreatedAt = fromMicros(created)
		out = append(out, &at)
	}
	return out, rows.Err()
}

// FindAttachment implements contest.ReportService: the attachment with its
// bytes, if the actor may see its report; audited as a read of the report.
func (d *DB) FindAttachment(ctx context.Context, a *contest.Actor, reportID, attachmentID int64) (*contest.Attachment, error) {
	_, m, err := scanReport(d.read.QueryRowContext(ctx, "SELECT "+reportCols+", "+prefixed("t", metaCols)+" FROM reports t WHERE t.id = $1", reportID))
	if err == nil {
		err = loadCompartments(ctx, d.read, contest.KindReport, map[int64]*contest.Meta{reportID: m})
	}
	if errors.Is(err, sql.ErrNoRows) || (err == nil && !access.Allowed(a, access.Read, contest.KindReport, m)) {
		return nil, d.denied(ctx, a, contest.AuditRead, contest.KindReport, itoa(reportID), "hidden or missing", contest.NotFound(contest.KindReport))
	} else if err != nil {
		return nil, err
	}
	var at contest.Attachment
	var created int64
	err = d.read.QueryRowContext(ctx, "SELECT "+attachmentCols+", data FROM report_attachments WHERE id = $1 AND report_id = $2", attachmentID, reportID).
		Scan(&at.ID, &at.ReportID, &at.Filename, &at.ContentType, &at.Size, &at.SHA256, &created, &at.Data)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, contest.NotFound(contest.KindReport)
	} else if err != nil {
		return nil, fmt.Errorf("attachment: %w", err)
	}
	at.CreatedAt = fromMicros(created)
	if err := d.audit(ctx, a, &contest.AuditEntry{Action: contest.AuditRead, Kind: contest.KindReport, RecordID: itoa(reportID),
		Detail: map[string]string{"attachment": itoa(attachmentID), "sha256": at.SHA256}}); err != nil {
		return nil, err
	}
	return &at, nil
}

// ContentDisposition is the header value for downloading an attachment:
// always "attachment", with the name escaped per RFC 6266.
func ContentDisposition(filename string) string {
	return mime.FormatMediaType("attachment", map[string]string{"filename": safeFilename(filename)})
}
