package org.supvisors.common;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.logging.Logger;

/**
 * Typed reads of the keys of an XML-RPC struct, shared by the value classes.
 *
 * A missing key reads as null (an empty list for lists): an older server may
 * lack a key. A key of the wrong type is an IllegalArgumentException naming
 * the key, the type found and the type wanted, which the rpc package turns
 * into an XmlRpcProtocolException. Keys no class reads are ignored, and a
 * state or strategy name this client does not know reads as the enum's
 * UNKNOWN with a warning: a newer server must not break an older client.
 */
final class Fields {
    /** The logger of the value classes: warnings about unknown names. */
    static final Logger LOGGER = Logger.getLogger("org.supvisors.common");

    /** What was warned about already: one warning per unknown name, not one per process of a list. */
    private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

    private Fields() {
    }

    /** The string at key, or null. */
    static String string(final Map<String, ?> map, final String key) {
        return as(map, key, String.class, "a string");
    }

    /** The boolean at key, or null. */
    static Boolean bool(final Map<String, ?> map, final String key) {
        return as(map, key, Boolean.class, "a boolean");
    }

    /** The int at key, or null; an i8 that fits an int is accepted. */
    static Integer integer(final Map<String, ?> map, final String key) {
        return integer(key, map.get(key));
    }

    /** value as an int; what names the value in the error. */
    static Integer integer(final String what, final Object value) {
        if (value == null || value instanceof Integer) {
            return (Integer) value;
        }
        if (value instanceof Long && (Long) value == ((Long) value).intValue()) {
            return ((Long) value).intValue();
        }
        throw wrongType(what, value, "an int");
    }

    /** The double at key, or null. */
    static Double real(final Map<String, ?> map, final String key) {
        return as(map, key, Double.class, "a double");
    }

    /** The array of doubles at key, as a list; an empty list when the key is missing. */
    static List<Double> reals(final Map<String, ?> map, final String key) {
        final Object value = map.get(key);
        if (value == null) {
            return Collections.emptyList();
        }
        if (!(value instanceof Object[])) {
            throw wrongType(key, value, "an array");
        }
        final Object[] array = (Object[]) value;
        final List<Double> list = new ArrayList<>(array.length);
        for (final Object element : array) {
            if (!(element instanceof Double)) {
                throw wrongType("an element of " + key, element, "a double");
            }
            list.add((Double) element);
        }
        return Collections.unmodifiableList(list);
    }

    /** The struct at key; an empty one when the key is missing. */
    static Map<String, ?> struct(final Map<String, ?> map, final String key) {
        final Object value = map.get(key);
        return value == null ? Collections.emptyMap() : DataConversion.struct("'" + key + "'", value);
    }

    /** The array of strings at key, as a list; an empty list when the key is missing. */
    static List<String> strings(final Map<String, ?> map, final String key) {
        final Object value = map.get(key);
        if (value == null) {
            return Collections.emptyList();
        }
        if (!(value instanceof Object[])) {
            throw wrongType(key, value, "an array");
        }
        return stringList(key, (Object[]) value);
    }

    /** The elements of array, each a string. */
    static List<String> stringList(final String what, final Object[] array) {
        final List<String> list = new ArrayList<>(array.length);
        for (final Object element : array) {
            if (!(element instanceof String)) {
                throw wrongType("an element of " + what, element, "a string");
            }
            list.add((String) element);
        }
        return Collections.unmodifiableList(list);
    }

    /** The element index of array, of the given type. */
    static <T> T element(final Object[] array, final int index, final Class<T> type, final String wanted) {
        if (array.length <= index) {
            throw new IllegalArgumentException("element " + index + " is missing (" + array.length + " elements)");
        }
        final Object value = array[index];
        if (value != null && !type.isInstance(value)) {
            throw wrongType("element " + index, value, wanted);
        }
        return type.cast(value);
    }

    /**
     * The constant of type named name; unknown when name is not one of its
     * constants, with a warning the first time.
     */
    static <E extends Enum<E>> E named(final Class<E> type, final String name, final E unknown) {
        if (name != null) {
            try {
                return Enum.valueOf(type, name);
            } catch (IllegalArgumentException e) {
                // Not a constant of this client: below.
            }
        }
        warnOnce(enumName(type) + " " + name, name == null ? "missing " + enumName(type) + " read as " + unknown.name()
            : "unknown " + enumName(type) + " '" + name + "' read as " + unknown.name() + " (a newer server?)");
        return unknown;
    }

    /** Logs message as a warning the first time key is seen. */
    static void warnOnce(final String key, final String message) {
        if (WARNED.add(key)) {
            LOGGER.warning(message);
        }
    }

    /** The enum's name as a user writes it: SupvisorsStatus.State. */
    private static String enumName(final Class<?> type) {
        final Class<?> outer = type.getEnclosingClass();
        return outer == null ? type.getSimpleName() : outer.getSimpleName() + "." + type.getSimpleName();
    }

    private static <T> T as(final Map<String, ?> map, final String key, final Class<T> type, final String wanted) {
        final Object value = map.get(key);
        if (value != null && !type.isInstance(value)) {
            throw wrongType(key, value, wanted);
        }
        return type.cast(value);
    }

    private static IllegalArgumentException wrongType(final String what, final Object value, final String wanted) {
        return new IllegalArgumentException("'" + what + "' is " + DataConversion.describe(value) + ", want " + wanted);
    }
}
