package config

import (
	"errors"
	"fmt"
	"strings"
)

// parseEnvironment is Supervisor's dict_of_key_value_pairs: KEY=val pairs
// separated by commas (any single token, in fact), values optionally
// quoted to hold commas, split by Python's non-POSIX shlex. A key given
// twice keeps its first place and its last value.
func parseEnvironment(s string) ([]EnvVar, error) {
	tokens, err := shlexTokens(s)
	if err != nil {
		return nil, err
	}
	var env []EnvVar
	at := map[string]int{}
	for i := 0; i < len(tokens); i += 4 {
		if i+3 > len(tokens) || tokens[i+1] != "=" {
			return nil, fmt.Errorf("unexpected end of key/value pairs in value %q", s)
		}
		key, value := tokens[i], strings.Trim(tokens[i+2], `'"`)
		if j, ok := at[key]; ok {
			env[j].Value = value
			continue
		}
		at[key] = len(env)
		env = append(env, EnvVar{Key: key, Value: value})
	}
	return env, nil
}

var errNoClosingQuotation = errors.New("no closing quotation")

// shlexTokens splits s like Python's shlex.shlex(s) in its default,
// non-POSIX mode with '/.+-():' added to the word characters: words,
// quoted strings kept with their quotes, '#' comments to the end of the
// line, and every other character a token of its own.
func shlexTokens(s string) ([]string, error) {
	const (
		stateSpace = iota
		stateWord
		stateQuote
	)
	var (
		tokens []string
		token  []rune
		state  = stateSpace
		quote  rune
	)
	runes := []rune(s)
	emit := func() {
		tokens = append(tokens, string(token))
		token = token[:0]
	}
	for i := 0; i < len(runes); i++ {
		c := runes[i]
		switch state {
		case stateSpace:
			switch {
			case shlexSpace(c):
			case c == '#':
				i = skipLine(runes, i)
			case shlexWordChar(c):
				token, state = append(token, c), stateWord
			case c == '\'' || c == '"':
				token, state, quote = append(token, c), stateQuote, c
			default:
				token = append(token, c)
				emit()
			}
		case stateQuote:
			token = append(token, c)
			if c == quote {
				emit()
				state = stateSpace
			}
		case stateWord:
			switch {
			case shlexSpace(c):
				emit()
				state = stateSpace
			case c == '#':
				// Non-POSIX shlex drops the rest of the line but goes
				// on with the same word.
				i = skipLine(runes, i)
			case shlexWordChar(c) || c == '\'' || c == '"':
				token = append(token, c)
			default:
				emit()
				tokens = append(tokens, string(c))
				state = stateSpace
			}
		}
	}
	switch state {
	case stateQuote:
		return nil, errNoClosingQuotation
	case stateWord:
		emit()
	}
	return tokens, nil
}

// skipLine returns the index of the end of the line holding runes[i], as
// shlex's readline() after a comment character.
func skipLine(runes []rune, i int) int {
	for i < len(runes) && runes[i] != '\n' {
		i++
	}
	return i
}

func shlexSpace(c rune) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func shlexWordChar(c rune) bool {
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		strings.ContainsRune("_/.+-():", c)
}
