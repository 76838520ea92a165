package org.supvisors.event;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A JSON reader for the event payloads, into the values the XML-RPC client
 * gives the value classes: objects as maps, arrays as Object[], integers as
 * Integer (Long when larger), other numbers as Double.
 */
final class Json {
    private final String text;
    private int pos;

    private Json(final String text) {
        this.text = text;
    }

    /**
     * Reads one JSON object.
     *
     * @param text the JSON text
     * @return the object
     * @throws IllegalArgumentException if text is not one JSON object
     */
    static Map<String, Object> object(final String text) {
        final Json json = new Json(text);
        final Object value = json.value();
        json.skipSpace();
        if (!(value instanceof Map) || json.pos != text.length()) {
            throw new IllegalArgumentException("not one JSON object: " + abbreviate(text));
        }
        @SuppressWarnings("unchecked")
        final Map<String, Object> map = (Map<String, Object>) value;
        return map;
    }

    private static String abbreviate(final String text) {
        return text.length() <= 80 ? text : text.substring(0, 80) + "...";
    }

    private IllegalArgumentException error(final String what) {
        return new IllegalArgumentException("bad JSON at offset " + pos + ": " + what + " in " + abbreviate(text));
    }

    private void skipSpace() {
        while (pos < text.length() && " \t\r\n".indexOf(text.charAt(pos)) >= 0) {
            pos++;
        }
    }

    private Object value() {
        skipSpace();
        if (pos >= text.length()) {
            throw error("unexpected end");
        }
        final char c = text.charAt(pos);
        switch (c) {
            case '{':
                return parseObject();
            case '[':
                return parseArray();
            case '"':
                return string();
            case 't':
                return literal("true", Boolean.TRUE);
            case 'f':
                return literal("false", Boolean.FALSE);
            case 'n':
                return literal("null", null);
            default:
                return number();
        }
    }

    private Object literal(final String word, final Object value) {
        if (!text.startsWith(word, pos)) {
            throw error("unknown literal");
        }
        pos += word.length();
        return value;
    }

    private Map<String, Object> parseObject() {
        final Map<String, Object> map = new HashMap<>();
        pos++;
        skipSpace();
        if (pos < text.length() && text.charAt(pos) == '}') {
            pos++;
            return map;
        }
        while (true) {
            skipSpace();
            if (pos >= text.length() || text.charAt(pos) != '"') {
                throw error("a key expected");
            }
            final String key = string();
            skipSpace();
            expect(':');
            map.put(key, value());
            skipSpace();
            if (pos < text.length() && text.charAt(pos) == ',') {
                pos++;
                continue;
            }
            expect('}');
            return map;
        }
    }

    private Object[] parseArray() {
        final List<Object> list = new ArrayList<>();
        pos++;
        skipSpace();
        if (pos < text.length() && text.charAt(pos) == ']') {
            pos++;
            return list.toArray();
        }
        while (true) {
            list.add(value());
            skipSpace();
            if (pos < text.length() && text.charAt(pos) == ',') {
                pos++;
                continue;
            }
            expect(']');
            return list.toArray();
        }
    }

    private void expect(final char c) {
        if (pos >= text.length() || text.charAt(pos) != c) {
            throw error("'" + c + "' expected");
        }
        pos++;
    }

    private String string() {
        pos++; // the opening quote
        final StringBuilder out = new StringBuilder();
        while (pos < text.length()) {
            final char c = text.charAt(pos++);
            if (c == '"') {
                return out.toString();
            }
            if (c != '\\') {
                out.append(c);
                continue;
            }
            if (pos >= text.length()) {
                break;
            }
            final char e = text.charAt(pos++);
            switch (e) {
                case 'b' -> out.append('\b');
                case 'f' -> out.append('\f');
                case 'n' -> out.append('\n');
                case 'r' -> out.append('\r');
                case 't' -> out.append('\t');
                case 'u' -> {
                    if (pos + 4 > text.length()) {
                        throw error("short \\u escape");
                    }
                    try {
                        out.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
                    } catch (final NumberFormatException ex) {
                        throw error("bad \\u escape");
                    }
                    pos += 4;
                }
                default -> out.append(e); // \" \\ \/
            }
        }
        throw error("unterminated string");
    }

    private Object number() {
        final int start = pos;
        while (pos < text.length() && "+-0123456789.eE".indexOf(text.charAt(pos)) >= 0) {
            pos++;
        }
        final String n = text.substring(start, pos);
        if (n.isEmpty()) {
            throw error("a value expected");
        }
        try {
            if (n.indexOf('.') < 0 && n.indexOf('e') < 0 && n.indexOf('E') < 0) {
                final long l = Long.parseLong(n);
                return l == (int) l ? Integer.valueOf((int) l) : Long.valueOf(l);
            }
            return Double.valueOf(n);
        } catch (final NumberFormatException ex) {
            throw error("bad number " + n);
        }
    }
}
