package xmlrpc

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/encoding/unicode"
)

// A charsetFunc returns input, whose bytes are in the encoding named label,
// as UTF-8: what encoding/xml calls a CharsetReader. The lexer calls it
// with the rest of the document when the XML declaration names an encoding
// other than UTF-8.
type charsetFunc func(label string, input io.Reader) (io.Reader, error)

// utf8Document returns r as the lexer reads it, and the charset function
// for the encoding its XML declaration names. Clients declare what they
// send: Perl's RPC::XML us-ascii, PHP's clients ISO-8859-1, windows-1252 or
// UTF-16. A document with a UTF-16 byte order mark, or with a NUL among its
// first two bytes (which no document in an encoding that extends ASCII has:
// NUL is no XML character), is UTF-16 and transcoded here, whole; a UTF-8
// byte order mark is dropped. Any other document is read as it is up to its
// declaration, which is ASCII in every such encoding, and the rest is
// transcoded as the declaration says (declaredCharset).
//
// It reads the first three bytes only; a read error among them comes back
// from the returned reader.
func utf8Document(r io.Reader) (io.Reader, charsetFunc) {
	var head [3]byte
	n, err := io.ReadFull(r, head[:])
	switch {
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		r = eofReader{}
	case err != nil:
		r = failedReader{err}
	}
	b := head[:n]
	if bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}) {
		return r, declaredCharset
	}
	order, bom, ok := utf16Order(b)
	if !ok {
		return io.MultiReader(bytes.NewReader(b), r), declaredCharset
	}
	// The byte order mark is dropped here: IgnoreBOM keeps the decoder
	// from taking a U+FEFF of the text for one.
	doc := io.MultiReader(bytes.NewReader(b[bom:]), r)
	return unicode.UTF16(order, unicode.IgnoreBOM).NewDecoder().Reader(doc), utf16Charset
}

// utf16Order tells from the first bytes of a document whether it is
// UTF-16, in which byte order, and how long its byte order mark is.
func utf16Order(b []byte) (order unicode.Endianness, bom int, ok bool) {
	switch {
	case len(b) < 2:
		return order, 0, false
	case b[0] == 0xFE && b[1] == 0xFF:
		return unicode.BigEndian, 2, true
	case b[0] == 0xFF && b[1] == 0xFE:
		return unicode.LittleEndian, 2, true
	case b[0] == 0 && b[1] != 0:
		return unicode.BigEndian, 0, true
	case b[0] != 0 && b[1] == 0:
		return unicode.LittleEndian, 0, true
	}
	return order, 0, false
}

// eofReader is a reader at its end, where the first bytes of a document
// already were.
type eofReader struct{}

func (eofReader) Read([]byte) (int, error) { return 0, io.EOF }

// failedReader returns the read error met among the first bytes of a
// document, for the lexer to report as its own.
type failedReader struct{ err error }

func (f failedReader) Read([]byte) (int, error) { return 0, f.err }

// errUTF16Undeclared: a document read as ASCII that declares UTF-16
// cannot be UTF-16.
var errUTF16Undeclared = errors.New("a UTF-16 document starts with a byte order mark or a NUL byte")

// declaredCharset transcodes the rest of a document that is not UTF-16 from
// the encoding its declaration names: a name from the IANA registry or from
// the WHATWG Encoding Standard (what browsers accept: cp1252, latin1), in
// any case, with - and _ taken as the same or left out ("latin-1",
// "iso8859_1"). US-ASCII is read as UTF-8, as supervisord reads every
// request: a client that declares it and sends UTF-8 means UTF-8.
func declaredCharset(label string, input io.Reader) (io.Reader, error) {
	enc, name, err := lookupEncoding(label)
	if err != nil {
		return nil, err
	}
	switch {
	case name == "US-ASCII" || name == "UTF-8":
		return input, nil
	case strings.HasPrefix(name, "UTF-16"):
		return nil, errUTF16Undeclared
	}
	return enc.NewDecoder().Reader(input), nil
}

// utf16Charset is the charset function of a document transcoded from
// UTF-16, which may declare UTF-16 and nothing else.
func utf16Charset(label string, input io.Reader) (io.Reader, error) {
	if _, name, err := lookupEncoding(label); err != nil || !strings.HasPrefix(name, "UTF-16") {
		return nil, fmt.Errorf("a UTF-16 document declares %q", label)
	}
	return input, nil
}

// lookupEncoding finds the encoding label names and its IANA name.
func lookupEncoding(label string) (encoding.Encoding, string, error) {
	for _, l := range []string{label, strings.ReplaceAll(label, "_", "-"), strings.NewReplacer("_", "", "-", "").Replace(label)} {
		enc, err := ianaindex.IANA.Encoding(l)
		if enc == nil || err != nil {
			if enc, err = htmlindex.Get(l); err != nil {
				continue
			}
		}
		if name, err := ianaindex.IANA.Name(enc); err == nil {
			return enc, name, nil
		}
	}
	return nil, "", fmt.Errorf("unknown encoding %q", label)
}
