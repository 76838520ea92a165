package org.supvisors.common;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Conversions between XML-RPC values (as the client decodes them: a struct
 * is a Map, an array an Object[]) and the value classes, and between
 * namespecs and group and process names.
 */
public final class DataConversion {

    private DataConversion() {
    }

    /**
     * The structs of objectsArray as instances of klass, keyed by their
     * getName(), in the server's order (the HashMap returned is a
     * LinkedHashMap).
     *
     * @param objectsArray the array of structs got from an XML-RPC
     * @param klass the value class, with a public constructor from a Map
     * @param <T> the value class
     * @return the instances, keyed by name
     * @throws IllegalArgumentException if an element is not a struct, or klass cannot read it
     */
    public static <T extends SupvisorsAnyInfo> HashMap<String, T> arrayToMap(
            final Object[] objectsArray, final Class<T> klass) {
        final Constructor<T> constructor;
        try {
            constructor = klass.getConstructor(Map.class);
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException(klass.getName() + " has no public constructor from a Map", e);
        }
        return arrayToMap(objectsArray, map -> {
            try {
                return constructor.newInstance(map);
            } catch (InvocationTargetException e) {
                if (e.getCause() instanceof RuntimeException) {
                    throw (RuntimeException) e.getCause();
                }
                throw new IllegalArgumentException(klass.getSimpleName() + ": " + e.getCause(), e.getCause());
            } catch (ReflectiveOperationException e) {
                throw new IllegalArgumentException(klass.getSimpleName() + ": " + e, e);
            }
        });
    }

    /**
     * The structs of objectsArray made into values by make, keyed by their
     * getName(), in the server's order.
     *
     * @param objectsArray the array of structs got from an XML-RPC
     * @param make makes a value of a struct
     * @param <T> the value class
     * @return the values, keyed by name
     * @throws IllegalArgumentException if an element is not a struct, or make cannot read it
     */
    public static <T extends SupvisorsAnyInfo> HashMap<String, T> arrayToMap(
            final Object[] objectsArray, final Function<Map<String, ?>, T> make) {
        final HashMap<String, T> infoMap = new LinkedHashMap<>();
        for (int i = 0; i < objectsArray.length; i++) {
            final T info = make.apply(struct("element " + i, objectsArray[i]));
            infoMap.put(info.getName(), info);
        }
        return infoMap;
    }

    /**
     * The structs of objectsArray made into values by make, in the
     * server's order: for values that have no name of their own (the
     * statistics of several copies of one process).
     *
     * @param objectsArray the array of structs got from an XML-RPC
     * @param make makes a value of a struct
     * @param <T> the value class
     * @return the values, in order
     * @throws IllegalArgumentException if an element is not a struct, or make cannot read it
     */
    public static <T> List<T> arrayToList(final Object[] objectsArray, final Function<Map<String, ?>, T> make) {
        final List<T> list = new ArrayList<>(objectsArray.length);
        for (int i = 0; i < objectsArray.length; i++) {
            list.add(make.apply(struct("element " + i, objectsArray[i])));
        }
        return Collections.unmodifiableList(list);
    }

    /**
     * The strings of objectArray, as a list.
     *
     * @param objectArray an array of strings got from an XML-RPC
     * @return the strings, in order
     * @throws IllegalArgumentException if an element is not a string
     */
    public static List<String> arrayToStringList(final Object[] objectArray) {
        return Fields.stringList("the array", objectArray);
    }

    /**
     * Splits a namespec into group and process names: "p" gives ["p", "p"],
     * "g:p" gives ["g", "p"] and "g:*" gives ["g", null].
     *
     * @param namespec the namespec
     * @return the group name and the process name (null for all the group's)
     * @throws IllegalArgumentException if the namespec has more than one ':'
     */
    public static String[] namespecToStrings(final String namespec) {
        final String[] split = namespec.split(":", -1);
        if (split.length > 2) {
            throw new IllegalArgumentException("namespec '" + namespec + "' has more than one ':'");
        }
        if (split.length == 1) {
            return new String[]{namespec, namespec};
        }
        if ("*".equals(split[1])) {
            return new String[]{split[0], null};
        }
        return split;
    }

    /**
     * Joins group and process names into a namespec: "p" and "p" give "p",
     * "g" and "p" give "g:p", "g" and null give "g:*", null and "p" give "p".
     *
     * @param groupName the name of the process' group
     * @param processName the name of the process, null for all the group's
     * @return the namespec
     */
    public static String stringsToNamespec(final String groupName, final String processName) {
        if (groupName == null || groupName.equals(processName)) {
            return processName;
        }
        if (processName == null) {
            return groupName + ":*";
        }
        return groupName + ":" + processName;
    }

    /**
     * The XML-RPC type of a decoded value, for error messages: "a string",
     * "a struct", "an int (3)"...
     *
     * @param value a value as the client decodes it
     * @return its description
     */
    public static String describe(final Object value) {
        if (value == null) {
            return "nil";
        }
        if (value instanceof String) {
            final String s = (String) value;
            return "a string (\"" + (s.length() > 40 ? s.substring(0, 40) + "..." : s) + "\")";
        }
        if (value instanceof Integer) {
            return "an int (" + value + ")";
        }
        if (value instanceof Long) {
            return "an i8 (" + value + ")";
        }
        if (value instanceof Boolean) {
            return "a boolean (" + value + ")";
        }
        if (value instanceof Double) {
            return "a double (" + value + ")";
        }
        if (value instanceof Map) {
            return "a struct";
        }
        if (value instanceof Object[]) {
            return "an array of " + ((Object[]) value).length;
        }
        if (value instanceof byte[]) {
            return "a base64";
        }
        return "a " + value.getClass().getSimpleName();
    }

    /** value as a struct; what names it in the error. */
    @SuppressWarnings("unchecked")
    static Map<String, ?> struct(final String what, final Object value) {
        if (!(value instanceof Map)) {
            throw new IllegalArgumentException(what + " is " + describe(value) + ", want a struct");
        }
        return (Map<String, ?>) value;
    }
}
