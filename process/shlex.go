package process

import "errors"

// The errors Python's shlex raises, with its texts (they end up in
// "can't parse command ..." faults).
var (
	errNoClosingQuotation = errors.New("No closing quotation")
	errNoEscapedCharacter = errors.New("No escaped character")
)

// splitCommand splits a command line exactly as Python's shlex.split(s)
// does (POSIX mode, no comments), which is how Supervisor turns a program's
// command into argv: words split on space, tab, CR and LF; single quotes
// keep everything; double quotes keep everything but let a backslash escape
// '"' and '\'; outside quotes a backslash escapes any character; adjacent
// parts join into one word, and empty quotes make an empty word.
func splitCommand(s string) ([]string, error) {
	const (
		between = iota // between words
		inWord
		inSingle
		inDouble
		escaped // after a backslash; escapedFrom says where it was
	)
	var (
		words       []string
		word        []byte
		quoted      bool // the word had quotes, so it exists even if empty
		state       = between
		escapedFrom = inWord
	)
	emit := func() {
		if len(word) > 0 || quoted {
			words = append(words, string(word))
		}
		word, quoted = word[:0], false
	}
	for i := 0; i <= len(s); i++ {
		end := i == len(s)
		var c byte
		if !end {
			c = s[i]
		}
		switch state {
		case between, inWord:
			switch {
			case end:
				emit()
			case c == ' ' || c == '\t' || c == '\r' || c == '\n':
				emit()
				state = between
			case c == '\'':
				state = inSingle
			case c == '"':
				state = inDouble
			case c == '\\':
				state, escapedFrom = escaped, inWord
			default:
				word = append(word, c)
				state = inWord
			}
		case inSingle, inDouble:
			quoted = true
			switch {
			case end:
				return nil, errNoClosingQuotation
			case (state == inSingle && c == '\'') || (state == inDouble && c == '"'):
				state = inWord
			case state == inDouble && c == '\\':
				state, escapedFrom = escaped, inDouble
			default:
				word = append(word, c)
			}
		case escaped:
			if end {
				return nil, errNoEscapedCharacter
			}
			// Within double quotes only '"' and '\' can be escaped; the
			// backslash stays before anything else.
			if escapedFrom == inDouble && c != '\\' && c != '"' {
				word = append(word, '\\')
			}
			word = append(word, c)
			state = escapedFrom
		}
	}
	return words, nil
}
