package dev.rebound.modelserver;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What a response header {@link Fault#withHeader} takes must be to be sent as written: a name that is an
 * HTTP token and a value without control characters (RFC 9110, sections 5.1, 5.5 and 5.6.2). The JDK
 * server refuses a line break only while it writes the response, dropping the connection, and sends a
 * name with a space that its client then refuses; a fault is checked when it is made instead.
 */
final class HeaderRules {

    /** RFC 9110 tchar besides letters and digits. */
    private static final String TCHAR_SYMBOLS = "!#$%&'*+-.^_`|~";

    private HeaderRules() {
    }

    /**
     * @throws NullPointerException if {@code name} or {@code value} is null
     * @throws IllegalArgumentException naming the argument, if either cannot be sent
     */
    static void check(String name, String value) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("name must be an HTTP token (RFC 9110 tchar: letters, digits and "
                    + TCHAR_SYMBOLS + "), was empty");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (!isTchar(c)) {
                throw new IllegalArgumentException("name must be an HTTP token (RFC 9110 tchar: letters, digits and "
                        + TCHAR_SYMBOLS + "), was \"" + escaped(name) + "\" (" + unicode(c) + " at index " + i + ")");
            }
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if ((c < 0x20 && c != '\t') || c == 0x7F || c > 0xFF) {
                throw new IllegalArgumentException("value of header " + name + " must hold no CR, LF or other control "
                        + "character and nothing above U+00FF, had " + unicode(c) + " at index " + i);
            }
        }
    }

    private static boolean isTchar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                || TCHAR_SYMBOLS.indexOf(c) >= 0;
    }

    private static String unicode(char c) {
        return String.format(Locale.ROOT, "U+%04X", (int) c);
    }

    /** {@code name} with its control characters written as {@code \\uXXXX}, so a message stays one line. */
    private static String escaped(String name) {
        StringBuilder sb = new StringBuilder(name.length());
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            sb.append(c < 0x20 || c == 0x7F ? String.format(Locale.ROOT, "\\u%04x", (int) c) : String.valueOf(c));
        }
        return sb.toString();
    }

    /** The headers keyed by their names in lower case: what HTTP compares. */
    static Map<String, String> byLowerCaseName(Map<String, String> headers) {
        if (headers.isEmpty()) {
            return headers;
        }
        Map<String, String> lower = new TreeMap<>();
        headers.forEach((k, v) -> lower.put(k.toLowerCase(Locale.ROOT), v));
        return lower;
    }
}
