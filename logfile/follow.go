package logfile

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
)

// truncatedNotice is what tail_f_producer sends when the file shrank.
const truncatedNotice = "==> File truncated <==\n"

// followChunk bounds one read (and one flushed write) of Follow, so that a
// large backlog streams in pieces instead of being held in memory at once.
const followChunk = 64 << 10

// Follow streams the log at path to w the way Supervisor's tail_f_producer
// serves `supervisorctl tail -f`: first the last head bytes (the whole file
// if it is smaller), then whatever is appended, calling flush after each
// chunk. When path names a new file (rotation, clear, Reopen) Follow sends
// what remains of the old one and continues from the start of the new one;
// when the file shrinks in place it sends "==> File truncated <==\n" and
// starts again from its beginning.
//
// Between reads Follow blocks on the channel changed returns (File.Changed);
// a nil changed means nothing but ctx ends the wait. Follow returns nil when
// ctx is done, and an error when path cannot be opened (errors.Is
// fs.ErrNotExist for a missing file), head is negative, or a read or write
// fails. Follow is safe for concurrent use with writers of the file.
func Follow(ctx context.Context, w io.Writer, flush func(), path string, head int64, changed func() <-chan struct{}) error {
	if head < 0 {
		return fmt.Errorf("follow %s: negative head %d", path, head)
	}
	if flush == nil {
		flush = func() {}
	}
	t, err := openTailer(path)
	if err != nil {
		return err
	}
	defer t.close()
	size, err := t.size()
	if err != nil {
		return err
	}
	t.sent = max(size-head, 0)
	out := &chunkWriter{w: w, flush: flush, buf: make([]byte, followChunk)}
	for ctx.Err() == nil {
		var wake <-chan struct{}
		if changed != nil {
			wake = changed() // before looking, so no change slips between look and wait
		}
		progressed, err := t.pump(out)
		if err != nil {
			return err
		}
		if progressed {
			continue
		}
		select {
		case <-ctx.Done():
		case <-wake:
		}
	}
	return nil
}

// tailer is one follower's position in the file it has open.
type tailer struct {
	path string
	f    *os.File
	info os.FileInfo // identity of f, to notice that path names another file
	sent int64       // bytes of f already sent
}

func openTailer(path string) (*tailer, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("follow: %w", err)
	}
	info, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("follow: %w", err)
	}
	return &tailer{path: path, f: f, info: info}, nil
}

func (t *tailer) close() { _ = t.f.Close() }

func (t *tailer) size() (int64, error) {
	st, err := t.f.Stat()
	if err != nil {
		return 0, fmt.Errorf("follow %s: %w", t.path, err)
	}
	return st.Size(), nil
}

// pump sends everything there is to send now and reports whether it sent
// anything.
func (t *tailer) pump(out *chunkWriter) (bool, error) {
	progressed, err := t.switchIfReplaced(out)
	if err != nil {
		return false, err
	}
	size, err := t.size()
	if err != nil {
		return false, err
	}
	if size < t.sent {
		if err := out.send([]byte(truncatedNotice)); err != nil {
			return false, err
		}
		t.sent = 0
		progressed = true
	}
	if size > t.sent {
		if err := t.sendUpTo(out, size); err != nil {
			return false, err
		}
		progressed = true
	}
	return progressed, nil
}

// switchIfReplaced moves to the file path names now if that is not the open
// one, after sending the old file's remaining bytes (Supervisor drops them;
// they are the last lines written before the rotation). While path is
// missing, or cannot be opened, the old file is kept.
func (t *tailer) switchIfReplaced(out *chunkWriter) (bool, error) {
	st, err := os.Stat(t.path)
	if err != nil || os.SameFile(st, t.info) {
		return false, nil
	}
	next, err := openTailer(t.path)
	if err != nil {
		return false, nil
	}
	progressed := false
	if size, err := t.size(); err == nil && size > t.sent {
		if err := t.sendUpTo(out, size); err != nil {
			next.close()
			return false, err
		}
		progressed = true
	}
	t.close()
	*t = *next
	return progressed, nil
}

// sendUpTo sends the bytes [sent, size) of the open file, fewer if it was
// cut meanwhile.
func (t *tailer) sendUpTo(out *chunkWriter, size int64) error {
	for t.sent < size {
		buf := out.buf[:min(int64(len(out.buf)), size-t.sent)]
		n, err := t.f.ReadAt(buf, t.sent)
		if n > 0 {
			if err := out.send(buf[:n]); err != nil {
				return err
			}
			t.sent += int64(n)
		}
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("follow %s: %w", t.path, err)
		}
	}
	return nil
}

// chunkWriter writes and flushes one chunk at a time through a reused buffer.
type chunkWriter struct {
	w     io.Writer
	flush func()
	buf   []byte
}

func (c *chunkWriter) send(p []byte) error {
	if _, err := c.w.Write(p); err != nil {
		return fmt.Errorf("follow: %w", err)
	}
	c.flush()
	return nil
}
