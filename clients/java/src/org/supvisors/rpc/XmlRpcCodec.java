package org.supvisors.rpc;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * The XML-RPC codec: a call to bytes, the bytes of a reply to a value or a
 * fault. Values decode as Apache XML-RPC's client gives them, which
 * upstream's classes were written against: int and i4 as Integer, i8 as
 * Long, boolean as Boolean, string (or an untyped value) as String, double
 * as Double, struct as a HashMap (a LinkedHashMap, in the server's order),
 * array as Object[], base64 as byte[], dateTime.iso8601 as LocalDateTime
 * (XML-RPC gives no time zone) and nil as null.
 */
final class XmlRpcCodec {
    /** How deep structs and arrays may nest in a reply: deeper is an attack, not a supervisor. */
    private static final int MAX_DEPTH = 64;

    /** XML-RPC's dateTime.iso8601 format. */
    private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HH:mm:ss");

    /**
     * One reader factory per thread: the JDK's factory is not documented as
     * safe for concurrent use, and making one costs a service look-up.
     */
    private static final ThreadLocal<XMLInputFactory> FACTORY = ThreadLocal.withInitial(() -> {
        final XMLInputFactory factory = XMLInputFactory.newFactory();
        // A reply has no DTD: none is read, no entity is fetched or expanded.
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        return factory;
    });

    /** A reply: a value, or a fault. */
    record Reply(Object value, boolean isFault, int faultCode, String faultString) {
    }

    /** A reply that is not XML-RPC; the message says why. */
    static final class MalformedReplyException extends Exception {
        private static final long serialVersionUID = 1L;

        MalformedReplyException(final String message, final Throwable cause) {
            super(message, cause);
        }
    }

    private XmlRpcCodec() {
    }

    /**
     * The body of a call of method with params (null: none).
     *
     * @throws IllegalArgumentException if a parameter cannot be sent (null, an unknown type)
     */
    static byte[] encodeCall(final String method, final Object[] params) {
        final StringBuilder b = new StringBuilder(256);
        b.append("<?xml version=\"1.0\"?>\n<methodCall><methodName>");
        escape(b, method, "the method name");
        b.append("</methodName><params>");
        if (params != null) {
            for (int i = 0; i < params.length; i++) {
                b.append("<param>");
                encode(b, params[i], "parameter " + (i + 1), 0);
                b.append("</param>");
            }
        }
        b.append("</params></methodCall>\n");
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void encode(final StringBuilder b, final Object v, final String what, final int depth) {
        if (depth > MAX_DEPTH) {
            throw new IllegalArgumentException(what + " nests deeper than " + MAX_DEPTH + " levels");
        }
        b.append("<value>");
        if (v == null) {
            throw new IllegalArgumentException(what + " is null: XML-RPC has no null");
        } else if (v instanceof String) {
            b.append("<string>");
            escape(b, (String) v, what);
            b.append("</string>");
        } else if (v instanceof Integer || v instanceof Short || v instanceof Byte) {
            b.append("<int>").append(v).append("</int>");
        } else if (v instanceof Long) {
            final long l = (Long) v;
            final String tag = l == (int) l ? "int" : "i8";
            b.append('<').append(tag).append('>').append(l).append("</").append(tag).append('>');
        } else if (v instanceof Boolean) {
            b.append("<boolean>").append((Boolean) v ? '1' : '0').append("</boolean>");
        } else if (v instanceof Double || v instanceof Float) {
            final double d = ((Number) v).doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new IllegalArgumentException(what + " is " + d + ": XML-RPC has no such double");
            }
            b.append("<double>").append(d).append("</double>");
        } else if (v instanceof byte[]) {
            b.append("<base64>").append(Base64.getEncoder().encodeToString((byte[]) v)).append("</base64>");
        } else if (v instanceof LocalDateTime) {
            b.append("<dateTime.iso8601>").append(DATE_TIME.format((LocalDateTime) v)).append("</dateTime.iso8601>");
        } else if (v instanceof Map) {
            b.append("<struct>");
            for (final Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                if (!(e.getKey() instanceof String)) {
                    throw new IllegalArgumentException(what + " has a key that is not a string: " + e.getKey());
                }
                final String key = (String) e.getKey();
                b.append("<member><name>");
                escape(b, key, "a key of " + what);
                b.append("</name>");
                encode(b, e.getValue(), "member '" + key + "' of " + what, depth + 1);
                b.append("</member>");
            }
            b.append("</struct>");
        } else if (v instanceof Object[] || v instanceof Collection) {
            final Object[] array = v instanceof Object[] ? (Object[]) v : ((Collection<?>) v).toArray();
            b.append("<array><data>");
            for (int i = 0; i < array.length; i++) {
                encode(b, array[i], "element " + i + " of " + what, depth + 1);
            }
            b.append("</data></array>");
        } else {
            throw new IllegalArgumentException(what + " is a " + v.getClass().getName() + ", which XML-RPC cannot carry");
        }
        b.append("</value>");
    }

    /** Appends s with XML's special characters escaped; a character XML cannot carry is refused. */
    private static void escape(final StringBuilder b, final String s, final String what) {
        for (int i = 0; i < s.length(); i++) {
            final char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                // A raw CR would reach the server as LF (XML's line-end normalization).
                case '\r' -> b.append("&#13;");
                default -> {
                    if (c < 0x20 && c != '\t' && c != '\n' || c == 0xFFFE || c == 0xFFFF) {
                        throw new IllegalArgumentException(what + " holds the character U+"
                            + String.format("%04X", (int) c) + ", which XML cannot carry");
                    }
                    if (Character.isSurrogate(c)) {
                        if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                            b.append(c).append(s.charAt(++i));
                            continue;
                        }
                        throw new IllegalArgumentException(what + " holds a lone surrogate U+"
                            + String.format("%04X", (int) c) + ", which XML cannot carry");
                    }
                    b.append(c);
                }
            }
        }
    }

    /**
     * The reply in body: a value, or a fault.
     *
     * @throws MalformedReplyException if body is not an XML-RPC methodResponse
     */
    static Reply decodeReply(final byte[] body) throws MalformedReplyException {
        XMLStreamReader r = null;
        try {
            r = FACTORY.get().createXMLStreamReader(new ByteArrayInputStream(body));
            expect(r, r.nextTag(), "methodResponse");
            final int event = r.nextTag();
            if (event == XMLStreamConstants.START_ELEMENT && "fault".equals(r.getLocalName())) {
                expect(r, r.nextTag(), "value");
                final Object fault = decodeValue(r, 0);
                expectEnd(r, r.nextTag(), "fault");
                expectEnd(r, r.nextTag(), "methodResponse");
                if (!(fault instanceof Map)) {
                    throw new MalformedReplyException("the fault is not a struct", null);
                }
                final Object code = ((Map<?, ?>) fault).get("faultCode");
                final Object string = ((Map<?, ?>) fault).get("faultString");
                if (!(code instanceof Integer) || !(string instanceof String)) {
                    throw new MalformedReplyException("the fault lacks an int faultCode and a string faultString", null);
                }
                return new Reply(null, true, (Integer) code, (String) string);
            }
            expect(r, event, "params");
            expect(r, r.nextTag(), "param");
            expect(r, r.nextTag(), "value");
            final Object value = decodeValue(r, 0);
            expectEnd(r, r.nextTag(), "param");
            expectEnd(r, r.nextTag(), "params");
            expectEnd(r, r.nextTag(), "methodResponse");
            return new Reply(value, false, 0, null);
        } catch (XMLStreamException e) {
            throw new MalformedReplyException("malformed XML: " + e.getMessage(), e);
        } catch (DateTimeParseException | IllegalArgumentException e) {
            // NumberFormatException and Base64's errors are IllegalArgumentExceptions.
            throw new MalformedReplyException("bad value at " + where(r) + ": " + e.getMessage(), e);
        } finally {
            if (r != null) {
                try {
                    r.close();
                } catch (XMLStreamException e) {
                    // Nothing to release: the input is an array.
                }
            }
        }
    }

    /** Decodes the value whose start tag r is at; r ends at its end tag. */
    private static Object decodeValue(final XMLStreamReader r, final int depth)
            throws XMLStreamException, MalformedReplyException {
        if (depth > MAX_DEPTH) {
            throw new MalformedReplyException("values nest deeper than " + MAX_DEPTH + " levels at " + where(r), null);
        }
        StringBuilder text = null;
        Object value = null;
        boolean typed = false;
        while (true) {
            switch (r.next()) {
                case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA, XMLStreamConstants.SPACE -> {
                    if (!typed) {
                        if (text == null) {
                            text = new StringBuilder();
                        }
                        text.append(r.getText());
                    }
                }
                case XMLStreamConstants.START_ELEMENT -> {
                    if (typed) {
                        throw new MalformedReplyException("a value with two types at " + where(r), null);
                    }
                    typed = true;
                    value = decodeTyped(r, depth);
                }
                case XMLStreamConstants.END_ELEMENT -> {
                    // An untyped value is a string (XML-RPC's default type).
                    return typed ? value : text == null ? "" : text.toString();
                }
                case XMLStreamConstants.END_DOCUMENT -> throw new MalformedReplyException("the reply ends inside a value", null);
                default -> {
                    // Comments and processing instructions carry nothing.
                }
            }
        }
    }

    /** Decodes the typed element r is at; r ends at its end tag. */
    private static Object decodeTyped(final XMLStreamReader r, final int depth)
            throws XMLStreamException, MalformedReplyException {
        final String type = r.getLocalName();
        switch (type) {
            case "int", "i4":
                return Integer.valueOf(r.getElementText().trim());
            case "i8":
                return Long.valueOf(r.getElementText().trim());
            case "boolean": {
                final String text = r.getElementText().trim();
                if ("1".equals(text) || "true".equals(text)) {
                    return Boolean.TRUE;
                }
                if ("0".equals(text) || "false".equals(text)) {
                    return Boolean.FALSE;
                }
                throw new MalformedReplyException("bad boolean '" + text + "' at " + where(r), null);
            }
            case "string":
                return r.getElementText();
            case "double":
                return Double.valueOf(r.getElementText().trim());
            case "dateTime.iso8601":
                return LocalDateTime.parse(r.getElementText().trim(), DATE_TIME);
            case "base64":
                return Base64.getMimeDecoder().decode(r.getElementText().trim());
            case "nil":
                r.getElementText();
                return null;
            case "struct":
                return decodeStruct(r, depth);
            case "array":
                return decodeArray(r, depth);
            default:
                throw new MalformedReplyException("unknown XML-RPC type <" + type + "> at " + where(r), null);
        }
    }

    private static Map<String, Object> decodeStruct(final XMLStreamReader r, final int depth)
            throws XMLStreamException, MalformedReplyException {
        final Map<String, Object> struct = new LinkedHashMap<>();
        while (r.nextTag() == XMLStreamConstants.START_ELEMENT) {
            expect(r, XMLStreamConstants.START_ELEMENT, "member");
            expect(r, r.nextTag(), "name");
            final String name = r.getElementText();
            expect(r, r.nextTag(), "value");
            struct.put(name, decodeValue(r, depth + 1));
            expectEnd(r, r.nextTag(), "member");
        }
        return struct;
    }

    private static Object[] decodeArray(final XMLStreamReader r, final int depth)
            throws XMLStreamException, MalformedReplyException {
        expect(r, r.nextTag(), "data");
        final List<Object> array = new ArrayList<>();
        while (r.nextTag() == XMLStreamConstants.START_ELEMENT) {
            expect(r, XMLStreamConstants.START_ELEMENT, "value");
            array.add(decodeValue(r, depth + 1));
        }
        expectEnd(r, r.nextTag(), "array");
        return array.toArray();
    }

    private static void expect(final XMLStreamReader r, final int event, final String tag) throws MalformedReplyException {
        if (event != XMLStreamConstants.START_ELEMENT || !tag.equals(r.getLocalName())) {
            throw new MalformedReplyException("<" + tag + "> expected, " + found(r, event) + " found at " + where(r), null);
        }
    }

    private static void expectEnd(final XMLStreamReader r, final int event, final String tag) throws MalformedReplyException {
        if (event != XMLStreamConstants.END_ELEMENT || !tag.equals(r.getLocalName())) {
            throw new MalformedReplyException("</" + tag + "> expected, " + found(r, event) + " found at " + where(r), null);
        }
    }

    private static String found(final XMLStreamReader r, final int event) {
        return switch (event) {
            case XMLStreamConstants.START_ELEMENT -> "<" + r.getLocalName() + ">";
            case XMLStreamConstants.END_ELEMENT -> "</" + r.getLocalName() + ">";
            default -> "the end of the reply";
        };
    }

    private static String where(final XMLStreamReader r) {
        return r == null ? "the start" : "line " + r.getLocation().getLineNumber() + ", column " + r.getLocation().getColumnNumber();
    }
}
