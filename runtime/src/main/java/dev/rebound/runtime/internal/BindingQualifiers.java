package dev.rebound.runtime.internal;

import java.lang.annotation.Annotation;
import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Comparator;
import java.util.StringJoiner;

/**
 * How a door that provides instances under a binding's qualifier (Guice's {@code ReboundModule.wrapping}: the
 * binding annotation of a key, {@code @Named("openai")} or one of the application's) writes the qualifier after the
 * name of what it provides: {@code @Named(openai)} in events, logs and metrics, {@code @com.google.inject.name.Named(openai)}
 * in the fleet's keys. Written from the annotation's type and its members' values alone, in the order of their
 * names: the same on every JVM (an annotation's {@code toString()} is not: its form changed between JDK
 * releases). A member named {@code value}, alone, is written without its name; an annotation without members (or
 * a binding by annotation type) is its name alone.
 */
public final class BindingQualifiers {

    private BindingQualifiers() {
    }

    /**
     * {@code qualifier} as events name it: {@code @Named(openai)}, {@code @OpenAi}, {@code @Region(eu)}.
     *
     * @param qualifier a binding annotation, or an annotation type (a binding by type alone)
     */
    public static String simple(Object qualifier) {
        return "@" + write(qualifier, false);
    }

    /** {@code qualifier} as the fleet names it: {@code @com.google.inject.name.Named(openai)}. */
    public static String qualified(Object qualifier) {
        return "@" + write(qualifier, true);
    }

    private static String write(Object qualifier, boolean qualified) {
        if (qualifier instanceof Class<?> type) {
            return name(type, qualified);
        }
        Annotation a = (Annotation) qualifier;
        Method[] members = a.annotationType().getDeclaredMethods();
        Arrays.sort(members, Comparator.comparing(Method::getName));
        StringJoiner values = new StringJoiner(", ", "(", ")").setEmptyValue("");
        for (Method m : members) {
            if (m.getParameterCount() > 0 || m.isSynthetic()) {
                continue;
            }
            Object value;
            try {
                m.setAccessible(true);
                value = m.invoke(a);
            } catch (ReflectiveOperationException | RuntimeException unreadable) {
                value = "?"; // a member that cannot be read (an annotation type in a closed package) tells nothing
            }
            String written = value(value, qualified);
            values.add(members.length == 1 && m.getName().equals("value") ? written : m.getName() + "=" + written);
        }
        return name(a.annotationType(), qualified) + values;
    }

    private static String value(Object value, boolean qualified) {
        if (value instanceof Class<?> c) {
            return name(c, qualified);
        }
        if (value instanceof Enum<?> e) {
            return e.name();
        }
        if (value instanceof Annotation nested) {
            return "@" + write(nested, qualified);
        }
        if (value != null && value.getClass().isArray()) {
            StringJoiner all = new StringJoiner(", ", "[", "]");
            for (int i = 0; i < Array.getLength(value); i++) {
                all.add(value(Array.get(value, i), qualified));
            }
            return all.toString();
        }
        return String.valueOf(value);
    }

    private static String name(Class<?> c, boolean qualified) {
        return qualified ? c.getName() : AnnotationLookup.simpleName(c);
    }
}
