package xmlrpc

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

// lexed is what a tokenizer made of a document: its tokens as text, and
// how it ended (nil: at the end of the document).
type lexed struct {
	tokens []string
	err    error
}

// describe is a token as text, attributes left out (the lexer drops them).
func describe(t xml.Token) string {
	switch t := t.(type) {
	case xml.StartElement:
		return fmt.Sprintf("<%s:%s>", t.Name.Space, t.Name.Local)
	case xml.EndElement:
		return fmt.Sprintf("</%s:%s>", t.Name.Space, t.Name.Local)
	case xml.CharData:
		return fmt.Sprintf("text %q", t)
	case xml.Comment:
		return fmt.Sprintf("comment %q", t)
	case xml.ProcInst:
		return fmt.Sprintf("pi %s %q", t.Target, t.Inst)
	}
	return fmt.Sprintf("%T", t)
}

// lexStd tokenizes doc with encoding/xml as the parser used to: strict,
// charset as its CharsetReader, a directive being an error.
func lexStd(doc []byte, charset charsetFunc) lexed {
	d := xml.NewDecoder(bytes.NewReader(doc))
	d.Strict = true
	d.CharsetReader = charset
	var out lexed
	for {
		t, err := d.RawToken()
		if err == io.EOF {
			return out
		}
		if err != nil {
			out.err = err
			return out
		}
		if _, ok := t.(xml.Directive); ok {
			out.err = errors.New("directive")
			return out
		}
		out.tokens = append(out.tokens, describe(t))
	}
}

func lexOurs(r io.Reader, charset charsetFunc) lexed {
	l := newLexer(r, charset)
	var out lexed
	for {
		t, err := l.next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			out.err = err
			return out
		}
		out.tokens = append(out.tokens, describe(t.std()))
	}
}

// std is t as encoding/xml's token.
func (t token) std() xml.Token {
	switch t.kind {
	case tokStart:
		return xml.StartElement{Name: t.name}
	case tokEnd:
		return xml.EndElement{Name: t.name}
	case tokText:
		return xml.CharData(t.data)
	case tokComment:
		return xml.Comment(t.data)
	case tokProcInst:
		return xml.ProcInst{Target: t.name.Local, Inst: t.data}
	}
	return nil
}

// compareLexers checks that the lexer reads doc as encoding/xml does,
// whole and a byte at a time, without a charset reader and with the
// server's.
func compareLexers(t *testing.T, doc []byte) {
	compareLexersWith(t, doc, nil)
	compareLexersWith(t, doc, declaredCharset)
}

func compareLexersWith(t *testing.T, doc []byte, charset charsetFunc) {
	want := lexStd(doc, charset)
	got := lexOurs(bytes.NewReader(doc), charset)
	if slow := lexOurs(iotest.OneByteReader(bytes.NewReader(doc)), charset); !slices.Equal(slow.tokens, got.tokens) || (slow.err == nil) != (got.err == nil) {
		t.Fatalf("%q: a byte at a time %v, %v; whole %v, %v", doc, slow.tokens, slow.err, got.tokens, got.err)
	}
	if errors.Is(got.err, errNonASCIIName) {
		// Stricter than encoding/xml, on purpose: what came before agrees.
		if len(got.tokens) > len(want.tokens) || !slices.Equal(got.tokens, want.tokens[:len(got.tokens)]) {
			t.Fatalf("%q: tokens %v before refusing a name, encoding/xml %v", doc, got.tokens, want.tokens)
		}
		return
	}
	if (got.err == nil) != (want.err == nil) || !slices.Equal(got.tokens, want.tokens) {
		t.Fatalf("%q:\nlexer        %v, %v\nencoding/xml %v, %v", doc, got.tokens, got.err, want.tokens, want.err)
	}
}

// lexerSeeds are documents for both tokenizers, good and bad.
var lexerSeeds = []string{
	"<?xml version='1.0'?>\n<methodCall>\n<methodName>supervisor.getState</methodName>\n<params>\n</params>\n</methodCall>\n",
	`<?xml version="1.0" encoding="UTF-8"?><methodResponse><params><param><value><struct><member><name>a</name><value><int>1</int></value></member></struct></value></param></params></methodResponse>`,
	"<?xml version='1.0' encoding='utf-8'?><a/>",
	"<?xml version='1.1'?><a/>",
	"<?xml version='1.0' encoding='latin-1'?><a/>",
	"<?xml version='1.0' encoding='ISO-8859-1'?><a x='\xe9'>caf\xe9 &#233; \x80</a>",
	"<?xml version=\"1.0\" encoding=\"windows-1252\"?>\n<a>\x80\x81\x9f\xe9</a>\r\n",
	"<?xml version=\"1.0\" encoding=\"us-ascii\"?><a>caf\xc3\xa9 \xe9</a>",
	"<?xml version='1.0' encoding='cp1252'?><a>\x93q\x94</a>", "<?xml version='1.0' encoding='UTF_8'?><a>\xe9</a>",
	"<?xml version='1.0' encoding='utf-16'?><a/>", "<?xml version='1.0' encoding='bogus'?><a/>", "<?xml encoding=''?><a/>",
	"<a><?xml version='1.0' encoding='latin1'?>\xe9</a>\xe9", "<?xml version='1.0' encoding='latin1'?><\xe9/>",
	"<?xml version='1.0' encoding='latin1'?><a>\x01</a>", "<?xml version='1.0' encoding='koi8-r'?><a>\xc1</a>",
	"<?xml encoding=x encoding='utf-8'?><a/>",
	"<?xml?><a/>", "<??>", "<?pi data ? > ?><a/>", "<?xml", "<?",
	"<a>x &lt;&gt;&amp;&apos;&quot; &#65;&#x42;&#x1F600; y</a>",
	"<a>&#0;</a>", "<a>&#xD800;</a>", "<a>&#X41;</a>", "<a>&#;</a>", "<a>&#x;</a>", "<a>&#99999999999999999999;</a>",
	"<a>&#1114112;</a>", "<a>&nbsp;</a>", "<a>&;</a>", "<a>&lt</a>", "<a>&lt", "<a>&", "<a>&#12", "<a>&é;</a>",
	"<a>a\r\nb\rc\n\r\r\nd</a>", "<a>\r", "<a x='1\r\n2'/>",
	"<a><![CDATA[<b>&amp;]]]]></a>", "<a><![CDATA[x", "<a><![CDAT[x]]></a>", "<a><![CDATA[\r\n]]></a>", "<a><![CDATA[]]></a>",
	"<a>x]]>y</a>", "<a>]]></a>", "<a>]&amp;]></a>", "<a>]]</a>",
	"<!-- c --><a/><!---->", "<!--->", "<!-- a -- b -->", "<!-- x --", "<!- x -->", "<!--", "<a><!--x--></a>",
	"<!DOCTYPE a [<!ENTITY b 'c'>]><a>&b;</a>", "<!x", "<!",
	"<a b='1' c=\"2\" d='&lt;'/>", "<a b=1/>", "<a b/>", "<a b='<'/>", "<a b='1'c='2'/>", "<a b = '1' />", "<a b='1", "<a b=",
	"<a/ >", "<a /b>", "<a", "<", "</a>", "</a", "</a x>", "</>", "< a>", "<1a/>", "<.a/>", "<-a/>", "<a.b-c_d:e/>",
	"<x:a>t</x:a>", "<x:y:z/>", "<:a/>", "<a:/>", "<é/>", "<aé/>", "<a bé='1'/>",
	"text\x01", "<a>\x00</a>", "<a>\xff</a>", "<a>\xed\xa0\x80</a>", "<a>\uFFFE</a>", "<a>\t\n</a>", "é<a/>",
	"", " ", "\n\n", "x", "<a>\n</a>\n", "<a></b>", "<a><b></a>",
}

func TestLexerMatchesEncodingXML(t *testing.T) {
	for _, doc := range lexerSeeds {
		compareLexers(t, []byte(doc))
	}
}

// FuzzLexer compares the lexer with encoding/xml on any input.
func FuzzLexer(f *testing.F) {
	for _, doc := range lexerSeeds {
		f.Add([]byte(doc))
	}
	f.Fuzz(compareLexers)
}

// TestLexerStreams: a document longer than one read, cut anywhere,
// gives the same tokens; a read error is the lexer's error.
func TestLexerStreams(t *testing.T) {
	var b strings.Builder
	b.WriteString("<?xml version='1.0'?><a>")
	for i := range 20000 {
		fmt.Fprintf(&b, "<v n='%d'>x &amp; y\r\n%d<![CDATA[z]]></v><!-- c -->", i, i)
	}
	b.WriteString("</a>")
	compareLexers(t, []byte(b.String()))

	boom := errors.New("boom")
	got := lexOurs(io.MultiReader(strings.NewReader("<a>text"), iotest.ErrReader(boom)), nil)
	if !errors.Is(got.err, boom) {
		t.Errorf("a failing reader: %v, %v", got.tokens, got.err)
	}
}

// TestLexerLines: errors name the line.
func TestLexerLines(t *testing.T) {
	got := lexOurs(strings.NewReader("<a>\n<b>\r\n<c x='1\n'>\n&bad;</c></b></a>"), nil)
	if got.err == nil || !strings.Contains(got.err.Error(), "line 5:") {
		t.Errorf("error %v, want it on line 5", got.err)
	}
}
